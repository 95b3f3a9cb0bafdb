// Churn reasons, tenure windows and win-backs, with hand-computed numbers
// (docs/decisions/0033-churn-reasons-and-win-back.md).
#include "core/reports/churn_reasons.h"

#include <string>
#include <vector>

#include "core/health/health_config.h"
#include "core/reports/portfolio_report.h"
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
const absl::Time kEnd = Day(2025, 1, 1);

const report::v1::ChurnReasonSummary& Row(
    const std::vector<report::v1::ChurnReasonSummary>& rows,
    const std::string& code) {
  for (const auto& r : rows) {
    if (r.reason_code() == code) return r;
  }
  ADD_FAILURE() << "no row " << code;
  return rows.front();
}

// a: price, 14 months, 100     b: price, 4 months, 200
// c: competitor, 41 months, 400 (its earlier contraction is not counted)
// d: two budget_cut contractions 50 + 25, then an expansion (not churned)
// e: no code, 9 months, 60     h: retired code, 12 months, 40
// f: churned and won back inside the period; g: churned before it.
void AddReasonPortfolio(Portfolio& p) {
  p.Add(AccountBuilder("a")
            .ContractStart(Day(2023, 1, 1))
            .Arr(Day(2023, 1, 1), 100)
            .Churn(Day(2024, 3, 1), "price"));
  p.Add(AccountBuilder("b")
            .ContractStart(Day(2023, 10, 1))
            .Arr(Day(2023, 10, 1), 200)
            .Churn(Day(2024, 2, 1), "price"));
  p.Add(AccountBuilder("c")
            .ContractStart(Day(2021, 1, 1))
            .Arr(Day(2021, 1, 1), 500)
            .ContractionFor(Day(2024, 2, 1), -100, "competitor")
            .Churn(Day(2024, 6, 1), "competitor"));
  p.Add(AccountBuilder("d")
            .ContractStart(Day(2023, 1, 1))
            .Arr(Day(2023, 1, 1), 300)
            .ContractionFor(Day(2024, 5, 1), -50, "budget_cut")
            .ContractionFor(Day(2024, 7, 1), -25, "budget_cut")
            .Expansion(Day(2024, 8, 1), 100));
  p.Add(AccountBuilder("e")
            .ContractStart(Day(2023, 6, 1))
            .Arr(Day(2023, 1, 1), 60)
            .Churn(Day(2024, 3, 1)));
  p.Add(AccountBuilder("f")
            .Arr(Day(2023, 1, 1), 90)
            .Churn(Day(2024, 2, 1), "support")
            .WinBack(Day(2024, 4, 1), 90));
  p.Add(AccountBuilder("g")
            .Arr(Day(2023, 1, 1), 70)
            .Churn(Day(2023, 11, 1), "price"));
  p.Add(AccountBuilder("h")
            .ContractStart(Day(2023, 1, 1))
            .Arr(Day(2023, 1, 1), 40)
            .Churn(Day(2024, 1, 15), "retired_code"));
}

TEST(ChurnReasonsTest, ChurnedAndContractedArrByReason) {
  Portfolio p;
  AddReasonPortfolio(p);
  const health::HealthConfig config = health::DefaultHealthConfig();
  const auto rows = ChurnReasons(p.view, config, kStart, kEnd);
  ASSERT_EQ(rows.size(), config.churn_reasons.size() + 1);
  EXPECT_EQ(rows.front().reason_code(), "product_fit");
  EXPECT_EQ(rows.back().reason_code(), "unspecified");

  EXPECT_EQ(Row(rows, "price").churned_accounts(), 2);  // a, b (not g)
  EXPECT_DOUBLE_EQ(Row(rows, "price").churned_arr(), 100 + 200);
  EXPECT_EQ(Row(rows, "competitor").churned_accounts(), 1);
  EXPECT_DOUBLE_EQ(Row(rows, "competitor").churned_arr(), 500 - 100);
  EXPECT_EQ(Row(rows, "competitor").contractions(), 0);  // c churned
  EXPECT_EQ(Row(rows, "budget_cut").churned_accounts(), 0);
  EXPECT_EQ(Row(rows, "budget_cut").contractions(), 2);
  EXPECT_DOUBLE_EQ(Row(rows, "budget_cut").contraction_arr(), 50 + 25);
  EXPECT_EQ(Row(rows, "support").churned_accounts(), 0);      // f came back
  EXPECT_EQ(Row(rows, "unspecified").churned_accounts(), 2);  // e, h
  EXPECT_DOUBLE_EQ(Row(rows, "unspecified").churned_arr(), 60 + 40);

  // Every churn the retention section counts is filed under one reason.
  int churned = 0;
  double churned_arr = 0;
  for (const auto& r : rows) {
    churned += r.churned_accounts();
    churned_arr += r.churned_arr();
  }
  EXPECT_EQ(churned, ComputeRetention(p.view, kStart, kEnd).accounts_churned());
  EXPECT_DOUBLE_EQ(churned_arr, 300 + 400 + 100);
}

TEST(ChurnReasonsTest, ChurnsByTenureWindowAndReason) {
  Portfolio p;
  AddReasonPortfolio(p);
  const auto windows =
      ChurnReasonsByTenure(p.view, health::DefaultHealthConfig(), kStart, kEnd);
  ASSERT_EQ(windows.size(), 4u);
  EXPECT_EQ(windows[0].max_months(), 6);
  EXPECT_EQ(windows[3].min_months(), 24);
  EXPECT_EQ(windows[3].max_months(), 0);

  EXPECT_EQ(windows[0].churned_accounts(), 1);  // b
  EXPECT_DOUBLE_EQ(windows[0].churned_arr(), 200);
  ASSERT_EQ(windows[0].reasons_size(), 1);
  EXPECT_EQ(windows[0].reasons(0).reason_code(), "price");

  EXPECT_EQ(windows[1].churned_accounts(), 1);  // e
  ASSERT_EQ(windows[1].reasons_size(), 1);
  EXPECT_EQ(windows[1].reasons(0).reason_code(), "unspecified");

  EXPECT_EQ(windows[2].churned_accounts(), 2);  // a, h
  EXPECT_DOUBLE_EQ(windows[2].churned_arr(), 100 + 40);
  ASSERT_EQ(windows[2].reasons_size(), 2);  // taxonomy order
  EXPECT_EQ(windows[2].reasons(0).reason_code(), "price");
  EXPECT_EQ(windows[2].reasons(1).reason_code(), "unspecified");

  EXPECT_EQ(windows[3].churned_accounts(), 1);  // c
  EXPECT_DOUBLE_EQ(windows[3].churned_arr(), 400);
  ASSERT_EQ(windows[3].reasons_size(), 1);
  EXPECT_EQ(windows[3].reasons(0).reason_code(), "competitor");
}

TEST(ChurnReasonsTest, ConfiguredTaxonomyOrdersTheRows) {
  Portfolio p;
  AddReasonPortfolio(p);
  health::HealthConfig config = health::DefaultHealthConfig();
  config.churn_reasons = {{"competitor", "Competitor"},
                          {"retired_code", "Retired"}};
  const auto rows = ChurnReasons(p.view, config, kStart, kEnd);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].churned_accounts(), 1);  // h, now a configured code
  EXPECT_DOUBLE_EQ(rows[1].churned_arr(), 40);
  // price is not configured: a, b, e file as unspecified.
  EXPECT_EQ(rows[2].churned_accounts(), 3);
  EXPECT_DOUBLE_EQ(rows[2].churned_arr(), 100 + 200 + 60);
  EXPECT_DOUBLE_EQ(rows[2].contraction_arr(), 75);
}

// Opening book 250 (stay 100, grow 100, out_and_back 50); at the end stay
// 100, grow 150, back 60, back_logo 30, new 70, out_and_back 50 = 460.
// Win-backs 60 + 30 = 90 and the new logo 70 are outside NRR:
// NRR = (460 - 70 - 90) / 250 = 1.2.
TEST(WinBackTest, CountedApartFromNewLogosAndOutsideNrr) {
  Portfolio p;
  p.Add(AccountBuilder("stay").Arr(Day(2023, 6, 1), 100));
  p.Add(AccountBuilder("grow")
            .Arr(Day(2023, 6, 1), 100)
            .Expansion(Day(2024, 6, 1), 50));
  p.Add(AccountBuilder("back")
            .Arr(Day(2023, 1, 1), 80)
            .Churn(Day(2023, 6, 1), "price")
            .WinBack(Day(2024, 3, 1), 60));
  p.Add(AccountBuilder("back_logo")
            .Arr(Day(2023, 1, 1), 40)
            .Churn(Day(2023, 7, 1))
            .NewLogo(Day(2024, 4, 1), 30));
  p.Add(AccountBuilder("new").NewLogo(Day(2024, 5, 1), 70));
  p.Add(AccountBuilder("out_and_back")
            .Arr(Day(2023, 6, 1), 50)
            .Churn(Day(2024, 2, 1))
            .WinBack(Day(2024, 8, 1), 50));
  const report::v1::Retention r = ComputeRetention(p.view, kStart, kEnd);
  EXPECT_DOUBLE_EQ(r.arr_start(), 250);
  EXPECT_DOUBLE_EQ(r.arr_end(), 460);
  EXPECT_DOUBLE_EQ(r.new_logo_arr(), 70);
  EXPECT_EQ(r.accounts_new(), 1);
  EXPECT_DOUBLE_EQ(r.win_back_arr(), 90);
  EXPECT_EQ(r.accounts_won_back(), 2);
  EXPECT_EQ(r.accounts_churned(), 0);  // out_and_back is back by the end
  EXPECT_DOUBLE_EQ(r.expansion_arr(), 50);
  EXPECT_DOUBLE_EQ(r.nrr(), (460.0 - 70 - 90) / 250);
  EXPECT_DOUBLE_EQ(r.nrr(), 1.2);
  EXPECT_DOUBLE_EQ(r.grr(), 1.0);
}

TEST(WinBackTest, PortfolioReportCarriesReasonsAndWinBacks) {
  Portfolio p;
  AddReasonPortfolio(p);
  p.Add(AccountBuilder("back")
            .Arr(Day(2023, 1, 1), 80)
            .Churn(Day(2023, 6, 1), "price")
            .WinBack(Day(2024, 3, 1), 60));
  const report::v1::PortfolioReport r =
      BuildPortfolioReport(p.view, health::DefaultHealthConfig(), kStart, kEnd);
  // f churned and returned inside the period: in the opening book, so not
  // a win-back; only `back` is.
  EXPECT_EQ(r.retention().accounts_won_back(), 1);
  EXPECT_DOUBLE_EQ(r.retention().win_back_arr(), 60);
  EXPECT_EQ(r.churn_reasons_size(), 10);
  EXPECT_EQ(r.churn_reasons(1).reason_code(), "price");
  EXPECT_DOUBLE_EQ(r.churn_reasons(1).churned_arr(), 300);
  EXPECT_EQ(r.churn_reasons_by_tenure_size(), 4);
}

}  // namespace
}  // namespace retain::reports
