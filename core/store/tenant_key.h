// Keys scoped to a tenant inside one KV namespace: "<len(tenant)>:<tenant>"
// followed by the key. The length prefix makes the split unambiguous
// whatever the tenant holds, and keeps prefix scans within one tenant. Used
// for plugins' KV entries and the server's own per-account bookkeeping.
#ifndef RETAIN_CORE_STORE_TENANT_KEY_H_
#define RETAIN_CORE_STORE_TENANT_KEY_H_

#include <string>

namespace retain::store {

std::string TenantKey(const std::string& tenant, const std::string& key);

// Splits a TenantKey; false when `stored` is not one.
bool SplitTenantKey(const std::string& stored, std::string* tenant,
                    std::string* key);

}  // namespace retain::store

#endif  // RETAIN_CORE_STORE_TENANT_KEY_H_
