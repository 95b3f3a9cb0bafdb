#include "core/plugin_host/kv_keys.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace retain::plugin_host {

std::string TenantKey(const std::string &tenant, const std::string &key) {
  return absl::StrCat(tenant.size(), ":", tenant, key);
}

std::string PluginKey(const std::string &tenant, const std::string &stored) {
  return stored.substr(TenantKey(tenant, "").size());
}

absl::StatusOr<std::vector<std::string>> TenantsIn(store::Store &store,
                                                   const std::string &ns) {
  std::vector<std::string> out;
  std::string after;
  for (;;) {
    auto rows = store.KvScan(ns, "", after, 1);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) break;
    const std::string &key = rows->front().first;
    size_t colon = key.find(':');
    size_t len = 0;
    if (colon == std::string::npos || colon == 0 || colon > 10 ||
        !absl::SimpleAtoi(key.substr(0, colon), &len) ||
        len > key.size() - colon - 1) {
      after = key;  // not a tenant key; step over it
      continue;
    }
    std::string tenant = key.substr(colon + 1, len);
    if (out.empty() || out.back() != tenant) out.push_back(tenant);
    // Every key with this tenant's prefix sorts before prefix + "\xff..."
    // (a key that does not is stepped over one at a time).
    std::string past = key.substr(0, colon + 1 + len) + std::string(16, '\xff');
    after = std::max(key, past);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace retain::plugin_host
