// Acknowledged accounts and signals survive a clean restart and a kill -9;
// replayed signal ids are counted once, before and after a restart.
#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

class DurabilityTest : public ServerTest {};

TEST_F(DurabilityTest, AcknowledgedDataSurvivesRestartAndKill) {
  StartServer();
  const auto a = CreateAccount("acme", 50000, 100, DaysAgo(400));
  const auto b = CreateAccount("birch", 9000, 20, DaysAgo(100));

  // 3 batches of 500 usage signals, one with a replayed id inside it.
  int64_t recorded = 0;
  for (int batch = 0; batch < 3; ++batch) {
    std::vector<signal::v1::Signal> sigs;
    for (int i = 0; i < 500; ++i) {
      const int n = batch * 500 + i;
      sigs.push_back(Usage(absl::StrCat("u-", n), n % 2 ? a.name() : b.name(),
                           DaysAgo(300 - n * 0.1), 10 + n % 50));
    }
    sigs.push_back(Usage("u-0", a.name(), DaysAgo(1), 1));  // replay
    signal::v1::RecordSignalsResponse resp;
    ASSERT_TRUE(Record(std::move(sigs), &resp).ok());
    recorded += resp.recorded();
    EXPECT_EQ(resp.duplicates(), 1);
  }
  EXPECT_EQ(recorded, 1500);

  RestartServer();
  signal::v1::RecordSignalsResponse again;
  ASSERT_TRUE(Record({Usage("u-7", a.name(), DaysAgo(2), 3)}, &again).ok());
  EXPECT_EQ(again.recorded(), 0);
  EXPECT_EQ(again.duplicates(), 1);

  // A crash right after acknowledgement loses nothing acknowledged.
  signal::v1::RecordSignalsResponse last;
  ASSERT_TRUE(Record({Touch("t-last", b.name(), DaysAgo(1))}, &last).ok());
  EXPECT_EQ(last.recorded(), 1);
  const std::string dir = server_->data_dir();
  server_->Kill();
  StartServer(dir);

  account::v1::ListAccountsRequest list;
  account::v1::ListAccountsResponse accounts;
  ASSERT_TRUE(accounts_->ListAccounts(Ctx().get(), list, &accounts).ok());
  ASSERT_EQ(accounts.accounts_size(), 2);
  EXPECT_EQ(accounts.accounts(0).name(), "accounts/acme");
  EXPECT_DOUBLE_EQ(accounts.accounts(0).arr(), 50000);
  EXPECT_EQ(accounts.accounts(1).licensed_seats(), 20);

  // Every acknowledged signal is listed once (plus the server's own
  // account-history signals, filtered out by kind).
  int64_t listed = 0;
  for (const auto& acct : {a.name(), b.name()}) {
    signal::v1::ListSignalsRequest req;
    req.set_account(acct);
    req.set_page_size(137);
    req.set_kind(signal::v1::SIGNAL_KIND_USAGE);
    while (true) {
      signal::v1::ListSignalsResponse page;
      ASSERT_TRUE(signals_->ListSignals(Ctx().get(), req, &page).ok());
      listed += page.signals_size();
      if (page.next_page_token().empty()) break;
      req.set_page_token(page.next_page_token());
    }
  }
  EXPECT_EQ(listed, 1500);
  signal::v1::ListSignalsRequest touches;
  touches.set_account(b.name());
  touches.set_kind(signal::v1::SIGNAL_KIND_TOUCHPOINT);
  signal::v1::ListSignalsResponse tp;
  ASSERT_TRUE(signals_->ListSignals(Ctx().get(), touches, &tp).ok());
  ASSERT_EQ(tp.signals_size(), 1);
  EXPECT_EQ(tp.signals(0).signal_id(), "t-last");
  EXPECT_TRUE(tp.signals(0).has_record_time());
  EXPECT_TRUE(server_->Stop().ok());
}

TEST_F(DurabilityTest, CreateWithSameRequestIdReturnsTheFirstAccount) {
  StartServer();
  account::v1::CreateAccountRequest req;
  req.set_account_id("dup");
  req.set_request_id("req-1");
  req.mutable_account()->set_display_name("Dup");
  req.mutable_account()->set_arr(1000);
  account::v1::Account first, second;
  ASSERT_TRUE(accounts_->CreateAccount(Ctx().get(), req, &first).ok());
  ASSERT_TRUE(accounts_->CreateAccount(Ctx().get(), req, &second).ok());
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(first.create_time().seconds(), second.create_time().seconds());
  req.clear_request_id();
  account::v1::Account third;
  EXPECT_EQ(accounts_->CreateAccount(Ctx().get(), req, &third).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  RestartServer();
  req.set_request_id("req-1");
  account::v1::Account after;
  ASSERT_TRUE(accounts_->CreateAccount(Ctx().get(), req, &after).ok());
  EXPECT_EQ(after.name(), "accounts/dup");
}

}  // namespace
}  // namespace retain::testing
