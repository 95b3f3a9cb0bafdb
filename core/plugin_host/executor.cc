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

}  // namespace retain::plugin_host
