// The C side of retain_host_api: the functions a plugin may call, each
// turning protobuf bytes into a call on the store (its own KV namespace,
// scoped to the tenant) or on HostServices. The per-plugin context given to
// on_init is the plugin's `Plugin*`.
#ifndef RETAIN_CORE_PLUGIN_HOST_HOST_CALLBACKS_H_
#define RETAIN_CORE_PLUGIN_HOST_HOST_CALLBACKS_H_

#include "plugins/sdk/retain_plugin_abi.h"

namespace retain::plugin_host {

// The host table given to every plugin: static, valid for the process.
const retain_host_api* HostApi();

// Appends to a std::string (the ctx): the sink the host hands plugins.
void AppendToString(void* ctx, const char* data, size_t size);

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_HOST_CALLBACKS_H_
