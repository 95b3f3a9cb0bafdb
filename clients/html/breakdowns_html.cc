#include "clients/html/breakdowns_html.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/cli/format.h"
#include "clients/html/portfolio_html.h"

namespace retain::html {
namespace {

using cli::FormatMoney;
using cli::FormatPercent;

constexpr char kNoOwner[] = "(no owner)";

std::string Attr(const std::string& name, const std::string& value) {
  return absl::StrCat(" ", name, "=\"", HtmlEscape(value), "\"");
}

std::string Cell(const std::string& text) {
  return "<td>" + HtmlEscape(text) + "</td>";
}

// Exact enough for a check to compare with the API's double.
std::string Number(double v) { return absl::StrFormat("%.6f", v); }

std::string GroupRow(const std::string& dimension, const std::string& key,
                     const std::string& label, const report::v1::Retention& r,
                     const report::v1::SurveyStats& s) {
  auto ratio = [&](double v) {
    return r.ratios_defined() ? FormatPercent(v) : std::string("–");
  };
  const bool has_nps = s.nps_responses() > 0;
  return absl::StrCat(
      "<tr", Attr("data-dimension", dimension), Attr("data-group", key),
      Attr("data-arr-start", Number(r.arr_start())),
      Attr("data-nrr", r.ratios_defined() ? Number(r.nrr()) : ""),
      Attr("data-grr", r.ratios_defined() ? Number(r.grr()) : ""),
      Attr("data-logo-churn", r.ratios_defined() ? Number(r.logo_churn()) : ""),
      Attr("data-expansion", Number(r.expansion_arr())),
      Attr("data-nps", has_nps ? Number(s.nps()) : ""),
      Attr("data-answers", absl::StrCat(s.nps_responses())), ">", Cell(label),
      Cell(FormatMoney(r.arr_start())), Cell(ratio(r.nrr())),
      Cell(ratio(r.grr())), Cell(ratio(r.logo_churn())),
      Cell(FormatMoney(r.expansion_arr())),
      Cell(has_nps ? absl::StrFormat("%.0f", s.nps()) : "–"),
      Cell(absl::StrCat(s.nps_responses())), "</tr>");
}

std::string BreakdownTable(const std::string& title,
                           const report::v1::Breakdown& b) {
  const std::string dimension = cli::EnumShortName(
      report::v1::BreakdownDimension_descriptor(), b.dimension());
  std::string h = absl::StrCat(
      "<h3>", HtmlEscape(title), "</h3><table id=\"breakdown-", dimension,
      "\"><tr><th>Group</th><th>Opening ARR</th><th>NRR</th><th>GRR</th>"
      "<th>Logo churn</th><th>Expansion ARR</th><th>NPS</th><th>Answers</th>"
      "</tr>");
  for (const auto& g : b.groups()) {
    h += GroupRow(dimension, g.key(),
                  BreakdownGroupLabel(b.dimension(), g.key()), g.retention(),
                  g.surveys());
  }
  h += GroupRow(dimension, "(total)", "Total", b.total_retention(),
                b.total_surveys());
  return h + "</table>";
}

std::string BookTable(const report::v1::CsmBook& book) {
  std::string h =
      "<table id=\"csm-book-table\"><tr><th>CSM</th><th>Accounts</th>"
      "<th>Target</th><th>ARR</th><th>Red</th><th>Red ARR</th>"
      "<th>Cadence breaches</th><th>Renewals due</th><th>Renewals ARR</th>"
      "</tr>";
  for (const auto& e : book.csms()) {
    const int target = e.target_accounts_per_csm();
    h += absl::StrCat(
        "<tr", Attr("data-csm", e.csm_owner()),
        Attr("data-accounts", absl::StrCat(e.accounts())),
        Attr("data-arr", Number(e.arr())),
        Attr("data-red", absl::StrCat(e.red_accounts())),
        Attr("data-red-arr", Number(e.red_arr())),
        Attr("data-breaches", absl::StrCat(e.cadence_breaches())),
        Attr("data-renewals", absl::StrCat(e.renewals_due())),
        Attr("data-renewals-arr", Number(e.renewals_due_arr())),
        Attr("data-target", absl::StrCat(target)), ">",
        Cell(CsmLabel(e.csm_owner())), Cell(absl::StrCat(e.accounts())),
        Cell(target > 0 ? absl::StrCat(target) : "–"),
        Cell(FormatMoney(e.arr())), Cell(absl::StrCat(e.red_accounts())),
        Cell(FormatMoney(e.red_arr())),
        Cell(absl::StrCat(e.cadence_breaches())),
        Cell(absl::StrCat(e.renewals_due())),
        Cell(FormatMoney(e.renewals_due_arr())), "</tr>");
  }
  return h + "</table>";
}

}  // namespace

std::string BreakdownGroupLabel(report::v1::BreakdownDimension dimension,
                                const std::string& key) {
  if (dimension == report::v1::BREAKDOWN_DIMENSION_CSM) return CsmLabel(key);
  return key.empty() ? "–" : key;
}

std::string CsmLabel(const std::string& csm_owner) {
  return csm_owner.empty() ? kNoOwner : csm_owner;
}

std::string RenderBreakdownsHtml(const BreakdownsReport& r) {
  std::string h = absl::StrCat(
      "<section id=\"breakdowns\"><h2>Breakdowns</h2><p class=\"note\">",
      "Period ", cli::FormatDate(r.by_segment.period_start_time()), " – ",
      cli::FormatDate(r.by_segment.as_of_time()),
      "; each account in the group it was in at the period start (new logos "
      "where they landed). Ratios do not add up across groups.</p>");
  h += BreakdownTable("By segment", r.by_segment);
  h += BreakdownTable("By CSM", r.by_csm);
  h += "</section>\n";
  h += absl::StrCat(
      "<section id=\"csm-book\"><h2>CSM book</h2><p class=\"note\">As of ",
      cli::FormatDate(r.book.as_of_time()), "; renewals due within ",
      r.book.renewal_window_days(),
      " days; target is the accounts-per-CSM ratio of the CSM's main "
      "segment.</p>");
  h += BookTable(r.book);
  return h + "</section>\n";
}

}  // namespace retain::html
