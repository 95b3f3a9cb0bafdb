// Every handler starts here: the caller is authenticated and its role
// checked for the method (core/auth), and the tenant it acts for comes from
// that identity, never from the request. On failure the call ends with
// UNAUTHENTICATED or PERMISSION_DENIED before anything is read or written.
#ifndef RETAIN_CORE_SERVER_AUTHORIZE_H_
#define RETAIN_CORE_SERVER_AUTHORIZE_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "core/auth/authorizer.h"
#include "core/server/grpc_status.h"
#include "core/server/unary.h"

namespace retain::server {

// Runs fn(identity) -> StatusOr<Response> for an authorized unary call.
template <typename Response, typename F>
grpc::ServerUnaryReactor* Authorized(grpc::CallbackServerContext* ctx,
                                     const auth::Authorizer& auth,
                                     const std::string& method, Response* resp,
                                     F&& fn) {
  auto id = auth.Authorize(*ctx, method);
  if (!id.ok()) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(ToGrpcStatus(id.status()));
    return reactor;
  }
  return Reply(ctx, fn(*id), resp);
}

// A streaming call refused before it starts.
template <typename Request>
class RefusedReadReactor : public grpc::ServerReadReactor<Request> {
 public:
  explicit RefusedReadReactor(const absl::Status& s) {
    this->Finish(ToGrpcStatus(s));
  }
  void OnDone() override { delete this; }
};

template <typename Response>
class RefusedWriteReactor : public grpc::ServerWriteReactor<Response> {
 public:
  explicit RefusedWriteReactor(const absl::Status& s) {
    this->Finish(ToGrpcStatus(s));
  }
  void OnDone() override { delete this; }
};

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_AUTHORIZE_H_
