// Helpers shared by the portfolio reports.
#ifndef RETAIN_CORE_REPORTS_REPORT_UTIL_H_
#define RETAIN_CORE_REPORTS_REPORT_UTIL_H_

#include <vector>

#include "absl/time/time.h"
#include "core/model/account_state.h"
#include "core/model/arr_moves.h"

namespace retain::reports {

// All accounts of one tenant, as the reports take them.
using Accounts = std::vector<const model::AccountState*>;

// What each ARR change did (core/model/arr_moves.h).
using model::ForEachArrStep;

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
