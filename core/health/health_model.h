// The health score: Engagement 40% + Relationship 30% + Support 20% +
// Commercial 10% (configurable), each 0-10, banded green/yellow/red.
#ifndef RETAIN_CORE_HEALTH_HEALTH_MODEL_H_
#define RETAIN_CORE_HEALTH_HEALTH_MODEL_H_

#include "absl/time/time.h"
#include "core/health/health_config.h"
#include "core/health/health_result.h"
#include "core/model/account_state.h"

namespace retain::health {

// Health of `account` as it stood at `as_of`: a pure function of the
// timeline entries with time <= as_of (and the profile). Components without
// data give their weight to the others in proportion; with no data at all
// there is no score (band UNSPECIFIED). An account churned at as_of
// (model::IsChurnedAt) has band CHURNED, no score, no components and no
// leading indicators.
HealthResult ComputeHealth(const HealthConfig& config,
                           const model::AccountState& account,
                           absl::Time as_of);

// The same score and band as ComputeHealth, without the leading indicators
// and with the components' inputs and explanations left empty (formatting
// them is most of the cost), for callers that need the score and band of
// many accounts: the health cache, band distributions, model validation.
HealthResult ComputeHealthScore(const HealthConfig& config,
                                const model::AccountState& account,
                                absl::Time as_of);

// Band of a 0-10 score by the configured cut-offs.
model::HealthBand BandForScore(const HealthConfig& config, double score);

// Weighted sum of the components with data, re-spreading the weight of those
// without. Sets each component's effective_weight; returns false when no
// component has data (and leaves *score at 0).
bool CombineComponents(std::vector<ComponentResult>& components, double* score);

}  // namespace retain::health

#endif  // RETAIN_CORE_HEALTH_HEALTH_MODEL_H_
