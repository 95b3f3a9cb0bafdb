#include "core/plugin_host/loader.h"

#include <dlfcn.h>

#include "absl/strings/str_cat.h"

namespace retain::plugin_host {
namespace {

std::string HostAbi() {
  return absl::StrCat(RETAIN_PLUGIN_ABI_MAJOR, ".", RETAIN_PLUGIN_ABI_MINOR);
}

}  // namespace

bool IsValidPluginName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

bool HasTickHook(const retain_plugin_module* m) {
  return RETAIN_ABI_HAS_FIELD(m, retain_plugin_module, retain_plugin_on_tick) &&
         m->retain_plugin_on_tick != nullptr;
}

absl::Status LoadModule(const std::string& path,
                        const retain_host_api* host_api, LoadedModule* out_) {
  auto refuse = [&](const std::string& why) {
    return absl::FailedPreconditionError(
        absl::StrCat("refused ", path, ": ", why));
  };
  LoadedModule& out = *out_;
  try {
    // RTLD_NODELETE: dlclose (e.g. when a host object goes away) never
    // unmaps the code.
    out.library.load(path, static_cast<boost::dll::load_mode::type>(
                               RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE));
  } catch (const std::exception& e) {
    return refuse(absl::StrCat("cannot load the library: ", e.what()));
  }
  if (!out.library.has(RETAIN_PLUGIN_ENTRY_SYMBOL)) {
    return refuse(
        absl::StrCat("no entry point '", RETAIN_PLUGIN_ENTRY_SYMBOL,
                     "' (define it with RETAIN_PLUGIN(...) and export it)"));
  }
  auto entry =
      out.library.get<const retain_plugin_module*(const retain_host_api*)>(
          RETAIN_PLUGIN_ENTRY_SYMBOL);
  const retain_plugin_module* m = entry(host_api);
  if (m == nullptr) {
    return refuse(
        absl::StrCat("the plugin declined this host (host plugin ABI ",
                     HostAbi(), "); its log lines above, if any, say why"));
  }
  out.abi_major = m->abi_major;
  out.abi_minor = m->abi_minor;
  const std::string who =
      m->name != nullptr ? absl::StrCat("plugin '", m->name, "'") : "plugin";
  if (m->abi_major != RETAIN_PLUGIN_ABI_MAJOR) {
    return refuse(absl::StrCat(who, " is built for plugin ABI ", m->abi_major,
                               ".", m->abi_minor, "; this server speaks ",
                               HostAbi(), " (the major version must match)"));
  }
  if (m->struct_size < offsetof(retain_plugin_module, retain_plugin_on_signal) +
                           sizeof(m->retain_plugin_on_signal) ||
      m->name == nullptr || m->version == nullptr ||
      m->retain_plugin_on_init == nullptr ||
      m->retain_plugin_on_destroy == nullptr ||
      m->retain_plugin_on_describe == nullptr ||
      m->retain_plugin_on_call == nullptr ||
      m->retain_plugin_on_signal == nullptr) {
    return refuse(absl::StrCat(who,
                               ": incomplete plugin module (required hooks "
                               "missing)"));
  }
  out.module = m;
  out.name = m->name;
  out.version = m->version;
  if (!IsValidPluginName(out.name)) {
    return refuse(absl::StrCat("invalid plugin name '", out.name,
                               "' (want [a-z][a-z0-9_]{0,62})"));
  }
  return absl::OkStatus();
}

}  // namespace retain::plugin_host
