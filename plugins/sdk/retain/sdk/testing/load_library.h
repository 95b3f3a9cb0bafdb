// Part of the fake host (retain_plugin_testing.h), optional: loads a built
// plugin library (.so) into a FakeHost the way the server does, with
// dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE), so a test can exercise the
// very file it ships. POSIX (<dlfcn.h>), which is why it is a header of its
// own; link with -ldl on a C library older than glibc 2.34.
//
// A test binary must not link the same generated protobuf code as the
// library it loads (the descriptor pool aborts on the second copy): talk
// to such a plugin in bytes (LoadedPlugin::Call), or link it instead.
#ifndef RETAIN_SDK_TESTING_LOAD_LIBRARY_H_
#define RETAIN_SDK_TESTING_LOAD_LIBRARY_H_

#include <dlfcn.h>

#include <string>

#include "retain/sdk/status.h"
#include "retain/sdk/testing/fake_host.h"
#include "retain_plugin_abi.h"

namespace retain::sdk::testing {

// The library's entry point; FAILED_PRECONDITION with the server's words
// when it cannot be loaded or exports none. The library stays loaded.
inline Result<retain_plugin_on_load_fn> EntryPointOf(const std::string& path) {
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (lib == nullptr) {
    const char* why = dlerror();
    return FailedPrecondition("refused " + path +
                              ": cannot load the library: " +
                              (why != nullptr ? why : "unknown error"));
  }
  void* entry = dlsym(lib, RETAIN_PLUGIN_ENTRY_SYMBOL);
  if (entry == nullptr) {
    return FailedPrecondition(
        "refused " + path +
        ": no entry point '" RETAIN_PLUGIN_ENTRY_SYMBOL
        "' (define it with RETAIN_PLUGIN(...) and export it)");
  }
  return reinterpret_cast<retain_plugin_on_load_fn>(entry);
}

// Loads the library at `path` into `host`.
inline Result<LoadedPlugin> LoadLibrary(
    FakeHost& host, const std::string& path,
    const PluginOptions& options = PluginOptions()) {
  auto entry = EntryPointOf(path);
  if (!entry.ok()) return entry.status();
  return host.Load(*entry, options);
}

}  // namespace retain::sdk::testing

#endif  // RETAIN_SDK_TESTING_LOAD_LIBRARY_H_
