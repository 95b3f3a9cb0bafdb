#include "core/reports/portfolio_report.h"

#include <string>
#include <vector>

#include "core/health/health_config.h"
#include "core/health/time_util.h"
#include "core/reports/survey_stats.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"
#include "tests/core/reports/portfolio.h"

namespace retain::reports {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::Day;
using ::retain::testing::Portfolio;

struct NpsCase {
  std::string name;
  std::vector<int> scores;
  int promoters, passives, detractors;
  double nps;
};

class NpsTest : public ::testing::TestWithParam<NpsCase> {};

TEST_P(NpsTest, PromotersMinusDetractors) {
  AccountBuilder b("a");
  for (size_t i = 0; i < GetParam().scores.size(); ++i) {
    b.Nps(Day(2025, 3, 1) + absl::Hours(i), GetParam().scores[i]);
  }
  Portfolio p;
  p.Add(b);
  const auto s = ComputeSurveyStats(p.view, Day(2025, 1, 1), Day(2025, 6, 1));
  EXPECT_EQ(s.nps_responses(), static_cast<int>(GetParam().scores.size()));
  EXPECT_EQ(s.promoters(), GetParam().promoters);
  EXPECT_EQ(s.passives(), GetParam().passives);
  EXPECT_EQ(s.detractors(), GetParam().detractors);
  EXPECT_DOUBLE_EQ(s.nps(), GetParam().nps);
}

INSTANTIATE_TEST_SUITE_P(
    Scores, NpsTest,
    ::testing::Values(NpsCase{"none", {}, 0, 0, 0, 0},
                      NpsCase{"edges", {10, 9, 8, 7, 6, 0}, 2, 2, 2, 0},
                      NpsCase{"sixty", {10, 10, 10, 9, 3}, 4, 0, 1, 60},
                      NpsCase{"all_promoters", {9, 10}, 2, 0, 0, 100},
                      NpsCase{"all_detractors", {6, 0, 5}, 0, 0, 3, -100},
                      NpsCase{"passives_only", {7, 8}, 0, 2, 0, 0}),
    [](const ::testing::TestParamInfo<NpsCase>& info) {
      return info.param.name;
    });

TEST(SurveyStatsTest, CsatCesAndWindow) {
  const absl::Time start = Day(2025, 1, 1), end = Day(2025, 6, 1);
  Portfolio p;
  p.Add(AccountBuilder("a")
            .Csat(start, 1)  // at start: outside (start, end]
            .Csat(Day(2025, 2, 1), 5)
            .Csat(Day(2025, 3, 1), 4)
            .Csat(end, 3)  // at end: inside
            .Csat(end + absl::Seconds(1), 1)
            .Ces(Day(2025, 2, 1), 2)
            .Ces(Day(2025, 2, 2), 5));
  p.Add(AccountBuilder("b").Csat(Day(2025, 4, 1), 2));
  const auto s = ComputeSurveyStats(p.view, start, end);
  EXPECT_EQ(s.csat_responses(), 4);
  EXPECT_DOUBLE_EQ(s.csat_average(), (5 + 4 + 3 + 2) / 4.0);
  EXPECT_DOUBLE_EQ(s.csat_satisfied_share(), 0.5);
  EXPECT_EQ(s.ces_responses(), 2);
  EXPECT_DOUBLE_EQ(s.ces_average(), 3.5);
  EXPECT_EQ(s.nps_responses(), 0);
}

// A small portfolio with activity on both sides of Day(2025, 5, 1).
void AddBook(Portfolio& p, bool with_may) {
  const absl::Time cut = Day(2025, 5, 1);
  const auto may = [&](double days) { return cut + health::Days(days); };
  for (int i = 0; i < 6; ++i) {
    AccountBuilder b("acct" + std::to_string(i));
    b.ContractStart(Day(2024, 1 + i, 10))
        .Arr(Day(2024, 1 + i, 10), 10000.0 * (i + 1))
        .Seats(50)
        .Csm(i % 2 ? "ann" : "bob")
        .Renewal(Day(2025, 6, 1 + i * 5))
        .Usage(Day(2025, 4, 20), 10 + 7 * i)
        .Touch(Day(2025, 4, 1 + 4 * i))
        .Nps(Day(2025, 3, 1), 4 + i)
        .Csat(Day(2025, 4, 2), 1 + i % 5)
        .Ces(Day(2025, 4, 3), 2 + i % 3);
    if (i == 1) b.Sponsor(Day(2024, 3, 1), true);
    if (i == 2) b.Churn(Day(2025, 2, 1));
    if (i == 3) {
      b.Ticket(Day(2025, 4, 10), "t1", signal::v1::TICKET_STATUS_OPENED,
               signal::v1::TICKET_SEVERITY_CRITICAL, true);
    }
    if (with_may) {
      // Everything that happens after the report's as_of.
      b.Usage(may(3), 50).Touch(may(4)).Nps(may(5), 10).Csat(may(6), 5);
      b.Ces(may(6), 7).Payment(may(7), true);
      b.Ticket(may(8), "t9", signal::v1::TICKET_STATUS_OPENED,
               signal::v1::TICKET_SEVERITY_CRITICAL, true);
      if (i == 0) b.Churn(may(9));
      if (i == 4) b.Contraction(may(9), -1000);
      if (i == 5) b.Expansion(may(9), 5000);
      if (i == 1) b.Sponsor(may(10), false);
    }
    p.Add(b);
  }
  if (with_may)
    p.Add(AccountBuilder("newcomer")
              .ContractStart(may(2))
              .NewLogo(may(2), 80000));
}

TEST(PortfolioReportTest, ReportForLastMonthIgnoresThisMonth) {
  Portfolio with_may, without_may;
  AddBook(with_may, true);
  AddBook(without_may, false);
  const health::HealthConfig config = health::DefaultHealthConfig();
  const absl::Time as_of = Day(2025, 5, 1);
  const absl::Time start = Day(2024, 5, 1);
  const auto a = BuildPortfolioReport(with_may.view, config, start, as_of);
  const auto b = BuildPortfolioReport(without_may.view, config, start, as_of);
  EXPECT_EQ(a.DebugString(), b.DebugString());
  // And the May signals do change a report as of June.
  const auto june =
      BuildPortfolioReport(with_may.view, config, start, Day(2025, 6, 1));
  EXPECT_NE(june.retention().DebugString(), a.retention().DebugString());
}

TEST(PortfolioReportTest, FillsEverySection) {
  Portfolio p;
  AddBook(p, false);
  const absl::Time as_of = Day(2025, 5, 1);
  const auto r = BuildPortfolioReport(p.view, health::DefaultHealthConfig(),
                                      Day(2024, 5, 1), as_of);
  EXPECT_EQ(health::FromProto(r.as_of_time()), as_of);
  EXPECT_EQ(health::FromProto(r.period_start_time()), Day(2024, 5, 1));
  // Accounts 0-3 started before the period (acct2 churned in it); 4 and 5
  // are new logos.
  EXPECT_EQ(r.retention().accounts_start(), 4);
  EXPECT_EQ(r.retention().accounts_new(), 2);
  EXPECT_EQ(r.retention().accounts_churned(), 1);
  EXPECT_DOUBLE_EQ(r.retention().logo_churn(), 0.25);
  EXPECT_EQ(r.surveys().nps_responses(), 6);
  EXPECT_EQ(r.health_by_segment_size(), 4);
  int banded = 0;
  for (const auto& s : r.health_by_segment()) {
    banded += s.green() + s.yellow() + s.red();
  }
  EXPECT_EQ(banded, 5);  // the churned account is not in the book
  ASSERT_EQ(r.time_to_churn_size(), 3);
  EXPECT_EQ(r.time_to_churn(1).accounts(), 1);  // acct2: 10 months
  EXPECT_EQ(r.cohorts_size(), 6);
  EXPECT_EQ(r.coverage_size(), 4);
  EXPECT_EQ(r.csms_assigned_total(), 2);
  EXPECT_GT(r.csms_needed_total(), 0);
  ASSERT_EQ(r.renewals_size(), 4);
  EXPECT_EQ(r.renewals(0).within_days(), 30);
  EXPECT_EQ(r.renewals(3).within_days(), 120);
  EXPECT_EQ(r.renewals(3).accounts(), 5);
  ASSERT_EQ(r.kpis_size(), 6);
  // Customer retention is the period's GRR, not 1 − logo churn (0.75).
  EXPECT_DOUBLE_EQ(r.kpis(0).actual(), r.retention().grr());
  EXPECT_NE(r.kpis(0).actual(), 0.75);
  EXPECT_FALSE(r.kpis(0).met());
  // 2024-05-01 to 2025-05-01 is a year: no note on the period KPIs.
  EXPECT_DOUBLE_EQ(r.kpis(0).period_days(), 365);
  EXPECT_EQ(r.kpis(0).note(), "");
  ASSERT_EQ(r.retention_trend_size(), 4);
}

TEST(PortfolioReportTest, RetentionTrendQuartersOldestFirst) {
  const absl::Time as_of = Day(2025, 6, 1);
  Portfolio p;
  p.Add(AccountBuilder("a").Arr(Day(2023, 1, 1), 100));
  // Churns in the second-newest quarter: (as_of − 182 d, as_of − 91 d].
  p.Add(AccountBuilder("b")
            .Arr(Day(2023, 1, 1), 100)
            .Churn(as_of - health::Days(120)));
  const auto trend = RetentionTrend(p.view, as_of);
  ASSERT_EQ(trend.size(), 4u);
  for (int q = 0; q < 4; ++q) {
    EXPECT_EQ(health::FromProto(trend[q].period_end_time()),
              as_of - health::Days(91 * (3 - q)));
    EXPECT_EQ(health::FromProto(trend[q].period_start_time()),
              as_of - health::Days(91 * (4 - q)));
  }
  EXPECT_DOUBLE_EQ(trend[0].nrr(), 1);
  EXPECT_DOUBLE_EQ(trend[1].nrr(), 1);
  EXPECT_DOUBLE_EQ(trend[2].nrr(), 0.5);
  EXPECT_DOUBLE_EQ(trend[2].grr(), 0.5);
  EXPECT_DOUBLE_EQ(trend[2].logo_churn(), 0.5);
  EXPECT_DOUBLE_EQ(trend[3].nrr(), 1);
}

}  // namespace
}  // namespace retain::reports
