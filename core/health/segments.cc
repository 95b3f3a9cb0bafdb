#include "core/health/segments.h"

#include "api/names.h"
#include "core/health/time_util.h"

namespace retain::health {

model::Segment SegmentForArr(const HealthConfig& config, double arr) {
  const auto& c = config.coverage;
  if (arr < c.pooled_min_arr) return account::v1::SEGMENT_DIGITAL;
  if (arr < c.named_min_arr) return account::v1::SEGMENT_POOLED;
  if (arr <= c.named_max_arr) return account::v1::SEGMENT_NAMED;
  return account::v1::SEGMENT_DEDICATED;
}

model::Segment SegmentAt(const HealthConfig& config,
                         const model::AccountState& account, absl::Time t) {
  const model::Segment set = model::SegmentOverrideAt(account, t);
  if (set != account::v1::SEGMENT_UNSPECIFIED) return set;
  return SegmentForArr(config, model::ArrAt(account.timeline, t));
}

const SegmentCoverageConfig& CoverageFor(const HealthConfig& config,
                                         model::Segment segment) {
  switch (segment) {
    case account::v1::SEGMENT_POOLED:
      return config.coverage.pooled;
    case account::v1::SEGMENT_NAMED:
      return config.coverage.named;
    case account::v1::SEGMENT_DEDICATED:
      return config.coverage.dedicated;
    default:
      return config.coverage.digital;
  }
}

std::string SegmentModelName(model::Segment segment) {
  switch (segment) {
    case account::v1::SEGMENT_DIGITAL:
      return "digital-led / community";
    case account::v1::SEGMENT_POOLED:
      return "pooled (low touch)";
    case account::v1::SEGMENT_NAMED:
      return "named (mid touch)";
    case account::v1::SEGMENT_DEDICATED:
      return "dedicated (high touch)";
    default:
      return "unspecified";
  }
}

std::string AccountName(const model::AccountState& account) {
  if (!account.profile.name().empty()) return account.profile.name();
  return api::AccountName(account.id);
}

absl::Time RelationshipStart(const model::AccountState& account) {
  if (account.profile.has_contract_start_time()) {
    return FromProto(account.profile.contract_start_time());
  }
  if (account.profile.has_create_time()) {
    return FromProto(account.profile.create_time());
  }
  return absl::InfinitePast();
}

}  // namespace retain::health
