#include "core/server/signal_service.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/server/authorize.h"
#include "core/server/grpc_status.h"
#include "core/server/unary.h"

namespace retain::server {
namespace {

using signal::v1::StreamSignalsRequest;
using signal::v1::StreamSignalsResponse;

// Reads batches and hands each to the engine without waiting for the
// previous one to be durable, up to kMaxInFlight batches, so a stream keeps
// the group-commit writer busy; the response is sent once every batch read
// is durable.
class StreamReactor final
    : public grpc::ServerReadReactor<StreamSignalsRequest> {
 public:
  static constexpr int kMaxInFlight = 8;

  StreamReactor(engine::Engine* engine, std::string tenant,
                StreamSignalsResponse* resp, StreamLimiter::Lease lease)
      : engine_(engine),
        tenant_(std::move(tenant)),
        resp_(resp),
        lease_(std::move(lease)) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      std::optional<grpc::Status> finish;
      {
        absl::MutexLock lock(&mu_);
        read_done_ = true;
        finish = MaybeFinishLocked();
      }
      if (finish) Finish(*finish);
      return;
    }
    std::vector<signal::v1::Signal> batch(
        std::make_move_iterator(request_.mutable_signals()->begin()),
        std::make_move_iterator(request_.mutable_signals()->end()));
    request_.Clear();
    int64_t batch_no;
    {
      absl::MutexLock lock(&mu_);
      batch_no = batches_++;
      ++in_flight_;
    }
    absl::Status s = engine_->RecordSignalsAsync(
        tenant_, std::move(batch),
        [this](absl::StatusOr<engine::IngestCounts> r) { OnBatchDone(r); });
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (!s.ok()) {
        --in_flight_;
        if (error_.ok()) {
          error_ = absl::Status(s.code(), absl::StrCat("batch ", batch_no,
                                                       " rejected, nothing of "
                                                       "it was recorded: ",
                                                       s.message()));
        }
        read_done_ = true;
        finish = MaybeFinishLocked();
      } else if (in_flight_ < kMaxInFlight) {
        StartRead(&request_);
      } else {
        paused_ = true;
      }
    }
    if (finish) Finish(*finish);
  }

  void OnDone() override { delete this; }

 private:
  // Runs on an engine thread, which gRPC knows nothing of: once Finish is
  // called, OnDone may delete this reactor at once, so Finish is the last
  // thing done here, outside the lock.
  void OnBatchDone(const absl::StatusOr<engine::IngestCounts>& r) {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      --in_flight_;
      if (r.ok()) {
        recorded_ += r->recorded;
        duplicates_ += r->duplicates;
        reference_duplicates_ += r->reference_duplicates;
      } else if (error_.ok()) {
        error_ = r.status();
        read_done_ = true;
      }
      if (paused_ && error_.ok()) {
        paused_ = false;
        StartRead(&request_);
      }
      finish = MaybeFinishLocked();
    }
    if (finish) Finish(*finish);
  }

  // The status to Finish with, once, when every batch read is done; the
  // caller calls Finish after releasing mu_ (OnDone deletes this).
  std::optional<grpc::Status> MaybeFinishLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || in_flight_ > 0 || !read_done_) return std::nullopt;
    finished_ = true;
    resp_->set_recorded(recorded_);
    resp_->set_duplicates(duplicates_);
    resp_->set_reference_duplicates(reference_duplicates_);
    resp_->set_batches(batches_);
    if (error_.ok()) return grpc::Status::OK;
    return ToGrpcStatus(absl::Status(
        error_.code(),
        absl::StrCat(error_.message(), " (", recorded_,
                     " signals of earlier batches were recorded; resend "
                     "safely, ids make it idempotent)")));
  }

  engine::Engine* engine_;
  const std::string tenant_;
  StreamSignalsResponse* resp_;
  StreamLimiter::Lease lease_;  // the caller's stream slot, until OnDone
  StreamSignalsRequest request_;
  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  bool read_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  int64_t batches_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t recorded_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t duplicates_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t reference_duplicates_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

grpc::ServerUnaryReactor* SignalServiceImpl::RecordSignals(
    grpc::CallbackServerContext* ctx,
    const signal::v1::RecordSignalsRequest* req,
    signal::v1::RecordSignalsResponse* resp) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto id =
      auth_->Authorize(*ctx, "/retain.signal.v1.SignalService/RecordSignals");
  if (!id.ok()) {
    reactor->Finish(ToGrpcStatus(id.status()));
    return reactor;
  }
  // The request message is ours until Finish and never read again: move
  // the signals out instead of copying every one.
  auto* signals =
      const_cast<signal::v1::RecordSignalsRequest*>(req)->mutable_signals();
  std::vector<signal::v1::Signal> batch(
      std::make_move_iterator(signals->begin()),
      std::make_move_iterator(signals->end()));
  absl::Status s = engine_->RecordSignalsAsync(
      id->tenant, std::move(batch),
      [reactor, resp](absl::StatusOr<engine::IngestCounts> r) {
        if (!r.ok()) {
          reactor->Finish(ToGrpcStatus(r.status()));
          return;
        }
        resp->set_recorded(static_cast<int32_t>(r->recorded));
        resp->set_duplicates(static_cast<int32_t>(r->duplicates));
        resp->set_reference_duplicates(
            static_cast<int32_t>(r->reference_duplicates));
        for (const std::string& id : r->reference_duplicate_ids) {
          resp->add_reference_duplicate_ids(id);
        }
        reactor->Finish(grpc::Status::OK);
      });
  if (!s.ok()) reactor->Finish(ToGrpcStatus(s));
  return reactor;
}

grpc::ServerReadReactor<StreamSignalsRequest>* SignalServiceImpl::StreamSignals(
    grpc::CallbackServerContext* ctx, StreamSignalsResponse* resp) {
  auto id =
      auth_->Authorize(*ctx, "/retain.signal.v1.SignalService/StreamSignals");
  if (!id.ok()) {
    return new RefusedReadReactor<StreamSignalsRequest>(id.status());
  }
  auto lease = streams_->AcquireLease(id->principal);
  if (!lease.ok()) {
    return new RefusedReadReactor<StreamSignalsRequest>(lease.status());
  }
  return new StreamReactor(engine_, id->tenant, resp, std::move(*lease));
}

grpc::ServerUnaryReactor* SignalServiceImpl::ListSignals(
    grpc::CallbackServerContext* ctx, const signal::v1::ListSignalsRequest* req,
    signal::v1::ListSignalsResponse* resp) {
  return Authorized(ctx, *auth_, "/retain.signal.v1.SignalService/ListSignals",
                    resp, [&](const auth::Identity& id) {
                      return engine_->ListSignals(id.tenant, *req);
                    });
}

}  // namespace retain::server
