#include "api/alert_validation.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "api/limit_checks.h"
#include "api/limits.h"
#include "api/names.h"
#include "api/proto_time.h"

namespace retain::api {
namespace {

absl::Status Invalid(const std::string& field, const std::string& rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

}  // namespace

bool IsAlertSeverity(const std::string& severity) {
  return severity == "info" || severity == "warning" || severity == "critical";
}

absl::Status ValidateListAlertsRequest(
    const report::v1::ListAlertsRequest& req) {
  if (!req.account().empty()) {
    std::string id;
    if (absl::Status s = ParseAccountName(req.account(), "account", &id);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = CheckBytes("source", req.source(), kMaxNameBytes);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckBytes("code", req.code(), kMaxNameBytes); !s.ok()) {
    return s;
  }
  if (!req.severity().empty() && !IsAlertSeverity(req.severity())) {
    // A short value is echoed, escaped; a long one is not (limit_checks.h).
    return Invalid("severity",
                   req.severity().size() <= 16
                       ? absl::StrCat("must be info, warning or critical, "
                                      "got \"",
                                      absl::CHexEscape(req.severity()), "\"")
                       : "must be info, warning or critical");
  }
  if (req.has_start_time() && req.has_end_time() &&
      FromProto(req.end_time()) <= FromProto(req.start_time())) {
    return Invalid("end_time", "must be after start_time");
  }
  if (req.after_position() < 0) {
    return Invalid("after_position",
                   absl::StrCat("must be >= 0, got ", req.after_position()));
  }
  if (req.page_size() < 0 || req.page_size() > 1000) {
    return Invalid("page_size",
                   absl::StrCat("must be 0-1000, got ", req.page_size()));
  }
  return CheckBytes("page_token", req.page_token(), kMaxPageTokenBytes);
}

absl::Status ValidateWatchHealthRequest(
    const report::v1::WatchHealthRequest& req) {
  if (req.has_after_position() && req.after_position() < 0) {
    return Invalid("after_position",
                   absl::StrCat("must be >= 0, got ", req.after_position()));
  }
  return absl::OkStatus();
}

}  // namespace retain::api
