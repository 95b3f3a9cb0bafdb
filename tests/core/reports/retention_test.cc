#include "core/reports/retention.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"
#include "tests/core/reports/portfolio.h"

namespace retain::reports {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::Day;
using ::retain::testing::Portfolio;

const absl::Time kStart = Day(2024, 1, 1);
const absl::Time kEnd = Day(2025, 1, 1);

TEST(RetentionTest, HandWorkedMix) {
  Portfolio p;
  const absl::Time before = Day(2023, 6, 1), mid = Day(2024, 6, 1);
  p.Add(AccountBuilder("expand").Arr(before, 100).Expansion(mid, 20));
  p.Add(AccountBuilder("contract").Arr(before, 100).Contraction(mid, -20));
  p.Add(AccountBuilder("churn").Arr(before, 100).Churn(mid));
  p.Add(AccountBuilder("new").NewLogo(mid, 50));
  p.Add(AccountBuilder("flat").Arr(before, 100));
  p.Add(AccountBuilder("later").NewLogo(Day(2025, 2, 1), 999));  // after end
  const report::v1::Retention r = ComputeRetention(p.view, kStart, kEnd);
  EXPECT_DOUBLE_EQ(r.arr_start(), 400);
  EXPECT_DOUBLE_EQ(r.arr_end(), 350);
  EXPECT_DOUBLE_EQ(r.new_logo_arr(), 50);
  EXPECT_DOUBLE_EQ(r.expansion_arr(), 20);
  EXPECT_DOUBLE_EQ(r.contraction_arr(), 20);
  EXPECT_DOUBLE_EQ(r.churned_arr(), 100);
  EXPECT_EQ(r.accounts_start(), 4);
  EXPECT_EQ(r.accounts_end(), 4);
  EXPECT_EQ(r.accounts_new(), 1);
  EXPECT_EQ(r.accounts_churned(), 1);
  EXPECT_TRUE(r.ratios_defined());
  EXPECT_DOUBLE_EQ(r.nrr(), (350.0 - 50) / 400);        // 0.75
  EXPECT_DOUBLE_EQ(r.grr(), (400.0 - 100 - 20) / 400);  // 0.70
  EXPECT_DOUBLE_EQ(r.logo_churn(), 0.25);
  EXPECT_DOUBLE_EQ(r.expansion_rate(), 20.0 / 400);
}

struct BoundaryCase {
  std::string name;
  absl::Time change_time;
  double arr_start;
  double arr_end;
};

class RetentionBoundaryTest : public ::testing::TestWithParam<BoundaryCase> {};

// ARR in force "at" a time includes changes at exactly that time.
TEST_P(RetentionBoundaryTest, ChangeTiming) {
  Portfolio p;
  p.Add(AccountBuilder("a")
            .Arr(Day(2023, 1, 1), 100)
            .Expansion(GetParam().change_time, 50));
  const report::v1::Retention r = ComputeRetention(p.view, kStart, kEnd);
  EXPECT_DOUBLE_EQ(r.arr_start(), GetParam().arr_start);
  EXPECT_DOUBLE_EQ(r.arr_end(), GetParam().arr_end);
}

INSTANTIATE_TEST_SUITE_P(
    Timing, RetentionBoundaryTest,
    ::testing::Values(BoundaryCase{"before_start", Day(2023, 12, 31), 150, 150},
                      BoundaryCase{"at_start", kStart, 150, 150},
                      BoundaryCase{"inside", Day(2024, 5, 1), 100, 150},
                      BoundaryCase{"at_end", kEnd, 100, 150},
                      BoundaryCase{"after_end", kEnd + absl::Seconds(1), 100,
                                   100}),
    [](const ::testing::TestParamInfo<BoundaryCase>& info) {
      return info.param.name;
    });

TEST(RetentionTest, NoStartArrLeavesRatiosUndefined) {
  Portfolio p;
  p.Add(AccountBuilder("new").NewLogo(Day(2024, 3, 1), 1000));
  const report::v1::Retention r = ComputeRetention(p.view, kStart, kEnd);
  EXPECT_FALSE(r.ratios_defined());
  EXPECT_DOUBLE_EQ(r.nrr(), 0);
  EXPECT_DOUBLE_EQ(r.grr(), 0);
  EXPECT_DOUBLE_EQ(r.logo_churn(), 0);
  EXPECT_DOUBLE_EQ(r.new_logo_arr(), 1000);
  EXPECT_EQ(r.accounts_new(), 1);
}

TEST(RetentionTest, OnlyNetChangeCounts) {
  // Expanded then contracted back within the period: flat.
  Portfolio p;
  p.Add(AccountBuilder("a")
            .Arr(Day(2023, 1, 1), 100)
            .Expansion(Day(2024, 3, 1), 50)
            .Contraction(Day(2024, 9, 1), -50));
  const report::v1::Retention r = ComputeRetention(p.view, kStart, kEnd);
  EXPECT_DOUBLE_EQ(r.expansion_arr(), 0);
  EXPECT_DOUBLE_EQ(r.contraction_arr(), 0);
  EXPECT_DOUBLE_EQ(r.nrr(), 1);
  EXPECT_DOUBLE_EQ(r.grr(), 1);
}

// The domain note: $5M ARR, 200 customers. GRR 88% means $600K of base ARR
// lost in the year; at 80% it is $1M, and $1M of new-logo ARR only keeps
// ARR flat.
Portfolio FiveMillion(int churned, int contracted_by_5k, double new_logo) {
  Portfolio p;
  for (int i = 0; i < 200; ++i) {
    AccountBuilder b("c" + std::to_string(i));
    b.Arr(Day(2023, 6, 1), 25000);
    if (i < churned) {
      b.Churn(Day(2024, 7, 1));
    } else if (i < churned + contracted_by_5k) {
      b.Contraction(Day(2024, 8, 1), -5000);
    }
    p.Add(b);
  }
  if (new_logo > 0)
    p.Add(AccountBuilder("new").NewLogo(Day(2024, 9, 1), new_logo));
  return p;
}

TEST(RetentionTest, DomainExampleGrr88) {
  const Portfolio p = FiveMillion(/*churned=*/24, 0, 0);
  const report::v1::Retention r = ComputeRetention(p.view, kStart, kEnd);
  EXPECT_DOUBLE_EQ(r.arr_start(), 5000000);
  EXPECT_EQ(r.accounts_start(), 200);
  EXPECT_DOUBLE_EQ(r.grr(), 0.88);
  EXPECT_DOUBLE_EQ(r.churned_arr() + r.contraction_arr(), 600000);
}

TEST(RetentionTest, DomainExampleGrr80LosesOneMillion) {
  // 30 churned ($750K) + 50 contracted by $5K ($250K) = $1M lost.
  const Portfolio p = FiveMillion(30, 50, 0);
  const report::v1::Retention r = ComputeRetention(p.view, kStart, kEnd);
  EXPECT_DOUBLE_EQ(r.grr(), 0.80);
  EXPECT_DOUBLE_EQ(r.arr_start() - r.arr_end(), 1000000);
  EXPECT_DOUBLE_EQ(r.logo_churn(), 30.0 / 200);
  EXPECT_DOUBLE_EQ(r.nrr(), 0.80);  // no expansion: NRR = GRR
}

TEST(RetentionTest, DomainExampleOneMillionNewLogoOnlyStaysFlat) {
  const Portfolio p = FiveMillion(30, 50, 1000000);
  const report::v1::Retention r = ComputeRetention(p.view, kStart, kEnd);
  EXPECT_DOUBLE_EQ(r.arr_end(), r.arr_start());
  EXPECT_DOUBLE_EQ(r.grr(), 0.80);
  EXPECT_DOUBLE_EQ(r.nrr(), 0.80);  // new logos never lift NRR
  EXPECT_DOUBLE_EQ(r.new_logo_arr(), 1000000);
}

}  // namespace
}  // namespace retain::reports
