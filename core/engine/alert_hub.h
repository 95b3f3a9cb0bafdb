// Fan-out of alerts (band changes, plugin alerts) to WatchHealth
// subscribers, once the writer has stored them (alert_history.cc).
//
// Publishing never blocks ingestion: each subscriber has a bounded queue and
// a subscriber that falls behind (10,000 queued alerts) loses its oldest
// alerts here rather than slowing the writer; its watch then reads them from
// the alert history (core/server/watch_reactor.h).
#ifndef RETAIN_CORE_ENGINE_ALERT_HUB_H_
#define RETAIN_CORE_ENGINE_ALERT_HUB_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "retain/report/v1/report.pb.h"

namespace retain::engine {

class AlertHub {
 public:
  // Called on the publisher's thread when a subscriber's queue goes from
  // empty to non-empty. It may call Pop, not Subscribe/Unsubscribe.
  using Wakeup = std::function<void()>;

  struct Subscription {
    std::string tenant;
    Wakeup wakeup;
    std::deque<report::v1::HealthAlert> queue;
  };

  explicit AlertHub(size_t max_queue = 10000) : max_queue_(max_queue) {}

  int64_t Subscribe(const std::string& tenant, Wakeup wakeup);
  void Unsubscribe(int64_t id);
  void Publish(const std::string& tenant, const report::v1::HealthAlert& a);
  // Pops the next alert for a subscriber; false when none is queued.
  bool Pop(int64_t id, report::v1::HealthAlert* out);
  // Told of every published alert's tenant and position, after the
  // subscribers (the plugin host's health-event feed wakes on it). Must not
  // call into the hub. Null clears it.
  using Observer = std::function<void(const std::string& tenant, int64_t)>;
  void SetObserver(Observer observer);
  // Closes all subscriptions (wakes them so streams can finish).
  void CloseAll();
  bool closed() const;

 private:
  const size_t max_queue_;
  // Held while wakeups run, and by Unsubscribe: once Unsubscribe returns no
  // wakeup of that subscriber is running or will run, so its owner may be
  // destroyed. Taken before mu_, never while holding it.
  absl::Mutex wake_mu_;
  mutable absl::Mutex mu_;
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<int64_t, std::unique_ptr<Subscription>> subs_
      ABSL_GUARDED_BY(mu_);
  Observer observer_ ABSL_GUARDED_BY(wake_mu_);
};

}  // namespace retain::engine

#endif  // RETAIN_CORE_ENGINE_ALERT_HUB_H_
