// Server reflection, grpc.reflection.v1 and v1alpha, over a descriptor pool
// that holds the compiled-in protos and plugins' schemas
// (PluginHost::ReflectionPool), so `buf curl` and grpcurl call plugin
// methods without being handed the plugin's .proto. It replaces gRPC's own
// reflection plugin, which knows only the compiled-in protos and, in the
// gRPC Debian ships, speaks only v1alpha
// (docs/decisions/0019-plugin-reflection.md).
//
// Like grpc.health.v1 it needs no key: it describes the API, never data.
#ifndef RETAIN_CORE_SERVER_REFLECTION_SERVICE_H_
#define RETAIN_CORE_SERVER_REFLECTION_SERVICE_H_

#include <grpcpp/impl/server_builder_option.h>

#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"

namespace retain::server {

// For ServerBuilder::SetOption: serves both versions on that server. They
// list every service registered on it (known once it starts) and
// `plugin_services`, whose descriptors `pool` must hold. `pool` must
// outlive the server.
std::unique_ptr<grpc::ServerBuilderOption> ServerReflection(
    const google::protobuf::DescriptorPool* pool,
    std::vector<std::string> plugin_services);

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_REFLECTION_SERVICE_H_
