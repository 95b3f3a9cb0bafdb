#include "core/plugin_host/loader.h"

#include <dlfcn.h>

#include "absl/strings/str_cat.h"
#include "core/common/log.h"

namespace retain::plugin_host {
namespace {

std::string HostAbi() {
  return absl::StrCat(RETAIN_PLUGIN_ABI_MAJOR, ".", RETAIN_PLUGIN_ABI_MINOR);
}

// What the entry point running on this thread said through
// retain_host_callback_decline.
struct Decline {
  bool called = false;
  const retain_plugin_module* self = nullptr;
  std::string reason;
};
thread_local Decline* current_decline = nullptr;

// Whether the module's table (as the plugin compiled it) reaches past
// `end`, the offset just after a field.
bool Covers(const retain_plugin_module* m, size_t end) {
  return m->struct_size >= end;
}

// What the message can say about a module: its ABI version always (the
// first fields of every major), its name and version only when it is of
// this major (a layout this host knows).
void Identify(const retain_plugin_module* m, LoadedModule* out) {
  if (!Covers(m, offsetof(retain_plugin_module, abi_minor) +
                     sizeof(m->abi_minor))) {
    return;
  }
  out->abi_major = m->abi_major;
  out->abi_minor = m->abi_minor;
  if (m->abi_major != RETAIN_PLUGIN_ABI_MAJOR ||
      !Covers(m,
              offsetof(retain_plugin_module, version) + sizeof(m->version))) {
    return;
  }
  if (m->name != nullptr) out->name = m->name;
  if (m->version != nullptr) out->version = m->version;
  if (RETAIN_ABI_HAS_FIELD(m, retain_plugin_module, retain_plugin_on_refused)) {
    out->on_refused = m->retain_plugin_on_refused;
  }
}

}  // namespace

std::string Describe(const std::string& path, const LoadedModule& m) {
  std::string who;
  if (!m.name.empty()) who = absl::StrCat("plugin '", m.name, "' ");
  if (!m.version.empty()) absl::StrAppend(&who, "version '", m.version, "' ");
  if (!who.empty()) who.back() = ',';
  const std::string abi = m.abi_major == 0
                              ? std::string("unknown")
                              : absl::StrCat(m.abi_major, ".", m.abi_minor);
  return absl::StrCat(path, " (", who, who.empty() ? "" : " ", "plugin ABI ",
                      abi, ", host ABI ", HostAbi(), ")");
}

int32_t DeclineHost(const retain_plugin_module* self, retain_str reason) {
  Decline* d = current_decline;
  if (d == nullptr) return 9;  // FAILED_PRECONDITION: no entry point runs
  d->called = true;
  d->self = self;
  d->reason.assign(reason.data != nullptr ? reason.data : "",
                   reason.data != nullptr ? reason.size : 0);
  return 0;
}

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

bool HasHealthEventHook(const retain_plugin_module* m) {
  return RETAIN_ABI_HAS_FIELD(m, retain_plugin_module,
                              retain_plugin_on_health_event) &&
         m->retain_plugin_on_health_event != nullptr;
}

absl::Status LoadModule(const std::string& path,
                        const retain_host_api* host_api, LoadedModule* out_) {
  LoadedModule& out = *out_;
  auto refuse = [&](const std::string& why) {
    return absl::FailedPreconditionError(
        absl::StrCat("refused ", Describe(path, out), ": ", why));
  };
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
  Decline decline;
  current_decline = &decline;
  const retain_plugin_module* m = entry(host_api);
  current_decline = nullptr;
  if (m == nullptr) {
    if (decline.self != nullptr) Identify(decline.self, &out);
    if (!decline.called) {
      return refuse(
          "the plugin declined this host without saying why (from ABI 1.2 "
          "a plugin can, with retain_host_callback_decline); its log lines "
          "above, if any, may say more");
    }
    return refuse(absl::StrCat(
        "the plugin declined this host: ",
        decline.reason.empty() ? "(no reason given)" : decline.reason));
  }
  if (decline.called) {
    common::Log("warn",
                "plugin declined the host but returned a module; loading it",
                {{"path", path}, {"reason", decline.reason}});
  }
  Identify(m, &out);
  if (m->abi_major != RETAIN_PLUGIN_ABI_MAJOR) {
    return refuse(absl::StrCat("built for plugin ABI ", m->abi_major, ".",
                               m->abi_minor, "; this server speaks ", HostAbi(),
                               " (the major version must match)"));
  }
  if (m->struct_size < offsetof(retain_plugin_module, retain_plugin_on_signal) +
                           sizeof(m->retain_plugin_on_signal) ||
      m->name == nullptr || m->version == nullptr ||
      m->retain_plugin_on_init == nullptr ||
      m->retain_plugin_on_destroy == nullptr ||
      m->retain_plugin_on_describe == nullptr ||
      m->retain_plugin_on_call == nullptr ||
      m->retain_plugin_on_signal == nullptr) {
    return refuse("incomplete plugin module (required hooks missing)");
  }
  out.module = m;
  if (!IsValidPluginName(out.name)) {
    return refuse(absl::StrCat("invalid plugin name '", out.name,
                               "' (want [a-z][a-z0-9_]{0,62})"));
  }
  return absl::OkStatus();
}

}  // namespace retain::plugin_host
