// Authenticates a call (a client certificate's identity, else an API key in
// `authorization: Bearer <key>` metadata) and checks its role against the
// method's (method_roles.h). Failed authentications go to the audit trail.
// With authentication off (loopback development only; see --auth) every call
// is the operator of tenant "default".
#ifndef RETAIN_CORE_AUTH_AUTHORIZER_H_
#define RETAIN_CORE_AUTH_AUTHORIZER_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/auth/audit_log.h"
#include "core/auth/identity.h"
#include "core/auth/key_store.h"
#include "grpcpp/server_context.h"

namespace retain::auth {

inline constexpr char kDevTenant[] = "default";

class Authorizer {
 public:
  // The identity a verified client certificate stands for, if any.
  using CertIdentity =
      std::function<std::optional<Identity>(const grpc::ServerContextBase&)>;

  // `keys` and `audit` may be null only when `enabled` is false.
  Authorizer(bool enabled, KeyStore* keys, AuditLog* audit,
             CertIdentity cert_identity = nullptr)
      : enabled_(enabled),
        keys_(keys),
        audit_(audit),
        cert_identity_(std::move(cert_identity)) {}

  // The caller's identity when it may call `method`; UNAUTHENTICATED or
  // PERMISSION_DENIED (naming the method, the role it needs and the
  // caller's) otherwise.
  absl::StatusOr<Identity> Authorize(const grpc::ServerContextBase& ctx,
                                     const std::string& method) const;

  bool enabled() const { return enabled_; }
  AuditLog* audit() const { return audit_; }
  KeyStore* keys() const { return keys_; }

  // Records an audited action of `who` (the server's own record keeping for
  // key changes, deletes, ARR edits, plugin resumes).
  void Audit(const grpc::ServerContextBase& ctx, const Identity& who,
             const std::string& method, const std::string& target,
             const absl::Status& outcome, const std::string& detail) const;

 private:
  absl::StatusOr<Identity> Authenticate(const grpc::ServerContextBase& ctx,
                                        const std::string& method) const;

  bool enabled_;
  KeyStore* keys_;
  AuditLog* audit_;
  CertIdentity cert_identity_;
};

}  // namespace retain::auth

#endif  // RETAIN_CORE_AUTH_AUTHORIZER_H_
