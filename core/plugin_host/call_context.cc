#include "core/plugin_host/call_context.h"

namespace retain::plugin_host {
namespace {

thread_local const HookCall* current_call = nullptr;

bool IsSet(const std::atomic<bool>* flag) {
  return flag != nullptr && flag->load(std::memory_order_relaxed);
}

}  // namespace

ScopedHookCall::ScopedHookCall(const HookCall* call) : previous_(current_call) {
  current_call = call;
}

ScopedHookCall::~ScopedHookCall() { current_call = previous_; }

const HookCall* CurrentHookCall(const void* plugin) {
  const HookCall* call = current_call;
  return call != nullptr && call->plugin == plugin ? call : nullptr;
}

CancelReason WhyCancelled(const HookCall& call, absl::Time now) {
  if (IsSet(call.abandoned) || now >= call.deadline) {
    return plugin::v1::CallContext::CANCEL_REASON_DEADLINE_EXCEEDED;
  }
  if (IsSet(call.stopping)) {
    return plugin::v1::CallContext::CANCEL_REASON_SHUTTING_DOWN;
  }
  if (IsSet(call.client_cancelled)) {
    return plugin::v1::CallContext::CANCEL_REASON_CLIENT_CANCELLED;
  }
  return plugin::v1::CallContext::CANCEL_REASON_UNSPECIFIED;
}

plugin::v1::CallContext ToProto(const HookCall& call, absl::Time now) {
  plugin::v1::CallContext c;
  c.set_hook(call.hook);
  if (call.method != nullptr) c.set_method(*call.method);
  if (call.deadline != absl::InfiniteFuture()) {
    c.set_deadline_micros(absl::ToUnixMicros(call.deadline));
    c.set_remaining_micros(absl::ToInt64Microseconds(call.deadline - now));
  }
  CancelReason why = WhyCancelled(call, now);
  c.set_cancelled(why != plugin::v1::CallContext::CANCEL_REASON_UNSPECIFIED);
  c.set_cancel_reason(why);
  if (call.caller != nullptr) *c.mutable_caller() = *call.caller;
  return c;
}

}  // namespace retain::plugin_host
