// playbooks list|show|stats, and the entry point for all the playbooks
// plugin's verbs (tasks: cmd_tasks.cc, plans: cmd_plans.cc).
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

}  // namespace

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
      std::string playbook, segment, as_of;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = pbs->add_subcommand(
        "stats",
        "Effectiveness per playbook and segment; columns: PLAYBOOK SEGMENT "
        "TRIGGERED CLOSED ON-TIME MEDIAN-DAYS SAVE-RATE (ARR kept at the next "
        "renewal or 180 days on) UNDECIDED CSM-SAVED (the outcomes recorded) "
        "HEALTH+30D HEALTH+60D HEALTH+90D (change against comparable "
        "untreated accounts)");
    cmd->add_option("--playbook", o->playbook, "only this playbook");
    cmd->add_option("--segment", o->segment,
                    "only this segment: one of " +
                        EnumChoices(account::v1::Segment_descriptor()));
    cmd->add_option("--as-of", o->as_of,
                    "only tasks triggered by then, measured as of then");
    cmd->callback([&g, o] {
      pb::GetEffectivenessRequest req;
      req.set_playbook_id(o->playbook);
      if (!o->segment.empty()) {
        req.set_segment(EnumArg(account::v1::Segment_descriptor(), o->segment));
      }
      if (!o->as_of.empty()) *req.mutable_as_of_time() = TimeArg(o->as_of);
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
               {"SAVE-RATE", Align::kRight},
               {"UNDECIDED", Align::kRight},
               {"CSM-SAVED", Align::kRight},
               {"HEALTH+30D", Align::kRight},
               {"HEALTH+60D", Align::kRight},
               {"HEALTH+90D", Align::kRight}});
      // "-" where there is nothing to measure yet, not a misleading 0.
      auto delta = [](double d, int compared) {
        return compared > 0 ? absl::StrFormat("%+.2f", d) : std::string("-");
      };
      for (const auto& r : resp.rows()) {
        const bool closed = r.closed() > 0;
        const bool decided = r.saved() + r.lost() > 0;
        const bool recorded = r.outcome_saved() + r.outcome_lost() > 0;
        t.AddRow(
            {r.playbook_id(), Segment(r.segment()), absl::StrCat(r.triggered()),
             absl::StrCat(r.closed()),
             closed ? FormatPercent(r.on_time_rate()) : "-",
             closed ? absl::StrFormat("%.1f", r.median_days_to_close()) : "-",
             decided ? FormatPercent(r.save_rate()) : "-",
             absl::StrCat(r.save_undecided()),
             recorded ? FormatPercent(r.outcome_save_rate()) : "-",
             delta(r.health_delta_30d(), r.health_compared_30d()),
             delta(r.health_delta_60d(), r.health_compared_60d()),
             delta(r.health_delta_90d(), r.health_compared_90d())});
      }
      t.Print(std::cout);
      std::cout << "\nas of " << FormatDateTime(resp.as_of_time()) << "\n";
    });
  }
}

}  // namespace retain::cli::playbooks_verbs

namespace retain::cli {

void AddPlaybooksCommands(CLI::App& app, Globals& g) {
  playbooks_verbs::AddTaskCommands(app, g);
  playbooks_verbs::AddPlaybookCommands(app, g);
  playbooks_verbs::AddPlanCommands(app, g);
}

}  // namespace retain::cli
