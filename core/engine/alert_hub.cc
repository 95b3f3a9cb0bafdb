#include "core/engine/alert_hub.h"

#include <vector>

namespace retain::engine {

int64_t AlertHub::Subscribe(const std::string& tenant, Wakeup wakeup) {
  absl::MutexLock lock(&mu_);
  const int64_t id = next_id_++;
  auto sub = std::make_unique<Subscription>();
  sub->tenant = tenant;
  sub->wakeup = std::move(wakeup);
  subs_[id] = std::move(sub);
  return id;
}

void AlertHub::Unsubscribe(int64_t id) {
  absl::MutexLock wake(&wake_mu_);
  absl::MutexLock lock(&mu_);
  subs_.erase(id);
}

void AlertHub::Publish(const std::string& tenant,
                       const report::v1::HealthAlert& alert) {
  absl::MutexLock wake(&wake_mu_);
  std::vector<Wakeup> to_wake;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [id, sub] : subs_) {
      if (sub->tenant != tenant) continue;
      const bool was_empty = sub->queue.empty();
      if (sub->queue.size() >= max_queue_) {
        sub->queue.pop_front();
      }
      sub->queue.push_back(alert);
      if (was_empty) to_wake.push_back(sub->wakeup);
    }
  }
  for (auto& w : to_wake) w();
  if (observer_) observer_(tenant, alert.position());
}

void AlertHub::SetObserver(Observer observer) {
  absl::MutexLock wake(&wake_mu_);
  observer_ = std::move(observer);
}

bool AlertHub::Pop(int64_t id, report::v1::HealthAlert* out) {
  absl::MutexLock lock(&mu_);
  auto it = subs_.find(id);
  if (it == subs_.end() || it->second->queue.empty()) return false;
  *out = std::move(it->second->queue.front());
  it->second->queue.pop_front();
  return true;
}

void AlertHub::CloseAll() {
  absl::MutexLock wake(&wake_mu_);
  std::vector<Wakeup> to_wake;
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    for (auto& [id, sub] : subs_) to_wake.push_back(sub->wakeup);
  }
  for (auto& w : to_wake) w();
}

bool AlertHub::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

}  // namespace retain::engine
