// Versioned profile fields and renewal dates, through the same ApplySignal
// the engine uses live and at replay: values as they stood at any time, a
// RENEWAL moving the date on by the contract term from the previous date,
// and the commercial rule's "lapsed" penalty only while a renewal is
// overdue.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "absl/time/civil_time.h"
#include "api/proto_time.h"
#include "core/health/component_rules.h"
#include "core/health/health_config.h"
#include "core/health/renewal_status.h"
#include "core/model/apply_signal.h"

namespace retain::model {
namespace {

absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

AccountState Account(double arr, absl::Time start, absl::Time renewal) {
  AccountState a;
  a.tenant = "t1";
  a.id = "acme";
  a.profile.set_name("accounts/acme");
  a.profile.set_display_name("Acme");
  a.profile.set_initial_arr(arr);
  a.profile.set_licensed_seats(100);
  a.profile.set_csm_owner("alice");
  *a.profile.mutable_contract_start_time() = api::ToProto(start);
  *a.profile.mutable_renewal_time() = api::ToProto(renewal);
  SeedTimelineFromProfile(a);
  return a;
}

signal::v1::Signal Renewal(absl::Time t) {
  signal::v1::Signal s;
  s.set_account("accounts/acme");
  *s.mutable_occur_time() = api::ToProto(t);
  s.mutable_commercial()->set_kind(signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL);
  return s;
}

signal::v1::Signal ProfileChanged(
    absl::Time t, const std::map<std::string, std::string>& attrs) {
  signal::v1::Signal s;
  s.set_account("accounts/acme");
  *s.mutable_occur_time() = api::ToProto(t);
  s.mutable_custom()->set_type(kProfileChangedType);
  for (const auto& [k, v] : attrs) {
    (*s.mutable_custom()->mutable_attributes())[k] = v;
  }
  return s;
}

TEST(ProfileHistoryTest, FieldsReadAsTheyStoodAtEachTime) {
  AccountState a = Account(10000, Day(2024, 1, 1), Day(2025, 1, 1));
  ApplySignal(ProfileChanged(Day(2024, 6, 1), {{"licensed_seats", "150"},
                                               {"csm_owner", "bob"},
                                               {"segment", "SEGMENT_NAMED"}}),
              a);
  ApplySignal(
      ProfileChanged(Day(2024, 9, 1), {{"csm_owner", "carol"},
                                       {"renewal_time", ""},
                                       {"segment", "SEGMENT_UNSPECIFIED"}}),
      a);
  // Before the first change: the values given at creation.
  EXPECT_EQ(SeatsAt(a, Day(2024, 5, 31)), 100);
  EXPECT_EQ(OwnerAt(a, Day(2024, 5, 31)), "alice");
  EXPECT_EQ(SegmentOverrideAt(a, Day(2024, 5, 31)),
            account::v1::SEGMENT_UNSPECIFIED);
  EXPECT_EQ(RenewalAt(a, Day(2024, 5, 31)), Day(2025, 1, 1));
  // A change holds from its own time on.
  EXPECT_EQ(SeatsAt(a, Day(2024, 6, 1)), 150);
  EXPECT_EQ(OwnerAt(a, Day(2024, 6, 1)), "bob");
  EXPECT_EQ(SegmentOverrideAt(a, Day(2024, 6, 1)), account::v1::SEGMENT_NAMED);
  // 10,000 ARR derives pooled: overridden to named, then derived again.
  EXPECT_EQ(SegmentAt(a, Day(2024, 7, 1)), account::v1::SEGMENT_NAMED);
  EXPECT_EQ(SegmentAt(a, Day(2024, 10, 1)), account::v1::SEGMENT_POOLED);
  EXPECT_EQ(OwnerAt(a, Day(2024, 10, 1)), "carol");
  EXPECT_EQ(SeatsAt(a, Day(2024, 10, 1)), 150);
  EXPECT_FALSE(RenewalAt(a, Day(2024, 10, 1)).has_value());
  // The stored profile still holds the creation values.
  EXPECT_EQ(a.profile.csm_owner(), "alice");
}

TEST(ProfileHistoryTest, HealthAsOfUsesTheSeatsOfThatTime) {
  const health::HealthConfig config = health::DefaultHealthConfig();
  AccountState a = Account(10000, Day(2024, 1, 1), Day(2025, 1, 1));
  signal::v1::Signal usage;
  *usage.mutable_occur_time() = api::ToProto(Day(2024, 6, 1));
  usage.mutable_usage()->set_active_users(90);
  ApplySignal(usage, a);
  ApplySignal(ProfileChanged(Day(2024, 6, 10), {{"licensed_seats", "1000"}}),
              a);
  // 5 June: 90 of 100 seats, 90% > 80%: 10. 15 June: 90 of 1,000, 9% <
  // 30%: 1. Before, both read today's 1,000 seats.
  EXPECT_DOUBLE_EQ(
      health::ScoreEngagement(config, a, Day(2024, 6, 5), false).score, 10);
  EXPECT_DOUBLE_EQ(
      health::ScoreEngagement(config, a, Day(2024, 6, 15), false).score, 1);
}

TEST(ProfileHistoryTest, ArchiveAndRestoreAreDated) {
  AccountState a = Account(10000, Day(2024, 1, 1), Day(2025, 1, 1));
  ApplySignal(ProfileChanged(Day(2024, 3, 1), {{"archived", "true"}}), a);
  ApplySignal(ProfileChanged(Day(2024, 4, 1), {{"archived", "false"}}), a);
  ApplySignal(ProfileChanged(Day(2024, 5, 1), {{"archived", "true"}}), a);
  EXPECT_FALSE(ArchivedAt(a, Day(2024, 2, 28)));
  EXPECT_TRUE(ArchivedAt(a, Day(2024, 3, 15)));
  EXPECT_FALSE(ArchivedAt(a, Day(2024, 4, 15)));
  EXPECT_EQ(ArchiveTimeAt(a, absl::InfiniteFuture()), Day(2024, 5, 1));
}

TEST(ProfileHistoryTest, RenewalMovesTheDateOnByTheTermFromThePreviousDate) {
  // Due 31 March 2025, term 12 months (the default).
  AccountState a = Account(10000, Day(2024, 3, 31), Day(2025, 3, 31));
  // Renewed early (10 Feb): due 31 March 2026, not 10 Feb 2026.
  ApplySignal(Renewal(Day(2025, 2, 10)), a);
  EXPECT_EQ(RenewalAt(a, Day(2025, 2, 9)), Day(2025, 3, 31));
  EXPECT_EQ(RenewalAt(a, Day(2025, 2, 10)), Day(2026, 3, 31));
  // Renewed late (15 April 2026): still from the date it renews.
  ApplySignal(Renewal(Day(2026, 4, 15)), a);
  EXPECT_EQ(RenewalAt(a, absl::InfiniteFuture()), Day(2027, 3, 31));
  // A term of 1 month from 31 March 2027 ends on 30 April (no 31st).
  ApplySignal(ProfileChanged(Day(2026, 5, 1), {{"contract_term_months", "1"}}),
              a);
  ApplySignal(Renewal(Day(2026, 6, 1)), a);
  EXPECT_EQ(RenewalAt(a, absl::InfiniteFuture()), Day(2027, 4, 30));
}

TEST(ProfileHistoryTest, AnExplicitNextRenewalTimeWins) {
  AccountState a = Account(10000, Day(2024, 3, 31), Day(2025, 3, 31));
  signal::v1::Signal s = Renewal(Day(2025, 3, 20));
  *s.mutable_commercial()->mutable_next_renewal_time() =
      api::ToProto(Day(2027, 1, 1));
  ApplySignal(s, a);
  EXPECT_EQ(RenewalAt(a, Day(2025, 3, 20)), Day(2027, 1, 1));
}

TEST(ProfileHistoryTest, AddMonthsClampsToTheMonthsLastDay) {
  EXPECT_EQ(AddMonths(Day(2024, 1, 31), 1), Day(2024, 2, 29));  // leap year
  EXPECT_EQ(AddMonths(Day(2025, 1, 31), 1), Day(2025, 2, 28));
  EXPECT_EQ(AddMonths(Day(2025, 11, 15), 14), Day(2027, 1, 15));
}

TEST(RenewalStatusTest, OverdueOnlyUntilRenewedAndNotWhenChurned) {
  const health::HealthConfig config = health::DefaultHealthConfig();
  // ARR 10,000 from 1 May 2024, due 1 May 2025.
  AccountState a = Account(10000, Day(2024, 5, 1), Day(2025, 5, 1));
  // 1 June 2025: 31 days overdue; commercial = 10 - 3 (lapsed) = 7.
  health::RenewalStatus s = health::RenewalStatusAt(a, Day(2025, 6, 1));
  EXPECT_TRUE(s.overdue);
  EXPECT_DOUBLE_EQ(s.days_overdue, 31);
  EXPECT_DOUBLE_EQ(
      health::ScoreCommercial(config, a, Day(2025, 6, 1), false).score, 7);

  // Renewed late on 10 June: due 1 May 2026 (325 days after 11 June), no
  // penalty at all on 11 June: 10.
  ApplySignal(Renewal(Day(2025, 6, 10)), a);
  s = health::RenewalStatusAt(a, Day(2025, 6, 11));
  EXPECT_FALSE(s.overdue);
  EXPECT_EQ(s.renewal, Day(2026, 5, 1));
  EXPECT_DOUBLE_EQ(
      health::ScoreCommercial(config, a, Day(2025, 6, 11), false).score, 10);
  // The past stays as it was: on 1 June it was overdue.
  EXPECT_TRUE(health::RenewalStatusAt(a, Day(2025, 6, 1)).overdue);

  // Churned accounts are lost, not overdue.
  AccountState churned = Account(10000, Day(2024, 5, 1), Day(2025, 5, 1));
  signal::v1::Signal churn = Renewal(Day(2025, 5, 20));
  churn.mutable_commercial()->set_kind(signal::v1::COMMERCIAL_EVENT_KIND_CHURN);
  ApplySignal(churn, churned);
  EXPECT_FALSE(health::RenewalStatusAt(churned, Day(2025, 6, 1)).overdue);
}

TEST(RenewalStatusTest, AnEarlyRenewalLeavesNoPermanentLapse) {
  const health::HealthConfig config = health::DefaultHealthConfig();
  // Due 1 May 2025, renewed early on 20 April without a new date: due
  // 1 May 2026. On 1 June 2025: 334 days to go (> 60), so 10, where it
  // used to be 7 for ever.
  AccountState a = Account(10000, Day(2024, 5, 1), Day(2025, 5, 1));
  ApplySignal(Renewal(Day(2025, 4, 20)), a);
  EXPECT_FALSE(health::RenewalStatusAt(a, Day(2025, 6, 1)).overdue);
  EXPECT_DOUBLE_EQ(
      health::ScoreCommercial(config, a, Day(2025, 6, 1), false).score, 10);
}

}  // namespace
}  // namespace retain::model
