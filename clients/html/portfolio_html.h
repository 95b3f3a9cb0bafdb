// The portfolio report as one self-contained HTML file: inline CSS and SVG
// charts, no scripts, no network. Charts: health distribution by segment,
// NRR/GRR trend, ARR of the at-risk accounts, and CSM coverage by segment;
// tables for retention, renewals, targets and the at-risk list.
//
// Each chart is an <svg class="chart" data-chart="NAME"> inside a
// <figure id="chart-NAME">; an empty chart says so with data-empty="true".
#ifndef RETAIN_CLIENTS_HTML_PORTFOLIO_HTML_H_
#define RETAIN_CLIENTS_HTML_PORTFOLIO_HTML_H_

#include <string>
#include <vector>

#include "retain/report/v1/report.pb.h"

namespace retain::html {

struct PortfolioHtmlOptions {
  std::string title = "Retain portfolio report";
  // Shown in the footer ("from retaind at ...").
  std::string server;
  // Totals of the at-risk list (the list itself may be truncated).
  int at_risk_total = 0;
  double at_risk_total_arr = 0;
  // A rendered section placed before the plugins' sections, e.g. the
  // playbooks' interventions (interventions_html.h); none when empty.
  std::string interventions_html;
  // The Breakdowns and CSM book sections (breakdowns_html.h), placed
  // before the interventions; none when empty.
  std::string breakdowns_html;
};

std::string RenderPortfolioHtml(
    const report::v1::PortfolioReport& report,
    const std::vector<report::v1::AccountHealth>& at_risk,
    const PortfolioHtmlOptions& options);

// &, <, >, " and ' as entities.
std::string HtmlEscape(const std::string& text);

}  // namespace retain::html

#endif  // RETAIN_CLIENTS_HTML_PORTFOLIO_HTML_H_
