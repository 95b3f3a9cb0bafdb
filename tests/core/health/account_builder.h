// Builds real model::AccountState objects for tests, one signal at a time.
#ifndef RETAIN_TESTS_CORE_HEALTH_ACCOUNT_BUILDER_H_
#define RETAIN_TESTS_CORE_HEALTH_ACCOUNT_BUILDER_H_

#include <string>
#include <utility>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/health/time_util.h"
#include "core/model/account_state.h"

namespace retain::testing {

inline absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

// The "now" most tests measure from.
inline absl::Time AsOf() { return Day(2025, 6, 1); }

inline absl::Time DaysBefore(double days, absl::Time t = AsOf()) {
  return t - health::Days(days);
}
inline absl::Time DaysAfter(double days, absl::Time t = AsOf()) {
  return t + health::Days(days);
}

class AccountBuilder {
 public:
  explicit AccountBuilder(std::string id) {
    a_.tenant = "t1";
    a_.id = id;
    a_.profile.set_name("accounts/" + id);
    a_.profile.set_display_name("Account " + id);
  }

  AccountBuilder& DisplayName(const std::string& n) {
    a_.profile.set_display_name(n);
    return *this;
  }
  AccountBuilder& Seats(int n) {
    a_.profile.set_licensed_seats(n);
    return *this;
  }
  AccountBuilder& ContractStart(absl::Time t) {
    health::ToProto(t, a_.profile.mutable_contract_start_time());
    return *this;
  }
  AccountBuilder& Created(absl::Time t) {
    health::ToProto(t, a_.profile.mutable_create_time());
    return *this;
  }
  AccountBuilder& Renewal(absl::Time t) {
    health::ToProto(t, a_.profile.mutable_renewal_time());
    return *this;
  }
  AccountBuilder& Csm(const std::string& csm) {
    a_.profile.set_csm_owner(csm);
    return *this;
  }
  AccountBuilder& SegmentOverride(model::Segment s) {
    a_.profile.set_segment(s);
    a_.profile.set_segment_overridden(true);
    return *this;
  }

  // ARR as given at creation or by an account update.
  AccountBuilder& Arr(absl::Time t, double arr) {
    return Change(t, model::ArrOp::kSet, arr,
                  signal::v1::COMMERCIAL_EVENT_KIND_UNSPECIFIED);
  }
  AccountBuilder& NewLogo(absl::Time t, double arr) {
    return Change(t, model::ArrOp::kSet, arr,
                  signal::v1::COMMERCIAL_EVENT_KIND_NEW_LOGO);
  }
  AccountBuilder& Renewed(absl::Time t, double delta = 0) {
    return Change(t, model::ArrOp::kAdd, delta,
                  signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL);
  }
  AccountBuilder& Expansion(absl::Time t, double delta) {
    return Change(t, model::ArrOp::kAdd, delta,
                  signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
  }
  // `delta` is the (negative) change.
  AccountBuilder& Contraction(absl::Time t, double delta) {
    return Change(t, model::ArrOp::kAdd, delta,
                  signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION);
  }
  AccountBuilder& Churn(absl::Time t, const std::string& reason_code = "") {
    return Change(t, model::ArrOp::kSet, 0,
                  signal::v1::COMMERCIAL_EVENT_KIND_CHURN, reason_code);
  }
  // A contraction carrying a churn-reason code.
  AccountBuilder& ContractionFor(absl::Time t, double delta,
                                 const std::string& reason_code) {
    return Change(t, model::ArrOp::kAdd, delta,
                  signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION, reason_code);
  }
  AccountBuilder& WinBack(absl::Time t, double arr) {
    return Change(t, model::ArrOp::kSet, arr,
                  signal::v1::COMMERCIAL_EVENT_KIND_WIN_BACK);
  }

  AccountBuilder& Usage(absl::Time t, int active_users, int window_days = 7) {
    model::UsagePoint p;
    p.time = t;
    p.active_users = active_users;
    p.window_days = window_days;
    return Add(a_.timeline.usage, p);
  }
  AccountBuilder& Touch(absl::Time t, bool exec = false) {
    return Add(a_.timeline.touchpoints, model::TouchpointPoint{t, exec});
  }
  AccountBuilder& Sponsor(absl::Time t, bool identified) {
    return Add(a_.timeline.sponsor, model::SponsorPoint{t, identified});
  }
  AccountBuilder& Ticket(absl::Time t, const std::string& id,
                         signal::v1::TicketStatus status,
                         signal::v1::TicketSeverity severity =
                             signal::v1::TICKET_SEVERITY_UNSPECIFIED,
                         bool escalated = false) {
    model::TicketEvent e;
    e.time = t;
    e.ticket_id = id;
    e.status = status;
    e.severity = severity;
    e.escalated = escalated;
    return Add(a_.timeline.tickets, e);
  }
  AccountBuilder& Survey(absl::Time t, signal::v1::SurveyKind kind, int score) {
    model::SurveyPoint p;
    p.time = t;
    p.kind = kind;
    p.score = score;
    return Add(a_.timeline.surveys, p);
  }
  AccountBuilder& Nps(absl::Time t, int score) {
    return Survey(t, signal::v1::SURVEY_KIND_NPS, score);
  }
  AccountBuilder& Csat(absl::Time t, int score) {
    return Survey(t, signal::v1::SURVEY_KIND_CSAT, score);
  }
  AccountBuilder& Ces(absl::Time t, int score) {
    return Survey(t, signal::v1::SURVEY_KIND_CES, score);
  }
  AccountBuilder& Payment(absl::Time t, bool overdue) {
    return Add(a_.timeline.payments, model::PaymentPoint{t, overdue});
  }

  model::AccountState Build() const { return a_; }

 private:
  template <typename T>
  AccountBuilder& Add(std::vector<T>& v, T value) {
    model::InsertByTime(v, std::move(value));
    ++a_.timeline.signal_count;
    return *this;
  }
  AccountBuilder& Change(absl::Time t, model::ArrOp op, double amount,
                         signal::v1::CommercialEventKind kind,
                         const std::string& reason_code = "") {
    model::ArrChange c;
    c.time = t;
    c.op = op;
    c.amount = amount;
    c.kind = kind;
    c.reason_code = reason_code;
    return Add(a_.timeline.arr_changes, c);
  }

  model::AccountState a_;
};

}  // namespace retain::testing

#endif  // RETAIN_TESTS_CORE_HEALTH_ACCOUNT_BUILDER_H_
