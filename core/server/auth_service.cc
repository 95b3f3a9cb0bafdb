#include "core/server/auth_service.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/proto_time.h"
#include "core/server/authorize.h"

namespace retain::server {
namespace {

using namespace auth::v1;  // NOLINT: the service's own messages

constexpr char kAuth[] = "/retain.auth.v1.AuthService/";
std::string M(const char* m) { return absl::StrCat(kAuth, m); }

// The tenant a request names ("tenants/{tenant}", or empty for the
// caller's own). Only an operator reaches another tenant; for anyone else a
// foreign tenant answers as if it did not exist.
absl::StatusOr<std::string> TenantOfParent(const auth::Identity& who,
                                           const std::string& parent,
                                           const std::string& field) {
  if (parent.empty()) return who.tenant;
  if (!absl::StartsWith(parent, "tenants/") || parent.size() <= 8) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be \"tenants/{tenant}\", got \"",
                     parent.substr(0, 80), "\""));
  }
  std::string tenant = parent.substr(8);
  if (tenant != who.tenant && who.role != ROLE_OPERATOR) {
    return absl::NotFoundError(absl::StrCat("no tenant \"", parent, "\""));
  }
  return tenant;
}

// Offset paging over an in-memory list.
template <typename T>
absl::Status Page(const std::vector<T>& all, int page_size,
                  const std::string& token, std::vector<T>* out,
                  std::string* next) {
  if (page_size < 0 || page_size > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 0-1000, got ", page_size));
  }
  const size_t size = page_size == 0 ? 100 : page_size;
  size_t offset = 0;
  if (!token.empty() && (!absl::StartsWith(token, "o:") ||
                         !absl::SimpleAtoi(token.substr(2), &offset))) {
    return absl::InvalidArgumentError(
        "page_token: not a token from a previous response");
  }
  for (size_t i = offset; i < all.size() && i < offset + size; ++i) {
    out->push_back(all[i]);
  }
  if (offset + size < all.size()) *next = absl::StrCat("o:", offset + size);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* AuthServiceImpl::CreateTenant(
    grpc::CallbackServerContext* ctx, const CreateTenantRequest* req,
    Tenant* resp) {
  const std::string method = M("CreateTenant");
  return Authorized(ctx, *auth_, method, resp,
                    [&](const auth::Identity& who) -> absl::StatusOr<Tenant> {
                      auto t = auth_->keys()->CreateTenant(
                          req->tenant_id(), req->tenant().display_name());
                      auth_->Audit(*ctx, who, method,
                                   "tenants/" + req->tenant_id(), t.status(),
                                   "");
                      return t;
                    });
}

grpc::ServerUnaryReactor* AuthServiceImpl::ListTenants(
    grpc::CallbackServerContext* ctx, const ListTenantsRequest* req,
    ListTenantsResponse* resp) {
  return Authorized(
      ctx, *auth_, M("ListTenants"), resp,
      [&](const auth::Identity&) -> absl::StatusOr<ListTenantsResponse> {
        std::vector<Tenant> page;
        ListTenantsResponse out;
        std::string next;
        absl::Status s = Page(auth_->keys()->Tenants(), req->page_size(),
                              req->page_token(), &page, &next);
        if (!s.ok()) return s;
        for (auto& t : page) *out.add_tenants() = std::move(t);
        out.set_next_page_token(next);
        return out;
      });
}

grpc::ServerUnaryReactor* AuthServiceImpl::CreateApiKey(
    grpc::CallbackServerContext* ctx, const CreateApiKeyRequest* req,
    CreateApiKeyResponse* resp) {
  const std::string method = M("CreateApiKey");
  return Authorized(
      ctx, *auth_, method, resp,
      [&](const auth::Identity& who) -> absl::StatusOr<CreateApiKeyResponse> {
        auto tenant = TenantOfParent(who, req->parent(), "parent");
        if (!tenant.ok()) return tenant.status();
        const Role role = req->api_key().role();
        // No one hands out more than they have.
        if (!auth::Includes(who.role, role)) {
          return absl::PermissionDeniedError(absl::StrCat(
              "api_key.role: ", who.principal, " is ", auth::RoleName(who.role),
              " and cannot create a key with role ", auth::RoleName(role)));
        }
        std::optional<absl::Time> expire;
        if (req->api_key().has_expire_time()) {
          expire = api::FromProto(req->api_key().expire_time());
        }
        auto created =
            auth_->keys()->CreateKey(*tenant, req->api_key().display_name(),
                                     role, expire, who.principal);
        auth_->Audit(*ctx, who, method,
                     created.ok() ? created->key.name()
                                  : absl::StrCat("tenants/", *tenant),
                     created.status(),
                     absl::StrCat("role ", auth::RoleName(role)));
        if (!created.ok()) return created.status();
        CreateApiKeyResponse out;
        *out.mutable_api_key() = created->key;
        out.set_secret(created->secret);
        return out;
      });
}

grpc::ServerUnaryReactor* AuthServiceImpl::ListApiKeys(
    grpc::CallbackServerContext* ctx, const ListApiKeysRequest* req,
    ListApiKeysResponse* resp) {
  return Authorized(
      ctx, *auth_, M("ListApiKeys"), resp,
      [&](const auth::Identity& who) -> absl::StatusOr<ListApiKeysResponse> {
        auto tenant = TenantOfParent(who, req->parent(), "parent");
        if (!tenant.ok()) return tenant.status();
        std::vector<ApiKey> page;
        std::string next;
        absl::Status s = Page(auth_->keys()->Keys(*tenant), req->page_size(),
                              req->page_token(), &page, &next);
        if (!s.ok()) return s;
        ListApiKeysResponse out;
        for (auto& k : page) *out.add_api_keys() = std::move(k);
        out.set_next_page_token(next);
        return out;
      });
}

grpc::ServerUnaryReactor* AuthServiceImpl::RevokeApiKey(
    grpc::CallbackServerContext* ctx, const RevokeApiKeyRequest* req,
    ApiKey* resp) {
  const std::string method = M("RevokeApiKey");
  return Authorized(
      ctx, *auth_, method, resp,
      [&](const auth::Identity& who) -> absl::StatusOr<ApiKey> {
        // tenants/{tenant}/apiKeys/{key_id}
        std::vector<std::string> parts = absl::StrSplit(req->name(), '/');
        if (parts.size() != 4 || parts[0] != "tenants" ||
            parts[2] != "apiKeys" || parts[3].empty()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "name: must be \"tenants/{tenant}/apiKeys/{key_id}\", got \"",
              req->name().substr(0, 80), "\""));
        }
        auto tenant =
            TenantOfParent(who, absl::StrCat("tenants/", parts[1]), "name");
        if (!tenant.ok()) {
          return absl::NotFoundError(
              absl::StrCat("no API key \"", req->name(), "\""));
        }
        auto revoked = auth_->keys()->Revoke(*tenant, parts[3]);
        auth_->Audit(*ctx, who, method, req->name(), revoked.status(), "");
        return revoked;
      });
}

grpc::ServerUnaryReactor* AuthServiceImpl::GetCaller(
    grpc::CallbackServerContext* ctx, const GetCallerRequest* /*req*/,
    Caller* resp) {
  return Authorized(ctx, *auth_, M("GetCaller"), resp,
                    [&](const auth::Identity& who) -> absl::StatusOr<Caller> {
                      Caller c;
                      c.set_tenant("tenants/" + who.tenant);
                      c.set_role(who.role);
                      c.set_principal(who.principal);
                      return c;
                    });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListAuditEvents(
    grpc::CallbackServerContext* ctx, const ListAuditEventsRequest* req,
    ListAuditEventsResponse* resp) {
  return Authorized(ctx, *auth_, "/retain.auth.v1.AuditService/ListAuditEvents",
                    resp,
                    [&](const auth::Identity& who)
                        -> absl::StatusOr<ListAuditEventsResponse> {
                      if (auth_->audit() == nullptr)
                        return ListAuditEventsResponse();
                      if (req->failed_authentications()) {
                        if (who.role != ROLE_OPERATOR) {
                          return absl::PermissionDeniedError(
                              "failed_authentications: operators only");
                        }
                        return auth_->audit()->List("", *req);
                      }
                      return auth_->audit()->List(who.tenant, *req);
                    });
}

}  // namespace retain::server
