#include "core/server/watch_reactor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/server/grpc_status.h"

namespace retain::server {
namespace {

using report::v1::HealthAlert;

// Alerts read from the history at a time.
constexpr int kReplayPage = 500;

}  // namespace

WatchReactor::WatchReactor(engine::Engine* engine, const std::string& tenant,
                           const report::v1::WatchHealthRequest& req,
                           StreamLimiter::Lease lease)
    : engine_(engine), tenant_(tenant), lease_(std::move(lease)) {
  {
    // Wakeups leave the pumping to the constructor until it is ready.
    absl::MutexLock lock(&mu_);
    fetching_ = true;
  }
  sub_ = engine_->alerts().Subscribe(tenant, [this] { Pump(); });
  std::deque<HealthAlert> first;
  const absl::Status ready = Prepare(req, &first);
  absl::MutexLock lock(&mu_);
  fetching_ = false;
  if (!ready.ok()) {
    FinishLocked(ToGrpcStatus(ready));
    return;
  }
  pending_ = std::move(first);
  if (req.has_after_position()) {
    has_last_ = true;
    last_sent_ = req.after_position();
    replaying_ = true;
  }
  PumpLocked();
  // Headers now when there is nothing to send yet, so a client knows the
  // watch is established (and holds its stream slot) before the first alert.
  if (!writing_ && !finished_) StartSendInitialMetadata();
}

absl::Status WatchReactor::Prepare(const report::v1::WatchHealthRequest& req,
                                   std::deque<HealthAlert>* first) {
  if (req.has_after_position()) {
    absl::StatusOr<store::AlertRange> range = engine_->AlertPositions(tenant_);
    if (!range.ok()) return range.status();
    const int64_t after = req.after_position();
    if (after < range->oldest - 1) {
      return absl::OutOfRangeError(absl::StrCat(
          "after_position: the alerts after ", after,
          " are no longer kept (alert retention, deleted accounts); the "
          "oldest kept is position ",
          range->oldest, " (resume from ", range->oldest - 1,
          " to accept the gap)"));
    }
    if (after > range->newest) {
      return absl::OutOfRangeError(
          absl::StrCat("after_position: ", after,
                       " is past the newest alert, position ", range->newest));
    }
  }
  if (req.include_current_red()) {
    for (auto& a : engine_->CurrentRedAlerts(tenant_)) {
      first->push_back(std::move(a));
    }
  }
  return absl::OkStatus();
}

void WatchReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writing_ = false;
  if (!ok) {
    FinishLocked(grpc::Status::OK);
    return;
  }
  PumpLocked();
}

void WatchReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  FinishLocked(grpc::Status::CANCELLED);
}

void WatchReactor::OnDone() {
  engine_->alerts().Unsubscribe(sub_);
  {
    // A history read may still be in flight on another thread.
    absl::MutexLock lock(&mu_);
    auto idle = [this]()
                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !fetching_; };
    mu_.Await(absl::Condition(&idle));
  }
  delete this;
}

void WatchReactor::Pump() {
  absl::MutexLock lock(&mu_);
  PumpLocked();
}

void WatchReactor::PumpLocked() {
  while (!writing_ && !finished_ && !fetching_) {
    if (!pending_.empty()) {
      HealthAlert next = std::move(pending_.front());
      pending_.pop_front();
      // A replay page may overlap what was sent live before a gap.
      if (next.position() > 0 && has_last_ && next.position() <= last_sent_) {
        continue;
      }
      SendLocked(std::move(next));
      return;
    }
    if (replaying_) {
      FetchLocked();
      continue;
    }
    HealthAlert live;
    if (!engine_->alerts().Pop(sub_, &live)) {
      if (engine_->alerts().closed()) FinishLocked(grpc::Status::OK);
      return;
    }
    if (live.position() > 0 && has_last_) {
      if (live.position() <= last_sent_) continue;  // sent from the history
      if (live.position() > last_sent_ + 1) {
        // Alerts in between are missing here but stored (an alert is
        // published only once committed), this one too: read them all.
        replaying_ = true;
        continue;
      }
    }
    SendLocked(std::move(live));
    return;
  }
}

void WatchReactor::FetchLocked() {
  fetching_ = true;
  const int64_t after = last_sent_;
  mu_.Unlock();
  absl::StatusOr<std::vector<HealthAlert>> page =
      engine_->AlertsAfter(tenant_, after, kReplayPage);
  mu_.Lock();
  fetching_ = false;
  if (!page.ok()) {
    FinishLocked(ToGrpcStatus(page.status()));
    return;
  }
  // A short page means the history is caught up with: every later alert
  // is published after this read and so is queued live.
  if (static_cast<int>(page->size()) < kReplayPage) replaying_ = false;
  for (HealthAlert& a : *page) pending_.push_back(std::move(a));
}

void WatchReactor::SendLocked(HealthAlert alert) {
  if (alert.position() > 0) {
    has_last_ = true;
    last_sent_ = alert.position();
  }
  current_ = std::move(alert);
  writing_ = true;
  StartWrite(&current_);
}

void WatchReactor::FinishLocked(const grpc::Status& status) {
  if (finished_) return;
  finished_ = true;
  Finish(status);
}

}  // namespace retain::server
