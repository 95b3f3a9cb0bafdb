// tasks list|show|start|done|snooze|escalate: the playbooks plugin's tasks
// (retain.plugins.playbooks.v1.PlaybookService).
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "clients/cli/args.h"
#include "clients/cli/commands.h"
#include "clients/cli/format.h"
#include "clients/cli/playbooks_verbs.h"
#include "clients/cli/table.h"
#include "retain/account/v1/account.pb.h"
#include "retain/plugins/playbooks/v1/playbooks.grpc.pb.h"

namespace retain::cli::playbooks_verbs {
namespace {

std::string TaskStatus(const pb::Task& t, bool color) {
  std::string s = EnumShortName(pb::TaskStatus_descriptor(), t.status());
  if (t.status() == pb::TASK_STATUS_DONE) {
    s += " (" + EnumShortName(pb::Outcome_descriptor(), t.outcome()) + ")";
    return Colorize(s, t.outcome() == pb::OUTCOME_LOST ? "red" : "green",
                    color);
  }
  return s;
}

std::string Due(const pb::Task& t, bool color) {
  if (t.status() == pb::TASK_STATUS_DONE) return FormatDate(t.due_time());
  if (t.overdue()) return Colorize(FormatDate(t.due_time()), "red", color);
  return FormatDate(t.due_time());
}

void PrintTask(const Globals& g, const pb::Task& t) {
  if (g.format() == OutputFormat::kJson) {
    PrintJson(std::cout, t);
    return;
  }
  const bool color = g.color();
  std::vector<std::pair<std::string, std::string>> kv = {
      {"task", t.task_id()},
      {"playbook", t.playbook_id()},
      {"account", t.account_id()},
      {"title", t.title()},
      {"status", TaskStatus(t, color)},
      {"priority", EnumShortName(pb::Priority_descriptor(), t.priority())},
      {"owner", t.owner()},
      {"due", Due(t, color) + (t.overdue() ? " (overdue)" : "")},
      {"trigger", absl::StrCat(t.trigger_reason(), " (", t.triggers(),
                               t.triggers() == 1 ? " time)" : " times)")},
      {"created", FormatDateTime(t.create_time())}};
  if (t.has_snooze_until_time()) {
    kv.push_back({"snoozed until", FormatDate(t.snooze_until_time())});
  }
  if (t.escalated()) {
    kv.push_back({"escalated", FormatDateTime(t.escalate_time())});
  }
  if (t.has_close_time())
    kv.push_back({"closed", FormatDateTime(t.close_time())});
  for (int i = 0; i < t.steps_size(); ++i) {
    const auto& s = t.steps(i);
    kv.push_back(
        {absl::StrCat("step ", i),
         absl::StrCat(s.checked() ? "[x] " : "[ ] ", s.text(),
                      s.checked() ? " (" + s.checked_by() + ")" : "")});
  }
  for (const auto& h : t.history()) {
    kv.push_back(
        {"history",
         absl::StrCat(
             FormatDateTime(h.time()), " ",
             EnumShortName(pb::TaskStatus_descriptor(), h.from_status()),
             " -> ", EnumShortName(pb::TaskStatus_descriptor(), h.to_status()),
             " by ", h.actor(),
             h.actor_name().empty() ? "" : " (" + h.actor_name() + ")",
             h.on_behalf_of().empty() ? ""
                                      : " on behalf of " + h.on_behalf_of(),
             h.note().empty() ? "" : ": " + h.note())});
  }
  PrintFields(std::cout, kv);
}

template <typename Req>
Req TaskRequest(const std::string& id, const std::string& actor) {
  Req req;
  req.set_task_id(id);
  req.set_actor(actor);
  return req;
}

// Adds one task transition verb: `retainctl tasks <name> TASK ...`.
struct Transition {
  std::string id, actor;
};

CLI::App* TransitionVerb(CLI::App* tasks, const std::string& name,
                         const std::string& help,
                         const std::shared_ptr<Transition>& o) {
  CLI::App* cmd = tasks->add_subcommand(name, help);
  cmd->add_option("task", o->id, "task id (<playbook>/<account>/<n>)")
      ->required();
  cmd->add_option("--actor", o->actor,
                  "who does it, kept in the task's history (default: api)");
  return cmd;
}

}  // namespace

void AddTaskCommands(CLI::App& app, Globals& g) {
  CLI::App* tasks = app.add_subcommand(
      "tasks",
      "Playbook tasks: open -> in_progress -> done, or snoozed (the playbooks "
      "plugin)");
  tasks->require_subcommand(1);
  {
    struct Opts {
      std::string owner, account, playbook, status;
      bool overdue = false;
      int64_t limit = 0;
      int page_size = 200;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = tasks->add_subcommand(
        "list",
        "Tasks, every page unless --limit; columns: TASK STATUS PRIORITY "
        "OWNER DUE ACCOUNT TITLE");
    cmd->add_option("--owner", o->owner, "only this owner's");
    cmd->add_option("--account", o->account, "only this account's");
    cmd->add_option("--playbook", o->playbook, "only this playbook's");
    cmd->add_option("--status", o->status,
                    "only in this status: one of " +
                        EnumChoices(pb::TaskStatus_descriptor()));
    cmd->add_flag("--overdue", o->overdue, "only overdue tasks");
    cmd->add_option("--limit", o->limit, "stop after N tasks (0: all)");
    cmd->add_option("--page-size", o->page_size, "tasks per request")
        ->check(CLI::Range(1, 1000));
    cmd->callback([&g, o] {
      pb::ListTasksRequest req;
      req.set_owner(o->owner);
      if (!o->account.empty()) req.set_account_id(AccountIdArg(o->account));
      req.set_playbook_id(o->playbook);
      if (!o->status.empty()) {
        req.set_status(static_cast<pb::TaskStatus>(
            EnumArg(pb::TaskStatus_descriptor(), o->status)));
      }
      req.set_overdue_only(o->overdue);
      req.set_page_size(o->page_size);
      const bool json = g.format() == OutputFormat::kJson;
      const bool color = g.color();
      Table t({{"TASK"},
               {"STATUS"},
               {"PRIORITY"},
               {"OWNER"},
               {"DUE"},
               {"ACCOUNT"},
               {"TITLE"}});
      Connection conn(g);
      auto stub = Stub(conn);
      const int64_t n = ForEachPage<pb::ListTasksResponse>(
          req, o->limit,
          [&](const pb::ListTasksRequest& r, pb::ListTasksResponse* resp) {
            auto ctx = conn.Context();
            CheckPlugin(stub->ListTasks(ctx.get(), r, resp), "listing tasks",
                        kPlugin);
          },
          [](const pb::ListTasksResponse& r) -> const auto& {
            return r.tasks();
          },
          [&](const pb::Task& task) {
            if (json) {
              PrintJson(std::cout, task);
              return;
            }
            t.AddRow({task.task_id(), TaskStatus(task, color),
                      EnumShortName(pb::Priority_descriptor(), task.priority()),
                      task.owner(), Due(task, color), task.account_id(),
                      task.title()});
          });
      if (json) return;
      t.Print(std::cout);
      std::cout << "\n" << n << " tasks\n";
    });
  }
  {
    auto o = std::make_shared<Transition>();
    CLI::App* cmd = tasks->add_subcommand(
        "show", "One task: its checklist and every transition");
    cmd->add_option("task", o->id, "task id (<playbook>/<account>/<n>)")
        ->required();
    cmd->callback([&g, o] {
      pb::GetTaskRequest req;
      req.set_task_id(o->id);
      Connection conn(g);
      pb::Task resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->GetTask(ctx.get(), req, &resp),
                  "reading task " + o->id, kPlugin);
      PrintTask(g, resp);
    });
  }
  {
    auto o = std::make_shared<Transition>();
    TransitionVerb(tasks, "start", "Start working on a task", o)
        ->callback([&g, o] {
          Connection conn(g);
          pb::Task resp;
          auto ctx = conn.Context();
          CheckPlugin(
              Stub(conn)->StartTask(
                  ctx.get(), TaskRequest<pb::StartTaskRequest>(o->id, o->actor),
                  &resp),
              "starting task " + o->id, kPlugin);
          PrintTask(g, resp);
        });
  }
  {
    auto o = std::make_shared<Transition>();
    auto outcome = std::make_shared<std::string>();
    CLI::App* cmd = TransitionVerb(
        tasks, "done", "Complete a task with its outcome (measured in stats)",
        o);
    cmd->add_option("--outcome", *outcome,
                    "one of " + EnumChoices(pb::Outcome_descriptor()))
        ->required();
    cmd->callback([&g, o, outcome] {
      auto req = TaskRequest<pb::CompleteTaskRequest>(o->id, o->actor);
      req.set_outcome(static_cast<pb::Outcome>(
          EnumArg(pb::Outcome_descriptor(), *outcome)));
      Connection conn(g);
      pb::Task resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->CompleteTask(ctx.get(), req, &resp),
                  "completing task " + o->id, kPlugin);
      PrintTask(g, resp);
    });
  }
  {
    auto o = std::make_shared<Transition>();
    auto until = std::make_shared<std::string>();
    CLI::App* cmd = TransitionVerb(
        tasks, "snooze",
        "Snooze a task until a date (it reopens then, or when it re-triggers)",
        o);
    cmd->add_option("until", *until, "date or RFC 3339 time")->required();
    cmd->callback([&g, o, until] {
      auto req = TaskRequest<pb::SnoozeTaskRequest>(o->id, o->actor);
      *req.mutable_until_time() = TimeArg(*until);
      Connection conn(g);
      pb::Task resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->SnoozeTask(ctx.get(), req, &resp),
                  "snoozing task " + o->id, kPlugin);
      PrintTask(g, resp);
    });
  }
  {
    auto o = std::make_shared<Transition>();
    auto to = std::make_shared<std::string>();
    CLI::App* cmd = TransitionVerb(
        tasks, "escalate",
        "Escalate a task now: new owner, one step higher priority", o);
    cmd->add_option("--to", *to,
                    "the new owner (default: the playbook's escalation rule)");
    cmd->callback([&g, o, to] {
      auto req = TaskRequest<pb::EscalateTaskRequest>(o->id, o->actor);
      req.set_escalate_to(*to);
      Connection conn(g);
      pb::Task resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->EscalateTask(ctx.get(), req, &resp),
                  "escalating task " + o->id, kPlugin);
      PrintTask(g, resp);
    });
  }
}

}  // namespace retain::cli::playbooks_verbs
