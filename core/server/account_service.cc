#include "core/server/account_service.h"

#include "absl/strings/str_cat.h"
#include "core/server/authorize.h"

namespace retain::server {

using namespace account::v1;  // NOLINT: the service's own messages

namespace {
constexpr char kService[] = "/retain.account.v1.AccountService/";
std::string M(const char* method) { return absl::StrCat(kService, method); }
}  // namespace

grpc::ServerUnaryReactor* AccountServiceImpl::CreateAccount(
    grpc::CallbackServerContext* ctx, const CreateAccountRequest* req,
    Account* resp) {
  return Authorized(
      ctx, *auth_, M("CreateAccount"), resp, [&](const auth::Identity& id) {
        return engine_->CreateAccount(id.tenant, req->account_id(),
                                      req->account(), req->request_id());
      });
}

grpc::ServerUnaryReactor* AccountServiceImpl::GetAccount(
    grpc::CallbackServerContext* ctx, const GetAccountRequest* req,
    Account* resp) {
  return Authorized(ctx, *auth_, M("GetAccount"), resp,
                    [&](const auth::Identity& id) {
                      return engine_->GetAccount(id.tenant, req->name());
                    });
}

grpc::ServerUnaryReactor* AccountServiceImpl::ListAccounts(
    grpc::CallbackServerContext* ctx, const ListAccountsRequest* req,
    ListAccountsResponse* resp) {
  return Authorized(ctx, *auth_, M("ListAccounts"), resp,
                    [&](const auth::Identity& id) {
                      return engine_->ListAccounts(id.tenant, *req);
                    });
}

grpc::ServerUnaryReactor* AccountServiceImpl::UpdateAccount(
    grpc::CallbackServerContext* ctx, const UpdateAccountRequest* req,
    Account* resp) {
  const std::string method = M("UpdateAccount");
  return Authorized(
      ctx, *auth_, method, resp,
      [&](const auth::Identity& id) -> absl::StatusOr<Account> {
        auto before = engine_->GetAccount(id.tenant, req->account().name());
        auto after = engine_->UpdateAccount(id.tenant, req->account(),
                                            req->update_mask());
        // ARR edits are audited: revenue figures change by hand here.
        if (before.ok() && after.ok() && before->arr() != after->arr()) {
          auth_->Audit(
              *ctx, id, method, after->name(), absl::OkStatus(),
              absl::StrCat("arr ", before->arr(), " -> ", after->arr()));
        }
        return after;
      });
}

grpc::ServerUnaryReactor* AccountServiceImpl::DeleteAccount(
    grpc::CallbackServerContext* ctx, const DeleteAccountRequest* req,
    DeleteAccountResponse* resp) {
  const std::string method = M("DeleteAccount");
  return Authorized(
      ctx, *auth_, method, resp,
      [&](const auth::Identity& id) -> absl::StatusOr<DeleteAccountResponse> {
        absl::StatusOr<int64_t> removed =
            engine_->DeleteAccount(id.tenant, req->name());
        auth_->Audit(*ctx, id, method, req->name(), removed.status(),
                     removed.ok() ? absl::StrCat(*removed, " signals deleted")
                                  : std::string(removed.status().message()));
        if (!removed.ok()) return removed.status();
        DeleteAccountResponse r;
        r.set_deleted_signals(*removed);
        return r;
      });
}

grpc::ServerUnaryReactor* AccountServiceImpl::ArchiveAccount(
    grpc::CallbackServerContext* ctx, const ArchiveAccountRequest* req,
    Account* resp) {
  const std::string method = M("ArchiveAccount");
  return Authorized(ctx, *auth_, method, resp,
                    [&](const auth::Identity& id) -> absl::StatusOr<Account> {
                      auto a = engine_->ArchiveAccount(id.tenant, req->name());
                      auth_->Audit(*ctx, id, method, req->name(), a.status(),
                                   "archived");
                      return a;
                    });
}

grpc::ServerUnaryReactor* AccountServiceImpl::RestoreAccount(
    grpc::CallbackServerContext* ctx, const RestoreAccountRequest* req,
    Account* resp) {
  const std::string method = M("RestoreAccount");
  return Authorized(ctx, *auth_, method, resp,
                    [&](const auth::Identity& id) -> absl::StatusOr<Account> {
                      auto a = engine_->RestoreAccount(id.tenant, req->name());
                      auth_->Audit(*ctx, id, method, req->name(), a.status(),
                                   "restored");
                      return a;
                    });
}

grpc::ServerUnaryReactor* AccountServiceImpl::EraseAccount(
    grpc::CallbackServerContext* ctx, const EraseAccountRequest* req,
    EraseAccountResponse* resp) {
  const std::string method = M("EraseAccount");
  return Authorized(
      ctx, *auth_, method, resp,
      [&](const auth::Identity& id) -> absl::StatusOr<EraseAccountResponse> {
        auto r = engine_->EraseAccount(id.tenant, req->name());
        // The audit names the anonymous account, which carries no
        // personal data, beside the erased name the caller gave.
        auth_->Audit(*ctx, id, method, req->name(), r.status(),
                     r.ok() ? absl::StrCat(r->deleted_signals(),
                                           " signals deleted, kept as ",
                                           r->anonymous_account())
                            : std::string(r.status().message()));
        return r;
      });
}

}  // namespace retain::server
