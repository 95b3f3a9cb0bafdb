// Signals as a client records them, built with the SDK's structs, for
// plugins' unit tests on the fake host (plugins/sdk/retain_plugin_testing.h).
#ifndef RETAIN_TESTS_PLUGINS_SDK_SIGNALS_H_
#define RETAIN_TESTS_PLUGINS_SDK_SIGNALS_H_

#include <cstdint>
#include <map>
#include <string>

#include "retain_plugin.h"

namespace retain::testing::sdk_signals {

inline sdk::Signal Of(sdk::SignalKind kind, const std::string& id,
                      const std::string& account, int64_t at_micros) {
  sdk::Signal s;
  s.signal_id = id;
  s.account_id = account;
  s.occur_micros = at_micros;
  s.kind = kind;
  return s;
}

inline sdk::Signal Usage(const std::string& id, const std::string& account,
                         int64_t at, int32_t active_users) {
  sdk::Signal s = Of(sdk::SignalKind::kUsage, id, account, at);
  s.usage.active_users = active_users;
  return s;
}

inline sdk::Signal Touchpoint(const std::string& id, const std::string& account,
                              int64_t at, int32_t channel,
                              bool exec_involved = false) {
  sdk::Signal s = Of(sdk::SignalKind::kTouchpoint, id, account, at);
  s.touchpoint.channel = channel;
  s.touchpoint.exec_involved = exec_involved;
  return s;
}

inline sdk::Signal Survey(const std::string& id, const std::string& account,
                          int64_t at, int32_t kind, int32_t score,
                          const std::string& comment = "",
                          const std::string& respondent = "") {
  sdk::Signal s = Of(sdk::SignalKind::kSurvey, id, account, at);
  s.survey.kind = kind;
  s.survey.score = score;
  s.survey.comment = comment;
  s.survey.respondent = respondent;
  return s;
}

inline sdk::Signal Ticket(const std::string& id, const std::string& account,
                          int64_t at, const std::string& ticket_id,
                          int32_t status, const std::string& subject) {
  sdk::Signal s = Of(sdk::SignalKind::kTicket, id, account, at);
  s.ticket.ticket_id = ticket_id;
  s.ticket.status = status;
  s.ticket.severity = sdk::ticket_severity::kMedium;
  s.ticket.subject = subject;
  return s;
}

inline sdk::Signal Commercial(const std::string& id, const std::string& account,
                              int64_t at, int32_t kind, double arr_delta) {
  sdk::Signal s = Of(sdk::SignalKind::kCommercial, id, account, at);
  s.commercial.kind = kind;
  s.commercial.arr_delta = arr_delta;
  return s;
}

inline sdk::Signal Lifecycle(const std::string& id, const std::string& account,
                             int64_t at, int32_t stage) {
  sdk::Signal s = Of(sdk::SignalKind::kLifecycle, id, account, at);
  s.lifecycle.stage = stage;
  return s;
}

inline sdk::Signal Custom(const std::string& id, const std::string& account,
                          int64_t at, const std::string& type,
                          std::map<std::string, std::string> attributes = {}) {
  sdk::Signal s = Of(sdk::SignalKind::kCustom, id, account, at);
  s.custom.type = type;
  s.custom.attributes = std::move(attributes);
  return s;
}

}  // namespace retain::testing::sdk_signals

#endif  // RETAIN_TESTS_PLUGINS_SDK_SIGNALS_H_
