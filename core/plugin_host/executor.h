// The threads plugin code runs on: a bounded worker pool per plugin. A task
// that never returns (a hung plugin handler) occupies its worker forever;
// nothing here waits on it without a deadline, and Stop() leaves such
// threads detached. Deadlines come from timer.h.
#ifndef RETAIN_CORE_PLUGIN_HOST_EXECUTOR_H_
#define RETAIN_CORE_PLUGIN_HOST_EXECUTOR_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace retain::plugin_host {

class Executor {
 public:
  Executor(std::string name, int threads, int max_queue);
  ~Executor();  // Stop(absl::ZeroDuration())

  // Queues a task; false when the queue is full or the executor stopped.
  bool Submit(std::function<void()> task);

  // Stops taking tasks, drops queued ones, waits up to `grace` for running
  // tasks. Returns true when every worker exited; workers still running a
  // task are detached (their state is shared, so that is safe).
  bool Stop(absl::Duration grace);

 private:
  struct State {
    absl::Mutex mu;
    std::deque<std::function<void()>> queue;
    bool stopped = false;
    int running_threads = 0;
  };
  static void Work(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;
  int max_queue_;
  std::vector<std::thread> threads_;
  bool joined_ = false;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_EXECUTOR_H_
