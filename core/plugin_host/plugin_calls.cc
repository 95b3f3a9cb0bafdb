#include "core/plugin_host/plugin_calls.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "core/auth/identity.h"
#include "core/auth/method_roles.h"
#include "core/plugin_host/call_context.h"
#include "grpcpp/support/status_code_enum.h"

namespace retain::plugin_host {
namespace {

using plugin::v1::Caller;

Outcome Answer(grpc::StatusCode code, std::string message) {
  Outcome o;
  o.code = static_cast<int32_t>(code);
  o.output = std::move(message);
  return o;
}

retain_str Str(const std::string& s) { return {s.data(), s.size()}; }

// Who the target sees: the hook's caller, or for a hook nobody called, a
// reader of the tenant it names (the least a background hook needs to
// read another plugin's state; it can never write through another).
absl::StatusOr<Caller> CallerFor(const HookCall& hook, const Plugin& from,
                                 const std::string& tenant) {
  if (tenant.empty()) {
    return absl::InvalidArgumentError("call_plugin: tenant is required");
  }
  if (hook.caller != nullptr) {
    if (hook.caller->tenant() != tenant) {
      return absl::PermissionDeniedError(
          absl::StrCat("call_plugin: the call being served is for tenant \"",
                       hook.caller->tenant(), "\", not \"", tenant, "\""));
    }
    return *hook.caller;
  }
  Caller c;
  c.set_tenant(tenant);
  c.set_role(Caller::ROLE_READER);
  c.set_authentication(Caller::AUTHENTICATION_PLUGIN);
  c.set_principal(absl::StrCat("plugin:", from.name()));
  return c;
}

// Whether a plugin of that name was loaded and started (a refused,
// disabled or failed plugin is not there to call).
bool Started(const Plugin& p) {
  switch (p.harness.state()) {
    case plugin::v1::PLUGIN_STATE_READY:
    case plugin::v1::PLUGIN_STATE_PARKED:
    case plugin::v1::PLUGIN_STATE_STOPPED:
      return p.executor != nullptr;
    default:
      return false;
  }
}

}  // namespace

Outcome CallPlugin(HookRunner* runner, const PluginDirectory& plugins,
                   const Plugin& from, const std::string& tenant,
                   const plugin::v1::CallPluginRequest& request) {
  const HookCall* hook = CurrentHookCall(&from);
  if (hook == nullptr) {
    return Answer(grpc::StatusCode::FAILED_PRECONDITION,
                  absl::StrCat("call_plugin: plugin ", from.name(),
                               " runs no hook on this thread (a plugin calls "
                               "another only from a hook the host runs)"));
  }
  if (request.plugin().empty()) {
    return Answer(grpc::StatusCode::INVALID_ARGUMENT,
                  "CallPluginRequest.plugin: required");
  }
  if (request.method().empty()) {
    return Answer(grpc::StatusCode::INVALID_ARGUMENT,
                  "CallPluginRequest.method: required");
  }
  auto caller = CallerFor(*hook, from, tenant);
  if (!caller.ok()) {
    return Answer(static_cast<grpc::StatusCode>(caller.status().code()),
                  std::string(caller.status().message()));
  }
  caller->add_via_plugins(from.name());
  if (caller->via_plugins_size() > kMaxPluginCallDepth) {
    return Answer(grpc::StatusCode::RESOURCE_EXHAUSTED,
                  absl::StrCat("call_plugin: plugin calls nest at most ",
                               kMaxPluginCallDepth, " deep; refused ",
                               absl::StrJoin(caller->via_plugins(), " -> "),
                               " -> ", request.plugin()));
  }
  auto target_it = plugins.by_name->find(request.plugin());
  if (target_it == plugins.by_name->end() || !Started(*target_it->second)) {
    return Answer(grpc::StatusCode::NOT_FOUND,
                  absl::StrCat("call_plugin: no plugin named '",
                               request.plugin(), "' is loaded"));
  }
  std::shared_ptr<Plugin> target = target_it->second;
  auto method_it = plugins.methods->find(request.method());
  if (method_it == plugins.methods->end() || method_it->second != target) {
    return Answer(grpc::StatusCode::UNIMPLEMENTED,
                  absl::StrCat("call_plugin: plugin ", request.plugin(),
                               " serves no method ", request.method()));
  }
  // The role table, as for a client: a plugin never gains a role its
  // caller lacks.
  std::optional<auth::Role> need = auth::RequiredRole(request.method());
  const auto have = static_cast<auth::Role>(caller->role());
  if (!need || !auth::Includes(have, *need)) {
    return Answer(
        grpc::StatusCode::PERMISSION_DENIED,
        absl::StrCat(request.method(), " needs role ",
                     need ? auth::RoleName(*need) : "none", "; ",
                     caller->principal(), " is ", auth::RoleName(have),
                     " (calling through plugin ", from.name(), ")"));
  }
  const absl::Time now = absl::Now();
  if (now >= hook->deadline) {
    return Answer(grpc::StatusCode::DEADLINE_EXCEEDED,
                  "call_plugin: the calling hook's deadline has passed");
  }
  HookScope scope;
  scope.hook = plugin::v1::CallContext::HOOK_CALL;
  scope.method = request.method();
  scope.deadline = hook->deadline;
  scope.caller = std::make_shared<const Caller>(*std::move(caller));
  const absl::Duration timeout =
      std::min(target->settings.call_timeout, hook->deadline - now);

  struct Wait {
    absl::Mutex mu;
    bool done = false;
    Outcome outcome;
  };
  auto w = std::make_shared<Wait>();
  const retain_plugin_module* m = target->module();
  void* instance = target->instance;
  runner->RunAsync(
      target,
      [m, instance, tenant, method = request.method(),
       body = request.request()](retain_sink* out) {
        return m->retain_plugin_on_call(instance, Str(tenant), Str(method),
                                        Str(body), out);
      },
      timeout, HookKind::kCall,
      [w](Outcome o) {
        absl::MutexLock lock(&w->mu);
        w->outcome = std::move(o);
        w->done = true;
      },
      absl::StrCat("call from plugin ", from.name()), std::move(scope));
  absl::MutexLock lock(&w->mu);
  w->mu.Await(absl::Condition(&w->done));
  Outcome o = std::move(w->outcome);
  if (!o.error_id.empty() && !o.timed_out) {
    // As for a client: the target's own failure text stays in the log.
    o.output = absl::StrCat("plugin ", target->name(), " failed (error id ",
                            o.error_id, "); the server log has the details");
  }
  return o;
}

}  // namespace retain::plugin_host
