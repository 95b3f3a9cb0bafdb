#include "core/reports/churn_analysis.h"

#include <string>
#include <vector>

#include "core/reports/report_util.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"
#include "tests/core/reports/portfolio.h"

namespace retain::reports {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::Day;
using ::retain::testing::Portfolio;

struct MonthsCase {
  absl::Time from, to;
  int months;
};

class WholeMonthsTest : public ::testing::TestWithParam<MonthsCase> {};

TEST_P(WholeMonthsTest, CivilMonths) {
  EXPECT_EQ(WholeMonthsBetween(GetParam().from, GetParam().to),
            GetParam().months);
}

INSTANTIATE_TEST_SUITE_P(
    Calendar, WholeMonthsTest,
    ::testing::Values(MonthsCase{Day(2024, 1, 15), Day(2024, 1, 15), 0},
                      MonthsCase{Day(2024, 1, 15), Day(2024, 2, 14), 0},
                      MonthsCase{Day(2024, 1, 15), Day(2024, 2, 15), 1},
                      MonthsCase{Day(2024, 1, 15), Day(2024, 7, 14), 5},
                      MonthsCase{Day(2024, 1, 15), Day(2024, 7, 15), 6},
                      MonthsCase{Day(2024, 1, 15), Day(2025, 1, 14), 11},
                      MonthsCase{Day(2024, 1, 15), Day(2025, 1, 15), 12},
                      MonthsCase{Day(2024, 1, 31), Day(2024, 2, 29), 0},
                      MonthsCase{Day(2024, 1, 31), Day(2024, 3, 1), 1},
                      MonthsCase{Day(2024, 5, 1), Day(2024, 1, 1), 0}));

TEST(TimeToChurnTest, GroupsByTenureAtChurn) {
  const absl::Time start = Day(2024, 1, 15);
  Portfolio p;
  // Churn date, ARR: tenure is months since 2024-01-15.
  const struct {
    const char* id;
    absl::Time churn;
    double arr;
  } churns[] = {
      {"m1", Day(2024, 2, 20), 1000},    // 1 month
      {"m5", Day(2024, 7, 14), 2000},    // 5 months: still 0-6
      {"m6", Day(2024, 7, 15), 4000},    // exactly 6: 6-12
      {"m11", Day(2025, 1, 14), 8000},   // 11 months: 6-12
      {"m12", Day(2025, 1, 15), 16000},  // exactly 12: 12+
      {"m30", Day(2026, 7, 20), 32000},  // 30 months: 12+
  };
  for (const auto& c : churns) {
    p.Add(AccountBuilder(c.id)
              .ContractStart(start)
              .Arr(start, c.arr)
              .Churn(c.churn));
  }
  // Churned before the period, after as_of, and a repeated churn at ARR 0:
  // none count.
  p.Add(AccountBuilder("early").ContractStart(start).Arr(start, 1).Churn(
      Day(2024, 1, 20)));
  p.Add(AccountBuilder("late").ContractStart(start).Arr(start, 1).Churn(
      Day(2026, 9, 1)));
  p.Add(AccountBuilder("twice")
            .ContractStart(start)
            .Arr(start, 64000)
            .Churn(Day(2024, 3, 1))
            .Churn(Day(2024, 4, 1)));
  // No contract start: tenure from create time.
  p.Add(AccountBuilder("created")
            .Created(Day(2023, 1, 1))
            .Arr(Day(2023, 1, 1), 128000)
            .Churn(Day(2024, 6, 1)));

  const auto windows = TimeToChurn(p.view, Day(2024, 2, 1), Day(2026, 8, 1));
  ASSERT_EQ(windows.size(), 3u);
  EXPECT_EQ(windows[0].label(), "0-6 months");
  EXPECT_EQ(windows[0].min_months(), 0);
  EXPECT_EQ(windows[0].max_months(), 6);
  EXPECT_EQ(windows[0].likely_cause(), "onboarding gap");
  EXPECT_EQ(windows[0].accounts(), 3);  // m1, m5, twice
  EXPECT_DOUBLE_EQ(windows[0].arr(), 1000 + 2000 + 64000);
  EXPECT_EQ(windows[1].label(), "6-12 months");
  EXPECT_EQ(windows[1].likely_cause(), "adoption / value gap");
  EXPECT_EQ(windows[1].accounts(), 2);  // m6, m11
  EXPECT_DOUBLE_EQ(windows[1].arr(), 4000 + 8000);
  EXPECT_EQ(windows[2].label(), "12+ months");
  EXPECT_EQ(windows[2].max_months(), 0);
  EXPECT_EQ(windows[2].likely_cause(),
            "relationship, competition or product fit");
  EXPECT_EQ(windows[2].accounts(), 3);  // m12, m30, created (17 months)
  EXPECT_DOUBLE_EQ(windows[2].arr(), 16000 + 32000 + 128000);
}

TEST(CohortsTest, ByContractStartMonth) {
  const absl::Time as_of = Day(2025, 6, 1);
  Portfolio p;
  p.Add(AccountBuilder("jan1")
            .ContractStart(Day(2025, 1, 3))
            .Arr(Day(2025, 1, 3), 1000));
  p.Add(AccountBuilder("jan2")
            .ContractStart(Day(2025, 1, 20))
            .Arr(Day(2025, 1, 20), 3000)
            .Churn(Day(2025, 4, 1)));
  p.Add(AccountBuilder("mar")
            .ContractStart(Day(2025, 3, 10))
            .Arr(Day(2025, 3, 10), 2000)
            .Expansion(Day(2025, 5, 1), 1000)
            .Expansion(Day(2025, 7, 1), 5000));  // after as_of
  // Oldest month kept: 2023-07 (24 months up to 2025-06).
  p.Add(AccountBuilder("edge")
            .ContractStart(Day(2023, 7, 1))
            .Arr(Day(2023, 7, 1), 500));
  p.Add(AccountBuilder("old")
            .ContractStart(Day(2023, 6, 30))
            .Arr(Day(2023, 6, 30), 500));
  p.Add(AccountBuilder("future")
            .ContractStart(Day(2025, 6, 2))
            .Arr(Day(2025, 6, 2), 500));

  const auto cohorts = Cohorts(p.view, as_of);
  ASSERT_EQ(cohorts.size(), 3u);
  EXPECT_EQ(cohorts[0].start_month(), "2023-07");
  EXPECT_EQ(cohorts[1].start_month(), "2025-01");
  EXPECT_EQ(cohorts[1].accounts_started(), 2);
  EXPECT_EQ(cohorts[1].accounts_retained(), 1);
  EXPECT_DOUBLE_EQ(cohorts[1].logo_retention(), 0.5);
  EXPECT_DOUBLE_EQ(cohorts[1].arr_started(), 4000);
  EXPECT_DOUBLE_EQ(cohorts[1].arr_now(), 1000);
  EXPECT_DOUBLE_EQ(cohorts[1].net_retention(), 0.25);
  EXPECT_EQ(cohorts[2].start_month(), "2025-03");
  EXPECT_DOUBLE_EQ(cohorts[2].arr_started(), 2000);
  EXPECT_DOUBLE_EQ(cohorts[2].arr_now(), 3000);
  EXPECT_DOUBLE_EQ(cohorts[2].net_retention(), 1.5);
}

}  // namespace
}  // namespace retain::reports
