// One churn definition across retention, time-to-churn, cohorts, model
// validation and the at-risk list, on a hand-made portfolio with the cases
// that used to be counted differently: a churn twice, a churn and return, a
// renewal at a lower ARR, a renewal that took ARR to 0, and a prospect that
// never had ARR.
#include <map>
#include <string>

#include "core/health/health_config.h"
#include "core/health/health_model.h"
#include "core/reports/at_risk.h"
#include "core/reports/churn_analysis.h"
#include "core/reports/health_validation.h"
#include "core/reports/retention.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"
#include "tests/core/reports/portfolio.h"

namespace retain::reports {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::Day;
using ::retain::testing::Portfolio;

const absl::Time kStart = Day(2024, 1, 1);
const absl::Time kAsOf = Day(2024, 12, 31);

// Every account started before the period, so the opening book, the
// cohorts and the population of the validation hold the same accounts.
Portfolio Book() {
  Portfolio p;
  // 10,000 from 2023-03-01, churned 2024-05-01 (tenure 14 months).
  p.Add(AccountBuilder("plain")
            .ContractStart(Day(2023, 3, 1))
            .Arr(Day(2023, 3, 1), 10000)
            .Churn(Day(2024, 5, 1)));
  // 8,000; churned Feb 1, back at 4,000 Apr 1, churned again Aug 1: one
  // churn, on Aug 1 (tenure 14 months), losing 4,000.
  p.Add(AccountBuilder("twice")
            .ContractStart(Day(2023, 6, 1))
            .Arr(Day(2023, 6, 1), 8000)
            .Churn(Day(2024, 2, 1))
            .NewLogo(Day(2024, 4, 1), 4000)
            .Churn(Day(2024, 8, 1)));
  // 6,000; churned Feb 1, back at 5,000 Apr 1: not churned in the period,
  // a 1,000 contraction in retention.
  p.Add(AccountBuilder("back")
            .ContractStart(Day(2023, 6, 1))
            .Arr(Day(2023, 6, 1), 6000)
            .Churn(Day(2024, 2, 1))
            .NewLogo(Day(2024, 4, 1), 5000));
  // 20,000 renewed at -5,000 on 2024-09-01: a 5,000 contraction.
  p.Add(AccountBuilder("downsell")
            .ContractStart(Day(2023, 9, 1))
            .Arr(Day(2023, 9, 1), 20000)
            .Renewed(Day(2024, 9, 1), -5000));
  // 3,000 from 2023-12-15 renewed at -3,000 on 2024-10-01 (stored before
  // such renewals were refused): a churn at 9 months.
  p.Add(AccountBuilder("renewed-to-zero")
            .ContractStart(Day(2023, 12, 15))
            .Arr(Day(2023, 12, 15), 3000)
            .Renewed(Day(2024, 10, 1), -3000));
  // Never had ARR: a prospect, neither churned nor in any cohort.
  p.Add(AccountBuilder("prospect")
            .ContractStart(Day(2023, 5, 1))
            .Arr(Day(2023, 5, 1), 0));
  return p;
}

TEST(ChurnConsistencyTest, RetentionCountsTheThreeChurns) {
  const Portfolio p = Book();
  const report::v1::Retention r = ComputeRetention(p.view, kStart, kAsOf);
  // Start: 10,000 + 8,000 + 6,000 + 20,000 + 3,000 = 47,000 in 5 accounts.
  EXPECT_DOUBLE_EQ(r.arr_start(), 47000);
  EXPECT_EQ(r.accounts_start(), 5);
  // Churned: plain, twice, renewed-to-zero at their start ARR.
  EXPECT_EQ(r.accounts_churned(), 3);
  EXPECT_DOUBLE_EQ(r.churned_arr(), 10000 + 8000 + 3000);
  // Contraction: back 1,000 + downsell 5,000.
  EXPECT_DOUBLE_EQ(r.contraction_arr(), 6000);
  EXPECT_DOUBLE_EQ(r.arr_end(), 20000);
  EXPECT_DOUBLE_EQ(r.grr(), (47000.0 - 21000 - 6000) / 47000);
  EXPECT_DOUBLE_EQ(r.logo_churn(), 3.0 / 5);
}

TEST(ChurnConsistencyTest, TimeToChurnCountsTheSameThree) {
  const Portfolio p = Book();
  const auto w = TimeToChurn(p.view, kStart, kAsOf);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].accounts(), 0);
  // renewed-to-zero: 2023-12-15 to 2024-10-01 is 9 whole months.
  EXPECT_EQ(w[1].accounts(), 1);
  EXPECT_DOUBLE_EQ(w[1].arr(), 3000);
  // plain and twice at 14 months, with the ARR each had just before.
  EXPECT_EQ(w[2].accounts(), 2);
  EXPECT_DOUBLE_EQ(w[2].arr(), 10000 + 4000);
}

TEST(ChurnConsistencyTest, CohortsLoseTheSameThree) {
  const Portfolio p = Book();
  const auto cohorts = Cohorts(p.view, kAsOf);
  // 2023-03 plain (lost), 2023-06 twice (lost) and back, 2023-09 downsell,
  // 2023-12 renewed-to-zero (lost); the prospect's 2023-05 is not a cohort.
  ASSERT_EQ(cohorts.size(), 4u);
  int lost = 0;
  for (const auto& c : cohorts) {
    EXPECT_NE(c.start_month(), "2023-05");
    lost += c.accounts_started() - c.accounts_retained();
  }
  EXPECT_EQ(lost, 3);
  EXPECT_EQ(cohorts[1].start_month(), "2023-06");
  EXPECT_EQ(cohorts[1].accounts_started(), 2);
  EXPECT_EQ(cohorts[1].accounts_retained(), 1);
}

TEST(ChurnConsistencyTest, ValidationOutcomesChurnTheSameThree) {
  const Portfolio p = Book();
  const auto v = ValidateHealthModel(p.view, health::DefaultHealthConfig(),
                                     kStart, kAsOf, 60);
  EXPECT_EQ(v.accounts_evaluated(), 5);
  ASSERT_EQ(v.actual_outcomes(), 5);
  struct Want {
    report::v1::Outcome kind;
    absl::Time time;
    double arr_lost;
  };
  const std::map<std::string, Want> want = {
      {"accounts/plain", {report::v1::OUTCOME_CHURN, Day(2024, 5, 1), 10000}},
      {"accounts/twice", {report::v1::OUTCOME_CHURN, Day(2024, 8, 1), 4000}},
      {"accounts/renewed-to-zero",
       {report::v1::OUTCOME_CHURN, Day(2024, 10, 1), 3000}},
      // The Feb 1 churn it came back from: a loss, not a churn.
      {"accounts/back",
       {report::v1::OUTCOME_CONTRACTION, Day(2024, 2, 1), 6000}},
      // The renewal at -5,000 is the contraction.
      {"accounts/downsell",
       {report::v1::OUTCOME_CONTRACTION, Day(2024, 9, 1), 5000}},
  };
  int churns = 0;
  for (const auto& o : v.outcomes()) {
    SCOPED_TRACE(o.account());
    auto it = want.find(o.account());
    ASSERT_NE(it, want.end());
    EXPECT_EQ(o.outcome(), it->second.kind);
    EXPECT_EQ(o.outcome_time().seconds(), absl::ToUnixSeconds(it->second.time));
    EXPECT_DOUBLE_EQ(o.arr_lost(), it->second.arr_lost);
    churns += o.outcome() == report::v1::OUTCOME_CHURN;
  }
  EXPECT_EQ(churns, 3);
}

TEST(ChurnConsistencyTest, ChurnedAccountsHaveNoLiveHealth) {
  const Portfolio p = Book();
  const health::HealthConfig config = health::DefaultHealthConfig();
  int churned = 0;
  for (const model::AccountState* a : p.view) {
    const health::HealthResult h = health::ComputeHealth(config, *a, kAsOf);
    if (h.band != account::v1::HEALTH_BAND_CHURNED) continue;
    ++churned;
    EXPECT_FALSE(h.has_score) << a->id;
    EXPECT_TRUE(h.components.empty()) << a->id;
    EXPECT_TRUE(h.indicators.empty()) << a->id;
  }
  // plain, twice, renewed-to-zero; the prospect has not started.
  EXPECT_EQ(churned, 3);
}

// Nobody here was ever contacted (relationship 1) and nothing else but
// commercial (10, or 7 after a contraction) has data, so every live
// account is red: (0.3·1 + 0.1·10) / 0.4 = 3.25.
TEST(ChurnConsistencyTest, AtRiskListsLiveAccountsOnly) {
  const Portfolio p = Book();
  const health::HealthConfig config = health::DefaultHealthConfig();
  // 2024-03-01: plain, downsell and renewed-to-zero are live (twice and
  // back are churned until Apr 1).
  const auto march = ListAtRiskAccounts(p.view, config, Day(2024, 3, 1));
  ASSERT_EQ(march.total_size(), 3);
  EXPECT_EQ(march.accounts(0).account(), "accounts/downsell");
  EXPECT_EQ(march.accounts(1).account(), "accounts/plain");
  EXPECT_EQ(march.accounts(2).account(), "accounts/renewed-to-zero");
  EXPECT_DOUBLE_EQ(march.total_arr(), 20000 + 10000 + 3000);
  // As of then, plain still has its live (red) health.
  const health::HealthResult then =
      health::ComputeHealth(config, *p.view[0], Day(2024, 3, 1));
  EXPECT_EQ(then.band, account::v1::HEALTH_BAND_RED);
  EXPECT_DOUBLE_EQ(then.score, 3.25);

  // At the end only downsell (15,000; commercial 7 → 2.5) and back (5,000).
  const auto end = ListAtRiskAccounts(p.view, config, kAsOf);
  ASSERT_EQ(end.total_size(), 2);
  EXPECT_EQ(end.accounts(0).account(), "accounts/downsell");
  EXPECT_DOUBLE_EQ(end.accounts(0).score(), 2.5);
  EXPECT_EQ(end.accounts(1).account(), "accounts/back");
  EXPECT_DOUBLE_EQ(end.total_arr(), 20000);
}

}  // namespace
}  // namespace retain::reports
