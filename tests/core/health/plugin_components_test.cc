// Plugin health components go through the same combination and the same
// configured bands as the core ones (decision 0012).
#include <string>

#include "core/health/health_config.h"
#include "core/health/health_model.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"

namespace retain::health {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::AsOf;
using ::retain::testing::DaysBefore;

model::AccountState Account() {
  return AccountBuilder("a1")
      .Seats(10)
      .NewLogo(DaysBefore(200), 50000)
      .Usage(DaysBefore(3), 9)
      .Touch(DaysBefore(5), true)
      .Build();
}

model::PluginComponent Onboarding(double score, double weight,
                                  absl::Time observed) {
  model::PluginComponent c;
  c.source = "onboarding";
  c.name = "onboarding";
  c.weight = weight;
  c.score = score;
  c.has_data = true;
  c.explanation = "2 of 4 due milestones overdue";
  c.inputs = {{"overdue", "2"}};
  c.observed_time = observed;
  return c;
}

TEST(PluginComponentsTest, CombinedWithCoreComponentsByTheSameRule) {
  const HealthConfig config = DefaultHealthConfig();
  model::AccountState a = Account();
  const HealthResult core = ComputeHealth(config, a, AsOf());
  ASSERT_TRUE(core.has_score);
  double core_weight = 0;
  for (const auto& c : core.components) {
    if (c.has_data) core_weight += c.weight;
  }
  a.plugin_components.push_back(Onboarding(2.0, 0.2, DaysBefore(1)));
  const HealthResult both = ComputeHealth(config, a, AsOf());
  ASSERT_EQ(both.components.size(), core.components.size() + 1);
  const ComponentResult& plugin = both.components.back();
  EXPECT_EQ(plugin.source, "onboarding");
  EXPECT_EQ(plugin.explanation, "2 of 4 due milestones overdue");
  EXPECT_NEAR(plugin.effective_weight, 0.2 / (core_weight + 0.2), 1e-9);
  EXPECT_NEAR(both.score,
              (core.score * core_weight + 2.0 * 0.2) / (core_weight + 0.2),
              1e-6);
  // The score-only evaluation (lists, the at-risk list, the cache) agrees.
  const HealthResult score_only = ComputeHealthScore(config, a, AsOf());
  EXPECT_DOUBLE_EQ(score_only.score, both.score);
  EXPECT_EQ(score_only.band, both.band);
}

TEST(PluginComponentsTest, BandsComeFromTheConfig) {
  model::AccountState a = Account();
  a.plugin_components.push_back(Onboarding(2.0, 0.2, DaysBefore(1)));
  HealthConfig config = DefaultHealthConfig();
  const double score = ComputeHealth(config, a, AsOf()).score;
  // Cut-offs just above and just below the combined score move the band.
  config.bands.green_min = score + 0.5;
  config.bands.yellow_min = score - 0.01;
  EXPECT_EQ(ComputeHealth(config, a, AsOf()).band,
            account::v1::HEALTH_BAND_YELLOW);
  config.bands.yellow_min = score + 0.01;
  EXPECT_EQ(ComputeHealth(config, a, AsOf()).band,
            account::v1::HEALTH_BAND_RED);
  config.bands.green_min = score;
  config.bands.yellow_min = score - 1;
  EXPECT_EQ(ComputeHealth(config, a, AsOf()).band,
            account::v1::HEALTH_BAND_GREEN);
}

TEST(PluginComponentsTest, CountOnlyFromWhenTheyWereObserved) {
  const HealthConfig config = DefaultHealthConfig();
  model::AccountState a = Account();
  const HealthResult before = ComputeHealth(config, a, DaysBefore(2));
  a.plugin_components.push_back(Onboarding(0.0, 0.5, DaysBefore(1)));
  const HealthResult past = ComputeHealth(config, a, DaysBefore(2));
  EXPECT_EQ(past.components.size(), before.components.size());
  EXPECT_DOUBLE_EQ(past.score, before.score);
  EXPECT_LT(ComputeHealth(config, a, AsOf()).score, past.score);
}

TEST(PluginComponentsTest, OutsideInputIsClampedNotTrusted) {
  const HealthConfig config = DefaultHealthConfig();
  model::AccountState a = Account();
  const double core = ComputeHealth(config, a, AsOf()).score;
  a.plugin_components.push_back(Onboarding(50.0, -3.0, DaysBefore(1)));
  const HealthResult r = ComputeHealth(config, a, AsOf());
  // A negative weight counts as none; the score is clamped to 0-10.
  EXPECT_DOUBLE_EQ(r.components.back().score, 10.0);
  EXPECT_DOUBLE_EQ(r.components.back().effective_weight, 0.0);
  EXPECT_DOUBLE_EQ(r.score, core);
}

}  // namespace
}  // namespace retain::health
