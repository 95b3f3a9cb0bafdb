#include "core/reports/breakdowns.h"

#include <string>
#include <vector>

#include "core/health/health_config.h"
#include "core/health/health_model.h"
#include "core/reports/csm_book.h"
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
const absl::Time kBefore = Day(2023, 6, 1);
const absl::Time kMid = Day(2024, 6, 1);

void ChangeOwner(model::AccountState& a, absl::Time t, const std::string& to) {
  model::ProfileChange c;
  c.time = t;
  c.field = model::ProfileField::kOwner;
  c.text = to;
  a.timeline.profile_changes.push_back(c);
}

void Stage(model::AccountState& a, model::LifecycleStage s) {
  a.profile.set_lifecycle_stage(s);
}

// a: named, ann, expands 50K → 60K, promoter, cohort 2023-Q2, adoption.
// b: named, ann at the start (bob from March), churns 50K, detractor,
//    2023-Q3, renewal.
// c: pooled, bob at the start (cy from September), contracts 10K → 8K,
//    passive, 2023-Q2, adoption.
// d: new logo 100K in June (dedicated), no owner, 2024-Q2, onboarding.
// e: digital, bob, flat 3K, 2023-Q1, advocacy.
struct Fixture {
  Portfolio p;
  Fixture() {
    auto& a = p.Add(AccountBuilder("a")
                        .Csm("ann")
                        .ContractStart(Day(2023, 5, 1))
                        .Arr(kBefore, 50000)
                        .Expansion(kMid, 10000)
                        .Nps(kMid, 10)
                        .Touch(Day(2024, 12, 20))
                        .Renewal(Day(2025, 3, 1)));
    Stage(a, account::v1::LIFECYCLE_STAGE_ADOPTION);
    auto& b = p.Add(AccountBuilder("b")
                        .Csm("ann")
                        .ContractStart(Day(2023, 8, 15))
                        .Arr(kBefore, 50000)
                        .Churn(kMid)
                        .Nps(Day(2024, 4, 1), 3));
    ChangeOwner(b, Day(2024, 3, 1), "bob");
    Stage(b, account::v1::LIFECYCLE_STAGE_RENEWAL);
    auto& c = p.Add(AccountBuilder("c")
                        .Csm("bob")
                        .ContractStart(Day(2023, 5, 20))
                        .Arr(kBefore, 10000)
                        .Contraction(kMid, -2000)
                        .Nps(kMid, 8)
                        .Renewal(Day(2025, 6, 1)));
    ChangeOwner(c, Day(2024, 9, 1), "cy");
    Stage(c, account::v1::LIFECYCLE_STAGE_ADOPTION);
    auto& d = p.Add(AccountBuilder("d")
                        .ContractStart(Day(2024, 6, 1))
                        .NewLogo(Day(2024, 6, 1), 100000));
    Stage(d, account::v1::LIFECYCLE_STAGE_ONBOARDING);
    auto& e = p.Add(AccountBuilder("e")
                        .Csm("bob")
                        .ContractStart(Day(2023, 1, 1))
                        .Arr(Day(2023, 1, 1), 3000)
                        .Touch(Day(2024, 12, 30))
                        .Renewal(Day(2025, 2, 15)));
    Stage(e, account::v1::LIFECYCLE_STAGE_ADVOCACY);
  }
  report::v1::Breakdown By(report::v1::BreakdownDimension d) const {
    return ComputeBreakdown(p.view, health::DefaultHealthConfig(), d, kStart,
                            kEnd);
  }
};

std::vector<std::string> Keys(const report::v1::Breakdown& b) {
  std::vector<std::string> keys;
  for (const auto& g : b.groups()) keys.push_back(g.key());
  return keys;
}

TEST(BreakdownTest, BySegmentHandWorked) {
  Fixture f;
  const auto b = f.By(report::v1::BREAKDOWN_DIMENSION_SEGMENT);
  ASSERT_EQ(Keys(b), (std::vector<std::string>{"digital", "pooled", "named",
                                               "dedicated"}));
  const auto& named = b.groups(2);
  EXPECT_DOUBLE_EQ(named.retention().arr_start(), 100000);
  EXPECT_DOUBLE_EQ(named.retention().arr_end(), 60000);
  EXPECT_DOUBLE_EQ(named.retention().expansion_arr(), 10000);
  EXPECT_DOUBLE_EQ(named.retention().churned_arr(), 50000);
  EXPECT_DOUBLE_EQ(named.retention().nrr(), 0.6);
  EXPECT_DOUBLE_EQ(named.retention().grr(), 0.5);
  EXPECT_DOUBLE_EQ(named.retention().logo_churn(), 0.5);
  EXPECT_EQ(named.surveys().nps_responses(), 2);
  EXPECT_DOUBLE_EQ(named.surveys().nps(), 0);  // one promoter, one detractor
  const auto& pooled = b.groups(1);
  EXPECT_DOUBLE_EQ(pooled.retention().nrr(), 0.8);
  EXPECT_DOUBLE_EQ(pooled.retention().grr(), 0.8);
  EXPECT_DOUBLE_EQ(pooled.retention().contraction_arr(), 2000);
  // The new logo is read where it landed: 100K is dedicated.
  const auto& dedicated = b.groups(3);
  EXPECT_DOUBLE_EQ(dedicated.retention().new_logo_arr(), 100000);
  EXPECT_FALSE(dedicated.retention().ratios_defined());
  EXPECT_DOUBLE_EQ(b.groups(0).retention().nrr(), 1.0);
}

TEST(BreakdownTest, ByCsmUsesTheOwnerAtThePeriodStart) {
  Fixture f;
  const auto b = f.By(report::v1::BREAKDOWN_DIMENSION_CSM);
  // b moved to bob in March and c to cy in September: both stay with the
  // owner who held them on 1 January; d has no owner.
  ASSERT_EQ(Keys(b), (std::vector<std::string>{"", "ann", "bob"}));
  const auto& ann = b.groups(1);
  EXPECT_EQ(ann.retention().accounts_start(), 2);
  EXPECT_EQ(ann.retention().accounts_churned(), 1);
  EXPECT_DOUBLE_EQ(ann.retention().churned_arr(), 50000);
  EXPECT_DOUBLE_EQ(ann.retention().nrr(), 0.6);
  const auto& bob = b.groups(2);
  EXPECT_DOUBLE_EQ(bob.retention().arr_start(), 13000);
  EXPECT_DOUBLE_EQ(bob.retention().arr_end(), 11000);
  EXPECT_DOUBLE_EQ(bob.retention().nrr(), 11000.0 / 13000);
  EXPECT_DOUBLE_EQ(bob.retention().grr(), 11000.0 / 13000);
  EXPECT_EQ(bob.retention().accounts_churned(), 0);
  EXPECT_EQ(bob.surveys().passives(), 1);
  EXPECT_DOUBLE_EQ(b.groups(0).retention().new_logo_arr(), 100000);
}

TEST(BreakdownTest, ByStageAndCohort) {
  Fixture f;
  const auto stage = f.By(report::v1::BREAKDOWN_DIMENSION_STAGE);
  ASSERT_EQ(Keys(stage), (std::vector<std::string>{"onboarding", "adoption",
                                                   "advocacy", "renewal"}));
  const auto& adoption = stage.groups(1);  // a and c
  EXPECT_DOUBLE_EQ(adoption.retention().arr_start(), 60000);
  EXPECT_DOUBLE_EQ(adoption.retention().arr_end(), 68000);
  EXPECT_DOUBLE_EQ(adoption.retention().nrr(), 68000.0 / 60000);
  EXPECT_DOUBLE_EQ(adoption.retention().grr(), 58000.0 / 60000);
  EXPECT_DOUBLE_EQ(adoption.surveys().nps(), 50);  // promoter + passive
  EXPECT_DOUBLE_EQ(stage.groups(3).retention().logo_churn(), 1.0);

  const auto cohort = f.By(report::v1::BREAKDOWN_DIMENSION_COHORT);
  ASSERT_EQ(Keys(cohort), (std::vector<std::string>{"2023-Q1", "2023-Q2",
                                                    "2023-Q3", "2024-Q2"}));
  EXPECT_DOUBLE_EQ(cohort.groups(1).retention().arr_start(), 60000);
  EXPECT_DOUBLE_EQ(cohort.groups(1).retention().expansion_arr(), 10000);
  EXPECT_DOUBLE_EQ(cohort.groups(2).retention().churned_arr(), 50000);
}

TEST(BreakdownTest, GroupsReconcileWithThePortfolio) {
  Fixture f;
  const report::v1::Retention all = ComputeRetention(f.p.view, kStart, kEnd);
  EXPECT_DOUBLE_EQ(all.arr_start(), 113000);
  for (auto d : {report::v1::BREAKDOWN_DIMENSION_SEGMENT,
                 report::v1::BREAKDOWN_DIMENSION_CSM,
                 report::v1::BREAKDOWN_DIMENSION_STAGE,
                 report::v1::BREAKDOWN_DIMENSION_COHORT}) {
    SCOPED_TRACE(report::v1::BreakdownDimension_Name(d));
    const auto b = f.By(d);
    double start = 0, end = 0, newl = 0, exp = 0, con = 0, churn = 0;
    int n_start = 0, n_churned = 0, nps = 0;
    for (const auto& g : b.groups()) {
      start += g.retention().arr_start();
      end += g.retention().arr_end();
      newl += g.retention().new_logo_arr();
      exp += g.retention().expansion_arr();
      con += g.retention().contraction_arr();
      churn += g.retention().churned_arr();
      n_start += g.retention().accounts_start();
      n_churned += g.retention().accounts_churned();
      nps += g.surveys().nps_responses();
    }
    EXPECT_DOUBLE_EQ(start, all.arr_start());
    EXPECT_DOUBLE_EQ(end, all.arr_end());
    EXPECT_DOUBLE_EQ(newl, all.new_logo_arr());
    EXPECT_DOUBLE_EQ(exp, all.expansion_arr());
    EXPECT_DOUBLE_EQ(con, all.contraction_arr());
    EXPECT_DOUBLE_EQ(churn, all.churned_arr());
    EXPECT_EQ(n_start, all.accounts_start());
    EXPECT_EQ(n_churned, all.accounts_churned());
    EXPECT_EQ(nps, 3);
    EXPECT_EQ(b.total_retention().SerializeAsString(), all.SerializeAsString());
  }
}

TEST(CsmBookTest, OwnersAtAsOfWithNoOwnerLast) {
  Fixture f;
  const health::HealthConfig config = health::DefaultHealthConfig();
  const report::v1::CsmBook book = ComputeCsmBook(f.p.view, config, kEnd);
  EXPECT_EQ(book.renewal_window_days(), 90);
  ASSERT_EQ(book.csms_size(), 4);
  // By ARR: ann 60K (a), cy 8K (c, handed over in September), bob 3K (e);
  // b churned and is in nobody's book; d (no owner) last.
  const auto& ann = book.csms(0);
  EXPECT_EQ(ann.csm_owner(), "ann");
  EXPECT_EQ(ann.accounts(), 1);
  EXPECT_DOUBLE_EQ(ann.arr(), 60000);
  EXPECT_EQ(ann.cadence_breaches(), 0);  // touched 12 days ago, cadence 30
  EXPECT_EQ(ann.renewals_due(), 1);      // 1 March is 59 days out
  EXPECT_DOUBLE_EQ(ann.renewals_due_arr(), 60000);
  EXPECT_EQ(ann.target_accounts_per_csm(), 40);  // named
  const auto& cy = book.csms(1);
  EXPECT_EQ(cy.csm_owner(), "cy");
  EXPECT_DOUBLE_EQ(cy.arr(), 8000);
  EXPECT_EQ(cy.cadence_breaches(), 1);           // never touched since May 2023
  EXPECT_EQ(cy.renewals_due(), 0);               // June is past 90 days
  EXPECT_EQ(cy.target_accounts_per_csm(), 150);  // pooled
  const auto& bob = book.csms(2);
  EXPECT_EQ(bob.csm_owner(), "bob");
  EXPECT_DOUBLE_EQ(bob.arr(), 3000);
  EXPECT_EQ(bob.cadence_breaches(), 0);  // digital has no cadence
  EXPECT_EQ(bob.renewals_due(), 1);
  EXPECT_DOUBLE_EQ(bob.renewals_due_arr(), 3000);
  EXPECT_EQ(bob.target_accounts_per_csm(), 500);
  const auto& none = book.csms(3);
  EXPECT_EQ(none.csm_owner(), "");
  EXPECT_DOUBLE_EQ(none.arr(), 100000);
  EXPECT_EQ(none.cadence_breaches(), 1);  // 214 days, cadence 14
  EXPECT_EQ(none.target_accounts_per_csm(), 12);
  // Red is the health model's band at as_of, counted per owner.
  int red = 0, book_red = 0;
  for (const auto* a : f.p.view) {
    const auto h = health::ComputeHealthScore(config, *a, kEnd);
    if (h.band == account::v1::HEALTH_BAND_RED && h.arr > 0) ++red;
  }
  for (const auto& e : book.csms()) book_red += e.red_accounts();
  EXPECT_EQ(book_red, red);
}

TEST(CsmBookTest, WindowFallsBackToTheWidestConfigured) {
  EXPECT_EQ(BookRenewalWindowDays({30, 60, 90, 120}), 90);
  EXPECT_EQ(BookRenewalWindowDays({30, 60}), 60);
  EXPECT_EQ(BookRenewalWindowDays({}), 90);
}

}  // namespace
}  // namespace retain::reports
