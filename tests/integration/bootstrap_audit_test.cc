// The first operator key on a new store, and the audit trail of what keys
// and people did (and failed to do).
#include <sys/stat.h>

#include "retain/account/v1/account.grpc.pb.h"
#include "tests/integration/auth_fixture.h"

namespace retain::testing {
namespace {

class BootstrapAuditTest : public AuthTest {};

TEST_F(BootstrapAuditTest, TheFirstOperatorKeyIsPrivateAndMadeOnce) {
  const std::string path = server_->data_dir() + "/operator.key";
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  // The secret is never in the log.
  std::ifstream log(server_->log_path());
  std::string text((std::istreambuf_iterator<char>(log)),
                   std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find(operator_key_), std::string::npos);
  EXPECT_NE(text.find("operator.key"), std::string::npos);

  auto stub = auth::v1::AuthService::NewStub(channel_);
  auth::v1::Caller caller;
  ASSERT_TRUE(stub->GetCaller(As(operator_key_).get(),
                              auth::v1::GetCallerRequest(), &caller)
                  .ok());
  EXPECT_EQ(caller.role(), auth::v1::ROLE_OPERATOR);
  EXPECT_EQ(caller.tenant(), "tenants/default");

  // A restart keeps the key and makes no second one.
  const std::string dir = server_->data_dir();
  ASSERT_TRUE(server_->Stop().ok());
  auto again = RetaindProcess::Start({.data_dir = dir, .auth = true});
  ASSERT_TRUE(again.ok()) << again.status();
  server_ = std::move(*again);
  channel_ = grpc::CreateChannel(server_->address(),
                                 grpc::InsecureChannelCredentials());
  stub = auth::v1::AuthService::NewStub(channel_);
  auth::v1::ListApiKeysResponse keys;
  ASSERT_TRUE(stub->ListApiKeys(As(operator_key_).get(),
                                auth::v1::ListApiKeysRequest(), &keys)
                  .ok());
  EXPECT_EQ(keys.api_keys_size(), 1);
  EXPECT_EQ(keys.api_keys(0).creator(), "bootstrap");
}

TEST_F(BootstrapAuditTest, ChangesAndFailedAuthenticationsAreAudited) {
  const std::string writer = CreateKey("default", auth::v1::ROLE_WRITER);
  auto accounts = account::v1::AccountService::NewStub(channel_);
  account::v1::CreateAccountRequest create;
  create.set_account_id("acme");
  create.mutable_account()->set_display_name("Acme");
  create.mutable_account()->set_arr(48000);
  account::v1::Account a;
  ASSERT_TRUE(accounts->CreateAccount(As(writer).get(), create, &a).ok());
  account::v1::UpdateAccountRequest upd;
  upd.mutable_account()->set_name("accounts/acme");
  upd.mutable_account()->set_arr(52000);
  upd.mutable_update_mask()->add_paths("arr");
  ASSERT_TRUE(accounts->UpdateAccount(As(writer).get(), upd, &a).ok());
  // A bad key and no key at all.
  account::v1::GetAccountRequest get;
  get.set_name("accounts/acme");
  EXPECT_EQ(accounts->GetAccount(As("rtk_0123456789ab_nope").get(), get, &a)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(accounts->GetAccount(As("").get(), get, &a).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  auto audit = auth::v1::AuditService::NewStub(channel_);
  auth::v1::ListAuditEventsResponse events;
  ASSERT_TRUE(audit
                  ->ListAuditEvents(As(operator_key_).get(),
                                    auth::v1::ListAuditEventsRequest(), &events)
                  .ok());
  // Newest first: the ARR edit, then the key's creation.
  ASSERT_GE(events.events_size(), 2);
  EXPECT_EQ(events.events(0).method(),
            "/retain.account.v1.AccountService/UpdateAccount");
  EXPECT_EQ(events.events(0).detail(), "arr 48000 -> 52000");
  EXPECT_EQ(events.events(1).method(),
            "/retain.auth.v1.AuthService/CreateApiKey");
  EXPECT_EQ(events.events(1).detail(), "role writer");

  // A writer cannot read the trail; failed authentications are the
  // operators' to read.
  EXPECT_EQ(audit
                ->ListAuditEvents(As(writer).get(),
                                  auth::v1::ListAuditEventsRequest(), &events)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  auth::v1::ListAuditEventsRequest failed;
  failed.set_failed_authentications(true);
  ASSERT_TRUE(
      audit->ListAuditEvents(As(operator_key_).get(), failed, &events).ok());
  ASSERT_EQ(events.events_size(), 2);
  EXPECT_EQ(events.events(0).principal(), "no valid credentials");
  EXPECT_EQ(events.events(1).principal(), "key 0123456789ab");
  EXPECT_EQ(events.events(1).outcome(), "UNAUTHENTICATED");
  EXPECT_EQ(events.events(1).method(),
            "/retain.account.v1.AccountService/GetAccount");
  // Paging walks the same list.
  failed.set_page_size(1);
  ASSERT_TRUE(
      audit->ListAuditEvents(As(operator_key_).get(), failed, &events).ok());
  ASSERT_EQ(events.events_size(), 1);
  failed.set_page_token(events.next_page_token());
  ASSERT_TRUE(
      audit->ListAuditEvents(As(operator_key_).get(), failed, &events).ok());
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).principal(), "key 0123456789ab");
  EXPECT_TRUE(events.next_page_token().empty());
}

}  // namespace
}  // namespace retain::testing
