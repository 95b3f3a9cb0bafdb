#include "core/server/plugin_wiring.h"

namespace retain::server {

absl::Status PluginWiring::Start(engine::Engine* engine) {
  engine_ = engine;
  return absl::OkStatus();
}

void PluginWiring::NotifyDurable(int64_t) {}

void PluginWiring::Register(grpc::ServerBuilder&) {}

void PluginWiring::OnServerStarted(grpc::Server*) {}

HealthDecorator PluginWiring::Decorator() { return nullptr; }

void PluginWiring::Shutdown() {}

}  // namespace retain::server
