// Part of the fake host (retain_plugin_testing.h): the server's rules for a
// signal, so a signal a plugin records (Host::RecordSignals), or a test
// delivers, is refused in a test exactly when the server would refuse it,
// with the server's INVALID_ARGUMENT message naming the field and the rule.
// A port of api/signal_validation.cc and the limits of api/limits.h to the
// SDK's Signal; keep the two in step (tests/plugins/fake_host_test.cc
// checks messages against the server's).
#ifndef RETAIN_SDK_TESTING_SIGNAL_RULES_H_
#define RETAIN_SDK_TESTING_SIGNAL_RULES_H_

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>

#include "retain/sdk/status.h"
#include "retain/sdk/types.h"
#include "retain_account_name.h"

namespace retain::sdk::testing::signal_rules {

// api/limits.h
inline constexpr size_t kMaxSignalIdBytes = 128;
inline constexpr size_t kMaxCommercialReferenceBytes = 128;
inline constexpr size_t kMaxTicketIdBytes = 256;
inline constexpr size_t kMaxCustomTypeBytes = 128;
inline constexpr size_t kMaxNameBytes = 256;
inline constexpr size_t kMaxTextBytes = 4096;
inline constexpr size_t kMaxMapKeyBytes = 128;
inline constexpr size_t kMaxCustomAttributes = 64;
inline constexpr size_t kMaxFeatureUsers = 256;
inline constexpr double kMaxArr = 1e12;
inline constexpr size_t kMaxSignalBytes = 6 * 1024;
inline constexpr size_t kMaxBatchSignals = 10000;

inline Status Invalid(const std::string& path, const std::string& field,
                      const std::string& rule) {
  return InvalidArgument(path + "." + field + ": " + rule);
}

inline bool IsPrintable(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

inline Status CheckText(const std::string& path, const std::string& field,
                        const std::string& value, size_t max) {
  if (value.size() <= max) return Status();
  return InvalidArgument(path + "." + field + ": must be at most " +
                         std::to_string(max) + " bytes, got " +
                         std::to_string(value.size()));
}

inline Status CheckKeys(const std::string& path,
                        const std::map<std::string, std::string>& map) {
  for (const auto& [key, value] : map) {
    if (key.size() > kMaxMapKeyBytes) {
      return InvalidArgument(path + ": a key is at most " +
                             std::to_string(kMaxMapKeyBytes) + " bytes, got " +
                             std::to_string(key.size()));
    }
  }
  return Status();
}

// As absl::FormatTime prints it in the server's messages.
inline std::string FormatMicros(int64_t micros) {
  time_t secs = static_cast<time_t>(micros / 1000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+00:00",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buf;
}

inline Status CheckSurvey(const Signal::Survey& s, const std::string& path) {
  const int score = s.score;
  switch (s.kind) {
    case survey_kind::kNps:
      if (score < 0 || score > 10) {
        return Invalid(
            path, "survey.score",
            "an NPS answer must be 0-10, got " + std::to_string(score));
      }
      break;
    case survey_kind::kCsat:
      if (score < 1 || score > 5) {
        return Invalid(
            path, "survey.score",
            "a CSAT answer must be 1-5, got " + std::to_string(score));
      }
      break;
    case survey_kind::kCes:
      if (score < 1 || score > 7) {
        return Invalid(
            path, "survey.score",
            "a CES answer must be 1-7, got " + std::to_string(score));
      }
      break;
    default:
      return Invalid(path, "survey.kind", "must be NPS, CSAT or CES");
  }
  if (Status st = CheckText(path, "survey.comment", s.comment, kMaxTextBytes);
      !st.ok()) {
    return st;
  }
  return CheckText(path, "survey.respondent", s.respondent, kMaxNameBytes);
}

// The server prints doubles with absl::StrCat ("%g"-like, 6 digits).
inline std::string Number(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

inline Status CheckCommercial(const Signal::Commercial& c,
                              const std::string& path) {
  const double d = c.arr_delta;
  if (!std::isfinite(d)) {
    return Invalid(path, "commercial.arr_delta", "must be a finite number");
  }
  if (d < -kMaxArr || d > kMaxArr) {
    return Invalid(path, "commercial.arr_delta",
                   "must be between " + Number(-kMaxArr) + " and " +
                       Number(kMaxArr) + ", got " + Number(d));
  }
  switch (c.kind) {
    case commercial_kind::kNewLogo:
      if (d <= 0) {
        return Invalid(path, "commercial.arr_delta",
                       "a new logo must bring ARR > 0, got " + Number(d));
      }
      break;
    case commercial_kind::kWinBack:
      // Whether the account was churned then is the ingest's check, not
      // this one (it needs the account's history).
      if (d <= 0) {
        return Invalid(path, "commercial.arr_delta",
                       "a win-back must bring ARR > 0, got " + Number(d));
      }
      break;
    case commercial_kind::kExpansion:
      if (d <= 0) {
        return Invalid(path, "commercial.arr_delta",
                       "an expansion must be > 0, got " + Number(d));
      }
      break;
    case commercial_kind::kContraction:
      if (d >= 0) {
        return Invalid(path, "commercial.arr_delta",
                       "a contraction must be < 0, got " + Number(d));
      }
      break;
    case commercial_kind::kRenewal:
    case commercial_kind::kChurn:
    case commercial_kind::kPaymentOverdue:
    case commercial_kind::kPaymentReceived:
      break;
    default:
      return Invalid(path, "commercial.kind",
                     "must be one of NEW_LOGO, RENEWAL, EXPANSION, "
                     "CONTRACTION, CHURN, PAYMENT_OVERDUE, PAYMENT_RECEIVED, "
                     "WIN_BACK");
  }
  if (c.reference.size() > kMaxCommercialReferenceBytes ||
      !IsPrintable(c.reference)) {
    return Invalid(path, "commercial.reference",
                   "must be 0-" + std::to_string(kMaxCommercialReferenceBytes) +
                       " printable ASCII characters");
  }
  return CheckText(path, "commercial.reason", c.reason, kMaxTextBytes);
}

inline Status CheckPayload(const Signal& s, const std::string& path) {
  switch (s.kind) {
    case SignalKind::kUsage: {
      const auto& u = s.usage;
      if (u.active_users < 0) {
        return Invalid(path, "usage.active_users",
                       "must be >= 0, got " + std::to_string(u.active_users));
      }
      if (u.window_days < 0 || u.window_days > 90) {
        return Invalid(
            path, "usage.window_days",
            "must be 1-90 (0 means 7), got " + std::to_string(u.window_days));
      }
      if (u.feature_users.size() > kMaxFeatureUsers) {
        return InvalidArgument(path + ".usage.feature_users: at most " +
                               std::to_string(kMaxFeatureUsers) +
                               " features, got " +
                               std::to_string(u.feature_users.size()));
      }
      for (const auto& [feature, users] : u.feature_users) {
        if (feature.size() > kMaxMapKeyBytes) {
          return InvalidArgument(
              path + ".usage.feature_users: a key is at most " +
              std::to_string(kMaxMapKeyBytes) + " bytes, got " +
              std::to_string(feature.size()));
        }
        if (users < 0) {
          return Invalid(path, "usage.feature_users[" + feature + "]",
                         "must be >= 0");
        }
      }
      return Status();
    }
    case SignalKind::kTicket: {
      const auto& t = s.ticket;
      if (t.ticket_id.empty()) {
        return Invalid(path, "ticket.ticket_id", "is required");
      }
      if (Status st = CheckText(path, "ticket.ticket_id", t.ticket_id,
                                kMaxTicketIdBytes);
          !st.ok()) {
        return st;
      }
      if (t.status < ticket_status::kOpened ||
          t.status > ticket_status::kClosed) {
        return Invalid(path, "ticket.status",
                       "must be OPENED, UPDATED or CLOSED");
      }
      if (t.severity < ticket_severity::kUnspecified ||
          t.severity > ticket_severity::kCritical) {
        return Invalid(path, "ticket.severity", "unknown severity");
      }
      if (t.status == ticket_status::kOpened &&
          t.severity == ticket_severity::kUnspecified) {
        return Invalid(path, "ticket.severity",
                       "is required when a ticket is opened");
      }
      return CheckText(path, "ticket.subject", t.subject, kMaxTextBytes);
    }
    case SignalKind::kSurvey:
      return CheckSurvey(s.survey, path);
    case SignalKind::kTouchpoint: {
      const auto& t = s.touchpoint;
      if (t.channel < touchpoint_channel::kUnspecified ||
          t.channel > touchpoint_channel::kQbr) {
        return Invalid(path, "touchpoint.channel", "unknown channel");
      }
      if (Status st = CheckText(path, "touchpoint.with_contact", t.with_contact,
                                kMaxNameBytes);
          !st.ok()) {
        return st;
      }
      if (Status st = CheckText(path, "touchpoint.csm", t.csm, kMaxNameBytes);
          !st.ok()) {
        return st;
      }
      return CheckText(path, "touchpoint.notes", t.notes, kMaxTextBytes);
    }
    case SignalKind::kCommercial:
      return CheckCommercial(s.commercial, path);
    case SignalKind::kLifecycle:
      if (s.lifecycle.stage < lifecycle_stage::kOnboarding ||
          s.lifecycle.stage > lifecycle_stage::kChurned) {
        return Invalid(path, "lifecycle.stage", "must be a lifecycle stage");
      }
      return CheckText(path, "lifecycle.reason", s.lifecycle.reason,
                       kMaxTextBytes);
    case SignalKind::kCustom: {
      const auto& c = s.custom;
      if (c.type.empty()) return Invalid(path, "custom.type", "is required");
      if (c.type.size() > kMaxCustomTypeBytes || !IsPrintable(c.type)) {
        return Invalid(path, "custom.type",
                       "must be 1-" + std::to_string(kMaxCustomTypeBytes) +
                           " printable ASCII characters");
      }
      if (c.type.compare(0, 7, "retain.") == 0) {
        return Invalid(path, "custom.type",
                       "types starting with \"retain.\" are reserved for the "
                       "server");
      }
      const std::string at = path + ".custom.attributes";
      if (c.attributes.size() > kMaxCustomAttributes) {
        return InvalidArgument(
            at + ": at most " + std::to_string(kMaxCustomAttributes) +
            " attributes, got " + std::to_string(c.attributes.size()));
      }
      if (Status st = CheckKeys(at, c.attributes); !st.ok()) return st;
      for (const auto& [key, value] : c.attributes) {
        if (value.size() > kMaxTextBytes) {
          return InvalidArgument(at + "[\"" + key + "\"]: at most " +
                                 std::to_string(kMaxTextBytes) +
                                 " bytes, got " + std::to_string(value.size()));
        }
      }
      return Status();
    }
    case SignalKind::kUnspecified:
      break;
  }
  return InvalidArgument(path +
                         ": a payload is required (usage, ticket, survey, "
                         "touchpoint, commercial, lifecycle or custom)");
}

// The rules of one signal, as the server applies them at ingestion.
// `path` names it in messages ("signals[0]"); `now_micros` is the server
// clock; `encoded_size` its size serialized.
inline Status Check(const Signal& s, const std::string& path,
                    int64_t now_micros, size_t encoded_size) {
  if (s.signal_id.empty()) {
    return Invalid(path, "signal_id",
                   "is required (a client-chosen id makes retries safe)");
  }
  if (s.signal_id.size() > kMaxSignalIdBytes || !IsPrintable(s.signal_id)) {
    return Invalid(path, "signal_id",
                   "must be 1-" + std::to_string(kMaxSignalIdBytes) +
                       " printable ASCII characters");
  }
  // The SDK always writes the account as "accounts/{account_id}".
  const std::string name = names::AccountName(s.account_id);
  if (!names::IsValidAccountId(s.account_id)) {
    return InvalidArgument(path +
                           ".account: must be \"accounts/{account_id}\" with "
                           "an id of 1-63 characters [a-z0-9-_.], got \"" +
                           name.substr(0, 100) + "\"");
  }
  if (s.occur_micros == 0) return Invalid(path, "occur_time", "is required");
  if (s.occur_micros < 0) {
    return Invalid(path, "occur_time", "must be a valid time after 1970");
  }
  if (s.occur_micros > now_micros + 24 * 3600 * int64_t{1000000}) {
    return Invalid(path, "occur_time",
                   "must not be more than 1 day in the future, got " +
                       FormatMicros(s.occur_micros));
  }
  if (Status st = CheckPayload(s, path); !st.ok()) return st;
  if (encoded_size > kMaxSignalBytes) {
    return InvalidArgument(
        path + ": must be at most " + std::to_string(kMaxSignalBytes) +
        " bytes serialized, got " + std::to_string(encoded_size));
  }
  return Status();
}

}  // namespace retain::sdk::testing::signal_rules

#endif  // RETAIN_SDK_TESTING_SIGNAL_RULES_H_
