// One tenant can never read, list, count, watch, alter or infer another's
// accounts, signals, reports, plugin data, keys or audit trail: a foreign
// resource answers as if it did not exist.
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/plugins/onboarding/v1/onboarding.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"
#include "tests/integration/auth_fixture.h"

namespace retain::testing {
namespace {

class TenantIsolationTest : public AuthTest {
 protected:
  void SetUp() override {
    AuthTest::SetUp();
    CreateTenant("alpha");
    CreateTenant("beta");
    alpha_ = CreateKey("alpha", auth::v1::ROLE_ADMIN);
    beta_ = CreateKey("beta", auth::v1::ROLE_ADMIN);
    accounts_ = account::v1::AccountService::NewStub(channel_);
    signals_ = signal::v1::SignalService::NewStub(channel_);
    reports_ = report::v1::ReportService::NewStub(channel_);
    // Alpha's book: one red-ish account with history and a plugin plan.
    account::v1::CreateAccountRequest create;
    create.set_account_id("acme");
    create.mutable_account()->set_display_name("Acme");
    create.mutable_account()->set_arr(120000);
    create.mutable_account()->set_licensed_seats(100);
    account::v1::Account a;
    ASSERT_TRUE(accounts_->CreateAccount(As(alpha_).get(), create, &a).ok());
    signal::v1::RecordSignalsRequest rec;
    auto* s = rec.add_signals();
    s->set_signal_id("u1");
    s->set_account("accounts/acme");
    s->mutable_occur_time()->set_seconds(
        std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count() -
        86400);
    s->mutable_usage()->set_active_users(2);
    signal::v1::RecordSignalsResponse r;
    ASSERT_TRUE(signals_->RecordSignals(As(alpha_).get(), rec, &r).ok());
    auto onboarding =
        plugins::onboarding::v1::OnboardingService::NewStub(channel_);
    plugins::onboarding::v1::StartOnboardingRequest start;
    start.set_account_id("acme");
    plugins::onboarding::v1::Plan plan;
    ASSERT_TRUE(
        onboarding->StartOnboarding(As(alpha_).get(), start, &plan).ok());
  }

  std::string alpha_, beta_;
  std::unique_ptr<account::v1::AccountService::Stub> accounts_;
  std::unique_ptr<signal::v1::SignalService::Stub> signals_;
  std::unique_ptr<report::v1::ReportService::Stub> reports_;
};

TEST_F(TenantIsolationTest, AForeignAccountDoesNotExist) {
  account::v1::GetAccountRequest get;
  get.set_name("accounts/acme");
  account::v1::Account a;
  EXPECT_TRUE(accounts_->GetAccount(As(alpha_).get(), get, &a).ok());
  grpc::Status s = accounts_->GetAccount(As(beta_).get(), get, &a);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "no account \"accounts/acme\"");

  // Writes to it fail the same way and change nothing.
  account::v1::UpdateAccountRequest upd;
  upd.mutable_account()->set_name("accounts/acme");
  upd.mutable_account()->set_display_name("taken");
  upd.mutable_update_mask()->add_paths("display_name");
  EXPECT_EQ(accounts_->UpdateAccount(As(beta_).get(), upd, &a).error_code(),
            grpc::StatusCode::NOT_FOUND);
  account::v1::DeleteAccountRequest del;
  del.set_name("accounts/acme");
  account::v1::DeleteAccountResponse dr;
  EXPECT_EQ(accounts_->DeleteAccount(As(beta_).get(), del, &dr).error_code(),
            grpc::StatusCode::NOT_FOUND);
  signal::v1::RecordSignalsRequest rec;
  auto* sig = rec.add_signals();
  sig->set_signal_id("x1");
  sig->set_account("accounts/acme");
  sig->mutable_occur_time()->set_seconds(1700000000);
  sig->mutable_usage()->set_active_users(1);
  signal::v1::RecordSignalsResponse rr;
  EXPECT_EQ(signals_->RecordSignals(As(beta_).get(), rec, &rr).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(accounts_->GetAccount(As(alpha_).get(), get, &a).ok());
  EXPECT_EQ(a.display_name(), "Acme");

  // Beta may create its own "acme": names are per tenant.
  account::v1::CreateAccountRequest create;
  create.set_account_id("acme");
  create.mutable_account()->set_display_name("Beta's Acme");
  EXPECT_TRUE(accounts_->CreateAccount(As(beta_).get(), create, &a).ok());
  ASSERT_TRUE(accounts_->GetAccount(As(alpha_).get(), get, &a).ok());
  EXPECT_EQ(a.display_name(), "Acme");
}

TEST_F(TenantIsolationTest, ListsCountsAndReportsSeeOnlyTheirTenant) {
  account::v1::ListAccountsRequest list;
  list.set_page_size(1);
  account::v1::ListAccountsResponse page;
  ASSERT_TRUE(accounts_->ListAccounts(As(beta_).get(), list, &page).ok());
  EXPECT_EQ(page.accounts_size(), 0);
  EXPECT_EQ(page.total_size(), 0);

  signal::v1::ListSignalsRequest ls;
  ls.set_account("accounts/acme");
  signal::v1::ListSignalsResponse signals;
  EXPECT_EQ(signals_->ListSignals(As(beta_).get(), ls, &signals).error_code(),
            grpc::StatusCode::NOT_FOUND);

  report::v1::GetAccountHealthRequest hr;
  hr.set_account("accounts/acme");
  report::v1::AccountHealth h;
  EXPECT_EQ(reports_->GetAccountHealth(As(beta_).get(), hr, &h).error_code(),
            grpc::StatusCode::NOT_FOUND);
  report::v1::ListAtRiskAccountsResponse risk;
  ASSERT_TRUE(reports_
                  ->ListAtRiskAccounts(As(beta_).get(),
                                       report::v1::ListAtRiskAccountsRequest(),
                                       &risk)
                  .ok());
  EXPECT_EQ(risk.total_size(), 0);
  EXPECT_EQ(risk.total_arr(), 0);
  report::v1::PortfolioReport alpha_report, beta_report;
  ASSERT_TRUE(reports_
                  ->GetPortfolioReport(As(alpha_).get(),
                                       report::v1::GetPortfolioReportRequest(),
                                       &alpha_report)
                  .ok());
  ASSERT_TRUE(reports_
                  ->GetPortfolioReport(As(beta_).get(),
                                       report::v1::GetPortfolioReportRequest(),
                                       &beta_report)
                  .ok());
  int alpha_accounts = 0, beta_accounts = 0;
  for (const auto& s : alpha_report.health_by_segment()) {
    alpha_accounts += s.green() + s.yellow() + s.red();
  }
  for (const auto& s : beta_report.health_by_segment()) {
    beta_accounts += s.green() + s.yellow() + s.red();
  }
  EXPECT_EQ(alpha_accounts, 1);
  EXPECT_EQ(beta_accounts, 0);

  // A page token of alpha's used by beta pages beta's (empty) list.
  account::v1::CreateAccountRequest create;
  create.set_account_id("zeta");
  create.mutable_account()->set_display_name("Zeta");
  account::v1::Account a;
  ASSERT_TRUE(accounts_->CreateAccount(As(alpha_).get(), create, &a).ok());
  ASSERT_TRUE(accounts_->ListAccounts(As(alpha_).get(), list, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  account::v1::ListAccountsResponse foreign;
  grpc::Status s = accounts_->ListAccounts(As(beta_).get(), list, &foreign);
  if (s.ok()) {
    EXPECT_EQ(foreign.accounts_size(), 0);
  } else {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
}

TEST_F(TenantIsolationTest, TheWatchCarriesOnlyItsTenant) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + beta_);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  report::v1::WatchHealthRequest req;
  req.set_include_current_red(true);
  auto reader = reports_->WatchHealth(&ctx, req);
  // Alpha's account changes band while beta watches.
  account::v1::UpdateAccountRequest upd;
  upd.mutable_account()->set_name("accounts/acme");
  upd.mutable_account()->set_arr(1000);
  upd.mutable_update_mask()->add_paths("arr");
  account::v1::Account a;
  ASSERT_TRUE(accounts_->UpdateAccount(As(alpha_).get(), upd, &a).ok());
  report::v1::HealthAlert alert;
  int seen = 0;
  while (reader->Read(&alert)) ++seen;
  EXPECT_EQ(seen, 0) << alert.ShortDebugString();
}

TEST_F(TenantIsolationTest, PluginDataKeysAndAuditStayHome) {
  auto onboarding =
      plugins::onboarding::v1::OnboardingService::NewStub(channel_);
  plugins::onboarding::v1::GetPlanRequest get;
  get.set_account_id("acme");
  plugins::onboarding::v1::Plan plan;
  EXPECT_TRUE(onboarding->GetPlan(As(alpha_).get(), get, &plan).ok());
  EXPECT_EQ(onboarding->GetPlan(As(beta_).get(), get, &plan).error_code(),
            grpc::StatusCode::NOT_FOUND);

  auto auth_stub = auth::v1::AuthService::NewStub(channel_);
  auth::v1::ListApiKeysRequest keys;
  keys.set_parent("tenants/alpha");
  auth::v1::ListApiKeysResponse listed;
  EXPECT_EQ(auth_stub->ListApiKeys(As(beta_).get(), keys, &listed).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(auth_stub->ListApiKeys(As(alpha_).get(), keys, &listed).ok());
  ASSERT_EQ(listed.api_keys_size(), 1);
  auth::v1::RevokeApiKeyRequest revoke;
  revoke.set_name(listed.api_keys(0).name());
  auth::v1::ApiKey k;
  EXPECT_EQ(auth_stub->RevokeApiKey(As(beta_).get(), revoke, &k).error_code(),
            grpc::StatusCode::NOT_FOUND);
  auth::v1::ListTenantsResponse tenants;
  EXPECT_EQ(auth_stub
                ->ListTenants(As(beta_).get(), auth::v1::ListTenantsRequest(),
                              &tenants)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Alpha's deletes are in alpha's audit trail, never in beta's.
  account::v1::DeleteAccountRequest del;
  del.set_name("accounts/acme");
  account::v1::DeleteAccountResponse dr;
  ASSERT_TRUE(accounts_->DeleteAccount(As(alpha_).get(), del, &dr).ok());
  auto audit = auth::v1::AuditService::NewStub(channel_);
  auth::v1::ListAuditEventsResponse alpha_events, beta_events;
  ASSERT_TRUE(audit
                  ->ListAuditEvents(As(alpha_).get(),
                                    auth::v1::ListAuditEventsRequest(),
                                    &alpha_events)
                  .ok());
  ASSERT_TRUE(audit
                  ->ListAuditEvents(As(beta_).get(),
                                    auth::v1::ListAuditEventsRequest(),
                                    &beta_events)
                  .ok());
  ASSERT_GE(alpha_events.events_size(), 1);
  const auto& newest = alpha_events.events(0);
  EXPECT_EQ(newest.method(), "/retain.account.v1.AccountService/DeleteAccount");
  EXPECT_EQ(newest.target(), "accounts/acme");
  EXPECT_EQ(newest.outcome(), "OK");
  EXPECT_EQ(newest.principal(), listed.api_keys(0).name());
  EXPECT_FALSE(newest.peer().empty());
  EXPECT_EQ(beta_events.events_size(), 0);
}

}  // namespace
}  // namespace retain::testing
