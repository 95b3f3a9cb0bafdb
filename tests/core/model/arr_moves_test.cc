// The one churn definition: moves judged by what they did to ARR, churned
// "at t" and "in a period", with hand-made histories.
#include "core/model/arr_moves.h"

#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"

namespace retain::model {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::Day;

TEST(ClassifyArrMoveTest, ByEffectOnArr) {
  EXPECT_EQ(ClassifyArrMove(0, 0), ArrMove::kNone);
  EXPECT_EQ(ClassifyArrMove(0, 100), ArrMove::kStart);
  EXPECT_EQ(ClassifyArrMove(100, 100), ArrMove::kNone);
  EXPECT_EQ(ClassifyArrMove(100, 150), ArrMove::kExpansion);
  EXPECT_EQ(ClassifyArrMove(100, 60), ArrMove::kContraction);
  EXPECT_EQ(ClassifyArrMove(100, 0), ArrMove::kChurn);
}

TEST(ForEachArrStepTest, ANegativeRenewalIsAContraction) {
  // 10,000 from Jan 1; renewed at -4,000 on Jul 1; renewed flat on Dec 1.
  const AccountState a = AccountBuilder("a")
                             .Arr(Day(2024, 1, 1), 10000)
                             .Renewed(Day(2024, 7, 1), -4000)
                             .Renewed(Day(2024, 12, 1), 0)
                             .Build();
  std::vector<ArrMove> moves;
  std::vector<double> before, after;
  ForEachArrStep(a.timeline, Day(2025, 1, 1),
                 [&](const ArrChange&, double b, double f) {
                   moves.push_back(ClassifyArrMove(b, f));
                   before.push_back(b);
                   after.push_back(f);
                 });
  EXPECT_EQ(moves, (std::vector<ArrMove>{ArrMove::kStart, ArrMove::kContraction,
                                         ArrMove::kNone}));
  EXPECT_EQ(before, (std::vector<double>{0, 10000, 6000}));
  EXPECT_EQ(after, (std::vector<double>{10000, 6000, 6000}));
}

TEST(IsChurnedAtTest, ChurnedOnlyAfterHavingArr) {
  const AccountState prospect =
      AccountBuilder("p").Arr(Day(2024, 1, 1), 0).Build();
  EXPECT_FALSE(IsChurnedAt(prospect.timeline, Day(2025, 1, 1)));

  // 5,000 from Jan 1, churned Mar 1, won back at 3,000 on Jun 1.
  const AccountState a = AccountBuilder("a")
                             .Arr(Day(2024, 1, 1), 5000)
                             .Churn(Day(2024, 3, 1))
                             .NewLogo(Day(2024, 6, 1), 3000)
                             .Build();
  EXPECT_FALSE(IsChurnedAt(a.timeline, Day(2023, 12, 1)));  // not started
  EXPECT_FALSE(IsChurnedAt(a.timeline, Day(2024, 2, 29)));  // live
  EXPECT_TRUE(IsChurnedAt(a.timeline, Day(2024, 3, 1)));    // the instant
  EXPECT_TRUE(IsChurnedAt(a.timeline, Day(2024, 5, 31)));
  EXPECT_FALSE(IsChurnedAt(a.timeline, Day(2024, 6, 1)));  // won back
}

TEST(IsChurnedAtTest, ARenewalThatTookArrToZeroIsAChurn) {
  // Stored before renewals to 0 were refused: 2,000 renewed at -2,000.
  const AccountState a = AccountBuilder("a")
                             .Arr(Day(2024, 1, 1), 2000)
                             .Renewed(Day(2024, 9, 1), -2000)
                             .Build();
  EXPECT_TRUE(IsChurnedAt(a.timeline, Day(2024, 9, 1)));
  const auto churn = ChurnIn(a.timeline, Day(2024, 1, 1), Day(2025, 1, 1));
  ASSERT_TRUE(churn.has_value());
  EXPECT_EQ(churn->time, Day(2024, 9, 1));
  EXPECT_EQ(churn->arr_before, 2000);
}

TEST(ChurnInTest, OncePerAccountAndPeriodAtTheLastChurn) {
  const absl::Time start = Day(2024, 1, 1), end = Day(2024, 12, 31);
  // Churned Feb 1, back at 4,000 Apr 1, churned again Aug 1: one churn, on
  // Aug 1, losing 4,000.
  const AccountState twice = AccountBuilder("twice")
                                 .Arr(Day(2023, 6, 1), 8000)
                                 .Churn(Day(2024, 2, 1))
                                 .NewLogo(Day(2024, 4, 1), 4000)
                                 .Churn(Day(2024, 8, 1))
                                 .Build();
  const auto c = ChurnIn(twice.timeline, start, end);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->time, Day(2024, 8, 1));
  EXPECT_EQ(c->arr_before, 4000);

  // Churned and won back within the period: no churn in it, but one in a
  // period that ends before the return.
  const AccountState back = AccountBuilder("back")
                                .Arr(Day(2023, 6, 1), 8000)
                                .Churn(Day(2024, 2, 1))
                                .NewLogo(Day(2024, 4, 1), 4000)
                                .Build();
  EXPECT_FALSE(ChurnIn(back.timeline, start, end).has_value());
  EXPECT_TRUE(ChurnIn(back.timeline, start, Day(2024, 3, 1)).has_value());

  // Started and churned within the period: not in the opening book, so not
  // a churn of this period (nor a new logo).
  const AccountState brief = AccountBuilder("brief")
                                 .Arr(Day(2024, 3, 1), 1000)
                                 .Churn(Day(2024, 5, 1))
                                 .Build();
  EXPECT_FALSE(ChurnIn(brief.timeline, start, end).has_value());

  // A churn at exactly `start` belongs to the period before.
  const AccountState edge =
      AccountBuilder("edge").Arr(Day(2023, 6, 1), 1000).Churn(start).Build();
  EXPECT_FALSE(ChurnIn(edge.timeline, start, end).has_value());
  EXPECT_TRUE(ChurnIn(edge.timeline, Day(2023, 12, 1), start).has_value());
}

}  // namespace
}  // namespace retain::model
