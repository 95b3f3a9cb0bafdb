// --demo loads the demo portfolio into an empty store only: a second start
// on the same store loads nothing again, and keeps what users changed.
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DemoStartTest : public ServerTest {
 protected:
  int TotalAccounts() {
    account::v1::ListAccountsResponse resp;
    grpc::Status s = accounts_->ListAccounts(
        Ctx().get(), account::v1::ListAccountsRequest(), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.total_size();
  }
  int SignalsOf(const std::string& account) {
    signal::v1::ListSignalsRequest req;
    req.set_account(account);
    req.set_page_size(1000);
    int n = 0;
    while (true) {
      signal::v1::ListSignalsResponse page;
      grpc::Status s = signals_->ListSignals(Ctx().get(), req, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) return -1;
      n += page.signals_size();
      if (page.next_page_token().empty()) return n;
      req.set_page_token(page.next_page_token());
    }
  }
};

TEST_F(DemoStartTest, ASecondStartDoesNotReloadTheDemo) {
  StartServer("", {"--demo=true"});
  const std::string dir = server_->data_dir();
  // The README's demo portfolio: 40 accounts, demo-00 to demo-39.
  ASSERT_EQ(TotalAccounts(), 40);
  EXPECT_TRUE(absl::StrContains(ReadFile(server_->log_path()),
                                "\"msg\":\"demo portfolio loaded\""));
  const int demo05_signals = SignalsOf("accounts/demo-05");
  ASSERT_GT(demo05_signals, 0);

  // A user's changes: one demo account gone, one of their own.
  account::v1::DeleteAccountRequest del;
  del.set_name("accounts/demo-03");
  account::v1::DeleteAccountResponse deleted;
  ASSERT_TRUE(accounts_->DeleteAccount(Ctx().get(), del, &deleted).ok());
  CreateAccount("mine", 12000, 10, DaysAgo(30));
  ASSERT_TRUE(server_->Stop().ok());

  StartServer(dir, {"--demo=true"});
  EXPECT_FALSE(absl::StrContains(ReadFile(server_->log_path()),
                                 "demo portfolio loaded"));
  EXPECT_EQ(TotalAccounts(), 40);  // 40 - demo-03 + mine
  account::v1::GetAccountRequest get;
  account::v1::Account out;
  get.set_name("accounts/demo-03");
  EXPECT_EQ(accounts_->GetAccount(Ctx().get(), get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  get.set_name("accounts/mine");
  EXPECT_TRUE(accounts_->GetAccount(Ctx().get(), get, &out).ok());
  // No demo signal was added twice.
  EXPECT_EQ(SignalsOf("accounts/demo-05"), demo05_signals);
}

TEST_F(DemoStartTest, DemoFalseLeavesAnEmptyStoreEmpty) {
  StartServer("", {"--demo=false"});
  EXPECT_EQ(TotalAccounts(), 0);
}

}  // namespace
}  // namespace retain::testing
