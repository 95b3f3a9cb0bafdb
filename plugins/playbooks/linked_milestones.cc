#include "plugins/playbooks/linked_milestones.h"

#include <map>
#include <set>

#include "plugins/common/plugin_util.h"
#include "retain/sdk/wire.h"

namespace retain::plugins::playbooks {

namespace {

// google.protobuf.Timestamp bytes -> micros.
int64_t DecodeTimestamp(std::string_view bytes) {
  int64_t seconds = 0, nanos = 0;
  sdk::wire::Reader r(bytes);
  while (r.Next()) {
    if (r.field() == 1) seconds = r.AsInt64();
    if (r.field() == 2) nanos = r.AsInt64();
  }
  return seconds * 1000000 + nanos / 1000;
}

// retain.plugins.onboarding.v1.Milestone: key 1, due_time 2,
// complete_time 3.
bool DecodeMilestone(std::string_view bytes, OnboardingMilestone* m) {
  sdk::wire::Reader r(bytes);
  while (r.Next()) {
    if (r.field() == 1) m->key = std::string(r.AsBytes());
    if (r.field() == 2) m->due_micros = DecodeTimestamp(r.AsBytes());
    if (r.field() == 3) m->complete_micros = DecodeTimestamp(r.AsBytes());
  }
  return r.ok();
}

const char* CodeName(sdk::Code code) {
  switch (code) {
    case sdk::Code::kNotFound:
      return "NOT_FOUND";
    case sdk::Code::kPermissionDenied:
      return "PERMISSION_DENIED";
    case sdk::Code::kUnimplemented:
      return "UNIMPLEMENTED";
    case sdk::Code::kUnavailable:
      return "UNAVAILABLE";
    case sdk::Code::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case sdk::Code::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case sdk::Code::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    default:
      return "ERROR";
  }
}

v1::LinkedMilestone Shown(const OnboardingMilestone& m, int64_t now) {
  v1::LinkedMilestone out;
  out.set_milestone_key(m.key);
  *out.mutable_due_time() = TimestampOf(m.due_micros);
  if (m.complete_micros > 0) {
    *out.mutable_complete_time() = TimestampOf(m.complete_micros);
    out.set_status(v1::LINKED_MILESTONE_STATUS_COMPLETED);
  } else if (now > m.due_micros) {
    out.set_status(v1::LINKED_MILESTONE_STATUS_OVERDUE);
  } else {
    out.set_status(v1::LINKED_MILESTONE_STATUS_PENDING);
  }
  return out;
}

v1::LinkedMilestone Unavailable(const std::string& key,
                                const std::string& reason) {
  v1::LinkedMilestone out;
  out.set_milestone_key(key);
  out.set_status(v1::LINKED_MILESTONE_STATUS_UNAVAILABLE);
  out.set_unavailable_reason(reason);
  return out;
}

bool KeyCharOk(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

}  // namespace

std::string EncodeGetPlanRequest(const std::string& account_id) {
  sdk::wire::Writer w;
  w.String(1, account_id);
  return w.Take();
}

OnboardingPlanRead DecodeOnboardingPlan(std::string_view plan) {
  OnboardingPlanRead read;
  bool malformed = false;
  sdk::wire::Reader r(plan);
  while (r.Next()) {
    if (r.field() != 4) continue;  // Plan.milestones
    OnboardingMilestone m;
    if (!DecodeMilestone(r.AsBytes(), &m)) {
      malformed = true;
      break;
    }
    if (!m.key.empty()) read.milestones.push_back(std::move(m));
  }
  if (malformed || !r.ok()) {
    read.milestones.clear();
    read.unavailable_reason = "onboarding returned a malformed plan";
    return read;
  }
  read.available = true;
  return read;
}

OnboardingPlanRead UnavailablePlan(const sdk::Status& status) {
  OnboardingPlanRead read;
  read.unavailable_reason =
      std::string(CodeName(status.code())) + ": " + status.message();
  return read;
}

bool HasLinks(const v1::SuccessPlan& plan) {
  for (const auto& o : plan.objectives()) {
    if (o.link_onboarding_plan() || o.milestone_keys_size() > 0) return true;
  }
  return false;
}

void ResolveLinks(v1::SuccessPlan* plan, const OnboardingPlanRead& read,
                  int64_t now) {
  std::map<std::string, const OnboardingMilestone*> by_key;
  for (const auto& m : read.milestones) by_key[m.key] = &m;
  for (auto& o : *plan->mutable_objectives()) {
    o.clear_linked_milestones();
    std::set<std::string> shown;
    if (o.link_onboarding_plan()) {
      if (!read.available) {
        *o.add_linked_milestones() = Unavailable("", read.unavailable_reason);
      }
      for (const auto& m : read.milestones) {
        if (shown.insert(m.key).second)
          *o.add_linked_milestones() = Shown(m, now);
      }
    }
    for (const auto& key : o.milestone_keys()) {
      if (!shown.insert(key).second) continue;
      if (!read.available) {
        *o.add_linked_milestones() = Unavailable(key, read.unavailable_reason);
        continue;
      }
      auto it = by_key.find(key);
      if (it == by_key.end()) {
        *o.add_linked_milestones() = Unavailable(
            key, "no milestone '" + key + "' in the account's onboarding plan");
        continue;
      }
      *o.add_linked_milestones() = Shown(*it->second, now);
    }
  }
}

void ClearOutputs(v1::Objective* objective) {
  objective->clear_status();
  objective->clear_linked_milestones();
}

void ClearOutputs(v1::SuccessPlan* plan) {
  plan->clear_status();
  for (auto& o : *plan->mutable_objectives()) ClearOutputs(&o);
}

sdk::Status ValidateLinks(const v1::Objective& o, const std::string& field) {
  if (o.milestone_keys_size() > kMaxMilestoneLinks)
    return sdk::InvalidArgument(field + ".milestone_keys: at most " +
                                std::to_string(kMaxMilestoneLinks));
  std::set<std::string> seen;
  for (int i = 0; i < o.milestone_keys_size(); ++i) {
    const std::string f = field + ".milestone_keys[" + std::to_string(i) + "]";
    const std::string& key = o.milestone_keys(i);
    if (key.empty()) return sdk::InvalidArgument(f + ": is required");
    if (key.size() > 64)
      return sdk::InvalidArgument(f + ": at most 64 characters");
    for (char c : key) {
      if (!KeyCharOk(c))
        return sdk::InvalidArgument(f +
                                    ": only letters, digits, '_', '-' and '.'");
    }
    if (!seen.insert(key).second)
      return sdk::InvalidArgument(f + ": is repeated");
  }
  return sdk::Status();
}

}  // namespace retain::plugins::playbooks
