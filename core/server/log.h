// Structured logs: one JSON object per line on stderr, so a log shipper can
// index fields without parsing prose.
#ifndef RETAIN_CORE_SERVER_LOG_H_
#define RETAIN_CORE_SERVER_LOG_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "nlohmann/json.hpp"

namespace retain::server {

using LogFields = nlohmann::json;

// level: "info", "warn", "error".
void Log(const char* level, const std::string& msg,
         const LogFields& fields = LogFields::object());

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_LOG_H_
