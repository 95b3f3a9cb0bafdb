// The server-side half of commercial.reason_code's validation: whether the
// code is one of the configured taxonomy (api/ checks its form and kind).
#ifndef RETAIN_CORE_HEALTH_CHURN_REASON_CHECK_H_
#define RETAIN_CORE_HEALTH_CHURN_REASON_CHECK_H_

#include <string>

#include "absl/status/status.h"
#include "core/health/health_config.h"
#include "retain/signal/v1/signal.pb.h"

namespace retain::health {

// INVALID_ARGUMENT naming `path`.commercial.reason_code and listing the
// valid codes when `event` carries a code the taxonomy lacks; OK for an
// empty code (reported as "unspecified").
absl::Status CheckChurnReason(const HealthConfig& config,
                              const signal::v1::CommercialEvent& event,
                              const std::string& path);

// The code a report files `reason_code` under: itself when configured,
// else "unspecified" (an empty code, or one dropped from the taxonomy
// after it was recorded).
std::string ReportedReason(const HealthConfig& config,
                           const std::string& reason_code);

}  // namespace retain::health

#endif  // RETAIN_CORE_HEALTH_CHURN_REASON_CHECK_H_
