// Success-plan objectives link onboarding milestones instead of copying
// them: the links are validated here, and resolved against the account's
// onboarding plan as the onboarding plugin returns it (GetPlan, read in
// bytes so this plugin carries no second copy of onboarding's generated
// code: two copies in one process abort protobuf's descriptor pool).
#ifndef RETAIN_PLUGINS_PLAYBOOKS_LINKED_MILESTONES_H_
#define RETAIN_PLUGINS_PLAYBOOKS_LINKED_MILESTONES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "retain/plugins/playbooks/v1/playbooks.pb.h"
#include "retain/sdk/status.h"

namespace retain::plugins::playbooks {

inline constexpr char kOnboardingPlugin[] = "onboarding";
inline constexpr char kOnboardingGetPlan[] =
    "/retain.plugins.onboarding.v1.OnboardingService/GetPlan";
inline constexpr int kMaxMilestoneLinks = 50;

// One milestone of an onboarding plan, as far as a link shows it.
struct OnboardingMilestone {
  std::string key;
  int64_t due_micros = 0;
  int64_t complete_micros = 0;  // 0: not completed
};

// The account's onboarding plan, or why it cannot be read.
struct OnboardingPlanRead {
  bool available = false;
  std::string unavailable_reason;
  std::vector<OnboardingMilestone> milestones;
};

// retain.plugins.onboarding.v1.GetPlanRequest{account_id}.
std::string EncodeGetPlanRequest(const std::string& account_id);

// A retain.plugins.onboarding.v1.Plan's milestones; unavailable when the
// bytes are not one.
OnboardingPlanRead DecodeOnboardingPlan(std::string_view plan);

// What a failed GetPlan means for the links: the plugin not loaded
// (NOT_FOUND from the host, or no plan for the account), refused, ...
OnboardingPlanRead UnavailablePlan(const sdk::Status& status);

// Whether any objective links onboarding milestones.
bool HasLinks(const v1::SuccessPlan& plan);

// Fills each objective's linked_milestones from `read` as of `now`: a
// pending milestone past its due time is OVERDUE.
void ResolveLinks(v1::SuccessPlan* plan, const OnboardingPlanRead& read,
                  int64_t now);

// Drops what is output only (statuses, linked_milestones) before a plan
// is stored.
void ClearOutputs(v1::Objective* objective);
void ClearOutputs(v1::SuccessPlan* plan);

// INVALID_ARGUMENT naming `field`.milestone_keys[i] and the rule.
sdk::Status ValidateLinks(const v1::Objective& objective,
                          const std::string& field);

}  // namespace retain::plugins::playbooks

#endif  // RETAIN_PLUGINS_PLAYBOOKS_LINKED_MILESTONES_H_
