// The messages of the size rules, written once so every field says the
// same thing: "account.csm_owner: must be at most 256 bytes, got 300",
// "account.contacts: at most 200 contacts, got 201",
// "signals[1].custom.attributes[\"k\"]: at most 4096 bytes, got 4194304".
// A message never echoes the oversized value itself (it could be megabytes,
// more than a status message may carry); a map key is echoed only once it
// is known to be within its limit.
#ifndef RETAIN_API_LIMIT_CHECKS_H_
#define RETAIN_API_LIMIT_CHECKS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/map.h"

namespace retain::api {

// "<path>: must be at most <max> bytes, got <size>".
absl::Status CheckBytes(const std::string& path, const std::string& value,
                        size_t max);

// "<path>: at most <max> <noun>, got <count>".
absl::Status CheckCount(const std::string& path, size_t count, size_t max,
                        const char* noun);

// "<path>: a key is at most <max_key> bytes, got <size>".
absl::Status CheckMapKey(const std::string& path, const std::string& key,
                         size_t max_key);

// "<path>[\"<key>\"]: at most <max> bytes, got <size>" (the key C-escaped).
absl::Status CheckMapValue(const std::string& path, const std::string& key,
                           const std::string& value, size_t max);

// Count, then every key, then every value of a string map.
absl::Status CheckStringMap(
    const std::string& path,
    const google::protobuf::Map<std::string, std::string>& map,
    size_t max_entries, const char* noun, size_t max_key, size_t max_value);

}  // namespace retain::api

#endif  // RETAIN_API_LIMIT_CHECKS_H_
