// Part of the fake host (retain_plugin_testing.h): plugin-to-plugin calls
// (ABI 1.4 retain_host_callback_call_plugin) between plugins loaded into
// one FakeHost, by the server's rules (core/plugin_host/plugin_calls.cc):
// the target is authorized as the calling hook's caller (the role rule for
// plugin methods: Get*, List*, Watch* need reader, the rest writer), a
// background hook calls as a reader of the tenant it names, calls nest at
// most kMaxPluginCallDepth deep. Unlike the server, the target runs on
// the calling thread (every fake hook does) under the caller's deadline on
// the fake clock.
#ifndef RETAIN_SDK_TESTING_PLUGIN_CALLS_H_
#define RETAIN_SDK_TESTING_PLUGIN_CALLS_H_

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "retain/sdk/detail/abi_bridge.h"
#include "retain/sdk/status.h"
#include "retain/sdk/testing/hook_runs.h"
#include "retain/sdk/testing/plugin_slot.h"
#include "retain/sdk/types.h"
#include "retain/sdk/wire.h"

namespace retain::sdk::testing::detail {

inline constexpr int kMaxPluginCallDepth = 4;

// What a client is by default in the fake (and in retaind with
// authentication off): the operator of the tenant, "dev".
inline Caller DefaultCaller(const std::string& tenant) {
  Caller c;
  c.tenant = tenant;
  c.role = Caller::Role::kOperator;
  c.authentication = Caller::Authentication::kNone;
  c.principal = "dev";
  return c;
}

// The role a plugin method needs (core/auth/method_roles.cc).
inline Caller::Role RequiredRole(const std::string& method) {
  const std::string verb = method.substr(method.rfind('/') + 1);
  for (const char* read : {"Get", "List", "Watch"}) {
    if (verb.rfind(read, 0) == 0) return Caller::Role::kReader;
  }
  return Caller::Role::kWriter;
}

inline const char* RoleName(Caller::Role role) {
  switch (role) {
    case Caller::Role::kReader:
      return "reader";
    case Caller::Role::kWriter:
      return "writer";
    case Caller::Role::kAdmin:
      return "admin";
    case Caller::Role::kOperator:
      return "operator";
    default:
      return "none";
  }
}

// Runs the call `request` (a retain.plugin.v1.CallPluginRequest) of the
// hook of `from` on this thread, against `loaded` (the host's loaded
// plugins): the target's response, or its status.
inline Result<std::string> CallPlugin(
    const PluginSlot& from,
    const std::vector<std::shared_ptr<PluginSlot>>& loaded,
    const std::string& tenant, std::string_view request) {
  const HookRun* run = CurrentHookRun(&from);
  if (run == nullptr) {
    return FailedPrecondition("call_plugin: plugin " + from.name +
                              " runs no hook on this thread (a plugin calls "
                              "another only from a hook the host runs)");
  }
  std::string plugin, method, body;
  wire::Reader r(request);
  while (r.Next()) {
    if (r.field() == 1) plugin = r.AsString();
    if (r.field() == 2) method = r.AsString();
    if (r.field() == 3) body = r.AsString();
  }
  if (!r.ok()) return InvalidArgument("malformed CallPluginRequest");
  if (plugin.empty()) {
    return InvalidArgument("CallPluginRequest.plugin: required");
  }
  if (method.empty()) {
    return InvalidArgument("CallPluginRequest.method: required");
  }
  if (tenant.empty()) {
    return InvalidArgument("call_plugin: tenant is required");
  }
  Caller caller;
  if (run->caller) {
    caller = *run->caller;
    if (caller.tenant != tenant) {
      return Status(Code::kPermissionDenied,
                    "call_plugin: the call being served is for tenant \"" +
                        caller.tenant + "\", not \"" + tenant + "\"");
    }
  } else {
    caller.tenant = tenant;
    caller.role = Caller::Role::kReader;
    caller.authentication = Caller::Authentication::kPlugin;
    caller.principal = "plugin:" + from.name;
  }
  caller.via_plugins.push_back(from.name);
  if (caller.via_plugins.size() > static_cast<size_t>(kMaxPluginCallDepth)) {
    std::string chain;
    for (const auto& p : caller.via_plugins) chain += p + " -> ";
    return Status(Code::kResourceExhausted,
                  "call_plugin: plugin calls nest at most " +
                      std::to_string(kMaxPluginCallDepth) + " deep; refused " +
                      chain + plugin);
  }
  std::shared_ptr<PluginSlot> target;
  for (const auto& s : loaded) {
    if (s->name == plugin && s->loaded()) target = s;
  }
  if (target == nullptr) {
    return NotFound("call_plugin: no plugin named '" + plugin + "' is loaded");
  }
  const auto& methods = target->methods;
  if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
    return Status(Code::kUnimplemented, "call_plugin: plugin " + plugin +
                                            " serves no method " + method);
  }
  const Caller::Role need = RequiredRole(method);
  if (static_cast<int32_t>(caller.role) < static_cast<int32_t>(need)) {
    return Status(Code::kPermissionDenied,
                  method + " needs role " + RoleName(need) + "; " +
                      caller.principal + " is " + RoleName(caller.role) +
                      " (calling through plugin " + from.name + ")");
  }
  if (Status s = target->Rejection(); !s.ok()) return s;
  const int64_t now = FakeNow(from);
  if (now >= run->deadline_micros) {
    return Status(Code::kDeadlineExceeded,
                  "call_plugin: the calling hook's deadline has passed");
  }
  const int64_t timeout_ms =
      std::min(target->call_timeout_ms, (run->deadline_micros - now) / 1000);
  HookAnswer a = RunHook(
      *target, CallContext::Hook::kCall, method, timeout_ms,
      [&](retain_sink* sink) {
        return target->module->retain_plugin_on_call(
            target->instance, internal::Str(tenant), internal::Str(method),
            internal::Str(body), sink);
      },
      caller);
  Status s = target->Account(HookKind::kCall, a.code, a.output,
                             "call from plugin " + from.name, a.timed_out);
  if (!s.ok()) return s;
  return std::move(a.output);
}

}  // namespace retain::sdk::testing::detail

#endif  // RETAIN_SDK_TESTING_PLUGIN_CALLS_H_
