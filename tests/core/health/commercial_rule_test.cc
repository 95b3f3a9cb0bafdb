#include <functional>
#include <string>

#include "core/health/component_rules.h"
#include "core/health/health_config.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"

namespace retain::health {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::AsOf;
using ::retain::testing::DaysAfter;
using ::retain::testing::DaysBefore;

struct CommercialCase {
  std::string name;
  std::function<void(AccountBuilder&)> signals;
  double score;
};

class CommercialRuleTest : public ::testing::TestWithParam<CommercialCase> {};

TEST_P(CommercialRuleTest, Scores) {
  const CommercialCase& c = GetParam();
  AccountBuilder b("a");
  c.signals(b);
  const ComponentResult r =
      ScoreCommercial(DefaultHealthConfig(), b.Build(), AsOf());
  EXPECT_TRUE(r.has_data);  // commercial always has data
  EXPECT_DOUBLE_EQ(r.score, c.score) << r.explanation;
}

INSTANTIATE_TEST_SUITE_P(
    Rules, CommercialRuleTest,
    ::testing::Values(
        CommercialCase{"clean",
                       [](AccountBuilder& b) { b.Arr(DaysBefore(300), 10000); },
                       10},
        CommercialCase{"no_arr_yet", [](AccountBuilder&) {}, 0},
        CommercialCase{"arr_starts_after_as_of",
                       [](AccountBuilder& b) { b.Arr(DaysAfter(1), 10000); },
                       0},
        CommercialCase{"churned",
                       [](AccountBuilder& b) {
                         b.Arr(DaysBefore(300), 10000).Churn(DaysBefore(10));
                       },
                       0},
        CommercialCase{
            "payment_overdue",
            [](AccountBuilder& b) {
              b.Arr(DaysBefore(300), 10000).Payment(DaysBefore(5), true);
            },
            6},
        CommercialCase{"payment_received_clears",
                       [](AccountBuilder& b) {
                         b.Arr(DaysBefore(300), 10000)
                             .Payment(DaysBefore(5), true)
                             .Payment(DaysBefore(2), false);
                       },
                       10},
        CommercialCase{
            "payment_overdue_after_as_of_ignored",
            [](AccountBuilder& b) {
              b.Arr(DaysBefore(300), 10000).Payment(DaysAfter(1), true);
            },
            10},
        CommercialCase{
            "contraction_179_days_ago",
            [](AccountBuilder& b) {
              b.Arr(DaysBefore(300), 10000).Contraction(DaysBefore(179), -2000);
            },
            7},
        CommercialCase{
            "contraction_exactly_180_days_ago_is_outside",
            [](AccountBuilder& b) {
              b.Arr(DaysBefore(300), 10000).Contraction(DaysBefore(180), -2000);
            },
            10},
        CommercialCase{"renewal_lapsed",
                       [](AccountBuilder& b) {
                         b.Arr(DaysBefore(300), 10000).Renewal(DaysBefore(10));
                       },
                       7},
        CommercialCase{"renewal_recorded_after_date",
                       [](AccountBuilder& b) {
                         b.Arr(DaysBefore(300), 10000)
                             .Renewal(DaysBefore(10))
                             .Renewed(DaysBefore(8));
                       },
                       10},
        CommercialCase{"renewal_recorded_before_date_does_not_count",
                       [](AccountBuilder& b) {
                         b.Arr(DaysBefore(300), 10000)
                             .Renewal(DaysBefore(10))
                             .Renewed(DaysBefore(12));
                       },
                       7},
        CommercialCase{"renewal_within_60_days",
                       [](AccountBuilder& b) {
                         b.Arr(DaysBefore(300), 10000).Renewal(DaysAfter(60));
                       },
                       9},
        CommercialCase{"renewal_in_61_days",
                       [](AccountBuilder& b) {
                         b.Arr(DaysBefore(300), 10000).Renewal(DaysAfter(61));
                       },
                       10},
        CommercialCase{"everything_wrong_clamps_at_zero",
                       [](AccountBuilder& b) {
                         b.Arr(DaysBefore(300), 10000)
                             .Payment(DaysBefore(5), true)
                             .Contraction(DaysBefore(20), -1000)
                             .Renewal(DaysBefore(3));
                       },
                       0}),
    [](const ::testing::TestParamInfo<CommercialCase>& info) {
      return info.param.name;
    });

}  // namespace
}  // namespace retain::health
