// Runs plugin hooks on the plugin's workers under a deadline, and accounts
// every outcome in the plugin's harness (the one place failures are counted
// and plugins parked). A hook that overruns is answered DEADLINE_EXCEEDED at
// its deadline while its worker stays busy; a parked or stopped plugin, or a
// full queue, is answered without running anything. While a hook runs, its
// worker thread carries its call context (call_context.h).
#ifndef RETAIN_CORE_PLUGIN_HOST_HOOK_RUNNER_H_
#define RETAIN_CORE_PLUGIN_HOST_HOOK_RUNNER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/plugin_host/call_context.h"
#include "core/plugin_host/plugin.h"
#include "core/plugin_host/timer.h"

namespace retain::plugin_host {

// What a hook's call context says besides its deadline.
struct HookScope {
  // Which hook; when unspecified, the one `kind` names (kReport names
  // none: say which).
  CallHook hook = plugin::v1::CallContext::HOOK_UNSPECIFIED;
  std::string method;  // on_call
  // The client's own deadline, when sooner than the timeout's, so that
  // the hook never sees the client's cancel at its deadline before its own
  // deadline.
  absl::Time deadline = absl::InfiniteFuture();
  // Set when the client cancels the call; may be null.
  std::shared_ptr<const std::atomic<bool>> cancelled;
  // on_call: who called (ABI 1.4); may be null.
  std::shared_ptr<const plugin::v1::Caller> caller;
};

class HookRunner {
 public:
  // A hook writes its result (or error message) to the sink and returns a
  // status code.
  using Hook = std::function<int32_t(retain_sink*)>;
  using Done = std::function<void(Outcome)>;

  HookRunner() : alive_(std::make_shared<Alive>()) {}
  // Completions that arrive later (a hung handler returning at exit) are
  // dropped rather than touching a runner that is gone.
  ~HookRunner();

  // Runs `hook` on p's workers; `done` is called exactly once, with the
  // outcome or with timed_out when `timeout` passes first (on the timer
  // thread then: `done` must not block). `label` prefixes a failure in the
  // plugin's last error.
  void RunAsync(const std::shared_ptr<Plugin>& p, Hook hook,
                absl::Duration timeout, HookKind kind, Done done,
                const std::string& label = "", HookScope scope = {});
  // The same, waiting for the outcome. Never call it on p's own workers.
  Outcome RunSync(const std::shared_ptr<Plugin>& p, Hook hook,
                  absl::Duration timeout, HookKind kind,
                  const std::string& label = "");

  Timer& timer() { return timer_; }

 private:
  struct Alive {
    absl::Mutex mu;
    bool alive = true;
  };
  std::shared_ptr<Alive> alive_;
  Timer timer_;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_HOOK_RUNNER_H_
