// Helpers shared by the portfolio reports.
#ifndef RETAIN_CORE_REPORTS_REPORT_UTIL_H_
#define RETAIN_CORE_REPORTS_REPORT_UTIL_H_

#include <functional>
#include <vector>

#include "absl/time/time.h"
#include "core/model/account_state.h"

namespace retain::reports {

// All accounts of one tenant, as the reports take them.
using Accounts = std::vector<const model::AccountState*>;

// Calls fn(change, arr_before, arr_after) for each ARR change at or before
// `until`, folding in time order, so callers see what each change did.
void ForEachArrStep(
    const model::AccountTimeline& timeline, absl::Time until,
    const std::function<void(const model::ArrChange&, double, double)>& fn);

// Whole calendar months (UTC) from `from` to `to`: a month counts once the
// same day-of-month and time of day is reached. 0 when `to` <= `from`.
int WholeMonthsBetween(absl::Time from, absl::Time to);

// The first positive ARR an account reached at or before `until` (its
// starting contract value), 0 if none.
double InitialArr(const model::AccountTimeline& timeline, absl::Time until);

// The accounts not archived at `t`: the live book as it stood then.
Accounts LiveAt(const Accounts& accounts, absl::Time t);

// Ratio or 0 when the denominator is 0 (callers flag "undefined" apart).
inline double SafeDiv(double num, double den) {
  return den == 0 ? 0 : num / den;
}

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_REPORT_UTIL_H_
