#include "core/model/account_state.h"

namespace retain::model {

double ArrAt(const AccountTimeline& timeline, absl::Time t) {
  double arr = 0;
  const size_t end = EndAsOf(timeline.arr_changes, t);
  for (size_t i = 0; i < end; ++i) {
    const ArrChange& c = timeline.arr_changes[i];
    arr = c.op == ArrOp::kSet ? c.amount : arr + c.amount;
  }
  return arr < 0 ? 0 : arr;
}

Segment SegmentForArr(double arr) {
  if (arr < 5000) return account::v1::SEGMENT_DIGITAL;
  if (arr < 20000) return account::v1::SEGMENT_POOLED;
  if (arr <= 75000) return account::v1::SEGMENT_NAMED;
  return account::v1::SEGMENT_DEDICATED;
}

Segment SegmentAt(const AccountState& account, absl::Time t) {
  if (account.profile.segment_overridden()) return account.profile.segment();
  return SegmentForArr(ArrAt(account.timeline, t));
}

LifecycleStage StageAt(const AccountState& account, absl::Time t) {
  const auto& v = account.timeline.lifecycle;
  const size_t end = EndAsOf(v, t);
  if (end == 0) {
    return v.empty() ? account.profile.lifecycle_stage()
                     : account::v1::LIFECYCLE_STAGE_UNSPECIFIED;
  }
  return v[end - 1].stage;
}

bool HasExecSponsorAt(const AccountTimeline& timeline, absl::Time t) {
  const size_t end = EndAsOf(timeline.sponsor, t);
  return end > 0 && timeline.sponsor[end - 1].has_exec_sponsor;
}

}  // namespace retain::model
