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
using ::retain::testing::DaysBefore;
using S = signal::v1::TicketStatus;
using V = signal::v1::TicketSeverity;
constexpr S kOpened = signal::v1::TICKET_STATUS_OPENED;
constexpr S kUpdated = signal::v1::TICKET_STATUS_UPDATED;
constexpr S kClosed = signal::v1::TICKET_STATUS_CLOSED;
constexpr V kLow = signal::v1::TICKET_SEVERITY_LOW;
constexpr V kMedium = signal::v1::TICKET_SEVERITY_MEDIUM;
constexpr V kHigh = signal::v1::TICKET_SEVERITY_HIGH;
constexpr V kCritical = signal::v1::TICKET_SEVERITY_CRITICAL;
constexpr V kUnset = signal::v1::TICKET_SEVERITY_UNSPECIFIED;

struct SupportCase {
  std::string name;
  std::function<void(AccountBuilder&)> signals;
  bool has_data;
  double score;
};

class SupportRuleTest : public ::testing::TestWithParam<SupportCase> {};

TEST_P(SupportRuleTest, Scores) {
  const SupportCase& c = GetParam();
  AccountBuilder b("a");
  c.signals(b);
  const ComponentResult r =
      ScoreSupport(DefaultHealthConfig(), b.Build(), AsOf());
  EXPECT_EQ(r.has_data, c.has_data) << r.explanation;
  if (c.has_data) {
    EXPECT_DOUBLE_EQ(r.score, c.score) << r.explanation;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, SupportRuleTest,
    ::testing::Values(
        SupportCase{"nothing", [](AccountBuilder&) {}, false, 0},
        SupportCase{"low",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(5), "t1", kOpened, kLow);
                    },
                    true, 9.5},
        SupportCase{"medium",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(5), "t1", kOpened, kMedium);
                    },
                    true, 9},
        SupportCase{"high",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(5), "t1", kOpened, kHigh);
                    },
                    true, 8},
        SupportCase{"critical",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(5), "t1", kOpened, kCritical);
                    },
                    true, 6},
        SupportCase{"critical_escalated",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(5), "t1", kOpened, kCritical, true);
                    },
                    true, 5},
        SupportCase{"escalation_is_sticky_while_open",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(9), "t1", kOpened, kLow, true)
                          .Ticket(DaysBefore(2), "t1", kUpdated);
                    },
                    true, 8.5},
        SupportCase{"volume_adds_up",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(5), "t1", kOpened, kLow)
                          .Ticket(DaysBefore(4), "t2", kOpened, kMedium)
                          .Ticket(DaysBefore(3), "t3", kOpened, kHigh);
                    },
                    true, 6.5},
        SupportCase{"severity_carries_over",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(5), "t1", kOpened, kHigh)
                          .Ticket(DaysBefore(2), "t1", kUpdated, kUnset);
                    },
                    true, 8},
        SupportCase{"severity_changes",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(5), "t1", kOpened, kHigh)
                          .Ticket(DaysBefore(2), "t1", kUpdated, kLow);
                    },
                    true, 9.5},
        SupportCase{"unset_severity_counts_as_medium",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(5), "t1", kOpened, kUnset);
                    },
                    true, 9},
        SupportCase{"closed_in_window_is_no_data",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(20), "t1", kOpened, kCritical)
                          .Ticket(DaysBefore(10), "t1", kClosed);
                    },
                    false, 0},
        SupportCase{"closed_after_as_of_is_still_open",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(20), "t1", kOpened, kCritical)
                          .Ticket(DaysBefore(-1), "t1", kClosed);
                    },
                    true, 6},
        SupportCase{"opened_after_as_of_ignored",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(-1), "t1", kOpened, kCritical);
                    },
                    false, 0},
        SupportCase{"old_closed_ticket_is_no_data",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(200), "t1", kOpened, kHigh)
                          .Ticket(DaysBefore(150), "t1", kClosed);
                    },
                    false, 0},
        SupportCase{"old_open_ticket_still_counts",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(200), "t1", kOpened, kHigh);
                    },
                    true, 8},
        SupportCase{"clamped_at_zero",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(5), "t1", kOpened, kCritical, true)
                          .Ticket(DaysBefore(5), "t2", kOpened, kCritical, true)
                          .Ticket(DaysBefore(5), "t3", kOpened, kCritical,
                                  true);
                    },
                    true, 0},
        // CSAT average over 90 days: >= 4 → 0; 3-4 → −1; < 3 → −3.
        SupportCase{"csat_5",
                    [](AccountBuilder& b) { b.Csat(DaysBefore(5), 5); }, true,
                    10},
        SupportCase{"csat_exactly_4",
                    [](AccountBuilder& b) {
                      b.Csat(DaysBefore(5), 5).Csat(DaysBefore(4), 3);
                    },
                    true, 10},
        SupportCase{"csat_just_below_4",
                    [](AccountBuilder& b) {
                      b.Csat(DaysBefore(5), 4)
                          .Csat(DaysBefore(4), 4)
                          .Csat(DaysBefore(3), 3);
                    },
                    true, 9},
        SupportCase{"csat_exactly_3",
                    [](AccountBuilder& b) {
                      b.Csat(DaysBefore(5), 2).Csat(DaysBefore(4), 4);
                    },
                    true, 9},
        SupportCase{"csat_below_3",
                    [](AccountBuilder& b) {
                      b.Csat(DaysBefore(5), 2).Csat(DaysBefore(4), 3);
                    },
                    true, 7},
        SupportCase{"csat_outside_90_days_ignored",
                    [](AccountBuilder& b) {
                      b.Csat(DaysBefore(90), 1).Csat(DaysBefore(89), 5);
                    },
                    true, 10},
        SupportCase{"nps_is_not_csat",
                    [](AccountBuilder& b) { b.Nps(DaysBefore(5), 0); }, false,
                    0},
        SupportCase{"tickets_and_csat_combine",
                    [](AccountBuilder& b) {
                      b.Ticket(DaysBefore(5), "t1", kOpened, kHigh, true)
                          .Csat(DaysBefore(4), 1);
                    },
                    true, 4}),
    [](const ::testing::TestParamInfo<SupportCase>& info) {
      return info.param.name;
    });

TEST(SupportTest, OpenTicketsAtFoldsEvents) {
  const auto account = AccountBuilder("a")
                           .Ticket(DaysBefore(9), "t1", kOpened, kHigh)
                           .Ticket(DaysBefore(8), "t2", kOpened, kLow)
                           .Ticket(DaysBefore(7), "t2", kClosed)
                           .Ticket(DaysBefore(6), "t2", kUpdated)  // reopened
                           .Ticket(DaysBefore(5), "t3", kOpened, kMedium)
                           .Ticket(DaysBefore(4), "t3", kClosed)
                           .Build();
  const auto open = OpenTicketsAt(account.timeline, AsOf());
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open.at("t1").severity, kHigh);
  EXPECT_EQ(open.at("t2").severity, kLow);
  EXPECT_EQ(OpenTicketsAt(account.timeline, DaysBefore(6.5)).size(), 1u);
}

TEST(SupportTest, PenaltiesComeFromConfig) {
  HealthConfig config = DefaultHealthConfig();
  config.support.penalty_low = 3;
  const auto account =
      AccountBuilder("a").Ticket(DaysBefore(5), "t1", kOpened, kLow).Build();
  EXPECT_DOUBLE_EQ(ScoreSupport(config, account, AsOf()).score, 7);
}

}  // namespace
}  // namespace retain::health
