// The four core component rules. Each is a pure function of the account's
// history up to as_of and returns its score with the inputs that produced it;
// weights are applied by ComputeHealth. With explain = false the inputs and
// explanation are left empty (the score is the same): formatting them is most
// of a rule's cost, and the health cache needs only scores.
#ifndef RETAIN_CORE_HEALTH_COMPONENT_RULES_H_
#define RETAIN_CORE_HEALTH_COMPONENT_RULES_H_

#include <map>
#include <string>

#include "absl/time/time.h"
#include "core/health/health_config.h"
#include "core/health/health_result.h"
#include "core/model/account_state.h"

namespace retain::health {

ComponentResult ScoreEngagement(const HealthConfig& config,
                                const model::AccountState& account,
                                absl::Time as_of, bool explain = true);
ComponentResult ScoreRelationship(const HealthConfig& config,
                                  const model::AccountState& account,
                                  absl::Time as_of, bool explain = true);
ComponentResult ScoreSupport(const HealthConfig& config,
                             const model::AccountState& account,
                             absl::Time as_of, bool explain = true);
ComponentResult ScoreCommercial(const HealthConfig& config,
                                const model::AccountState& account,
                                absl::Time as_of, bool explain = true);

// A ticket's state folded from its events up to as_of.
struct TicketState {
  signal::v1::TicketStatus status = signal::v1::TICKET_STATUS_UNSPECIFIED;
  signal::v1::TicketSeverity severity = signal::v1::TICKET_SEVERITY_UNSPECIFIED;
  // Sticky: once escalated, a ticket stays escalated until closed, because
  // a follow-up event's unset flag cannot be told from "de-escalated".
  bool escalated = false;
  absl::Time last_event_time;
};

// Tickets whose last event at or before as_of is not CLOSED, by ticket id.
std::map<std::string, TicketState> OpenTicketsAt(
    const model::AccountTimeline& timeline, absl::Time as_of);

// Time of the last touchpoint at or before as_of, or nullopt-like
// InfinitePast when there was none.
absl::Time LastTouchpointAt(const model::AccountTimeline& timeline,
                            absl::Time as_of);

}  // namespace retain::health

#endif  // RETAIN_CORE_HEALTH_COMPONENT_RULES_H_
