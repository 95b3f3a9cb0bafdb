// The plugin config file (--plugin_config), parsed and checked in one place:
//   {"host": {<defaults for every plugin>},
//    "plugins": {"<name>": {<the same keys>, "config": {<the plugin's own>}}}}
// Keys: enabled, call_timeout_ms, report_timeout_ms, max_consecutive_failures,
// workers, max_queue, health_weight, deliver_from ("start" | "now"),
// tick_seconds (0 disables ticks), signal_retry_limit (failed attempts at
// one signal before it becomes a dead letter), signal_retry_backoff_ms (the
// first wait between attempts; doubles up to 32x). An unknown key, a value of
// the wrong type or out of range is an error naming its path
// ("plugins.notes.workers"), so a typo never passes silently.
#ifndef RETAIN_CORE_PLUGIN_HOST_PLUGIN_CONFIG_H_
#define RETAIN_CORE_PLUGIN_HOST_PLUGIN_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace retain::plugin_host {

// One plugin's settings after defaults, "host" and its own block.
struct PluginSettings {
  bool enabled = true;
  absl::Duration call_timeout = absl::Seconds(5);
  // For report sections and health components, which callers wait for.
  absl::Duration report_timeout = absl::Seconds(1);
  int max_consecutive_failures = 5;
  int workers = 2;
  int max_queue = 256;
  double health_weight = -1;  // < 0: the weight the plugin declares
  bool deliver_from_now = false;
  // Between periodic ticks; zero disables them.
  absl::Duration tick_interval = absl::Seconds(60);
  // Failed attempts in a row at one signal before delivery sets it aside
  // as a dead letter and goes on (dead_letters.h).
  int signal_retry_limit = 5;
  // The wait after a signal's first failed attempt; doubles up to 32x.
  absl::Duration signal_retry_backoff = absl::Milliseconds(100);
  nlohmann::json config = nlohmann::json::object();  // the plugin's own
};

// A plugin's own config flattened for its SDK: "a.b" / "a.0" keys with
// scalar text values.
std::map<std::string, std::string> FlattenConfig(const nlohmann::json& j);

class PluginConfig {
 public:
  // Parses the file's text; `defaults` are the host's built-in settings.
  static absl::StatusOr<PluginConfig> Parse(const std::string& text,
                                            const PluginSettings& defaults);
  // Reads and parses `path`; an empty path is an empty config.
  static absl::StatusOr<PluginConfig> Load(const std::string& path,
                                           const PluginSettings& defaults);

  // The settings of the plugin called `name` (the host block's when the
  // file has no block for it).
  PluginSettings For(const std::string& name) const;
  // Names with a block in "plugins".
  std::vector<std::string> Named() const;

 private:
  PluginSettings host_;
  std::map<std::string, PluginSettings> plugins_;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_PLUGIN_CONFIG_H_
