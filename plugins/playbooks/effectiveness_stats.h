// Effectiveness of playbooks, as functions over task records and health
// samples passed in (no host): per playbook and segment, as of a time.
#ifndef RETAIN_PLUGINS_PLAYBOOKS_EFFECTIVENESS_STATS_H_
#define RETAIN_PLUGINS_PLAYBOOKS_EFFECTIVENESS_STATS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "retain/plugins/playbooks/v1/playbooks.pb.h"

namespace retain::plugins::playbooks {

// One account's health score at a time.
struct HealthSample {
  std::string account_id{};
  int64_t at_micros = 0;
  double score = 0;
};

// Median of the values (mean of the middle two for an even count); 0 for
// none.
double Median(std::vector<double> values);

// Rows per (playbook, segment) of the tasks created at or before as_of,
// with closes after as_of not counted yet. Health deltas are left unset
// (see HealthDelta).
std::vector<v1::EffectivenessRow> Effectiveness(
    const std::vector<v1::Task>& tasks, int64_t as_of);

// Mean health change `days` after each start (account, time) from the
// samples (the latest sample at or before start, and the latest at or
// before start + days, both at or before as_of); nullopt without any pair.
std::optional<double> MeanHealthChange(
    const std::vector<std::pair<std::string, int64_t>>& starts,
    const std::vector<HealthSample>& samples, int days, int64_t as_of);

// Treated mean change minus untreated (comparison group) mean change;
// nullopt when either side has no data.
std::optional<double> HealthDelta(
    const std::vector<std::pair<std::string, int64_t>>& treated,
    const std::vector<std::pair<std::string, int64_t>>& untreated,
    const std::vector<HealthSample>& samples, int days, int64_t as_of);

}  // namespace retain::plugins::playbooks

#endif  // RETAIN_PLUGINS_PLAYBOOKS_EFFECTIVENESS_STATS_H_
