// plans list|show|create|objective: the playbooks plugin's success plans
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
  // The onboarding milestones each objective links, as onboarding has them
  // now (or why they cannot be read).
  Table links({{"OBJECTIVE"}, {"MILESTONE"}, {"STATUS"}, {"DUE"}, {"NOTE"}});
  bool any = false;
  for (const auto& o : p.objectives()) {
    for (const auto& m : o.linked_milestones()) {
      any = true;
      const bool bad = m.status() == pb::LINKED_MILESTONE_STATUS_OVERDUE ||
                       m.status() == pb::LINKED_MILESTONE_STATUS_UNAVAILABLE;
      links.AddRow(
          {o.objective_id(), OrDash(m.milestone_key()),
           Colorize(EnumShortName(pb::LinkedMilestoneStatus_descriptor(),
                                  m.status()),
                    bad ? "red" : "", g.color()),
           m.has_due_time() ? FormatDate(m.due_time()) : "-",
           OrDash(m.unavailable_reason())});
    }
  }
  if (!any) return;
  std::cout << "\n";
  links.Print(std::cout);
}

}  // namespace

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
      std::vector<std::string> milestones;
      bool onboarding_plan = false;
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
    cmd->add_option("--milestone", o->milestones,
                    "link an onboarding milestone by key (repeatable)");
    cmd->add_flag("--onboarding-plan", o->onboarding_plan,
                  "link the account's whole onboarding plan");
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
      for (const auto& m : o->milestones) obj->add_milestone_keys(m);
      obj->set_link_onboarding_plan(o->onboarding_plan);
      Connection conn(g);
      pb::SuccessPlan resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->UpsertObjective(ctx.get(), req, &resp),
                  "saving objective " + o->id, kPlugin);
      PrintPlan(g, resp);
    });
  }
}

}  // namespace retain::cli::playbooks_verbs
