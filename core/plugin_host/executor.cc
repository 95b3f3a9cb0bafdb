#include "core/plugin_host/executor.h"

#include <utility>

namespace retain::plugin_host {

Executor::Executor(std::string name, int threads, int max_queue)
    : state_(std::make_shared<State>()), max_queue_(max_queue) {
  (void)name;
  if (threads < 1) threads = 1;
  state_->running_threads = threads;
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back(&Executor::Work, state_);
  }
}

Executor::~Executor() { Stop(absl::ZeroDuration()); }

bool Executor::Submit(std::function<void()> task) {
  absl::MutexLock lock(&state_->mu);
  if (state_->stopped || static_cast<int>(state_->queue.size()) >= max_queue_) {
    return false;
  }
  state_->queue.push_back(std::move(task));
  return true;
}

void Executor::Work(std::shared_ptr<State> state) {
  for (;;) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&state->mu);
      state->mu.Await(absl::Condition(
          +[](State* s) { return s->stopped || !s->queue.empty(); },
          state.get()));
      if (state->stopped) break;
      task = std::move(state->queue.front());
      state->queue.pop_front();
    }
    task();
  }
  absl::MutexLock lock(&state->mu);
  --state->running_threads;
}

bool Executor::Stop(absl::Duration grace) {
  if (joined_) return true;
  bool all_exited;
  {
    absl::MutexLock lock(&state_->mu);
    state_->stopped = true;
    state_->queue.clear();
    state_->mu.AwaitWithTimeout(
        absl::Condition(
            +[](State* s) { return s->running_threads == 0; }, state_.get()),
        grace);
    all_exited = state_->running_threads == 0;
  }
  for (auto& t : threads_) {
    if (all_exited) {
      t.join();
    } else {
      t.detach();
    }
  }
  threads_.clear();
  joined_ = true;
  return all_exited;
}

Timer::Timer() : thread_(&Timer::Run, this) {}

Timer::~Timer() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void Timer::Schedule(absl::Time when, std::function<void()> fn) {
  absl::MutexLock lock(&mu_);
  bool earliest = queue_.empty() || when < queue_.begin()->first;
  queue_.emplace(when, std::move(fn));
  if (earliest) ++generation_;
}

void Timer::Run() {
  struct Wait {
    Timer* timer;
    uint64_t seen;
    static bool Done(Wait* w) {
      return w->timer->stop_ || w->timer->generation_ != w->seen;
    }
  };
  absl::MutexLock lock(&mu_);
  while (!stop_) {
    if (!queue_.empty() && queue_.begin()->first <= absl::Now()) {
      std::function<void()> fn = std::move(queue_.begin()->second);
      queue_.erase(queue_.begin());
      mu_.Unlock();
      fn();
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
