// A churned account has no live health: band CHURNED, no score, no
// components, no leading indicators; before its churn and after a win-back
// it is scored as usual. A renewal at a lower ARR is a contraction.
#include "core/health/component_rules.h"
#include "core/health/health_config.h"
#include "core/health/health_model.h"
#include "core/health/leading_indicators.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"

namespace retain::health {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::AsOf;
using ::retain::testing::DaysBefore;

// Green until it churns 10 days before AsOf: 10 of 10 seats active
// (engagement 10), a sponsor touched every 7 days (relationship 10),
// commercial 10 → 10.0. An overdue invoice 20 days before AsOf makes
// commercial 6 → (4 + 3 + 0.6) / 0.8 = 9.5 and raises payment_overdue.
AccountBuilder Thriving(const std::string& id) {
  AccountBuilder b(id);
  b.ContractStart(DaysBefore(400))
      .Arr(DaysBefore(400), 50000)
      .Seats(10)
      .Sponsor(DaysBefore(400), true)
      .Payment(DaysBefore(20), true);
  for (int d = 60; d >= 11; d -= 7) {
    b.Usage(DaysBefore(d), 10).Touch(DaysBefore(d), true);
  }
  return b;
}

TEST(ChurnedHealthTest, LiveBeforeTheChurnChurnedAfter) {
  const model::AccountState a = Thriving("a").Churn(DaysBefore(10)).Build();
  const HealthConfig config = DefaultHealthConfig();

  const HealthResult before = ComputeHealth(config, a, DaysBefore(11));
  EXPECT_TRUE(before.has_score);
  EXPECT_DOUBLE_EQ(before.score, 9.5);
  EXPECT_EQ(before.band, account::v1::HEALTH_BAND_GREEN);
  ASSERT_EQ(before.indicators.size(), 1u);
  EXPECT_EQ(before.indicators[0].code, "payment_overdue");

  const HealthResult after = ComputeHealth(config, a, AsOf());
  EXPECT_FALSE(after.has_score);
  EXPECT_EQ(after.score, 0);
  EXPECT_EQ(after.band, account::v1::HEALTH_BAND_CHURNED);
  EXPECT_TRUE(after.components.empty());
  EXPECT_TRUE(after.indicators.empty());
  EXPECT_EQ(after.arr, 0);
  // The score-only path (health cache, alerts) agrees.
  EXPECT_EQ(ComputeHealthScore(config, a, AsOf()).band,
            account::v1::HEALTH_BAND_CHURNED);
  // Nor does anything it did lead anywhere, asked directly.
  EXPECT_TRUE(LeadingIndicators(config, a, AsOf(), account::v1::HEALTH_BAND_RED)
                  .empty());
}

TEST(ChurnedHealthTest, AWinBackIsLiveAgain) {
  // Churned 10 days before AsOf, back at 20,000 5 days before.
  const model::AccountState a =
      Thriving("a").Churn(DaysBefore(10)).NewLogo(DaysBefore(5), 20000).Build();
  const HealthResult h = ComputeHealth(DefaultHealthConfig(), a, AsOf());
  EXPECT_TRUE(h.has_score);
  EXPECT_NE(h.band, account::v1::HEALTH_BAND_CHURNED);
  EXPECT_EQ(h.arr, 20000);
}

TEST(ChurnedHealthTest, AProspectIsNotChurned) {
  const model::AccountState a = AccountBuilder("p")
                                    .ContractStart(DaysBefore(30))
                                    .Arr(DaysBefore(30), 0)
                                    .Build();
  EXPECT_NE(ComputeHealth(DefaultHealthConfig(), a, AsOf()).band,
            account::v1::HEALTH_BAND_CHURNED);
}

TEST(ChurnedHealthTest, ARenewalAtALowerArrIsAContraction) {
  // 10,000 renewed at -2,000 30 days before AsOf: 10 − 3 = 7; renewed
  // flat, or 200 days before (outside the 180-day lookback): 10.
  const HealthConfig config = DefaultHealthConfig();
  auto commercial = [&](double delta, double days_ago) {
    const model::AccountState a = AccountBuilder("a")
                                      .Arr(DaysBefore(300), 10000)
                                      .Renewed(DaysBefore(days_ago), delta)
                                      .Build();
    return ScoreCommercial(config, a, AsOf(), true).score;
  };
  EXPECT_DOUBLE_EQ(commercial(-2000, 30), 7);
  EXPECT_DOUBLE_EQ(commercial(0, 30), 10);
  EXPECT_DOUBLE_EQ(commercial(-2000, 200), 10);
}

}  // namespace
}  // namespace retain::health
