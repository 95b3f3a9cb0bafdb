// health <account>, at-risk, report portfolio, report health-model.
#include <fstream>
#include <iostream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "api/names.h"
#include "clients/cli/commands.h"
#include "clients/cli/format.h"
#include "clients/cli/records.h"
#include "clients/cli/table.h"
#include "clients/html/interventions_html.h"
#include "clients/html/portfolio_html.h"
#include "retain/plugins/playbooks/v1/playbooks.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"

namespace retain::cli {
namespace {

using report::v1::ReportService;

std::string Band(account::v1::HealthBand band, bool color) {
  const std::string name =
      EnumShortName(account::v1::HealthBand_descriptor(), band);
  const char* c = band == account::v1::HEALTH_BAND_GREEN    ? "green"
                  : band == account::v1::HEALTH_BAND_YELLOW ? "yellow"
                  : band == account::v1::HEALTH_BAND_RED    ? "red"
                                                            : "";
  return Colorize(name, c, color);
}

std::string Seg(int s) {
  return EnumShortName(account::v1::Segment_descriptor(), s);
}

std::optional<google::protobuf::Timestamp> OptionalTime(const std::string& text,
                                                        const char* flag) {
  if (text.empty()) return std::nullopt;
  auto t = ParseTime(text);
  if (!t.ok()) {
    throw CliError(kExitUsage, absl::StrCat(flag, ": ", t.status().message()));
  }
  return ToProto(*t);
}

void PrintHealth(const report::v1::AccountHealth& h, bool color) {
  std::cout << Colorize(
                   h.display_name().empty() ? h.account() : h.display_name(),
                   "bold", color)
            << " (" << api::AccountIdOf(h.account())
            << ")  health "
            // A churned account has no live score (decision 0029).
            << (h.band() == account::v1::HEALTH_BAND_CHURNED
                    ? std::string("-")
                    : FormatScore(h.score()))
            << " " << Band(h.band(), color) << "  ARR " << FormatMoney(h.arr())
            << "  " << Seg(h.segment()) << "  as of "
            << FormatDateTime(h.as_of_time()) << "\n\n";
  Table comps({{"COMPONENT"},
               {"WEIGHT", Align::kRight},
               {"EFFECTIVE", Align::kRight},
               {"SCORE", Align::kRight},
               {"WHY"}});
  for (const auto& c : h.components()) {
    std::string why = c.explanation();
    std::vector<std::string> inputs;
    for (const auto& in : c.inputs())
      inputs.push_back(in.name() + "=" + in.value());
    if (!inputs.empty()) why += " [" + absl::StrJoin(inputs, ", ") + "]";
    comps.AddRow({c.name() + (c.source() != "core" && !c.source().empty()
                                  ? " (" + c.source() + ")"
                                  : ""),
                  FormatPercent(c.weight(), 0),
                  FormatPercent(c.effective_weight(), 0),
                  c.has_data() ? FormatScore(c.score()) : "no data", why});
  }
  comps.Print(std::cout);
  if (h.trends_size() > 0) {
    std::cout << "\n";
    Table trends({{"TREND"},
                  {"SCORE THEN", Align::kRight},
                  {"BAND THEN"},
                  {"CHANGE", Align::kRight}});
    for (const auto& t : h.trends()) {
      trends.AddRow(
          {absl::StrCat(t.days_ago(), " days ago"),
           t.has_score() ? FormatScore(t.score()) : "-",
           t.has_score() ? Band(t.band(), color) : "-",
           t.has_score() ? absl::StrFormat("%+.1f", t.delta()) : "-"});
    }
    trends.Print(std::cout);
  }
  if (h.leading_indicators_size() > 0) {
    std::cout << "\nLeading indicators (churn risk 60-90 days out):\n";
    for (const auto& li : h.leading_indicators()) {
      std::cout << "  - " << li.code() << ": " << li.description();
      if (li.has_observed_time())
        std::cout << " (" << FormatDate(li.observed_time()) << ")";
      std::cout << "\n";
    }
  }
  for (const auto& sec : h.sections()) {
    std::cout << "\n" << sec.title() << " (" << sec.plugin() << "):\n";
    std::vector<std::pair<std::string, std::string>> kv;
    for (const auto& f : sec.fields())
      kv.push_back({"  " + f.name(), f.value()});
    PrintFields(std::cout, kv);
  }
}

std::vector<report::v1::AccountHealth> FetchAtRisk(
    const Connection& conn, report::v1::ListAtRiskAccountsRequest req,
    int limit, double* total_arr, int* total) {
  auto stub = ReportService::NewStub(conn.channel());
  std::vector<report::v1::AccountHealth> out;
  req.set_page_size(1000);
  do {
    report::v1::ListAtRiskAccountsResponse resp;
    auto ctx = conn.Context();
    Check(stub->ListAtRiskAccounts(ctx.get(), req, &resp),
          "listing at-risk accounts");
    if (total_arr) *total_arr = resp.total_arr();
    if (total) *total = resp.total_size();
    for (const auto& a : resp.accounts()) {
      if (limit > 0 && static_cast<int>(out.size()) >= limit) break;
      out.push_back(a);
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty() &&
           (limit == 0 || static_cast<int>(out.size()) < limit));
  return out;
}

// The playbooks plugin's open tasks (now) and effectiveness (as of the
// report) as the HTML report's interventions section; empty when the
// server has no playbooks plugin (UNIMPLEMENTED).
std::string InterventionsSection(const Connection& conn,
                                 const google::protobuf::Timestamp& as_of) {
  namespace pb = plugins::playbooks::v1;
  auto stub = pb::PlaybookService::NewStub(conn.channel());
  html::Interventions in;
  pb::ListTasksRequest req;
  req.set_page_size(1000);
  do {
    pb::ListTasksResponse resp;
    auto ctx = conn.Context();
    grpc::Status s = stub->ListTasks(ctx.get(), req, &resp);
    if (s.error_code() == grpc::StatusCode::UNIMPLEMENTED) return "";
    Check(s, "listing playbook tasks");
    for (const auto& t : resp.tasks()) {
      if (t.status() != pb::TASK_STATUS_DONE) in.open_tasks.push_back(t);
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  pb::GetEffectivenessRequest eff;
  *eff.mutable_as_of_time() = as_of;
  auto ctx = conn.Context();
  Check(stub->GetEffectiveness(ctx.get(), eff, &in.effectiveness),
        "playbook effectiveness");
  return html::RenderInterventionsHtml(in);
}

// Reasons with no churn and no contraction in the period are left out.
void PrintChurnReasons(const report::v1::PortfolioReport& r) {
  std::cout << "\nChurn reasons\n";
  Table reasons({{"REASON"},
                 {"CHURNED", Align::kRight},
                 {"CHURNED ARR", Align::kRight},
                 {"CONTRACTIONS", Align::kRight},
                 {"CONTRACTED ARR", Align::kRight}});
  for (const auto& c : r.churn_reasons()) {
    if (c.churned_accounts() == 0 && c.contractions() == 0) continue;
    reasons.AddRow({c.reason_code(), absl::StrCat(c.churned_accounts()),
                    FormatMoney(c.churned_arr()),
                    absl::StrCat(c.contractions()),
                    FormatMoney(c.contraction_arr())});
  }
  reasons.Print(std::cout);
  std::cout << "\nChurns by tenure\n";
  Table tenure({{"TENURE"},
                {"CHURNED", Align::kRight},
                {"ARR", Align::kRight},
                {"REASONS"}});
  for (const auto& w : r.churn_reasons_by_tenure()) {
    std::string label =
        w.max_months() == 0
            ? absl::StrCat(w.min_months(), "+ months")
            : absl::StrCat(w.min_months(), "-", w.max_months(), " months");
    std::vector<std::string> codes;
    for (const auto& c : w.reasons()) {
      codes.push_back(absl::StrCat(c.reason_code(), " ", c.churned_accounts()));
    }
    tenure.AddRow({label, absl::StrCat(w.churned_accounts()),
                   FormatMoney(w.churned_arr()), absl::StrJoin(codes, ", ")});
  }
  tenure.Print(std::cout);
}

void PrintPortfolio(const report::v1::PortfolioReport& r, bool color) {
  const auto& ret = r.retention();
  std::cout << Colorize("Portfolio", "bold", color) << "  "
            << FormatDate(r.period_start_time()) << " .. "
            << FormatDate(r.as_of_time()) << "\n\n";
  std::vector<std::pair<std::string, std::string>> kv = {
      {"ARR",
       FormatMoney(ret.arr_start()) + " -> " + FormatMoney(ret.arr_end())},
      {"accounts",
       absl::StrCat(ret.accounts_start(), " -> ", ret.accounts_end(), " (",
                    ret.accounts_new(), " new, ", ret.accounts_won_back(),
                    " won back, ", ret.accounts_churned(), " churned)")},
  };
  if (ret.ratios_defined()) {
    kv.push_back({"NRR", FormatPercent(ret.nrr())});
    kv.push_back({"GRR", FormatPercent(ret.grr())});
    kv.push_back({"logo churn", FormatPercent(ret.logo_churn())});
    kv.push_back({"expansion rate", FormatPercent(ret.expansion_rate())});
  } else {
    kv.push_back({"NRR / GRR", "- (no ARR at period start)"});
  }
  kv.push_back({"new logo / expansion", FormatMoney(ret.new_logo_arr()) +
                                            " / " +
                                            FormatMoney(ret.expansion_arr())});
  // Win-backs are not new business and are outside NRR (decision 0033).
  kv.push_back({"win-back", FormatMoney(ret.win_back_arr())});
  kv.push_back({"contraction / churn", FormatMoney(ret.contraction_arr()) +
                                           " / " +
                                           FormatMoney(ret.churned_arr())});
  const auto& sv = r.surveys();
  if (sv.nps_responses() > 0) {
    kv.push_back({"NPS", absl::StrFormat("%.0f (%d answers: %d promoters, %d "
                                         "detractors)",
                                         sv.nps(), sv.nps_responses(),
                                         sv.promoters(), sv.detractors())});
  }
  if (sv.csat_responses() > 0) {
    kv.push_back(
        {"CSAT", absl::StrFormat("%.2f, %s satisfied", sv.csat_average(),
                                 FormatPercent(sv.csat_satisfied_share(), 0))});
  }
  PrintFields(std::cout, kv);

  std::cout << "\nHealth by segment\n";
  Table health({{"SEGMENT"},
                {"GREEN", Align::kRight},
                {"YELLOW", Align::kRight},
                {"RED", Align::kRight},
                {"ARR AT RISK", Align::kRight}});
  for (const auto& s : r.health_by_segment()) {
    health.AddRow({Seg(s.segment()), absl::StrCat(s.green()),
                   absl::StrCat(s.yellow()), absl::StrCat(s.red()),
                   FormatMoney(s.arr_red())});
  }
  health.Print(std::cout);

  PrintChurnReasons(r);

  if (r.retention_trend_size() > 0) {
    std::cout << "\nRetention trend (quarters)\n";
    Table trend({{"QUARTER ENDING"},
                 {"NRR", Align::kRight},
                 {"GRR", Align::kRight},
                 {"LOGO CHURN", Align::kRight}});
    for (const auto& p : r.retention_trend()) {
      trend.AddRow({FormatDate(p.period_end_time()), FormatPercent(p.nrr()),
                    FormatPercent(p.grr()), FormatPercent(p.logo_churn())});
    }
    trend.Print(std::cout);
  }

  std::cout << "\nCoverage (" << r.csms_assigned_total() << " CSMs assigned, "
            << r.csms_needed_total() << " needed)\n";
  Table cov({{"SEGMENT"},
             {"MODEL"},
             {"ACCOUNTS", Align::kRight},
             {"ARR", Align::kRight},
             {"CSMS NEEDED", Align::kRight},
             {"ASSIGNED", Align::kRight},
             {"PER CSM", Align::kRight},
             {"CADENCE BREACHED", Align::kRight}});
  for (const auto& c : r.coverage()) {
    cov.AddRow({Seg(c.segment()), c.model(), absl::StrCat(c.accounts()),
                FormatMoney(c.arr()), absl::StrCat(c.csms_needed()),
                absl::StrCat(c.csms_assigned()),
                absl::StrFormat("%.1f", c.accounts_per_csm()),
                absl::StrCat(c.accounts_cadence_breached())});
  }
  cov.Print(std::cout);

  if (r.renewals_size() > 0) {
    std::cout << "\nRenewals\n";
    Table ren({{"WITHIN"},
               {"ACCOUNTS", Align::kRight},
               {"ARR", Align::kRight},
               {"AT RISK", Align::kRight},
               {"TO MONITOR", Align::kRight}});
    for (const auto& w : r.renewals()) {
      ren.AddRow({absl::StrCat(w.within_days(), " days"),
                  absl::StrCat(w.accounts()), FormatMoney(w.arr()),
                  FormatMoney(w.arr_at_risk()),
                  FormatMoney(w.arr_to_monitor())});
    }
    const auto& od = r.overdue_renewals();
    ren.AddRow({"overdue", absl::StrCat(od.accounts()), FormatMoney(od.arr()),
                FormatMoney(od.arr_at_risk()), "-"});
    ren.Print(std::cout);
    if (od.renewals_size() > 0) {
      std::cout << "\nOverdue renewals\n";
      Table over({{"ACCOUNT"},
                  {"NAME"},
                  {"RENEWAL"},
                  {"DAYS OVERDUE", Align::kRight},
                  {"ARR", Align::kRight}});
      for (const auto& item : od.renewals()) {
        over.AddRow({api::AccountIdOf(item.account()), item.display_name(),
                     FormatDate(item.renewal_time()),
                     absl::StrFormat("%.0f", item.days_overdue()),
                     FormatMoney(item.arr())});
      }
      over.Print(std::cout);
    }
  }

  if (r.time_to_churn_size() > 0) {
    std::cout << "\nTime to churn\n";
    Table ttc({{"TENURE"},
               {"ACCOUNTS", Align::kRight},
               {"ARR", Align::kRight},
               {"LIKELY CAUSE"}});
    for (const auto& w : r.time_to_churn()) {
      ttc.AddRow({w.label(), absl::StrCat(w.accounts()), FormatMoney(w.arr()),
                  w.likely_cause()});
    }
    ttc.Print(std::cout);
  }

  if (r.kpis_size() > 0) {
    std::cout << "\nTargets\n";
    Table kpis({{"KPI"},
                {"TARGET", Align::kRight},
                {"ACTUAL", Align::kRight},
                {"MET"}});
    for (const auto& k : r.kpis()) {
      auto fmt = [&](double v) { return FormatKpi(v, k.unit()); };
      kpis.AddRow({k.name(),
                   (k.direction() == "max" ? "<= " : ">= ") + fmt(k.target()),
                   k.has_data() ? fmt(k.actual()) : "-",
                   !k.has_data() ? "no data"
                   : k.met()     ? Colorize("yes", "green", color)
                                 : Colorize("no", "red", color)});
    }
    kpis.Print(std::cout);
    // Period KPIs over a period that is not a year say so (annual targets).
    for (const auto& k : r.kpis()) {
      if (!k.note().empty()) std::cout << k.name() << ": " << k.note() << "\n";
    }
  }
  for (const auto& sec : r.sections()) {
    std::cout << "\n" << sec.title() << " (" << sec.plugin() << ")\n";
    std::vector<std::pair<std::string, std::string>> kv2;
    for (const auto& f : sec.fields())
      kv2.push_back({"  " + f.name(), f.value()});
    PrintFields(std::cout, kv2);
  }
}

}  // namespace

void AddReportCommands(CLI::App& app, Globals& g) {
  // health <account>
  {
    struct Opts {
      std::string account, as_of;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = app.add_subcommand(
        "health",
        "An account's explained health score: components, inputs, "
        "trend, leading indicators");
    cmd->add_option("account", o->account, "account id")->required();
    cmd->add_option("--as-of", o->as_of, "score the history as it stood then");
    cmd->callback([&g, o] {
      report::v1::GetAccountHealthRequest req;
      auto name = AccountResourceName(o->account);
      if (!name.ok())
        throw CliError(kExitUsage, std::string(name.status().message()));
      req.set_account(*name);
      if (auto t = OptionalTime(o->as_of, "--as-of"))
        *req.mutable_as_of_time() = *t;
      Connection conn(g);
      auto stub = ReportService::NewStub(conn.channel());
      report::v1::AccountHealth h;
      auto ctx = conn.Context();
      Check(stub->GetAccountHealth(ctx.get(), req, &h), "health of " + *name);
      if (g.format() == OutputFormat::kJson) {
        PrintJson(std::cout, h);
      } else {
        PrintHealth(h, g.color());
      }
    });
  }

  // at-risk
  {
    struct Opts {
      std::string segment, as_of;
      int limit = 0;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd =
        app.add_subcommand("at-risk",
                           "Red accounts, largest ARR first, with the leading "
                           "indicators that moved");
    cmd->add_option("--segment", o->segment, "only this segment");
    cmd->add_option("--as-of", o->as_of, "as the history stood then");
    cmd->add_option("--limit", o->limit, "at most N accounts (0: all)");
    cmd->callback([&g, o] {
      report::v1::ListAtRiskAccountsRequest req;
      if (!o->segment.empty()) {
        auto s = ParseEnum(account::v1::Segment_descriptor(), o->segment);
        if (!s.ok())
          throw CliError(kExitUsage, std::string(s.status().message()));
        req.set_segment(static_cast<account::v1::Segment>(*s));
      }
      if (auto t = OptionalTime(o->as_of, "--as-of"))
        *req.mutable_as_of_time() = *t;
      Connection conn(g);
      double total_arr = 0;
      int total = 0;
      auto list = FetchAtRisk(conn, req, o->limit, &total_arr, &total);
      if (g.format() == OutputFormat::kJson) {
        for (const auto& a : list) PrintJson(std::cout, a);
        return;
      }
      const bool color = g.color();
      Table table({{"ACCOUNT"},
                   {"NAME"},
                   {"SEGMENT"},
                   {"ARR", Align::kRight},
                   {"HEALTH", Align::kRight},
                   {"30D", Align::kRight},
                   {"LEADING INDICATORS"}});
      for (const auto& a : list) {
        std::vector<std::string> codes;
        for (const auto& li : a.leading_indicators())
          codes.push_back(li.code());
        std::string trend = "-";
        for (const auto& t : a.trends()) {
          if (t.days_ago() == 30 && t.has_score()) {
            trend = absl::StrFormat("%+.1f", t.delta());
          }
        }
        table.AddRow({api::AccountIdOf(a.account()), a.display_name(),
                      Seg(a.segment()), FormatMoney(a.arr()),
                      Colorize(FormatScore(a.score()), "red", color), trend,
                      codes.empty() ? "-" : absl::StrJoin(codes, ", ")});
      }
      table.Print(std::cout);
      std::cout << "\n"
                << FormatCount(total) << " accounts at risk, "
                << FormatMoney(total_arr) << " ARR\n";
    });
  }

  CLI::App* report = app.add_subcommand("report", "Portfolio-level reports");
  report->require_subcommand(1);

  // report portfolio
  {
    struct Opts {
      std::string period, as_of, html;
      int at_risk = 25;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = report->add_subcommand(
        "portfolio",
        "Retention (NRR, GRR, churn), health by segment, "
        "coverage, renewals and targets for a period");
    cmd->add_option("--period", o->period,
                    "period length before --as-of: 90d, 12w, 6m, 1q, 1y "
                    "(default: 1y)");
    cmd->add_option("--as-of", o->as_of, "end of the period (default: now)");
    cmd->add_option("--html", o->html,
                    "also write a self-contained HTML report with charts to "
                    "FILE");
    cmd->add_option("--at-risk", o->at_risk,
                    "accounts in the HTML report's at-risk list")
        ->capture_default_str();
    cmd->callback([&g, o] {
      report::v1::GetPortfolioReportRequest req;
      absl::Time as_of = absl::Now();
      if (auto t = OptionalTime(o->as_of, "--as-of")) {
        *req.mutable_as_of_time() = *t;
        as_of = FromProto(*t);
      }
      if (!o->period.empty()) {
        auto p = ParsePeriod(o->period);
        if (!p.ok())
          throw CliError(kExitUsage, std::string(p.status().message()));
        *req.mutable_as_of_time() = ToProto(as_of);
        *req.mutable_period_start_time() = ToProto(as_of - *p);
      }
      Connection conn(g);
      auto stub = ReportService::NewStub(conn.channel());
      report::v1::PortfolioReport r;
      auto ctx = conn.Context();
      Check(stub->GetPortfolioReport(ctx.get(), req, &r), "portfolio report");
      if (!o->html.empty()) {
        report::v1::ListAtRiskAccountsRequest ar;
        *ar.mutable_as_of_time() = r.as_of_time();
        double total_arr = 0;
        int total = 0;
        auto at_risk = FetchAtRisk(conn, ar, o->at_risk, &total_arr, &total);
        html::PortfolioHtmlOptions opts;
        opts.server = g.server;
        opts.at_risk_total = total;
        opts.at_risk_total_arr = total_arr;
        opts.interventions_html = InterventionsSection(conn, r.as_of_time());
        opts.breakdowns_html =
            BreakdownsHtmlSection(conn, r.period_start_time(), r.as_of_time());
        std::ofstream out(o->html, std::ios::binary | std::ios::trunc);
        out << html::RenderPortfolioHtml(r, at_risk, opts);
        out.close();
        if (!out) throw CliError(kExitError, "cannot write " + o->html);
        std::cerr << "wrote " << o->html << "\n";
      }
      if (g.format() == OutputFormat::kJson) {
        PrintJson(std::cout, r);
      } else {
        PrintPortfolio(r, g.color());
      }
    });
  }

  // report health-model
  {
    struct Opts {
      std::string period, as_of;
      int lead_days = 0;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = report->add_subcommand(
        "health-model",
        "How well the red band predicted churn and contraction");
    cmd->add_option("--period", o->period,
                    "period before --as-of (default 1y)");
    cmd->add_option("--as-of", o->as_of, "end of the period (default: now)");
    cmd->add_option("--lead-days", o->lead_days,
                    "how long before an outcome red must show (default 60)");
    cmd->callback([&g, o] {
      report::v1::ValidateHealthModelRequest req;
      absl::Time as_of = absl::Now();
      if (auto t = OptionalTime(o->as_of, "--as-of")) {
        *req.mutable_as_of_time() = *t;
        as_of = FromProto(*t);
      }
      if (!o->period.empty()) {
        auto p = ParsePeriod(o->period);
        if (!p.ok())
          throw CliError(kExitUsage, std::string(p.status().message()));
        *req.mutable_as_of_time() = ToProto(as_of);
        *req.mutable_period_start_time() = ToProto(as_of - *p);
      }
      req.set_lead_days(o->lead_days);
      Connection conn(g);
      auto stub = ReportService::NewStub(conn.channel());
      report::v1::HealthModelValidation v;
      auto ctx = conn.Context();
      Check(stub->ValidateHealthModel(ctx.get(), req, &v), "health model");
      if (g.format() == OutputFormat::kJson) {
        PrintJson(std::cout, v);
        return;
      }
      PrintFields(std::cout,
                  {{"period", FormatDate(v.period_start_time()) + " .. " +
                                  FormatDate(v.as_of_time())},
                   {"lead days", absl::StrCat(v.lead_days())},
                   {"accounts evaluated", absl::StrCat(v.accounts_evaluated())},
                   {"churned or contracted", absl::StrCat(v.actual_outcomes())},
                   {"red beforehand", absl::StrCat(v.predicted_red())},
                   {"true positives", absl::StrCat(v.true_positives())},
                   {"precision", FormatPercent(v.precision())},
                   {"recall", FormatPercent(v.recall())},
                   {"lift", absl::StrFormat("%.2f", v.lift())}});
    });
  }
}

}  // namespace retain::cli
