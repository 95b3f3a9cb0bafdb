// The renewal windows of the health config: default, overridden from JSON,
// and rejected with the key and the rule named.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/health/health_config.h"

namespace retain::health {
namespace {

TEST(RenewalWindowsConfigTest, DefaultsAre30To120Days) {
  EXPECT_EQ(DefaultHealthConfig().renewals.window_days,
            (std::vector<int>{30, 60, 90, 120}));
}

TEST(RenewalWindowsConfigTest, AFileSetsItsOwnWindows) {
  auto c = ParseHealthConfig(R"({"renewals": {"window_days": [15, 45]}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->renewals.window_days, (std::vector<int>{15, 45}));
}

TEST(RenewalWindowsConfigTest, BadWindowsNameTheKeyAndTheRule) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"renewals": {"window_days": []}})", "must hold 1 to 8 windows"},
      {R"({"renewals": {"window_days": [30, 30]}})",
       "must be strictly increasing"},
      {R"({"renewals": {"window_days": [0, 30]}})", "1-3650 days, got 0"},
      {R"({"renewals": {"window_days": [30, "60"]}})",
       "must be a list of integers"},
      {R"({"renewals": {"window_days": 30}})", "must be a list of integers"},
  };
  for (const auto& [json, rule] : cases) {
    auto c = ParseHealthConfig(json);
    ASSERT_FALSE(c.ok()) << json;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message(c.status().message());
    EXPECT_NE(message.find("renewals.window_days: "), std::string::npos)
        << message;
    EXPECT_NE(message.find(rule), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace retain::health
