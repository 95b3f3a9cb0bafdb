// A task's life: opened by a playbook, OPEN -> IN_PROGRESS -> DONE (with
// an outcome), or SNOOZED until a time (it reopens then); escalated when
// the playbook's rule says so. Every change is a Transition in the task's
// history with who and when. One open (not DONE) task per playbook and
// account: a re-trigger updates it (FindOpen, Retrigger).
#ifndef RETAIN_PLUGINS_PLAYBOOKS_TASK_STATE_H_
#define RETAIN_PLUGINS_PLAYBOOKS_TASK_STATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "plugins/playbooks/trigger_match.h"
#include "retain/plugins/playbooks/v1/playbooks.pb.h"
#include "retain/sdk/status.h"

namespace retain::plugins::playbooks {

// The actor of the plugin's own transitions.
inline constexpr char kSystemActor[] = "playbooks";

// "<playbook_id>/<account_id>/<n>", n >= 1 (zero-padded so ids sort).
std::string TaskId(const std::string& playbook_id,
                   const std::string& account_id, int n);

// A new OPEN task: owner from the playbook (the account's CSM, a named
// one, or "automated"; "unassigned" when the account has no CSM), due
// due_days after `now`, the checklist, the trigger's description.
v1::Task OpenTask(const v1::Playbook& playbook, const AccountFacts& facts,
                  const TriggerEvent& event, int64_t now, int n);

// The open task among one playbook's tasks for one account, or null.
const v1::Task* FindOpen(const std::vector<v1::Task>& tasks);
// The n for the next task of that playbook and account.
int NextTaskNumber(const std::vector<v1::Task>& tasks);

// The trigger fired again while the task is open: counted and noted; a
// snoozed task wakes (the risk is back).
void Retrigger(v1::Task* task, const TriggerEvent& event, int64_t now);

bool IsLegal(v1::TaskStatus from, v1::TaskStatus to);

// Each returns FAILED_PRECONDITION for an illegal transition (naming both
// statuses) and INVALID_ARGUMENT naming the field for bad input.
sdk::Status StartTask(v1::Task* task, const std::string& actor, int64_t now);
sdk::Status CompleteTask(v1::Task* task, v1::Outcome outcome,
                         const std::string& actor, int64_t now);
sdk::Status SnoozeTask(v1::Task* task, int64_t until, const std::string& actor,
                       int64_t now);
sdk::Status CheckStep(v1::Task* task, int index, bool checked,
                      const std::string& actor, int64_t now);
sdk::Status EscalateTask(v1::Task* task, const std::string& escalate_to,
                         const std::string& actor, int64_t now);

// A snoozed task whose time has come goes back to OPEN; true if it did.
bool WakeIfDue(v1::Task* task, int64_t now);

// Past due, not done and not snoozed.
bool IsOverdue(const v1::Task& task, int64_t now);

// The playbook's rule says escalate now: overdue by at least
// escalation.overdue_days (> 0) and not escalated yet.
bool EscalationDue(const v1::Task& task, const v1::Escalation& rule,
                   int64_t now);

}  // namespace retain::plugins::playbooks

#endif  // RETAIN_PLUGINS_PLAYBOOKS_TASK_STATE_H_
