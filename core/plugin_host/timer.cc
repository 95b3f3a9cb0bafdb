#include "core/plugin_host/timer.h"

#include <utility>

namespace retain::plugin_host {

Timer::Timer() : thread_(&Timer::Run, this) {}

Timer::~Timer() {
  Queue dropped;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    dropped.swap(queue_);
    by_id_.clear();
  }
  thread_.join();
  // `dropped` releases the callbacks here, outside the lock.
}

Timer::Id Timer::Schedule(absl::Time when, std::function<void()> fn) {
  absl::MutexLock lock(&mu_);
  Id id = next_id_++;
  bool earliest = queue_.empty() || when < queue_.begin()->first;
  by_id_[id] = queue_.emplace(when, std::make_pair(id, std::move(fn)));
  if (earliest) ++generation_;
  return id;
}

bool Timer::Cancel(Id id) {
  // Declared before the lock, so the callback's captures are released after
  // it is unlocked (they may run destructors that take other locks).
  std::function<void()> released;
  absl::MutexLock lock(&mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  released = std::move(it->second->second.second);
  queue_.erase(it->second);
  by_id_.erase(it);
  return true;
}

size_t Timer::pending() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

void Timer::Run() {
  struct Wait {
    Timer* timer;
    uint64_t seen;
    static bool Done(Wait* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->timer->mu_) {
      return w->timer->stop_ || w->timer->generation_ != w->seen;
    }
  };
  absl::MutexLock lock(&mu_);
  while (!stop_) {
    if (!queue_.empty() && queue_.begin()->first <= absl::Now()) {
      auto [id, fn] = std::move(queue_.begin()->second);
      by_id_.erase(id);
      queue_.erase(queue_.begin());
      mu_.Unlock();
      fn();
      fn = nullptr;
      mu_.Lock();
      continue;
    }
    Wait w{this, generation_};
    absl::Time deadline =
        queue_.empty() ? absl::InfiniteFuture() : queue_.begin()->first;
    mu_.AwaitWithDeadline(absl::Condition(&Wait::Done, &w), deadline);
  }
}

}  // namespace retain::plugin_host
