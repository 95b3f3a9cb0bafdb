// Plugin-to-plugin calls (ABI 1.4 retain_host_callback_call_plugin): one
// plugin's hook runs another plugin's method in the same tenant, as the
// caller it serves, and waits for the answer. See
// docs/decisions/0027-abi-1-4.md.
#ifndef RETAIN_CORE_PLUGIN_HOST_PLUGIN_CALLS_H_
#define RETAIN_CORE_PLUGIN_HOST_PLUGIN_CALLS_H_

#include <map>
#include <memory>
#include <string>

#include "core/plugin_host/hook_runner.h"
#include "core/plugin_host/plugin.h"
#include "retain/plugin/v1/abi.pb.h"

namespace retain::plugin_host {

// How deep plugin calls may nest (a client's call to A is depth 0; A
// calling B is 1). Each level holds a worker of its plugin while it waits.
inline constexpr int kMaxPluginCallDepth = 4;

// What the plugins the host started answer to: by name, and which plugin
// serves each full method name. Filled while loading, read-only after.
struct PluginDirectory {
  const std::map<std::string, std::shared_ptr<Plugin>>* by_name = nullptr;
  const std::map<std::string, std::shared_ptr<Plugin>>* methods = nullptr;
};

// Runs `request` for `from` (the plugin whose hook is on the calling
// thread) and waits for it: the target's response, or a status code and
// message (see retain_plugin_abi.h for each code). Call it holding no
// lock: the target runs on its own workers meanwhile.
Outcome CallPlugin(HookRunner* runner, const PluginDirectory& plugins,
                   const Plugin& from, const std::string& tenant,
                   const plugin::v1::CallPluginRequest& request);

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_PLUGIN_CALLS_H_
