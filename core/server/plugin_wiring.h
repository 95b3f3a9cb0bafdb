// Connects the plugin host to the server: options, signal delivery, service
// registration and plugin contributions to account health.
#ifndef RETAIN_CORE_SERVER_PLUGIN_WIRING_H_
#define RETAIN_CORE_SERVER_PLUGIN_WIRING_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/auth/authorizer.h"
#include "core/engine/engine.h"
#include "core/plugin_host/engine_services.h"
#include "core/plugin_host/plugin_host.h"
#include "core/server/report_service.h"

namespace retain::server {

struct PluginOptions {
  std::string plugin_dir;
  std::vector<std::string> plugin_paths;
  std::string config_path;
  // The plugins' clock (--testing_clock_offset); empty: absl::Now.
  std::function<absl::Time()> clock;
};

class PluginWiring {
 public:
  // Loads the plugins. Plugins that fail to load are reported as states,
  // not errors; only an unreadable config file fails.
  absl::Status Start(engine::Engine* engine, const auth::Authorizer* auth,
                     const PluginOptions& options);
  // Safe to call before Start (signals committed while loading are picked
  // up by delivery from the persisted cursor).
  void NotifyDurable(int64_t seq);
  void Register(grpc::ServerBuilder& builder);
  // For server reflection (core/server/reflection_service.h), after Start.
  const google::protobuf::DescriptorPool* ReflectionPool() const;
  std::vector<std::string> ReflectedServices() const;
  void OnServerStarted(grpc::Server* server);
  server::AccountContributor Contributor();
  // Before the gRPC drain: running plugin hooks see the server stopping.
  void BeginShutdown();
  void Shutdown();

 private:
  std::unique_ptr<plugin_host::EngineHostServices> services_;
  std::unique_ptr<plugin_host::PluginHost> host_;
  std::atomic<plugin_host::PluginHost*> live_{nullptr};
  engine::Engine* engine_ = nullptr;  // whose alert hub tells the host
};

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_PLUGIN_WIRING_H_
