// Back-testing: did the red band predict churn and contraction?
#ifndef RETAIN_CORE_REPORTS_HEALTH_VALIDATION_H_
#define RETAIN_CORE_REPORTS_HEALTH_VALIDATION_H_

#include "absl/time/time.h"
#include "core/health/health_config.h"
#include "core/reports/report_util.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

// Population: accounts with ARR at period_start. Outcome, one per account:
// its churn in (period_start, as_of] (model::ChurnIn, as retention and the
// churn analysis count it), else the first move there that lowered ARR: a
// contraction by any event kind (a negative RENEWAL included) or a churn
// the account came back from within the period. Prediction: the
// band at outcome time − lead_days for accounts with an outcome, else at as_of
// − lead_days; "red" is the positive class. lead_days <= 0 means 60. Precision,
// recall, base rate and lift are 0 when undefined.
report::v1::HealthModelValidation ValidateHealthModel(
    const Accounts& accounts, const health::HealthConfig& config,
    absl::Time period_start, absl::Time as_of, int lead_days);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_HEALTH_VALIDATION_H_
