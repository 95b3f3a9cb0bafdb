#include "core/model/apply_signal.h"

#include "api/proto_time.h"

namespace retain::model {

using api::FromProto;
using signal::v1::CommercialEventKind;
using signal::v1::Signal;

signal::v1::SignalKind KindOf(const Signal& s) {
  switch (s.payload_case()) {
    case Signal::kUsage:
      return signal::v1::SIGNAL_KIND_USAGE;
    case Signal::kTicket:
      return signal::v1::SIGNAL_KIND_TICKET;
    case Signal::kSurvey:
      return signal::v1::SIGNAL_KIND_SURVEY;
    case Signal::kTouchpoint:
      return signal::v1::SIGNAL_KIND_TOUCHPOINT;
    case Signal::kCommercial:
      return signal::v1::SIGNAL_KIND_COMMERCIAL;
    case Signal::kLifecycle:
      return signal::v1::SIGNAL_KIND_LIFECYCLE;
    case Signal::kCustom:
      return signal::v1::SIGNAL_KIND_CUSTOM;
    default:
      return signal::v1::SIGNAL_KIND_UNSPECIFIED;
  }
}

namespace {

void ApplyCommercial(const signal::v1::CommercialEvent& c, absl::Time t,
                     AccountState& account) {
  AccountTimeline& tl = account.timeline;
  switch (c.kind()) {
    case signal::v1::COMMERCIAL_EVENT_KIND_NEW_LOGO:
      InsertByTime(tl.arr_changes,
                   ArrChange{t, ArrOp::kSet, c.arr_delta(), c.kind()});
      break;
    case signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL:
    case signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION:
    case signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION:
      InsertByTime(tl.arr_changes,
                   ArrChange{t, ArrOp::kAdd, c.arr_delta(), c.kind()});
      break;
    case signal::v1::COMMERCIAL_EVENT_KIND_CHURN:
      InsertByTime(tl.arr_changes, ArrChange{t, ArrOp::kSet, 0, c.kind()});
      InsertByTime(tl.lifecycle,
                   LifecyclePoint{t, account::v1::LIFECYCLE_STAGE_CHURNED});
      break;
    case signal::v1::COMMERCIAL_EVENT_KIND_PAYMENT_OVERDUE:
      InsertByTime(tl.payments, PaymentPoint{t, true});
      break;
    case signal::v1::COMMERCIAL_EVENT_KIND_PAYMENT_RECEIVED:
      InsertByTime(tl.payments, PaymentPoint{t, false});
      break;
    default:
      break;
  }
  if (c.has_next_renewal_time()) {
    *account.profile.mutable_renewal_time() = c.next_renewal_time();
  }
}

}  // namespace

bool ApplySignal(const Signal& s, AccountState& account) {
  const absl::Time t = FromProto(s.occur_time());
  AccountTimeline& tl = account.timeline;
  ++tl.signal_count;
  // One business event moves the account once, whichever system reports it
  // first; in log order, so a replay at start-up decides the same.
  if (s.payload_case() == Signal::kCommercial &&
      !s.commercial().reference().empty() &&
      !tl.commercial_references.insert(s.commercial().reference()).second) {
    return false;
  }
  switch (s.payload_case()) {
    case Signal::kUsage:
      InsertByTime(tl.usage, UsagePoint{t, s.usage().active_users(),
                                        s.usage().window_days() > 0
                                            ? s.usage().window_days()
                                            : 7});
      break;
    case Signal::kTicket:
      InsertByTime(tl.tickets,
                   TicketEvent{t, s.ticket().ticket_id(), s.ticket().status(),
                               s.ticket().severity(), s.ticket().escalated()});
      break;
    case Signal::kSurvey:
      InsertByTime(tl.surveys,
                   SurveyPoint{t, s.survey().kind(), s.survey().score(),
                               !s.survey().comment().empty()});
      break;
    case Signal::kTouchpoint:
      InsertByTime(tl.touchpoints,
                   TouchpointPoint{t, s.touchpoint().exec_involved()});
      break;
    case Signal::kCommercial:
      ApplyCommercial(s.commercial(), t, account);
      break;
    case Signal::kLifecycle:
      InsertByTime(tl.lifecycle, LifecyclePoint{t, s.lifecycle().stage()});
      break;
    case Signal::kCustom:
      if (s.custom().type() == kContactsChangedType) {
        auto it = s.custom().attributes().find("exec_sponsor");
        const bool sponsor =
            it != s.custom().attributes().end() && it->second == "true";
        InsertByTime(tl.sponsor, SponsorPoint{t, sponsor});
      }
      break;
    default:
      break;
  }
  return true;
}

void SeedTimelineFromProfile(AccountState& account) {
  const account::v1::Account& p = account.profile;
  absl::Time start = p.has_contract_start_time()
                         ? FromProto(p.contract_start_time())
                         : FromProto(p.create_time());
  InsertByTime(account.timeline.arr_changes,
               ArrChange{start, ArrOp::kSet, p.initial_arr(),
                         signal::v1::COMMERCIAL_EVENT_KIND_UNSPECIFIED});
}

}  // namespace retain::model
