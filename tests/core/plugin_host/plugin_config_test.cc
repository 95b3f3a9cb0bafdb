// The plugin config file: precedence of defaults, "host" and a plugin's
// block, and every kind of mistake named by its path.
#include "core/plugin_host/plugin_config.h"

#include "gtest/gtest.h"

namespace retain::plugin_host {
namespace {

absl::Status ErrorOf(const std::string& text) {
  return PluginConfig::Parse(text, PluginSettings()).status();
}

TEST(PluginConfigTest, PluginBlockOverridesHostOverridesDefaults) {
  PluginSettings defaults;
  defaults.workers = 3;
  auto c = PluginConfig::Parse(
      R"({"host": {"call_timeout_ms": 250, "max_queue": 9},
          "plugins": {"notes": {"max_queue": 4, "deliver_from": "now",
                                "tick_seconds": 0.5, "health_weight": 0.25,
                                "config": {"greeting": "hi", "n": [1, 2]}}}})",
      defaults);
  ASSERT_TRUE(c.ok()) << c.status();
  PluginSettings notes = c->For("notes");
  EXPECT_EQ(notes.workers, 3);                             // default
  EXPECT_EQ(notes.call_timeout, absl::Milliseconds(250));  // host
  EXPECT_EQ(notes.max_queue, 4);                           // its block
  EXPECT_TRUE(notes.deliver_from_now);
  EXPECT_EQ(notes.tick_interval, absl::Milliseconds(500));
  EXPECT_DOUBLE_EQ(notes.health_weight, 0.25);
  PluginSettings other = c->For("other");
  EXPECT_EQ(other.max_queue, 9);
  EXPECT_FALSE(other.deliver_from_now);
  EXPECT_TRUE(other.config.empty());
  auto flat = FlattenConfig(notes.config);
  EXPECT_EQ(flat["greeting"], "hi");
  EXPECT_EQ(flat["n.1"], "2");
  EXPECT_EQ(c->Named(), std::vector<std::string>{"notes"});
}

TEST(PluginConfigTest, UnknownKeysAreRejectedByName) {
  EXPECT_EQ(ErrorOf(R"({"plugins": {"notes": {"worker": 2}}})").message(),
            "plugin config: plugins.notes.worker: unknown key");
  EXPECT_EQ(ErrorOf(R"({"hosts": {}})").message(),
            "plugin config: hosts: unknown key (want \"host\" and "
            "\"plugins\")");
  EXPECT_EQ(ErrorOf(R"({"host": {"config": {}}})").message(),
            "plugin config: host.config: unknown key (a plugin's own "
            "\"config\" goes in its block under \"plugins\")");
}

TEST(PluginConfigTest, WrongTypesAndRangesAreRejectedByName) {
  EXPECT_EQ(ErrorOf(R"({"host": {"workers": "2"}})").message(),
            "plugin config: host.workers: must be an integer");
  EXPECT_EQ(ErrorOf(R"({"host": {"workers": 0}})").message(),
            "plugin config: host.workers: must be 1-64, got 0");
  EXPECT_EQ(ErrorOf(R"({"plugins": {"x": {"enabled": 1}}})").message(),
            "plugin config: plugins.x.enabled: must be true or false");
  EXPECT_EQ(ErrorOf(R"({"plugins": {"x": {"deliver_from": "end"}}})").message(),
            "plugin config: plugins.x.deliver_from: must be \"start\" or "
            "\"now\"");
  EXPECT_EQ(ErrorOf(R"({"plugins": {"x": {"tick_seconds": -1}}})").message(),
            "plugin config: plugins.x.tick_seconds: must be >= 0 seconds (0 "
            "disables ticks)");
  EXPECT_EQ(ErrorOf(R"({"plugins": []})").message(),
            "plugin config: plugins: must be an object");
  EXPECT_EQ(ErrorOf(R"({"plugins": {"x": 3}})").message(),
            "plugin config: plugins.x: must be an object");
  EXPECT_EQ(ErrorOf("[1]").message(), "plugin config: not a JSON object");
  EXPECT_EQ(ErrorOf("{not json").code(), absl::StatusCode::kInvalidArgument);
}

TEST(PluginConfigTest, SignalRetryLimitAndBackoff) {
  PluginSettings defaults;
  defaults.signal_retry_backoff = absl::Milliseconds(40);
  auto c = PluginConfig::Parse(
      R"({"host": {"signal_retry_limit": 3},
          "plugins": {"notes": {"signal_retry_limit": 1,
                                "signal_retry_backoff_ms": 5}}})",
      defaults);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->For("notes").signal_retry_limit, 1);
  EXPECT_EQ(c->For("notes").signal_retry_backoff, absl::Milliseconds(5));
  EXPECT_EQ(c->For("other").signal_retry_limit, 3);
  EXPECT_EQ(c->For("other").signal_retry_backoff, absl::Milliseconds(40));
  EXPECT_EQ(PluginSettings().signal_retry_limit, 5);

  EXPECT_EQ(
      ErrorOf(R"({"plugins": {"x": {"signal_retry_limit": 0}}})").message(),
      "plugin config: plugins.x.signal_retry_limit: must be 1-1000, got 0");
  EXPECT_EQ(ErrorOf(R"({"host": {"signal_retry_limit": 2.5}})").message(),
            "plugin config: host.signal_retry_limit: must be an integer");
  EXPECT_EQ(
      ErrorOf(R"({"host": {"signal_retry_backoff_ms": 0}})").message(),
      "plugin config: host.signal_retry_backoff_ms: must be 1-60000, got 0");
}

TEST(PluginConfigTest, AnUnreadableFileIsAnError) {
  auto c = PluginConfig::Load("/nonexistent/plugins.json", PluginSettings());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(PluginConfig::Load("", PluginSettings()).ok());
}

}  // namespace
}  // namespace retain::plugin_host
