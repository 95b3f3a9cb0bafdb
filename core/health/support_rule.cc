// Support: open tickets weighed by severity, and recent CSAT.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/health/component_rules.h"
#include "core/health/time_util.h"

namespace retain::health {

std::map<std::string, TicketState> OpenTicketsAt(
    const model::AccountTimeline& timeline, absl::Time as_of) {
  std::map<std::string, TicketState> tickets;
  const size_t end = model::EndAsOf(timeline.tickets, as_of);
  for (size_t i = 0; i < end; ++i) {
    const model::TicketEvent& e = timeline.tickets[i];
    TicketState& t = tickets[e.ticket_id];
    if (t.status == signal::v1::TICKET_STATUS_CLOSED &&
        e.status != signal::v1::TICKET_STATUS_CLOSED) {
      t.escalated = false;  // reopened: escalation starts over
    }
    t.status = e.status;
    if (e.severity != signal::v1::TICKET_SEVERITY_UNSPECIFIED) {
      t.severity = e.severity;
    }
    t.escalated = t.escalated || e.escalated;
    t.last_event_time = e.time;
  }
  for (auto it = tickets.begin(); it != tickets.end();) {
    if (it->second.status == signal::v1::TICKET_STATUS_CLOSED) {
      it = tickets.erase(it);
    } else {
      ++it;
    }
  }
  return tickets;
}

ComponentResult ScoreSupport(const HealthConfig& config,
                             const model::AccountState& account,
                             absl::Time as_of, bool explain) {
  const auto& c = config.support;
  ComponentResult r;
  r.name = "support";
  const model::AccountTimeline& tl = account.timeline;

  const std::map<std::string, TicketState> open = OpenTicketsAt(tl, as_of);
  int low = 0, medium = 0, high = 0, critical = 0, escalated = 0;
  double ticket_penalty = 0;
  for (const auto& [id, t] : open) {
    switch (t.severity) {
      case signal::v1::TICKET_SEVERITY_LOW:
        ++low;
        ticket_penalty += c.penalty_low;
        break;
      case signal::v1::TICKET_SEVERITY_HIGH:
        ++high;
        ticket_penalty += c.penalty_high;
        break;
      case signal::v1::TICKET_SEVERITY_CRITICAL:
        ++critical;
        ticket_penalty += c.penalty_critical;
        break;
      default:  // medium, or never given: assume the middle
        ++medium;
        ticket_penalty += c.penalty_medium;
        break;
    }
    if (t.escalated) {
      ++escalated;
      ticket_penalty += c.penalty_escalated;
    }
  }

  // Ticket activity in the window: walk back from as_of only as far as the
  // window reaches.
  int ticket_events = 0;
  for (size_t i = model::EndAsOf(tl.tickets, as_of); i > 0; --i) {
    if (!InLastDays(tl.tickets[i - 1].time, as_of, c.lookback_days)) break;
    ++ticket_events;
  }
  int csat_n = 0;
  double csat_sum = 0;
  for (size_t i = model::EndAsOf(tl.surveys, as_of); i > 0; --i) {
    const model::SurveyPoint& s = tl.surveys[i - 1];
    if (!InLastDays(s.time, as_of, c.lookback_days)) break;
    if (s.kind != signal::v1::SURVEY_KIND_CSAT) continue;
    ++csat_n;
    csat_sum += s.score;
  }

  if (explain) r.inputs.push_back({"open_tickets", absl::StrCat(open.size())});
  if (explain) r.inputs.push_back({"open_tickets_low", absl::StrCat(low)});
  if (explain)
    r.inputs.push_back({"open_tickets_medium", absl::StrCat(medium)});
  if (explain) r.inputs.push_back({"open_tickets_high", absl::StrCat(high)});
  if (explain)
    r.inputs.push_back({"open_tickets_critical", absl::StrCat(critical)});
  if (explain)
    r.inputs.push_back({"open_tickets_escalated", absl::StrCat(escalated)});
  if (explain)
    r.inputs.push_back({absl::StrCat("ticket_events_", c.lookback_days, "d"),
                        absl::StrCat(ticket_events)});
  if (explain)
    r.inputs.push_back({absl::StrCat("csat_responses_", c.lookback_days, "d"),
                        absl::StrCat(csat_n)});

  // Only what the rule can score makes data: open work and CSAT. Closed
  // tickets cannot lower the score, so letting them "have data" (a clean
  // 10) would lift an account above an identical quiet one for having
  // once asked for help.
  if (open.empty() && csat_n == 0) {
    if (explain)
      r.explanation = absl::StrCat(
          "no data: no open ticket and no CSAT in the last ", c.lookback_days,
          " days",
          ticket_events > 0 ? " (closed tickets alone say nothing of now)"
                            : "");
    return r;
  }
  r.has_data = true;

  std::string csat_part = "no CSAT answers";
  double csat_penalty = 0;
  if (csat_n > 0) {
    const double avg = csat_sum / csat_n;
    if (explain)
      r.inputs.push_back({absl::StrCat("csat_average_", c.lookback_days, "d"),
                          absl::StrFormat("%.2f", avg)});
    if (avg >= c.csat_good_min) {
      csat_part =
          absl::StrFormat("CSAT %.2f >= %g (no penalty)", avg, c.csat_good_min);
    } else if (avg >= c.csat_fair_min) {
      csat_penalty = c.penalty_csat_fair;
      csat_part =
          absl::StrFormat("CSAT %.2f in %g-%g (-%g)", avg, c.csat_fair_min,
                          c.csat_good_min, csat_penalty);
    } else {
      csat_penalty = c.penalty_csat_poor;
      csat_part = absl::StrFormat("CSAT %.2f < %g (-%g)", avg, c.csat_fair_min,
                                  csat_penalty);
    }
  }
  if (explain)
    r.inputs.push_back(
        {"ticket_penalty", absl::StrFormat("%g", ticket_penalty)});
  r.score = std::clamp(10.0 - ticket_penalty - csat_penalty, 0.0, 10.0);
  if (explain)
    r.explanation = absl::StrFormat(
        "10 - %g for %d open ticket(s) (%d low, %d medium, %d high, %d "
        "critical, %d escalated); %s",
        ticket_penalty, static_cast<int>(open.size()), low, medium, high,
        critical, escalated, csat_part);
  return r;
}

}  // namespace retain::health
