#include "core/model/apply_signal.h"

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "api/proto_time.h"
#include "core/model/arr_moves.h"

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
    case signal::v1::COMMERCIAL_EVENT_KIND_WIN_BACK: {
      // A start on a churned account is a win-back whatever kind carried
      // it (decision 0033): the customer is live again, so the stage the
      // churn recorded moves back to the start of the lifecycle.
      const bool returning =
          c.kind() == signal::v1::COMMERCIAL_EVENT_KIND_WIN_BACK ||
          IsChurnedAt(tl, t);
      InsertByTime(tl.arr_changes,
                   ArrChange{t, ArrOp::kSet, c.arr_delta(), c.kind()});
      if (returning) {
        InsertByTime(
            tl.lifecycle,
            LifecyclePoint{t, account::v1::LIFECYCLE_STAGE_ONBOARDING});
      }
      break;
    }
    case signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL:
    case signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION:
    case signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION:
      InsertByTime(tl.arr_changes, ArrChange{t, ArrOp::kAdd, c.arr_delta(),
                                             c.kind(), c.reason_code()});
      break;
    case signal::v1::COMMERCIAL_EVENT_KIND_CHURN:
      InsertByTime(tl.arr_changes,
                   ArrChange{t, ArrOp::kSet, 0, c.kind(), c.reason_code()});
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
  ProfileChange renewal{t, ProfileField::kRenewal};
  if (c.has_next_renewal_time()) {
    renewal.number = absl::ToUnixMicros(FromProto(c.next_renewal_time()));
  } else if (c.kind() == signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL) {
    // Early or late, a renewal moves the date on by one term from the date
    // it renews, so the next one is due a term later, not a term from now.
    const std::optional<absl::Time> previous = RenewalAt(account, t);
    if (!previous) return;
    renewal.number =
        absl::ToUnixMicros(AddMonths(*previous, TermMonthsAt(account, t)));
  } else {
    return;
  }
  InsertByTime(tl.profile_changes, std::move(renewal));
}

void ApplyProfileChanged(const signal::v1::CustomSignal& custom, absl::Time t,
                         AccountState& account) {
  auto& changes = account.timeline.profile_changes;
  for (const auto& [key, value] : custom.attributes()) {
    ProfileChange c{t};
    int64_t n = 0;
    if (key == "licensed_seats" && absl::SimpleAtoi(value, &n)) {
      c.field = ProfileField::kSeats;
      c.number = n;
    } else if (key == "contract_term_months" && absl::SimpleAtoi(value, &n)) {
      c.field = ProfileField::kTerm;
      c.number = n;
    } else if (key == "renewal_time") {
      c.field = ProfileField::kRenewal;
      absl::Time when;
      std::string error;
      if (value.empty() ||
          !absl::ParseTime(absl::RFC3339_full, value, &when, &error)) {
        c.cleared = true;
      } else {
        c.number = absl::ToUnixMicros(when);
      }
    } else if (key == "csm_owner") {
      c.field = ProfileField::kOwner;
      c.text = value;
    } else if (key == "segment") {
      account::v1::Segment segment = account::v1::SEGMENT_UNSPECIFIED;
      account::v1::Segment_Parse(value, &segment);
      c.field = ProfileField::kSegment;
      c.number = segment;
    } else if (key == "archived") {
      c.field = ProfileField::kArchived;
      c.number = value == "true" ? 1 : 0;
    } else {
      continue;  // a field a later version versions: ignored
    }
    InsertByTime(changes, std::move(c));
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
      } else if (s.custom().type() == kProfileChangedType) {
        ApplyProfileChanged(s.custom(), t, account);
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
