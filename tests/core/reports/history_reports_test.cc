// Reports over history that stays true: the overdue renewal bucket beside
// configured windows, coverage with the owner as it was, and archived
// accounts out of the book but not out of retention.
#include <gtest/gtest.h>

#include "api/proto_time.h"
#include "core/health/health_model.h"
#include "core/model/apply_signal.h"
#include "core/reports/coverage.h"
#include "core/reports/portfolio_report.h"
#include "core/reports/renewals.h"
#include "tests/core/reports/portfolio.h"

namespace retain::reports {
namespace {

using testing::AccountBuilder;
using testing::AsOf;
using testing::DaysAfter;
using testing::DaysBefore;
using testing::Portfolio;

void ProfileChange(model::AccountState& a, absl::Time t, const char* key,
                   const char* value) {
  signal::v1::Signal s;
  *s.mutable_occur_time() = api::ToProto(t);
  s.mutable_custom()->set_type(model::kProfileChangedType);
  (*s.mutable_custom()->mutable_attributes())[key] = value;
  model::ApplySignal(s, a);
}

std::vector<health::HealthResult> Health(const Portfolio& p, absl::Time t) {
  std::vector<health::HealthResult> h;
  for (const auto* a : p.view) {
    h.push_back(
        health::ComputeHealthScore(health::DefaultHealthConfig(), *a, t));
  }
  return h;
}

TEST(HistoryReportsTest, OverdueBucketBesideConfiguredWindows) {
  Portfolio p;
  const absl::Time start = DaysBefore(400);
  // Overdue by 10 days, 10,000 ARR.
  p.Add(AccountBuilder("late").Arr(start, 10000).Renewal(DaysBefore(10)));
  // Date passed, but renewed on it: not overdue.
  p.Add(AccountBuilder("renewed")
            .Arr(start, 4000)
            .Renewal(DaysBefore(20))
            .Renewed(DaysBefore(20)));
  // Churned after its date: lost, not overdue.
  p.Add(AccountBuilder("lost")
            .Arr(start, 9000)
            .Renewal(DaysBefore(3))
            .Churn(DaysBefore(1)));
  // Due in 5 days (7,000) and in 40 days (3,000).
  p.Add(AccountBuilder("soon").Arr(start, 7000).Renewal(DaysAfter(5)));
  p.Add(AccountBuilder("later").Arr(start, 3000).Renewal(DaysAfter(40)));
  const auto h = Health(p, AsOf());

  const auto w = RenewalWindows(p.view, h, AsOf(), {15, 45});
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].within_days(), 15);
  EXPECT_EQ(w[0].accounts(), 1);
  EXPECT_DOUBLE_EQ(w[0].arr(), 7000);
  EXPECT_EQ(w[1].within_days(), 45);
  EXPECT_EQ(w[1].accounts(), 2);
  EXPECT_DOUBLE_EQ(w[1].arr(), 10000);  // 7,000 + 3,000

  const report::v1::OverdueRenewals od = OverdueRenewals(p.view, h, AsOf());
  EXPECT_EQ(od.accounts(), 1);
  EXPECT_DOUBLE_EQ(od.arr(), 10000);
  ASSERT_EQ(od.renewals_size(), 1);
  EXPECT_EQ(od.renewals(0).account(), "accounts/late");
  EXPECT_DOUBLE_EQ(od.renewals(0).days_overdue(), 10);
}

TEST(HistoryReportsTest, CoverageCountsTheOwnerAsItWas) {
  Portfolio p;
  const absl::Time start = DaysBefore(400);
  p.Add(AccountBuilder("north").Arr(start, 30000).Csm("alice"));
  model::AccountState& south =
      p.Add(AccountBuilder("south").Arr(start, 30000).Csm("bob"));
  ProfileChange(south, DaysBefore(10), "csm_owner", "alice");
  const health::HealthConfig config = health::DefaultHealthConfig();
  // 20 days ago: alice and bob; now: alice only.
  EXPECT_EQ(ComputeCoverage(p.view, config, DaysBefore(20)).csms_assigned_total,
            2);
  EXPECT_EQ(ComputeCoverage(p.view, config, AsOf()).csms_assigned_total, 1);
}

TEST(HistoryReportsTest, ArchivedLeavesTheBookNotRetention) {
  Portfolio p;
  const absl::Time start = DaysBefore(400);
  p.Add(AccountBuilder("kept").Arr(start, 10000));
  model::AccountState& paused =
      p.Add(AccountBuilder("paused").Arr(start, 20000));
  ProfileChange(paused, DaysBefore(10), "archived", "true");
  const health::HealthConfig config = health::DefaultHealthConfig();
  const auto book = [](const report::v1::PortfolioReport& r) {
    int n = 0;
    for (const auto& s : r.health_by_segment()) {
      n += s.green() + s.yellow() + s.red();
    }
    return n;
  };
  const report::v1::PortfolioReport now =
      BuildPortfolioReport(p.view, config, DaysBefore(365), AsOf());
  const report::v1::PortfolioReport before =
      BuildPortfolioReport(p.view, config, DaysBefore(365), DaysBefore(20));
  EXPECT_EQ(book(now), 1);
  EXPECT_EQ(book(before), 2);
  // Both accounts' 30,000 held all year: NRR 1 either way.
  EXPECT_DOUBLE_EQ(now.retention().nrr(), 1.0);
  EXPECT_DOUBLE_EQ(now.retention().arr_end(), 30000);
}

}  // namespace
}  // namespace retain::reports
