// Leading indicators: signals that predict churn 60-90 days out. They are
// reported beside the score, not folded into it, so a team sees what moved.
#ifndef RETAIN_CORE_HEALTH_LEADING_INDICATORS_H_
#define RETAIN_CORE_HEALTH_LEADING_INDICATORS_H_

#include <vector>

#include "absl/time/time.h"
#include "core/health/health_config.h"
#include "core/health/health_result.h"
#include "core/model/account_state.h"

namespace retain::health {

// Indicators that hold at as_of, in a fixed order: usage_decline,
// engagement_drop, sponsor_change, negative_feedback, support_escalation,
// payment_overdue, renewal_risk. `band` is the account's band at as_of
// (renewal_risk needs it). None for an account churned at as_of
// (model::IsChurnedAt).
std::vector<Indicator> LeadingIndicators(const HealthConfig& config,
                                         const model::AccountState& account,
                                         absl::Time as_of,
                                         model::HealthBand band);

}  // namespace retain::health

#endif  // RETAIN_CORE_HEALTH_LEADING_INDICATORS_H_
