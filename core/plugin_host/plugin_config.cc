#include "core/plugin_host/plugin_config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace retain::plugin_host {
namespace {

using Json = nlohmann::json;

absl::Status Bad(const std::string& path, const std::string& rule) {
  return absl::InvalidArgumentError(
      absl::StrCat("plugin config: ", path, ": ", rule));
}

absl::StatusOr<int64_t> Int(const Json& v, const std::string& path, int64_t min,
                            int64_t max) {
  if (!v.is_number_integer()) return Bad(path, "must be an integer");
  int64_t n = v.get<int64_t>();
  if (n < min || n > max) {
    return Bad(path, absl::StrCat("must be ", min, "-", max, ", got ", n));
  }
  return n;
}

absl::StatusOr<double> Number(const Json& v, const std::string& path,
                              double min, double max) {
  if (!v.is_number()) return Bad(path, "must be a number");
  double d = v.get<double>();
  if (!(d >= min && d <= max)) {
    return Bad(path, absl::StrCat("must be ", min, "-", max, ", got ", d));
  }
  return d;
}

// Applies one block ("host" or "plugins.<name>") over `s`.
absl::Status Apply(const Json& block, const std::string& path, bool own_config,
                   PluginSettings* s) {
  if (!block.is_object()) return Bad(path, "must be an object");
  for (auto it = block.begin(); it != block.end(); ++it) {
    const std::string& key = it.key();
    const Json& v = it.value();
    const std::string at = absl::StrCat(path, ".", key);
    if (key == "enabled") {
      if (!v.is_boolean()) return Bad(at, "must be true or false");
      s->enabled = v.get<bool>();
    } else if (key == "call_timeout_ms" || key == "report_timeout_ms") {
      auto ms = Int(v, at, 1, 3600 * 1000);
      if (!ms.ok()) return ms.status();
      (key == "call_timeout_ms" ? s->call_timeout : s->report_timeout) =
          absl::Milliseconds(*ms);
    } else if (key == "max_consecutive_failures") {
      auto n = Int(v, at, 1, 1000000);
      if (!n.ok()) return n.status();
      s->max_consecutive_failures = static_cast<int>(*n);
    } else if (key == "workers") {
      auto n = Int(v, at, 1, 64);
      if (!n.ok()) return n.status();
      s->workers = static_cast<int>(*n);
    } else if (key == "max_queue") {
      auto n = Int(v, at, 1, 1000000);
      if (!n.ok()) return n.status();
      s->max_queue = static_cast<int>(*n);
    } else if (key == "health_weight") {
      auto w = Number(v, at, 0, 1000);
      if (!w.ok()) return w.status();
      s->health_weight = *w;
    } else if (key == "deliver_from") {
      if (!v.is_string() || (v != "start" && v != "now")) {
        return Bad(at, "must be \"start\" or \"now\"");
      }
      s->deliver_from_now = v == "now";
    } else if (key == "tick_seconds") {
      auto t = Number(v, at, 0, 86400 * 365);
      if (!t.ok()) return Bad(at, "must be >= 0 seconds (0 disables ticks)");
      s->tick_interval = absl::Seconds(*t);
    } else if (key == "signal_retry_limit") {
      auto n = Int(v, at, 1, 1000);
      if (!n.ok()) return n.status();
      s->signal_retry_limit = static_cast<int>(*n);
    } else if (key == "signal_retry_backoff_ms") {
      auto ms = Int(v, at, 1, 60 * 1000);
      if (!ms.ok()) return ms.status();
      s->signal_retry_backoff = absl::Milliseconds(*ms);
    } else if (key == "config" && own_config) {
      s->config = v;
    } else {
      return Bad(at, own_config ? "unknown key"
                                : "unknown key (a plugin's own "
                                  "\"config\" goes in its "
                                  "block under \"plugins\")");
    }
  }
  return absl::OkStatus();
}

void Flatten(const Json& j, const std::string& prefix,
             std::map<std::string, std::string>* out) {
  auto at = [&](const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
  };
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      Flatten(it.value(), at(it.key()), out);
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      Flatten(j[i], at(std::to_string(i)), out);
    }
  } else if (j.is_string()) {
    (*out)[prefix] = j.get<std::string>();
  } else if (!j.is_null()) {
    (*out)[prefix] = j.dump();
  }
}

}  // namespace

std::map<std::string, std::string> FlattenConfig(const nlohmann::json& j) {
  std::map<std::string, std::string> out;
  Flatten(j, "", &out);
  return out;
}

absl::StatusOr<PluginConfig> PluginConfig::Parse(
    const std::string& text, const PluginSettings& defaults) {
  Json root;
  try {
    root = Json::parse(text);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("plugin config: not JSON: ", e.what()));
  }
  if (!root.is_object()) {
    return absl::InvalidArgumentError("plugin config: not a JSON object");
  }
  PluginConfig out;
  out.host_ = defaults;
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (it.key() != "host" && it.key() != "plugins") {
      return Bad(it.key(), "unknown key (want \"host\" and \"plugins\")");
    }
  }
  if (root.contains("host")) {
    if (auto s = Apply(root["host"], "host", false, &out.host_); !s.ok()) {
      return s;
    }
  }
  if (root.contains("plugins")) {
    const Json& plugins = root["plugins"];
    if (!plugins.is_object()) return Bad("plugins", "must be an object");
    for (auto it = plugins.begin(); it != plugins.end(); ++it) {
      PluginSettings s = out.host_;
      if (auto st = Apply(it.value(), "plugins." + it.key(), true, &s);
          !st.ok()) {
        return st;
      }
      out.plugins_[it.key()] = std::move(s);
    }
  }
  return out;
}

absl::StatusOr<PluginConfig> PluginConfig::Load(
    const std::string& path, const PluginSettings& defaults) {
  if (path.empty()) return Parse("{}", defaults);
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read plugin config ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = Parse(text.str(), defaults);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", parsed.status().message()));
  }
  return parsed;
}

PluginSettings PluginConfig::For(const std::string& name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? host_ : it->second;
}

std::vector<std::string> PluginConfig::Named() const {
  std::vector<std::string> out;
  for (const auto& [name, s] : plugins_) out.push_back(name);
  return out;
}

}  // namespace retain::plugin_host
