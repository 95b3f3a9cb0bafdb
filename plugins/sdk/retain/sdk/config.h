// The plugin's configuration, given to Init: its "config" block of the
// server's plugin config file, as JSON text and flattened to key/value
// strings. Read-only once made: keep a copy and read it from any thread.
#ifndef RETAIN_SDK_CONFIG_H_
#define RETAIN_SDK_CONFIG_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "retain/sdk/wire.h"

namespace retain::sdk {

class Config {
 public:
  Config() = default;
  // Decodes a retain.plugin.v1.PluginConfig.
  static Config Decode(std::string_view bytes) {
    Config c;
    wire::Reader r(bytes);
    while (r.Next()) {
      if (r.field() == 1) c.json_ = r.AsString();
      if (r.field() == 2) {
        std::string k, v;
        r.AsMapEntry(&k, &v);
        c.values_[k] = v;
      }
    }
    return c;
  }
  // The config object as JSON text.
  const std::string& json() const { return json_; }
  // Flattened values: "a.b" for nested keys, "a.0" for array items.
  const std::map<std::string, std::string>& values() const { return values_; }
  bool Has(const std::string& key) const { return values_.count(key) > 0; }
  std::string GetString(const std::string& key, std::string def = "") const {
    auto it = values_.find(key);
    return it == values_.end() ? def : it->second;
  }
  double GetDouble(const std::string& key, double def) const {
    auto it = values_.find(key);
    if (it == values_.end()) return def;
    try {
      return std::stod(it->second);
    } catch (...) {
      return def;
    }
  }
  int64_t GetInt(const std::string& key, int64_t def) const {
    auto it = values_.find(key);
    if (it == values_.end()) return def;
    try {
      return std::stoll(it->second);
    } catch (...) {
      return def;
    }
  }
  bool GetBool(const std::string& key, bool def) const {
    auto it = values_.find(key);
    if (it == values_.end()) return def;
    return it->second == "true" || it->second == "1";
  }
  // Keys directly under `prefix` ("plans" -> {"named", "pooled"}).
  std::set<std::string> Children(const std::string& prefix) const {
    std::set<std::string> out;
    std::string p = prefix.empty() ? "" : prefix + ".";
    for (auto it = values_.lower_bound(p);
         it != values_.end() && it->first.compare(0, p.size(), p) == 0; ++it) {
      std::string rest = it->first.substr(p.size());
      out.insert(rest.substr(0, rest.find('.')));
    }
    return out;
  }

 private:
  std::string json_ = "{}";
  std::map<std::string, std::string> values_;
};

}  // namespace retain::sdk

#endif  // RETAIN_SDK_CONFIG_H_
