#include <string>

#include "core/health/component_rules.h"
#include "core/health/health_config.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"

namespace retain::health {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::AsOf;
using ::retain::testing::DaysBefore;

std::string InputValue(const ComponentResult& r, const std::string& name) {
  for (const Input& in : r.inputs) {
    if (in.name == name) return in.value;
  }
  return "<missing>";
}

struct UtilisationCase {
  int active_users;
  int seats;
  bool has_data;
  double score;
};

class EngagementUtilisationTest
    : public ::testing::TestWithParam<UtilisationCase> {};

TEST_P(EngagementUtilisationTest, ScoresByBand) {
  const UtilisationCase& c = GetParam();
  const auto account = AccountBuilder("a")
                           .Seats(c.seats)
                           .Usage(DaysBefore(1), c.active_users)
                           .Build();
  const ComponentResult r =
      ScoreEngagement(DefaultHealthConfig(), account, AsOf());
  EXPECT_EQ(r.has_data, c.has_data) << r.explanation;
  if (c.has_data) {
    EXPECT_DOUBLE_EQ(r.score, c.score) << r.explanation;
  }
  EXPECT_EQ(InputValue(r, "active_users"), std::to_string(c.active_users));
  EXPECT_EQ(InputValue(r, "licensed_seats"), std::to_string(c.seats));
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, EngagementUtilisationTest,
    ::testing::Values(
        // > 80% → 10; exactly 80% is in 50-80% → 7.
        UtilisationCase{120, 100, true, 10},
        UtilisationCase{100, 100, true, 10}, UtilisationCase{81, 100, true, 10},
        UtilisationCase{801, 1000, true, 10}, UtilisationCase{80, 100, true, 7},
        UtilisationCase{8, 10, true, 7}, UtilisationCase{799, 1000, true, 7},
        // Exactly 50% → 7; just below → 4.
        UtilisationCase{51, 100, true, 7}, UtilisationCase{50, 100, true, 7},
        UtilisationCase{1, 2, true, 7}, UtilisationCase{499, 1000, true, 4},
        UtilisationCase{49, 100, true, 4},
        // Exactly 30% → 4; just below → 1.
        UtilisationCase{31, 100, true, 4}, UtilisationCase{30, 100, true, 4},
        UtilisationCase{3, 10, true, 4}, UtilisationCase{12, 40, true, 4},
        UtilisationCase{299, 1000, true, 1}, UtilisationCase{29, 100, true, 1},
        UtilisationCase{0, 100, true, 1},
        // No licensed seats: utilisation undefined.
        UtilisationCase{10, 0, false, 0}));

struct WindowCase {
  double snapshot_days_ago;
  bool has_data;
};

class EngagementWindowTest : public ::testing::TestWithParam<WindowCase> {};

TEST_P(EngagementWindowTest, OnlyARecentSnapshotCounts) {
  const auto account = AccountBuilder("a")
                           .Seats(10)
                           .Usage(DaysBefore(GetParam().snapshot_days_ago), 9)
                           .Build();
  const ComponentResult r =
      ScoreEngagement(DefaultHealthConfig(), account, AsOf());
  EXPECT_EQ(r.has_data, GetParam().has_data) << r.explanation;
}

// The window is (as_of − 30 d, as_of].
INSTANTIATE_TEST_SUITE_P(Lookback, EngagementWindowTest,
                         ::testing::Values(WindowCase{0, true},
                                           WindowCase{29.9, true},
                                           WindowCase{30, false},
                                           WindowCase{30.1, false},
                                           WindowCase{-1, false}));

TEST(EngagementTest, UsesLatestSnapshotAtOrBeforeAsOf) {
  const auto account = AccountBuilder("a")
                           .Seats(100)
                           .Usage(DaysBefore(10), 20)  // 20%
                           .Usage(DaysBefore(2), 90)   // 90%, latest
                           .Usage(DaysBefore(-3), 10)  // after as_of
                           .Build();
  EXPECT_DOUBLE_EQ(
      ScoreEngagement(DefaultHealthConfig(), account, AsOf()).score, 10);
  EXPECT_DOUBLE_EQ(
      ScoreEngagement(DefaultHealthConfig(), account, DaysBefore(5)).score, 1);
}

TEST(EngagementTest, NoSnapshotIsNoData) {
  const auto account = AccountBuilder("a").Seats(100).Build();
  const ComponentResult r =
      ScoreEngagement(DefaultHealthConfig(), account, AsOf());
  EXPECT_FALSE(r.has_data);
  EXPECT_NE(r.explanation.find("no data"), std::string::npos);
}

// The tiers are for weekly active users. 9 of 10 seats active over 30 days
// is not 90% weekly use: that snapshot is not scored, the latest weekly
// one (4 of 10, 40% → 4) is; with only 30-day counts there is no data.
TEST(EngagementTest, OnlySnapshotsOverTheRulesWindowAreScored) {
  const auto mixed = AccountBuilder("a")
                         .Seats(10)
                         .Usage(DaysBefore(6), 4)      // weekly: 40%
                         .Usage(DaysBefore(1), 9, 30)  // monthly
                         .Build();
  const ComponentResult r =
      ScoreEngagement(DefaultHealthConfig(), mixed, AsOf());
  EXPECT_TRUE(r.has_data);
  EXPECT_DOUBLE_EQ(r.score, 4) << r.explanation;
  EXPECT_EQ(InputValue(r, "active_users"), "4");
  EXPECT_EQ(InputValue(r, "usage_window_days"), "7");

  const auto monthly =
      AccountBuilder("b").Seats(10).Usage(DaysBefore(1), 9, 30).Build();
  const ComponentResult m =
      ScoreEngagement(DefaultHealthConfig(), monthly, AsOf());
  EXPECT_FALSE(m.has_data);
  EXPECT_EQ(m.explanation,
            "no data: the latest usage snapshot counts 30-day active users; "
            "the rule scores 7-day ones, none in the last 30 days");

  // A deployment whose usage feed is monthly says so, and tunes the tiers.
  HealthConfig config = DefaultHealthConfig();
  config.engagement.window_days = 30;
  EXPECT_DOUBLE_EQ(ScoreEngagement(config, monthly, AsOf()).score, 10);
}

TEST(EngagementTest, ThresholdsComeFromConfig) {
  HealthConfig config = DefaultHealthConfig();
  config.engagement.high_utilisation = 0.9;
  const auto account =
      AccountBuilder("a").Seats(100).Usage(DaysBefore(1), 85).Build();
  EXPECT_DOUBLE_EQ(ScoreEngagement(config, account, AsOf()).score, 7);
}

}  // namespace
}  // namespace retain::health
