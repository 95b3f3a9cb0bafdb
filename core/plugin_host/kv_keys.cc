#include "core/plugin_host/kv_keys.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace retain::plugin_host {

std::string PluginKey(const std::string& tenant, const std::string& stored) {
  return stored.substr(TenantKey(tenant, "").size());
}

absl::StatusOr<std::vector<std::string>> TenantsIn(store::Store& store,
                                                   const std::string& ns) {
  std::vector<std::string> out;
  std::string after;
  for (;;) {
    auto rows = store.KvScan(ns, "", after, 1);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) break;
    const std::string& stored = rows->front().first;
    std::string tenant, key;
    if (!store::SplitTenantKey(stored, &tenant, &key)) {
      after = stored;  // not a tenant key; step over it
      continue;
    }
    if (out.empty() || out.back() != tenant) out.push_back(tenant);
    // Every key with this tenant's prefix sorts before prefix + "\xff..."
    // (a key that does not is stepped over one at a time).
    std::string past = TenantKey(tenant, std::string(16, '\xff'));
    after = std::max(stored, past);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace retain::plugin_host
