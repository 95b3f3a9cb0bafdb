#include "api/signal_validation.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/limit_checks.h"
#include "api/limits.h"
#include "api/names.h"
#include "api/proto_time.h"

namespace retain::api {
namespace {

using signal::v1::Signal;

absl::Status Invalid(const std::string& path, const std::string& field,
                     const std::string& rule) {
  return absl::InvalidArgumentError(absl::StrCat(path, ".", field, ": ", rule));
}

bool IsPrintable(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

absl::Status CheckText(const std::string& path, const std::string& field,
                       const std::string& value, size_t max) {
  return CheckBytes(absl::StrCat(path, ".", field), value, max);
}

absl::Status ValidateSurvey(const signal::v1::SurveyAnswer& s,
                            const std::string& path) {
  const int score = s.score();
  switch (s.kind()) {
    case signal::v1::SURVEY_KIND_NPS:
      if (score < 0 || score > 10) {
        return Invalid(path, "survey.score",
                       absl::StrCat("an NPS answer must be 0-10, got ", score));
      }
      break;
    case signal::v1::SURVEY_KIND_CSAT:
      if (score < 1 || score > 5) {
        return Invalid(path, "survey.score",
                       absl::StrCat("a CSAT answer must be 1-5, got ", score));
      }
      break;
    case signal::v1::SURVEY_KIND_CES:
      if (score < 1 || score > 7) {
        return Invalid(path, "survey.score",
                       absl::StrCat("a CES answer must be 1-7, got ", score));
      }
      break;
    default:
      return Invalid(path, "survey.kind", "must be NPS, CSAT or CES");
  }
  if (auto st = CheckText(path, "survey.comment", s.comment(), kMaxTextBytes);
      !st.ok()) {
    return st;
  }
  return CheckText(path, "survey.respondent", s.respondent(), kMaxNameBytes);
}

absl::Status ValidateCommercial(const signal::v1::CommercialEvent& c,
                                const std::string& path) {
  const double d = c.arr_delta();
  if (!std::isfinite(d)) {
    return Invalid(path, "commercial.arr_delta", "must be a finite number");
  }
  if (d < -kMaxArr || d > kMaxArr) {
    return Invalid(path, "commercial.arr_delta",
                   absl::StrCat("must be between ", -kMaxArr, " and ", kMaxArr,
                                ", got ", d));
  }
  switch (c.kind()) {
    case signal::v1::COMMERCIAL_EVENT_KIND_NEW_LOGO:
      if (d <= 0) {
        return Invalid(path, "commercial.arr_delta",
                       absl::StrCat("a new logo must bring ARR > 0, got ", d));
      }
      break;
    case signal::v1::COMMERCIAL_EVENT_KIND_WIN_BACK:
      if (d <= 0) {
        return Invalid(path, "commercial.arr_delta",
                       absl::StrCat("a win-back must bring ARR > 0, got ", d));
      }
      break;
    case signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION:
      if (d <= 0) {
        return Invalid(path, "commercial.arr_delta",
                       absl::StrCat("an expansion must be > 0, got ", d));
      }
      break;
    case signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION:
      if (d >= 0) {
        return Invalid(path, "commercial.arr_delta",
                       absl::StrCat("a contraction must be < 0, got ", d));
      }
      break;
    case signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL:
    case signal::v1::COMMERCIAL_EVENT_KIND_CHURN:
    case signal::v1::COMMERCIAL_EVENT_KIND_PAYMENT_OVERDUE:
    case signal::v1::COMMERCIAL_EVENT_KIND_PAYMENT_RECEIVED:
      break;
    default:
      return Invalid(path, "commercial.kind",
                     "must be one of NEW_LOGO, RENEWAL, EXPANSION, "
                     "CONTRACTION, CHURN, PAYMENT_OVERDUE, PAYMENT_RECEIVED, "
                     "WIN_BACK");
  }
  // Whether the code is in the taxonomy needs the server's config: the
  // engine checks it. Here only its form and the kinds it belongs to.
  if (!c.reason_code().empty()) {
    const bool lost_arr =
        c.kind() == signal::v1::COMMERCIAL_EVENT_KIND_CHURN ||
        c.kind() == signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION ||
        (c.kind() == signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL && d < 0);
    if (!lost_arr) {
      return Invalid(path, "commercial.reason_code",
                     "only a CHURN, CONTRACTION or down-sell RENEWAL carries "
                     "a reason code");
    }
    if (c.reason_code().size() > kMaxReasonCodeBytes ||
        !IsPrintable(c.reason_code())) {
      return Invalid(path, "commercial.reason_code",
                     absl::StrCat("must be 0-", kMaxReasonCodeBytes,
                                  " printable ASCII characters"));
    }
  }
  if (c.reference().size() > kMaxCommercialReferenceBytes ||
      !IsPrintable(c.reference())) {
    return Invalid(path, "commercial.reference",
                   absl::StrCat("must be 0-", kMaxCommercialReferenceBytes,
                                " printable ASCII characters"));
  }
  return CheckText(path, "commercial.reason", c.reason(), kMaxTextBytes);
}

absl::Status ValidatePayload(const Signal& s, const std::string& path,
                             bool allow_reserved_types) {
  switch (s.payload_case()) {
    case Signal::kUsage:
      if (s.usage().active_users() < 0) {
        return Invalid(
            path, "usage.active_users",
            absl::StrCat("must be >= 0, got ", s.usage().active_users()));
      }
      if (s.usage().window_days() < 0 || s.usage().window_days() > 90) {
        return Invalid(path, "usage.window_days",
                       absl::StrCat("must be 1-90 (0 means 7), got ",
                                    s.usage().window_days()));
      }
      if (auto st = CheckCount(absl::StrCat(path, ".usage.feature_users"),
                               s.usage().feature_users_size(), kMaxFeatureUsers,
                               "features");
          !st.ok()) {
        return st;
      }
      for (const auto& [feature, users] : s.usage().feature_users()) {
        if (auto st = CheckMapKey(absl::StrCat(path, ".usage.feature_users"),
                                  feature, kMaxMapKeyBytes);
            !st.ok()) {
          return st;
        }
        if (users < 0) {
          return Invalid(path,
                         absl::StrCat("usage.feature_users[", feature, "]"),
                         "must be >= 0");
        }
      }
      return absl::OkStatus();
    case Signal::kTicket:
      if (s.ticket().ticket_id().empty()) {
        return Invalid(path, "ticket.ticket_id", "is required");
      }
      if (auto st = CheckText(path, "ticket.ticket_id", s.ticket().ticket_id(),
                              kMaxTicketIdBytes);
          !st.ok()) {
        return st;
      }
      if (s.ticket().status() == signal::v1::TICKET_STATUS_UNSPECIFIED ||
          !signal::v1::TicketStatus_IsValid(s.ticket().status())) {
        return Invalid(path, "ticket.status",
                       "must be OPENED, UPDATED or CLOSED");
      }
      if (!signal::v1::TicketSeverity_IsValid(s.ticket().severity())) {
        return Invalid(path, "ticket.severity", "unknown severity");
      }
      if (s.ticket().status() == signal::v1::TICKET_STATUS_OPENED &&
          s.ticket().severity() == signal::v1::TICKET_SEVERITY_UNSPECIFIED) {
        return Invalid(path, "ticket.severity",
                       "is required when a ticket is opened");
      }
      return CheckText(path, "ticket.subject", s.ticket().subject(),
                       kMaxTextBytes);
    case Signal::kSurvey:
      return ValidateSurvey(s.survey(), path);
    case Signal::kTouchpoint:
      if (!signal::v1::TouchpointChannel_IsValid(s.touchpoint().channel())) {
        return Invalid(path, "touchpoint.channel", "unknown channel");
      }
      if (auto st = CheckText(path, "touchpoint.with_contact",
                              s.touchpoint().with_contact(), kMaxNameBytes);
          !st.ok()) {
        return st;
      }
      if (auto st = CheckText(path, "touchpoint.csm", s.touchpoint().csm(),
                              kMaxNameBytes);
          !st.ok()) {
        return st;
      }
      return CheckText(path, "touchpoint.notes", s.touchpoint().notes(),
                       kMaxTextBytes);
    case Signal::kCommercial:
      return ValidateCommercial(s.commercial(), path);
    case Signal::kLifecycle:
      if (s.lifecycle().stage() == account::v1::LIFECYCLE_STAGE_UNSPECIFIED ||
          !account::v1::LifecycleStage_IsValid(s.lifecycle().stage())) {
        return Invalid(path, "lifecycle.stage", "must be a lifecycle stage");
      }
      return CheckText(path, "lifecycle.reason", s.lifecycle().reason(),
                       kMaxTextBytes);
    case Signal::kCustom:
      if (s.custom().type().empty()) {
        return Invalid(path, "custom.type", "is required");
      }
      if (s.custom().type().size() > kMaxCustomTypeBytes ||
          !IsPrintable(s.custom().type())) {
        return Invalid(path, "custom.type",
                       absl::StrCat("must be 1-", kMaxCustomTypeBytes,
                                    " printable ASCII characters"));
      }
      if (!allow_reserved_types &&
          absl::StartsWith(s.custom().type(), "retain.")) {
        return Invalid(path, "custom.type",
                       "types starting with \"retain.\" are reserved for the "
                       "server");
      }
      return CheckStringMap(absl::StrCat(path, ".custom.attributes"),
                            s.custom().attributes(), kMaxCustomAttributes,
                            "attributes", kMaxMapKeyBytes, kMaxTextBytes);
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          path,
          ": a payload is required (usage, ticket, survey, touchpoint, "
          "commercial, lifecycle or custom)"));
  }
}

}  // namespace

absl::Status ValidateSignalCount(size_t count) {
  if (count == 0) {
    return absl::InvalidArgumentError("signals: at least one is required");
  }
  if (count > kMaxBatchSignals) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signals: at most ", kMaxBatchSignals, " per batch, got ", count));
  }
  return absl::OkStatus();
}

absl::Status ValidateSignal(const Signal& s, const std::string& path,
                            absl::Time now, bool allow_reserved_types) {
  if (s.signal_id().empty()) {
    return Invalid(path, "signal_id",
                   "is required (a client-chosen id makes retries safe)");
  }
  if (s.signal_id().size() > kMaxSignalIdBytes || !IsPrintable(s.signal_id())) {
    return Invalid(path, "signal_id",
                   absl::StrCat("must be 1-", kMaxSignalIdBytes,
                                " printable ASCII characters"));
  }
  std::string id;
  if (auto st = ParseAccountName(s.account(), path + ".account", &id);
      !st.ok()) {
    return st;
  }
  if (!s.has_occur_time()) return Invalid(path, "occur_time", "is required");
  if (s.occur_time().seconds() < 0 || s.occur_time().nanos() < 0 ||
      s.occur_time().nanos() > 999999999) {
    return Invalid(path, "occur_time", "must be a valid time after 1970");
  }
  const absl::Time t = FromProto(s.occur_time());
  if (t > now + absl::Hours(24)) {
    return Invalid(path, "occur_time",
                   absl::StrCat("must not be more than 1 day in the future, "
                                "got ",
                                absl::FormatTime(t)));
  }
  if (auto st = ValidatePayload(s, path, allow_reserved_types); !st.ok()) {
    return st;
  }
  // Last, so a field over its own limit is named first. Every field within
  // its limit can still add up to more than a signal may be (64 attributes
  // of 4 KiB); this bound is what makes a full batch's size knowable.
  const size_t bytes = s.ByteSizeLong();
  if (bytes > kMaxSignalBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": must be at most ", kMaxSignalBytes,
                     " bytes serialized, got ", bytes));
  }
  return absl::OkStatus();
}

absl::Status ValidateListSignalsRequest(
    const signal::v1::ListSignalsRequest& req) {
  return CheckBytes("page_token", req.page_token(), kMaxPageTokenBytes);
}

}  // namespace retain::api
