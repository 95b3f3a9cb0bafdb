// retainctl's plugin verbs end to end: a real retaind with the four bundled
// plugins loaded from their .so files, driven through the real retainctl
// binary — `plugins list`, then milestones, opportunities, referrals and
// feedback; and exit code 8 from a server without the plugins.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/clients/retainctl_runner.h"
#include "tests/support/retaind_process.h"

namespace retain {
namespace {

using Result = ::retain::testing::CtlResult;
using ::retain::testing::Retainctl;
using ::retain::testing::RetaindProcess;
using ::retain::testing::Runfile;

constexpr const char* kBundled[] = {"onboarding", "expansion", "advocacy",
                                    "voc"};

std::string PluginsFlag() {
  std::vector<std::string> paths;
  for (const char* name : kBundled) {
    paths.push_back(
        Runfile(absl::StrCat("plugins/", name, "/lib", name, ".so")));
  }
  return "--plugins=" + absl::StrJoin(paths, ",");
}

// The value of "field":"..." in one line of proto JSON.
std::string JsonString(const std::string& json, const std::string& field) {
  const std::string key = absl::StrCat("\"", field, "\":\"");
  const size_t at = json.find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size();
  return json.substr(start, json.find('"', start) - start);
}

// The table line that starts with `first_cell`, or "".
std::string Row(const std::string& table, const std::string& first_cell) {
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    if (absl::StartsWith(line, first_cell + " ")) return std::string(line);
  }
  return "";
}

class RetainctlPluginsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto p = RetaindProcess::Start({.extra_flags = {PluginsFlag()}});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = p->release();
    Result acme =
        Ctl({"accounts", "create", "acme", "--name", "Acme", "--arr", "120000",
             "--seats", "100", "--contract-start", "2024-01-01"});
    ASSERT_EQ(acme.exit_code, 0) << acme;
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->Stop().ok());
    }
    delete server_;
    server_ = nullptr;
  }
  static Result Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server_->address(), "--token", "t"});
    return Retainctl(args);
  }
  static RetaindProcess* server_;
};
RetaindProcess* RetainctlPluginsTest::server_ = nullptr;

TEST(RetainctlPluginHelp, EveryPluginVerbHasHelpAndExitCodes) {
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{
           {"milestones"},
           {"milestones", "start"},
           {"opportunities"},
           {"opportunities", "list"},
           {"opportunities", "create"},
           {"opportunities", "stage"},
           {"opportunities", "forecast"},
           {"opportunities", "suggestions"},
           {"referrals"},
           {"referrals", "champions"},
           {"referrals", "ask"},
           {"referrals", "case-study"},
           {"referrals", "case-study", "advance"},
           {"referrals", "create"},
           {"referrals", "update"},
           {"referrals", "flywheel"},
           {"feedback"},
           {"feedback", "list"},
           {"feedback", "add"},
           {"feedback", "action"},
           {"feedback", "action", "status"},
           {"feedback", "metrics"}}) {
    cmd.push_back("--help");
    Result r = Retainctl(cmd);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(cmd, " ") << "\n" << r;
    EXPECT_TRUE(absl::StrContains(r.out, "Usage: retainctl")) << r;
    EXPECT_TRUE(absl::StrContains(r.out, "Exit codes:")) << r;
  }
  // Enum arguments list their choices and reject unknown names (usage: 2).
  Result bad = Retainctl({"--server", "127.0.0.1:1", "opportunities", "create",
                          "acme", "--type", "bogus", "--amount", "10"});
  EXPECT_EQ(bad.exit_code, 2) << bad;
  EXPECT_TRUE(absl::StrContains(bad.err, "upsell, cross_sell, seats")) << bad;
}

TEST(RetainctlPluginsMissing, PluginVerbsExitEightWithoutThePlugin) {
  // The only "plugin" is a library without the entry point: refused.
  auto server = RetaindProcess::Start(
      {.extra_flags = {"--plugins=" +
                       Runfile("plugins/fixtures/libno_entry.so")}});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string addr = (*server)->address();
  for (std::vector<std::string> cmd :
       std::vector<std::vector<std::string>>{{"milestones", "metrics"},
                                             {"opportunities", "list"},
                                             {"referrals", "flywheel"},
                                             {"feedback", "list"}}) {
    cmd.insert(cmd.begin(), {"--server", addr});
    Result r = Retainctl(cmd);
    EXPECT_EQ(r.exit_code, 8) << absl::StrJoin(cmd, " ") << "\n" << r;
    EXPECT_TRUE(absl::StrContains(r.err, "UNIMPLEMENTED")) << r;
    EXPECT_TRUE(absl::StrContains(r.err, "plugin loaded?")) << r;
  }
  // A refused library has no plugin name yet; the table shows its file.
  Result list = Retainctl({"--server", addr, "plugins", "list"});
  EXPECT_EQ(list.exit_code, 0) << list;
  EXPECT_TRUE(absl::StrContains(Row(list.out, "(libno_entry.so)"), "refused"))
      << list;
  EXPECT_TRUE(absl::StrContains(list.out, "\n1 plugins")) << list;
  EXPECT_TRUE((*server)->Stop().ok());
}

TEST_F(RetainctlPluginsTest, PluginsListShowsTheFourBundledPluginsReady) {
  Result table = Ctl({"plugins", "list"});
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_TRUE(absl::StartsWith(table.out, "PLUGIN")) << table;
  for (const char* name : kBundled) {
    const std::string row = Row(table.out, name);
    EXPECT_TRUE(absl::StrContains(row, " ready ")) << name << "\n" << table;
  }
  EXPECT_TRUE(absl::StrContains(table.out, "\n4 plugins (host ABI ")) << table;

  Result json = Ctl({"-o", "json", "plugins", "list"});
  ASSERT_EQ(json.exit_code, 0) << json;
  for (const char* name : kBundled) {
    EXPECT_TRUE(
        absl::StrContains(json.out, absl::StrCat("\"name\":\"", name, "\"")))
        << json;
  }
  int ready = 0;
  for (size_t at = 0; (at = json.out.find("\"state\":\"PLUGIN_STATE_READY\"",
                                          at)) != std::string::npos;
       ++at) {
    ++ready;
  }
  EXPECT_EQ(ready, 4) << json;
}

TEST_F(RetainctlPluginsTest, MilestonesStartShowAndComplete) {
  Result start = Ctl({"milestones", "start", "acme"});
  ASSERT_EQ(start.exit_code, 0) << start;
  EXPECT_TRUE(absl::StartsWith(start.out, "Onboarding of acme")) << start;
  EXPECT_TRUE(absl::StrContains(start.out, "kickoff")) << start;

  Result done = Ctl({"milestones", "complete", "acme", "kickoff"});
  ASSERT_EQ(done.exit_code, 0) << done;
  EXPECT_TRUE(absl::StrContains(Row(done.out, "kickoff"), "completed")) << done;

  Result json = Ctl({"-o", "json", "milestones", "show", "acme"});
  ASSERT_EQ(json.exit_code, 0) << json;
  EXPECT_EQ(JsonString(json.out, "account_id"), "acme") << json;
  EXPECT_TRUE(absl::StrContains(json.out, "MILESTONE_STATUS_COMPLETED"))
      << json;

  Result missing = Ctl({"milestones", "show", "nobody"});
  EXPECT_EQ(missing.exit_code, 3) << missing;
}

TEST_F(RetainctlPluginsTest, OpportunitiesCreateMoveAndForecast) {
  Result created = Ctl({"opportunities", "create", "acme", "--type", "upsell",
                        "--amount", "20000", "--close", "2030-06-30", "--id",
                        "opp-upsell", "--description", "Analytics add-on"});
  ASSERT_EQ(created.exit_code, 0) << created;
  EXPECT_TRUE(absl::StrContains(created.out, "opp-upsell")) << created;
  EXPECT_TRUE(absl::StrContains(created.out, "$20,000")) << created;
  EXPECT_TRUE(absl::StrContains(created.out, "identified")) << created;

  Result seats =
      Ctl({"-o", "json", "opportunities", "create", "acme", "--type", "seats",
           "--amount", "5000", "--stage", "proposal", "--id", "opp-seats"});
  ASSERT_EQ(seats.exit_code, 0) << seats;
  EXPECT_EQ(JsonString(seats.out, "stage"), "STAGE_PROPOSAL") << seats;
  EXPECT_EQ(JsonString(seats.out, "type"), "OPPORTUNITY_TYPE_SEATS") << seats;

  Result list = Ctl({"opportunities", "list", "--account", "acme"});
  ASSERT_EQ(list.exit_code, 0) << list;
  EXPECT_TRUE(absl::StartsWith(list.out, "OPPORTUNITY  ACCOUNT")) << list;
  const std::string row = Row(list.out, "opp-upsell");
  EXPECT_TRUE(absl::StrContains(row, "acme")) << list;
  EXPECT_TRUE(absl::StrContains(row, "upsell")) << list;
  EXPECT_TRUE(absl::StrContains(row, "2030-06-30")) << list;
  EXPECT_TRUE(absl::StrContains(list.out, "\n2 opportunities; open $25,000"))
      << list;

  Result won = Ctl({"opportunities", "stage", "opp-upsell", "won"});
  ASSERT_EQ(won.exit_code, 0) << won;
  EXPECT_TRUE(absl::StrContains(won.out, "won")) << won;
  // The history shows the move.
  EXPECT_TRUE(absl::StrContains(won.out, "identified  won")) << won;

  // Closed: moving it again is refused (4); won ones leave the open list.
  Result again = Ctl({"opportunities", "stage", "opp-upsell", "lost"});
  EXPECT_EQ(again.exit_code, 4) << again;
  Result open = Ctl({"opportunities", "list"});
  EXPECT_EQ(Row(open.out, "opp-upsell"), "") << open;
  Result all = Ctl({"opportunities", "list", "--all"});
  EXPECT_NE(Row(all.out, "opp-upsell"), "") << all;

  Result forecast = Ctl({"opportunities", "forecast"});
  ASSERT_EQ(forecast.exit_code, 0) << forecast;
  EXPECT_TRUE(absl::StrContains(forecast.out, "$20,000 in 1 opportunities"))
      << forecast;
  EXPECT_TRUE(absl::StrContains(forecast.out, "STAGE")) << forecast;
  Result fjson = Ctl({"-o", "json", "opportunities", "forecast"});
  ASSERT_EQ(fjson.exit_code, 0) << fjson;
  EXPECT_TRUE(absl::StrContains(fjson.out, "\"won_amount\":20000")) << fjson;
  EXPECT_TRUE(absl::StrContains(fjson.out, "\"open_count\":1")) << fjson;

  Result missing = Ctl({"opportunities", "get", "no-such-opp"});
  EXPECT_EQ(missing.exit_code, 3) << missing;
}

TEST_F(RetainctlPluginsTest, ReferralsConvertAndFlywheel) {
  Result champions = Ctl({"referrals", "champions"});
  ASSERT_EQ(champions.exit_code, 0) << champions;
  EXPECT_TRUE(absl::StartsWith(champions.out, "ACCOUNT  CONTACT")) << champions;

  Result created =
      Ctl({"-o", "json", "referrals", "create", "acme", "Initech", "--advocate",
           "jane@acme.test", "--estimated-arr", "30000"});
  ASSERT_EQ(created.exit_code, 0) << created;
  const std::string id = JsonString(created.out, "referral_id");
  ASSERT_FALSE(id.empty()) << created;
  EXPECT_EQ(JsonString(created.out, "status"), "REFERRAL_STATUS_OPEN")
      << created;

  // CONVERTED needs the ARR (the plugin says so: 4).
  Result no_arr = Ctl({"referrals", "update", id, "converted"});
  EXPECT_EQ(no_arr.exit_code, 4) << no_arr;
  Result converted =
      Ctl({"referrals", "update", id, "converted", "--arr", "25000"});
  ASSERT_EQ(converted.exit_code, 0) << converted;
  EXPECT_TRUE(absl::StrContains(converted.out, "converted")) << converted;
  EXPECT_TRUE(absl::StrContains(converted.out, "$25,000")) << converted;

  Result cs = Ctl({"-o", "json", "referrals", "case-study", "create", "acme",
                   "Acme cuts churn"});
  ASSERT_EQ(cs.exit_code, 0) << cs;
  const std::string cs_id = JsonString(cs.out, "case_study_id");
  Result approved =
      Ctl({"referrals", "case-study", "advance", cs_id, "approved"});
  EXPECT_EQ(approved.exit_code, 0) << approved;

  Result flywheel = Ctl({"referrals", "flywheel"});
  ASSERT_EQ(flywheel.exit_code, 0) << flywheel;
  EXPECT_TRUE(absl::StrContains(flywheel.out, "1 (1 converted, 100.0%)"))
      << flywheel;
  EXPECT_TRUE(absl::StrContains(flywheel.out, "$25,000")) << flywheel;
  EXPECT_TRUE(absl::StrContains(flywheel.out, "1 in pipeline")) << flywheel;
  Result fjson = Ctl({"-o", "json", "referrals", "flywheel"});
  ASSERT_EQ(fjson.exit_code, 0) << fjson;
  EXPECT_TRUE(absl::StrContains(fjson.out, "\"attributed_arr\":25000"))
      << fjson;
}

TEST_F(RetainctlPluginsTest, FeedbackActionShippedClosesTheLoop) {
  Result added =
      Ctl({"-o", "json", "feedback", "add", "acme", "Exports are too slow",
           "--theme", "export", "--respondent", "ops@acme.test"});
  ASSERT_EQ(added.exit_code, 0) << added;
  const std::string fb = JsonString(added.out, "feedback_id");
  ASSERT_FALSE(fb.empty()) << added;
  EXPECT_EQ(JsonString(added.out, "source"), "SOURCE_MANUAL") << added;

  Result list = Ctl({"feedback", "list", "--theme", "export"});
  ASSERT_EQ(list.exit_code, 0) << list;
  EXPECT_TRUE(absl::StartsWith(list.out, "FEEDBACK  ACCOUNT")) << list;
  EXPECT_TRUE(absl::StrContains(Row(list.out, fb), "Exports are too slow"))
      << list;
  EXPECT_TRUE(absl::StrContains(Row(list.out, fb), "open")) << list;

  Result action =
      Ctl({"-o", "json", "feedback", "action", "create", "Faster exports",
           "--theme", "export", "--feedback", fb});
  ASSERT_EQ(action.exit_code, 0) << action;
  const std::string act = JsonString(action.out, "action_id");
  ASSERT_FALSE(act.empty()) << action;

  // Statuses move one step at a time; skipping is refused (4).
  Result skip = Ctl({"feedback", "action", "status", act, "shipped"});
  EXPECT_EQ(skip.exit_code, 4) << skip;
  for (const char* status : {"triaged", "planned"}) {
    Result r = Ctl({"feedback", "action", "status", act, status});
    ASSERT_EQ(r.exit_code, 0) << r;
  }
  Result shipped = Ctl({"feedback", "action", "status", act, "shipped"});
  ASSERT_EQ(shipped.exit_code, 0) << shipped;
  EXPECT_TRUE(absl::EndsWith(Row(shipped.out, "loops closed:"), " 1"))
      << shipped;

  Result closed = Ctl({"feedback", "list", "--account", "acme"});
  ASSERT_EQ(closed.exit_code, 0) << closed;
  EXPECT_TRUE(absl::StrContains(Row(closed.out, fb), "loop closed")) << closed;
  Result open_only = Ctl({"feedback", "list", "--open"});
  EXPECT_EQ(Row(open_only.out, fb), "") << open_only;

  Result metrics = Ctl({"-o", "json", "feedback", "metrics"});
  ASSERT_EQ(metrics.exit_code, 0) << metrics;
  EXPECT_TRUE(absl::StrContains(metrics.out, "\"actions_shipped\":1"))
      << metrics;
  EXPECT_TRUE(absl::StrContains(metrics.out, "\"closed_share\":1")) << metrics;
  Result table = Ctl({"feedback", "metrics"});
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_TRUE(absl::StrContains(table.out, "100.0%")) << table;
}

}  // namespace
}  // namespace retain
