// Renewals coming due, with the health of the ARR behind them.
#ifndef RETAIN_CORE_REPORTS_RENEWALS_H_
#define RETAIN_CORE_REPORTS_RENEWALS_H_

#include <vector>

#include "absl/time/time.h"
#include "core/health/health_result.h"
#include "core/reports/report_util.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

// Windows of 30, 60, 90 and 120 days after as_of (the renewal timeline):
// accounts with ARR > 0 whose profile renewal_time is in (as_of, as_of + N].
// `health[i]` is accounts[i]'s health at as_of. Red ARR is at risk, yellow
// ARR to monitor; up to 50 renewals per window, soonest first.
std::vector<report::v1::RenewalWindow> RenewalWindows(
    const Accounts& accounts, const std::vector<health::HealthResult>& health,
    absl::Time as_of);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_RENEWALS_H_
