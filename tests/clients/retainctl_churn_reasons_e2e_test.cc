// retainctl records churn reasons and win-backs and shows them: `signals
// record --reason-code`, the reasons and win-back lines of `report
// portfolio` and the HTML report's sections, against a real retaind
// (docs/decisions/0033-churn-reasons-and-win-back.md).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/clients/retainctl_runner.h"
#include "tests/support/retaind_process.h"

namespace retain {
namespace {

using ::retain::testing::RetaindProcess;

using Result = ::retain::testing::CtlResult;
using ::retain::testing::ReadFile;
using ::retain::testing::Retainctl;

std::string DateDaysAgo(int days) {
  return absl::FormatTime("%Y-%m-%d", absl::Now() - absl::Hours(24 * days),
                          absl::UTCTimeZone());
}

class RetainctlChurnReasonsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = RetaindProcess::Start({});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
  }
  void TearDown() override {
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->Stop().ok());
    }
  }
  Result Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server_->address(), "--token", "t"});
    return Retainctl(args);
  }
  void Create(const std::string& id, const std::string& arr, int start_days) {
    Result r = Ctl({"accounts", "create", id, "--name", id, "--arr", arr,
                    "--seats", "10", "--contract-start",
                    DateDaysAgo(start_days), "--csm", "kim"});
    ASSERT_EQ(r.exit_code, 0) << r;
  }
  std::unique_ptr<RetaindProcess> server_;
};

// gone (7,000, 14 months old) churns for price 10 days ago; back (5,000)
// churned 400 days ago and is won back at 3,000 20 days ago.
TEST_F(RetainctlChurnReasonsTest, ReasonsAndWinBackInTheReports) {
  Create("gone", "7000", 430);
  Create("back", "5000", 600);
  Result unknown =
      Ctl({"signals", "record", "gone", "commercial", "commercial_kind=churn",
           "--reason-code", "pricey", "--at", DateDaysAgo(10)});
  EXPECT_NE(unknown.exit_code, 0) << unknown;
  EXPECT_TRUE(absl::StrContains(
      unknown.err, "commercial.reason_code: unknown reason code \"pricey\""))
      << unknown;
  Result churn =
      Ctl({"signals", "record", "gone", "commercial", "commercial_kind=churn",
           "reason=too expensive after the price rise", "--reason-code",
           "price", "--at", DateDaysAgo(10)});
  ASSERT_EQ(churn.exit_code, 0) << churn;
  ASSERT_EQ(Ctl({"signals", "record", "back", "commercial",
                 "commercial_kind=churn", "--at", DateDaysAgo(400)})
                .exit_code,
            0);
  Result win = Ctl({"signals", "record", "back", "commercial",
                    "commercial_kind=win_back", "arr_delta=3000", "--at",
                    DateDaysAgo(20)});
  ASSERT_EQ(win.exit_code, 0) << win;

  const std::string html = RetaindProcess::MakeTempDir("html") + "/report.html";
  Result report =
      Ctl({"report", "portfolio", "--period", "1y", "--html", html});
  ASSERT_EQ(report.exit_code, 0) << report;
  EXPECT_TRUE(absl::StrContains(report.out, "0 new, 1 won back, 1 churned"))
      << report.out;
  EXPECT_TRUE(absl::StrContains(report.out, "$3,000")) << report.out;
  EXPECT_TRUE(absl::StrContains(report.out, "Churn reasons")) << report.out;
  EXPECT_TRUE(absl::StrContains(report.out, "price")) << report.out;
  EXPECT_TRUE(absl::StrContains(report.out, "12-24 months")) << report.out;
  // NRR = (3,000 − 3,000 win-back) / 7,000 = 0%.
  EXPECT_TRUE(absl::StrContains(report.out, "0.0%")) << report.out;

  const std::string page = ReadFile(html);
  EXPECT_TRUE(absl::StrContains(page, "<h2>Churn reasons</h2>"));
  EXPECT_TRUE(absl::StrContains(
      page, "<tr><td>Price</td><td>1</td><td>$7,000</td><td>0</td>"))
      << page;
  EXPECT_TRUE(absl::StrContains(page, "<h2>Win-back</h2>"));
  EXPECT_TRUE(absl::StrContains(page, "<td>1</td><td>$3,000</td><td>0</td>"))
      << page;
}

}  // namespace
}  // namespace retain
