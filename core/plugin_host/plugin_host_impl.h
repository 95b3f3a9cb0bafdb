// The plugin host's owner of parts, shared by the facade (plugin_host.cc)
// and loading (plugin_loading.cc). Not for use outside core/plugin_host.
#ifndef RETAIN_CORE_PLUGIN_HOST_PLUGIN_HOST_IMPL_H_
#define RETAIN_CORE_PLUGIN_HOST_PLUGIN_HOST_IMPL_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/plugin_host/component_refresher.h"
#include "core/plugin_host/health_event_delivery.h"
#include "core/plugin_host/hook_runner.h"
#include "core/plugin_host/plugin.h"
#include "core/plugin_host/plugin_calls.h"
#include "core/plugin_host/plugin_config.h"
#include "core/plugin_host/plugin_host.h"
#include "core/plugin_host/plugin_schemas.h"
#include "core/plugin_host/signal_delivery.h"
#include "core/plugin_host/ticker.h"
#include "grpcpp/generic/async_generic_service.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"

namespace retain::plugin_host {

using plugin::v1::PluginState;

class PluginHost::Impl {
 public:
  Impl(PluginHost* facade, PluginHostOptions options, store::Store* store,
       HostServices* services)
      : facade_(facade),
        options_(std::move(options)),
        services_(services),
        refresher_(&runner_, services) {
    if (!options_.clock) options_.clock = [] { return absl::Now(); };
    env_.store = store;
    env_.services = services;
    env_.clock = options_.clock;
    env_.on_plugin_signals = [this](const std::string& plugin,
                                    const std::string& tenant,
                                    const std::vector<std::string>& ids) {
      auto it = by_name_.find(plugin);
      if (it == by_name_.end()) return;
      std::vector<ComponentRefresher::AccountKey> keys;
      for (const auto& id : ids) keys.emplace_back(tenant, id);
      refresher_.Refresh(it->second, keys);
    };
    env_.call_plugin = [this](const Plugin& from, const std::string& tenant,
                              const plugin::v1::CallPluginRequest& request) {
      return CallPlugin(&runner_, {&by_name_, &methods_}, from, tenant,
                        request);
    };
  }

  absl::Status LoadAll();
  void LoadOne(const std::string& path, const PluginConfig& config);
  void Start(const std::shared_ptr<Plugin>& p);
  void OnStateChange(Plugin* p, PluginState state, const std::string& error);
  void PublishHealth(Plugin* p);
  void Shutdown();

  PluginHost* facade_;
  PluginHostOptions options_;
  HostServices* services_;
  HostEnv env_;

  std::vector<std::shared_ptr<Plugin>> plugins_;  // load order
  std::map<std::string, std::shared_ptr<Plugin>> by_name_;
  std::map<std::string, std::shared_ptr<Plugin>> methods_;
  PluginSchemas schemas_;
  std::map<std::string, std::unique_ptr<SignalDelivery>> deliveries_;
  std::map<std::string, std::unique_ptr<Ticker>> tickers_;
  std::map<std::string, std::unique_ptr<HealthEventDelivery>> health_feeds_;
  std::atomic<int64_t> durable_seq_{0};
  std::atomic<grpc::Server*> server_{nullptr};
  std::unique_ptr<grpc::CallbackGenericService> method_service_;
  std::unique_ptr<plugin::v1::PluginService::CallbackService> plugin_service_;
  bool loaded_ = false;
  bool shut_down_ = false;

  // Declared last, destroyed first: no hook completion (which may reach the
  // refresher) runs once the runner is gone.
  ComponentRefresher refresher_;
  HookRunner runner_;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_PLUGIN_HOST_IMPL_H_
