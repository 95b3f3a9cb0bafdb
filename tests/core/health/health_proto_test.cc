#include "core/health/health_proto.h"

#include "core/health/health_config.h"
#include "core/health/health_model.h"
#include "core/health/time_util.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"

namespace retain::health {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::AsOf;
using ::retain::testing::DaysBefore;

TEST(HealthProtoTest, FillsEveryField) {
  const auto account = AccountBuilder("acme")
                           .DisplayName("Acme")
                           .Seats(100)
                           .ContractStart(DaysBefore(400))
                           .Arr(DaysBefore(400), 30000)
                           .Usage(DaysBefore(1), 90)
                           .Touch(DaysBefore(2))
                           .Payment(DaysBefore(1), true)
                           .Build();
  const report::v1::AccountHealth p =
      AccountHealthProto(DefaultHealthConfig(), account, AsOf());
  EXPECT_EQ(p.account(), "accounts/acme");
  EXPECT_EQ(p.display_name(), "Acme");
  EXPECT_EQ(FromProto(p.as_of_time()), AsOf());
  // (0.4*10 + 0.3*6 + 0.1*6) / 0.8: support has no data.
  EXPECT_DOUBLE_EQ(p.score(), 8.0);
  EXPECT_EQ(p.band(), account::v1::HEALTH_BAND_GREEN);
  EXPECT_DOUBLE_EQ(p.arr(), 30000);
  EXPECT_EQ(p.segment(), account::v1::SEGMENT_NAMED);
  ASSERT_EQ(p.components_size(), 4);
  EXPECT_EQ(p.components(0).name(), "engagement");
  EXPECT_DOUBLE_EQ(p.components(0).weight(), 0.4);
  EXPECT_DOUBLE_EQ(p.components(0).effective_weight(), 0.5);
  EXPECT_EQ(p.components(0).source(), "core");
  EXPECT_FALSE(p.components(0).explanation().empty());
  bool saw_utilisation = false;
  for (const auto& in : p.components(0).inputs()) {
    if (in.name() == "utilisation") {
      saw_utilisation = true;
      EXPECT_EQ(in.value(), "0.9000");
    }
  }
  EXPECT_TRUE(saw_utilisation);
  EXPECT_FALSE(p.components(2).has_data());
  EXPECT_DOUBLE_EQ(p.components(2).effective_weight(), 0);
  ASSERT_EQ(p.leading_indicators_size(), 1);
  EXPECT_EQ(p.leading_indicators(0).code(), "payment_overdue");
  EXPECT_EQ(FromProto(p.leading_indicators(0).observed_time()), DaysBefore(1));

  // 30 and 90 days ago: no usage yet, never contacted for 370+ days
  // (relationship 1), commercial 10 → (0.3*1 + 0.1*10) / 0.4 = 3.25.
  ASSERT_EQ(p.trends_size(), 2);
  EXPECT_EQ(p.trends(0).days_ago(), 30);
  EXPECT_EQ(p.trends(1).days_ago(), 90);
  for (const auto& t : p.trends()) {
    EXPECT_TRUE(t.has_score());
    EXPECT_DOUBLE_EQ(t.score(), 3.25);
    EXPECT_EQ(t.band(), account::v1::HEALTH_BAND_RED);
    EXPECT_DOUBLE_EQ(t.delta(), 8.0 - 3.25);
  }
}

TEST(HealthProtoTest, NoScoreThenMeansNoTrendScore) {
  // No data at all 90 days ago: the account did not exist, yet commercial
  // always has data, so every account has a score; a trend without score
  // only comes from a config whose commercial weight is 0.
  HealthConfig config = DefaultHealthConfig();
  config.weights = {0.5, 0.5, 0, 0};
  const auto account = AccountBuilder("a")
                           .Seats(10)
                           .Usage(DaysBefore(1), 9)
                           .Touch(DaysBefore(1))
                           .Build();
  const report::v1::AccountHealth p =
      AccountHealthProto(config, account, AsOf());
  EXPECT_TRUE(p.score() > 0);
  ASSERT_EQ(p.trends_size(), 2);
  EXPECT_FALSE(p.trends(1).has_score());
  EXPECT_EQ(p.trends(1).band(), account::v1::HEALTH_BAND_UNSPECIFIED);
  EXPECT_DOUBLE_EQ(p.trends(1).delta(), 0);
}

}  // namespace
}  // namespace retain::health
