#include "core/model/arr_moves.h"

namespace retain::model {

ArrMove ClassifyArrMove(double before, double after) {
  if (before <= 0) return after > 0 ? ArrMove::kStart : ArrMove::kNone;
  if (after <= 0) return ArrMove::kChurn;
  if (after > before) return ArrMove::kExpansion;
  if (after < before) return ArrMove::kContraction;
  return ArrMove::kNone;
}

void ForEachArrStep(
    const AccountTimeline& timeline, absl::Time until,
    const std::function<void(const ArrChange&, double, double)>& fn) {
  double arr = 0;
  const size_t end = EndAsOf(timeline.arr_changes, until);
  for (size_t i = 0; i < end; ++i) {
    const ArrChange& c = timeline.arr_changes[i];
    const double next = c.op == ArrOp::kSet ? c.amount : arr + c.amount;
    fn(c, arr < 0 ? 0 : arr, next < 0 ? 0 : next);
    arr = next;
  }
}

bool IsChurnedAt(const AccountTimeline& timeline, absl::Time t) {
  bool had_arr = false;
  double arr = 0;
  const size_t end = EndAsOf(timeline.arr_changes, t);
  for (size_t i = 0; i < end; ++i) {
    const ArrChange& c = timeline.arr_changes[i];
    arr = c.op == ArrOp::kSet ? c.amount : arr + c.amount;
    had_arr = had_arr || arr > 0;
  }
  return had_arr && arr <= 0;
}

std::optional<Churn> ChurnIn(const AccountTimeline& timeline, absl::Time start,
                             absl::Time end) {
  if (ArrAt(timeline, start) <= 0 || ArrAt(timeline, end) > 0) {
    return std::nullopt;
  }
  // ARR went from > 0 to 0, so a churn move lies in (start, end]; the last
  // one is the one the account did not come back from.
  std::optional<Churn> last;
  ForEachArrStep(timeline, end,
                 [&](const ArrChange& c, double before, double after) {
                   if (c.time <= start) return;
                   if (ClassifyArrMove(before, after) == ArrMove::kChurn) {
                     last = Churn{c.time, before, c.reason_code};
                   }
                 });
  return last;
}

}  // namespace retain::model
