// Renewals coming due, and those overdue, with the health of the ARR
// behind them.
#ifndef RETAIN_CORE_REPORTS_RENEWALS_H_
#define RETAIN_CORE_REPORTS_RENEWALS_H_

#include <vector>

#include "absl/time/time.h"
#include "core/health/health_result.h"
#include "core/reports/report_util.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

// One window per entry of `window_days` (the health config's
// renewals.window_days, increasing): accounts with ARR > 0 whose renewal
// date as it stood at as_of is in (as_of, as_of + N]. `health[i]` is
// accounts[i]'s health at as_of. Red ARR is at risk, yellow ARR to
// monitor; up to 50 renewals per window, soonest first.
std::vector<report::v1::RenewalWindow> RenewalWindows(
    const Accounts& accounts, const std::vector<health::HealthResult>& health,
    absl::Time as_of, const std::vector<int>& window_days);

// Renewals whose date is at or before as_of with no renewal recorded on or
// after it, on accounts with ARR > 0 at as_of (health::RenewalStatusAt),
// longest overdue first.
report::v1::OverdueRenewals OverdueRenewals(
    const Accounts& accounts, const std::vector<health::HealthResult>& health,
    absl::Time as_of);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_RENEWALS_H_
