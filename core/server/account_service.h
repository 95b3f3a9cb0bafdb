#ifndef RETAIN_CORE_SERVER_ACCOUNT_SERVICE_H_
#define RETAIN_CORE_SERVER_ACCOUNT_SERVICE_H_

#include "core/auth/authorizer.h"
#include "core/engine/engine.h"
#include "retain/account/v1/account.grpc.pb.h"

namespace retain::server {

class AccountServiceImpl final
    : public account::v1::AccountService::CallbackService {
 public:
  AccountServiceImpl(engine::Engine* engine, const auth::Authorizer* auth)
      : engine_(engine), auth_(auth) {}

  grpc::ServerUnaryReactor* CreateAccount(
      grpc::CallbackServerContext* ctx,
      const account::v1::CreateAccountRequest* req,
      account::v1::Account* resp) override;
  grpc::ServerUnaryReactor* GetAccount(
      grpc::CallbackServerContext* ctx,
      const account::v1::GetAccountRequest* req,
      account::v1::Account* resp) override;
  grpc::ServerUnaryReactor* ListAccounts(
      grpc::CallbackServerContext* ctx,
      const account::v1::ListAccountsRequest* req,
      account::v1::ListAccountsResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateAccount(
      grpc::CallbackServerContext* ctx,
      const account::v1::UpdateAccountRequest* req,
      account::v1::Account* resp) override;
  grpc::ServerUnaryReactor* DeleteAccount(
      grpc::CallbackServerContext* ctx,
      const account::v1::DeleteAccountRequest* req,
      account::v1::DeleteAccountResponse* resp) override;
  grpc::ServerUnaryReactor* ArchiveAccount(
      grpc::CallbackServerContext* ctx,
      const account::v1::ArchiveAccountRequest* req,
      account::v1::Account* resp) override;
  grpc::ServerUnaryReactor* RestoreAccount(
      grpc::CallbackServerContext* ctx,
      const account::v1::RestoreAccountRequest* req,
      account::v1::Account* resp) override;
  grpc::ServerUnaryReactor* EraseAccount(
      grpc::CallbackServerContext* ctx,
      const account::v1::EraseAccountRequest* req,
      account::v1::EraseAccountResponse* resp) override;

 private:
  engine::Engine* engine_;
  const auth::Authorizer* auth_;
};

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_ACCOUNT_SERVICE_H_
