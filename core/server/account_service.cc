#include "core/server/account_service.h"

#include "core/server/tenant.h"
#include "core/server/unary.h"

namespace retain::server {

using namespace account::v1;  // NOLINT: the service's own messages

grpc::ServerUnaryReactor* AccountServiceImpl::CreateAccount(
    grpc::CallbackServerContext* ctx, const CreateAccountRequest* req,
    Account* resp) {
  return Reply(ctx,
               engine_->CreateAccount(TenantOf(ctx), req->account_id(),
                                      req->account(), req->request_id()),
               resp);
}

grpc::ServerUnaryReactor* AccountServiceImpl::GetAccount(
    grpc::CallbackServerContext* ctx, const GetAccountRequest* req,
    Account* resp) {
  return Reply(ctx, engine_->GetAccount(TenantOf(ctx), req->name()), resp);
}

grpc::ServerUnaryReactor* AccountServiceImpl::ListAccounts(
    grpc::CallbackServerContext* ctx, const ListAccountsRequest* req,
    ListAccountsResponse* resp) {
  return Reply(ctx, engine_->ListAccounts(TenantOf(ctx), *req), resp);
}

grpc::ServerUnaryReactor* AccountServiceImpl::UpdateAccount(
    grpc::CallbackServerContext* ctx, const UpdateAccountRequest* req,
    Account* resp) {
  return Reply(
      ctx, engine_->UpdateAccount(TenantOf(ctx), req->account(), req->update_mask()),
      resp);
}

grpc::ServerUnaryReactor* AccountServiceImpl::DeleteAccount(
    grpc::CallbackServerContext* ctx, const DeleteAccountRequest* req,
    DeleteAccountResponse* resp) {
  absl::StatusOr<int64_t> removed =
      engine_->DeleteAccount(TenantOf(ctx), req->name());
  if (!removed.ok()) {
    return Reply<DeleteAccountResponse>(ctx, removed.status(), resp);
  }
  DeleteAccountResponse r;
  r.set_deleted_signals(*removed);
  return Reply<DeleteAccountResponse>(ctx, std::move(r), resp);
}

}  // namespace retain::server
