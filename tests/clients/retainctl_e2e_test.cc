// retainctl end to end: the real binary against a real retaind, checking
// what a person or a script sees — output, stderr and exit codes.
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
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
using ::retain::testing::ReadFile;
using ::retain::testing::Retainctl;
using ::retain::testing::Runfile;

// Each test gets its own empty server: none reads what another wrote.
class RetainctlTest : public ::testing::Test {
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
  // retainctl --server <this server> args...
  Result Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server_->address(), "--token", "t"});
    return Retainctl(args);
  }
  std::unique_ptr<RetaindProcess> server_;
};

TEST(RetainctlHelp, EveryLevelHasHelpAndExitCodes) {
  for (std::vector<std::string> cmd :
       std::vector<std::vector<std::string>>{{},
                                             {"accounts"},
                                             {"accounts", "list"},
                                             {"accounts", "import"},
                                             {"signals"},
                                             {"signals", "import"},
                                             {"signals", "record"},
                                             {"health"},
                                             {"at-risk"},
                                             {"report"},
                                             {"report", "portfolio"},
                                             {"plugins"},
                                             {"plugins", "list"}}) {
    cmd.push_back("--help");
    Result r = Retainctl(cmd);
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_TRUE(absl::StrContains(r.out, "Usage: retainctl")) << r;
    EXPECT_TRUE(absl::StrContains(r.out, "Exit codes:")) << r;
  }
}

TEST(RetainctlUsage, BadFlagsAndMissingCommandsExitTwo) {
  EXPECT_EQ(Retainctl({}).exit_code, 2);
  EXPECT_EQ(Retainctl({"accounts", "list", "--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(Retainctl({"accounts", "get"}).exit_code, 2);
  EXPECT_EQ(Retainctl({"--output", "yaml", "accounts", "list"}).exit_code, 2);
}

TEST(RetainctlUnavailable, NoServerExitsSeven) {
  Result r = Retainctl(
      {"--server", "127.0.0.1:1", "--timeout", "2", "accounts", "list"});
  EXPECT_EQ(r.exit_code, 7) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "UNAVAILABLE")) << r;
}

TEST_F(RetainctlTest, ImportsAccountsThenSignalsWithRejectsAndResumes) {
  // Accounts: one row is bad (negative ARR); the rest go in.
  Result accounts = Ctl(
      {"accounts", "import", Runfile("tests/clients/testdata/accounts.csv")});
  EXPECT_EQ(accounts.exit_code, 10) << accounts;
  EXPECT_TRUE(absl::StrContains(accounts.err, "line 4: rejected: arr:"))
      << accounts;
  EXPECT_TRUE(absl::StrContains(accounts.out,
                                "4 rows: 3 created, 0 updated, "
                                "0 already present, 1 rejected"))
      << accounts;
  // Re-running creates nothing new.
  Result again = Ctl(
      {"accounts", "import", Runfile("tests/clients/testdata/accounts.csv")});
  EXPECT_EQ(again.exit_code, 10) << again;
  EXPECT_TRUE(absl::StrContains(again.out,
                                "0 created, 0 updated, 3 already "
                                "present, 1 rejected"))
      << again;

  Result get = Ctl({"accounts", "get", "initech"});
  EXPECT_EQ(get.exit_code, 0) << get;
  EXPECT_TRUE(absl::StrContains(get.out, "Initech, \"the\" company")) << get;
  EXPECT_TRUE(absl::StrContains(get.out, "value_realisation")) << get;

  // Signals in batches of 3: bad rows are reported by line and skipped,
  // including one only the server can judge (a contraction below zero ARR),
  // found by replaying the rejected batch.
  const std::string csv = Runfile("tests/clients/testdata/signals.csv");
  Result first = Ctl({"signals", "import", csv, "--batch-size", "3"});
  EXPECT_EQ(first.exit_code, 10) << first;
  EXPECT_TRUE(absl::StrContains(first.err, "line 4: rejected: survey.score:"))
      << first;
  EXPECT_TRUE(absl::StrContains(
      first.err, "line 9: rejected: account: accounts/nobody does not exist"))
      << first;
  EXPECT_TRUE(absl::StrContains(first.err, "line 10: rejected:")) << first;
  EXPECT_TRUE(absl::StrContains(first.err, "line 13: rejected: occur_time:"))
      << first;
  // Not a terminal: plain progress lines, no carriage returns.
  EXPECT_TRUE(absl::StrContains(first.err, "rows/s")) << first;
  EXPECT_EQ(first.err.find('\r'), std::string::npos) << first;
  // 7 rows stored; the server does not say which rows of the stream it cut
  // short were new, so their split is reported as uncertain.
  EXPECT_TRUE(absl::StrContains(first.out, "11 rows: ")) << first;
  EXPECT_TRUE(absl::StrContains(first.out, "4 rejected")) << first;
  {
    int recorded = 0, present = 0;
    const size_t at = first.out.find("11 rows: ");
    ASSERT_EQ(
        sscanf(first.out.c_str() + at,
               "11 rows: %d recorded, %d already present", &recorded, &present),
        2)
        << first;
    EXPECT_EQ(recorded + present, 7) << first;
  }

  // Re-run: idempotent, the same rows rejected.
  Result second = Ctl({"signals", "import", csv, "--output", "json"});
  EXPECT_EQ(second.exit_code, 10) << second;
  EXPECT_TRUE(absl::StrContains(second.out, "\"recorded\":0")) << second;
  EXPECT_TRUE(absl::StrContains(second.out, "\"duplicates\":7")) << second;
  EXPECT_TRUE(absl::StrContains(second.out, "\"rejected\":4")) << second;

  // The multi-line quoted comment arrived intact.
  Result list = Ctl({"signals", "list", "initech", "--kind", "survey"});
  EXPECT_EQ(list.exit_code, 0) << list;
  EXPECT_TRUE(absl::StrContains(list.out, "\"slow, and\nbuggy\"")) << list;

  // Export as JSON Lines and import it back: every signal is a duplicate.
  Result exported = Ctl({"--output", "json", "signals", "list", "acme"});
  ASSERT_EQ(exported.exit_code, 0) << exported;
  const std::string jsonl =
      RetaindProcess::MakeTempDir("export") + "/acme.jsonl";
  std::ofstream(jsonl) << exported.out;
  Result reimport = Ctl({"signals", "import", jsonl});
  EXPECT_EQ(reimport.exit_code, 0) << reimport;
  EXPECT_TRUE(absl::StrContains(reimport.out, " 0 recorded")) << reimport;
  EXPECT_TRUE(absl::StrContains(reimport.out, " 0 rejected")) << reimport;
}

TEST_F(RetainctlTest, AccountCrudTablesJsonAndExitCodes) {
  Result created = Ctl({"accounts", "create", "crud-co", "--name", "Crud Co",
                        "--arr", "80000", "--seats", "50", "--contract-start",
                        "2024-02-01", "--csm", "kim"});
  ASSERT_EQ(created.exit_code, 0) << created;
  EXPECT_TRUE(absl::StrContains(created.out, "dedicated (from ARR)"))
      << created;

  Result dup = Ctl({"accounts", "create", "crud-co", "--name", "Again"});
  EXPECT_EQ(dup.exit_code, 5) << dup;

  Result updated = Ctl({"-o", "json", "accounts", "update", "crud-co", "--arr",
                        "30000", "--segment", "pooled"});
  ASSERT_EQ(updated.exit_code, 0) << updated;
  EXPECT_TRUE(absl::StrContains(updated.out, "\"segment\":\"SEGMENT_POOLED\""))
      << updated;
  EXPECT_TRUE(absl::StrContains(updated.out, "\"segment_overridden\":true"))
      << updated;
  EXPECT_TRUE(absl::StrContains(updated.out, "\"display_name\":\"Crud Co\""))
      << updated;

  Result table = Ctl({"accounts", "list", "--csm", "kim"});
  ASSERT_EQ(table.exit_code, 0) << table;
  std::vector<std::string> lines = absl::StrSplit(table.out, '\n');
  ASSERT_GE(lines.size(), 2u) << table;
  EXPECT_TRUE(absl::StartsWith(lines[0], "ACCOUNT  NAME")) << table;
  EXPECT_TRUE(absl::StartsWith(lines[1], "crud-co  Crud Co")) << table;
  // Columns line up: ARR is right-aligned under its header.
  EXPECT_EQ(lines[0].find("ARR") + 3, lines[1].find("$30,000") + 7) << table;

  Result rec = Ctl({"signals", "record", "crud-co", "survey", "survey_kind=nps",
                    "score=9", "--at", "2025-02-01"});
  EXPECT_EQ(rec.exit_code, 0) << rec;
  Result rec_again = Ctl({"signals", "record", "crud-co", "survey",
                          "survey_kind=nps", "score=9", "--at", "2025-02-01"});
  EXPECT_TRUE(absl::StartsWith(rec_again.out, "already recorded h-"))
      << rec_again;
  EXPECT_EQ(Ctl({"signals", "record", "crud-co", "survey", "survey_kind=nps",
                 "score=12"})
                .exit_code,
            2);

  Result del = Ctl({"accounts", "delete", "crud-co"});
  EXPECT_EQ(del.exit_code, 0) << del;
  Result missing = Ctl({"accounts", "get", "crud-co"});
  EXPECT_EQ(missing.exit_code, 3) << missing;
  EXPECT_TRUE(absl::StrContains(missing.err, "NOT_FOUND")) << missing;
}

TEST(RetainctlDemo, AtRiskHealthAndHtmlReport) {
  auto server = RetaindProcess::Start({.extra_flags = {"--demo=true"}});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string addr = (*server)->address();

  Result risk = Retainctl({"--server", addr, "at-risk"});
  ASSERT_EQ(risk.exit_code, 0) << risk;
  EXPECT_TRUE(absl::StartsWith(risk.out, "ACCOUNT")) << risk;
  EXPECT_TRUE(absl::StrContains(risk.out, "accounts at risk")) << risk;
  const std::string first_red =
      std::vector<std::string>(absl::StrSplit(risk.out, '\n'))[1].substr(
          0, risk.out.find(' ', risk.out.find('\n') + 1) - risk.out.find('\n') -
                 1);

  Result health = Retainctl({"--server", addr, "health", first_red});
  ASSERT_EQ(health.exit_code, 0) << health;
  EXPECT_TRUE(absl::StrContains(health.out, "engagement")) << health;
  EXPECT_TRUE(absl::StrContains(health.out, "red")) << health;

  const std::string html = RetaindProcess::MakeTempDir("html") + "/report.html";
  Result report = Retainctl({"--server", addr, "report", "portfolio",
                             "--period", "1y", "--html", html});
  ASSERT_EQ(report.exit_code, 0) << report;
  EXPECT_TRUE(absl::StrContains(report.out, "NRR")) << report;
  EXPECT_TRUE(absl::StrContains(report.out, "Health by segment")) << report;
  const std::string page = ReadFile(html);
  for (const char* chart :
       {"health-by-segment", "retention-trend", "at-risk", "coverage"}) {
    EXPECT_TRUE(absl::StrContains(
        page, absl::StrCat("data-chart=\"", chart, "\" data-empty=\"false\"")))
        << chart;
  }
  EXPECT_TRUE((*server)->Stop().ok());
}

}  // namespace
}  // namespace retain
