#include "core/auth/authorizer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/auth/method_roles.h"
#include "core/common/log.h"

namespace retain::auth {
namespace {

std::string StatusName(const absl::Status& s) {
  return absl::StatusCodeToString(s.code());
}

}  // namespace

absl::StatusOr<Identity> Authorizer::Authenticate(
    const grpc::ServerContextBase& ctx, const std::string& method) const {
  if (!enabled_) {
    return Identity{kDevTenant, auth::v1::ROLE_OPERATOR, "dev"};
  }
  if (cert_identity_) {
    if (std::optional<Identity> id = cert_identity_(ctx)) {
      if (keys_->TenantExists(id->tenant)) return *id;
      v1::AuditEvent e;
      e.set_principal(id->principal);
      e.set_method(method);
      e.set_peer(ctx.peer());
      e.set_outcome("UNAUTHENTICATED");
      e.set_detail("certificate names an unknown tenant");
      audit_->RecordFailedAuthentication(e);
      return absl::UnauthenticatedError(
          "the client certificate names a tenant that does not exist");
    }
  }
  std::string key_id;
  absl::Status failure;
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) {
    failure = absl::UnauthenticatedError(
        "no credentials: send `authorization: Bearer <API key>` (retainctl "
        "--token or RETAIN_TOKEN) or a client certificate");
  } else {
    std::string value(it->second.data(), it->second.size());
    if (!absl::StartsWith(value, "Bearer ")) {
      failure = absl::UnauthenticatedError(
          "authorization: expected \"Bearer <API key>\"");
    } else {
      auto id = keys_->Verify(value.substr(7), absl::Now(), &key_id);
      if (id.ok()) return id;
      failure = id.status();
    }
  }
  v1::AuditEvent e;
  e.set_principal(key_id.empty() ? "no valid credentials"
                                 : absl::StrCat("key ", key_id));
  e.set_method(method);
  e.set_peer(ctx.peer());
  e.set_outcome("UNAUTHENTICATED");
  e.set_detail(std::string(failure.message()));
  audit_->RecordFailedAuthentication(e);
  return failure;
}

absl::StatusOr<Identity> Authorizer::Authorize(
    const grpc::ServerContextBase& ctx, const std::string& method) const {
  auto id = Authenticate(ctx, method);
  if (!id.ok()) return id.status();
  std::optional<Role> need = RequiredRole(method);
  if (!need) {
    return absl::PermissionDeniedError(
        absl::StrCat(method, " is not callable by any role"));
  }
  if (!Includes(id->role, *need)) {
    return absl::PermissionDeniedError(
        absl::StrCat(method, " needs role ", RoleName(*need), "; ",
                     id->principal, " is ", RoleName(id->role)));
  }
  return id;
}

void Authorizer::Audit(const grpc::ServerContextBase& ctx, const Identity& who,
                       const std::string& method, const std::string& target,
                       const absl::Status& outcome,
                       const std::string& detail) const {
  if (audit_ == nullptr) return;
  v1::AuditEvent e;
  e.set_principal(who.principal);
  e.set_method(method);
  e.set_target(target);
  e.set_peer(ctx.peer());
  e.set_outcome(StatusName(outcome));
  e.set_detail(detail);
  if (absl::Status s = audit_->Record(who.tenant, e); !s.ok()) {
    common::Log("error", "cannot write the audit trail",
                {{"method", method}, {"error", s.ToString()}});
  }
}

}  // namespace retain::auth
