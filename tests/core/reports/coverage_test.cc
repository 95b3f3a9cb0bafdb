#include "core/reports/coverage.h"

#include <string>

#include "core/health/health_config.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"
#include "tests/core/reports/portfolio.h"

namespace retain::reports {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::AsOf;
using ::retain::testing::DaysBefore;
using ::retain::testing::Portfolio;

// Adds `n` accounts of `arr` with CSMs cycling through `csms` names, each
// touched `touch_days_ago`.
void AddMany(Portfolio& p, const std::string& prefix, int n, double arr,
             int csms, double touch_days_ago) {
  for (int i = 0; i < n; ++i) {
    AccountBuilder b(prefix + std::to_string(i));
    b.ContractStart(DaysBefore(400)).Arr(DaysBefore(400), arr);
    b.Touch(DaysBefore(touch_days_ago));
    if (csms > 0) b.Csm(prefix + "-csm" + std::to_string(i % csms));
    p.Add(b);
  }
}

struct HeadcountCase {
  std::string name;
  double arr;  // picks the segment
  int accounts;
  int csms;
  int segment_index;  // 0 digital .. 3 dedicated
  int needed;
  double per_csm;
};

class CoverageHeadcountTest : public ::testing::TestWithParam<HeadcountCase> {};

TEST_P(CoverageHeadcountTest, CsmsNeededIsCeilOfAccountsOverRatio) {
  const HeadcountCase& c = GetParam();
  Portfolio p;
  AddMany(p, "a", c.accounts, c.arr, c.csms, 1);
  const CoverageReport r =
      ComputeCoverage(p.view, health::DefaultHealthConfig(), AsOf());
  ASSERT_EQ(r.segments.size(), 4u);
  const report::v1::SegmentCoverage& s = r.segments[c.segment_index];
  EXPECT_EQ(s.accounts(), c.accounts);
  EXPECT_DOUBLE_EQ(s.arr(), c.accounts * c.arr);
  EXPECT_EQ(s.csms_needed(), c.needed);
  EXPECT_EQ(s.csms_assigned(), c.csms);
  EXPECT_NEAR(s.accounts_per_csm(), c.per_csm, 1e-9);
  EXPECT_EQ(r.csms_needed_total, c.needed);
  EXPECT_EQ(r.csms_assigned_total, c.csms);
}

INSTANTIATE_TEST_SUITE_P(
    Ratios, CoverageHeadcountTest,
    ::testing::Values(
        // digital 1:500
        HeadcountCase{"digital_500", 4999, 500, 1, 0, 1, 500},
        HeadcountCase{"digital_501", 100, 501, 1, 0, 2, 501},
        // pooled 1:150 (5K is pooled)
        HeadcountCase{"pooled_150", 5000, 150, 1, 1, 1, 150},
        HeadcountCase{"pooled_151", 19999, 151, 2, 1, 2, 75.5},
        // named 1:40 (20K and 75K are named)
        HeadcountCase{"named_40", 20000, 40, 1, 2, 1, 40},
        // No CSM assigned: all 41 accounts wait on the first one, not 0.
        HeadcountCase{"named_41_no_csm", 75000, 41, 0, 2, 2, 41},
        // dedicated 1:12 (above 75K)
        HeadcountCase{"dedicated_12", 75001, 12, 1, 3, 1, 12},
        HeadcountCase{"dedicated_13", 200000, 13, 2, 3, 2, 6.5},
        // The domain note: 200 accounts, 3 CSMs → ~66 accounts each.
        HeadcountCase{"domain_200_named_3_csms", 25000, 200, 3, 2, 5,
                      200.0 / 3}),
    [](const ::testing::TestParamInfo<HeadcountCase>& info) {
      return info.param.name;
    });

TEST(CoverageTest, OnlyAccountsWithArrAtAsOf) {
  Portfolio p;
  p.Add(AccountBuilder("churned")
            .Arr(DaysBefore(100), 50000)
            .Churn(DaysBefore(10))
            .Csm("x"));
  p.Add(AccountBuilder("future").Arr(DaysBefore(-10), 50000).Csm("y"));
  const CoverageReport r =
      ComputeCoverage(p.view, health::DefaultHealthConfig(), AsOf());
  for (const auto& s : r.segments) EXPECT_EQ(s.accounts(), 0);
  EXPECT_EQ(r.csms_needed_total, 0);
  EXPECT_EQ(r.csms_assigned_total, 0);
}

struct CadenceCase {
  std::string name;
  double arr;
  int segment_index;
  double days_since_touch;  // < 0: never touched (contract 40 days ago)
  bool breached;
};

class CadenceTest : public ::testing::TestWithParam<CadenceCase> {};

TEST_P(CadenceTest, MoreThanCadenceDaysIsABreach) {
  const CadenceCase& c = GetParam();
  AccountBuilder b("acct");
  b.Arr(DaysBefore(400), c.arr);
  if (c.days_since_touch >= 0) {
    b.ContractStart(DaysBefore(400)).Touch(DaysBefore(c.days_since_touch));
  } else {
    b.ContractStart(DaysBefore(40));
  }
  Portfolio p;
  p.Add(b);
  const CoverageReport r =
      ComputeCoverage(p.view, health::DefaultHealthConfig(), AsOf());
  const auto& s = r.segments[c.segment_index];
  EXPECT_EQ(s.accounts_cadence_breached(), c.breached ? 1 : 0);
  EXPECT_EQ(s.breached_accounts_size(), c.breached ? 1 : 0);
}

INSTANTIATE_TEST_SUITE_P(
    Cadence, CadenceTest,
    ::testing::Values(
        CadenceCase{"digital_never_promised", 1000, 0, 400, false},
        CadenceCase{"pooled_90", 10000, 1, 90, false},
        CadenceCase{"pooled_90_1", 10000, 1, 90.1, true},
        CadenceCase{"named_30", 30000, 2, 30, false},
        CadenceCase{"named_31", 30000, 2, 31, true},
        CadenceCase{"named_never_contacted_40d", 30000, 2, -1, true},
        CadenceCase{"dedicated_14", 100000, 3, 14, false},
        CadenceCase{"dedicated_15", 100000, 3, 15, true},
        CadenceCase{"dedicated_never_contacted_40d", 100000, 3, -1, true}),
    [](const ::testing::TestParamInfo<CadenceCase>& info) {
      return info.param.name;
    });

TEST(CoverageTest, BreachedListLongestFirstAtMost20) {
  Portfolio p;
  for (int i = 0; i < 25; ++i) {
    p.Add(AccountBuilder("n" + std::to_string(100 + i))
              .ContractStart(DaysBefore(400))
              .Arr(DaysBefore(400), 30000)
              .Touch(DaysBefore(31 + i)));
  }
  const CoverageReport r =
      ComputeCoverage(p.view, health::DefaultHealthConfig(), AsOf());
  const auto& named = r.segments[2];
  EXPECT_EQ(named.model(), "named (mid touch)");
  EXPECT_EQ(named.cadence_days(), 30);
  EXPECT_EQ(named.target_accounts_per_csm(), 40);
  EXPECT_EQ(named.accounts_cadence_breached(), 25);
  ASSERT_EQ(named.breached_accounts_size(), 20);
  EXPECT_EQ(named.breached_accounts(0), "accounts/n124");  // 55 days
  EXPECT_EQ(named.breached_accounts(19), "accounts/n105");
}

TEST(CoverageTest, SegmentOverrideAndConfigBoundaries) {
  health::HealthConfig config = health::DefaultHealthConfig();
  config.coverage.named_max_arr = 100000;
  Portfolio p;
  p.Add(AccountBuilder("big").Arr(DaysBefore(10), 90000));
  p.Add(AccountBuilder("forced")
            .Arr(DaysBefore(10), 1000)
            .SegmentOverride(account::v1::SEGMENT_DEDICATED));
  const CoverageReport r = ComputeCoverage(p.view, config, AsOf());
  EXPECT_EQ(r.segments[2].accounts(), 1);  // 90K is named under this config
  EXPECT_EQ(r.segments[3].accounts(), 1);  // the override
}

}  // namespace
}  // namespace retain::reports
