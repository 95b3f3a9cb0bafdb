#include "api/limit_checks.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace retain::api {

absl::Status CheckBytes(const std::string& path, const std::string& value,
                        size_t max) {
  if (value.size() <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": must be at most ", max, " bytes, got ", value.size()));
}

absl::Status CheckCount(const std::string& path, size_t count, size_t max,
                        const char* noun) {
  if (count <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": at most ", max, " ", noun, ", got ", count));
}

absl::Status CheckMapKey(const std::string& path, const std::string& key,
                         size_t max_key) {
  if (key.size() <= max_key) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": a key is at most ", max_key, " bytes, got ", key.size()));
}

absl::Status CheckMapValue(const std::string& path, const std::string& key,
                           const std::string& value, size_t max) {
  if (value.size() <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(path, "[\"", absl::CEscape(key), "\"]: at most ", max,
                   " bytes, got ", value.size()));
}

absl::Status CheckStringMap(
    const std::string& path,
    const google::protobuf::Map<std::string, std::string>& map,
    size_t max_entries, const char* noun, size_t max_key, size_t max_value) {
  if (auto s = CheckCount(path, map.size(), max_entries, noun); !s.ok()) {
    return s;
  }
  // Keys before values: a value's message names its key.
  for (const auto& [key, value] : map) {
    if (auto s = CheckMapKey(path, key, max_key); !s.ok()) return s;
  }
  for (const auto& [key, value] : map) {
    if (auto s = CheckMapValue(path, key, value, max_value); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace retain::api
