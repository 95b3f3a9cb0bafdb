// retaind's --quota_* flags, read into the engine's per-tenant quotas.
#ifndef RETAIN_CORE_SERVER_QUOTA_FLAGS_H_
#define RETAIN_CORE_SERVER_QUOTA_FLAGS_H_

#include <cstdint>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "core/engine/engine.h"

ABSL_DECLARE_FLAG(int64_t, quota_accounts);
ABSL_DECLARE_FLAG(double, quota_signals_per_second);
ABSL_DECLARE_FLAG(int64_t, quota_signals_burst);
ABSL_DECLARE_FLAG(int64_t, quota_stored_bytes);
ABSL_DECLARE_FLAG(int, quota_streams_per_key);

namespace retain::server {

// The quotas the flags ask for; INVALID_ARGUMENT naming the flag for a
// negative value.
absl::StatusOr<engine::QuotaOptions> QuotaOptionsFromFlags();

// Sets options.quotas from the flags; on a bad flag logs why and returns
// false (retaind then exits with status 2, like for its other flags).
bool ApplyQuotaFlags(engine::EngineOptions& options);

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_QUOTA_FLAGS_H_
