// Who a call acts as: the tenant it reads and writes, its role, and the
// principal (an API key, a certificate, or "dev") the audit trail names.
#ifndef RETAIN_CORE_AUTH_IDENTITY_H_
#define RETAIN_CORE_AUTH_IDENTITY_H_

#include <optional>
#include <string>

#include "retain/auth/v1/auth.pb.h"

namespace retain::auth {

using Role = auth::v1::Role;

struct Identity {
  std::string tenant;
  Role role = auth::v1::ROLE_UNSPECIFIED;
  // "tenants/{tenant}/apiKeys/{key_id}", "cert:<uri>" or "dev".
  std::string principal;
  // An API key's display name (may be empty); empty for the others. Plugins
  // record it next to the key id (who changed a task).
  std::string key_display_name;
};

// "reader", "writer", "admin", "operator" (and back).
std::string RoleName(Role role);
std::optional<Role> ParseRole(const std::string& name);

// Roles are ordered: each includes the ones before it.
inline bool Includes(Role have, Role need) {
  return static_cast<int>(have) >= static_cast<int>(need);
}

// 1-63 of [a-z0-9-], starting with a letter.
bool IsValidTenantId(const std::string& id);

}  // namespace retain::auth

#endif  // RETAIN_CORE_AUTH_IDENTITY_H_
