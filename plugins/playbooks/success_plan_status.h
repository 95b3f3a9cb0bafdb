// The status of a success plan's objectives at a time: ACHIEVED once
// achieved or when every linked milestone is completed, MISSED past the
// target date, AT_RISK within the warning window before it or while a
// linked onboarding milestone is overdue (linked_milestones, resolved
// first, or a key in the set), ON_TRACK otherwise. The plan's status is its
// worst open objective's.
#ifndef RETAIN_PLUGINS_PLAYBOOKS_SUCCESS_PLAN_STATUS_H_
#define RETAIN_PLUGINS_PLAYBOOKS_SUCCESS_PLAN_STATUS_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "retain/plugins/playbooks/v1/playbooks.pb.h"
#include "retain/sdk/status.h"

namespace retain::plugins::playbooks {

inline constexpr int kAtRiskDays = 14;

v1::ObjectiveStatus ObjectiveStatusAt(
    const v1::Objective& objective, int64_t now,
    const std::set<std::string>& overdue_milestones);

// Fills every objective's status and the plan's.
void EvaluatePlan(v1::SuccessPlan* plan, int64_t now,
                  const std::set<std::string>& overdue_milestones);

// Missed objectives whose alert has not gone out (alerted_objective_ids).
std::vector<std::string> UnalertedMissed(const v1::SuccessPlan& plan);

// INVALID_ARGUMENT naming the field.
sdk::Status ValidatePlan(const v1::SuccessPlan& plan);
sdk::Status ValidateObjective(const v1::Objective& objective,
                              const std::string& field);

}  // namespace retain::plugins::playbooks

#endif  // RETAIN_PLUGINS_PLAYBOOKS_SUCCESS_PLAN_STATUS_H_
