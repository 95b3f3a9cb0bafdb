// Conversion of HealthResult to the report.v1 API messages.
#ifndef RETAIN_CORE_HEALTH_HEALTH_PROTO_H_
#define RETAIN_CORE_HEALTH_HEALTH_PROTO_H_

#include "absl/time/time.h"
#include "core/health/health_config.h"
#include "core/health/health_result.h"
#include "core/model/account_state.h"
#include "retain/report/v1/report.pb.h"

namespace retain::health {

// Fills `out` (cleared first) with the result: account name, display name,
// as_of, score, band, components (source "core"), indicators, ARR, segment.
// Trends are left empty (see FillTrends).
void ToProto(const HealthResult& result, const model::AccountState& account,
             report::v1::AccountHealth* out);

// Appends to `out->trends` the score 30 and 90 days before `current.as_of`,
// each with delta = current score − score then (0 when either is missing).
void FillTrends(const HealthConfig& config, const model::AccountState& account,
                const HealthResult& current, report::v1::AccountHealth* out);

// ComputeHealth + ToProto + FillTrends: the whole GetAccountHealth answer.
report::v1::AccountHealth AccountHealthProto(const HealthConfig& config,
                                             const model::AccountState& account,
                                             absl::Time as_of);

void ToProto(const Indicator& indicator, report::v1::LeadingIndicator* out);

}  // namespace retain::health

#endif  // RETAIN_CORE_HEALTH_HEALTH_PROTO_H_
