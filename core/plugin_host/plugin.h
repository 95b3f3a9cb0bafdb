// One loaded plugin as the host's parts share it: what loading decided
// (read-only afterwards), its harness (state and accounting), its workers,
// and the gate that keeps host callbacks from running after shutdown.
#ifndef RETAIN_CORE_PLUGIN_HOST_PLUGIN_H_
#define RETAIN_CORE_PLUGIN_HOST_PLUGIN_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/plugin_host/dead_letters.h"
#include "core/plugin_host/executor.h"
#include "core/plugin_host/host_services.h"
#include "core/plugin_host/loader.h"
#include "core/plugin_host/plugin_config.h"
#include "core/plugin_host/plugin_harness.h"
#include "core/plugin_host/set_aside_events.h"
#include "core/store/store.h"
#include "retain/plugin/v1/abi.pb.h"
#include "retain/plugin/v1/plugin_service.pb.h"

namespace retain::plugin_host {

// What every plugin's host callbacks reach (owned by the host).
struct Plugin;

struct HostEnv {
  store::Store* store = nullptr;
  HostServices* services = nullptr;
  std::function<absl::Time()> clock;
  // Told of the accounts a plugin recorded signals for through the host
  // (their health components may have changed); may be null.
  std::function<void(const std::string& plugin, const std::string& tenant,
                     const std::vector<std::string>& account_ids)>
      on_plugin_signals;
  // Runs another plugin's method for `from` (ABI 1.4 call_plugin, see
  // plugin_calls.h) and waits for it; called holding no host lock.
  std::function<Outcome(const Plugin& from, const std::string& tenant,
                        const plugin::v1::CallPluginRequest& request)>
      call_plugin;
};

struct Plugin {
  // Set while loading, then read-only.
  std::string path;
  LoadedModule loaded;  // empty when the library was refused
  PluginSettings settings;
  void* instance = nullptr;  // owned by the plugin; null until initialised
  plugin::v1::PluginDescriptor descriptor;
  std::set<int32_t> kinds;            // signal kinds delivered
  std::vector<std::string> services;  // full gRPC service names
  bool ticks = false;                 // whether the host ticks it
  // ABI 1.3: the health-event kinds delivered (HealthEventKind values;
  // empty without an on_health_event hook), and whether its own alerts too.
  std::set<int32_t> health_kinds;
  bool health_own_alerts = false;
  HostEnv* env = nullptr;

  PluginHarness harness;
  std::unique_ptr<Executor> executor;  // set when it starts
  // Set once the plugin has a name (even when disabled), so its dead
  // letters can be listed and dropped whatever its state.
  std::unique_ptr<DeadLetters> dead_letters;
  // Likewise its set-aside health events.
  std::unique_ptr<SetAsideEvents> set_aside;

  // Host callbacks run under a reader lock and only while enabled, so
  // shutdown can turn them off before the store and services go away.
  absl::Mutex callbacks_mu;
  bool callbacks_enabled ABSL_GUARDED_BY(callbacks_mu) = false;
  // Set when the host starts shutting down: running hooks see themselves
  // cancelled (call_context.h).
  std::atomic<bool> stopping{false};

  const std::string& name() const { return loaded.name; }
  const retain_plugin_module* module() const { return loaded.module; }
  bool has_health_component() const {
    return !descriptor.health_component().name().empty() &&
           module()->retain_plugin_on_health_component != nullptr;
  }
  bool has_report_section() const {
    return descriptor.report_section() &&
           module()->retain_plugin_on_report_section != nullptr;
  }
  void EnableCallbacks(bool on) {
    absl::MutexLock lock(&callbacks_mu);
    callbacks_enabled = on;
  }
  // The PluginService view (delivery counters included).
  plugin::v1::Plugin Info() const;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_PLUGIN_H_
