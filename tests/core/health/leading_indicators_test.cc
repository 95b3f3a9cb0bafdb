#include "core/health/leading_indicators.h"

#include <functional>
#include <string>
#include <vector>

#include "core/health/health_config.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"

namespace retain::health {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::AsOf;
using ::retain::testing::DaysAfter;
using ::retain::testing::DaysBefore;
constexpr auto kGreen = account::v1::HEALTH_BAND_GREEN;
constexpr auto kYellow = account::v1::HEALTH_BAND_YELLOW;
constexpr auto kRed = account::v1::HEALTH_BAND_RED;

struct IndicatorCase {
  std::string name;
  std::function<void(AccountBuilder&)> signals;
  model::HealthBand band;
  // Codes expected, in the fixed order.
  std::vector<std::string> codes;
};

class LeadingIndicatorTest : public ::testing::TestWithParam<IndicatorCase> {};

TEST_P(LeadingIndicatorTest, Fires) {
  AccountBuilder b("a");
  // A baseline with a touchpoint today so engagement_drop stays quiet.
  b.ContractStart(DaysBefore(400)).Touch(AsOf());
  GetParam().signals(b);
  std::vector<std::string> codes;
  for (const Indicator& i : LeadingIndicators(DefaultHealthConfig(), b.Build(),
                                              AsOf(), GetParam().band)) {
    codes.push_back(i.code);
    EXPECT_FALSE(i.description.empty());
  }
  EXPECT_EQ(codes, GetParam().codes);
}

// The mask the engine compares per rescore holds the same indicators, and
// only those asked for are formatted: with nothing asked, nothing is.
TEST_P(LeadingIndicatorTest, HeldMaskMatchesAndFormatsOnlyWhatIsAsked) {
  AccountBuilder b("a");
  b.ContractStart(DaysBefore(400)).Touch(AsOf());
  GetParam().signals(b);
  const model::AccountState account = b.Build();
  const HealthConfig config = DefaultHealthConfig();
  const IndicatorMask held =
      HeldIndicators(config, account, AsOf(), GetParam().band, 0, nullptr);
  IndicatorMask expected = 0;
  for (const std::string& code : GetParam().codes) {
    ASSERT_GE(IndicatorIndex(code), 0) << code;
    expected |= IndicatorMask{1} << IndicatorIndex(code);
  }
  EXPECT_EQ(held, expected);
  EXPECT_EQ(MaskOf(LeadingIndicators(config, account, AsOf(), GetParam().band)),
            expected);

  std::vector<Indicator> none;
  EXPECT_EQ(HeldIndicators(config, account, AsOf(), GetParam().band, 0, &none),
            held);
  EXPECT_TRUE(none.empty());
  // Asking for every other indicator formats exactly the held ones of those.
  const IndicatorMask odd = 0b1010101;
  std::vector<Indicator> some;
  EXPECT_EQ(
      HeldIndicators(config, account, AsOf(), GetParam().band, odd, &some),
      held);
  EXPECT_EQ(MaskOf(some), held & odd);
  for (const Indicator& i : some) EXPECT_FALSE(i.description.empty());
}

using V = std::vector<std::string>;
constexpr auto kOpened = signal::v1::TICKET_STATUS_OPENED;
constexpr auto kClosed = signal::v1::TICKET_STATUS_CLOSED;

INSTANTIATE_TEST_SUITE_P(
    Codes, LeadingIndicatorTest,
    ::testing::Values(
        IndicatorCase{"quiet", [](AccountBuilder&) {}, kGreen, V{}},
        // Usage down >= 20% versus the latest snapshot at or before −30 d.
        IndicatorCase{"usage_down_exactly_20",
                      [](AccountBuilder& b) {
                        b.Usage(DaysBefore(40), 100).Usage(DaysBefore(1), 80);
                      },
                      kGreen, V{"usage_decline"}},
        IndicatorCase{"usage_down_19",
                      [](AccountBuilder& b) {
                        b.Usage(DaysBefore(40), 100).Usage(DaysBefore(1), 81);
                      },
                      kGreen, V{}},
        IndicatorCase{"usage_compares_with_snapshot_at_minus_30",
                      [](AccountBuilder& b) {
                        b.Usage(DaysBefore(60), 200)
                            .Usage(DaysBefore(30), 100)
                            .Usage(DaysBefore(1), 85);
                      },
                      kGreen, V{}},
        IndicatorCase{"usage_no_history",
                      [](AccountBuilder& b) { b.Usage(DaysBefore(10), 1); },
                      kGreen, V{}},
        // No touchpoint in 30+ days.
        IndicatorCase{"contact_30_days_ago",
                      [](AccountBuilder& b) {
                        b = AccountBuilder("a")
                                .ContractStart(DaysBefore(400))
                                .Touch(DaysBefore(30));
                      },
                      kGreen, V{"engagement_drop"}},
        IndicatorCase{"contact_29_days_ago",
                      [](AccountBuilder& b) {
                        b = AccountBuilder("a")
                                .ContractStart(DaysBefore(400))
                                .Touch(DaysBefore(29.9));
                      },
                      kGreen, V{}},
        IndicatorCase{"never_contacted",
                      [](AccountBuilder& b) {
                        b = AccountBuilder("a").ContractStart(DaysBefore(31));
                      },
                      kGreen, V{"engagement_drop"}},
        // Sponsor identified within 90 days, not now.
        IndicatorCase{
            "sponsor_lost_recently",
            [](AccountBuilder& b) {
              b.Sponsor(DaysBefore(200), true).Sponsor(DaysBefore(10), false);
            },
            kGreen, V{"sponsor_change"}},
        IndicatorCase{
            "sponsor_lost_long_ago",
            [](AccountBuilder& b) {
              b.Sponsor(DaysBefore(200), true).Sponsor(DaysBefore(95), false);
            },
            kGreen, V{}},
        IndicatorCase{
            "sponsor_briefly_identified",
            [](AccountBuilder& b) {
              b.Sponsor(DaysBefore(50), true).Sponsor(DaysBefore(40), false);
            },
            kGreen, V{"sponsor_change"}},
        IndicatorCase{
            "sponsor_never",
            [](AccountBuilder& b) { b.Sponsor(DaysBefore(50), false); }, kGreen,
            V{}},
        IndicatorCase{
            "sponsor_still_there",
            [](AccountBuilder& b) { b.Sponsor(DaysBefore(50), true); }, kGreen,
            V{}},
        // NPS <= 6 or CSAT <= 2 in the last 30 days.
        IndicatorCase{"nps_6",
                      [](AccountBuilder& b) { b.Nps(DaysBefore(3), 6); },
                      kGreen, V{"negative_feedback"}},
        IndicatorCase{"nps_7",
                      [](AccountBuilder& b) { b.Nps(DaysBefore(3), 7); },
                      kGreen, V{}},
        IndicatorCase{"csat_2",
                      [](AccountBuilder& b) { b.Csat(DaysBefore(3), 2); },
                      kGreen, V{"negative_feedback"}},
        IndicatorCase{"csat_3",
                      [](AccountBuilder& b) { b.Csat(DaysBefore(3), 3); },
                      kGreen, V{}},
        IndicatorCase{"nps_0_too_old",
                      [](AccountBuilder& b) { b.Nps(DaysBefore(30), 0); },
                      kGreen, V{}},
        // Open escalated or critical ticket.
        IndicatorCase{"escalated_open",
                      [](AccountBuilder& b) {
                        b.Ticket(DaysBefore(3), "t", kOpened,
                                 signal::v1::TICKET_SEVERITY_LOW, true);
                      },
                      kGreen, V{"support_escalation"}},
        IndicatorCase{"critical_open",
                      [](AccountBuilder& b) {
                        b.Ticket(DaysBefore(3), "t", kOpened,
                                 signal::v1::TICKET_SEVERITY_CRITICAL);
                      },
                      kGreen, V{"support_escalation"}},
        IndicatorCase{"critical_closed",
                      [](AccountBuilder& b) {
                        b.Ticket(DaysBefore(3), "t", kOpened,
                                 signal::v1::TICKET_SEVERITY_CRITICAL)
                            .Ticket(DaysBefore(1), "t", kClosed);
                      },
                      kGreen, V{}},
        IndicatorCase{"high_open",
                      [](AccountBuilder& b) {
                        b.Ticket(DaysBefore(3), "t", kOpened,
                                 signal::v1::TICKET_SEVERITY_HIGH);
                      },
                      kGreen, V{}},
        IndicatorCase{"payment_overdue",
                      [](AccountBuilder& b) { b.Payment(DaysBefore(3), true); },
                      kGreen, V{"payment_overdue"}},
        IndicatorCase{
            "payment_paid",
            [](AccountBuilder& b) {
              b.Payment(DaysBefore(3), true).Payment(DaysBefore(1), false);
            },
            kGreen, V{}},
        // Renewal within 90 days and band not green.
        IndicatorCase{"renewal_90_yellow",
                      [](AccountBuilder& b) { b.Renewal(DaysAfter(90)); },
                      kYellow, V{"renewal_risk"}},
        IndicatorCase{"renewal_30_red",
                      [](AccountBuilder& b) { b.Renewal(DaysAfter(30)); }, kRed,
                      V{"renewal_risk"}},
        IndicatorCase{"renewal_30_green",
                      [](AccountBuilder& b) { b.Renewal(DaysAfter(30)); },
                      kGreen, V{}},
        IndicatorCase{"renewal_91_red",
                      [](AccountBuilder& b) { b.Renewal(DaysAfter(91)); }, kRed,
                      V{}},
        IndicatorCase{
            "several_in_order",
            [](AccountBuilder& b) {
              b.Payment(DaysBefore(3), true)
                  .Nps(DaysBefore(2), 1)
                  .Usage(DaysBefore(40), 10)
                  .Usage(DaysBefore(1), 5);
            },
            kGreen,
            V{"usage_decline", "negative_feedback", "payment_overdue"}}),
    [](const ::testing::TestParamInfo<IndicatorCase>& info) {
      return info.param.name;
    });

TEST(LeadingIndicatorTest, ThresholdsComeFromConfig) {
  HealthConfig config = DefaultHealthConfig();
  config.indicators.usage_decline_ratio = 0.5;
  const auto account = AccountBuilder("a")
                           .Touch(AsOf())
                           .Usage(DaysBefore(40), 100)
                           .Usage(DaysBefore(1), 60)
                           .Build();
  EXPECT_TRUE(LeadingIndicators(config, account, AsOf(), kGreen).empty());
}

TEST(LeadingIndicatorTest, ObservedTimeIsWhenItHappened) {
  const auto account =
      AccountBuilder("a").Touch(AsOf()).Payment(DaysBefore(3), true).Build();
  const auto indicators =
      LeadingIndicators(DefaultHealthConfig(), account, AsOf(), kGreen);
  ASSERT_EQ(indicators.size(), 1u);
  EXPECT_EQ(indicators[0].observed_time, DaysBefore(3));
}

}  // namespace
}  // namespace retain::health
