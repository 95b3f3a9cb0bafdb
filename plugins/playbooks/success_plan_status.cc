#include "plugins/playbooks/success_plan_status.h"

#include <algorithm>

#include "plugins/common/plugin_util.h"
#include "plugins/playbooks/linked_milestones.h"

namespace retain::plugins::playbooks {

namespace {

// Worse first: the plan shows the worst open objective.
int Severity(v1::ObjectiveStatus s) {
  switch (s) {
    case v1::OBJECTIVE_STATUS_MISSED:
      return 3;
    case v1::OBJECTIVE_STATUS_AT_RISK:
      return 2;
    case v1::OBJECTIVE_STATUS_ON_TRACK:
      return 1;
    default:
      return 0;
  }
}

}  // namespace

v1::ObjectiveStatus ObjectiveStatusAt(
    const v1::Objective& o, int64_t now,
    const std::set<std::string>& overdue_milestones) {
  if (o.has_achieve_time()) return v1::OBJECTIVE_STATUS_ACHIEVED;
  // Completed milestones satisfy the objective when every link resolved
  // and is completed; an unavailable link decides nothing either way.
  bool all_completed = o.linked_milestones_size() > 0;
  bool any_overdue = false;
  for (const auto& m : o.linked_milestones()) {
    if (m.status() != v1::LINKED_MILESTONE_STATUS_COMPLETED)
      all_completed = false;
    if (m.status() == v1::LINKED_MILESTONE_STATUS_OVERDUE) any_overdue = true;
  }
  if (all_completed) return v1::OBJECTIVE_STATUS_ACHIEVED;
  const int64_t target = MicrosOf(o.target_time());
  if (now > target) return v1::OBJECTIVE_STATUS_MISSED;
  if (target - now <= kAtRiskDays * sdk::kMicrosPerDay)
    return v1::OBJECTIVE_STATUS_AT_RISK;
  if (any_overdue) return v1::OBJECTIVE_STATUS_AT_RISK;
  for (const auto& key : o.milestone_keys()) {
    if (overdue_milestones.count(key)) return v1::OBJECTIVE_STATUS_AT_RISK;
  }
  return v1::OBJECTIVE_STATUS_ON_TRACK;
}

void EvaluatePlan(v1::SuccessPlan* plan, int64_t now,
                  const std::set<std::string>& overdue_milestones) {
  v1::ObjectiveStatus worst = v1::OBJECTIVE_STATUS_UNSPECIFIED;
  bool all_achieved = plan->objectives_size() > 0;
  for (auto& o : *plan->mutable_objectives()) {
    o.set_status(ObjectiveStatusAt(o, now, overdue_milestones));
    if (o.status() != v1::OBJECTIVE_STATUS_ACHIEVED) all_achieved = false;
    if (Severity(o.status()) > Severity(worst)) worst = o.status();
  }
  plan->set_status(all_achieved ? v1::OBJECTIVE_STATUS_ACHIEVED : worst);
}

std::vector<std::string> UnalertedMissed(const v1::SuccessPlan& plan) {
  std::vector<std::string> out;
  for (const auto& o : plan.objectives()) {
    if (o.status() != v1::OBJECTIVE_STATUS_MISSED) continue;
    const auto& done = plan.alerted_objective_ids();
    if (std::find(done.begin(), done.end(), o.objective_id()) == done.end())
      out.push_back(o.objective_id());
  }
  return out;
}

sdk::Status ValidateObjective(const v1::Objective& o, const std::string& f) {
  if (o.objective_id().empty())
    return sdk::InvalidArgument(f + ".objective_id: is required");
  if (o.title().empty()) return sdk::InvalidArgument(f + ".title: is required");
  if (!o.has_target_time())
    return sdk::InvalidArgument(f + ".target_time: is required");
  return ValidateLinks(o, f);
}

sdk::Status ValidatePlan(const v1::SuccessPlan& plan) {
  if (plan.account_id().empty())
    return sdk::InvalidArgument("plan.account_id: is required");
  std::set<std::string> ids;
  for (int i = 0; i < plan.objectives_size(); ++i) {
    const std::string f = "plan.objectives[" + std::to_string(i) + "]";
    if (auto s = ValidateObjective(plan.objectives(i), f); !s.ok()) return s;
    if (!ids.insert(plan.objectives(i).objective_id()).second)
      return sdk::InvalidArgument(f + ".objective_id: is repeated");
  }
  return sdk::Status();
}

}  // namespace retain::plugins::playbooks
