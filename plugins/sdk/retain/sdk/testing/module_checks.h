// Part of the fake host (retain_plugin_testing.h): what the server checks
// of a plugin when it loads it, with the server's messages: the module the
// entry point returns (core/plugin_host/loader.cc) and the descriptor
// on_describe writes (core/plugin_host/plugin_loading.cc).
#ifndef RETAIN_SDK_TESTING_MODULE_CHECKS_H_
#define RETAIN_SDK_TESTING_MODULE_CHECKS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "retain/sdk/status.h"
#include "retain/sdk/wire.h"
#include "retain_plugin_abi.h"

namespace retain::sdk::testing::module_checks {

inline Status Refused(const std::string& why) {
  return FailedPrecondition("refused: " + why);
}

inline std::string HostAbi() {
  return std::to_string(RETAIN_PLUGIN_ABI_MAJOR) + "." +
         std::to_string(RETAIN_PLUGIN_ABI_MINOR);
}

// [a-z][a-z0-9_]{0,62}: also the KV namespace and the gRPC package part.
inline bool IsValidPluginName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

// The module the entry point returned (null: the plugin declined the
// host, saying why through retain_host_callback_decline when `declined`
// is set): refused for another ABI major, missing hooks or a bad name.
inline Status CheckModule(const retain_plugin_module* m,
                          const std::string* declined = nullptr) {
  if (m == nullptr) {
    if (declined == nullptr) {
      return Refused(
          "the plugin declined this host without saying why (from ABI 1.2 "
          "a plugin can, with retain_host_callback_decline); its log lines "
          "above, if any, may say more");
    }
    return Refused(
        "the plugin declined this host: " +
        (declined->empty() ? std::string("(no reason given)") : *declined));
  }
  const std::string who =
      m->name != nullptr ? "plugin '" + std::string(m->name) + "'" : "plugin";
  if (m->abi_major != RETAIN_PLUGIN_ABI_MAJOR) {
    return Refused(who + " is built for plugin ABI " +
                   std::to_string(m->abi_major) + "." +
                   std::to_string(m->abi_minor) + "; this server speaks " +
                   HostAbi() + " (the major version must match)");
  }
  if (m->struct_size < offsetof(retain_plugin_module, retain_plugin_on_signal) +
                           sizeof(m->retain_plugin_on_signal) ||
      m->name == nullptr || m->version == nullptr ||
      m->retain_plugin_on_init == nullptr ||
      m->retain_plugin_on_destroy == nullptr ||
      m->retain_plugin_on_describe == nullptr ||
      m->retain_plugin_on_call == nullptr ||
      m->retain_plugin_on_signal == nullptr) {
    return Refused(who + ": incomplete plugin module (required hooks missing)");
  }
  if (!IsValidPluginName(m->name)) {
    return Refused("invalid plugin name '" + std::string(m->name) +
                   "' (want [a-z][a-z0-9_]{0,62})");
  }
  return Status();
}

// The module's on_refused hook (ABI 1.2), or null: only a module of this
// major has one the host may call.
inline void (*RefusedHook(const retain_plugin_module* m))(void*, retain_str) {
  if (m == nullptr || m->abi_major != RETAIN_PLUGIN_ABI_MAJOR ||
      !RETAIN_ABI_HAS_FIELD(m, retain_plugin_module,
                            retain_plugin_on_refused)) {
    return nullptr;
  }
  return m->retain_plugin_on_refused;
}

// Whether the module, built for its own ABI minor, has the tick hook.
inline bool HasTickHook(const retain_plugin_module* m) {
  return RETAIN_ABI_HAS_FIELD(m, retain_plugin_module, retain_plugin_on_tick) &&
         m->retain_plugin_on_tick != nullptr;
}

// The same for the health-event hook (ABI 1.3).
inline bool HasHealthEventHook(const retain_plugin_module* m) {
  return RETAIN_ABI_HAS_FIELD(m, retain_plugin_module,
                              retain_plugin_on_health_event) &&
         m->retain_plugin_on_health_event != nullptr;
}

// retain.plugin.v1.PluginDescriptor.
struct Descriptor {
  std::vector<std::string> methods;
  std::vector<int64_t> signal_kinds;
  bool report_section = false;
  std::string component_name;
  double component_weight = 0;
  bool ticks = false;
  std::vector<int64_t> health_events;  // ABI 1.3
  bool health_events_own_alerts = false;
};

// As the server parses it (signal kinds packed or not).
inline bool DecodeDescriptor(std::string_view bytes, Descriptor* d) {
  wire::Reader r(bytes);
  while (r.Next()) {
    switch (r.field()) {
      case 1:
        d->methods.push_back(r.AsString());
        break;
      case 2:
        if (!r.AppendInts(&d->signal_kinds)) return false;
        break;
      case 3:
        d->report_section = r.AsBool();
        break;
      case 4: {
        wire::Reader c(r.AsBytes());
        while (c.Next()) {
          if (c.field() == 1) d->component_name = c.AsString();
          if (c.field() == 2) d->component_weight = c.AsDouble();
        }
        if (!c.ok()) return false;
        break;
      }
      case 5:
        d->ticks = r.AsBool();
        break;
      case 7:
        if (!r.AppendInts(&d->health_events)) return false;
        break;
      case 8:
        d->health_events_own_alerts = r.AsBool();
        break;
    }
  }
  return r.ok();
}

// Why the plugin `name` may not serve these methods ("" when it may): each
// is "/retain.plugins.<name>.v1.<Service>/<Method>" and not `served`
// already by another plugin.
inline std::string MethodProblem(
    const std::string& name, const std::vector<std::string>& methods,
    const std::function<bool(const std::string&)>& served) {
  const std::string prefix = "/retain.plugins." + name + ".v1.";
  for (const auto& method : methods) {
    const size_t slash = method.rfind('/');
    if (method.compare(0, prefix.size(), prefix) != 0 ||
        slash == std::string::npos || slash <= prefix.size() ||
        slash + 1 >= method.size()) {
      return "method '" + method + "' is not of the form " + prefix +
             "<Service>/<Method>";
    }
    if (served(method)) return "method '" + method + "' is already served";
  }
  return "";
}

}  // namespace retain::sdk::testing::module_checks

#endif  // RETAIN_SDK_TESTING_MODULE_CHECKS_H_
