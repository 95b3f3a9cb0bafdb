#include "core/store/tenant_key.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace retain::store {

std::string TenantKey(const std::string& tenant, const std::string& key) {
  return absl::StrCat(tenant.size(), ":", tenant, key);
}

bool SplitTenantKey(const std::string& stored, std::string* tenant,
                    std::string* key) {
  size_t colon = stored.find(':');
  size_t len = 0;
  if (colon == std::string::npos || colon == 0 || colon > 10 ||
      !absl::SimpleAtoi(stored.substr(0, colon), &len) ||
      len > stored.size() - colon - 1) {
    return false;
  }
  *tenant = stored.substr(colon + 1, len);
  *key = stored.substr(colon + 1 + len);
  return true;
}

}  // namespace retain::store
