// Segment and coverage lookups driven by HealthConfig's coverage table.
//
// core/model has a fixed-boundary SegmentForArr; these overloads honour
// configured boundaries without changing the model's API.
#ifndef RETAIN_CORE_HEALTH_SEGMENTS_H_
#define RETAIN_CORE_HEALTH_SEGMENTS_H_

#include <string>

#include "absl/time/time.h"
#include "core/health/health_config.h"
#include "core/model/account_state.h"

namespace retain::health {

// Segment from ACV by the configured boundaries.
model::Segment SegmentForArr(const HealthConfig& config, double arr);

// The override when set, else from ArrAt(t) by the configured boundaries.
model::Segment SegmentAt(const HealthConfig& config,
                         const model::AccountState& account, absl::Time t);

// The coverage row of a segment (UNSPECIFIED reads as digital).
const SegmentCoverageConfig& CoverageFor(const HealthConfig& config,
                                         model::Segment segment);

// e.g. "dedicated (high touch)".
std::string SegmentModelName(model::Segment segment);

// The account's resource name: the stored one, else "accounts/{id}".
std::string AccountName(const model::AccountState& account);

// When the relationship clock starts for an account never contacted:
// contract start, else create time; InfinitePast when neither is known.
absl::Time RelationshipStart(const model::AccountState& account);

}  // namespace retain::health

#endif  // RETAIN_CORE_HEALTH_SEGMENTS_H_
