// Every rule of api::ValidateSignal and api::ValidateSignalCount, with its
// message word for word: retainctl prints them and clients match them.
#include "api/signal_validation.h"

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/limits.h"
#include "api/proto_time.h"
#include "gtest/gtest.h"

namespace retain::api {
namespace {

using signal::v1::Signal;

const absl::Time kNow = absl::FromUnixSeconds(1764547200);  // 2025-12-01

// A valid usage signal; each case below breaks one rule of it.
Signal Valid() {
  Signal s;
  s.set_signal_id("u-1");
  s.set_account("accounts/acme");
  *s.mutable_occur_time() = ToProto(kNow - absl::Hours(1));
  s.mutable_usage()->set_active_users(10);
  s.mutable_usage()->set_window_days(7);
  return s;
}

struct Case {
  std::string rule;
  std::function<void(Signal&)> change;
  std::string message;
};

std::vector<Case> Cases() {
  const std::string p = "signals[3].";
  return {
      {"signal_id required", [](Signal& s) { s.clear_signal_id(); },
       p + "signal_id: is required (a client-chosen id makes retries safe)"},
      {"signal_id too long",
       [](Signal& s) { s.set_signal_id(std::string(129, 'x')); },
       p + "signal_id: must be 1-128 printable ASCII characters"},
      {"signal_id not printable", [](Signal& s) { s.set_signal_id("a\nb"); },
       p + "signal_id: must be 1-128 printable ASCII characters"},
      {"account required", [](Signal& s) { s.clear_account(); },
       p + "account: is required (\"accounts/{account_id}\")"},
      {"account syntax", [](Signal& s) { s.set_account("acme"); },
       p + "account: must be \"accounts/{account_id}\" with an id of 1-63 "
           "characters [a-z0-9-_.], got \"acme\""},
      {"occur_time required", [](Signal& s) { s.clear_occur_time(); },
       p + "occur_time: is required"},
      {"occur_time before 1970",
       [](Signal& s) { s.mutable_occur_time()->set_seconds(-1); },
       p + "occur_time: must be a valid time after 1970"},
      {"occur_time nanos negative",
       [](Signal& s) { s.mutable_occur_time()->set_nanos(-1); },
       p + "occur_time: must be a valid time after 1970"},
      {"occur_time nanos too large",
       [](Signal& s) { s.mutable_occur_time()->set_nanos(1000000000); },
       p + "occur_time: must be a valid time after 1970"},
      {"occur_time in the future",
       [](Signal& s) {
         *s.mutable_occur_time() = ToProto(kNow + absl::Hours(25));
       },
       p + "occur_time: must not be more than 1 day in the future, got " +
           absl::FormatTime(kNow + absl::Hours(25))},
      {"no payload", [](Signal& s) { s.clear_payload(); },
       "signals[3]: a payload is required (usage, ticket, survey, touchpoint, "
       "commercial, lifecycle or custom)"},
      // Usage.
      {"usage active_users",
       [](Signal& s) { s.mutable_usage()->set_active_users(-1); },
       p + "usage.active_users: must be >= 0, got -1"},
      {"usage window_days negative",
       [](Signal& s) { s.mutable_usage()->set_window_days(-1); },
       p + "usage.window_days: must be 1-90 (0 means 7), got -1"},
      {"usage window_days too long",
       [](Signal& s) { s.mutable_usage()->set_window_days(91); },
       p + "usage.window_days: must be 1-90 (0 means 7), got 91"},
      {"usage feature_users",
       [](Signal& s) {
         (*s.mutable_usage()->mutable_feature_users())["sso"] = -2;
       },
       p + "usage.feature_users[sso]: must be >= 0"},
      // Tickets.
      {"ticket_id required",
       [](Signal& s) {
         s.mutable_ticket()->set_status(signal::v1::TICKET_STATUS_CLOSED);
       },
       p + "ticket.ticket_id: is required"},
      {"ticket_id too long",
       [](Signal& s) {
         s.mutable_ticket()->set_ticket_id(std::string(257, 't'));
         s.mutable_ticket()->set_status(signal::v1::TICKET_STATUS_CLOSED);
       },
       p + "ticket.ticket_id: must be at most 256 bytes, got 257"},
      {"ticket status required",
       [](Signal& s) { s.mutable_ticket()->set_ticket_id("T-1"); },
       p + "ticket.status: must be OPENED, UPDATED or CLOSED"},
      {"ticket status unknown",
       [](Signal& s) {
         s.mutable_ticket()->set_ticket_id("T-1");
         s.mutable_ticket()->set_status(
             static_cast<signal::v1::TicketStatus>(9));
       },
       p + "ticket.status: must be OPENED, UPDATED or CLOSED"},
      {"ticket severity unknown",
       [](Signal& s) {
         s.mutable_ticket()->set_ticket_id("T-1");
         s.mutable_ticket()->set_status(signal::v1::TICKET_STATUS_UPDATED);
         s.mutable_ticket()->set_severity(
             static_cast<signal::v1::TicketSeverity>(9));
       },
       p + "ticket.severity: unknown severity"},
      {"ticket severity on open",
       [](Signal& s) {
         s.mutable_ticket()->set_ticket_id("T-1");
         s.mutable_ticket()->set_status(signal::v1::TICKET_STATUS_OPENED);
       },
       p + "ticket.severity: is required when a ticket is opened"},
      {"ticket subject too long",
       [](Signal& s) {
         s.mutable_ticket()->set_ticket_id("T-1");
         s.mutable_ticket()->set_status(signal::v1::TICKET_STATUS_CLOSED);
         s.mutable_ticket()->set_subject(std::string(4097, 's'));
       },
       p + "ticket.subject: must be at most 4096 bytes, got 4097"},
      // Surveys.
      {"NPS range",
       [](Signal& s) {
         s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_NPS);
         s.mutable_survey()->set_score(11);
       },
       p + "survey.score: an NPS answer must be 0-10, got 11"},
      {"NPS negative",
       [](Signal& s) {
         s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_NPS);
         s.mutable_survey()->set_score(-1);
       },
       p + "survey.score: an NPS answer must be 0-10, got -1"},
      {"CSAT range",
       [](Signal& s) {
         s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_CSAT);
         s.mutable_survey()->set_score(0);
       },
       p + "survey.score: a CSAT answer must be 1-5, got 0"},
      {"CES range",
       [](Signal& s) {
         s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_CES);
         s.mutable_survey()->set_score(8);
       },
       p + "survey.score: a CES answer must be 1-7, got 8"},
      {"survey kind", [](Signal& s) { s.mutable_survey()->set_score(5); },
       p + "survey.kind: must be NPS, CSAT or CES"},
      {"survey comment too long",
       [](Signal& s) {
         s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_NPS);
         s.mutable_survey()->set_comment(std::string(4097, 'c'));
       },
       p + "survey.comment: must be at most 4096 bytes, got 4097"},
      {"survey respondent too long",
       [](Signal& s) {
         s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_NPS);
         s.mutable_survey()->set_respondent(std::string(257, 'r'));
       },
       p + "survey.respondent: must be at most 256 bytes, got 257"},
      // Touchpoints.
      {"touchpoint channel",
       [](Signal& s) {
         s.mutable_touchpoint()->set_channel(
             static_cast<signal::v1::TouchpointChannel>(99));
       },
       p + "touchpoint.channel: unknown channel"},
      {"touchpoint notes too long",
       [](Signal& s) {
         s.mutable_touchpoint()->set_channel(
             signal::v1::TOUCHPOINT_CHANNEL_CALL);
         s.mutable_touchpoint()->set_notes(std::string(4097, 'n'));
       },
       p + "touchpoint.notes: must be at most 4096 bytes, got 4097"},
      // Commercial events.
      {"arr_delta finite",
       [](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL);
         s.mutable_commercial()->set_arr_delta(std::nan(""));
       },
       p + "commercial.arr_delta: must be a finite number"},
      {"new logo brings ARR",
       [](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_NEW_LOGO);
       },
       p + "commercial.arr_delta: a new logo must bring ARR > 0, got 0"},
      {"expansion positive",
       [](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
         s.mutable_commercial()->set_arr_delta(-5);
       },
       p + "commercial.arr_delta: an expansion must be > 0, got -5"},
      {"contraction negative",
       [](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION);
         s.mutable_commercial()->set_arr_delta(2.5);
       },
       p + "commercial.arr_delta: a contraction must be < 0, got 2.5"},
      {"commercial kind",
       [](Signal& s) { s.mutable_commercial()->set_arr_delta(1); },
       p + "commercial.kind: must be one of NEW_LOGO, RENEWAL, EXPANSION, "
           "CONTRACTION, CHURN, PAYMENT_OVERDUE, PAYMENT_RECEIVED, WIN_BACK"},
      {"win-back positive",
       [](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_WIN_BACK);
       },
       p + "commercial.arr_delta: a win-back must bring ARR > 0, got 0"},
      {"reason code only where ARR is lost",
       [](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL);
         s.mutable_commercial()->set_arr_delta(10);
         s.mutable_commercial()->set_reason_code("price");
       },
       p + "commercial.reason_code: only a CHURN, CONTRACTION or down-sell "
           "RENEWAL carries a reason code"},
      {"reason code too long",
       [](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_CHURN);
         s.mutable_commercial()->set_reason_code(std::string(65, 'c'));
       },
       p + "commercial.reason_code: must be 0-64 printable ASCII characters"},
      {"commercial reason too long",
       [](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_CHURN);
         s.mutable_commercial()->set_reason(std::string(4097, 'r'));
       },
       p + "commercial.reason: must be at most 4096 bytes, got 4097"},
      {"commercial reference too long",
       [](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
         s.mutable_commercial()->set_arr_delta(10);
         s.mutable_commercial()->set_reference(std::string(129, 'r'));
       },
       p + "commercial.reference: must be 0-128 printable ASCII characters"},
      {"commercial reference not printable",
       [](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
         s.mutable_commercial()->set_arr_delta(10);
         s.mutable_commercial()->set_reference("inv\t7");
       },
       p + "commercial.reference: must be 0-128 printable ASCII characters"},
      // Lifecycle changes.
      {"lifecycle stage required",
       [](Signal& s) { s.mutable_lifecycle()->set_reason("why"); },
       p + "lifecycle.stage: must be a lifecycle stage"},
      {"lifecycle stage unknown",
       [](Signal& s) {
         s.mutable_lifecycle()->set_stage(
             static_cast<account::v1::LifecycleStage>(99));
       },
       p + "lifecycle.stage: must be a lifecycle stage"},
      // Custom signals.
      {"custom type required",
       [](Signal& s) { s.mutable_custom()->clear_type(); },
       p + "custom.type: is required"},
      {"custom type too long",
       [](Signal& s) { s.mutable_custom()->set_type(std::string(129, 'c')); },
       p + "custom.type: must be 1-128 printable ASCII characters"},
      {"custom type not printable",
       [](Signal& s) { s.mutable_custom()->set_type("a\tb"); },
       p + "custom.type: must be 1-128 printable ASCII characters"},
      {"custom type reserved",
       [](Signal& s) { s.mutable_custom()->set_type("retain.contacts"); },
       p + "custom.type: types starting with \"retain.\" are reserved for the "
           "server"},
      {"custom attributes",
       [](Signal& s) {
         s.mutable_custom()->set_type("beta.optin");
         for (int i = 0; i < 65; ++i) {
           (*s.mutable_custom()->mutable_attributes())[absl::StrCat("k", i)] =
               "v";
         }
       },
       p + "custom.attributes: at most 64 attributes, got 65"},
  };
}

TEST(ValidateSignalTest, EachRuleNamesTheFieldAndTheRule) {
  ASSERT_TRUE(ValidateSignal(Valid(), "signals[3]", kNow).ok());
  for (const Case& c : Cases()) {
    Signal s = Valid();
    c.change(s);
    absl::Status st = ValidateSignal(s, "signals[3]", kNow);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.rule;
    EXPECT_EQ(st.message(), c.message) << c.rule;
  }
}

// The size and range limits of api/limits.h (decision 0014): strings, map
// sizes, map keys and entries, the ARR bound and the whole signal.
std::vector<Case> LimitCases() {
  const std::string p = "signals[3].";
  auto custom = [](Signal& s) { s.mutable_custom()->set_type("crm.note"); };
  return {
      {"feature_users count",
       [](Signal& s) {
         for (int i = 0; i < 257; ++i) {
           (*s.mutable_usage()->mutable_feature_users())[absl::StrCat("f", i)] =
               1;
         }
       },
       p + "usage.feature_users: at most 256 features, got 257"},
      {"feature_users key",
       [](Signal& s) {
         (*s.mutable_usage()->mutable_feature_users())[std::string(129, 'f')] =
             1;
       },
       p + "usage.feature_users: a key is at most 128 bytes, got 129"},
      {"touchpoint with_contact",
       [](Signal& s) {
         s.mutable_touchpoint()->set_with_contact(std::string(257, 'w'));
       },
       p + "touchpoint.with_contact: must be at most 256 bytes, got 257"},
      {"touchpoint csm",
       [](Signal& s) {
         s.mutable_touchpoint()->set_csm(std::string(257, 'c'));
       },
       p + "touchpoint.csm: must be at most 256 bytes, got 257"},
      {"lifecycle reason",
       [](Signal& s) {
         s.mutable_lifecycle()->set_stage(
             account::v1::LIFECYCLE_STAGE_ADOPTION);
         s.mutable_lifecycle()->set_reason(std::string(4097, 'r'));
       },
       p + "lifecycle.reason: must be at most 4096 bytes, got 4097"},
      {"custom attribute value of 4 MiB",
       [custom](Signal& s) {
         custom(s);
         (*s.mutable_custom()->mutable_attributes())["k"] =
             std::string(4 << 20, 'v');
       },
       p + "custom.attributes[\"k\"]: at most 4096 bytes, got 4194304"},
      {"custom attribute value, key escaped",
       [custom](Signal& s) {
         custom(s);
         (*s.mutable_custom()->mutable_attributes())["a\"b"] =
             std::string(4097, 'v');
       },
       p + "custom.attributes[\"a\\\"b\"]: at most 4096 bytes, got 4097"},
      {"custom attribute key",
       [custom](Signal& s) {
         custom(s);
         (*s.mutable_custom()->mutable_attributes())[std::string(200, 'k')] =
             "v";
       },
       p + "custom.attributes: a key is at most 128 bytes, got 200"},
      {"arr_delta above the bound",
       [](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
         s.mutable_commercial()->set_arr_delta(1e308);
       },
       p + "commercial.arr_delta: must be between -1e+12 and 1e+12, got "
           "1e+308"},
      {"arr_delta below the bound",
       [](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION);
         s.mutable_commercial()->set_arr_delta(-2e12);
       },
       p + "commercial.arr_delta: must be between -1e+12 and 1e+12, got "
           "-2e+12"},
      {"a signal over 6 KiB in all",
       [custom](Signal& s) {
         custom(s);
         (*s.mutable_custom()->mutable_attributes())["a"] =
             std::string(4000, 'a');
         (*s.mutable_custom()->mutable_attributes())["b"] =
             std::string(4000, 'b');
       },
       // 8,000 bytes of values, their keys and framing, the ids, the time and
       // the type: 8,060.
       "signals[3]: must be at most 6144 bytes serialized, got 8060"},
  };
}

TEST(ValidateSignalTest, EachLimitNamesTheFieldTheLimitAndTheSize) {
  for (const Case& c : LimitCases()) {
    Signal s = Valid();
    c.change(s);
    absl::Status st = ValidateSignal(s, "signals[3]", kNow);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.rule;
    EXPECT_EQ(std::string(st.message()), c.message) << c.rule;
  }
}

TEST(ValidateSignalTest, EveryLimitIsInclusive) {
  // At each limit exactly: accepted.
  Signal s = Valid();
  s.mutable_custom()->set_type(std::string(kMaxCustomTypeBytes, 't'));
  auto& attributes = *s.mutable_custom()->mutable_attributes();
  for (size_t i = 0; i + 1 < kMaxCustomAttributes; ++i) {
    attributes[absl::StrCat(i)] = "";
  }
  attributes[std::string(kMaxMapKeyBytes, 'k')] = "";
  EXPECT_EQ(attributes.size(), kMaxCustomAttributes);
  // Fill two values (each within its own limit) so the signal is exactly
  // kMaxSignalBytes.
  attributes["0"] = std::string(kMaxTextBytes, 'v');
  const size_t room = kMaxSignalBytes - s.ByteSizeLong();
  attributes[std::string(kMaxMapKeyBytes, 'k')] = std::string(room - 1, 'v');
  ASSERT_EQ(s.ByteSizeLong(), kMaxSignalBytes);
  EXPECT_TRUE(ValidateSignal(s, "signals[0]", kNow).ok())
      << ValidateSignal(s, "signals[0]", kNow);
  attributes[std::string(kMaxMapKeyBytes, 'k')].push_back('v');
  EXPECT_EQ(std::string(ValidateSignal(s, "signals[0]", kNow).message()),
            absl::StrCat("signals[0]: must be at most 6144 bytes serialized, "
                         "got ",
                         kMaxSignalBytes + 1));

  Signal text = Valid();
  text.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_NPS);
  text.mutable_survey()->set_comment(std::string(kMaxTextBytes, 'c'));
  text.mutable_survey()->set_respondent(std::string(kMaxNameBytes, 'r'));
  text.set_signal_id(std::string(kMaxSignalIdBytes, 'i'));
  text.set_account("accounts/" + std::string(kMaxAccountIdBytes, 'a'));
  EXPECT_TRUE(ValidateSignal(text, "signals[0]", kNow).ok())
      << "a signal with every survey field at its limit fits in 6 KiB";

  Signal arr = Valid();
  arr.mutable_commercial()->set_kind(
      signal::v1::COMMERCIAL_EVENT_KIND_NEW_LOGO);
  arr.mutable_commercial()->set_arr_delta(kMaxArr);
  EXPECT_TRUE(ValidateSignal(arr, "signals[0]", kNow).ok());
}

TEST(ValidateListSignalsRequestTest, PageTokenIsBounded) {
  signal::v1::ListSignalsRequest req;
  req.set_page_token(std::string(256, 't'));
  EXPECT_TRUE(ValidateListSignalsRequest(req).ok());
  req.set_page_token(std::string(257, 't'));
  EXPECT_EQ(ValidateListSignalsRequest(req).message(),
            "page_token: must be at most 256 bytes, got 257");
}

TEST(ValidateSignalTest, AcceptsEveryKindWithinTheRules) {
  std::vector<std::function<void(Signal&)>> kinds = {
      [](Signal& s) { s.mutable_usage()->set_window_days(0); },
      [](Signal& s) {
        s.mutable_ticket()->set_ticket_id("T-1");
        s.mutable_ticket()->set_status(signal::v1::TICKET_STATUS_OPENED);
        s.mutable_ticket()->set_severity(signal::v1::TICKET_SEVERITY_HIGH);
      },
      [](Signal& s) {
        s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_NPS);
        s.mutable_survey()->set_score(0);
      },
      [](Signal& s) {
        s.mutable_touchpoint()->set_channel(signal::v1::TOUCHPOINT_CHANNEL_QBR);
      },
      [](Signal& s) {
        s.mutable_commercial()->set_kind(
            signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION);
        s.mutable_commercial()->set_arr_delta(-100);
      },
      [](Signal& s) {
        s.mutable_lifecycle()->set_stage(account::v1::LIFECYCLE_STAGE_ADOPTION);
      },
      [](Signal& s) { s.mutable_custom()->set_type("beta.optin"); },
  };
  for (size_t i = 0; i < kinds.size(); ++i) {
    Signal s = Valid();
    kinds[i](s);
    absl::Status st = ValidateSignal(s, "signals[0]", kNow);
    EXPECT_TRUE(st.ok()) << i << ": " << st;
  }
}

TEST(ValidateSignalTest, OneDayAheadIsTheLimit) {
  Signal s = Valid();
  *s.mutable_occur_time() = ToProto(kNow + absl::Hours(24));
  EXPECT_TRUE(ValidateSignal(s, "signals[0]", kNow).ok());
}

TEST(ValidateSignalTest, ReservedTypesAreTheServersOwn) {
  Signal s = Valid();
  s.mutable_custom()->set_type("retain.contacts");
  EXPECT_FALSE(ValidateSignal(s, "signals[0]", kNow).ok());
  EXPECT_TRUE(ValidateSignal(s, "signals[0]", kNow,
                             /*allow_reserved_types=*/true)
                  .ok());
}

TEST(ValidateSignalCountTest, OneToTenThousand) {
  EXPECT_TRUE(ValidateSignalCount(1).ok());
  EXPECT_TRUE(ValidateSignalCount(kMaxBatchSignals).ok());
  absl::Status none = ValidateSignalCount(0);
  EXPECT_EQ(none.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(none.message(), "signals: at least one is required");
  absl::Status many = ValidateSignalCount(kMaxBatchSignals + 1);
  EXPECT_EQ(many.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(many.message(), "signals: at most 10000 per batch, got 10001");
}

}  // namespace
}  // namespace retain::api
