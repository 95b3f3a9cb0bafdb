// Baseline for the ingest benchmark: the same SignalService contract over the
// same gRPC callback API, acknowledging every batch at once without
// validating, storing or applying anything. retaind's rate divided by this
// one is the share of the framework's ceiling that Retain's own work leaves.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "retain/signal/v1/signal.grpc.pb.h"

ABSL_FLAG(std::string, port_file, "", "Where to write the chosen port.");

namespace {

using namespace retain::signal::v1;  // NOLINT

class NoopReactor : public grpc::ServerReadReactor<StreamSignalsRequest> {
 public:
  explicit NoopReactor(StreamSignalsResponse* resp) : resp_(resp) {
    StartRead(&req_);
  }
  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);
      return;
    }
    resp_->set_recorded(resp_->recorded() + req_.signals_size());
    resp_->set_batches(resp_->batches() + 1);
    StartRead(&req_);
  }
  void OnDone() override { delete this; }

 private:
  StreamSignalsResponse* resp_;
  StreamSignalsRequest req_;
};

class NoopService final : public SignalService::CallbackService {
  grpc::ServerUnaryReactor* RecordSignals(
      grpc::CallbackServerContext* ctx, const RecordSignalsRequest* req,
      RecordSignalsResponse* resp) override {
    resp->set_recorded(req->signals_size());
    auto* r = ctx->DefaultReactor();
    r->Finish(grpc::Status::OK);
    return r;
  }
  grpc::ServerReadReactor<StreamSignalsRequest>* StreamSignals(
      grpc::CallbackServerContext*, StreamSignalsResponse* resp) override {
    return new NoopReactor(resp);
  }
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  NoopService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.SetMaxReceiveMessageSize(64 << 20);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!absl::GetFlag(FLAGS_port_file).empty()) {
    std::ofstream(absl::GetFlag(FLAGS_port_file)) << port << "\n";
  }
  std::fprintf(stderr, "noop signal server on %d\n", port);
  server->Wait();
}
