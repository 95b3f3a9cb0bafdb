// retainctl's plugin verbs end to end: a real retaind with the five bundled
// plugins loaded from their .so files, driven through the real retainctl
// binary — `plugins list`, then milestones, opportunities, referrals and
// feedback; and exit code 8 from a server without the plugins.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
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
                                    "voc", "playbooks"};

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

// Each test gets its own server with the plugins loaded and the account
// "acme": no test reads what another wrote, so they pass in any order.
class RetainctlPluginsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = RetaindProcess::Start({.extra_flags = {PluginsFlag()}});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    Result acme =
        Ctl({"accounts", "create", "acme", "--name", "Acme", "--arr", "120000",
             "--seats", "100", "--contract-start", "2024-01-01"});
    ASSERT_EQ(acme.exit_code, 0) << acme;
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
           {"referrals", "references"},
           {"referrals", "case-study"},
           {"referrals", "case-study", "list"},
           {"referrals", "case-study", "advance"},
           {"referrals", "create"},
           {"referrals", "update"},
           {"referrals", "list"},
           {"referrals", "flywheel"},
           {"feedback"},
           {"feedback", "list"},
           {"feedback", "add"},
           {"feedback", "action"},
           {"feedback", "action", "list"},
           {"feedback", "action", "status"},
           {"feedback", "metrics"},
           {"tasks"},
           {"tasks", "list"},
           {"tasks", "show"},
           {"tasks", "start"},
           {"tasks", "done"},
           {"tasks", "snooze"},
           {"tasks", "escalate"},
           {"playbooks"},
           {"playbooks", "list"},
           {"playbooks", "show"},
           {"playbooks", "stats"},
           {"plans"},
           {"plans", "list"},
           {"plans", "show"},
           {"plans", "create"},
           {"plans", "objective"}}) {
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
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{
           {"milestones", "metrics"},
           {"opportunities", "list"},
           {"opportunities", "suggestions"},
           {"referrals", "flywheel"},
           {"referrals", "list"},
           {"referrals", "references"},
           {"referrals", "case-study", "list"},
           {"feedback", "list"},
           {"feedback", "action", "list"},
           {"tasks", "list"},
           {"playbooks", "list"},
           {"playbooks", "stats"},
           {"plans", "list"}}) {
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

TEST_F(RetainctlPluginsTest, PluginsListShowsTheFiveBundledPluginsReady) {
  Result table = Ctl({"plugins", "list"});
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_TRUE(absl::StartsWith(table.out, "PLUGIN")) << table;
  for (const char* name : kBundled) {
    const std::string row = Row(table.out, name);
    EXPECT_TRUE(absl::StrContains(row, " ready ")) << name << "\n" << table;
  }
  EXPECT_TRUE(absl::StrContains(table.out, "\n5 plugins (host ABI ")) << table;

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
  EXPECT_EQ(ready, 5) << json;
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

// The playbooks verbs: a custom signal opens a task of a playbook from the
// plugin's config; the task goes through snooze, start, escalate and done;
// the playbook shows in list, show and stats; a success plan is created,
// given an objective, shown and listed.
TEST(RetainctlPlaybooks, TasksPlaybooksAndPlansVerbs) {
  const std::string dir = RetaindProcess::MakeTempDir("playbooks-ctl");
  const std::string config = dir + "/plugins.json";
  std::ofstream(config) << R"({"plugins": {"playbooks": {"config": {
    "playbooks": [{
      "playbook_id": "sponsor_left",
      "title": "Sponsor left",
      "trigger": {"kind": "TRIGGER_KIND_CUSTOM_SIGNAL",
                  "signal_type": "crm.sponsor_left"},
      "task": {"title": "Re-thread relationships", "priority": "PRIORITY_HIGH",
               "owner": {"kind": "OWNER_KIND_NAMED", "name": "am-team"},
               "due_days": 7, "steps": ["Find the new sponsor"],
               "escalation": {"overdue_days": 3, "escalate_to": "cs-manager"}}
    }]}}}})";
  auto server = RetaindProcess::Start(
      {.extra_flags = {PluginsFlag(), "--plugin_config=" + config}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto ctl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", (*server)->address()});
    return Retainctl(args);
  };
  ASSERT_EQ(ctl({"accounts", "create", "acme", "--name", "Acme", "--arr",
                 "120000", "--seats", "100", "--contract-start", "2024-01-01"})
                .exit_code,
            0);
  Result signal =
      ctl({"signals", "record", "acme", "custom", "type=crm.sponsor_left"});
  ASSERT_EQ(signal.exit_code, 0) << signal;

  // Plugins hear signals after they are stored: poll (a bound for a
  // broken test, not a timing assertion).
  const std::string id = "sponsor_left/acme/000001";
  Result listed;
  for (absl::Time end = absl::Now() + absl::Seconds(60); absl::Now() < end;
       absl::SleepFor(absl::Milliseconds(50))) {
    // The new account's first band change (the health-event feed) may
    // open a risk task too: look at this playbook's.
    listed = ctl(
        {"tasks", "list", "--account", "acme", "--playbook", "sponsor_left"});
    if (!Row(listed.out, id).empty()) break;
  }
  ASSERT_EQ(listed.exit_code, 0) << listed;
  EXPECT_TRUE(absl::StartsWith(listed.out, "TASK")) << listed;
  const std::string row = Row(listed.out, id);
  EXPECT_TRUE(absl::StrContains(row, " open ")) << listed;
  EXPECT_TRUE(absl::StrContains(row, " am-team ")) << listed;
  EXPECT_TRUE(absl::StrContains(listed.out, "\n1 tasks\n")) << listed;

  Result snoozed = ctl({"tasks", "snooze", id, "2099-01-01"});
  ASSERT_EQ(snoozed.exit_code, 0) << snoozed;
  EXPECT_TRUE(absl::StrContains(snoozed.out, "2099-01-01")) << snoozed;
  Result started = ctl({"-o", "json", "tasks", "start", id, "--actor", "cara"});
  ASSERT_EQ(started.exit_code, 0) << started;
  EXPECT_EQ(JsonString(started.out, "status"), "TASK_STATUS_IN_PROGRESS")
      << started;
  // Recorded as the authenticated caller (authentication off: "dev"),
  // --actor kept as whom it acted for.
  EXPECT_TRUE(absl::StrContains(started.out, "\"actor\":\"dev\"")) << started;
  EXPECT_TRUE(absl::StrContains(started.out, "\"on_behalf_of\":\"cara\""))
      << started;
  Result escalated = ctl({"-o", "json", "tasks", "escalate", id});
  ASSERT_EQ(escalated.exit_code, 0) << escalated;
  EXPECT_EQ(JsonString(escalated.out, "owner"), "cs-manager") << escalated;
  Result done = ctl({"tasks", "done", id, "--outcome", "saved"});
  ASSERT_EQ(done.exit_code, 0) << done;
  EXPECT_TRUE(absl::StrContains(done.out, "done (saved)")) << done;
  // DONE is final: a second completion is refused (4).
  Result again = ctl({"tasks", "done", id, "--outcome", "lost"});
  EXPECT_EQ(again.exit_code, 4) << again;
  Result missing = ctl({"tasks", "show", "sponsor_left/acme/000009"});
  EXPECT_EQ(missing.exit_code, 3) << missing;
  Result shown = ctl({"tasks", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown;
  EXPECT_TRUE(absl::StrContains(shown.out, "[ ] Find the new sponsor"))
      << shown;
  EXPECT_TRUE(absl::StrContains(shown.out, "by dev on behalf of cara"))
      << shown;

  Result playbooks = ctl({"playbooks", "list"});
  ASSERT_EQ(playbooks.exit_code, 0) << playbooks;
  EXPECT_TRUE(absl::StrContains(Row(playbooks.out, "sponsor_left"), " config "))
      << playbooks;
  EXPECT_FALSE(Row(playbooks.out, "risk_red_high_touch").empty()) << playbooks;
  Result limited =
      ctl({"playbooks", "list", "--limit", "3", "--page-size", "2"});
  ASSERT_EQ(limited.exit_code, 0) << limited;
  EXPECT_TRUE(absl::StrContains(limited.out, "\n3 playbooks\n")) << limited;
  Result playbook = ctl({"playbooks", "show", "sponsor_left"});
  ASSERT_EQ(playbook.exit_code, 0) << playbook;
  EXPECT_TRUE(absl::StrContains(playbook.out, "+3 d -> cs-manager"))
      << playbook;
  Result stats = ctl({"playbooks", "stats", "--playbook", "sponsor_left"});
  ASSERT_EQ(stats.exit_code, 0) << stats;
  const std::vector<std::string> cells =
      absl::StrSplit(Row(stats.out, "sponsor_left"), ' ', absl::SkipEmpty());
  ASSERT_GE(cells.size(), 4u) << stats;
  EXPECT_EQ(cells[2], "1") << stats;  // triggered
  EXPECT_EQ(cells[3], "1") << stats;  // closed

  ASSERT_EQ(ctl({"plans", "create", "acme"}).exit_code, 0);
  EXPECT_EQ(ctl({"plans", "create", "acme"}).exit_code, 5);  // exists
  Result objective = ctl({"plans", "objective", "acme", "adoption",
                          "80% weekly active", "--target", "2099-01-01"});
  ASSERT_EQ(objective.exit_code, 0) << objective;
  EXPECT_TRUE(absl::StrContains(Row(objective.out, "adoption"), "on_track"))
      << objective;
  Result plan = ctl({"-o", "json", "plans", "show", "acme"});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  EXPECT_EQ(JsonString(plan.out, "objective_id"), "adoption") << plan;
  Result plans = ctl({"plans", "list"});
  ASSERT_EQ(plans.exit_code, 0) << plans;
  EXPECT_TRUE(absl::StrContains(Row(plans.out, "acme"), "on_track")) << plans;
  EXPECT_TRUE(absl::StrContains(plans.out, "\n1 success plans\n")) << plans;
  EXPECT_TRUE((*server)->Stop().ok());
}

// Each line of `out` (one JSON object per line).
std::vector<std::string> Lines(const std::string& out) {
  std::vector<std::string> lines;
  for (absl::string_view l : absl::StrSplit(out, '\n', absl::SkipEmpty()))
    lines.emplace_back(l);
  return lines;
}

// The number after "field": in one line of proto JSON (0 when absent).
double JsonNumber(const std::string& json, const std::string& field) {
  const std::string key = absl::StrCat("\"", field, "\":");
  const size_t at = json.find(key);
  if (at == std::string::npos) return 0;
  return std::strtod(json.c_str() + at + key.size(), nullptr);
}

// The list verbs of the advocacy and voc plugins, with filters and paging
// (--page-size 1 makes every item its own page).
TEST_F(RetainctlPluginsTest,
       ListVerbsShowReferralsReferencesCaseStudiesAndActions) {
  Result globex = Ctl({"accounts", "create", "globex", "--name", "Globex",
                       "--arr", "50000", "--seats", "40"});
  ASSERT_EQ(globex.exit_code, 0) << globex;
  std::vector<std::string> referrals;
  for (const char* prospect : {"Initech", "Hooli", "Umbrella"}) {
    Result r =
        Ctl({"-o", "json", "referrals", "create", "globex", prospect,
             "--advocate", "kim@globex.test", "--estimated-arr", "10000"});
    ASSERT_EQ(r.exit_code, 0) << r;
    referrals.push_back(JsonString(r.out, "referral_id"));
  }
  Result lost = Ctl({"referrals", "update", referrals[1], "lost"});
  ASSERT_EQ(lost.exit_code, 0) << lost;

  Result table =
      Ctl({"referrals", "list", "--account", "globex", "--page-size", "1"});
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_TRUE(absl::StartsWith(table.out, "REFERRAL  ACCOUNT  ADVOCATE"))
      << table;
  for (const auto& id : referrals) {
    EXPECT_TRUE(absl::StrContains(Row(table.out, id), "globex")) << table;
  }
  EXPECT_TRUE(absl::StrContains(Row(table.out, referrals[0]), "Initech"))
      << table;
  EXPECT_TRUE(absl::StrContains(Row(table.out, referrals[1]), "lost")) << table;
  EXPECT_TRUE(absl::StrContains(table.out, "\n3 referrals; attributed $0"))
      << table;
  Result open = Ctl({"-o", "json", "referrals", "list", "--account", "globex",
                     "--status", "open"});
  ASSERT_EQ(open.exit_code, 0) << open;
  EXPECT_EQ(Lines(open.out).size(), 2u) << open;
  EXPECT_FALSE(absl::StrContains(open.out, "Hooli")) << open;
  Result limited = Ctl({"-o", "json", "referrals", "list", "--account",
                        "globex", "--limit", "2", "--page-size", "1"});
  ASSERT_EQ(limited.exit_code, 0) << limited;
  EXPECT_EQ(Lines(limited.out).size(), 2u) << limited;
  Result bad_status = Ctl({"referrals", "list", "--status", "bogus"});
  EXPECT_EQ(bad_status.exit_code, 2) << bad_status;

  Result ask = Ctl({"-o", "json", "referrals", "ask", "globex", "--contact",
                    "kim@globex.test", "--purpose", "sales call with Initech"});
  ASSERT_EQ(ask.exit_code, 0) << ask;
  const std::string ref = JsonString(ask.out, "reference_id");
  Result refs = Ctl({"referrals", "references", "--account", "globex"});
  ASSERT_EQ(refs.exit_code, 0) << refs;
  EXPECT_TRUE(absl::StartsWith(refs.out, "REFERENCE  ACCOUNT")) << refs;
  EXPECT_TRUE(absl::StrContains(Row(refs.out, ref), "sales call with Initech"))
      << refs;
  EXPECT_TRUE(absl::StrContains(Row(refs.out, ref), "requested")) << refs;
  EXPECT_TRUE(absl::StrContains(refs.out, "\n1 reference requests")) << refs;
  Result declined = Ctl({"referrals", "references", "--status", "declined"});
  ASSERT_EQ(declined.exit_code, 0) << declined;
  EXPECT_EQ(Row(declined.out, ref), "") << declined;

  Result cs = Ctl({"-o", "json", "referrals", "case-study", "create", "globex",
                   "Globex doubles adoption"});
  ASSERT_EQ(cs.exit_code, 0) << cs;
  const std::string cs_id = JsonString(cs.out, "case_study_id");
  Result studies =
      Ctl({"referrals", "case-study", "list", "--account", "globex"});
  ASSERT_EQ(studies.exit_code, 0) << studies;
  EXPECT_TRUE(absl::StartsWith(studies.out, "CASE-STUDY  ACCOUNT")) << studies;
  EXPECT_TRUE(
      absl::StrContains(Row(studies.out, cs_id), "Globex doubles adoption"))
      << studies;
  EXPECT_TRUE(absl::StrContains(Row(studies.out, cs_id), "proposed"))
      << studies;
  Result published = Ctl({"-o", "json", "referrals", "case-study", "list",
                          "--account", "globex", "--stage", "published"});
  ASSERT_EQ(published.exit_code, 0) << published;
  EXPECT_EQ(published.out, "") << published;

  Result fb = Ctl({"-o", "json", "feedback", "add", "globex",
                   "Needs SAML single sign-on", "--theme", "security"});
  ASSERT_EQ(fb.exit_code, 0) << fb;
  Result action =
      Ctl({"-o", "json", "feedback", "action", "create", "SAML SSO", "--theme",
           "security", "--feedback", JsonString(fb.out, "feedback_id")});
  ASSERT_EQ(action.exit_code, 0) << action;
  const std::string act = JsonString(action.out, "action_id");
  Result actions = Ctl({"feedback", "action", "list", "--account", "globex"});
  ASSERT_EQ(actions.exit_code, 0) << actions;
  EXPECT_TRUE(absl::StartsWith(actions.out, "ACTION  STATUS  THEME"))
      << actions;
  EXPECT_TRUE(absl::StrContains(Row(actions.out, act), "SAML SSO")) << actions;
  EXPECT_TRUE(absl::StrContains(Row(actions.out, act), "security")) << actions;
  EXPECT_TRUE(absl::StrContains(actions.out, "\n1 actions")) << actions;
  Result wont = Ctl({"feedback", "action", "status", act, "wont_do"});
  ASSERT_EQ(wont.exit_code, 0) << wont;
  Result open_actions = Ctl({"-o", "json", "feedback", "action", "list",
                             "--account", "globex", "--open"});
  ASSERT_EQ(open_actions.exit_code, 0) << open_actions;
  EXPECT_EQ(open_actions.out, "") << open_actions;
  Result by_status = Ctl({"-o", "json", "feedback", "action", "list",
                          "--status", "wont_do", "--theme", "security"});
  ASSERT_EQ(by_status.exit_code, 0) << by_status;
  EXPECT_EQ(JsonString(by_status.out, "action_id"), act) << by_status;
}

// The reported bug, end to end: `retaind --demo=true` with the bundled
// plugins, where expansion catches up on a year of weekly usage at start.
// Suggestions come from the latest usage only (at most one per account),
// never for accounts without ARR (demo-04 churned), priced per seat, and
// dated today by the server's clock, not by the old signals.
TEST(RetainctlPluginsDemo, SuggestionsOnTheDemoPortfolioAreCurrent) {
  const std::string started_day =
      absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
  auto server =
      RetaindProcess::Start({.extra_flags = {PluginsFlag(), "--demo=true"}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto ctl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", (*server)->address()});
    return Retainctl(args);
  };
  // Wait until the expansion plugin has looked at every demo signal.
  bool caught_up = false;
  for (int i = 0; i < 600 && !caught_up; ++i) {
    Result plugins = ctl({"-o", "json", "plugins", "list"});
    ASSERT_EQ(plugins.exit_code, 0) << plugins;
    const size_t at = plugins.out.find("\"name\":\"expansion\"");
    ASSERT_NE(at, std::string::npos) << plugins;
    const std::string counters =
        plugins.out.substr(at, plugins.out.find("\"last_error\"", at) - at);
    caught_up = JsonString(counters, "delivery_lag") == "0" &&
                JsonString(counters, "delivery_cursor") != "0";
    if (!caught_up) absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(caught_up);

  Result accounts = ctl({"-o", "json", "accounts", "list"});
  ASSERT_EQ(accounts.exit_code, 0) << accounts;
  std::map<std::string, std::string> by_id;  // id -> the account's JSON
  for (const auto& line : Lines(accounts.out)) {
    by_id[JsonString(line, "name").substr(strlen("accounts/"))] = line;
  }
  ASSERT_GT(JsonNumber(by_id["demo-00"], "arr"), 0) << accounts;
  ASSERT_EQ(JsonNumber(by_id["demo-04"], "arr"), 0) << by_id["demo-04"];

  Result suggestions = ctl({"-o", "json", "opportunities", "suggestions"});
  ASSERT_EQ(suggestions.exit_code, 0) << suggestions;
  const std::vector<std::string> lines = Lines(suggestions.out);
  ASSERT_FALSE(lines.empty()) << suggestions;
  // The server dated them between its start and now: one UTC day, or two
  // when the test runs across midnight.
  const std::string today =
      absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
  std::set<std::string> seen;
  for (const auto& o : lines) {
    const std::string id = JsonString(o, "account_id");
    EXPECT_TRUE(seen.insert(id).second) << "two suggestions for " << id;
    EXPECT_EQ(JsonString(o, "source"), "usage") << o;
    ASSERT_TRUE(by_id.count(id)) << o;
    const std::string& account = by_id[id];
    const double arr = JsonNumber(account, "arr");
    const double seats = JsonNumber(account, "licensed_seats");
    EXPECT_GT(arr, 0) << o << "\n" << account;
    EXPECT_NE(JsonString(account, "lifecycle_stage"), "LIFECYCLE_STAGE_CHURNED")
        << o;
    // Whole seats at the account's ARR per seat.
    const double per_seat = arr / seats;
    const double n = JsonNumber(o, "amount") / per_seat;
    EXPECT_GE(n, 1 - 1e-6) << o << "\n" << account;
    EXPECT_NEAR(n, std::round(n), 1e-3) << o << "\n" << account;
    // Created today (the server clock), due later.
    const std::string created = JsonString(o, "create_time").substr(0, 10);
    EXPECT_GE(created, started_day) << o;
    EXPECT_LE(created, today) << o;
    EXPECT_GT(JsonString(o, "close_time").substr(0, 10), created) << o;
  }
  EXPECT_EQ(seen.count("demo-04"), 0u) << suggestions;

  // The server filters by source: nothing was entered by hand.
  Result manual = ctl({"opportunities", "list", "--source", "manual"});
  ASSERT_EQ(manual.exit_code, 0) << manual;
  EXPECT_TRUE(absl::StrContains(manual.out, "\n0 opportunities")) << manual;
  Result table = ctl({"opportunities", "suggestions"});
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_TRUE(absl::StrContains(
      table.out, absl::StrCat("\n", lines.size(), " suggestions; open ")))
      << table;
  EXPECT_TRUE((*server)->Stop().ok());
}

}  // namespace
}  // namespace retain
