// Churned and contracted ARR by churn reason, and churns by tenure window
// and reason (docs/decisions/0033-churn-reasons-and-win-back.md).
#ifndef RETAIN_CORE_REPORTS_CHURN_REASONS_H_
#define RETAIN_CORE_REPORTS_CHURN_REASONS_H_

#include <vector>

#include "absl/time/time.h"
#include "core/health/health_config.h"
#include "core/reports/report_util.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

// One row per code of config.churn_reasons in its order, then
// "unspecified" (events without a code, or with one no longer configured).
// Churns are model::ChurnIn's over (start, end], each filed under the code
// on the event that took ARR to 0, with the ARR it had just before. Each
// contraction move in the period (ARR down, still > 0, whatever kind
// carried it) of an account not churned in it is filed under its own code
// with the ARR it removed; so this sums moves, while retention's
// contraction is the net change over the period.
std::vector<report::v1::ChurnReasonSummary> ChurnReasons(
    const Accounts& accounts, const health::HealthConfig& config,
    absl::Time start, absl::Time end);

// The period's churns by tenure at churn (whole months since contract
// start, else create time): < 6, 6-12, 12-24 and 24+ months; each window
// lists the reasons with a churn in it, in taxonomy order.
std::vector<report::v1::ChurnTenureReasons> ChurnReasonsByTenure(
    const Accounts& accounts, const health::HealthConfig& config,
    absl::Time start, absl::Time end);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_CHURN_REASONS_H_
