#include "core/health/health_config.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace retain::health {
namespace {

TEST(HealthConfigTest, DefaultsAreThePlaybook) {
  const HealthConfig c = DefaultHealthConfig();
  EXPECT_DOUBLE_EQ(c.weights.engagement, 0.4);
  EXPECT_DOUBLE_EQ(c.weights.relationship, 0.3);
  EXPECT_DOUBLE_EQ(c.weights.support, 0.2);
  EXPECT_DOUBLE_EQ(c.weights.commercial, 0.1);
  EXPECT_DOUBLE_EQ(c.bands.green_min, 7.5);
  EXPECT_DOUBLE_EQ(c.bands.yellow_min, 5.0);
  EXPECT_DOUBLE_EQ(c.engagement.high_utilisation, 0.8);
  EXPECT_DOUBLE_EQ(c.engagement.mid_utilisation, 0.5);
  EXPECT_DOUBLE_EQ(c.engagement.low_utilisation, 0.3);
  EXPECT_EQ(c.engagement.lookback_days, 30);
  EXPECT_DOUBLE_EQ(c.relationship.sponsor_contact_days, 14);
  EXPECT_DOUBLE_EQ(c.relationship.recent_contact_days, 30);
  EXPECT_DOUBLE_EQ(c.relationship.stale_contact_days, 60);
  EXPECT_DOUBLE_EQ(c.coverage.pooled_min_arr, 5000);
  EXPECT_DOUBLE_EQ(c.coverage.named_min_arr, 20000);
  EXPECT_DOUBLE_EQ(c.coverage.named_max_arr, 75000);
  EXPECT_EQ(c.coverage.digital.accounts_per_csm, 500);
  EXPECT_EQ(c.coverage.pooled.accounts_per_csm, 150);
  EXPECT_EQ(c.coverage.named.accounts_per_csm, 40);
  EXPECT_EQ(c.coverage.dedicated.accounts_per_csm, 12);
  EXPECT_EQ(c.coverage.digital.cadence_days, 0);
  EXPECT_EQ(c.coverage.pooled.cadence_days, 90);
  EXPECT_EQ(c.coverage.named.cadence_days, 30);
  EXPECT_EQ(c.coverage.dedicated.cadence_days, 14);
  EXPECT_DOUBLE_EQ(c.kpis.customer_retention.target, 0.95);
  EXPECT_DOUBLE_EQ(c.kpis.nrr.target, 1.2);
  EXPECT_DOUBLE_EQ(c.kpis.logo_churn.target, 0.05);
  EXPECT_DOUBLE_EQ(c.kpis.nps.target, 60);
  EXPECT_DOUBLE_EQ(c.kpis.csat_average.target, 4.0);
  EXPECT_TRUE(c.kpis.csat_average.inclusive);
  EXPECT_DOUBLE_EQ(c.kpis.ces_average.target, 3.0);
  EXPECT_TRUE(ValidateHealthConfig(c).ok());
}

// Serializes every field so two configs can be compared whole.
std::string Dump(const HealthConfig& c) {
  std::string s;
  auto add = [&s](double v) { s += std::to_string(v) + ","; };
  add(c.weights.engagement), add(c.weights.relationship);
  add(c.weights.support), add(c.weights.commercial);
  add(c.bands.green_min), add(c.bands.yellow_min);
  add(c.engagement.lookback_days), add(c.engagement.high_utilisation);
  add(c.engagement.mid_utilisation), add(c.engagement.low_utilisation);
  add(c.engagement.score_high), add(c.engagement.score_mid);
  add(c.engagement.score_low), add(c.engagement.score_minimal);
  add(c.relationship.sponsor_contact_days);
  add(c.relationship.recent_contact_days);
  add(c.relationship.stale_contact_days);
  add(c.relationship.score_sponsor_recent), add(c.relationship.score_recent);
  add(c.relationship.score_stale), add(c.relationship.score_lost);
  add(c.support.lookback_days), add(c.support.penalty_low);
  add(c.support.penalty_medium), add(c.support.penalty_high);
  add(c.support.penalty_critical), add(c.support.penalty_escalated);
  add(c.support.csat_good_min), add(c.support.csat_fair_min);
  add(c.support.penalty_csat_fair), add(c.support.penalty_csat_poor);
  add(c.commercial.penalty_payment_overdue);
  add(c.commercial.contraction_lookback_days);
  add(c.commercial.penalty_contraction);
  add(c.commercial.penalty_renewal_lapsed);
  add(c.commercial.renewal_proximity_days);
  add(c.commercial.penalty_renewal_proximity);
  add(c.indicators.usage_decline_ratio);
  add(c.indicators.usage_decline_lookback_days);
  add(c.indicators.engagement_drop_days);
  add(c.indicators.sponsor_change_days);
  add(c.indicators.negative_feedback_days);
  add(c.indicators.negative_nps_max), add(c.indicators.negative_csat_max);
  add(c.indicators.renewal_risk_days);
  add(c.coverage.pooled_min_arr), add(c.coverage.named_min_arr);
  add(c.coverage.named_max_arr);
  for (const auto* seg : {&c.coverage.digital, &c.coverage.pooled,
                          &c.coverage.named, &c.coverage.dedicated}) {
    add(seg->accounts_per_csm), add(seg->cadence_days);
  }
  for (const auto* k :
       {&c.kpis.customer_retention, &c.kpis.nrr, &c.kpis.logo_churn,
        &c.kpis.nps, &c.kpis.csat_average, &c.kpis.ces_average}) {
    add(k->target), add(k->inclusive);
  }
  return s;
}

TEST(HealthConfigTest, ShippedFileIsTheDefaults) {
  const auto loaded = LoadHealthConfig("config/health.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(Dump(*loaded), Dump(DefaultHealthConfig()));
}

TEST(HealthConfigTest, EmptyObjectIsTheDefaults) {
  const auto c = ParseHealthConfig("{}");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Dump(*c), Dump(DefaultHealthConfig()));
}

TEST(HealthConfigTest, PartialOverrideKeepsTheRest) {
  const auto c = ParseHealthConfig(R"({
    "_comment": "ignored",
    "weights": {"engagement": 0.5, "relationship": 0.2},
    "bands": {"green_min": 8},
    "coverage": {"named": {"cadence_days": 21}},
    "kpis": {"nps": {"target": 50}}
  })");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_DOUBLE_EQ(c->weights.engagement, 0.5);
  EXPECT_DOUBLE_EQ(c->weights.relationship, 0.2);
  EXPECT_DOUBLE_EQ(c->weights.support, 0.2);
  EXPECT_DOUBLE_EQ(c->bands.green_min, 8);
  EXPECT_DOUBLE_EQ(c->bands.yellow_min, 5);
  EXPECT_EQ(c->coverage.named.cadence_days, 21);
  EXPECT_EQ(c->coverage.named.accounts_per_csm, 40);
  EXPECT_DOUBLE_EQ(c->kpis.nps.target, 50);
  EXPECT_FALSE(c->kpis.nps.inclusive);
}

TEST(HealthConfigTest, WeightSumWithinTolerance) {
  EXPECT_TRUE(
      ParseHealthConfig(R"({"weights": {"engagement": 0.4000005}})").ok());
  EXPECT_FALSE(
      ParseHealthConfig(R"({"weights": {"engagement": 0.400002}})").ok());
}

struct ErrorCase {
  std::string name;
  std::string json;
  // Text the error must contain: the key it names.
  std::string key;
};

class HealthConfigErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(HealthConfigErrorTest, RejectsNamingTheKey) {
  const auto c = ParseHealthConfig(GetParam().json);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(c.status().message()).find(GetParam().key),
            std::string::npos)
      << c.status();
}

INSTANTIATE_TEST_SUITE_P(
    Errors, HealthConfigErrorTest,
    ::testing::Values(
        ErrorCase{"not_json", "{weights:", "JSON"},
        ErrorCase{"not_object", "[1, 2]", "object"},
        ErrorCase{"unknown_section", R"({"colour": 1})", "colour"},
        ErrorCase{"unknown_key", R"({"weights": {"engagment": 0.4}})",
                  "weights.engagment"},
        ErrorCase{"unknown_nested_key",
                  R"({"coverage": {"named": {"ratio": 3}}})",
                  "coverage.named.ratio"},
        ErrorCase{"section_not_object", R"({"weights": 1})", "weights"},
        ErrorCase{"wrong_type", R"({"weights": {"support": "0.2"}})",
                  "weights.support"},
        ErrorCase{"int_expected", R"({"engagement": {"lookback_days": 1.5}})",
                  "engagement.lookback_days"},
        ErrorCase{"bool_expected", R"({"kpis": {"nps": {"inclusive": 1}}})",
                  "kpis.nps.inclusive"},
        ErrorCase{"negative_weight",
                  R"({"weights": {"engagement": -0.1, "relationship": 0.8}})",
                  "weights.engagement"},
        ErrorCase{"weights_sum", R"({"weights": {"commercial": 0.2}})",
                  "weights"},
        ErrorCase{"bands_order", R"({"bands": {"yellow_min": 7.5}})",
                  "bands.yellow_min"},
        ErrorCase{"band_range", R"({"bands": {"green_min": 11}})",
                  "bands.green_min"},
        ErrorCase{"utilisation_order",
                  R"({"engagement": {"mid_utilisation": 0.9}})",
                  "engagement.mid_utilisation"},
        ErrorCase{"contact_days_order",
                  R"({"relationship": {"stale_contact_days": 20}})",
                  "relationship.recent_contact_days"},
        ErrorCase{"sponsor_days_order",
                  R"({"relationship": {"sponsor_contact_days": 40}})",
                  "relationship.sponsor_contact_days"},
        ErrorCase{"negative_penalty", R"({"support": {"penalty_high": -2}})",
                  "support.penalty_high"},
        ErrorCase{"csat_order", R"({"support": {"csat_fair_min": 4.5}})",
                  "support.csat_fair_min"},
        ErrorCase{"zero_lookback", R"({"support": {"lookback_days": 0}})",
                  "support.lookback_days"},
        ErrorCase{"segment_order", R"({"coverage": {"named_min_arr": 4000}})",
                  "coverage.pooled_min_arr"},
        ErrorCase{"zero_ratio",
                  R"({"coverage": {"pooled": {"accounts_per_csm": 0}}})",
                  "coverage.pooled.accounts_per_csm"},
        ErrorCase{"negative_cadence",
                  R"({"coverage": {"named": {"cadence_days": -1}}})",
                  "coverage.named.cadence_days"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return info.param.name;
    });

TEST(HealthConfigTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadHealthConfig("/nonexistent/health.json").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace retain::health
