// One account, one band: with custom bands and a plugin health component,
// GetAccountHealth, ListAccounts, the at-risk list, WatchHealth and the
// portfolio report all show the same band and score (decision 0012), before
// and after a restart.
#include <cstdlib>
#include <fstream>

#include "retain/plugins/onboarding/v1/onboarding.grpc.pb.h"
#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

using account::v1::HEALTH_BAND_GREEN;
using account::v1::HEALTH_BAND_RED;
using account::v1::HEALTH_BAND_YELLOW;
using account::v1::HealthBand;

std::string PluginPath(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/",
                      std::getenv("TEST_WORKSPACE"), "/plugins/", name, "/lib",
                      name, ".so");
}

class SameBandTest : public ServerTest {
 protected:
  std::vector<std::string> Flags(const std::string& health_config) {
    const std::string plugins =
        RetaindProcess::MakeTempDir("plugin-config") + "/plugins.json";
    // Onboarding weighs as much as the core together, so its score moves
    // the band.
    std::ofstream(plugins)
        << R"({"plugins": {"onboarding": {"health_weight": 1.0}}})";
    std::vector<std::string> flags = {"--plugins=" + PluginPath("onboarding"),
                                      "--plugin_config=" + plugins};
    if (!health_config.empty()) {
      flags.push_back("--health_config=" + health_config);
    }
    return flags;
  }

  report::v1::AccountHealth Health(const std::string& name) {
    report::v1::GetAccountHealthRequest req;
    req.set_account(name);
    report::v1::AccountHealth h;
    grpc::Status s = reports_->GetAccountHealth(Ctx().get(), req, &h);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return h;
  }

  account::v1::Account Listed(const std::string& name) {
    account::v1::ListAccountsRequest req;
    account::v1::ListAccountsResponse resp;
    EXPECT_TRUE(accounts_->ListAccounts(Ctx().get(), req, &resp).ok());
    for (const auto& a : resp.accounts()) {
      if (a.name() == name) return a;
    }
    ADD_FAILURE() << name << " not listed";
    return {};
  }

  bool AtRisk(const std::string& name) {
    report::v1::ListAtRiskAccountsRequest req;
    report::v1::ListAtRiskAccountsResponse resp;
    EXPECT_TRUE(reports_->ListAtRiskAccounts(Ctx().get(), req, &resp).ok());
    for (const auto& a : resp.accounts()) {
      if (a.account() == name) return true;
    }
    return false;
  }

  // The portfolio's band counts over all segments.
  std::map<HealthBand, int> PortfolioBands() {
    report::v1::GetPortfolioReportRequest req;
    report::v1::PortfolioReport resp;
    EXPECT_TRUE(reports_->GetPortfolioReport(Ctx().get(), req, &resp).ok());
    std::map<HealthBand, int> out;
    for (const auto& s : resp.health_by_segment()) {
      out[HEALTH_BAND_GREEN] += s.green();
      out[HEALTH_BAND_YELLOW] += s.yellow();
      out[HEALTH_BAND_RED] += s.red();
    }
    return out;
  }

  void ExpectEveryViewSays(const std::string& name, HealthBand band,
                           double score) {
    SCOPED_TRACE(account::v1::HealthBand_Name(band));
    account::v1::Account listed = Listed(name);
    EXPECT_EQ(listed.health_band(), band);
    EXPECT_NEAR(listed.health_score(), score, 1e-6);
    EXPECT_EQ(AtRisk(name), band == HEALTH_BAND_RED);
    EXPECT_EQ(PortfolioBands()[band], 1);
  }
};

TEST_F(SameBandTest, PluginComponentAndCustomBandsAgreeInEveryView) {
  // A healthy account first, to learn its core-only score.
  StartServer("", Flags(""));
  const std::string name =
      CreateAccount("steady", 40000, 100, DaysAgo(300), true).name();
  signal::v1::RecordSignalsResponse r;
  ASSERT_TRUE(
      Record({Usage("u1", name, DaysAgo(2), 60), Touch("t1", name, DaysAgo(3))},
             &r)
          .ok());
  const report::v1::AccountHealth core_only = Health(name);
  ASSERT_EQ(core_only.components_size(), 4);  // no plugin component yet
  const double c = core_only.score();
  ASSERT_GT(c, 2.0);
  ASSERT_LT(c, 9.5);  // room for a green cut-off above it
  double core_weight = 0;
  for (const auto& comp : core_only.components()) {
    if (comp.has_data()) core_weight += comp.weight();
  }
  ASSERT_GT(core_weight, 0);

  // Onboarding from 100 days ago: every milestone overdue, score 0 at
  // weight 1.0 beside the core's weights with data.
  const double combined = c * core_weight / (core_weight + 1.0);
  // Custom bands: the core alone would be yellow, the combination is red.
  const std::string health_config =
      RetaindProcess::MakeTempDir("health-config") + "/health.json";
  std::ofstream(health_config)
      << absl::StrCat(R"({"bands": {"green_min": )", c + 0.5,
                      R"(, "yellow_min": )", (c + combined) / 2, "}}");
  ASSERT_TRUE(server_->Stop().ok());
  StartServer(server_->data_dir(), Flags(health_config));
  ExpectEveryViewSays(name, HEALTH_BAND_YELLOW, c);

  grpc::ClientContext watch_ctx;
  watch_ctx.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
  auto watch = reports_->WatchHealth(&watch_ctx, {});

  // An onboarding plan started 100 days ago through the plugin's own API:
  // every milestone is overdue.
  {
    auto stub = plugins::onboarding::v1::OnboardingService::NewStub(channel_);
    plugins::onboarding::v1::StartOnboardingRequest req;
    req.set_account_id("steady");
    *req.mutable_start_time() = Ts(DaysAgo(100));
    plugins::onboarding::v1::Plan plan;
    grpc::Status s = stub->StartOnboarding(Ctx().get(), req, &plan);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // The explained view asks the plugin and stores its component, which
  // moves the band for every view and tells the watch.
  const report::v1::AccountHealth explained = Health(name);
  EXPECT_EQ(explained.band(), HEALTH_BAND_RED);
  EXPECT_NEAR(explained.score(), combined, 1e-6);
  ASSERT_EQ(explained.components_size(), 5);
  EXPECT_EQ(explained.components(4).source(), "onboarding");
  EXPECT_NEAR(explained.components(4).effective_weight(),
              1.0 / (core_weight + 1.0), 1e-9);

  report::v1::HealthAlert alert;
  bool red = false;
  while (!red && watch->Read(&alert)) {
    if (alert.account() == name && alert.code() == "health.band_changed") {
      red = alert.band() == HEALTH_BAND_RED;
    }
  }
  ASSERT_TRUE(red) << "no band change to red on the watch";
  EXPECT_NEAR(alert.score(), combined, 1e-6);
  ExpectEveryViewSays(name, HEALTH_BAND_RED, combined);

  watch_ctx.TryCancel();

  // Stored, so a restart agrees before any plugin is asked again.
  ASSERT_TRUE(server_->Stop().ok());
  StartServer(server_->data_dir(), Flags(health_config));
  ExpectEveryViewSays(name, HEALTH_BAND_RED, combined);
}

}  // namespace
}  // namespace retain::testing
