// Finishes a unary callback with an engine result.
#ifndef RETAIN_CORE_SERVER_UNARY_H_
#define RETAIN_CORE_SERVER_UNARY_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "core/server/grpc_status.h"

namespace retain::server {

template <typename Response>
grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* ctx,
                                absl::StatusOr<Response> result,
                                Response* resp) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (result.ok()) {
    *resp = std::move(*result);
    reactor->Finish(grpc::Status::OK);
  } else {
    reactor->Finish(ToGrpcStatus(result.status()));
  }
  return reactor;
}

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_UNARY_H_
