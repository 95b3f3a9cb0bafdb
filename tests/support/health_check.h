// Asks a server's grpc.health.v1.Health/Check about one service. The
// health protos are not among Debian's headers, and their two messages have
// one field each, so they are encoded here by hand.
#ifndef RETAIN_TESTS_SUPPORT_HEALTH_CHECK_H_
#define RETAIN_TESTS_SUPPORT_HEALTH_CHECK_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace retain::testing {

// "SERVING", "NOT_SERVING", "UNKNOWN" or "SERVICE_UNKNOWN"; an error when the
// call fails (e.g. NOT_FOUND for a service the server never named).
absl::StatusOr<std::string> HealthStatus(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& service);

}  // namespace retain::testing

#endif  // RETAIN_TESTS_SUPPORT_HEALTH_CHECK_H_
