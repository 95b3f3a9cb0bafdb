#include "plugins/playbooks/default_playbooks.h"

#include <string>
#include <utility>

namespace retain::plugins::playbooks {

namespace {

// retain.account.v1.Segment numbers.
constexpr int kDigital = 1, kPooled = 2, kNamed = 3, kDedicated = 4;
const std::vector<int> kHighTouch = {kNamed, kDedicated};

struct Spec {
  std::string id;
  std::string title;
  v1::Trigger trigger;
  std::vector<int> segments;
  v1::Priority priority;
  v1::OwnerKind owner;
  int due_days;
  std::vector<std::string> steps;
  int escalate_after_days = 0;
  std::string escalate_to;
};

v1::Trigger Band(v1::Band band) {
  v1::Trigger t;
  t.set_kind(v1::TRIGGER_KIND_BAND_ENTERED);
  t.set_band(band);
  return t;
}
v1::Trigger Window(v1::TriggerKind kind, int days) {
  v1::Trigger t;
  t.set_kind(kind);
  t.set_within_days(days);
  return t;
}
v1::Trigger Alert(const std::string& code) {
  v1::Trigger t;
  t.set_kind(v1::TRIGGER_KIND_PLUGIN_ALERT);
  t.set_alert_code(code);
  return t;
}
v1::Trigger Indicator(const std::string& name) {
  v1::Trigger t;
  t.set_kind(v1::TRIGGER_KIND_INDICATOR_APPEARED);
  t.set_indicator(name);
  return t;
}

v1::Playbook Make(Spec s) {
  v1::Playbook p;
  p.set_playbook_id(s.id);
  p.set_title(s.title);
  p.set_source(v1::PLAYBOOK_SOURCE_DEFAULT);
  *p.mutable_trigger() = s.trigger;
  for (int seg : s.segments) p.mutable_conditions()->add_segments(seg);
  auto* t = p.mutable_task();
  t->set_title(s.title);
  t->set_priority(s.priority);
  t->mutable_owner()->set_kind(s.owner);
  t->set_due_days(s.due_days);
  for (auto& step : s.steps) t->add_steps(std::move(step));
  if (s.escalate_after_days > 0) {
    t->mutable_escalation()->set_overdue_days(s.escalate_after_days);
    t->mutable_escalation()->set_escalate_to(s.escalate_to);
  }
  return p;
}

}  // namespace

std::vector<v1::Playbook> DefaultPlaybooks() {
  const auto csm = v1::OWNER_KIND_ACCOUNT_CSM;
  std::vector<Spec> specs = {
      {"risk_red_high_touch",
       "Risk intervention: executive and CSM outreach",
       Band(v1::BAND_RED),
       kHighTouch,
       v1::PRIORITY_CRITICAL,
       csm,
       3,
       {"Review the health explanation", "CSM call with the champion",
        "Executive sponsor outreach", "Agree a recovery plan"},
       2,
       "cs-leadership"},
      {"risk_red_pooled",
       "Risk intervention: CSM outreach",
       Band(v1::BAND_RED),
       {kPooled},
       v1::PRIORITY_HIGH,
       csm,
       5,
       {"Review the health explanation", "CSM call with the main contact",
        "Log the recovery actions"},
       3,
       "cs-manager"},
      {"risk_red_digital",
       "Risk event: human outreach",
       Band(v1::BAND_RED),
       {kDigital},
       v1::PRIORITY_HIGH,
       csm,
       7,
       {"Review the health explanation", "Reach out to the main contact"},
       5,
       "cs-manager"},
      {"health_yellow_pooled",
       "Health-triggered check-in",
       Band(v1::BAND_YELLOW),
       {kPooled},
       v1::PRIORITY_MEDIUM,
       csm,
       14,
       {"Review the health explanation", "Check-in with the main contact"}},
      {"health_yellow_digital",
       "Automated re-engagement touch",
       Band(v1::BAND_YELLOW),
       {kDigital},
       v1::PRIORITY_LOW,
       v1::OWNER_KIND_AUTOMATED,
       7,
       {"Send the re-engagement sequence"}},
      {"renewal_prep_120",
       "Renewal preparation (120 days)",
       Window(v1::TRIGGER_KIND_RENEWAL_WINDOW, 120),
       kHighTouch,
       v1::PRIORITY_HIGH,
       csm,
       14,
       {"Review value delivered against the success plan",
        "Confirm the executive sponsor", "Identify renewal risks",
        "Schedule the renewal conversation"},
       7,
       "cs-leadership"},
      {"renewal_prep_90",
       "Renewal preparation (90 days)",
       Window(v1::TRIGGER_KIND_RENEWAL_WINDOW, 90),
       {kPooled, kDigital},
       v1::PRIORITY_MEDIUM,
       csm,
       14,
       {"Review usage and open tickets", "Confirm the renewal contact"},
       7,
       "cs-manager"},
      {"onboarding_rescue",
       "Onboarding rescue",
       Alert("onboarding.milestone_overdue"),
       {},
       v1::PRIORITY_HIGH,
       csm,
       5,
       {"Find what blocks the overdue milestone", "Agree new dates",
        "Update the onboarding plan"},
       5,
       "cs-manager"},
      // Success plans are this plugin's own: the alert comes from its tick
      // (the only own alert that fires playbooks, see playbooks_plugin.cc).
      {"success_plan_rescue",
       "Success plan rescue",
       Alert("playbooks.objective_missed"),
       {},
       v1::PRIORITY_HIGH,
       csm,
       7,
       {"Find why the objective missed its date",
        "Agree a new target date or criteria with the customer",
        "Update the success plan"},
       7,
       "cs-manager"},
      // Closes the loop the VoC plugin tracks: the task points at its
      // feedback; the follow-up itself is recorded there (RecordFollowUp).
      {"detractor_loop",
       "Detractor follow-up",
       Alert("voc.detractor_follow_up_overdue"),
       {},
       v1::PRIORITY_HIGH,
       csm,
       3,
       {"Call the detractor",
        "Record the follow-up in VoC (VocService.RecordFollowUp)"},
       3,
       "cs-manager"},
      {"relationship_rethread",
       "Re-thread relationships after a sponsor or champion change",
       Indicator("sponsor_change"),
       {kPooled, kNamed, kDedicated},
       v1::PRIORITY_HIGH,
       csm,
       10,
       {"Identify the new sponsor or champion", "Introduce the CSM",
        "Update the account's contacts"},
       5,
       "cs-manager"},
      {"qbr_overdue",
       "QBR/EBR overdue",
       Window(v1::TRIGGER_KIND_CADENCE_MISSED, 90),
       kHighTouch,
       v1::PRIORITY_MEDIUM,
       csm,
       14,
       {"Propose QBR dates", "Prepare the value review"}},
  };
  std::vector<v1::Playbook> out;
  for (auto& s : specs) out.push_back(Make(std::move(s)));
  return out;
}

}  // namespace retain::plugins::playbooks
