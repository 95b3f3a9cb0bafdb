#include "plugins/playbooks/task_state.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "plugins/common/plugin_util.h"

namespace retain::plugins::playbooks {

namespace {

constexpr int64_t kMicrosPerDay = sdk::kMicrosPerDay;

void Record(v1::Task* task, v1::TaskStatus to, const std::string& actor,
            int64_t now, const std::string& note) {
  auto* h = task->add_history();
  h->set_from_status(task->status());
  h->set_to_status(to);
  h->set_actor(actor.empty() ? kSystemActor : actor);
  *h->mutable_time() = TimestampOf(now);
  h->set_note(note);
  task->set_status(to);
}

sdk::Status Move(v1::Task* task, v1::TaskStatus to, const std::string& actor,
                 int64_t now, const std::string& note) {
  if (!IsLegal(task->status(), to)) {
    return sdk::FailedPrecondition(
        "task " + task->task_id() + " cannot go from " +
        v1::TaskStatus_Name(task->status()) + " to " + v1::TaskStatus_Name(to));
  }
  Record(task, to, actor, now, note);
  return sdk::Status();
}

}  // namespace

std::string TaskId(const std::string& playbook_id,
                   const std::string& account_id, int n) {
  char num[16];
  std::snprintf(num, sizeof num, "%06d", n);
  return playbook_id + "/" + account_id + "/" + num;
}

v1::Task OpenTask(const v1::Playbook& p, const AccountFacts& facts,
                  const TriggerEvent& event, int64_t now, int n) {
  const v1::TaskTemplate& tmpl = p.task();
  v1::Task t;
  t.set_task_id(TaskId(p.playbook_id(), facts.account_id, n));
  t.set_playbook_id(p.playbook_id());
  t.set_account_id(facts.account_id);
  t.set_title(tmpl.title());
  t.set_priority(tmpl.priority());
  switch (tmpl.owner().kind()) {
    case v1::OWNER_KIND_NAMED:
      t.set_owner(tmpl.owner().name());
      break;
    case v1::OWNER_KIND_AUTOMATED:
      t.set_owner("automated");
      break;
    default:
      t.set_owner(facts.csm.empty() ? "unassigned" : facts.csm);
  }
  *t.mutable_create_time() = TimestampOf(now);
  *t.mutable_due_time() = TimestampOf(now + tmpl.due_days() * kMicrosPerDay);
  for (const auto& s : tmpl.steps()) t.add_steps()->set_text(s);
  t.set_trigger_reason(Describe(event));
  t.set_triggers(1);
  t.set_segment(facts.segment);
  t.set_health_at_trigger(facts.health_score);
  Record(&t, v1::TASK_STATUS_OPEN, kSystemActor, now,
         "opened: " + t.trigger_reason());
  return t;
}

const v1::Task* FindOpen(const std::vector<v1::Task>& tasks) {
  for (const auto& t : tasks) {
    if (t.status() != v1::TASK_STATUS_DONE) return &t;
  }
  return nullptr;
}

int NextTaskNumber(const std::vector<v1::Task>& tasks) {
  int n = 0;
  for (const auto& t : tasks) {
    const std::string& id = t.task_id();
    n = std::max(n, std::atoi(id.substr(id.rfind('/') + 1).c_str()));
  }
  return n + 1;
}

void Retrigger(v1::Task* task, const TriggerEvent& event, int64_t now) {
  task->set_triggers(task->triggers() + 1);
  task->set_trigger_reason(Describe(event));
  v1::TaskStatus to = task->status() == v1::TASK_STATUS_SNOOZED
                          ? v1::TASK_STATUS_OPEN
                          : task->status();
  if (to == v1::TASK_STATUS_OPEN) task->clear_snooze_until_time();
  Record(task, to, kSystemActor, now, "retriggered: " + Describe(event));
}

bool IsLegal(v1::TaskStatus from, v1::TaskStatus to) {
  switch (from) {
    case v1::TASK_STATUS_OPEN:
      return to == v1::TASK_STATUS_IN_PROGRESS ||
             to == v1::TASK_STATUS_SNOOZED || to == v1::TASK_STATUS_DONE;
    case v1::TASK_STATUS_IN_PROGRESS:
      return to == v1::TASK_STATUS_SNOOZED || to == v1::TASK_STATUS_DONE;
    case v1::TASK_STATUS_SNOOZED:
      return to == v1::TASK_STATUS_OPEN || to == v1::TASK_STATUS_IN_PROGRESS ||
             to == v1::TASK_STATUS_DONE;
    default:
      return false;  // DONE is final; a new trigger opens a new task
  }
}

sdk::Status StartTask(v1::Task* task, const std::string& actor, int64_t now) {
  sdk::Status s =
      Move(task, v1::TASK_STATUS_IN_PROGRESS, actor, now, "started");
  if (s.ok()) task->clear_snooze_until_time();
  return s;
}

sdk::Status CompleteTask(v1::Task* task, v1::Outcome outcome,
                         const std::string& actor, int64_t now) {
  if (outcome == v1::OUTCOME_UNSPECIFIED)
    return sdk::InvalidArgument(
        "outcome: is required (SAVED, LOST or NO_ACTION_NEEDED)");
  sdk::Status s = Move(task, v1::TASK_STATUS_DONE, actor, now,
                       "done: " + v1::Outcome_Name(outcome));
  if (!s.ok()) return s;
  task->set_outcome(outcome);
  *task->mutable_close_time() = TimestampOf(now);
  task->clear_snooze_until_time();
  return s;
}

sdk::Status SnoozeTask(v1::Task* task, int64_t until, const std::string& actor,
                       int64_t now) {
  if (until <= now)
    return sdk::InvalidArgument("until_time: must be in the future");
  if (task->status() == v1::TASK_STATUS_SNOOZED)
    return sdk::FailedPrecondition("task " + task->task_id() +
                                   " is already snoozed");
  sdk::Status s = Move(task, v1::TASK_STATUS_SNOOZED, actor, now,
                       "snoozed until " + FormatDate(until));
  if (s.ok()) *task->mutable_snooze_until_time() = TimestampOf(until);
  return s;
}

sdk::Status CheckStep(v1::Task* task, int index, bool checked,
                      const std::string& actor, int64_t now) {
  if (index < 0 || index >= task->steps_size())
    return sdk::InvalidArgument("step_index: must be 0-" +
                                std::to_string(task->steps_size() - 1));
  if (task->status() == v1::TASK_STATUS_DONE)
    return sdk::FailedPrecondition("task " + task->task_id() + " is done");
  auto* step = task->mutable_steps(index);
  step->set_checked(checked);
  if (checked) {
    step->set_checked_by(actor.empty() ? kSystemActor : actor);
    *step->mutable_check_time() = TimestampOf(now);
  } else {
    step->clear_checked_by();
    step->clear_check_time();
  }
  return sdk::Status();
}

sdk::Status EscalateTask(v1::Task* task, const std::string& escalate_to,
                         const std::string& actor, int64_t now) {
  if (task->status() == v1::TASK_STATUS_DONE)
    return sdk::FailedPrecondition("task " + task->task_id() + " is done");
  if (escalate_to.empty())
    return sdk::InvalidArgument(
        "escalate_to: is required (the playbook has no escalation owner)");
  task->set_escalated(true);
  *task->mutable_escalate_time() = TimestampOf(now);
  task->set_owner(escalate_to);
  if (task->priority() < v1::PRIORITY_CRITICAL)
    task->set_priority(static_cast<v1::Priority>(task->priority() + 1));
  Record(task, task->status(), actor, now, "escalated to " + escalate_to);
  return sdk::Status();
}

bool WakeIfDue(v1::Task* task, int64_t now) {
  if (task->status() != v1::TASK_STATUS_SNOOZED ||
      MicrosOf(task->snooze_until_time()) > now)
    return false;
  task->clear_snooze_until_time();
  Record(task, v1::TASK_STATUS_OPEN, kSystemActor, now, "snooze ended");
  return true;
}

bool IsOverdue(const v1::Task& task, int64_t now) {
  return task.status() != v1::TASK_STATUS_DONE &&
         task.status() != v1::TASK_STATUS_SNOOZED &&
         now > MicrosOf(task.due_time());
}

bool EscalationDue(const v1::Task& task, const v1::Escalation& rule,
                   int64_t now) {
  if (rule.overdue_days() <= 0 || task.escalated()) return false;
  if (!IsOverdue(task, now)) return false;
  return now >= MicrosOf(task.due_time()) + rule.overdue_days() * kMicrosPerDay;
}

}  // namespace retain::plugins::playbooks
