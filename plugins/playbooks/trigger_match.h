// Whether something that happened to an account triggers a playbook.
//
// TriggerEvent is what the plugin saw, in one shape for every trigger
// kind, so the sources can change without touching the rules: signals,
// the host's health-event feed (ABI 1.3: band changes, other plugins'
// alerts) and the tick (renewal windows, cadences; bands only on an older
// host).
#ifndef RETAIN_PLUGINS_PLAYBOOKS_TRIGGER_MATCH_H_
#define RETAIN_PLUGINS_PLAYBOOKS_TRIGGER_MATCH_H_

#include <cstdint>
#include <string>

#include "retain/plugins/playbooks/v1/playbooks.pb.h"

namespace retain::plugins::playbooks {

struct TriggerEvent {
  v1::TriggerKind kind = v1::TRIGGER_KIND_UNSPECIFIED;
  int64_t at_micros = 0;
  v1::Band band = v1::BAND_UNSPECIFIED;  // BAND_ENTERED: the new band
  std::string indicator{};               // INDICATOR_APPEARED
  int days_to_renewal = 0;               // RENEWAL_WINDOW
  std::string alert_code{};              // PLUGIN_ALERT
  std::string signal_type{};             // CUSTOM_SIGNAL
  int days_since_cadence = 0;            // CADENCE_MISSED
};

// What the conditions look at (from the host's Account and health).
struct AccountFacts {
  std::string account_id{};
  int32_t segment = 0;
  double arr = 0;
  int32_t lifecycle_stage = 0;
  std::string csm{};
  v1::Band band = v1::BAND_UNSPECIFIED;
  double health_score = 0;
};

bool ConditionsHold(const v1::Conditions& conditions, const AccountFacts& f);

// The playbook is enabled, its trigger is this event's kind with matching
// details, and its conditions hold for the account. A renewal window
// matches only when the account is not green.
bool Match(const TriggerEvent& event, const AccountFacts& facts,
           const v1::Playbook& playbook);

// One line a person reads: "band entered red", "renewal in 80 days", ...
std::string Describe(const TriggerEvent& event);

}  // namespace retain::plugins::playbooks

#endif  // RETAIN_PLUGINS_PLAYBOOKS_TRIGGER_MATCH_H_
