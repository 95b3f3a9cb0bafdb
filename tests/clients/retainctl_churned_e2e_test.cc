// What a person sees of churned accounts through retainctl against a real
// retaind with the demo portfolio: `accounts list` says "churned" with no
// score, `--band churned` lists exactly the churned ones, `health` says
// churned, and the HTML report's retention table counts the period's churns.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/clients/retainctl_runner.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {
namespace {

// The demo churns demo-04, -13, -22 and -31 (every i with i % 9 == 4).
const std::set<std::string> kChurned = {"demo-04", "demo-13", "demo-22",
                                        "demo-31"};

std::vector<std::string> Words(absl::string_view line) {
  return absl::StrSplit(line, ' ', absl::SkipEmpty());
}

TEST(RetainctlChurned, ListHealthAndHtmlShowChurned) {
  auto server = RetaindProcess::Start({.extra_flags = {"--demo=true"}});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string addr = (*server)->address();

  const CtlResult all = Retainctl({"--server", addr, "accounts", "list"});
  ASSERT_EQ(all.exit_code, 0) << all;
  std::set<std::string> shown_churned;
  for (absl::string_view line : absl::StrSplit(all.out, '\n')) {
    const std::vector<std::string> w = Words(line);
    if (w.empty() || !absl::StartsWith(w[0], "demo-")) continue;
    // The lifecycle stage says churned too; the health cells are the score
    // ("-": none) followed by the band.
    for (size_t i = 1; i < w.size(); ++i) {
      if (w[i - 1] == "-" && w[i] == "churned") shown_churned.insert(w[0]);
    }
  }
  EXPECT_EQ(shown_churned, kChurned) << all.out;

  const CtlResult filtered =
      Retainctl({"--server", addr, "accounts", "list", "--band", "churned"});
  ASSERT_EQ(filtered.exit_code, 0) << filtered;
  std::set<std::string> listed;
  for (absl::string_view line : absl::StrSplit(filtered.out, '\n')) {
    const std::vector<std::string> w = Words(line);
    if (!w.empty() && absl::StartsWith(w[0], "demo-")) listed.insert(w[0]);
  }
  EXPECT_EQ(listed, kChurned) << filtered.out;

  const CtlResult health = Retainctl({"--server", addr, "health", "demo-04"});
  ASSERT_EQ(health.exit_code, 0) << health;
  EXPECT_TRUE(absl::StrContains(health.out, "health - churned")) << health;

  // In the last 365 days only demo-13, -22 and -31 were in the opening book
  // (demo-04 signed 272 days ago).
  const std::string html = RetaindProcess::MakeTempDir("html") + "/report.html";
  const CtlResult report = Retainctl({"--server", addr, "report", "portfolio",
                                      "--period", "365d", "--html", html});
  ASSERT_EQ(report.exit_code, 0) << report;
  EXPECT_TRUE(absl::StrContains(ReadFile(html), "<td>3 churned</td>"));
  EXPECT_TRUE((*server)->Stop().ok());
}

}  // namespace
}  // namespace retain::testing
