// retainctl shows renewals that do not vanish and history that stays true:
// an overdue renewal in the portfolio report (table and HTML), and
// accounts archive, restore and erase against a real retaind.
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

class RetainctlHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = RetaindProcess::Start({});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    // Due 40 days ago, never renewed: overdue.
    Result created =
        Ctl({"accounts", "create", "late-co", "--name", "Late Co", "--arr",
             "8000", "--seats", "10", "--contract-start", DateDaysAgo(405),
             "--renewal", DateDaysAgo(40), "--csm", "kim"});
    ASSERT_EQ(created.exit_code, 0) << created;
    EXPECT_TRUE(absl::StrContains(created.out, "12 months")) << created;
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
  std::unique_ptr<RetaindProcess> server_;
};

TEST_F(RetainctlHistoryTest, OverdueRenewalInTheReportAndTheHtml) {
  const std::string html = RetaindProcess::MakeTempDir("html") + "/report.html";
  Result report =
      Ctl({"report", "portfolio", "--period", "1y", "--html", html});
  ASSERT_EQ(report.exit_code, 0) << report;
  EXPECT_TRUE(absl::StrContains(report.out, "Overdue renewals")) << report;
  EXPECT_TRUE(absl::StrContains(report.out, "late-co")) << report;
  const std::string page = ReadFile(html);
  EXPECT_TRUE(absl::StrContains(page, "<h3>Overdue renewals</h3>"));
  EXPECT_TRUE(absl::StrContains(page, "<td>Late Co</td>"));
}

TEST_F(RetainctlHistoryTest, ArchiveRestoreAndErase) {
  Result archived = Ctl({"accounts", "archive", "late-co"});
  ASSERT_EQ(archived.exit_code, 0) << archived;
  EXPECT_TRUE(absl::StrContains(archived.out, "archived")) << archived;
  EXPECT_FALSE(absl::StrContains(Ctl({"accounts", "list"}).out, "late-co"));
  EXPECT_TRUE(absl::StrContains(Ctl({"accounts", "list", "--archived"}).out,
                                "late-co"));

  ASSERT_EQ(Ctl({"accounts", "restore", "late-co"}).exit_code, 0);
  EXPECT_TRUE(absl::StrContains(Ctl({"accounts", "list"}).out, "late-co"));

  Result erased = Ctl({"accounts", "erase", "late-co"});
  ASSERT_EQ(erased.exit_code, 0) << erased;
  EXPECT_TRUE(absl::StartsWith(erased.out, "erased accounts/late-co: "))
      << erased;
  EXPECT_EQ(Ctl({"accounts", "get", "late-co"}).exit_code, 3);
  Result all = Ctl({"accounts", "list", "--archived"});
  ASSERT_EQ(all.exit_code, 0) << all;
  EXPECT_FALSE(absl::StrContains(all.out, "Late Co")) << all;
  EXPECT_TRUE(absl::StrContains(all.out, "Erased account")) << all;
}

}  // namespace
}  // namespace retain
