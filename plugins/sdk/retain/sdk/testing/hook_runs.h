// Part of the fake host (retain_plugin_testing.h): each hook the fake runs
// as the server's hook runner runs it (core/plugin_host/hook_runner.cc and
// call_context.cc): with a call context on the thread that runs it, for
// exactly as long as it runs (ABI 1.2 call_context, is_cancelled), and a
// deadline; a hook that returns after its deadline is answered
// DEADLINE_EXCEEDED and counts as a failure, what it wrote dropped.
//
// Unlike the server, the deadline is on the fake clock (the server's is
// on the real one) and nothing abandons a hook: the hook runs on the
// test's thread until it returns. So a test passes a deadline with
// FakeHost::AdvanceMicros (from another thread, or from the plugin's own
// code under test), deterministically; and it cancels hooks with
// LoadedPlugin::SetCancelled.
#ifndef RETAIN_SDK_TESTING_HOOK_RUNS_H_
#define RETAIN_SDK_TESTING_HOOK_RUNS_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "retain/sdk/detail/abi_bridge.h"
#include "retain/sdk/status.h"
#include "retain/sdk/testing/plugin_slot.h"
#include "retain/sdk/types.h"
#include "retain_plugin_abi.h"

namespace retain::sdk::testing::detail {

// One hook running.
struct HookRun {
  const PluginSlot* slot = nullptr;
  CallContext::Hook hook = CallContext::Hook::kUnspecified;
  std::string method;            // on_call
  int64_t deadline_micros = 0;   // on the fake clock
  std::optional<Caller> caller;  // on_call (ABI 1.4)
};

// The hook running on this thread, innermost first.
inline thread_local const HookRun* current_hook_run = nullptr;

class ScopedHookRun {
 public:
  explicit ScopedHookRun(const HookRun* run) : previous_(current_hook_run) {
    current_hook_run = run;
  }
  ~ScopedHookRun() { current_hook_run = previous_; }
  ScopedHookRun(const ScopedHookRun&) = delete;
  ScopedHookRun& operator=(const ScopedHookRun&) = delete;

 private:
  const HookRun* previous_;
};

// The hook of `slot` running on this thread, or null.
inline const HookRun* CurrentHookRun(const PluginSlot* slot) {
  const HookRun* run = current_hook_run;
  return run != nullptr && run->slot == slot ? run : nullptr;
}

inline int64_t FakeNow(const PluginSlot& slot) {
  std::lock_guard<std::mutex> lock(slot.world->mu);
  return slot.world->world.now();
}

// Why the hook is cancelled at `now`: a passed deadline wins over what the
// test set, as in the server.
inline CallContext::CancelReason WhyCancelled(const HookRun& run, int64_t now) {
  if (now >= run.deadline_micros) {
    return CallContext::CancelReason::kDeadlineExceeded;
  }
  return run.slot->cancel_reason();
}

inline CallContext ContextOf(const HookRun& run, int64_t now) {
  CallContext c;
  c.hook = run.hook;
  c.method = run.method;
  c.deadline_micros = run.deadline_micros;
  c.remaining_micros = run.deadline_micros - now;
  c.cancel_reason = WhyCancelled(run, now);
  c.cancelled = c.cancel_reason != CallContext::CancelReason::kNone;
  c.caller = run.caller;
  return c;
}

// absl::FormatDuration's way of writing the server's timeouts ("5s",
// "250ms", "1.5s", "1m30s").
inline std::string FormatMillis(int64_t ms) {
  if (ms <= 0) return "0";
  std::string out;
  if (ms >= 3600000) {
    out += std::to_string(ms / 3600000) + "h";
    ms %= 3600000;
  }
  if (ms >= 60000) {
    out += std::to_string(ms / 60000) + "m";
    ms %= 60000;
  }
  if (ms == 0) return out;
  if (out.empty() && ms < 1000) return std::to_string(ms) + "ms";
  out += std::to_string(ms / 1000);
  if (int64_t frac = ms % 1000; frac != 0) {
    std::string digits = std::to_string(1000 + frac).substr(1);
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out + "s";
}

// What a hook answered, as the server's runner hands it on.
struct HookAnswer {
  int32_t code = 0;
  std::string output;  // the result, or the error message
  bool timed_out = false;
};

// Runs call(retain_sink*) -> code as hook `hook` of `slot`, with `timeout`
// (milliseconds) from the fake clock's now; `caller` for on_call.
template <typename F>
HookAnswer RunHook(const PluginSlot& slot, CallContext::Hook hook,
                   std::string method, int64_t timeout_ms, F&& call,
                   std::optional<Caller> caller = std::nullopt) {
  HookRun run;
  run.slot = &slot;
  run.hook = hook;
  run.method = std::move(method);
  run.caller = std::move(caller);
  run.deadline_micros = FakeNow(slot) + timeout_ms * 1000;
  HookAnswer answer;
  retain_sink sink = internal::StringSink(&answer.output);
  {
    ScopedHookRun in_hook(&run);
    answer.code = call(&sink);
  }
  if (FakeNow(slot) >= run.deadline_micros) {
    answer.code = static_cast<int32_t>(Code::kDeadlineExceeded);
    answer.output = "plugin " + slot.name + " did not answer within " +
                    FormatMillis(timeout_ms);
    answer.timed_out = true;
  }
  return answer;
}

}  // namespace retain::sdk::testing::detail

#endif  // RETAIN_SDK_TESTING_HOOK_RUNS_H_
