// The quota flags live here, not in main.cc, so the quota defaults and
// their help text sit beside the one function that reads them.
#include "core/server/quota_flags.h"

#include <cstdint>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "core/common/log.h"

ABSL_FLAG(int64_t, quota_accounts, retain::engine::QuotaOptions().max_accounts,
          "Most accounts one tenant may hold; 0 for no limit. Creating one "
          "more is refused with RESOURCE_EXHAUSTED.");
ABSL_FLAG(double, quota_signals_per_second,
          retain::engine::QuotaOptions().signals_per_second,
          "Signals one tenant may record per second through RecordSignals "
          "and StreamSignals (a token bucket); 0 for no limit. A batch over "
          "it is refused whole with RESOURCE_EXHAUSTED and \"retry after N "
          "ms\".");
ABSL_FLAG(int64_t, quota_signals_burst,
          retain::engine::QuotaOptions().signals_burst,
          "Most signals accepted at once under --quota_signals_per_second; 0 "
          "for one second's worth but at least 10000 (one full batch).");
ABSL_FLAG(int64_t, quota_stored_bytes,
          retain::engine::QuotaOptions().max_stored_bytes,
          "Most bytes one tenant may store (serialized accounts and signals, "
          "approximately); 0 for no limit. Default 16 GiB.");
ABSL_FLAG(int, quota_streams_per_key, 16,
          "Streams (StreamSignals, WatchHealth) one API key or client "
          "certificate may hold open at once; 0 means no limit. Over it: "
          "RESOURCE_EXHAUSTED with a retry hint.");

namespace retain::server {
absl::StatusOr<engine::QuotaOptions> QuotaOptionsFromFlags() {
  engine::QuotaOptions q;
  q.max_accounts = absl::GetFlag(FLAGS_quota_accounts);
  q.signals_per_second = absl::GetFlag(FLAGS_quota_signals_per_second);
  q.signals_burst = absl::GetFlag(FLAGS_quota_signals_burst);
  q.max_stored_bytes = absl::GetFlag(FLAGS_quota_stored_bytes);
  auto negative = [](const char* flag, auto value) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, " must be >= 0 (0 for no limit), got ", value));
  };
  if (q.max_accounts < 0) return negative("quota_accounts", q.max_accounts);
  // Also refuses NaN.
  if (!(q.signals_per_second >= 0)) {
    return negative("quota_signals_per_second", q.signals_per_second);
  }
  if (q.signals_burst < 0) {
    return negative("quota_signals_burst", q.signals_burst);
  }
  if (q.max_stored_bytes < 0) {
    return negative("quota_stored_bytes", q.max_stored_bytes);
  }
  return q;
}

bool ApplyQuotaFlags(engine::EngineOptions& options) {
  absl::StatusOr<engine::QuotaOptions> quotas = QuotaOptionsFromFlags();
  if (!quotas.ok()) {
    common::Log("error", "quota flag rejected",
                {{"error", std::string(quotas.status().message())}});
    return false;
  }
  options.quotas = *quotas;
  common::Log("info", "tenant quotas",
              {{"accounts", quotas->max_accounts},
               {"signals_per_second", quotas->signals_per_second},
               {"signals_burst", quotas->signals_burst},
               {"stored_bytes", quotas->max_stored_bytes}});
  return true;
}

}  // namespace retain::server
