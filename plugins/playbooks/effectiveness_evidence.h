// What GetEffectiveness asks the host beyond the tasks: each treated
// account's health and ARR at its trigger, the renewal it is judged at,
// and a bounded comparison group of accounts like it that were not
// treated, sampled at the same times.
#ifndef RETAIN_PLUGINS_PLAYBOOKS_EFFECTIVENESS_EVIDENCE_H_
#define RETAIN_PLUGINS_PLAYBOOKS_EFFECTIVENESS_EVIDENCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "plugins/playbooks/effectiveness_stats.h"
#include "retain/plugins/playbooks/v1/playbooks.pb.h"
#include "retain_plugin.h"

namespace retain::plugins::playbooks {

// Each task is compared with at most this many accounts, found among at
// most kMaxExaminedPerTask others (in an order that differs per task, so
// the same few accounts do not stand in for every task).
constexpr int kMaxComparisonPerTask = 20;
constexpr int kMaxExaminedPerTask = 200;

// `measured`: the tasks to measure (created at or before as_of); `all`:
// every task of the tenant, which says who was treated when. Reads health
// with as_of (ABI 1.3 GetAccountHealth), the accounts (ListAccounts) and
// renewals (commercial signals); on an older host, saves and health deltas
// stay undecided and empty. Stops with the hook's cancellation.
sdk::Result<Evidence> GatherEvidence(const sdk::Host& host,
                                     const std::string& tenant,
                                     const std::vector<v1::Task>& measured,
                                     const std::vector<v1::Task>& all,
                                     int64_t as_of);

}  // namespace retain::plugins::playbooks

#endif  // RETAIN_PLUGINS_PLAYBOOKS_EFFECTIVENESS_EVIDENCE_H_
