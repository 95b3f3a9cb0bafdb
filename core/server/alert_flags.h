// retaind's --alert_retention_* flags, read into the engine's alert
// retention (docs/decisions/0020-alert-history.md).
#ifndef RETAIN_CORE_SERVER_ALERT_FLAGS_H_
#define RETAIN_CORE_SERVER_ALERT_FLAGS_H_

#include <cstdint>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "core/engine/engine.h"

ABSL_DECLARE_FLAG(int, alert_retention_days);
ABSL_DECLARE_FLAG(int64_t, alert_retention_max);

namespace retain::server {

// The retention the flags ask for; INVALID_ARGUMENT naming the flag for a
// negative value.
absl::StatusOr<engine::AlertRetention> AlertRetentionFromFlags();

// Sets options.alert_retention from the flags; on a bad flag logs why and
// returns false (retaind then exits with status 2).
bool ApplyAlertFlags(engine::EngineOptions& options);

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_ALERT_FLAGS_H_
