#include "core/reports/at_risk.h"

#include <string>

#include "core/health/health_config.h"
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

// Never contacted for 400 days with an overdue invoice: red (2.25).
AccountBuilder Red(const std::string& id, double arr) {
  AccountBuilder b(id);
  b.ContractStart(DaysBefore(400))
      .Arr(DaysBefore(400), arr)
      .Payment(DaysBefore(5), true);
  return b;
}

AccountBuilder Green(const std::string& id, double arr) {
  AccountBuilder b(id);
  b.ContractStart(DaysBefore(400))
      .Arr(DaysBefore(400), arr)
      .Sponsor(DaysBefore(400), true)
      .Touch(DaysBefore(12))
      .Touch(DaysBefore(2));
  return b;
}

Portfolio Book() {
  Portfolio p;
  p.Add(Red("small", 1000));
  p.Add(Red("big", 100000));
  p.Add(Red("tie-b", 30000));
  p.Add(Red("tie-a", 30000));
  p.Add(Green("fine", 500000));
  p.Add(Red("gone", 90000).Churn(DaysBefore(3)));  // lost, not at risk
  p.Add(Red("later", 70000).Churn(DaysAfter(3)));  // churns after as_of
  return p;
}

TEST(AtRiskTest, RedLargestArrFirstThenName) {
  const Portfolio p = Book();
  const auto r =
      ListAtRiskAccounts(p.view, health::DefaultHealthConfig(), AsOf());
  ASSERT_EQ(r.accounts_size(), 5);
  EXPECT_EQ(r.accounts(0).account(), "accounts/big");
  EXPECT_EQ(r.accounts(1).account(), "accounts/later");
  EXPECT_EQ(r.accounts(2).account(), "accounts/tie-a");
  EXPECT_EQ(r.accounts(3).account(), "accounts/tie-b");
  EXPECT_EQ(r.accounts(4).account(), "accounts/small");
  EXPECT_EQ(r.total_size(), 5);
  EXPECT_DOUBLE_EQ(r.total_arr(), 100000 + 70000 + 30000 + 30000 + 1000);
  for (const auto& a : r.accounts()) {
    EXPECT_EQ(a.band(), account::v1::HEALTH_BAND_RED);
    EXPECT_EQ(a.components_size(), 4);
    bool overdue = false;
    for (const auto& i : a.leading_indicators()) {
      overdue = overdue || i.code() == "payment_overdue";
    }
    EXPECT_TRUE(overdue) << a.account();
  }
}

TEST(AtRiskTest, SegmentFilter) {
  const Portfolio p = Book();
  const auto r = ListAtRiskAccounts(p.view, health::DefaultHealthConfig(),
                                    AsOf(), account::v1::SEGMENT_NAMED);
  ASSERT_EQ(r.accounts_size(), 3);  // later (70K), tie-a, tie-b
  EXPECT_EQ(r.accounts(0).account(), "accounts/later");
  EXPECT_DOUBLE_EQ(r.total_arr(), 130000);
}

TEST(AtRiskTest, AsOfEarlierSeesTheAccountBeforeItWentRed) {
  Portfolio p;
  p.Add(Green("was-fine", 50000).Payment(DaysBefore(1), true));
  p.Add(Red("r", 50000));
  // 10 days back neither invoice was overdue yet: was-fine was green (contact
  // 2 days before, sponsor); r, never contacted, was already red.
  const auto r =
      ListAtRiskAccounts(p.view, health::DefaultHealthConfig(), DaysBefore(10));
  ASSERT_EQ(r.accounts_size(), 1);
  EXPECT_EQ(r.accounts(0).account(), "accounts/r");
}

}  // namespace
}  // namespace retain::reports
