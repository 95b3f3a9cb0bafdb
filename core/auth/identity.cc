#include "core/auth/identity.h"

namespace retain::auth {

std::string RoleName(Role role) {
  switch (role) {
    case auth::v1::ROLE_READER:
      return "reader";
    case auth::v1::ROLE_WRITER:
      return "writer";
    case auth::v1::ROLE_ADMIN:
      return "admin";
    case auth::v1::ROLE_OPERATOR:
      return "operator";
    default:
      return "none";
  }
}

std::optional<Role> ParseRole(const std::string& name) {
  for (Role r : {auth::v1::ROLE_READER, auth::v1::ROLE_WRITER,
                 auth::v1::ROLE_ADMIN, auth::v1::ROLE_OPERATOR}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

bool IsValidTenantId(const std::string& id) {
  if (id.empty() || id.size() > 63 || id[0] < 'a' || id[0] > 'z') return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace retain::auth
