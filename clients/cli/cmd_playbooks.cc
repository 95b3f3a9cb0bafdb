// tasks list|show|start|done|snooze|escalate, playbooks list|show|stats,
// plans list|show|create|objective — the playbooks plugin's verbs
// (retain.plugins.playbooks.v1.PlaybookService). When the plugin is not
// loaded, retaind answers UNIMPLEMENTED and retainctl exits 8.
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
#include "clients/cli/table.h"
#include "retain/account/v1/account.pb.h"
#include "retain/plugins/playbooks/v1/playbooks.grpc.pb.h"

namespace retain::cli {
namespace {

namespace pb = ::retain::plugins::playbooks::v1;

constexpr char kPlugin[] = "playbooks";

std::unique_ptr<pb::PlaybookService::Stub> Stub(const Connection& conn) {
  return pb::PlaybookService::NewStub(conn.channel());
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

std::string Segment(int32_t segment) {
  return EnumShortName(account::v1::Segment_descriptor(), segment);
}

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
             " by ", h.actor(), h.note().empty() ? "" : ": " + h.note())});
  }
  PrintFields(std::cout, kv);
}

std::string TriggerText(const pb::Trigger& t) {
  const std::string kind =
      EnumShortName(pb::TriggerKind_descriptor(), t.kind());
  switch (t.kind()) {
    case pb::TRIGGER_KIND_BAND_ENTERED:
      return kind + " " + EnumShortName(pb::Band_descriptor(), t.band());
    case pb::TRIGGER_KIND_INDICATOR_APPEARED:
      return kind + " " + t.indicator();
    case pb::TRIGGER_KIND_RENEWAL_WINDOW:
    case pb::TRIGGER_KIND_CADENCE_MISSED:
      return absl::StrCat(kind, " ", t.within_days(), "d");
    case pb::TRIGGER_KIND_PLUGIN_ALERT:
      return kind + " " + t.alert_code();
    case pb::TRIGGER_KIND_CUSTOM_SIGNAL:
      return kind + " " + t.signal_type();
    default:
      return kind;
  }
}

std::string OwnerText(const pb::Owner& o) {
  if (o.kind() == pb::OWNER_KIND_NAMED) return o.name();
  return EnumShortName(pb::OwnerKind_descriptor(), o.kind());
}

void PrintPlaybook(const Globals& g, const pb::Playbook& p) {
  if (g.format() == OutputFormat::kJson) {
    PrintJson(std::cout, p);
    return;
  }
  std::vector<std::string> segments;
  for (int32_t s : p.conditions().segments()) segments.push_back(Segment(s));
  const auto& task = p.task();
  std::vector<std::pair<std::string, std::string>> kv = {
      {"playbook", p.playbook_id()},
      {"title", p.title()},
      {"source", EnumShortName(pb::PlaybookSource_descriptor(), p.source())},
      {"trigger", TriggerText(p.trigger())},
      {"segments", segments.empty() ? "all" : absl::StrJoin(segments, ", ")},
      {"task", task.title()},
      {"priority", EnumShortName(pb::Priority_descriptor(), task.priority())},
      {"owner", OwnerText(task.owner())},
      {"due", absl::StrCat(task.due_days(), " days")},
      {"escalation",
       task.escalation().overdue_days() > 0
           ? absl::StrCat("+", task.escalation().overdue_days(), " d -> ",
                          task.escalation().escalate_to())
           : std::string("none")},
      {"disabled", p.disabled() ? "yes" : "no"}};
  if (!p.description().empty())
    kv.insert(kv.begin() + 2, {"description", p.description()});
  for (const auto& s : task.steps()) kv.push_back({"step", s});
  PrintFields(std::cout, kv);
}

void PrintPlan(const Globals& g, const pb::SuccessPlan& p) {
  if (g.format() == OutputFormat::kJson) {
    PrintJson(std::cout, p);
    return;
  }
  PrintFields(
      std::cout,
      {{"account", p.account_id()},
       {"status", EnumShortName(pb::ObjectiveStatus_descriptor(), p.status())},
       {"created", FormatDateTime(p.create_time())},
       {"updated", FormatDateTime(p.update_time())}});
  if (p.objectives().empty()) return;
  std::cout << "\n";
  Table t({{"OBJECTIVE"}, {"STATUS"}, {"TARGET"}, {"OWNER"}, {"TITLE"}});
  for (const auto& o : p.objectives()) {
    t.AddRow(
        {o.objective_id(),
         Colorize(EnumShortName(pb::ObjectiveStatus_descriptor(), o.status()),
                  o.status() == pb::OBJECTIVE_STATUS_MISSED ? "red" : "",
                  g.color()),
         FormatDate(o.target_time()), OrDash(o.owner()), o.title()});
  }
  t.Print(std::cout);
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

void AddPlaybookCommands(CLI::App& app, Globals& g) {
  CLI::App* pbs = app.add_subcommand(
      "playbooks",
      "Playbooks: the task each risk trigger opens, and how well each works "
      "(the playbooks plugin)");
  pbs->require_subcommand(1);
  {
    struct Opts {
      int64_t limit = 0;
      int page_size = 200;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = pbs->add_subcommand(
        "list",
        "Playbooks in force, every page unless --limit; columns: PLAYBOOK "
        "SOURCE TRIGGER OWNER DUE TITLE");
    cmd->add_option("--limit", o->limit, "stop after N playbooks (0: all)");
    cmd->add_option("--page-size", o->page_size, "playbooks per request")
        ->check(CLI::Range(1, 1000));
    cmd->callback([&g, o] {
      pb::ListPlaybooksRequest req;
      req.set_page_size(o->page_size);
      const bool json = g.format() == OutputFormat::kJson;
      Table t({{"PLAYBOOK"},
               {"SOURCE"},
               {"TRIGGER"},
               {"OWNER"},
               {"DUE", Align::kRight},
               {"TITLE"}});
      Connection conn(g);
      auto stub = Stub(conn);
      const int64_t n = ForEachPage<pb::ListPlaybooksResponse>(
          req, o->limit,
          [&](const pb::ListPlaybooksRequest& r,
              pb::ListPlaybooksResponse* resp) {
            auto ctx = conn.Context();
            CheckPlugin(stub->ListPlaybooks(ctx.get(), r, resp),
                        "listing playbooks", kPlugin);
          },
          [](const pb::ListPlaybooksResponse& r) -> const auto& {
            return r.playbooks();
          },
          [&](const pb::Playbook& p) {
            if (json) {
              PrintJson(std::cout, p);
              return;
            }
            t.AddRow(
                {p.playbook_id(),
                 EnumShortName(pb::PlaybookSource_descriptor(), p.source()),
                 TriggerText(p.trigger()), OwnerText(p.task().owner()),
                 absl::StrCat(p.task().due_days(), "d"), p.title()});
          });
      if (json) return;
      t.Print(std::cout);
      std::cout << "\n" << n << " playbooks\n";
    });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* cmd = pbs->add_subcommand("show", "One playbook");
    cmd->add_option("playbook", *id, "playbook id")->required();
    cmd->callback([&g, id] {
      pb::GetPlaybookRequest req;
      req.set_playbook_id(*id);
      Connection conn(g);
      pb::Playbook resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->GetPlaybook(ctx.get(), req, &resp),
                  "reading playbook " + *id, kPlugin);
      PrintPlaybook(g, resp);
    });
  }
  {
    struct Opts {
      std::string playbook, segment;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = pbs->add_subcommand(
        "stats",
        "Effectiveness per playbook and segment; columns: PLAYBOOK SEGMENT "
        "TRIGGERED CLOSED ON-TIME MEDIAN-DAYS SAVED");
    cmd->add_option("--playbook", o->playbook, "only this playbook");
    cmd->add_option("--segment", o->segment,
                    "only this segment: one of " +
                        EnumChoices(account::v1::Segment_descriptor()));
    cmd->callback([&g, o] {
      pb::GetEffectivenessRequest req;
      req.set_playbook_id(o->playbook);
      if (!o->segment.empty()) {
        req.set_segment(EnumArg(account::v1::Segment_descriptor(), o->segment));
      }
      Connection conn(g);
      pb::Effectiveness resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->GetEffectiveness(ctx.get(), req, &resp),
                  "playbook effectiveness", kPlugin);
      if (g.format() == OutputFormat::kJson) {
        PrintJson(std::cout, resp);
        return;
      }
      Table t({{"PLAYBOOK"},
               {"SEGMENT"},
               {"TRIGGERED", Align::kRight},
               {"CLOSED", Align::kRight},
               {"ON-TIME", Align::kRight},
               {"MEDIAN-DAYS", Align::kRight},
               {"SAVED", Align::kRight}});
      for (const auto& r : resp.rows()) {
        const bool closed = r.closed() > 0;
        t.AddRow(
            {r.playbook_id(), Segment(r.segment()), absl::StrCat(r.triggered()),
             absl::StrCat(r.closed()),
             closed ? FormatPercent(r.on_time_rate()) : "-",
             closed ? absl::StrFormat("%.1f", r.median_days_to_close()) : "-",
             closed ? FormatPercent(r.save_rate()) : "-"});
      }
      t.Print(std::cout);
      std::cout << "\nas of " << FormatDateTime(resp.as_of_time()) << "\n";
    });
  }
}

void AddPlanCommands(CLI::App& app, Globals& g) {
  CLI::App* plans = app.add_subcommand(
      "plans",
      "Success plans: each account's objectives and their status (the "
      "playbooks plugin)");
  plans->require_subcommand(1);
  {
    struct Opts {
      int64_t limit = 0;
      int page_size = 200;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = plans->add_subcommand(
        "list",
        "Success plans, every page unless --limit; columns: ACCOUNT STATUS "
        "OBJECTIVES UPDATED");
    cmd->add_option("--limit", o->limit, "stop after N plans (0: all)");
    cmd->add_option("--page-size", o->page_size, "plans per request")
        ->check(CLI::Range(1, 1000));
    cmd->callback([&g, o] {
      pb::ListSuccessPlansRequest req;
      req.set_page_size(o->page_size);
      const bool json = g.format() == OutputFormat::kJson;
      Table t({{"ACCOUNT"},
               {"STATUS"},
               {"OBJECTIVES", Align::kRight},
               {"UPDATED"}});
      Connection conn(g);
      auto stub = Stub(conn);
      const int64_t n = ForEachPage<pb::ListSuccessPlansResponse>(
          req, o->limit,
          [&](const pb::ListSuccessPlansRequest& r,
              pb::ListSuccessPlansResponse* resp) {
            auto ctx = conn.Context();
            CheckPlugin(stub->ListSuccessPlans(ctx.get(), r, resp),
                        "listing success plans", kPlugin);
          },
          [](const pb::ListSuccessPlansResponse& r) -> const auto& {
            return r.plans();
          },
          [&](const pb::SuccessPlan& p) {
            if (json) {
              PrintJson(std::cout, p);
              return;
            }
            t.AddRow(
                {p.account_id(),
                 EnumShortName(pb::ObjectiveStatus_descriptor(), p.status()),
                 absl::StrCat(p.objectives_size()),
                 FormatDate(p.update_time())});
          });
      if (json) return;
      t.Print(std::cout);
      std::cout << "\n" << n << " success plans\n";
    });
  }
  {
    auto account = std::make_shared<std::string>();
    CLI::App* cmd = plans->add_subcommand("show", "An account's success plan");
    cmd->add_option("account", *account, "account id")->required();
    cmd->callback([&g, account] {
      pb::GetSuccessPlanRequest req;
      req.set_account_id(AccountIdArg(*account));
      Connection conn(g);
      pb::SuccessPlan resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->GetSuccessPlan(ctx.get(), req, &resp),
                  "reading the success plan of " + *account, kPlugin);
      PrintPlan(g, resp);
    });
  }
  {
    auto account = std::make_shared<std::string>();
    CLI::App* cmd = plans->add_subcommand(
        "create",
        "Start an account's success plan (add objectives with `plans "
        "objective`)");
    cmd->add_option("account", *account, "account id")->required();
    cmd->callback([&g, account] {
      pb::CreateSuccessPlanRequest req;
      req.mutable_plan()->set_account_id(AccountIdArg(*account));
      Connection conn(g);
      pb::SuccessPlan resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->CreateSuccessPlan(ctx.get(), req, &resp),
                  "creating the success plan of " + *account, kPlugin);
      PrintPlan(g, resp);
    });
  }
  {
    struct Opts {
      std::string account, id, title, criteria, owner, target, achieved;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = plans->add_subcommand(
        "objective", "Add an objective to a success plan, or replace it");
    cmd->add_option("account", o->account, "account id")->required();
    cmd->add_option("objective", o->id, "objective id")->required();
    cmd->add_option("title", o->title, "what the customer wants to achieve")
        ->required();
    cmd->add_option("--target", o->target, "target date")->required();
    cmd->add_option("--criteria", o->criteria, "how success is measured");
    cmd->add_option("--owner", o->owner, "who owns it");
    cmd->add_option("--achieved", o->achieved, "when it was achieved");
    cmd->callback([&g, o] {
      pb::UpsertObjectiveRequest req;
      req.set_account_id(AccountIdArg(o->account));
      auto* obj = req.mutable_objective();
      obj->set_objective_id(o->id);
      obj->set_title(o->title);
      obj->set_success_criteria(o->criteria);
      obj->set_owner(o->owner);
      *obj->mutable_target_time() = TimeArg(o->target);
      if (!o->achieved.empty()) {
        *obj->mutable_achieve_time() = TimeArg(o->achieved);
      }
      Connection conn(g);
      pb::SuccessPlan resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->UpsertObjective(ctx.get(), req, &resp),
                  "saving objective " + o->id, kPlugin);
      PrintPlan(g, resp);
    });
  }
}

}  // namespace

void AddPlaybooksCommands(CLI::App& app, Globals& g) {
  AddTaskCommands(app, g);
  AddPlaybookCommands(app, g);
  AddPlanCommands(app, g);
}

}  // namespace retain::cli
