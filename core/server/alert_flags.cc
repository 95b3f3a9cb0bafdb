// The alert retention flags live beside the one function that reads them,
// like the quota flags.
#include "core/server/alert_flags.h"

#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "core/common/log.h"

ABSL_FLAG(int, alert_retention_days, 90,
          "Days an alert stays in the alert history (ListAlerts, WatchHealth "
          "resume); 0 for no age limit. Older alerts are pruned at each "
          "health sweep (--sweep_seconds).");
ABSL_FLAG(int64_t, alert_retention_max,
          retain::engine::AlertRetention().max_per_tenant,
          "Most alerts the history keeps per tenant, the oldest going first; "
          "0 for no limit.");

namespace retain::server {

absl::StatusOr<engine::AlertRetention> AlertRetentionFromFlags() {
  const int days = absl::GetFlag(FLAGS_alert_retention_days);
  const int64_t max = absl::GetFlag(FLAGS_alert_retention_max);
  if (days < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--alert_retention_days must be >= 0 (0 for no limit), got ", days));
  }
  if (max < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--alert_retention_max must be >= 0 (0 for no limit), got ", max));
  }
  engine::AlertRetention r;
  r.max_age = absl::Hours(24) * days;
  r.max_per_tenant = max;
  return r;
}

bool ApplyAlertFlags(engine::EngineOptions& options) {
  absl::StatusOr<engine::AlertRetention> r = AlertRetentionFromFlags();
  if (!r.ok()) {
    common::Log("error", "alert retention flag rejected",
                {{"error", std::string(r.status().message())}});
    return false;
  }
  options.alert_retention = *r;
  return true;
}

}  // namespace retain::server
