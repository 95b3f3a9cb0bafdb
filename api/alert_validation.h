// Checks the alert-history requests (ListAlerts, WatchHealth's resume)
// before anything is read, shared by retaind and retainctl. Errors are
// INVALID_ARGUMENT naming the field and the rule, e.g. "severity: must be
// info, warning or critical, got \"high\"".
#ifndef RETAIN_API_ALERT_VALIDATION_H_
#define RETAIN_API_ALERT_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "retain/report/v1/report.pb.h"

namespace retain::api {

// The severities an alert carries, and a filter may name.
bool IsAlertSeverity(const std::string& severity);

// Every field but the page token's contents (the server reads those).
absl::Status ValidateListAlertsRequest(
    const report::v1::ListAlertsRequest& req);

absl::Status ValidateWatchHealthRequest(
    const report::v1::WatchHealthRequest& req);

}  // namespace retain::api

#endif  // RETAIN_API_ALERT_VALIDATION_H_
