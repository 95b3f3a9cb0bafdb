#include "core/health/health_model.h"

#include <string>
#include <vector>

#include "core/health/health_config.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"

namespace retain::health {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::AsOf;
using ::retain::testing::DaysAfter;
using ::retain::testing::DaysBefore;
constexpr auto kGreen = account::v1::HEALTH_BAND_GREEN;
constexpr auto kYellow = account::v1::HEALTH_BAND_YELLOW;
constexpr auto kRed = account::v1::HEALTH_BAND_RED;
constexpr auto kNone = account::v1::HEALTH_BAND_UNSPECIFIED;

struct BandCase {
  double score;
  model::HealthBand band;
};

class BandTest : public ::testing::TestWithParam<BandCase> {};

TEST_P(BandTest, CutOffs) {
  EXPECT_EQ(BandForScore(DefaultHealthConfig(), GetParam().score),
            GetParam().band);
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, BandTest,
    ::testing::Values(BandCase{10, kGreen}, BandCase{7.51, kGreen},
                      BandCase{7.5, kGreen}, BandCase{7.49, kYellow},
                      BandCase{7.4, kYellow}, BandCase{5.01, kYellow},
                      BandCase{5.0, kYellow}, BandCase{4.99, kRed},
                      BandCase{0, kRed}));

ComponentResult Component(double weight, bool has_data, double score) {
  ComponentResult c;
  c.weight = weight;
  c.has_data = has_data;
  c.score = score;
  return c;
}

struct CombineCase {
  std::string name;
  std::vector<ComponentResult> components;
  bool has_score;
  double score;
  std::vector<double> effective_weights;
};

class CombineTest : public ::testing::TestWithParam<CombineCase> {};

TEST_P(CombineTest, RespreadsMissingWeight) {
  std::vector<ComponentResult> cs = GetParam().components;
  double score = -1;
  EXPECT_EQ(CombineComponents(cs, &score), GetParam().has_score);
  EXPECT_NEAR(score, GetParam().score, 1e-9);
  for (size_t i = 0; i < cs.size(); ++i) {
    EXPECT_NEAR(cs[i].effective_weight, GetParam().effective_weights[i], 1e-12)
        << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Weights, CombineTest,
    ::testing::Values(
        CombineCase{"all",
                    {Component(0.4, true, 10), Component(0.3, true, 6),
                     Component(0.2, true, 8), Component(0.1, true, 0)},
                    true,
                    7.4,
                    {0.4, 0.3, 0.2, 0.1}},
        CombineCase{"no_engagement",
                    {Component(0.4, false, 0), Component(0.3, true, 6),
                     Component(0.2, true, 9), Component(0.1, true, 3)},
                    true,
                    (0.3 * 6 + 0.2 * 9 + 0.1 * 3) / 0.6,
                    {0, 0.5, 1.0 / 3, 1.0 / 6}},
        CombineCase{"only_commercial",
                    {Component(0.4, false, 0), Component(0.3, false, 0),
                     Component(0.2, false, 0), Component(0.1, true, 7)},
                    true,
                    7,
                    {0, 0, 0, 1}},
        CombineCase{"none",
                    {Component(0.4, false, 0), Component(0.3, false, 0),
                     Component(0.2, false, 0), Component(0.1, false, 0)},
                    false,
                    0,
                    {0, 0, 0, 0}}),
    [](const ::testing::TestParamInfo<CombineCase>& info) {
      return info.param.name;
    });

// Builds an account whose components score exactly: engagement by
// active users of 100 seats, relationship by days since contact (no
// sponsor), support by one open ticket of `severity` (none when
// UNSPECIFIED, then CSAT 5 keeps support at 10), commercial by flags.
struct Recipe {
  int active_users;
  double contact_days_ago;
  signal::v1::TicketSeverity ticket;
  bool overdue;
  bool renewal_soon;
};

model::AccountState Make(const Recipe& r) {
  AccountBuilder b("a");
  b.Seats(100)
      .ContractStart(DaysBefore(400))
      .Arr(DaysBefore(400), 50000)
      .Usage(DaysBefore(1), r.active_users)
      .Touch(DaysBefore(r.contact_days_ago));
  if (r.ticket != signal::v1::TICKET_SEVERITY_UNSPECIFIED) {
    b.Ticket(DaysBefore(3), "t", signal::v1::TICKET_STATUS_OPENED, r.ticket);
  } else {
    b.Csat(DaysBefore(3), 5);
  }
  if (r.overdue) b.Payment(DaysBefore(2), true);
  if (r.renewal_soon) b.Renewal(DaysAfter(30));
  return b.Build();
}

struct ScoreCase {
  std::string name;
  Recipe recipe;
  double score;
  model::HealthBand band;
};

class ComputeHealthTest : public ::testing::TestWithParam<ScoreCase> {};

TEST_P(ComputeHealthTest, WeightedScoreAndBand) {
  const HealthResult r =
      ComputeHealth(DefaultHealthConfig(), Make(GetParam().recipe), AsOf());
  ASSERT_TRUE(r.has_score);
  EXPECT_DOUBLE_EQ(r.score, GetParam().score);
  EXPECT_EQ(r.band, GetParam().band);
}

// The score-only path (health cache, band distributions) must agree with the
// explained one on every case, and skip the explanations.
TEST_P(ComputeHealthTest, ScoreOnlyPathAgrees) {
  const model::AccountState account = Make(GetParam().recipe);
  const HealthResult full =
      ComputeHealth(DefaultHealthConfig(), account, AsOf());
  const HealthResult fast =
      ComputeHealthScore(DefaultHealthConfig(), account, AsOf());
  EXPECT_EQ(fast.has_score, full.has_score);
  EXPECT_DOUBLE_EQ(fast.score, full.score);
  EXPECT_EQ(fast.band, full.band);
  ASSERT_EQ(fast.components.size(), full.components.size());
  for (size_t i = 0; i < full.components.size(); ++i) {
    EXPECT_EQ(fast.components[i].has_data, full.components[i].has_data);
    EXPECT_DOUBLE_EQ(fast.components[i].score, full.components[i].score);
    EXPECT_DOUBLE_EQ(fast.components[i].effective_weight,
                     full.components[i].effective_weight);
    EXPECT_TRUE(fast.components[i].inputs.empty());
    EXPECT_TRUE(fast.components[i].explanation.empty());
    EXPECT_FALSE(full.components[i].explanation.empty());
  }
  EXPECT_TRUE(fast.indicators.empty());
}

constexpr auto kUnset = signal::v1::TICKET_SEVERITY_UNSPECIFIED;
constexpr auto kLow = signal::v1::TICKET_SEVERITY_LOW;
constexpr auto kMedium = signal::v1::TICKET_SEVERITY_MEDIUM;

INSTANTIATE_TEST_SUITE_P(
    BandEdges, ComputeHealthTest,
    ::testing::Values(
        // 0.4*10 + 0.3*6 + 0.2*10 + 0.1*10 = 8.8
        ScoreCase{"healthy", {90, 5, kUnset, false, false}, 8.8, kGreen},
        // 0.4*7 + 0.3*6 + 0.2*10 + 0.1*9 = 7.5 exactly → green
        ScoreCase{"exactly_7_5", {70, 5, kUnset, false, true}, 7.5, kGreen},
        // 0.4*7 + 0.3*6 + 0.2*10 + 0.1*10 = 7.6
        ScoreCase{"just_above_7_5", {70, 5, kUnset, false, false}, 7.6, kGreen},
        // 0.4*7 + 0.3*6 + 0.2*9.5 + 0.1*9 = 7.4
        ScoreCase{"just_below_7_5", {70, 5, kLow, false, true}, 7.4, kYellow},
        // 0.4*4 + 0.3*3 + 0.2*9.5 + 0.1*6 = 5.0 exactly → yellow
        ScoreCase{"exactly_5", {40, 45, kLow, true, false}, 5.0, kYellow},
        // 0.4*4 + 0.3*6 + 0.2*9.5 + 0.1*6 = 5.9
        ScoreCase{"just_above_5", {40, 5, kLow, true, false}, 5.9, kYellow},
        // 0.4*4 + 0.3*3 + 0.2*9 + 0.1*6 = 4.9
        ScoreCase{"just_below_5", {40, 45, kMedium, true, false}, 4.9, kRed},
        // 0.4*1 + 0.3*1 + 0.2*9 + 0.1*6 = 3.1
        ScoreCase{"at_risk", {10, 90, kMedium, true, false}, 3.1, kRed}),
    [](const ::testing::TestParamInfo<ScoreCase>& info) {
      return info.param.name;
    });

TEST(ComputeHealthTest, MissingComponentsRespreadAndExplain) {
  // No usage, never contacted and no start date, no support signals: only
  // commercial has data, so it carries the whole weight.
  const auto account = AccountBuilder("a").Arr(DaysBefore(10), 1000).Build();
  const HealthResult r = ComputeHealth(DefaultHealthConfig(), account, AsOf());
  ASSERT_TRUE(r.has_score);
  EXPECT_DOUBLE_EQ(r.score, 10);
  EXPECT_EQ(r.band, kGreen);
  ASSERT_EQ(r.components.size(), 4u);
  const char* names[] = {"engagement", "relationship", "support", "commercial"};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(r.components[i].name, names[i]);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(r.components[i].has_data);
    EXPECT_DOUBLE_EQ(r.components[i].effective_weight, 0);
    EXPECT_NE(r.components[i].explanation.find("no data"), std::string::npos)
        << r.components[i].explanation;
  }
  EXPECT_DOUBLE_EQ(r.components[3].effective_weight, 1);
  EXPECT_DOUBLE_EQ(r.components[0].weight, 0.4);
}

TEST(ComputeHealthTest, EngagementMissingSpreadsOverTheRest) {
  // relationship 6, support 10 (CSAT), commercial 10; engagement no data.
  const auto account = AccountBuilder("a")
                           .ContractStart(DaysBefore(100))
                           .Arr(DaysBefore(100), 1000)
                           .Touch(DaysBefore(5))
                           .Csat(DaysBefore(5), 5)
                           .Build();
  const HealthResult r = ComputeHealth(DefaultHealthConfig(), account, AsOf());
  EXPECT_NEAR(r.components[1].effective_weight, 0.5, 1e-12);
  EXPECT_NEAR(r.components[2].effective_weight, 1.0 / 3, 1e-12);
  EXPECT_NEAR(r.components[3].effective_weight, 1.0 / 6, 1e-12);
  EXPECT_NEAR(r.score, 0.5 * 6 + 10.0 / 3 + 10.0 / 6, 1e-6);
  EXPECT_EQ(r.band, kGreen);
}

// A resolved ticket says nothing of support now: the account scores as an
// identical quiet one. Engagement 4 (4 of 10 seats), relationship 6
// (contact 20 days ago), commercial 10; support no data in both:
// (0.4 * 4 + 0.3 * 6 + 0.1 * 10) / 0.8 = 5.5, not 6.4 with a support 10.
TEST(ComputeHealthTest, AClosedTicketScoresAsAQuietAccount) {
  auto base = [] {
    AccountBuilder b("a");
    b.ContractStart(DaysBefore(100))
        .Arr(DaysBefore(100), 1000)
        .Seats(10)
        .Usage(DaysBefore(1), 4)
        .Touch(DaysBefore(20));
    return b;
  };
  const auto quiet = base().Build();
  const auto served =
      base()
          .Ticket(DaysBefore(20), "t1", signal::v1::TICKET_STATUS_OPENED,
                  signal::v1::TICKET_SEVERITY_HIGH)
          .Ticket(DaysBefore(10), "t1", signal::v1::TICKET_STATUS_CLOSED)
          .Build();
  const HealthResult q = ComputeHealth(DefaultHealthConfig(), quiet, AsOf());
  const HealthResult s = ComputeHealth(DefaultHealthConfig(), served, AsOf());
  EXPECT_NEAR(q.score, 5.5, 1e-6);
  EXPECT_NEAR(s.score, 5.5, 1e-6);
  EXPECT_FALSE(s.components[2].has_data) << s.components[2].explanation;
  EXPECT_EQ(s.band, kYellow);
}

TEST(ComputeHealthTest, IgnoresEverythingAfterAsOf) {
  const Recipe good{90, 5, kUnset, false, false};
  model::AccountState later = Make(good);
  // The same account plus bad news after as_of.
  later.timeline.tickets.push_back(
      {DaysAfter(1), "x", signal::v1::TICKET_STATUS_OPENED,
       signal::v1::TICKET_SEVERITY_CRITICAL, true});
  later.timeline.usage.push_back({DaysAfter(2), 1, 7});
  later.timeline.payments.push_back({DaysAfter(3), true});
  later.timeline.arr_changes.push_back(
      {DaysAfter(4), model::ArrOp::kSet, 0,
       signal::v1::COMMERCIAL_EVENT_KIND_CHURN});
  const HealthResult before =
      ComputeHealth(DefaultHealthConfig(), Make(good), AsOf());
  const HealthResult with_future =
      ComputeHealth(DefaultHealthConfig(), later, AsOf());
  EXPECT_DOUBLE_EQ(with_future.score, before.score);
  EXPECT_EQ(with_future.band, before.band);
  EXPECT_DOUBLE_EQ(with_future.arr, 50000);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(with_future.components[i].explanation,
              before.components[i].explanation);
  }
  EXPECT_TRUE(with_future.indicators.empty());
  // And at a later as_of the bad news shows: red before the churn, churned
  // (no live health) from it on.
  EXPECT_EQ(ComputeHealth(DefaultHealthConfig(), later, DaysAfter(3.5)).band,
            kRed);
  EXPECT_EQ(ComputeHealth(DefaultHealthConfig(), later, DaysAfter(5)).band,
            account::v1::HEALTH_BAND_CHURNED);
}

TEST(ComputeHealthTest, WeightsComeFromConfig) {
  HealthConfig config = DefaultHealthConfig();
  config.weights = {1.0, 0, 0, 0};
  const HealthResult r = ComputeHealth(
      config, Make({40, 5, kUnset, false, false}), AsOf());  // engagement 4
  EXPECT_DOUBLE_EQ(r.score, 4);
  EXPECT_EQ(r.band, kRed);
}

TEST(ComputeHealthTest, ArrAndSegmentAsOf) {
  const auto account = AccountBuilder("a")
                           .Arr(DaysBefore(100), 4000)
                           .Expansion(DaysBefore(10), 90000)
                           .Build();
  const HealthResult now =
      ComputeHealth(DefaultHealthConfig(), account, AsOf());
  EXPECT_DOUBLE_EQ(now.arr, 94000);
  EXPECT_EQ(now.segment, account::v1::SEGMENT_DEDICATED);
  const HealthResult then =
      ComputeHealth(DefaultHealthConfig(), account, DaysBefore(20));
  EXPECT_DOUBLE_EQ(then.arr, 4000);
  EXPECT_EQ(then.segment, account::v1::SEGMENT_DIGITAL);
  EXPECT_EQ(
      ComputeHealth(DefaultHealthConfig(), AccountBuilder("b").Build(), AsOf())
          .band,
      kRed);  // commercial 0 always has data
  (void)kNone;
}

}  // namespace
}  // namespace retain::health
