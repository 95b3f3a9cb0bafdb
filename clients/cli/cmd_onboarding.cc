// milestones start|show|complete|overdue|metrics — the onboarding plugin's
// verbs (retain.plugins.onboarding.v1.OnboardingService). When the plugin
// is not loaded, retaind answers UNIMPLEMENTED and retainctl exits 8.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/cli/args.h"
#include "clients/cli/commands.h"
#include "clients/cli/format.h"
#include "clients/cli/table.h"
#include "retain/plugins/onboarding/v1/onboarding.grpc.pb.h"

namespace retain::cli {
namespace {

namespace ob = ::retain::plugins::onboarding::v1;

constexpr char kPlugin[] = "onboarding";

std::string Id(const std::string& ref) { return AccountIdArg(ref); }

void PrintPlan(const Globals& g, const ob::Plan& p) {
  if (g.format() == OutputFormat::kJson) {
    PrintJson(std::cout, p);
    return;
  }
  const bool color = g.color();
  std::cout << "Onboarding of " << p.account_id() << " (" << p.template_()
            << ") since " << FormatDate(p.start_time()) << ": " << p.completed()
            << "/" << p.milestones_size() << " milestones done";
  if (p.overdue() > 0) {
    std::cout << ", "
              << Colorize(absl::StrCat(p.overdue(), " overdue"), "red", color);
  }
  if (p.time_to_first_value_days() > 0) {
    std::cout << absl::StrFormat(", first value after %.0f days",
                                 p.time_to_first_value_days());
  }
  std::cout << (p.complete() ? " (complete)" : "") << "\n\n";
  Table t({{"MILESTONE"}, {"DUE"}, {"STATUS"}, {"COMPLETED"}, {"BY"}});
  for (const auto& m : p.milestones()) {
    const std::string status =
        EnumShortName(ob::MilestoneStatus_descriptor(), m.status());
    t.AddRow({m.key(), FormatDate(m.due_time()),
              Colorize(status,
                       m.status() == ob::MILESTONE_STATUS_OVERDUE     ? "red"
                       : m.status() == ob::MILESTONE_STATUS_COMPLETED ? "green"
                                                                      : "",
                       color),
              FormatDate(m.complete_time()),
              m.completed_by().empty() ? "-" : m.completed_by()});
  }
  t.Print(std::cout);
}

}  // namespace

void AddOnboardingCommands(CLI::App& app, Globals& g) {
  CLI::App* ms = app.add_subcommand(
      "milestones", "Onboarding plans and milestones (the onboarding plugin)");
  ms->require_subcommand(1);

  {
    struct Opts {
      std::string account, template_name, start;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = ms->add_subcommand(
        "start", "Start an account's onboarding plan from a template");
    cmd->add_option("account", o->account, "account id")->required();
    cmd->add_option("--template", o->template_name,
                    "plan template (the plugin's default when unset)");
    cmd->add_option("--start", o->start, "plan start (default: now)");
    cmd->callback([&g, o] {
      ob::StartOnboardingRequest req;
      req.set_account_id(Id(o->account));
      req.set_template_(o->template_name);
      if (!o->start.empty()) *req.mutable_start_time() = TimeArg(o->start);
      Connection conn(g);
      auto stub = ob::OnboardingService::NewStub(conn.channel());
      ob::Plan p;
      auto ctx = conn.Context();
      CheckPlugin(stub->StartOnboarding(ctx.get(), req, &p),
                  "starting onboarding", kPlugin);
      PrintPlan(g, p);
    });
  }
  {
    auto account = std::make_shared<std::string>();
    CLI::App* cmd =
        ms->add_subcommand("show", "An account's plan and milestones");
    cmd->add_option("account", *account, "account id")->required();
    cmd->callback([&g, account] {
      ob::GetPlanRequest req;
      req.set_account_id(Id(*account));
      Connection conn(g);
      auto stub = ob::OnboardingService::NewStub(conn.channel());
      ob::Plan p;
      auto ctx = conn.Context();
      CheckPlugin(stub->GetPlan(ctx.get(), req, &p), "onboarding plan",
                  kPlugin);
      PrintPlan(g, p);
    });
  }
  {
    struct Opts {
      std::string account, milestone, at;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = ms->add_subcommand("complete", "Mark a milestone done");
    cmd->add_option("account", o->account, "account id")->required();
    cmd->add_option("milestone", o->milestone, "milestone key")->required();
    cmd->add_option("--at", o->at, "when (default: now)");
    cmd->callback([&g, o] {
      ob::CompleteMilestoneRequest req;
      req.set_account_id(Id(o->account));
      req.set_milestone(o->milestone);
      if (!o->at.empty()) *req.mutable_complete_time() = TimeArg(o->at);
      Connection conn(g);
      auto stub = ob::OnboardingService::NewStub(conn.channel());
      ob::Plan p;
      auto ctx = conn.Context();
      CheckPlugin(stub->CompleteMilestone(ctx.get(), req, &p),
                  "completing milestone", kPlugin);
      PrintPlan(g, p);
    });
  }
  ms->add_subcommand("overdue", "Overdue milestones across accounts")
      ->callback([&g] {
        Connection conn(g);
        auto stub = ob::OnboardingService::NewStub(conn.channel());
        ob::ListOverdueResponse resp;
        auto ctx = conn.Context();
        CheckPlugin(stub->ListOverdue(ctx.get(), {}, &resp),
                    "overdue milestones", kPlugin);
        if (g.format() == OutputFormat::kJson) {
          for (const auto& m : resp.milestones()) PrintJson(std::cout, m);
          return;
        }
        Table t({{"ACCOUNT"},
                 {"MILESTONE"},
                 {"DUE"},
                 {"DAYS OVERDUE", Align::kRight}});
        for (const auto& m : resp.milestones()) {
          t.AddRow({m.account_id(), m.milestone(), FormatDate(m.due_time()),
                    absl::StrFormat("%.0f", m.days_overdue())});
        }
        t.Print(std::cout);
        std::cout << "\n" << resp.milestones_size() << " overdue milestones\n";
      });
  ms->add_subcommand("metrics", "Completion rate and time to first value")
      ->callback([&g] {
        Connection conn(g);
        auto stub = ob::OnboardingService::NewStub(conn.channel());
        ob::OnboardingMetrics m;
        auto ctx = conn.Context();
        CheckPlugin(stub->GetMetrics(ctx.get(), {}, &m), "onboarding metrics",
                    kPlugin);
        if (g.format() == OutputFormat::kJson) {
          PrintJson(std::cout, m);
          return;
        }
        PrintFields(
            std::cout,
            {{"plans", absl::StrCat(m.plans())},
             {"complete",
              absl::StrCat(m.plans_complete(), " (",
                           FormatPercent(m.completion_rate()), ")")},
             {"avg time to first value",
              absl::StrFormat("%.1f days", m.avg_time_to_first_value_days())},
             {"overdue milestones",
              absl::StrCat(m.overdue_milestones(), " across ",
                           m.accounts_with_overdue(), " accounts")}});
      });
}

}  // namespace retain::cli
