// Connects the plugin host to the server: flags, signal delivery, service
// registration and plugin contributions to account health.
#ifndef RETAIN_CORE_SERVER_PLUGIN_WIRING_H_
#define RETAIN_CORE_SERVER_PLUGIN_WIRING_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>

#include "absl/status/status.h"
#include "core/engine/engine.h"
#include "core/server/report_service.h"

namespace retain::server {

class PluginWiring {
 public:
  absl::Status Start(engine::Engine* engine);
  void NotifyDurable(int64_t seq);
  void Register(grpc::ServerBuilder& builder);
  void OnServerStarted(grpc::Server* server);
  server::HealthDecorator Decorator();
  void Shutdown();

 private:
  engine::Engine* engine_ = nullptr;
};

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_PLUGIN_WIRING_H_
