// Loads plugins (plugins/sdk/retain_plugin_abi.h), serves their gRPC
// methods, delivers durable signals to them and collects their report
// sections and health components. See docs/decisions/0005-plugin-abi.md.
//
// Lifecycle, called by the server:
//   PluginHost host(options, store, services);
//   host.LoadAll();                      // failures become plugin states
//   host.RegisterServices(builder);      // before BuildAndStart
//   server = builder.BuildAndStart();
//   host.OnServerStarted(server.get());  // per-plugin grpc.health.v1 status
//   ... host.NotifySignalsDurable(seq) after every durable append ...
//   server->Shutdown(); host.Shutdown();
#ifndef RETAIN_CORE_PLUGIN_HOST_PLUGIN_HOST_H_
#define RETAIN_CORE_PLUGIN_HOST_PLUGIN_HOST_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/plugin_host/health_merge.h"
#include "core/plugin_host/host_services.h"
#include "core/store/store.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "retain/plugin/v1/plugin_service.pb.h"
#include "retain/report/v1/report.pb.h"

namespace retain::plugin_host {

struct PluginHostOptions {
  // Every "*.so" file in this directory (not recursive), in name order.
  std::string plugin_dir;
  // Explicit plugin libraries, loaded after plugin_dir's.
  std::vector<std::string> plugin_paths;
  // JSON config (see plugins/README.md); empty = none:
  //   {"host": {<defaults for every plugin>},
  //    "plugins": {"<name>": {"enabled": true, "call_timeout_ms": 5000,
  //        "max_consecutive_failures": 5, "workers": 2, "max_queue": 256,
  //        "health_weight": 0.1, "deliver_from": "start" | "now",
  //        "tick_seconds": 60,
  //        "config": {<the plugin's own config>}}}}
  std::string config_path;

  // Defaults, overridden by the config file's "host" block, then by each
  // plugin's block.
  absl::Duration call_timeout = absl::Seconds(5);
  // For report sections and health components, which callers wait for.
  absl::Duration report_timeout = absl::Seconds(1);
  int max_consecutive_failures = 5;
  int workers = 2;
  int max_queue = 256;
  // Signals a delivery thread reads from the log at a time (its queue).
  int delivery_batch = 256;
  // Retry delay after a failed delivery; doubles up to 32x.
  absl::Duration delivery_retry = absl::Milliseconds(100);
  // Between periodic ticks of the plugins that ask for them (config
  // "tick_seconds", fractions allowed); zero disables ticks.
  absl::Duration tick_interval = absl::Seconds(60);

  // The clock offered to plugins; absl::Now when unset (tests set it).
  std::function<absl::Time()> clock;
};

// One plugin's view as the PluginService shows it.
using PluginInfo = plugin::v1::Plugin;

class PluginHost {
 public:
  // `store` and `services` must outlive the host (until Shutdown returns).
  PluginHost(PluginHostOptions options, store::Store* store,
             HostServices* services);
  ~PluginHost();  // calls Shutdown()
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;

  // Loads every configured plugin. A plugin that cannot be loaded is kept
  // with state REFUSED / INIT_FAILED / DISABLED and a logged reason; this
  // only fails (loading nothing) when the config file is unreadable or
  // malformed. Starts each ready plugin's workers and signal delivery.
  absl::Status LoadAll();

  // Registers the generic service that routes plugin methods by full name
  // (raw bytes, the host never links a plugin's generated code) and the
  // retain.plugin.v1.PluginService. Call after LoadAll, before
  // BuildAndStart. The server must not register another generic service.
  // Requires grpc::EnableDefaultHealthCheckService(true) for health status.
  void RegisterServices(grpc::ServerBuilder& builder);

  // Publishes grpc.health.v1 status for every plugin: service names are the
  // plugin name and each of its gRPC services; SERVING while READY.
  void OnServerStarted(grpc::Server* server);

  // Signals up to last_seq are durable: wakes delivery. Never blocks.
  void NotifySignalsDurable(int64_t last_seq);

  // Report sections of the ready plugins that provide one, load order.
  // Waits at most report_timeout (in parallel across plugins).
  std::vector<report::v1::ReportSection> AccountSections(
      const std::string& tenant, const std::string& account_id);

  // Health components of the ready plugins that provide one, with their
  // configured weights and source = plugin name. Same waiting as above.
  // Fold them in with MergeHealthComponents.
  std::vector<report::v1::HealthComponent> HealthComponents(
      const std::string& tenant, const std::string& account_id);

  // Ticks, now, every ready plugin that gets periodic ticks (as the
  // timer does every tick_interval) and waits until each tick finished,
  // failed or overran its call timeout. A plugin whose previous tick is
  // still running is skipped (an overrun one counts another failure).
  // For tests and operators; the periodic ticks need no calls.
  void RunTicks();

  // Every plugin the host tried to load, load order.
  std::vector<PluginInfo> ListPlugins() const;
  absl::StatusOr<PluginInfo> GetPlugin(const std::string& name) const;
  // Parked -> ready; FAILED_PRECONDITION otherwise.
  absl::StatusOr<PluginInfo> ResumePlugin(const std::string& name);

  // Stops delivery and workers, then destroys the plugin instances. A
  // plugin with a handler still running after a grace period is left as is
  // (never destroyed or unloaded). Libraries are never unloaded: code of a
  // plugin (descriptors it registered, thread-locals) may still be referred
  // to. Idempotent.
  void Shutdown();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_PLUGIN_HOST_H_
