// Part of the fake host (retain_plugin_testing.h): one loaded plugin as the
// fake host's parts share it: what loading decided, and the server's
// accounting of its hooks (core/plugin_host/plugin_harness.cc): which
// outcomes are failures, when failures in a row park it, what a parked or
// stopped plugin answers. A signal's failed attempt is no failure in a row
// by itself: the signal counts once, when it is set aside as a dead letter
// (decision 0018).
#ifndef RETAIN_SDK_TESTING_PLUGIN_SLOT_H_
#define RETAIN_SDK_TESTING_PLUGIN_SLOT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "retain/sdk/status.h"
#include "retain/sdk/testing/fake_world.h"
#include "retain/sdk/types.h"
#include "retain_plugin_abi.h"

namespace retain::sdk::testing::detail {

enum class HookKind { kCall, kSignal, kTick, kReport };

// What the host callbacks of every plugin of one fake host reach.
class PluginSlot;

struct GuardedWorld {
  explicit GuardedWorld(int64_t now_micros) : world(now_micros) {}
  std::mutex mu;
  FakeWorld world;
  // Runs a plugin-to-plugin call (ABI 1.4) of `from`'s hook on this
  // thread; set by the FakeHost, called holding no lock.
  std::function<Result<std::string>(const PluginSlot& from,
                                    const std::string& tenant,
                                    std::string_view request)>
      call_plugin;
  // The host's ABI minor (before 1.4 a call context has no caller).
  uint16_t host_abi_minor = RETAIN_PLUGIN_ABI_MINOR;
};

class PluginSlot {
 public:
  // Set while loading, then read-only.
  GuardedWorld* world = nullptr;
  const retain_plugin_module* module = nullptr;
  void* instance = nullptr;
  std::string name;
  std::string version;
  uint16_t abi_major = 0;
  uint16_t abi_minor = 0;
  std::vector<std::string> methods;
  std::set<int32_t> kinds;
  bool report_section = false;  // declared, and the hook is there
  std::string component_name;   // declared, and the hook is there
  double component_weight = 0;
  bool asks_ticks = false;
  bool has_tick_hook = false;
  // ABI 1.3: health-event kinds declared (and the hook is there).
  std::set<int32_t> health_kinds;
  bool health_own_alerts = false;
  int max_failures = 5;
  int signal_retry_limit = 5;
  // Hook deadlines (the server's call_timeout_ms, report_timeout_ms).
  int64_t call_timeout_ms = 5000;
  int64_t report_timeout_ms = 1000;
  std::mutex tick_mu;  // never two ticks of one plugin at once

  // The signal delivery is failing at, and its failed attempts so far; in
  // memory, as the server's (it survives parking, not a restart). Used
  // under the fake host's delivery lock only.
  int64_t failing_seq = 0;
  int failing_attempts = 0;
  int64_t first_failure_micros = 0;

  // Accounts one hook's outcome and returns it as a status. A failure is
  // UNKNOWN, INTERNAL, DATA_LOSS (an exception in the SDK's glue is
  // INTERNAL), an invalid code, or any error of a signal; max_failures in a
  // row park the plugin (a signal's only when it is set aside, an
  // overrun's at once); a call, signal or tick that succeeds ends a streak.
  // `label` prefixes the last error ("signal 3: ...").
  Status Account(HookKind kind, int32_t code, std::string output,
                 const std::string& label, bool timed_out = false) {
    if (code < 0 || code > 16) {
      output = "invalid status code " + std::to_string(code) + ": " + output;
      code = static_cast<int32_t>(Code::kUnknown);
    }
    const bool failure = timed_out ||
                         code == static_cast<int32_t>(Code::kUnknown) ||
                         code == static_cast<int32_t>(Code::kInternal) ||
                         code == static_cast<int32_t>(Code::kDataLoss) ||
                         (kind == HookKind::kSignal && code != 0);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!failure) {
        if (kind != HookKind::kReport) consecutive_failures_ = 0;
      } else {
        ++failures_;
        last_error_ = label.empty() ? output : label + ": " + output;
        if (kind != HookKind::kSignal || timed_out) StreakGrewLocked();
      }
    }
    if (code == 0) return Status();
    return Status(static_cast<Code>(code), std::move(output));
  }

  // A signal set aside as a dead letter: `what` says which and why.
  void DeadLettered(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    ++dead_lettered_;
    last_error_ = what;
    StreakGrewLocked();
  }

  // UNAVAILABLE, as the server answers, when it would not run a hook of
  // the plugin (parked, or stopped); OK otherwise.
  Status Rejection() const {
    std::lock_guard<std::mutex> lock(mu_);
    if (!loaded_) {
      return Status(Code::kUnavailable,
                    "plugin " + name + " is PLUGIN_STATE_STOPPED");
    }
    if (parked_) {
      return Status(
          Code::kUnavailable,
          "plugin " + name + " is PLUGIN_STATE_PARKED: " + last_error_);
    }
    return Status();
  }

  // PluginService.ResumePlugin.
  Status Resume() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!parked_) {
      return FailedPrecondition(
          std::string("it is ") +
          (loaded_ ? "PLUGIN_STATE_READY" : "PLUGIN_STATE_STOPPED") +
          ", not parked");
    }
    parked_ = false;
    consecutive_failures_ = 0;
    return Status();
  }

  // READY (callbacks served) or stopped (callbacks answer UNAVAILABLE).
  void SetLoaded(bool loaded) {
    std::lock_guard<std::mutex> lock(mu_);
    loaded_ = loaded;
    callbacks_enabled_ = loaded;
  }
  // From on_init on, before the plugin is READY.
  void EnableCallbacks(bool on) {
    std::lock_guard<std::mutex> lock(mu_);
    callbacks_enabled_ = on;
  }
  bool callbacks_enabled() const {
    std::lock_guard<std::mutex> lock(mu_);
    return callbacks_enabled_;
  }
  bool loaded() const {
    std::lock_guard<std::mutex> lock(mu_);
    return loaded_;
  }
  bool parked() const {
    std::lock_guard<std::mutex> lock(mu_);
    return parked_;
  }
  int consecutive_failures() const {
    std::lock_guard<std::mutex> lock(mu_);
    return consecutive_failures_;
  }
  int failures() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failures_;
  }
  std::string last_error() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_error_;
  }
  int dead_lettered() const {
    std::lock_guard<std::mutex> lock(mu_);
    return dead_lettered_;
  }

  // What the test cancelled the plugin's hooks with (kNone: not).
  CallContext::CancelReason cancel_reason() const {
    return static_cast<CallContext::CancelReason>(cancel_reason_.load());
  }
  void set_cancel_reason(CallContext::CancelReason why) {
    cancel_reason_.store(static_cast<int32_t>(why));
  }

 private:
  void StreakGrewLocked() {
    ++consecutive_failures_;
    if (!parked_ && consecutive_failures_ >= max_failures) {
      parked_ = true;
      last_error_ = std::to_string(consecutive_failures_) +
                    " consecutive failures, last: " + last_error_;
    }
  }

  std::atomic<int32_t> cancel_reason_{0};
  mutable std::mutex mu_;
  bool loaded_ = false;
  bool callbacks_enabled_ = false;
  bool parked_ = false;
  int consecutive_failures_ = 0;
  int failures_ = 0;
  int dead_lettered_ = 0;
  std::string last_error_;
};

}  // namespace retain::sdk::testing::detail

#endif  // RETAIN_SDK_TESTING_PLUGIN_SLOT_H_
