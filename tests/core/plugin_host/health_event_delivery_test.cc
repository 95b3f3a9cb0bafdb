// The health-event feed (ABI 1.3) with a real plugin loaded from disk
// (plugins/fixtures/health_feed.cc) over a real engine and store: alerts
// stored in each tenant's history reach the plugin in position order, once;
// the per-tenant cursors survive a restart; an event that keeps failing is
// set aside after signal_retry_limit attempts, with the cursor past it, and
// delivery goes on; deliver_from "now" skips the history before the first
// start. Nothing wakes the feed here but its own polling (no alert hub
// observer is wired), so that path is covered too.
#include "core/plugin_host/health_event_delivery.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/proto_time.h"
#include "core/store/tenant_key.h"
#include "gtest/gtest.h"
#include "retain/plugin/v1/plugin_service.pb.h"
#include "tests/plugins/plugin_env.h"

namespace retain::testing {
namespace {

constexpr char kFeed[] = "plugins/fixtures/libhealth_feed.so";
using plugin_host::HealthEventDelivery;

std::string Config(const std::string& settings) {
  return absl::StrCat(R"({"plugins": {"health_feed": {)", settings, "}}}");
}

// An alert another plugin raised about no account.
void Raise(PluginEnv& env, const std::string& tenant, const std::string& code) {
  report::v1::HealthAlert a;
  a.set_source("other");
  a.set_code(code);
  a.set_severity("info");
  *a.mutable_alert_time() = api::ToProto(absl::Now());
  env.engine().RaiseAlert(tenant, a);
}

// The plugin's log of deliveries for `tenant`: "<position> <kind> <account>
// <source> <code>" each.
std::vector<std::string> Log(PluginEnv& env, const std::string& tenant) {
  auto v = env.engine().store().KvGet("health_feed",
                                      store::TenantKey(tenant, "log"));
  if (!v.ok() || !v->has_value()) return {};
  return absl::StrSplit(**v, '\n', absl::SkipEmpty());
}

// The codes of the delivered alerts of source "other" (the test's own; a
// new account's band change is in the history too).
std::vector<std::string> Codes(PluginEnv& env, const std::string& tenant) {
  std::vector<std::string> out;
  for (const auto& line : Log(env, tenant)) {
    std::vector<std::string> parts = absl::StrSplit(line, ' ');
    if (parts.size() == 5 && parts[3] == "other") out.push_back(parts[4]);
  }
  return out;
}

std::string Stored(PluginEnv& env, const std::string& key) {
  auto v = env.engine().store().KvGet(
      HealthEventDelivery::Namespace("health_feed"), key);
  return v.ok() && v->has_value() ? **v : "";
}

// Positions of the tenant's stored alerts of source "other", oldest first.
std::vector<int64_t> Positions(PluginEnv& env, const std::string& tenant) {
  auto alerts = env.engine().AlertsAfter(tenant, 0, 1000);
  EXPECT_TRUE(alerts.ok()) << alerts.status();
  std::vector<int64_t> out;
  if (alerts.ok()) {
    for (const auto& a : *alerts) {
      if (a.source() == "other") out.push_back(a.position());
    }
  }
  return out;
}

TEST(HealthEventDeliveryTest, EachTenantsEventsArriveInOrderOnceAcrossRestart) {
  auto env = PluginEnv::Start({.plugins = {kFeed}, .config_json = Config("")});
  ASSERT_NE(env, nullptr);
  // The engine knows both tenants.
  env->CreateAccount("acme", 1000);
  env->CreateAccount("acme", 1000, 100, "t2");
  for (const char* code : {"other.a1", "other.a2", "other.a3"}) {
    Raise(*env, "default", code);
  }
  Raise(*env, "t2", "other.b1");
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    return Codes(*env, "default").size() == 3 && Codes(*env, "t2").size() == 1;
  }));
  EXPECT_EQ(Codes(*env, "default"),
            (std::vector<std::string>{"other.a1", "other.a2", "other.a3"}));
  EXPECT_EQ(Codes(*env, "t2"), std::vector<std::string>{"other.b1"});
  const int64_t last = Positions(*env, "default").back();
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    return Stored(*env, HealthEventDelivery::CursorKey("default")) ==
           std::to_string(last);
  }));

  const std::string dir = env->data_dir();
  env->Stop();
  env.reset();
  env = PluginEnv::Start(
      {.plugins = {kFeed}, .config_json = Config(""), .data_dir = dir});
  ASSERT_NE(env, nullptr);
  Raise(*env, "default", "other.a4");
  ASSERT_TRUE(PluginEnv::Eventually(
      [&] { return Codes(*env, "default").size() >= 4; }));
  // Nothing again: exactly the history, in order.
  EXPECT_EQ(Codes(*env, "default"),
            (std::vector<std::string>{"other.a1", "other.a2", "other.a3",
                                      "other.a4"}));
  EXPECT_EQ(Codes(*env, "t2"), std::vector<std::string>{"other.b1"});
  // Each at its position in the history.
  std::vector<std::string> positions;
  for (const auto& line : Log(*env, "default")) {
    std::vector<std::string> parts = absl::StrSplit(line, ' ');
    if (parts.size() == 5 && parts[3] == "other") positions.push_back(parts[0]);
  }
  std::vector<std::string> want;
  for (int64_t p : Positions(*env, "default")) want.push_back(absl::StrCat(p));
  EXPECT_EQ(positions, want);
}

TEST(HealthEventDeliveryTest, AFailingEventIsSetAsideAndDeliveryGoesOn) {
  const std::string config = Config(
      R"("signal_retry_limit": 2, "signal_retry_backoff_ms": 1,
         "config": {"fail_code": "other.bad"})");
  auto env = PluginEnv::Start({.plugins = {kFeed}, .config_json = config});
  ASSERT_NE(env, nullptr);
  env->CreateAccount("acme", 1000);
  for (const char* code : {"other.ok1", "other.bad", "other.ok2"}) {
    Raise(*env, "default", code);
  }
  ASSERT_TRUE(PluginEnv::Eventually(
      [&] { return Codes(*env, "default").size() == 2; }));
  EXPECT_EQ(Codes(*env, "default"),
            (std::vector<std::string>{"other.ok1", "other.ok2"}));
  EXPECT_EQ(env->StateOf("health_feed"), plugin::v1::PLUGIN_STATE_READY);
  const int64_t bad = Positions(*env, "default")[1];
  plugin::v1::DeadLetter letter;
  ASSERT_TRUE(letter.ParseFromString(
      Stored(*env, HealthEventDelivery::SetAsideKey("default", bad))));
  EXPECT_EQ(letter.seq(), bad);
  EXPECT_EQ(letter.tenant(), "tenants/default");
  EXPECT_EQ(letter.attempts(), 2);
  EXPECT_EQ(letter.last_error(), "told to fail");

  // After a restart the set-aside event is not tried again.
  const std::string dir = env->data_dir();
  env->Stop();
  env.reset();
  env = PluginEnv::Start(
      {.plugins = {kFeed}, .config_json = config, .data_dir = dir});
  ASSERT_NE(env, nullptr);
  Raise(*env, "default", "other.ok3");
  ASSERT_TRUE(PluginEnv::Eventually(
      [&] { return Codes(*env, "default").size() == 3; }));
  EXPECT_EQ(Codes(*env, "default"),
            (std::vector<std::string>{"other.ok1", "other.ok2", "other.ok3"}));
  letter.Clear();
  ASSERT_TRUE(letter.ParseFromString(
      Stored(*env, HealthEventDelivery::SetAsideKey("default", bad))));
  EXPECT_EQ(letter.attempts(), 2);
}

TEST(HealthEventDeliveryTest,
     DeliverFromNowSkipsTheHistoryBeforeTheFirstStart) {
  auto env = PluginEnv::Start({});
  ASSERT_NE(env, nullptr);
  env->CreateAccount("acme", 1000);
  Raise(*env, "default", "other.old1");
  Raise(*env, "default", "other.old2");
  ASSERT_TRUE(PluginEnv::Eventually(
      [&] { return Positions(*env, "default").size() >= 2; }));
  const std::string dir = env->data_dir();
  env->Stop();
  env.reset();
  env = PluginEnv::Start({.plugins = {kFeed},
                          .config_json = Config(R"("deliver_from": "now")"),
                          .data_dir = dir});
  ASSERT_NE(env, nullptr);
  Raise(*env, "default", "other.new");
  ASSERT_TRUE(
      PluginEnv::Eventually([&] { return !Codes(*env, "default").empty(); }));
  EXPECT_EQ(Codes(*env, "default"), std::vector<std::string>{"other.new"});
}

TEST(HealthEventDeliveryTest, AlertsMapToTheKindsTheirSourceAndCodeSay) {
  report::v1::HealthAlert a;
  a.set_source("core");
  a.set_code("health.band_changed");
  a.set_account("accounts/acme");
  a.set_position(9);
  a.set_band(account::v1::HEALTH_BAND_RED);
  a.add_leading_indicators()->set_code("usage_decline");
  auto e = plugin_host::ToHealthEvent(a);
  EXPECT_EQ(e.kind(), plugin::v1::HEALTH_EVENT_KIND_BAND_CHANGED);
  EXPECT_EQ(e.account_id(), "acme");
  EXPECT_EQ(e.position(), 9);
  EXPECT_EQ(e.band(), account::v1::HEALTH_BAND_RED);
  EXPECT_EQ(e.indicator(), "");
  ASSERT_EQ(e.indicators_size(), 1);
  a.set_code("health.indicator_appeared");
  e = plugin_host::ToHealthEvent(a);
  EXPECT_EQ(e.kind(), plugin::v1::HEALTH_EVENT_KIND_INDICATOR_APPEARED);
  EXPECT_EQ(e.indicator(), "usage_decline");
  a.set_code("health.indicator_cleared");
  EXPECT_EQ(plugin_host::ToHealthEvent(a).kind(),
            plugin::v1::HEALTH_EVENT_KIND_INDICATOR_CLEARED);
  // A plugin's alert with a core-looking code is still an alert.
  a.set_source("onboarding");
  a.set_code("health.band_changed");
  EXPECT_EQ(plugin_host::ToHealthEvent(a).kind(),
            plugin::v1::HEALTH_EVENT_KIND_ALERT);
}

}  // namespace
}  // namespace retain::testing
