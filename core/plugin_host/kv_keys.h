// How a plugin's key-value entries are laid out in its store namespace:
// each key is scoped to its tenant (store/tenant_key.h).
#ifndef RETAIN_CORE_PLUGIN_HOST_KV_KEYS_H_
#define RETAIN_CORE_PLUGIN_HOST_KV_KEYS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/store/store.h"
#include "core/store/tenant_key.h"

namespace retain::plugin_host {

using store::TenantKey;

// The plugin's own key: `stored` without the tenant prefix.
std::string PluginKey(const std::string& tenant, const std::string& stored);

// The tenants with entries in namespace `ns`, in order. One indexed lookup
// per tenant (it skips past each tenant's keys), not a scan of every entry.
absl::StatusOr<std::vector<std::string>> TenantsIn(store::Store& store,
                                                   const std::string& ns);

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_KV_KEYS_H_
