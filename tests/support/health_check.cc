#include "tests/support/health_check.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "tests/support/generic_unary.h"

namespace retain::testing {
namespace {

// HealthCheckRequest { string service = 1; }
std::string EncodeRequest(const std::string& service) {
  std::string out = "\x0a";
  size_t n = service.size();
  do {  // length as a varint
    uint8_t byte = n & 0x7f;
    n >>= 7;
    out.push_back(static_cast<char>(n ? byte | 0x80 : byte));
  } while (n);
  return out + service;
}

// HealthCheckResponse { ServingStatus status = 1; } (a small varint, or
// nothing for UNKNOWN = 0).
absl::StatusOr<std::string> DecodeResponse(const std::string& bytes) {
  int status = 0;
  if (bytes.size() == 2 && bytes[0] == 0x08) {
    status = bytes[1];
  } else if (!bytes.empty()) {
    return absl::InternalError("unexpected HealthCheckResponse bytes");
  }
  switch (status) {
    case 0:
      return std::string("UNKNOWN");
    case 1:
      return std::string("SERVING");
    case 2:
      return std::string("NOT_SERVING");
    case 3:
      return std::string("SERVICE_UNKNOWN");
  }
  return absl::InternalError(absl::StrCat("unknown health status ", status));
}

}  // namespace

absl::StatusOr<std::string> HealthStatus(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  std::string bytes;
  grpc::Status status = UnaryBytes(channel, "/grpc.health.v1.Health/Check",
                                   EncodeRequest(service), &bytes);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  return DecodeResponse(bytes);
}

}  // namespace retain::testing
