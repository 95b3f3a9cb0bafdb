// The one definition of churn, contraction and win-back that every report,
// the health rules and the alerting share (docs/decisions/0004).
//
// A move is judged by what it did to ARR, never by the event kind that
// carried it: a RENEWAL or CONTRACTION that takes ARR to 0 is a churn, and a
// RENEWAL or EXPANSION with a negative change is a contraction.
#ifndef RETAIN_CORE_MODEL_ARR_MOVES_H_
#define RETAIN_CORE_MODEL_ARR_MOVES_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "core/model/account_state.h"

namespace retain::model {

enum class ArrMove {
  kNone,         // ARR unchanged, or 0 stayed 0
  kStart,        // 0 -> > 0: a new logo or a win-back
  kExpansion,    // > 0 -> more
  kContraction,  // > 0 -> less, still > 0
  kChurn,        // > 0 -> 0
};

// What a change from `before` to `after` (both floored at 0) is.
ArrMove ClassifyArrMove(double before, double after);

// Calls fn(change, arr_before, arr_after) for each ARR change at or before
// `until`, folding in time order with the same floor at 0 as ArrAt, so
// callers see what each change did.
void ForEachArrStep(
    const AccountTimeline& timeline, absl::Time until,
    const std::function<void(const ArrChange&, double, double)>& fn);

// Churned at `t`: ARR is 0 at t and was > 0 at some earlier point. An
// account that never had ARR is not churned (it has not started), and one
// won back (ARR > 0 again) is live.
bool IsChurnedAt(const AccountTimeline& timeline, absl::Time t);

struct Churn {
  // The churn that left the account at 0 for the rest of the period.
  absl::Time time;
  // ARR just before that churn.
  double arr_before = 0;
  // The reason code on the event that took ARR to 0 (empty when none).
  std::string reason_code;
};

// The account's churn in the period (start, end], counted once per account
// and period: it had ARR at `start` and has none at `end`. An account that
// churns and returns within the period has not churned in it; one that
// churns twice counts once, at its last churn.
std::optional<Churn> ChurnIn(const AccountTimeline& timeline, absl::Time start,
                             absl::Time end);

}  // namespace retain::model

#endif  // RETAIN_CORE_MODEL_ARR_MOVES_H_
