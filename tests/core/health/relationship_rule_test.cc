#include "core/health/component_rules.h"
#include "core/health/health_config.h"
#include "gtest/gtest.h"
#include "tests/core/health/account_builder.h"

namespace retain::health {
namespace {

using ::retain::testing::AccountBuilder;
using ::retain::testing::AsOf;
using ::retain::testing::DaysBefore;

struct ContactCase {
  bool sponsor;
  double days_since_contact;
  double score;
};

class RelationshipContactTest : public ::testing::TestWithParam<ContactCase> {};

TEST_P(RelationshipContactTest, ScoresByRecencyAndSponsor) {
  const ContactCase& c = GetParam();
  AccountBuilder b("a");
  b.ContractStart(DaysBefore(400)).Touch(DaysBefore(c.days_since_contact));
  if (c.sponsor) b.Sponsor(DaysBefore(300), true);
  const ComponentResult r =
      ScoreRelationship(DefaultHealthConfig(), b.Build(), AsOf());
  EXPECT_TRUE(r.has_data);
  EXPECT_DOUBLE_EQ(r.score, c.score) << r.explanation;
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, RelationshipContactTest,
    ::testing::Values(
        // Sponsor and < 14 days → 10; 14.0 days is the next tier.
        ContactCase{true, 0, 10}, ContactCase{true, 13.9, 10},
        ContactCase{true, 14.0, 6}, ContactCase{true, 14.1, 6},
        // A sponsor contacted 14-30 days ago scores 6 (documented choice).
        ContactCase{true, 20, 6}, ContactCase{true, 29.9, 6},
        ContactCase{true, 30.0, 3}, ContactCase{true, 59.9, 3},
        ContactCase{true, 60.0, 1}, ContactCase{true, 200, 1},
        // No sponsor: < 30 → 6 however recent.
        ContactCase{false, 0, 6}, ContactCase{false, 13.9, 6},
        ContactCase{false, 14.0, 6}, ContactCase{false, 29.9, 6},
        ContactCase{false, 30.0, 3}, ContactCase{false, 30.1, 3},
        ContactCase{false, 59.9, 3}, ContactCase{false, 60.0, 1},
        ContactCase{false, 60.1, 1}));

TEST(RelationshipTest, NeverContactedMeasuresFromContractStart) {
  const auto account =
      AccountBuilder("a").ContractStart(DaysBefore(45)).Build();
  const ComponentResult r =
      ScoreRelationship(DefaultHealthConfig(), account, AsOf());
  EXPECT_TRUE(r.has_data);
  EXPECT_DOUBLE_EQ(r.score, 3);
}

TEST(RelationshipTest, NeverContactedFallsBackToCreateTime) {
  const auto account = AccountBuilder("a").Created(DaysBefore(10)).Build();
  EXPECT_DOUBLE_EQ(
      ScoreRelationship(DefaultHealthConfig(), account, AsOf()).score, 6);
}

TEST(RelationshipTest, NoContactAndNoStartIsNoData) {
  const auto account = AccountBuilder("a").Build();
  EXPECT_FALSE(
      ScoreRelationship(DefaultHealthConfig(), account, AsOf()).has_data);
  const auto future = AccountBuilder("b").ContractStart(DaysBefore(-5)).Build();
  EXPECT_FALSE(
      ScoreRelationship(DefaultHealthConfig(), future, AsOf()).has_data);
}

TEST(RelationshipTest, SponsorAndTouchpointsAreReadAsOf) {
  const auto account = AccountBuilder("a")
                           .ContractStart(DaysBefore(400))
                           .Sponsor(DaysBefore(100), true)
                           .Sponsor(DaysBefore(5), false)  // sponsor left
                           .Touch(DaysBefore(40))
                           .Touch(DaysBefore(3))
                           .Touch(DaysBefore(-1))  // after as_of
                           .Build();
  // Now: contact 3 days ago, no sponsor → 6.
  EXPECT_DOUBLE_EQ(
      ScoreRelationship(DefaultHealthConfig(), account, AsOf()).score, 6);
  // 35 days ago: sponsor, last contact 5 days before → 10.
  EXPECT_DOUBLE_EQ(
      ScoreRelationship(DefaultHealthConfig(), account, DaysBefore(35)).score,
      10);
}

}  // namespace
}  // namespace retain::health
