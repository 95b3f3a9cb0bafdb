// Runs callbacks at (or soon after) their time, on one thread: the
// deadlines of plugin hooks and the periodic ticks. An entry whose work is
// done early is cancelled, so it releases what it holds at once rather than
// at its deadline.
#ifndef RETAIN_CORE_PLUGIN_HOST_TIMER_H_
#define RETAIN_CORE_PLUGIN_HOST_TIMER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace retain::plugin_host {

class Timer {
 public:
  using Id = uint64_t;
  Timer();
  ~Timer();  // drops pending entries unrun
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // `fn` must be short and must not block. Ids are never 0.
  Id Schedule(absl::Time when, std::function<void()> fn);
  // Drops the entry (and what its callback holds) unless it already ran or
  // is running; true when it was dropped.
  bool Cancel(Id id);
  // Entries waiting to run.
  size_t pending() const;

 private:
  void Run();
  using Queue = std::multimap<absl::Time, std::pair<Id, std::function<void()>>>;
  mutable absl::Mutex mu_;
  Queue queue_ ABSL_GUARDED_BY(mu_);
  std::map<Id, Queue::iterator> by_id_ ABSL_GUARDED_BY(mu_);
  Id next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  // Bumped when a new earliest entry arrives, to re-arm the wait.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_TIMER_H_
