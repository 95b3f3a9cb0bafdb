// Copies a quota refusal's retry hint into trailing metadata, for clients
// that would rather read a number than a message: a RESOURCE_EXHAUSTED
// status whose message ends "retry after N ms" (core/engine/quotas.h) gets
// the trailer `retry-delay-ms: N`. The message stays the contract
// (docs/decisions/0014-limits-and-quotas.md); this is a convenience.
//
// Not registered by ApplyMessageLimits: gRPC keeps one list of server
// interceptors (ServerBuilder::experimental().SetInterceptorCreators), which
// the authentication interceptors share, so whoever builds that list adds
// this factory to it.
#ifndef RETAIN_CORE_SERVER_RETRY_HINT_H_
#define RETAIN_CORE_SERVER_RETRY_HINT_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>

namespace retain::server {

inline constexpr char kRetryDelayMetadataKey[] = "retry-delay-ms";

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
RetryHintInterceptorFactory();

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_RETRY_HINT_H_
