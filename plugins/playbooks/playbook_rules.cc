#include "plugins/playbooks/playbook_rules.h"

namespace retain::plugins::playbooks {

namespace {

constexpr int kMaxDays = 3650;
constexpr size_t kMaxSteps = 50;
constexpr size_t kMaxText = 500;

sdk::Status Bad(const std::string& field, const std::string& rule) {
  return sdk::InvalidArgument(field + ": " + rule);
}

sdk::Status CheckTrigger(const v1::Trigger& t, const std::string& f) {
  switch (t.kind()) {
    case v1::TRIGGER_KIND_BAND_ENTERED:
      if (t.band() != v1::BAND_RED && t.band() != v1::BAND_YELLOW)
        return Bad(f + ".band", "must be BAND_RED or BAND_YELLOW");
      return sdk::Status();
    case v1::TRIGGER_KIND_INDICATOR_APPEARED:
      if (t.indicator().empty()) return Bad(f + ".indicator", "is required");
      return sdk::Status();
    case v1::TRIGGER_KIND_RENEWAL_WINDOW:
    case v1::TRIGGER_KIND_CADENCE_MISSED:
      if (t.within_days() <= 0 || t.within_days() > kMaxDays)
        return Bad(f + ".within_days", "must be 1-" + std::to_string(kMaxDays));
      return sdk::Status();
    case v1::TRIGGER_KIND_PLUGIN_ALERT:
      if (t.alert_code().empty()) return Bad(f + ".alert_code", "is required");
      return sdk::Status();
    case v1::TRIGGER_KIND_CUSTOM_SIGNAL:
      if (t.signal_type().empty())
        return Bad(f + ".signal_type", "is required");
      return sdk::Status();
    default:
      return Bad(f + ".kind", "is required");
  }
}

sdk::Status CheckConditions(const v1::Conditions& c, const std::string& f) {
  for (int i = 0; i < c.segments_size(); ++i) {
    if (c.segments(i) < 1 || c.segments(i) > 4)
      return Bad(f + ".segments[" + std::to_string(i) + "]",
                 "must be a segment number 1-4");
  }
  if (c.min_arr() < 0) return Bad(f + ".min_arr", "must be >= 0");
  if (c.max_arr() < 0) return Bad(f + ".max_arr", "must be >= 0");
  if (c.max_arr() > 0 && c.max_arr() < c.min_arr())
    return Bad(f + ".max_arr", "must be >= min_arr (or 0 for no bound)");
  for (int i = 0; i < c.lifecycle_stages_size(); ++i) {
    if (c.lifecycle_stages(i) < 1 || c.lifecycle_stages(i) > 7)
      return Bad(f + ".lifecycle_stages[" + std::to_string(i) + "]",
                 "must be a lifecycle stage number 1-7");
  }
  return sdk::Status();
}

sdk::Status CheckTask(const v1::TaskTemplate& t, const std::string& f) {
  if (t.title().empty()) return Bad(f + ".title", "is required");
  if (t.title().size() > kMaxText)
    return Bad(f + ".title", "at most " + std::to_string(kMaxText) + " bytes");
  if (t.priority() == v1::PRIORITY_UNSPECIFIED)
    return Bad(f + ".priority", "is required");
  switch (t.owner().kind()) {
    case v1::OWNER_KIND_ACCOUNT_CSM:
    case v1::OWNER_KIND_AUTOMATED:
      break;
    case v1::OWNER_KIND_NAMED:
      if (t.owner().name().empty())
        return Bad(f + ".owner.name", "is required for OWNER_KIND_NAMED");
      break;
    default:
      return Bad(f + ".owner.kind", "is required");
  }
  if (t.due_days() < 0 || t.due_days() > kMaxDays)
    return Bad(f + ".due_days", "must be 0-" + std::to_string(kMaxDays));
  if (static_cast<size_t>(t.steps_size()) > kMaxSteps)
    return Bad(f + ".steps", "at most " + std::to_string(kMaxSteps));
  for (int i = 0; i < t.steps_size(); ++i) {
    if (t.steps(i).empty())
      return Bad(f + ".steps[" + std::to_string(i) + "]", "must not be empty");
  }
  const auto& e = t.escalation();
  if (e.overdue_days() < 0 || e.overdue_days() > kMaxDays)
    return Bad(f + ".escalation.overdue_days",
               "must be 0-" + std::to_string(kMaxDays));
  if (e.overdue_days() > 0 && e.escalate_to().empty())
    return Bad(f + ".escalation.escalate_to",
               "is required when overdue_days is set");
  return sdk::Status();
}

}  // namespace

bool IsValidPlaybookId(const std::string& id) {
  if (id.empty() || id.size() > 63) return false;
  if (id[0] < 'a' || id[0] > 'z') return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

sdk::Status ValidatePlaybook(const v1::Playbook& p, const std::string& f) {
  if (!IsValidPlaybookId(p.playbook_id()))
    return Bad(f + ".playbook_id", "must match [a-z][a-z0-9_]{0,62}");
  if (p.title().size() > kMaxText)
    return Bad(f + ".title", "at most " + std::to_string(kMaxText) + " bytes");
  if (!p.has_trigger()) return Bad(f + ".trigger", "is required");
  if (auto s = CheckTrigger(p.trigger(), f + ".trigger"); !s.ok()) return s;
  if (auto s = CheckConditions(p.conditions(), f + ".conditions"); !s.ok())
    return s;
  if (!p.has_task()) return Bad(f + ".task", "is required");
  return CheckTask(p.task(), f + ".task");
}

}  // namespace retain::plugins::playbooks
