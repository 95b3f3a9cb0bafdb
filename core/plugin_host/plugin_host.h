// Loads plugins (plugins/sdk/retain_plugin_abi.h), serves their gRPC
// methods, delivers durable signals to them and collects their report
// sections and health components. See docs/decisions/0005-plugin-abi.md and
// 0013-plugin-host-parts.md for the parts behind this facade:
//   plugin_config  the config file, checked key by key
//   loader         dlopen and ABI negotiation
//   host_callbacks the table of host functions plugins call
//   kv_keys        per-tenant keys in a plugin's KV namespace
//   plugin_harness state machine, counters, parking
//   dead_letters   signals delivery gave up on (decision 0018)
//   hook_runner    hooks on the plugin's workers under deadlines
//   signal_delivery, health_event_delivery, ticker, fan_out,
//   component_refresher
//   grpc_services  the generic method service and PluginService
//   plugin_schemas plugins' protos for server reflection
//   plugin_loading (with plugin_host_impl.h) loading and starting plugins
//
// Lifecycle, called by the server:
//   PluginHost host(options, store, services);
//   host.LoadAll();                      // failures become plugin states
//   host.RegisterServices(builder);      // before BuildAndStart
//   server = builder.BuildAndStart();
//   host.OnServerStarted(server.get());  // per-plugin grpc.health.v1 status
//   ... host.NotifySignalsDurable(seq) after every durable append ...
//   ... host.NotifyAlertStored(tenant) after every stored alert ...
//   server->Shutdown(); host.Shutdown();
#ifndef RETAIN_CORE_PLUGIN_HOST_PLUGIN_HOST_H_
#define RETAIN_CORE_PLUGIN_HOST_PLUGIN_HOST_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/plugin_host/fan_out.h"
#include "core/plugin_host/host_services.h"
#include "core/store/store.h"
#include "google/protobuf/descriptor.h"
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
  // JSON config (see plugin_config.h and plugins/README.md); empty = none.
  std::string config_path;

  // Defaults, overridden by the config file's "host" block, then by each
  // plugin's block.
  absl::Duration call_timeout = absl::Seconds(5);
  absl::Duration report_timeout = absl::Seconds(1);
  int max_consecutive_failures = 5;
  int workers = 2;
  int max_queue = 256;
  absl::Duration tick_interval = absl::Seconds(60);
  // Signals a delivery thread reads from the log at a time.
  int delivery_batch = 256;
  // Retry delay after a failed delivery; doubles up to 32x. The config's
  // signal_retry_backoff_ms overrides it.
  absl::Duration delivery_retry = absl::Milliseconds(100);
  // How often a health-event feed reads every tenant's alert history in
  // case a wake-up (NotifyAlertStored) was missed; a wake reads only the
  // tenant it names.
  absl::Duration health_feed_full_poll = absl::Seconds(30);

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
  // fails (loading nothing) only when the config file is unreadable or
  // invalid (the message names the key). Starts each ready plugin's
  // workers, signal delivery and ticks.
  absl::Status LoadAll();

  // Registers the generic service for plugin methods and PluginService.
  // Call after LoadAll, before BuildAndStart. The server must not register
  // another generic service. Needs EnableDefaultHealthCheckService(true)
  // for per-plugin health status.
  void RegisterServices(grpc::ServerBuilder& builder);
  void OnServerStarted(grpc::Server* server);

  // Signals up to last_seq are durable: wakes delivery. Never blocks.
  void NotifySignalsDurable(int64_t last_seq);
  // An alert of `tenant` is stored in its history: wakes the health-event
  // feeds (ABI 1.3). Never blocks.
  void NotifyAlertStored(const std::string& tenant);

  // Asks every ready plugin for its report section and health component of
  // the account, stores the components (so every view agrees with what
  // this returns), then calls `done` on a plugin worker or timer thread.
  // Never blocks: for gRPC callback threads.
  void AccountContributions(const std::string& tenant,
                            const std::string& account_id,
                            ContributionsDone done);
  // Blocking forms, for tests and tools (never on a gRPC callback thread).
  std::vector<report::v1::ReportSection> AccountSections(
      const std::string& tenant, const std::string& account_id);
  std::vector<report::v1::HealthComponent> HealthComponents(
      const std::string& tenant, const std::string& account_id);

  // Whether a loaded plugin serves this full method name.
  bool ServesMethod(const std::string& method) const;
  // Runs a plugin method; `done(code, response or error)` exactly once.
  // `cancelled` (may be null) is set when the client cancels: the running
  // handler can see it (retain_host_callback_is_cancelled). `caller` (may
  // be null) is who called, as the handler's call context shows it (ABI
  // 1.4) and as plugins it calls are authorized.
  void CallAsync(const std::string& tenant, const std::string& method,
                 std::string request, absl::Time deadline,
                 std::function<void(int32_t, std::string)> done,
                 std::shared_ptr<const std::atomic<bool>> cancelled = nullptr,
                 std::shared_ptr<const plugin::v1::Caller> caller = nullptr);

  // Ticks, now, every ready plugin that gets periodic ticks and waits until
  // each tick finished, failed or overran (skipping one still running).
  // For tests and operators; periodic ticks need no calls.
  void RunTicks();

  // For server reflection, once LoadAll returned: the compiled-in protos
  // with the schemas plugins handed in (thread-safe lookups), and the
  // services of the plugins whose schema was accepted.
  const google::protobuf::DescriptorPool& ReflectionPool() const;
  std::vector<std::string> ReflectedServices() const;

  // Every plugin the host tried to load, load order.
  std::vector<PluginInfo> ListPlugins() const;
  absl::StatusOr<PluginInfo> GetPlugin(const std::string& name) const;
  // Parked -> ready; FAILED_PRECONDITION otherwise.
  absl::StatusOr<PluginInfo> ResumePlugin(const std::string& name);

  // A plugin's dead letters (dead_letters.h) and set-aside health events
  // (set_aside_events.h): signals first, then health events, or only
  // `feed`'s. `tenant` narrows them to one tenant's; empty means every
  // tenant's. NOT_FOUND for an unknown plugin.
  absl::StatusOr<plugin::v1::ListDeadLettersResponse> ListDeadLetters(
      const std::string& name, const std::string& tenant, int page_size,
      const std::string& page_token,
      plugin::v1::DeadLetterFeed feed =
          plugin::v1::DEAD_LETTER_FEED_UNSPECIFIED);
  // Redelivers the dead letters of `feed` (UNSPECIFIED: signals) with these
  // seqs (or, with `all`, the oldest 1000) once each on the thread that
  // delivers that feed; `done` gets the outcome there (or at once on an
  // error). FAILED_PRECONDITION unless the plugin is ready; NOT_FOUND
  // naming a seq that is no dead letter of `tenant`; INVALID_ARGUMENT for
  // health events named by seq without a tenant. Never blocks on the
  // plugin: for gRPC callback threads.
  void RetryDeadLetters(
      const std::string& name, const std::string& tenant,
      const std::vector<int64_t>& seqs, bool all,
      std::function<void(absl::StatusOr<plugin::v1::RetryDeadLettersResponse>)>
          done,
      plugin::v1::DeadLetterFeed feed =
          plugin::v1::DEAD_LETTER_FEED_UNSPECIFIED);
  // Forgets dead letters of `feed` (those with these seqs, or all of
  // `tenant`'s), with the same rules.
  absl::StatusOr<plugin::v1::DropDeadLettersResponse> DropDeadLetters(
      const std::string& name, const std::string& tenant,
      const std::vector<int64_t>& seqs, bool all,
      plugin::v1::DeadLetterFeed feed =
          plugin::v1::DEAD_LETTER_FEED_UNSPECIFIED);

  // The server is about to drain: hooks running now or later see themselves
  // cancelled (retain_host_callback_is_cancelled), so they can finish
  // before the drain's deadline. Everything keeps running. Never blocks.
  void BeginShutdown();

  // Stops delivery, ticks and workers, then destroys the plugin instances.
  // A plugin with a handler still running after a grace period is left as
  // is. Libraries are never unloaded. Idempotent.
  void Shutdown();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_PLUGIN_HOST_H_
