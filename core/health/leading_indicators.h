// Leading indicators: signals that predict churn 60-90 days out. They are
// reported beside the score, not folded into it, so a team sees what moved.
#ifndef RETAIN_CORE_HEALTH_LEADING_INDICATORS_H_
#define RETAIN_CORE_HEALTH_LEADING_INDICATORS_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/health/health_config.h"
#include "core/health/health_result.h"
#include "core/model/account_state.h"

namespace retain::health {

// A set of indicators, bit i standing for kIndicatorCodes[i]: what the
// engine remembers per account to tell when one appears or clears
// (docs/decisions/0026-indicator-changes.md).
using IndicatorMask = uint8_t;
inline constexpr int kIndicatorCount = 7;
inline constexpr IndicatorMask kAllIndicators = (1 << kIndicatorCount) - 1;
extern const char* const kIndicatorCodes[kIndicatorCount];

// The index of `code` in kIndicatorCodes; -1 when it is none of them.
int IndicatorIndex(absl::string_view code);

// The mask of these indicators (codes not in kIndicatorCodes are ignored).
IndicatorMask MaskOf(const std::vector<Indicator>& indicators);

// The indicators that hold at as_of, each rule evaluated once. Those held
// whose bit is in `describe` are also appended to *described (when not
// null), formatted and in kIndicatorCodes order; formatting the rest is
// skipped, so a caller that only compares sets allocates nothing. None
// for an account churned at as_of (model::IsChurnedAt).
IndicatorMask HeldIndicators(const HealthConfig& config,
                             const model::AccountState& account,
                             absl::Time as_of, model::HealthBand band,
                             IndicatorMask describe,
                             std::vector<Indicator>* described);

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
