// opportunities list|get|create|stage|forecast|suggestions — the expansion
// plugin's verbs (retain.plugins.expansion.v1.ExpansionService). When the
// plugin is not loaded, retaind answers UNIMPLEMENTED and retainctl exits 8.
#include <cstdint>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/cli/args.h"
#include "clients/cli/commands.h"
#include "clients/cli/format.h"
#include "clients/cli/table.h"
#include "retain/plugins/expansion/v1/expansion.grpc.pb.h"

namespace retain::cli {
namespace {

namespace ex = ::retain::plugins::expansion::v1;

constexpr char kPlugin[] = "expansion";

std::string StageName(ex::Stage s) {
  return EnumShortName(ex::Stage_descriptor(), s);
}

std::string StageCell(ex::Stage s, bool color) {
  return Colorize(StageName(s),
                  s == ex::STAGE_WON    ? "green"
                  : s == ex::STAGE_LOST ? "dim"
                                        : "",
                  color);
}

std::unique_ptr<ex::ExpansionService::Stub> Stub(const Connection& conn) {
  return ex::ExpansionService::NewStub(conn.channel());
}

void PrintOpportunity(const Globals& g, const ex::Opportunity& o) {
  if (g.format() == OutputFormat::kJson) {
    PrintJson(std::cout, o);
    return;
  }
  const bool color = g.color();
  PrintFields(
      std::cout,
      {{"opportunity", o.opportunity_id()},
       {"account",
        o.account_id() + (o.flagged_red()
                              ? " " + Colorize("(red account)", "red", color)
                              : "")},
       {"type", EnumShortName(ex::OpportunityType_descriptor(), o.type())},
       {"amount", FormatMoney(o.amount())},
       {"stage", StageCell(o.stage(), color)},
       {"probability", FormatPercent(o.probability(), 0)},
       {"weighted", FormatMoney(o.amount() * o.probability())},
       {"close", FormatDate(o.close_time())},
       {"source", o.source().empty() ? "-" : o.source()},
       {"description", o.description().empty() ? "-" : o.description()},
       {"created", FormatDateTime(o.create_time())}});
  if (o.history().empty()) return;
  std::cout << "\n";
  Table t({{"CHANGED"}, {"FROM"}, {"TO"}});
  for (const auto& h : o.history()) {
    t.AddRow({FormatDateTime(h.change_time()), StageName(h.from()),
              StageName(h.to())});
  }
  t.Print(std::cout);
}

// Prints the opportunities one list call finds, page after page (as JSON
// lines while they arrive, or one table with totals).
void ListAndPrint(const Globals& g, ex::ListOpportunitiesRequest req,
                  int64_t limit, const std::string& what) {
  const bool json = g.format() == OutputFormat::kJson;
  const bool color = g.color();
  Table t({{"OPPORTUNITY"},
           {"ACCOUNT"},
           {"TYPE"},
           {"STAGE"},
           {"AMOUNT", Align::kRight},
           {"PROB", Align::kRight},
           {"WEIGHTED", Align::kRight},
           {"CLOSE"},
           {"SOURCE"},
           {"FLAGS"}});
  double open = 0, weighted = 0;
  Connection conn(g);
  auto stub = Stub(conn);
  const int64_t count = ForEachPage<ex::ListOpportunitiesResponse>(
      req, limit,
      [&](const ex::ListOpportunitiesRequest& r,
          ex::ListOpportunitiesResponse* resp) {
        auto ctx = conn.Context();
        CheckPlugin(stub->ListOpportunities(ctx.get(), r, resp),
                    "listing " + what, kPlugin);
      },
      [](const ex::ListOpportunitiesResponse& r) -> const auto& {
        return r.opportunities();
      },
      [&](const ex::Opportunity& o) {
        if (json) {
          PrintJson(std::cout, o);
          return;
        }
        const bool closed =
            o.stage() == ex::STAGE_WON || o.stage() == ex::STAGE_LOST;
        if (!closed) {
          open += o.amount();
          weighted += o.amount() * o.probability();
        }
        t.AddRow(
            {o.opportunity_id(), o.account_id(),
             EnumShortName(ex::OpportunityType_descriptor(), o.type()),
             StageCell(o.stage(), color), FormatMoney(o.amount()),
             FormatPercent(o.probability(), 0),
             FormatMoney(o.amount() * o.probability()),
             FormatDate(o.close_time()), o.source().empty() ? "-" : o.source(),
             o.flagged_red() ? Colorize("red account", "red", color) : "-"});
      });
  if (json) return;
  t.Print(std::cout);
  std::cout << "\n"
            << count << " " << what << "; open " << FormatMoney(open)
            << ", weighted " << FormatMoney(weighted) << "\n";
}

}  // namespace

void AddExpansionCommands(CLI::App& app, Globals& g) {
  CLI::App* opp = app.add_subcommand(
      "opportunities",
      "Expansion pipeline: opportunities, stages, forecast (the expansion "
      "plugin)");
  opp->alias("opps");
  opp->require_subcommand(1);

  {
    struct Opts {
      std::string account, source;
      bool all = false;
      int64_t limit = 0;
      int page_size = 200;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = opp->add_subcommand(
        "list",
        "Open opportunities (all with --all), every page unless --limit; "
        "columns: OPPORTUNITY ACCOUNT TYPE STAGE AMOUNT PROB WEIGHTED CLOSE "
        "SOURCE FLAGS");
    cmd->add_option("--account", o->account, "only this account's");
    cmd->add_option("--source", o->source,
                    "only \"usage\" (suggested by the plugin) or \"manual\"")
        ->check(CLI::IsMember({"usage", "manual"}));
    cmd->add_flag("-a,--all", o->all, "include won and lost opportunities");
    cmd->add_option("--limit", o->limit, "stop after N opportunities (0: all)");
    cmd->add_option("--page-size", o->page_size, "opportunities per request")
        ->check(CLI::Range(1, 1000));
    cmd->callback([&g, o] {
      ex::ListOpportunitiesRequest req;
      if (!o->account.empty()) req.set_account_id(AccountIdArg(o->account));
      req.set_include_closed(o->all);
      req.set_source(o->source);
      req.set_page_size(o->page_size);
      ListAndPrint(g, req, o->limit, "opportunities");
    });
  }
  {
    struct Opts {
      std::string account;
      bool all = false;
      int64_t limit = 0;
      int page_size = 200;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = opp->add_subcommand(
        "suggestions",
        "Opportunities the plugin suggested from seat utilisation (source "
        "\"usage\"), filtered by the server");
    cmd->add_option("--account", o->account, "only this account's");
    cmd->add_flag("-a,--all", o->all, "include won and lost suggestions");
    cmd->add_option("--limit", o->limit, "stop after N suggestions (0: all)");
    cmd->add_option("--page-size", o->page_size, "suggestions per request")
        ->check(CLI::Range(1, 1000));
    cmd->callback([&g, o] {
      ex::ListOpportunitiesRequest req;
      if (!o->account.empty()) req.set_account_id(AccountIdArg(o->account));
      req.set_include_closed(o->all);
      req.set_source("usage");
      req.set_page_size(o->page_size);
      ListAndPrint(g, req, o->limit, "suggestions");
    });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* cmd =
        opp->add_subcommand("get", "One opportunity with its stage history");
    cmd->add_option("opportunity", *id, "opportunity id")->required();
    cmd->callback([&g, id] {
      ex::GetOpportunityRequest req;
      req.set_opportunity_id(*id);
      Connection conn(g);
      ex::Opportunity o;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->GetOpportunity(ctx.get(), req, &o),
                  "opportunity " + *id, kPlugin);
      PrintOpportunity(g, o);
    });
  }
  {
    struct Opts {
      std::string account, type, stage, close, description, id;
      double amount = 0, probability = 0;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd =
        opp->add_subcommand("create", "Open an opportunity on an account");
    cmd->add_option("account", o->account, "account id")->required();
    cmd->add_option("--type", o->type,
                    "one of " + EnumChoices(ex::OpportunityType_descriptor()))
        ->required();
    cmd->add_option("--amount", o->amount, "added ARR if won")->required();
    cmd->add_option("--stage", o->stage,
                    "open stage (default identified): " +
                        EnumChoices(ex::Stage_descriptor()));
    cmd->add_option("--probability", o->probability,
                    "0-1 (default: the stage's)");
    cmd->add_option("--close", o->close, "expected close date");
    cmd->add_option("-d,--description", o->description, "free text");
    cmd->add_option("--id", o->id,
                    "opportunity id (idempotency key; re-running with the "
                    "same id creates nothing new)");
    cmd->callback([&g, o] {
      ex::CreateOpportunityRequest req;
      req.set_account_id(AccountIdArg(o->account));
      req.set_type(static_cast<ex::OpportunityType>(
          EnumArg(ex::OpportunityType_descriptor(), o->type)));
      req.set_amount(o->amount);
      if (!o->stage.empty()) {
        req.set_stage(
            static_cast<ex::Stage>(EnumArg(ex::Stage_descriptor(), o->stage)));
      }
      req.set_probability(o->probability);
      if (!o->close.empty()) *req.mutable_close_time() = TimeArg(o->close);
      req.set_description(o->description);
      req.set_opportunity_id(o->id);
      Connection conn(g);
      ex::Opportunity resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->CreateOpportunity(ctx.get(), req, &resp),
                  "creating opportunity", kPlugin);
      PrintOpportunity(g, resp);
    });
  }
  {
    struct Opts {
      std::string id, stage;
      double probability = 0;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = opp->add_subcommand(
        "stage",
        "Move an opportunity to a stage; \"won\" records an expansion signal "
        "(so NRR sees it)");
    cmd->add_option("opportunity", o->id, "opportunity id")->required();
    cmd->add_option("stage", o->stage,
                    "one of " + EnumChoices(ex::Stage_descriptor()))
        ->required();
    cmd->add_option("--probability", o->probability,
                    "0-1 (default: the stage's)");
    cmd->callback([&g, o] {
      ex::UpdateStageRequest req;
      req.set_opportunity_id(o->id);
      req.set_stage(
          static_cast<ex::Stage>(EnumArg(ex::Stage_descriptor(), o->stage)));
      req.set_probability(o->probability);
      Connection conn(g);
      ex::Opportunity resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->UpdateStage(ctx.get(), req, &resp),
                  "moving opportunity " + o->id, kPlugin);
      PrintOpportunity(g, resp);
    });
  }
  opp->add_subcommand(
         "forecast",
         "Stage-weighted forecast: pipeline by stage, won and lost, open "
         "amount on red accounts")
      ->callback([&g] {
        Connection conn(g);
        ex::Forecast f;
        auto ctx = conn.Context();
        CheckPlugin(Stub(conn)->GetForecast(ctx.get(), {}, &f),
                    "expansion forecast", kPlugin);
        if (g.format() == OutputFormat::kJson) {
          PrintJson(std::cout, f);
          return;
        }
        const bool color = g.color();
        PrintFields(
            std::cout,
            {{"weighted pipeline", FormatMoney(f.weighted_pipeline())},
             {"open", absl::StrCat(FormatMoney(f.open_amount()), " in ",
                                   f.open_count(), " opportunities")},
             {"won", absl::StrCat(FormatMoney(f.won_amount()), " in ",
                                  f.won_count(), " opportunities")},
             {"lost", absl::StrCat(f.lost_count(), " opportunities")},
             {"on red accounts",
              f.flagged_red_count() == 0
                  ? std::string("none")
                  : Colorize(absl::StrCat(FormatMoney(f.flagged_red_amount()),
                                          " in ", f.flagged_red_count(),
                                          " opportunities"),
                             "red", color)}});
        std::cout << "\n";
        Table t({{"STAGE"},
                 {"COUNT", Align::kRight},
                 {"AMOUNT", Align::kRight},
                 {"WEIGHTED", Align::kRight}});
        for (const auto& s : f.by_stage()) {
          t.AddRow({StageCell(s.stage(), color), FormatCount(s.count()),
                    FormatMoney(s.amount()), FormatMoney(s.weighted())});
        }
        t.Print(std::cout);
      });
}

}  // namespace retain::cli
