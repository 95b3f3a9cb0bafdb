#include "core/health/churn_reason_check.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace retain::health {

absl::Status CheckChurnReason(const HealthConfig& config,
                              const signal::v1::CommercialEvent& event,
                              const std::string& path) {
  const std::string& code = event.reason_code();
  if (code.empty() || FindChurnReason(config, code) != nullptr) {
    return absl::OkStatus();
  }
  std::vector<std::string> codes;
  for (const ChurnReason& r : config.churn_reasons) codes.push_back(r.code);
  return absl::InvalidArgumentError(
      absl::StrCat(path, ".commercial.reason_code: unknown reason code \"",
                   code, "\"; valid codes: ", absl::StrJoin(codes, ", "),
                   " (or none, reported as unspecified)"));
}

std::string ReportedReason(const HealthConfig& config,
                           const std::string& reason_code) {
  if (FindChurnReason(config, reason_code) != nullptr) return reason_code;
  return kUnspecifiedReason;
}

}  // namespace retain::health
