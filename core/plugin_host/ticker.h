// Periodic ticks of one plugin (ABI 1.1 on_tick): a timer entry that
// reschedules itself every tick_interval, and the rule that one plugin
// never runs two ticks at once. A tick runs on the plugin's workers under
// call_timeout, like a call; one still running past its deadline makes
// every tick it holds up count as another overrun.
#ifndef RETAIN_CORE_PLUGIN_HOST_TICKER_H_
#define RETAIN_CORE_PLUGIN_HOST_TICKER_H_

#include <atomic>
#include <functional>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "core/plugin_host/hook_runner.h"
#include "core/plugin_host/plugin.h"

namespace retain::plugin_host {

class Ticker {
 public:
  // Told after each tick that ran and answered OK (the plugin's health
  // components may have changed with time).
  using Ticked = std::function<void()>;

  Ticker(std::shared_ptr<Plugin> plugin, HookRunner* runner, Ticked ticked);

  // Schedules the periodic ticks.
  void Start();
  // Starts one tick now unless the previous one still runs; `done` (may be
  // null) is called once its outcome is known or it was skipped.
  void TickNow(std::function<void()> done);
  // No more ticks are started (one running finishes on its own).
  void Stop();

 private:
  // One tick: queued -> running -> done, or queued -> abandoned (timed out
  // before a worker took it; it never runs).
  struct Run {
    enum { kQueued, kRunning, kDone, kAbandoned };
    std::atomic<int> state{kQueued};
    std::atomic<bool> finished{false};  // its outcome was accounted
    std::atomic<bool> timed_out{false};
  };
  void ScheduleNext();

  std::shared_ptr<Plugin> plugin_;
  HookRunner* runner_;
  Ticked ticked_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<Run> last_ ABSL_GUARDED_BY(mu_);
  // The ticker outlives neither the host nor its timer; entries check this.
  std::shared_ptr<std::atomic<bool>> alive_ =
      std::make_shared<std::atomic<bool>>(true);

 public:
  ~Ticker();
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_TICKER_H_
