#ifndef RETAIN_CORE_SERVER_SIGNAL_SERVICE_H_
#define RETAIN_CORE_SERVER_SIGNAL_SERVICE_H_

#include "core/auth/authorizer.h"
#include "core/engine/engine.h"
#include "core/server/stream_limiter.h"
#include "retain/signal/v1/signal.grpc.pb.h"

namespace retain::server {

class SignalServiceImpl final
    : public signal::v1::SignalService::CallbackService {
 public:
  // `streams` bounds the streams one caller holds open.
  SignalServiceImpl(engine::Engine* engine, const auth::Authorizer* auth,
                    StreamLimiter* streams)
      : engine_(engine), auth_(auth), streams_(streams) {}

  // Acknowledged from the group-commit thread once durable: no gRPC thread
  // waits for the fsync.
  grpc::ServerUnaryReactor* RecordSignals(
      grpc::CallbackServerContext* ctx,
      const signal::v1::RecordSignalsRequest* req,
      signal::v1::RecordSignalsResponse* resp) override;
  grpc::ServerReadReactor<signal::v1::StreamSignalsRequest>* StreamSignals(
      grpc::CallbackServerContext* ctx,
      signal::v1::StreamSignalsResponse* resp) override;
  grpc::ServerUnaryReactor* ListSignals(
      grpc::CallbackServerContext* ctx,
      const signal::v1::ListSignalsRequest* req,
      signal::v1::ListSignalsResponse* resp) override;

 private:
  engine::Engine* engine_;
  const auth::Authorizer* auth_;
  StreamLimiter* streams_;
};

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_SIGNAL_SERVICE_H_
