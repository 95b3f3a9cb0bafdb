// Plugin ABI 1.3 end to end: a real retaind loads the real health_feed
// fixture (built with the C++ SDK), which logs every health event it is
// handed. The log must be the stored alert history (the kinds it subscribed
// to, its own alerts left out) in position order, each entry once, also
// across a restart; an alert another plugin (onboarding) raises reaches it;
// get_account_health answers without the caller's own component; plugins
// built for ABI 1.0, 1.1, 1.2 and 1.3 load and serve side by side.
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"
#include "tests/integration/client_fixture.h"
#include "tests/support/generic_unary.h"

namespace retain::testing {
namespace {

constexpr char kFeed[] = "/retain.plugins.health_feed.v1.HealthFeedService/";

std::string Runfile(const std::string& path) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/",
                      std::getenv("TEST_WORKSPACE"), "/", path);
}
std::string Fixture(const std::string& name) {
  return Runfile(absl::StrCat("plugins/fixtures/lib", name, ".so"));
}
std::string Bundled(const std::string& name) {
  return Runfile(absl::StrCat("plugins/", name, "/lib", name, ".so"));
}

// Polls until true or 60 s pass (a bound for broken tests, not a timing
// assertion).
bool Eventually(const std::function<bool()>& cond) {
  const absl::Time end = absl::Now() + absl::Seconds(60);
  while (absl::Now() < end) {
    if (cond()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return cond();
}

class HealthEventsE2eTest : public ServerTest {
 protected:
  // Starts retaind with these plugins and config (on `data_dir`, or a new
  // one).
  void Start(const std::vector<std::string>& plugins, const std::string& json,
             const std::string& data_dir = "") {
    const std::string config =
        RetaindProcess::MakeTempDir("health-events") + "/plugins.json";
    std::ofstream(config) << json;
    StartServer(data_dir, {"--plugins=" + absl::StrJoin(plugins, ","),
                           "--plugin_config=" + config});
  }

  std::string Call(const std::string& method, const std::string& request,
                   grpc::Status* status = nullptr) {
    std::string out;
    grpc::Status s = UnaryBytes(channel_, method, request, &out);
    if (status != nullptr) *status = s;
    EXPECT_TRUE(status != nullptr || s.ok())
        << method << ": " << s.error_message();
    return out;
  }

  // The plugin's log: one line per delivery.
  std::vector<std::string> Delivered() {
    std::vector<std::string> out = absl::StrSplit(
        Call(absl::StrCat(kFeed, "ListEvents"), ""), '\n', absl::SkipEmpty());
    return out;
  }

  // What the log must be: the stored history in position order, the
  // band changes and plugin alerts, without the fixture's own.
  std::vector<std::string> Expected() {
    report::v1::ListAlertsRequest req;
    req.set_oldest_first(true);
    req.set_page_size(1000);
    report::v1::ListAlertsResponse resp;
    grpc::Status s = reports_->ListAlerts(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> out;
    for (const auto& a : resp.alerts()) {
      if (a.source() == "health_feed") continue;
      int kind = 4;  // ALERT
      if (a.source() == "core" && a.code() == "health.band_changed") kind = 1;
      if (a.source() == "core" && a.code() == "health.indicator_appeared") {
        kind = 2;
      }
      if (a.source() == "core" && a.code() == "health.indicator_cleared") {
        kind = 3;
      }
      absl::string_view account = a.account();
      absl::ConsumePrefix(&account, "accounts/");
      out.push_back(absl::StrCat(a.position(), " ", kind, " ", account, " ",
                                 a.source(), " ", a.code()));
    }
    return out;
  }

  bool HasBandChangeTo(const std::string& account,
                       account::v1::HealthBand band) {
    report::v1::ListAlertsRequest req;
    req.set_account("accounts/" + account);
    req.set_code("health.band_changed");
    report::v1::ListAlertsResponse resp;
    if (!reports_->ListAlerts(Ctx().get(), req, &resp).ok()) return false;
    for (const auto& a : resp.alerts()) {
      if (a.band() == band) return true;
    }
    return false;
  }

  // Turns `id` red: barely anyone of its 100 seats uses it.
  void MakeRed(const std::string& id) {
    const std::string name =
        CreateAccount(id, 5000, 100, DaysAgo(300), false).name();
    signal::v1::RecordSignalsResponse r;
    ASSERT_TRUE(Record({Usage(id + "-u", name, DaysAgo(2), 3)}, &r).ok());
    ASSERT_TRUE(Eventually(
        [&] { return HasBandChangeTo(id, account::v1::HEALTH_BAND_RED); }));
  }
};

TEST_F(HealthEventsE2eTest, BandChangesArriveOnceInOrderAcrossARestart) {
  const std::vector<std::string> plugins = {Fixture("health_feed")};
  Start(plugins, R"({"plugins": {}})");
  MakeRed("red");
  ASSERT_TRUE(Eventually([&] { return Delivered() == Expected(); }))
      << absl::StrJoin(Delivered(), " | ") << " vs "
      << absl::StrJoin(Expected(), " | ");
  bool saw_red = false;
  for (const auto& line : Delivered()) {
    saw_red = saw_red || absl::StrContains(line, " 1 red core ");
  }
  EXPECT_TRUE(saw_red);
  const size_t before = Delivered().size();

  // The cursor survives the restart: nothing comes twice, and what is new
  // comes after what was delivered.
  const std::string dir = server_->data_dir();
  ASSERT_TRUE(server_->Stop().ok());
  Start(plugins, R"({"plugins": {}})", dir);
  MakeRed("red2");
  ASSERT_TRUE(Eventually([&] { return Delivered() == Expected(); }))
      << absl::StrJoin(Delivered(), " | ") << " vs "
      << absl::StrJoin(Expected(), " | ");
  EXPECT_GT(Delivered().size(), before);
}

TEST_F(HealthEventsE2eTest, AnotherPluginsAlertArrivesItsOwnDoesNot) {
  Start({Fixture("health_feed"), Bundled("onboarding")},
        R"({"plugins": {"onboarding": {"tick_seconds": 0.05}}})");
  // Signed 60 days ago and still onboarding: its early milestones are long
  // overdue, and the onboarding plugin's tick says so.
  account::v1::CreateAccountRequest create;
  create.set_account_id("quiet");
  auto* a = create.mutable_account();
  a->set_display_name("Quiet Co");
  a->set_arr(30000);
  a->set_licensed_seats(20);
  *a->mutable_contract_start_time() = Ts(DaysAgo(60));
  a->set_lifecycle_stage(account::v1::LIFECYCLE_STAGE_ONBOARDING);
  account::v1::Account quiet;
  ASSERT_TRUE(accounts_->CreateAccount(Ctx().get(), create, &quiet).ok());
  Call(absl::StrCat(kFeed, "Raise"), "quiet");
  // A band change stored after its own alert: once that has arrived, the
  // feed has passed the own alert.
  MakeRed("later");
  ASSERT_TRUE(Eventually([&] {
    bool overdue = false, later = false;
    for (const auto& line : Delivered()) {
      overdue = overdue || absl::StrContains(
                               line, "quiet onboarding onboarding.milestone_");
      later = later || absl::StrContains(line, " later core ");
    }
    return overdue && later;
  })) << absl::StrJoin(Delivered(), " | ");
  for (const auto& line : Delivered()) {
    EXPECT_FALSE(absl::StrContains(line, "health_feed.raised")) << line;
  }
  // The own alert is in the history all the same.
  report::v1::ListAlertsRequest req;
  req.set_source("health_feed");
  report::v1::ListAlertsResponse resp;
  ASSERT_TRUE(reports_->ListAlerts(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.alerts_size(), 1);
  ASSERT_TRUE(Eventually([&] { return Delivered() == Expected(); }))
      << absl::StrJoin(Delivered(), " | ") << " vs "
      << absl::StrJoin(Expected(), " | ");
}

TEST_F(HealthEventsE2eTest, AccountHealthLeavesTheCallersComponentOut) {
  Start({Fixture("health_feed")}, R"({"plugins": {}})");
  MakeRed("acme");
  // A client's view asks the plugin and stores its component.
  report::v1::GetAccountHealthRequest req;
  req.set_account("accounts/acme");
  report::v1::AccountHealth health;
  ASSERT_TRUE(reports_->GetAccountHealth(Ctx().get(), req, &health).ok());
  bool has_feed = false;
  for (const auto& c : health.components()) {
    has_feed = has_feed || c.source() == "health_feed";
  }
  EXPECT_TRUE(has_feed);

  const std::string answer = Call(absl::StrCat(kFeed, "GetHealth"), "acme");
  EXPECT_TRUE(absl::StartsWith(
      answer, absl::StrCat("name=Account acme band=", health.band(), " ")))
      << answer;
  EXPECT_FALSE(absl::StrContains(answer, "health_feed")) << answer;

  grpc::Status status;
  Call(absl::StrCat(kFeed, "GetHealth"), "nobody", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND)
      << status.error_message();
}

TEST_F(HealthEventsE2eTest, PluginsOfEveryMinorLoadTogether) {
  Start({Fixture("notes_abi_1_0"), Fixture("tally_abi_1_1"),
         Fixture("cas_tally_abi_1_2"), Fixture("health_feed")},
        R"({"plugins": {}})");
  auto stub = plugin::v1::PluginService::NewStub(channel_);
  plugin::v1::ListPluginsResponse list;
  ASSERT_TRUE(stub->ListPlugins(Ctx().get(), {}, &list).ok());
  std::map<std::string, int> minors;
  for (const auto& p : list.plugins()) {
    EXPECT_EQ(p.state(), plugin::v1::PLUGIN_STATE_READY)
        << p.name() << ": " << p.last_error();
    minors[p.name()] = p.abi_minor();
  }
  EXPECT_EQ(
      minors,
      (std::map<std::string, int>{
          {"cas_tally", 2}, {"health_feed", 3}, {"notes", 0}, {"tally", 1}}));
  EXPECT_EQ(Call("/retain.plugins.cas_tally.v1.CasTallyService/Bump", ""),
            "count=1 hook=1");
  EXPECT_EQ(Call("/retain.plugins.tally.v1.TallyService/Get", ""),
            "touchpoints=0 ticks=0");
  MakeRed("mixed");
  ASSERT_TRUE(Eventually([&] { return Delivered() == Expected(); }));
}

}  // namespace
}  // namespace retain::testing
