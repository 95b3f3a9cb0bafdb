// retain.auth.v1.AuthService and AuditService: tenants, API keys, the
// caller's identity, and the audit trail. Every change here is audited.
#ifndef RETAIN_CORE_SERVER_AUTH_SERVICE_H_
#define RETAIN_CORE_SERVER_AUTH_SERVICE_H_

#include "core/auth/authorizer.h"
#include "retain/auth/v1/audit.grpc.pb.h"
#include "retain/auth/v1/auth.grpc.pb.h"

namespace retain::server {

class AuthServiceImpl final : public auth::v1::AuthService::CallbackService {
 public:
  explicit AuthServiceImpl(const auth::Authorizer* auth) : auth_(auth) {}

  grpc::ServerUnaryReactor* CreateTenant(
      grpc::CallbackServerContext* ctx,
      const auth::v1::CreateTenantRequest* req,
      auth::v1::Tenant* resp) override;
  grpc::ServerUnaryReactor* ListTenants(
      grpc::CallbackServerContext* ctx, const auth::v1::ListTenantsRequest* req,
      auth::v1::ListTenantsResponse* resp) override;
  grpc::ServerUnaryReactor* CreateApiKey(
      grpc::CallbackServerContext* ctx,
      const auth::v1::CreateApiKeyRequest* req,
      auth::v1::CreateApiKeyResponse* resp) override;
  grpc::ServerUnaryReactor* ListApiKeys(
      grpc::CallbackServerContext* ctx, const auth::v1::ListApiKeysRequest* req,
      auth::v1::ListApiKeysResponse* resp) override;
  grpc::ServerUnaryReactor* RevokeApiKey(
      grpc::CallbackServerContext* ctx,
      const auth::v1::RevokeApiKeyRequest* req,
      auth::v1::ApiKey* resp) override;
  grpc::ServerUnaryReactor* GetCaller(grpc::CallbackServerContext* ctx,
                                      const auth::v1::GetCallerRequest* req,
                                      auth::v1::Caller* resp) override;

 private:
  const auth::Authorizer* auth_;
};

class AuditServiceImpl final : public auth::v1::AuditService::CallbackService {
 public:
  explicit AuditServiceImpl(const auth::Authorizer* auth) : auth_(auth) {}
  grpc::ServerUnaryReactor* ListAuditEvents(
      grpc::CallbackServerContext* ctx,
      const auth::v1::ListAuditEventsRequest* req,
      auth::v1::ListAuditEventsResponse* resp) override;

 private:
  const auth::Authorizer* auth_;
};

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_AUTH_SERVICE_H_
