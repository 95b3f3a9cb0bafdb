// What a running hook may learn about itself (ABI 1.2
// retain_host_callback_call_context and is_cancelled): the hook runner
// installs a HookCall on the worker thread for exactly as long as the hook
// runs, so a plugin asks about the thread it is on, and the answer needs
// no lookup and no lock. A thread the plugin owns has no HookCall.
#ifndef RETAIN_CORE_PLUGIN_HOST_CALL_CONTEXT_H_
#define RETAIN_CORE_PLUGIN_HOST_CALL_CONTEXT_H_

#include <atomic>
#include <string>

#include "absl/time/time.h"
#include "retain/plugin/v1/abi.pb.h"

namespace retain::plugin_host {

using CallHook = plugin::v1::CallContext::Hook;
using CancelReason = plugin::v1::CallContext::CancelReason;

// One hook run. Every pointer outlives the run.
struct HookCall {
  const void* plugin = nullptr;  // the Plugin (the host_ctx it was given)
  CallHook hook = plugin::v1::CallContext::HOOK_UNSPECIFIED;
  const std::string* method = nullptr;  // on_call only
  absl::Time deadline = absl::InfiniteFuture();
  // Set when the runner stopped waiting (the deadline fired).
  const std::atomic<bool>* abandoned = nullptr;
  // Set when the client cancelled; may be null.
  const std::atomic<bool>* client_cancelled = nullptr;
  // Set when the host shuts down.
  const std::atomic<bool>* stopping = nullptr;
  // Who called (ABI 1.4): on_call only, null for hooks nobody calls.
  const plugin::v1::Caller* caller = nullptr;
};

// Makes `call` the calling thread's hook until destroyed.
class ScopedHookCall {
 public:
  explicit ScopedHookCall(const HookCall* call);
  ~ScopedHookCall();
  ScopedHookCall(const ScopedHookCall&) = delete;
  ScopedHookCall& operator=(const ScopedHookCall&) = delete;

 private:
  const HookCall* previous_;
};

// The hook of `plugin` running on the calling thread, or null.
const HookCall* CurrentHookCall(const void* plugin);

// Why the hook is cancelled at `now`; CANCEL_REASON_UNSPECIFIED when it is
// not. A passed deadline wins over the others (a client's own deadline is
// the hook's deadline too).
CancelReason WhyCancelled(const HookCall& call, absl::Time now);

// The CallContext message a plugin gets.
plugin::v1::CallContext ToProto(const HookCall& call, absl::Time now);

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_CALL_CONTEXT_H_
