// --durability=normal (SQLite synchronous=NORMAL) still survives a crash of
// retaind: acknowledged accounts, updates and signals are there after
// kill -9. (Power loss, which it may not survive, is not tested here.)
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DurabilityNormalTest : public ServerTest {};

TEST_F(DurabilityNormalTest, AcknowledgedWritesSurviveKill) {
  StartServer("", {"--durability=normal"});
  EXPECT_TRUE(absl::StrContains(ReadFile(server_->log_path()),
                                "\"durability\":\"normal\""));
  const std::string a = CreateAccount("norm", 40000, 40, DaysAgo(200)).name();
  int64_t recorded = 0;
  for (int b = 0; b < 5; ++b) {
    std::vector<signal::v1::Signal> batch;
    for (int i = 0; i < 200; ++i) {
      batch.push_back(Usage(absl::StrCat("n-", b, "-", i), a,
                            DaysAgo(100 - b - i * 0.01), 20));
    }
    signal::v1::RecordSignalsResponse resp;
    ASSERT_TRUE(Record(std::move(batch), &resp).ok());
    recorded += resp.recorded();
  }
  ASSERT_EQ(recorded, 1000);
  account::v1::UpdateAccountRequest update;
  update.mutable_account()->set_name(a);
  update.mutable_account()->set_arr(45000);
  update.mutable_update_mask()->add_paths("arr");
  account::v1::Account updated;
  ASSERT_TRUE(accounts_->UpdateAccount(Ctx().get(), update, &updated).ok());
  signal::v1::RecordSignalsResponse last;
  ASSERT_TRUE(Record({Touch("n-last", a, DaysAgo(1))}, &last).ok());

  const std::string dir = server_->data_dir();
  server_->Kill();
  StartServer(dir, {"--durability=normal"});

  account::v1::GetAccountRequest get;
  get.set_name(a);
  account::v1::Account after;
  ASSERT_TRUE(accounts_->GetAccount(Ctx().get(), get, &after).ok());
  EXPECT_DOUBLE_EQ(after.arr(), 45000);
  signal::v1::ListSignalsRequest list;
  list.set_account(a);
  list.set_kind(signal::v1::SIGNAL_KIND_USAGE);
  list.set_page_size(1000);
  signal::v1::ListSignalsResponse page;
  ASSERT_TRUE(signals_->ListSignals(Ctx().get(), list, &page).ok());
  EXPECT_EQ(page.signals_size(), 1000);
  list.set_kind(signal::v1::SIGNAL_KIND_TOUCHPOINT);
  ASSERT_TRUE(signals_->ListSignals(Ctx().get(), list, &page).ok());
  ASSERT_EQ(page.signals_size(), 1);
  EXPECT_EQ(page.signals(0).signal_id(), "n-last");

  // The same store opens with full durability too.
  ASSERT_TRUE(server_->Stop().ok());
  StartServer(dir, {"--durability=full"});
  EXPECT_TRUE(absl::StrContains(ReadFile(server_->log_path()),
                                "\"durability\":\"full\""));
  ASSERT_TRUE(accounts_->GetAccount(Ctx().get(), get, &after).ok());
}

TEST_F(DurabilityNormalTest, OtherValuesAreRefused) {
  auto p = RetaindProcess::Start({"", {"--durability=fast"}});
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(std::string(p.status().message()),
              HasSubstr("--durability must be full or normal"));
  EXPECT_THAT(std::string(p.status().message()), HasSubstr("\"got\":\"fast\""));
}

}  // namespace
}  // namespace retain::testing
