#include "core/server/plugin_wiring.h"

#include "core/server/log.h"
#include "core/server/tenant.h"

namespace retain::server {

absl::Status PluginWiring::Start(engine::Engine* engine,
                                 const PluginOptions& options) {
  services_ = std::make_unique<plugin_host::EngineHostServices>(
      engine,
      [](const grpc::CallbackServerContext& ctx)
          -> absl::StatusOr<std::string> { return TenantOf(&ctx); },
      [](const std::string& tenant, const plugin::v1::PluginAlert& alert) {
        Log("info", "plugin alert",
            {{"tenant", tenant}, {"alert", alert.ShortDebugString()}});
      });
  plugin_host::PluginHostOptions host_options;
  host_options.plugin_dir = options.plugin_dir;
  host_options.plugin_paths = options.plugin_paths;
  host_options.config_path = options.config_path;
  host_ = std::make_unique<plugin_host::PluginHost>(
      host_options, &engine->store(), services_.get());
  if (absl::Status s = host_->LoadAll(); !s.ok()) return s;
  for (const auto& p : host_->ListPlugins()) {
    Log("info", "plugin", {{"plugin", p.ShortDebugString()}});
  }
  live_ = host_.get();
  // Catch up with whatever was committed before and while loading.
  host_->NotifySignalsDurable(engine->last_durable_seq());
  return absl::OkStatus();
}

void PluginWiring::NotifyDurable(int64_t seq) {
  if (plugin_host::PluginHost* h = live_.load()) h->NotifySignalsDurable(seq);
}

void PluginWiring::Register(grpc::ServerBuilder& builder) {
  if (host_) host_->RegisterServices(builder);
}

void PluginWiring::OnServerStarted(grpc::Server* server) {
  if (host_) host_->OnServerStarted(server);
}

HealthDecorator PluginWiring::Decorator() {
  if (!host_) return nullptr;
  plugin_host::PluginHost* host = host_.get();
  return [host](const std::string& tenant, const std::string& account_id,
                report::v1::AccountHealth* health) {
    for (auto& section : host->AccountSections(tenant, account_id)) {
      *health->add_sections() = std::move(section);
    }
    auto components = host->HealthComponents(tenant, account_id);
    if (!components.empty()) {
      plugin_host::MergeHealthComponents(health, components);
    }
  };
}

void PluginWiring::Shutdown() {
  live_ = nullptr;
  if (host_) host_->Shutdown();
}

}  // namespace retain::server
