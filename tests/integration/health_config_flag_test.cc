// --health_config: a file's weights and bands replace the defaults in the
// scores retaind serves; a bad file stops it at start-up naming the key.
#include <fstream>
#include <string>

#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

using ::testing::HasSubstr;

std::string WriteConfig(const std::string& json) {
  const std::string path =
      RetaindProcess::MakeTempDir("config") + "/health.json";
  std::ofstream(path) << json;
  return path;
}

class HealthConfigFlagTest : public ServerTest {
 protected:
  // Engagement 7 (60 of 100 seats), relationship 10 (sponsor, signed 10
  // days ago), commercial 10 (renewal 3 years out), no support data.
  report::v1::AccountHealth ScoreOfTheSameAccount() {
    const std::string a = CreateAccount("same", 30000, 100, DaysAgo(10)).name();
    signal::v1::RecordSignalsResponse r;
    EXPECT_TRUE(Record({Usage("u", a, DaysAgo(1), 60)}, &r).ok());
    report::v1::GetAccountHealthRequest req;
    req.set_account(a);
    report::v1::AccountHealth health;
    grpc::Status s = reports_->GetAccountHealth(Ctx().get(), req, &health);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return health;
  }
};

TEST_F(HealthConfigFlagTest, DefaultsWithoutTheFlag) {
  StartServer();
  // (7 * 0.4 + 10 * 0.3 + 10 * 0.1) / 0.8 = 8.5: green.
  const auto health = ScoreOfTheSameAccount();
  EXPECT_NEAR(health.score(), 8.5, 1e-9);
  EXPECT_EQ(health.band(), account::v1::HEALTH_BAND_GREEN);
}

TEST_F(HealthConfigFlagTest, WeightsAndBandsFromTheFile) {
  // Engagement alone, and a stricter green band.
  StartServer("", {"--health_config=" + WriteConfig(R"({
      "weights": {"engagement": 1, "relationship": 0, "support": 0,
                  "commercial": 0},
      "bands": {"green_min": 9, "yellow_min": 6.5}})")});
  // 7 * 1 / 1 = 7: yellow under these bands (green under the defaults).
  const auto health = ScoreOfTheSameAccount();
  EXPECT_NEAR(health.score(), 7.0, 1e-9);
  EXPECT_EQ(health.band(), account::v1::HEALTH_BAND_YELLOW);
  ASSERT_GT(health.components_size(), 0);
  EXPECT_EQ(health.components(0).name(), "engagement");
  EXPECT_NEAR(health.components(0).effective_weight(), 1.0, 1e-9);
  // The account list carries the same band.
  account::v1::ListAccountsRequest list;
  list.set_health_band(account::v1::HEALTH_BAND_YELLOW);
  account::v1::ListAccountsResponse yellow;
  ASSERT_TRUE(accounts_->ListAccounts(Ctx().get(), list, &yellow).ok());
  EXPECT_EQ(yellow.total_size(), 1);
}

TEST_F(HealthConfigFlagTest, EngagementTiersFromTheFile) {
  // 60% of seats is "high" when high_utilisation is 0.5: engagement 10.
  StartServer("", {"--health_config=" + WriteConfig(R"({
      "engagement": {"high_utilisation": 0.5, "mid_utilisation": 0.4}})")});
  const auto health = ScoreOfTheSameAccount();
  ASSERT_GT(health.components_size(), 0);
  EXPECT_EQ(health.components(0).score(), 10);
  // (10 * 0.4 + 10 * 0.3 + 10 * 0.1) / 0.8 = 10.
  EXPECT_NEAR(health.score(), 10.0, 1e-9);
}

TEST_F(HealthConfigFlagTest, BadFilesStopTheServerNamingTheKey) {
  struct Case {
    std::string json, message;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"weights": {"engagment": 0.4}})",
            "weights.engagment: unknown key"},
           {R"({"weights": {"engagement": 0.5}})",
            "weights: must sum to 1 (±1e-6), got 1.1"},
           {R"({"bands": {"green_min": "high"}})",
            "bands.green_min: must be a number"},
           {"{not json", "health config: not valid JSON"},
       }) {
    const std::string path = WriteConfig(c.json);
    auto p = RetaindProcess::Start({"", {"--health_config=" + path}});
    ASSERT_FALSE(p.ok()) << c.json;
    EXPECT_THAT(std::string(p.status().message()),
                HasSubstr("health config rejected"))
        << c.json;
    EXPECT_THAT(std::string(p.status().message()),
                HasSubstr(path + ": " + c.message))
        << c.json;
  }
  auto missing =
      RetaindProcess::Start({"", {"--health_config=/nonexistent/health.json"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("health config: cannot read /nonexistent/health.json"));
}

}  // namespace
}  // namespace retain::testing
