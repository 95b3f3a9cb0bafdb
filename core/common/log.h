// Structured logs: one JSON object per line on stderr, so a log shipper can
// index fields without parsing prose. The one logger of retaind: the server,
// the engine and the plugin host (for plugins too) all write through it, one
// line per event (docs/decisions/0010-structured-logs.md).
#ifndef RETAIN_CORE_COMMON_LOG_H_
#define RETAIN_CORE_COMMON_LOG_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "nlohmann/json.hpp"

namespace retain::common {

using LogFields = nlohmann::json;

// level: "info", "warn", "error".
void Log(const char* level, const std::string& msg,
         const LogFields& fields = LogFields::object());

}  // namespace retain::common

#endif  // RETAIN_CORE_COMMON_LOG_H_
