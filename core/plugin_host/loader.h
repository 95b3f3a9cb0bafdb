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
  int abi_major = 0;
  int abi_minor = 0;
};

// Loads `path`, calls its entry point with `host_api` and checks the module
// it returns: ABI major, required hooks, name syntax. Every error is
// FAILED_PRECONDITION with a message for the operator that names the
// library (and the plugin, once known) and both ABI versions where the
// versions are the reason.
// `out` is filled as far as loading got (the ABI versions of a module
// refused for its version, too).
absl::Status LoadModule(const std::string& path,
                        const retain_host_api* host_api, LoadedModule* out);

// [a-z][a-z0-9_]{0,62}: a plugin's name is also its KV namespace, config
// key and gRPC package part.
bool IsValidPluginName(const std::string& name);

// Whether the module, built for its own ABI minor, has the tick hook; never
// reads past the module's struct_size.
bool HasTickHook(const retain_plugin_module* module);

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_LOADER_H_
