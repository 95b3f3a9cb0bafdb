// Which tenant a call acts for. Every engine call is tenant-scoped; until
// authentication exists every caller is the default tenant. When it does,
// the tenant will come from the authenticated identity here, never from a
// request field, so no storage migration is needed.
#ifndef RETAIN_CORE_SERVER_TENANT_H_
#define RETAIN_CORE_SERVER_TENANT_H_

#include <grpcpp/grpcpp.h>

#include <string>

namespace retain::server {

inline constexpr char kDefaultTenant[] = "default";

inline std::string TenantOf(const grpc::CallbackServerContext* /*ctx*/) {
  return kDefaultTenant;
}

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_TENANT_H_
