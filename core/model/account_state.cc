#include "core/model/account_state.h"

#include <algorithm>

#include "absl/time/civil_time.h"
#include "api/proto_time.h"

namespace retain::model {
namespace {

// The last change of `field` at or before t, if any.
const ProfileChange* LastChange(const AccountState& account, ProfileField field,
                                absl::Time t) {
  const auto& v = account.timeline.profile_changes;
  for (size_t i = EndAsOf(v, t); i > 0; --i) {
    if (v[i - 1].field == field) return &v[i - 1];
  }
  return nullptr;
}

}  // namespace

int32_t SeatsAt(const AccountState& account, absl::Time t) {
  const ProfileChange* c = LastChange(account, ProfileField::kSeats, t);
  return c ? static_cast<int32_t>(c->number) : account.profile.licensed_seats();
}

std::optional<absl::Time> RenewalAt(const AccountState& account, absl::Time t) {
  if (const ProfileChange* c = LastChange(account, ProfileField::kRenewal, t)) {
    if (c->cleared) return std::nullopt;
    return absl::FromUnixMicros(c->number);
  }
  if (!account.profile.has_renewal_time()) return std::nullopt;
  return api::FromProto(account.profile.renewal_time());
}

const std::string& OwnerAt(const AccountState& account, absl::Time t) {
  const ProfileChange* c = LastChange(account, ProfileField::kOwner, t);
  return c ? c->text : account.profile.csm_owner();
}

Segment SegmentOverrideAt(const AccountState& account, absl::Time t) {
  if (const ProfileChange* c = LastChange(account, ProfileField::kSegment, t)) {
    return static_cast<Segment>(c->number);
  }
  return account.profile.segment_overridden()
             ? account.profile.segment()
             : account::v1::SEGMENT_UNSPECIFIED;
}

int32_t TermMonthsAt(const AccountState& account, absl::Time t) {
  const ProfileChange* c = LastChange(account, ProfileField::kTerm, t);
  const int64_t months = c ? c->number : account.profile.contract_term_months();
  return months > 0 ? static_cast<int32_t>(months) : 12;
}

namespace {

// An erased account's remainder is archived from the erase on, whatever
// its earlier archive history says: the erase time is its archive_time.
bool ErasedAt(const AccountState& account, absl::Time t) {
  return account.profile.erased() && account.profile.has_archive_time() &&
         t >= api::FromProto(account.profile.archive_time());
}

}  // namespace

bool ArchivedAt(const AccountState& account, absl::Time t) {
  const ProfileChange* c = LastChange(account, ProfileField::kArchived, t);
  return (c != nullptr && c->number != 0) || ErasedAt(account, t);
}

std::optional<absl::Time> ArchiveTimeAt(const AccountState& account,
                                        absl::Time t) {
  const ProfileChange* c = LastChange(account, ProfileField::kArchived, t);
  if (c != nullptr && c->number != 0) return c->time;
  if (ErasedAt(account, t)) {
    return api::FromProto(account.profile.archive_time());
  }
  return std::nullopt;
}

absl::Time AddMonths(absl::Time t, int months) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilSecond cs = absl::ToCivilSecond(t, utc);
  const absl::Duration fraction = t - absl::FromCivil(cs, utc);
  const absl::CivilMonth target = absl::CivilMonth(cs) + months;
  const int last_day =
      static_cast<int>(absl::CivilDay(target + 1) - absl::CivilDay(target));
  const absl::CivilSecond moved(target.year(), target.month(),
                                std::min<int>(cs.day(), last_day), cs.hour(),
                                cs.minute(), cs.second());
  return absl::FromCivil(moved, utc) + fraction;
}

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
  const Segment set = SegmentOverrideAt(account, t);
  if (set != account::v1::SEGMENT_UNSPECIFIED) return set;
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
