// absl::Status inside, grpc::Status at the edge.
#ifndef RETAIN_CORE_SERVER_GRPC_STATUS_H_
#define RETAIN_CORE_SERVER_GRPC_STATUS_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"

namespace retain::server {

inline grpc::Status ToGrpcStatus(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                      std::string(s.message()));
}

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_GRPC_STATUS_H_
