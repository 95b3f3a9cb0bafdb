#include <string>
#include <vector>

#include "core/health/health_config.h"
#include "core/health/health_result.h"
#include "core/reports/kpis.h"
#include "core/reports/portfolio_report.h"
#include "core/reports/renewals.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"
#include "tests/core/reports/portfolio.h"

namespace retain::reports {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::AsOf;
using ::retain::testing::DaysAfter;
using ::retain::testing::DaysBefore;
using ::retain::testing::Portfolio;
constexpr auto kGreen = account::v1::HEALTH_BAND_GREEN;
constexpr auto kYellow = account::v1::HEALTH_BAND_YELLOW;
constexpr auto kRed = account::v1::HEALTH_BAND_RED;

health::HealthResult Health(
    double arr, model::HealthBand band, double score,
    model::Segment segment = account::v1::SEGMENT_NAMED) {
  health::HealthResult h;
  h.has_score = true;
  h.arr = arr;
  h.band = band;
  h.score = score;
  h.segment = segment;
  return h;
}

TEST(RenewalsTest, WindowsBandsAndOrder) {
  Portfolio p;
  std::vector<health::HealthResult> h;
  const auto add = [&](const std::string& id, double renewal_in_days,
                       health::HealthResult r) {
    p.Add(AccountBuilder(id).Renewal(DaysAfter(renewal_in_days)));
    h.push_back(r);
  };
  add("d100", 100, Health(4000, kRed, 3));
  add("d10", 10, Health(1000, kRed, 2));
  add("d45", 45, Health(2000, kYellow, 6));
  add("d30", 30, Health(500, kGreen, 9));  // exactly 30 days: in the 30 window
  add("d75", 75, Health(3000, kGreen, 8));
  add("d120", 120, Health(100, kYellow, 5));
  add("d121", 121, Health(9999, kRed, 1));  // beyond 120
  add("past", -5, Health(9999, kRed, 1));   // already passed
  add("today", 0, Health(9999, kRed, 1));   // at as_of: not after it
  add("churned", 20, Health(0, kRed, 0));   // no ARR: no renewal
  p.Add(AccountBuilder("none"));            // no renewal date
  h.push_back(Health(5000, kRed, 1));

  const auto w = RenewalWindows(p.view, h, AsOf(), {30, 60, 90, 120});
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0].within_days(), 30);
  EXPECT_EQ(w[0].accounts(), 2);
  EXPECT_DOUBLE_EQ(w[0].arr(), 1500);
  EXPECT_DOUBLE_EQ(w[0].arr_at_risk(), 1000);
  EXPECT_DOUBLE_EQ(w[0].arr_to_monitor(), 0);
  ASSERT_EQ(w[0].renewals_size(), 2);
  EXPECT_EQ(w[0].renewals(0).account(), "accounts/d10");
  EXPECT_EQ(w[0].renewals(0).band(), kRed);
  EXPECT_DOUBLE_EQ(w[0].renewals(0).score(), 2);
  EXPECT_EQ(w[0].renewals(1).account(), "accounts/d30");

  EXPECT_EQ(w[1].within_days(), 60);
  EXPECT_EQ(w[1].accounts(), 3);
  EXPECT_DOUBLE_EQ(w[1].arr_to_monitor(), 2000);

  EXPECT_EQ(w[2].within_days(), 90);
  EXPECT_EQ(w[2].accounts(), 4);
  EXPECT_DOUBLE_EQ(w[2].arr(), 6500);

  EXPECT_EQ(w[3].within_days(), 120);
  EXPECT_EQ(w[3].accounts(), 6);
  EXPECT_DOUBLE_EQ(w[3].arr(), 10600);
  EXPECT_DOUBLE_EQ(w[3].arr_at_risk(), 5000);
  EXPECT_DOUBLE_EQ(w[3].arr_to_monitor(), 2100);
  EXPECT_EQ(w[3].renewals(5).account(), "accounts/d120");
}

TEST(RenewalsTest, AtMost50ItemsButAllCounted) {
  Portfolio p;
  std::vector<health::HealthResult> h;
  for (int i = 0; i < 60; ++i) {
    p.Add(AccountBuilder("r" + std::to_string(100 + i))
              .Renewal(DaysAfter(1 + i * 0.1)));
    h.push_back(Health(10, kGreen, 9));
  }
  const auto w = RenewalWindows(p.view, h, AsOf(), {30, 60, 90, 120});
  EXPECT_EQ(w[0].accounts(), 60);
  EXPECT_EQ(w[0].renewals_size(), 50);
  EXPECT_EQ(w[0].renewals(0).account(), "accounts/r100");
}

TEST(HealthBySegmentTest, CountsAndArrPerBand) {
  Portfolio p;
  std::vector<health::HealthResult> h;
  const auto add = [&](health::HealthResult r) {
    p.Add(AccountBuilder("a" + std::to_string(h.size())));
    h.push_back(r);
  };
  add(Health(100, kGreen, 8, account::v1::SEGMENT_DIGITAL));
  add(Health(30000, kYellow, 6, account::v1::SEGMENT_NAMED));
  add(Health(40000, kRed, 2, account::v1::SEGMENT_NAMED));
  add(Health(50000, kRed, 3, account::v1::SEGMENT_NAMED));
  add(Health(0, kRed, 0, account::v1::SEGMENT_NAMED));  // churned: left out
  const auto s = HealthBySegment(p.view, h);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].segment(), account::v1::SEGMENT_DIGITAL);
  EXPECT_EQ(s[0].green(), 1);
  EXPECT_DOUBLE_EQ(s[0].arr_green(), 100);
  EXPECT_EQ(s[2].segment(), account::v1::SEGMENT_NAMED);
  EXPECT_EQ(s[2].yellow(), 1);
  EXPECT_EQ(s[2].red(), 2);
  EXPECT_DOUBLE_EQ(s[2].arr_red(), 90000);
  EXPECT_EQ(s[3].segment(), account::v1::SEGMENT_DEDICATED);
  EXPECT_EQ(s[3].green() + s[3].yellow() + s[3].red(), 0);
}

struct MetCase {
  std::string name;
  double target;
  bool inclusive;
  const char* direction;
  double actual;
  bool met;
};

class KpiMetTest : public ::testing::TestWithParam<MetCase> {};

TEST_P(KpiMetTest, Direction) {
  const MetCase& c = GetParam();
  EXPECT_EQ(KpiMet({c.target, c.inclusive}, c.direction, c.actual), c.met);
}

INSTANTIATE_TEST_SUITE_P(
    Targets, KpiMetTest,
    ::testing::Values(
        // > 95% customer retention: exactly 95% misses.
        MetCase{"retention_above", 0.95, false, "min", 0.96, true},
        MetCase{"retention_exact", 0.95, false, "min", 1 - 0.05, false},
        MetCase{"retention_below", 0.95, false, "min", 0.94, false},
        // < 5% logo churn.
        MetCase{"churn_below", 0.05, false, "max", 0.04, true},
        MetCase{"churn_exact", 0.05, false, "max", 10.0 / 200, false},
        // CSAT >= 4.0; CES <= 3.0.
        MetCase{"csat_exact", 4.0, true, "min", 4.0, true},
        MetCase{"csat_below", 4.0, true, "min", 3.99, false},
        MetCase{"ces_exact", 3.0, true, "max", 3.0, true},
        MetCase{"ces_above", 3.0, true, "max", 3.01, false},
        // NPS > 60.
        MetCase{"nps_exact", 60, false, "min", 60, false},
        MetCase{"nps_above", 60, false, "min", 61, true}),
    [](const ::testing::TestParamInfo<MetCase>& info) {
      return info.param.name;
    });

TEST(KpisTest, FromRetentionAndSurveys) {
  report::v1::Retention r;
  r.set_accounts_start(200);
  r.set_logo_churn(0.04);
  r.set_nrr(1.25);
  r.set_grr(0.96);
  r.set_ratios_defined(true);
  report::v1::SurveyStats s;
  s.set_nps_responses(10);
  s.set_nps(55);
  s.set_csat_responses(4);
  s.set_csat_average(4.25);  // ces has no responses
  const auto k = ComputeKpis(health::DefaultHealthConfig(), r, s, 365);
  ASSERT_EQ(k.size(), 6u);
  const char* names[] = {"customer_retention", "nrr",
                         "logo_churn",         "nps",
                         "csat_average",       "ces_average"};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(k[i].name(), names[i]);
  EXPECT_DOUBLE_EQ(k[0].actual(), 0.96);
  EXPECT_TRUE(k[0].met());
  EXPECT_EQ(k[0].direction(), "min");
  EXPECT_DOUBLE_EQ(k[0].target(), 0.95);
  EXPECT_TRUE(k[1].met());
  EXPECT_TRUE(k[2].met());
  EXPECT_EQ(k[2].direction(), "max");
  EXPECT_FALSE(k[3].met());
  EXPECT_TRUE(k[3].has_data());
  EXPECT_TRUE(k[4].met());
  EXPECT_FALSE(k[5].has_data());
  EXPECT_FALSE(k[5].met());
  for (const auto& kpi : k) EXPECT_EQ(kpi.note(), "") << kpi.name();
}

// Customer retention is gross revenue retention, not 1 − logo churn (its
// own row). The domain note's book: 200 accounts, $5M; 50 small ones of
// $4K churn ($200K) and $300K contracts: GRR (5M − 200K − 300K) / 5M =
// 90%, while 1 − 50 / 200 = 75%.
TEST(KpisTest, CustomerRetentionIsGrossRevenueRetention) {
  report::v1::Retention r;
  r.set_accounts_start(200);
  r.set_accounts_churned(50);
  r.set_logo_churn(50.0 / 200);
  r.set_grr((5e6 - 2e5 - 3e5) / 5e6);
  r.set_nrr(0.97);
  r.set_ratios_defined(true);
  const auto k = ComputeKpis(health::DefaultHealthConfig(), r,
                             report::v1::SurveyStats(), 365);
  ASSERT_EQ(k[0].name(), "customer_retention");
  EXPECT_DOUBLE_EQ(k[0].actual(), 0.9);
  EXPECT_FALSE(k[0].met());  // not > 95%
  EXPECT_DOUBLE_EQ(k[2].actual(), 0.25);
  // No ARR at the start: no revenue to retain, no data.
  r.set_ratios_defined(false);
  EXPECT_FALSE(ComputeKpis(health::DefaultHealthConfig(), r,
                           report::v1::SurveyStats(), 365)[0]
                   .has_data());
}

// A quarter's logo churn of 4% is compared with the annual 5% as is (met),
// and the KPI says so; averages of survey answers carry no period.
TEST(KpisTest, APeriodShorterThanAYearSaysItIsNotAnnualised) {
  report::v1::Retention r;
  r.set_accounts_start(100);
  r.set_logo_churn(0.04);
  r.set_grr(0.97);
  r.set_nrr(1.02);
  r.set_ratios_defined(true);
  report::v1::SurveyStats s;
  s.set_nps_responses(3);
  s.set_nps(70);
  const auto k = ComputeKpis(health::DefaultHealthConfig(), r, s, 91);
  const std::string note =
      "actual over 91 days against an annual target, not annualised";
  for (int i : {0, 1, 2}) {
    EXPECT_DOUBLE_EQ(k[i].period_days(), 91) << k[i].name();
    EXPECT_EQ(k[i].note(), note) << k[i].name();
  }
  EXPECT_TRUE(k[2].met());
  for (int i : {3, 4, 5}) {
    EXPECT_DOUBLE_EQ(k[i].period_days(), 0) << k[i].name();
    EXPECT_EQ(k[i].note(), "") << k[i].name();
  }
  // A leap year is a year.
  EXPECT_EQ(ComputeKpis(health::DefaultHealthConfig(), r, s, 366)[0].note(),
            "");
}

}  // namespace
}  // namespace retain::reports
