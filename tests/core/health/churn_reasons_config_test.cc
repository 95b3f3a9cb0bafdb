// The churn-reason taxonomy of the health config: defaults, a file's list,
// and every load-time rule naming churn_reasons[i]
// (docs/decisions/0033-churn-reasons-and-win-back.md).
#include <string>
#include <vector>

#include "core/health/churn_reason_check.h"
#include "core/health/health_config.h"
#include "gtest/gtest.h"

namespace retain::health {
namespace {

TEST(ChurnReasonsConfigTest, DefaultsFromTheDomainNotes) {
  const HealthConfig c = DefaultHealthConfig();
  std::vector<std::string> codes;
  for (const ChurnReason& r : c.churn_reasons) codes.push_back(r.code);
  EXPECT_EQ(codes,
            (std::vector<std::string>{"product_fit", "price", "competitor",
                                      "champion_left", "budget_cut", "acquired",
                                      "poor_onboarding", "support", "other"}));
  EXPECT_TRUE(ValidateHealthConfig(c).ok());
}

TEST(ChurnReasonsConfigTest, AFileReplacesTheList) {
  auto c = ParseHealthConfig(
      R"({"churn_reasons": [{"code": "price", "label": "Too dear"},
                            {"code": "merger"}]})");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->churn_reasons.size(), 2u);
  EXPECT_EQ(c->churn_reasons[0].label, "Too dear");
  EXPECT_EQ(c->churn_reasons[1].label, "merger");  // label defaults to code
}

TEST(ChurnReasonsConfigTest, BadListsNameTheEntry) {
  struct Case {
    std::string json, message;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"churn_reasons": {"code": "x"}})",
            "churn_reasons: must be a list"},
           {R"({"churn_reasons": []})",
            "churn_reasons: must hold 1 to 32 reasons, got 0"},
           {R"({"churn_reasons": [{"code": "a"}, {"label": "b"}]})",
            "churn_reasons[1].code: is required"},
           {R"({"churn_reasons": [{"code": "Price"}]})",
            "churn_reasons[0].code: must be 1-64 of a-z, 0-9 and _, got "
            "\"Price\""},
           {R"({"churn_reasons": [{"code": "unspecified"}]})",
            "churn_reasons[0].code: \"unspecified\" is reserved"},
           {R"({"churn_reasons": [{"code": "a"}, {"code": "a"}]})",
            "churn_reasons[1].code: duplicates churn_reasons[0]: \"a\""},
           {R"({"churn_reasons": [{"code": "a", "colour": "red"}]})",
            "churn_reasons[0].colour: unknown key"},
       }) {
    auto parsed = ParseHealthConfig(c.json);
    ASSERT_FALSE(parsed.ok()) << c.json;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(parsed.status().message()).find(c.message),
              std::string::npos)
        << parsed.status().message() << " / wanted: " << c.message;
  }
}

TEST(ChurnReasonsConfigTest, UnknownCodeListsTheValidOnes) {
  HealthConfig config = DefaultHealthConfig();
  config.churn_reasons = {{"price", "Price"}, {"competitor", "Competitor"}};
  signal::v1::CommercialEvent e;
  e.set_reason_code("cost");
  EXPECT_EQ(CheckChurnReason(config, e, "signals[2]").message(),
            "signals[2].commercial.reason_code: unknown reason code \"cost\"; "
            "valid codes: price, competitor (or none, reported as "
            "unspecified)");
  e.set_reason_code("");
  EXPECT_TRUE(CheckChurnReason(config, e, "signals[2]").ok());
  EXPECT_EQ(ReportedReason(config, ""), "unspecified");
  EXPECT_EQ(ReportedReason(config, "gone_from_config"), "unspecified");
  EXPECT_EQ(ReportedReason(config, "price"), "price");
}

}  // namespace
}  // namespace retain::health
