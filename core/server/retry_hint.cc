#include "core/server/retry_hint.h"

#include <grpcpp/grpcpp.h>

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/engine/quotas.h"

namespace retain::server {
namespace {

class RetryHintInterceptor final : public grpc::experimental::Interceptor {
 public:
  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        if (auto delay = engine::RetryDelayOf(status.error_message())) {
          if (auto* trailers = methods->GetSendTrailingMetadata()) {
            trailers->emplace(kRetryDelayMetadataKey,
                              absl::StrCat(absl::ToInt64Milliseconds(*delay)));
          }
        }
      }
    }
    methods->Proceed();
  }
};

class RetryHintFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* /*info*/) override {
    return new RetryHintInterceptor;
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
RetryHintInterceptorFactory() {
  return std::make_unique<RetryHintFactory>();
}

}  // namespace retain::server
