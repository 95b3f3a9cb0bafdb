// WatchHealth's stream: optionally the accounts currently red, then (when
// resuming) the stored alerts after a position, then live alerts from the
// engine's hub, each alert once and in position order.
#ifndef RETAIN_CORE_SERVER_WATCH_REACTOR_H_
#define RETAIN_CORE_SERVER_WATCH_REACTOR_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <deque>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "core/engine/engine.h"
#include "core/server/stream_limiter.h"
#include "retain/report/v1/report.pb.h"

namespace retain::server {

// Subscribes before it reads the history, so nothing raised meanwhile is
// missed; an alert both replayed and queued live is sent once, by position.
// Whenever a live alert's position is not the next one (a resumed watch
// before its replay caught up, or a watcher that fell so far behind that the
// hub dropped its oldest alerts), the missing ones are read from the
// history. Writes one alert at a time (gRPC allows one outstanding write).
class WatchReactor final
    : public grpc::ServerWriteReactor<report::v1::HealthAlert> {
 public:
  WatchReactor(engine::Engine* engine, const std::string& tenant,
               const report::v1::WatchHealthRequest& req,
               StreamLimiter::Lease lease);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // Current red accounts and the resume point; OUT_OF_RANGE when the
  // history no longer holds what came right after it, or never did.
  absl::Status Prepare(const report::v1::WatchHealthRequest& req,
                       std::deque<report::v1::HealthAlert>* first);
  void Pump();
  void PumpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reads the next page of the history after last_sent_ into pending_,
  // with mu_ released meanwhile (a publisher waking us never waits on the
  // store).
  void FetchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SendLocked(report::v1::HealthAlert alert)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  engine::Engine* const engine_;
  const std::string tenant_;
  StreamLimiter::Lease lease_;  // the caller's stream slot, until OnDone
  absl::Mutex mu_;
  int64_t sub_ = 0;
  // Snapshot and replayed alerts, sent before anything live.
  std::deque<report::v1::HealthAlert> pending_ ABSL_GUARDED_BY(mu_);
  // Reading the history until it is caught up with.
  bool replaying_ ABSL_GUARDED_BY(mu_) = false;
  // A read of the history is in flight (without mu_): pumping waits for it.
  bool fetching_ ABSL_GUARDED_BY(mu_) = false;
  // The position of the last alert sent, once there is one.
  bool has_last_ ABSL_GUARDED_BY(mu_) = false;
  int64_t last_sent_ ABSL_GUARDED_BY(mu_) = 0;
  report::v1::HealthAlert current_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_WATCH_REACTOR_H_
