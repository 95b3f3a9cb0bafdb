// Retention decomposition of a portfolio over a period.
#ifndef RETAIN_CORE_REPORTS_RETENTION_H_
#define RETAIN_CORE_REPORTS_RETENTION_H_

#include "absl/time/time.h"
#include "core/reports/report_util.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

// Compares each account's ARR at `start` and at `end` (model::ArrAt):
//   0 → > 0: new logo (ARR at end), or a win-back when the account was
//   churned at start (model::IsChurnedAt);  > 0 → 0: churned (ARR at
//   start);  both > 0: expansion or contraction by the difference.
// NRR = (ARR_end − new logo − win-back) / ARR_start; GRR = (start − churned −
// contraction) / start; logo churn = churned / accounts at start; expansion
// rate = expansion / start. ratios_defined is false when ARR_start is 0.
report::v1::Retention ComputeRetention(const Accounts& accounts,
                                       absl::Time start, absl::Time end);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_RETENTION_H_
