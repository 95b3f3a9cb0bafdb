// The one table of which role each RPC needs: every method of every core
// service, and the rule for plugin methods. A test walks every method of
// every service against every role (tests/integration/roles_test.cc).
#ifndef RETAIN_CORE_AUTH_METHOD_ROLES_H_
#define RETAIN_CORE_AUTH_METHOD_ROLES_H_

#include <optional>
#include <string>
#include <vector>

#include "core/auth/identity.h"

namespace retain::auth {

// The role `method` ("/package.Service/Method") needs; nullopt for a method
// nobody may call (unknown). Plugin methods ("/retain.plugins.*"): those
// whose name starts with Get, List or Watch read (reader); every other
// plugin method writes (writer).
std::optional<Role> RequiredRole(const std::string& method);

}  // namespace retain::auth

#endif  // RETAIN_CORE_AUTH_METHOD_ROLES_H_
