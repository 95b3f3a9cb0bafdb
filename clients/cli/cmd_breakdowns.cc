// report breakdown (retention and NPS by segment, CSM, stage or cohort) and
// report book (each CSM's accounts, red ARR, cadence breaches and renewals
// due); decision 0032. Also the HTML report's sections built from the same
// two RPCs.
#include <array>
#include <iostream>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"
#include "clients/cli/format.h"
#include "clients/cli/table.h"
#include "clients/html/breakdowns_html.h"
#include "retain/report/v1/report.grpc.pb.h"

namespace retain::cli {
namespace {

using report::v1::BreakdownDimension;
using report::v1::ReportService;

// --by's values, in the order the help lists them.
constexpr std::array<std::pair<const char*, BreakdownDimension>, 4>
    kDimensions = {{{"segment", report::v1::BREAKDOWN_DIMENSION_SEGMENT},
                    {"csm", report::v1::BREAKDOWN_DIMENSION_CSM},
                    {"stage", report::v1::BREAKDOWN_DIMENSION_STAGE},
                    {"cohort", report::v1::BREAKDOWN_DIMENSION_COHORT}}};

std::string DimensionChoices() {
  std::vector<std::string> names;
  for (const auto& [name, value] : kDimensions) names.push_back(name);
  return absl::StrJoin(names, "|");
}

BreakdownDimension ParseDimension(const std::string& text) {
  for (const auto& [name, value] : kDimensions) {
    if (text == name) return value;
  }
  throw CliError(kExitUsage, absl::StrCat("--by: \"", text, "\" is not one of ",
                                          DimensionChoices()));
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

report::v1::Breakdown FetchBreakdown(
    const Connection& conn, BreakdownDimension dimension,
    const std::optional<google::protobuf::Timestamp>& period_start,
    const std::optional<google::protobuf::Timestamp>& as_of) {
  report::v1::GetBreakdownRequest req;
  req.set_dimension(dimension);
  if (period_start) *req.mutable_period_start_time() = *period_start;
  if (as_of) *req.mutable_as_of_time() = *as_of;
  auto stub = ReportService::NewStub(conn.channel());
  report::v1::Breakdown b;
  auto ctx = conn.Context();
  Check(stub->GetBreakdown(ctx.get(), req, &b), "breakdown");
  return b;
}

report::v1::CsmBook FetchBook(
    const Connection& conn,
    const std::optional<google::protobuf::Timestamp>& as_of) {
  report::v1::GetCsmBookRequest req;
  if (as_of) *req.mutable_as_of_time() = *as_of;
  auto stub = ReportService::NewStub(conn.channel());
  report::v1::CsmBook book;
  auto ctx = conn.Context();
  Check(stub->GetCsmBook(ctx.get(), req, &book), "CSM book");
  return book;
}

std::vector<std::string> GroupRow(const std::string& label,
                                  const report::v1::Retention& r,
                                  const report::v1::SurveyStats& s) {
  // Ratios over no opening ARR are 0 and meaningless (report.proto).
  auto ratio = [&](double v) {
    return r.ratios_defined() ? FormatPercent(v) : std::string("-");
  };
  return {label,
          FormatMoney(r.arr_start()),
          ratio(r.nrr()),
          ratio(r.grr()),
          ratio(r.logo_churn()),
          FormatMoney(r.expansion_arr()),
          s.nps_responses() > 0 ? absl::StrFormat("%.0f", s.nps())
                                : std::string("-"),
          absl::StrCat(s.nps_responses())};
}

void PrintBreakdown(const report::v1::Breakdown& b, bool color) {
  std::cout << Colorize(
                   absl::StrCat("Breakdown by ",
                                EnumShortName(
                                    report::v1::BreakdownDimension_descriptor(),
                                    b.dimension())),
                   "bold", color)
            << "  " << FormatDate(b.period_start_time()) << " .. "
            << FormatDate(b.as_of_time()) << "\n\n";
  Table t({{"GROUP"},
           {"OPENING ARR", Align::kRight},
           {"NRR", Align::kRight},
           {"GRR", Align::kRight},
           {"LOGO CHURN", Align::kRight},
           {"EXPANSION ARR", Align::kRight},
           {"NPS", Align::kRight},
           {"ANSWERS", Align::kRight}});
  for (const auto& g : b.groups()) {
    t.AddRow(GroupRow(html::BreakdownGroupLabel(b.dimension(), g.key()),
                      g.retention(), g.surveys()));
  }
  t.AddRow(GroupRow("total", b.total_retention(), b.total_surveys()));
  t.Print(std::cout);
}

void PrintBook(const report::v1::CsmBook& book, bool color) {
  std::cout << Colorize("CSM book", "bold", color) << "  as of "
            << FormatDate(book.as_of_time()) << ", renewals due within "
            << book.renewal_window_days() << " days\n\n";
  Table t({{"CSM"},
           {"ACCOUNTS", Align::kRight},
           {"TARGET", Align::kRight},
           {"OF TARGET", Align::kRight},
           {"ARR", Align::kRight},
           {"RED", Align::kRight},
           {"RED ARR", Align::kRight},
           {"CADENCE BREACHES", Align::kRight},
           {"RENEWALS DUE", Align::kRight},
           {"RENEWALS ARR", Align::kRight}});
  for (const auto& e : book.csms()) {
    const int target = e.target_accounts_per_csm();
    t.AddRow(
        {html::CsmLabel(e.csm_owner()), absl::StrCat(e.accounts()),
         target > 0 ? absl::StrCat(target) : "-",
         target > 0 ? FormatPercent(double(e.accounts()) / target, 0) : "-",
         FormatMoney(e.arr()), absl::StrCat(e.red_accounts()),
         FormatMoney(e.red_arr()), absl::StrCat(e.cadence_breaches()),
         absl::StrCat(e.renewals_due()), FormatMoney(e.renewals_due_arr())});
  }
  t.Print(std::cout);
}

}  // namespace

std::string BreakdownsHtmlSection(
    const Connection& conn, const google::protobuf::Timestamp& period_start,
    const google::protobuf::Timestamp& as_of) {
  html::BreakdownsReport r;
  r.by_segment = FetchBreakdown(conn, report::v1::BREAKDOWN_DIMENSION_SEGMENT,
                                period_start, as_of);
  r.by_csm = FetchBreakdown(conn, report::v1::BREAKDOWN_DIMENSION_CSM,
                            period_start, as_of);
  r.book = FetchBook(conn, as_of);
  return html::RenderBreakdownsHtml(r);
}

void AddBreakdownCommands(CLI::App& app, Globals& g) {
  // Under `report`, which AddReportCommands creates.
  CLI::App* report = app.get_subcommand("report");

  // report breakdown
  {
    struct Opts {
      std::string by, period_start, as_of;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = report->add_subcommand(
        "breakdown",
        "Retention (opening ARR, NRR, GRR, logo churn, expansion) and NPS "
        "per segment, CSM, lifecycle stage or cohort; each account in the "
        "group it was in at the period start");
    cmd->add_option("--by", o->by, DimensionChoices())->required();
    cmd->add_option("--period-start", o->period_start,
                    "start of the period (default: 365 days before --as-of)");
    cmd->add_option("--as-of", o->as_of, "end of the period (default: now)");
    cmd->callback([&g, o] {
      const BreakdownDimension dimension = ParseDimension(o->by);
      auto period_start = OptionalTime(o->period_start, "--period-start");
      auto as_of = OptionalTime(o->as_of, "--as-of");
      Connection conn(g);
      auto b = FetchBreakdown(conn, dimension, period_start, as_of);
      if (g.format() == OutputFormat::kJson) {
        PrintJson(std::cout, b);
      } else {
        PrintBreakdown(b, g.color());
      }
    });
  }

  // report book
  {
    struct Opts {
      std::string as_of;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = report->add_subcommand(
        "book",
        "Each CSM's book: accounts against the coverage target, ARR, red "
        "accounts and ARR, cadence breaches and renewals due");
    cmd->add_option("--as-of", o->as_of, "as the history stood then");
    cmd->callback([&g, o] {
      auto as_of = OptionalTime(o->as_of, "--as-of");
      Connection conn(g);
      auto book = FetchBook(conn, as_of);
      if (g.format() == OutputFormat::kJson) {
        PrintJson(std::cout, book);
      } else {
        PrintBook(book, g.color());
      }
    });
  }
}

}  // namespace retain::cli
