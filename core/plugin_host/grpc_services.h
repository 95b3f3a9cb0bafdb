// The plugin host's gRPC face: one generic service that routes every plugin
// method by its full name as raw bytes (the host never links a plugin's
// generated code), and retain.plugin.v1.PluginService.
#ifndef RETAIN_CORE_PLUGIN_HOST_GRPC_SERVICES_H_
#define RETAIN_CORE_PLUGIN_HOST_GRPC_SERVICES_H_

#include <memory>

#include "core/plugin_host/host_services.h"
#include "grpcpp/generic/async_generic_service.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"

namespace retain::plugin_host {

class PluginHost;

std::unique_ptr<grpc::CallbackGenericService> MakePluginMethodService(
    PluginHost* host, HostServices* services);

std::unique_ptr<plugin::v1::PluginService::CallbackService> MakePluginService(
    PluginHost* host, HostServices* services);

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_GRPC_SERVICES_H_
