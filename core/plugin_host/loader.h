// Loading a plugin library and negotiating the ABI
// (plugins/sdk/retain_plugin_abi.h): everything that decides whether a
// plugin is REFUSED, before any of its code beyond the entry point runs.
#ifndef RETAIN_CORE_PLUGIN_HOST_LOADER_H_
#define RETAIN_CORE_PLUGIN_HOST_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "boost/dll/shared_library.hpp"
#include "plugins/sdk/retain_plugin_abi.h"

namespace retain::plugin_host {

struct LoadedModule {
  // Never unloaded: a plugin's static initialisers may already have
  // registered descriptors or threads (docs/decisions/0005-plugin-abi.md).
  boost::dll::shared_library library;
  const retain_plugin_module* module = nullptr;  // owned by the library
  std::string name;
  std::string version;
  int abi_major = 0;  // 0: unknown (the library never said)
  int abi_minor = 0;
  // The module's retain_plugin_on_refused (ABI 1.2), set as soon as a
  // module of this major has one, also when the loader refuses it.
  void (*on_refused)(void* host_ctx, retain_str reason) = nullptr;
};

// Loads `path`, calls its entry point with `host_api` and checks the module
// it returns: ABI major, required hooks, name syntax. Every error is
// FAILED_PRECONDITION with a message for the operator (Describe below)
// that names the library, the plugin's name and version when known and
// both ABI versions; a plugin that declines the host says why through
// retain_host_callback_decline (DeclineHost).
// `out` is filled as far as loading got (the name, version and ABI version
// of a refused module, too).
absl::Status LoadModule(const std::string& path,
                        const retain_host_api* host_api, LoadedModule* out);

// "<path> (plugin 'name' version 'v', plugin ABI 1.2, host ABI 1.2)", with
// what is not known left out (or "plugin ABI unknown"): how every message
// about loading a plugin names it.
std::string Describe(const std::string& path, const LoadedModule& m);

// retain_host_callback_decline: records the reason of the entry point
// running on this thread; 9 (FAILED_PRECONDITION) when none runs.
int32_t DeclineHost(const retain_plugin_module* self, retain_str reason);

// [a-z][a-z0-9_]{0,62}: a plugin's name is also its KV namespace, config
// key and gRPC package part.
bool IsValidPluginName(const std::string& name);

// Whether the module, built for its own ABI minor, has the tick hook; never
// reads past the module's struct_size.
bool HasTickHook(const retain_plugin_module* module);
// The same for the health-event hook (ABI 1.3).
bool HasHealthEventHook(const retain_plugin_module* module);

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_LOADER_H_
