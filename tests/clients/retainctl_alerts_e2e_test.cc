// `retainctl alerts` end to end: the real binary against a real retaind,
// listing the alert history with filters as a table and as JSON, resuming
// from a position, following new alerts, and the exit codes of bad flags
// and of a resume the history cannot serve.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/clients/retainctl_runner.h"
#include "tests/support/retaind_process.h"

namespace retain {
namespace {

using ::retain::testing::RetaindProcess;
using Result = ::retain::testing::CtlResult;
using ::retain::testing::Retainctl;

class RetainctlAlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = RetaindProcess::Start({});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
  }
  void TearDown() override {
    if (server_ != nullptr) EXPECT_TRUE(server_->Stop().ok());
  }
  Result Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server_->address()});
    return Retainctl(args);
  }
  // A new account's first score is a band change: one alert each.
  void Create(const std::string& id) {
    Result r = Ctl({"accounts", "create", id, "--name", "Account " + id,
                    "--arr", "20000", "--seats", "10"});
    ASSERT_EQ(r.exit_code, 0) << r;
  }
  static std::vector<std::string> Lines(const std::string& out) {
    return absl::StrSplit(out, '\n', absl::SkipEmpty());
  }
  std::unique_ptr<RetaindProcess> server_;
};

TEST_F(RetainctlAlertsTest, ListsWithFiltersAsATableAndAsJson) {
  Create("alpha");
  Create("beta");
  Result all = Ctl({"alerts"});
  ASSERT_EQ(all.exit_code, 0) << all;
  std::vector<std::string> lines = Lines(all.out);
  ASSERT_EQ(lines.size(), 4u) << all;
  EXPECT_TRUE(absl::StartsWith(lines[0], "POSITION  TIME")) << all;
  // Newest first; POSITION is right-aligned under its header.
  EXPECT_TRUE(absl::StartsWith(lines[1], "       2  ")) << all;
  EXPECT_TRUE(absl::StrContains(lines[1], "health.band_changed  beta")) << all;
  EXPECT_TRUE(absl::StrContains(lines[2], "health.band_changed  alpha")) << all;
  EXPECT_EQ(lines[3], "2 alerts (history holds positions 1-2)") << all;

  Result json = Ctl({"alerts", "--account", "beta", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json;
  ASSERT_EQ(Lines(json.out).size(), 1u) << json;
  EXPECT_TRUE(absl::StrContains(json.out, "\"account\":\"accounts/beta\""))
      << json;
  EXPECT_TRUE(absl::StrContains(json.out, "\"position\":\"2\"")) << json;
  EXPECT_TRUE(absl::StrContains(json.out, "\"source\":\"core\"")) << json;

  Result oldest = Ctl({"alerts", "--oldest-first", "--limit", "1"});
  ASSERT_EQ(oldest.exit_code, 0) << oldest;
  EXPECT_TRUE(absl::StartsWith(Lines(oldest.out)[1], "       1  ")) << oldest;
  EXPECT_TRUE(absl::StrContains(oldest.out, "1 alerts")) << oldest;

  Result none = Ctl({"alerts", "--source", "onboarding"});
  ASSERT_EQ(none.exit_code, 0) << none;
  EXPECT_TRUE(absl::StrContains(none.out, "\n0 alerts")) << none;

  Result bad = Ctl({"alerts", "--severity", "high"});
  EXPECT_EQ(bad.exit_code, 2) << bad;
  EXPECT_TRUE(absl::StrContains(
      bad.err, "severity: must be info, warning or critical, got \"high\""))
      << bad;
  Result help = Retainctl({"alerts", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help;
  EXPECT_TRUE(absl::StrContains(help.out, "Usage: retainctl alerts")) << help;
  EXPECT_TRUE(absl::StrContains(help.out, "--resume-from")) << help;
  EXPECT_TRUE(absl::StrContains(help.out, "Exit codes:")) << help;
  Result bad_time = Ctl({"alerts", "--since", "yesterday-ish"});
  EXPECT_EQ(bad_time.exit_code, 2) << bad_time;
  EXPECT_TRUE(absl::StrContains(bad_time.err, "--since: ")) << bad_time;
}

TEST_F(RetainctlAlertsTest, ResumesFromAPositionOrSaysWhyNot) {
  for (const char* id : {"a", "b", "c"}) Create(id);
  Result resumed = Ctl({"alerts", "--resume-from", "1", "--limit", "2"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed;
  std::vector<std::string> lines = Lines(resumed.out);
  ASSERT_EQ(lines.size(), 2u) << resumed;
  EXPECT_TRUE(absl::StartsWith(lines[0], "2  ")) << resumed;
  EXPECT_TRUE(absl::StrContains(lines[0], "  b  ")) << resumed;
  EXPECT_TRUE(absl::StartsWith(lines[1], "3  ")) << resumed;
  EXPECT_TRUE(absl::StrContains(lines[1], "  c  ")) << resumed;

  Result past = Ctl({"alerts", "--resume-from", "99", "--limit", "1"});
  EXPECT_EQ(past.exit_code, 4) << past;
  EXPECT_TRUE(absl::StrContains(past.err, "OUT_OF_RANGE")) << past;
  EXPECT_TRUE(absl::StrContains(past.err, "past the newest alert, position 3"))
      << past;
}

TEST_F(RetainctlAlertsTest, FollowPrintsAlertsRaisedAfterItStarts) {
  Create("before");
  std::atomic<bool> done{false};
  Result followed;
  std::thread follow([&] {
    followed = Ctl({"alerts", "--follow", "--limit", "1"});
    done = true;
  });
  // The watch starts at some point; an account created after that is
  // printed. Keep creating until one is (no timing is assumed).
  for (int i = 0; i < 300 && !done; ++i) {
    Create(absl::StrCat("later-", i));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  follow.join();
  ASSERT_EQ(followed.exit_code, 0) << followed;
  std::vector<std::string> lines = Lines(followed.out);
  ASSERT_EQ(lines.size(), 1u) << followed;
  EXPECT_TRUE(absl::StrContains(lines[0], "health.band_changed  later-"))
      << followed;
  EXPECT_FALSE(absl::StrContains(lines[0], "before")) << followed;
}

}  // namespace
}  // namespace retain
