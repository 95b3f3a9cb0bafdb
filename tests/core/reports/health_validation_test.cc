#include "core/reports/health_validation.h"

#include <string>

#include "core/health/health_config.h"
#include "core/health/time_util.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"
#include "tests/core/reports/portfolio.h"

namespace retain::reports {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::Day;
using ::retain::testing::Portfolio;
constexpr auto kGreen = account::v1::HEALTH_BAND_GREEN;
constexpr auto kRed = account::v1::HEALTH_BAND_RED;

const absl::Time kContract = Day(2024, 1, 1);
const absl::Time kStart = Day(2024, 6, 1);
const absl::Time kAsOf = Day(2025, 6, 1);

// Red throughout: never contacted since the contract (relationship 1), an
// overdue invoice (commercial 6), nothing else → (0.3 + 0.6) / 0.4 = 2.25.
AccountBuilder Red(const std::string& id) {
  AccountBuilder b(id);
  b.ContractStart(kContract)
      .Arr(kContract, 50000)
      .Payment(Day(2024, 2, 1), true);
  return b;
}

// Touched weekly: with a sponsor relationship is 10 → green (10); without,
// 6 → (1.8 + 1) / 0.4 = 7.0 → yellow.
AccountBuilder Weekly(const std::string& id, bool sponsor) {
  AccountBuilder b(id);
  b.ContractStart(kContract).Arr(kContract, 50000);
  if (sponsor) b.Sponsor(kContract, true);
  for (absl::Time t = kContract; t <= kAsOf; t += absl::Hours(24 * 7)) {
    b.Touch(t);
  }
  return b;
}

// The hand-worked portfolio:
//   A red, churns        → true positive
//   B green, churns      → missed outcome
//   C red, no outcome    → false positive
//   D green, no outcome  → true negative
//   E red, contracts     → true positive
//   G yellow, no outcome
//   F new in the period and churned: not in the population
// evaluated 6, outcomes 3 (A, B, E), predicted red 3 (A, C, E), TP 2.
Portfolio HandWorked() {
  Portfolio p;
  p.Add(Red("A").Churn(Day(2025, 3, 1)));
  p.Add(Weekly("B", true).Churn(Day(2025, 2, 1)));
  p.Add(Red("C"));
  p.Add(Weekly("D", true));
  p.Add(Red("E").Contraction(Day(2025, 4, 1), -10000));
  p.Add(Weekly("G", false));
  p.Add(AccountBuilder("F")
            .NewLogo(Day(2024, 9, 1), 1000)
            .Churn(Day(2025, 2, 1)));
  return p;
}

TEST(HealthValidationTest, HandWorkedPrecisionRecallLift) {
  const Portfolio p = HandWorked();
  const auto v = ValidateHealthModel(p.view, health::DefaultHealthConfig(),
                                     kStart, kAsOf, 60);
  EXPECT_EQ(v.lead_days(), 60);
  EXPECT_EQ(health::FromProto(v.period_start_time()), kStart);
  EXPECT_EQ(health::FromProto(v.as_of_time()), kAsOf);
  EXPECT_EQ(v.accounts_evaluated(), 6);
  EXPECT_EQ(v.actual_outcomes(), 3);
  EXPECT_EQ(v.predicted_red(), 3);
  EXPECT_EQ(v.true_positives(), 2);
  EXPECT_DOUBLE_EQ(v.precision(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(v.recall(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(v.base_rate(), 0.5);
  EXPECT_DOUBLE_EQ(v.lift(), (2.0 / 3) / 0.5);
  EXPECT_DOUBLE_EQ(v.outcome_rate_green(), 0.5);    // B of B, D
  EXPECT_DOUBLE_EQ(v.outcome_rate_yellow(), 0);     // G
  EXPECT_DOUBLE_EQ(v.outcome_rate_red(), 2.0 / 3);  // A, E of A, C, E

  ASSERT_EQ(v.outcomes_size(), 3);
  EXPECT_EQ(v.outcomes(0).account(), "accounts/A");
  EXPECT_EQ(v.outcomes(0).outcome(), report::v1::OUTCOME_CHURN);
  EXPECT_EQ(health::FromProto(v.outcomes(0).outcome_time()), Day(2025, 3, 1));
  EXPECT_DOUBLE_EQ(v.outcomes(0).arr_lost(), 50000);
  EXPECT_EQ(v.outcomes(0).band_30d_before(), kRed);
  EXPECT_EQ(v.outcomes(0).band_60d_before(), kRed);
  EXPECT_EQ(v.outcomes(0).band_90d_before(), kRed);
  EXPECT_EQ(v.outcomes(1).account(), "accounts/B");
  EXPECT_EQ(v.outcomes(1).band_60d_before(), kGreen);
  EXPECT_EQ(v.outcomes(2).account(), "accounts/E");
  EXPECT_EQ(v.outcomes(2).outcome(), report::v1::OUTCOME_CONTRACTION);
  EXPECT_DOUBLE_EQ(v.outcomes(2).arr_lost(), 10000);
}

TEST(HealthValidationTest, ChurnWinsOverEarlierContraction) {
  Portfolio p;
  p.Add(Red("X")
            .Contraction(Day(2024, 8, 1), -5000)
            .Contraction(Day(2024, 9, 1), -5000)
            .Churn(Day(2025, 1, 1)));
  p.Add(Red("Y")
            .Contraction(Day(2024, 8, 1), -5000)
            .Contraction(Day(2024, 9, 1), -7000));
  const auto v = ValidateHealthModel(p.view, health::DefaultHealthConfig(),
                                     kStart, kAsOf, 0);
  EXPECT_EQ(v.lead_days(), 60);  // 0 means the default
  ASSERT_EQ(v.outcomes_size(), 2);
  EXPECT_EQ(v.outcomes(0).outcome(), report::v1::OUTCOME_CHURN);
  EXPECT_DOUBLE_EQ(v.outcomes(0).arr_lost(), 40000);
  EXPECT_EQ(v.outcomes(1).outcome(), report::v1::OUTCOME_CONTRACTION);
  EXPECT_EQ(health::FromProto(v.outcomes(1).outcome_time()), Day(2024, 8, 1));
  EXPECT_DOUBLE_EQ(v.outcomes(1).arr_lost(), 5000);
}

TEST(HealthValidationTest, LeadTimeDecidesThePrediction) {
  // A sponsor and weekly contact until 2025-01-20, an overdue invoice from
  // 2025-01-10, churn on 2025-04-01. 60 days before (2025-01-31): contact
  // 11 days ago → (3 + 0.6) / 0.4 = 9, green. 20 days before (2025-03-12):
  // contact 51 days ago → (0.9 + 0.6) / 0.4 = 3.75, red.
  AccountBuilder b("late");
  b.ContractStart(kContract).Arr(kContract, 50000).Sponsor(kContract, true);
  for (absl::Time t = kContract; t <= Day(2025, 1, 20);
       t += absl::Hours(24 * 7)) {
    b.Touch(t);
  }
  b.Payment(Day(2025, 1, 10), true).Churn(Day(2025, 4, 1));
  Portfolio p;
  p.Add(b);
  // 20 days ahead it was red; 60 days ahead it was not.
  EXPECT_EQ(ValidateHealthModel(p.view, health::DefaultHealthConfig(), kStart,
                                kAsOf, 20)
                .true_positives(),
            1);
  EXPECT_EQ(ValidateHealthModel(p.view, health::DefaultHealthConfig(), kStart,
                                kAsOf, 60)
                .true_positives(),
            0);
}

TEST(HealthValidationTest, EmptyPopulationIsAllZero) {
  Portfolio p;
  const auto v = ValidateHealthModel(p.view, health::DefaultHealthConfig(),
                                     kStart, kAsOf, 60);
  EXPECT_EQ(v.accounts_evaluated(), 0);
  EXPECT_DOUBLE_EQ(v.precision(), 0);
  EXPECT_DOUBLE_EQ(v.recall(), 0);
  EXPECT_DOUBLE_EQ(v.lift(), 0);
}

}  // namespace
}  // namespace retain::reports
