#include "clients/html/portfolio_html.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "clients/cli/format.h"

namespace retain::html {
namespace {

using cli::EnumShortName;
using cli::FormatDate;
using cli::FormatMoney;
using cli::FormatMoneyShort;
using cli::FormatPercent;
using report::v1::PortfolioReport;

constexpr const char* kGreen = "#2e9e5b";
constexpr const char* kYellow = "#e0a800";
constexpr const char* kRed = "#d64545";
constexpr const char* kBlue = "#2f6fdf";
constexpr const char* kPurple = "#7b4fc9";
constexpr const char* kGrey = "#9aa3ad";

std::string Seg(int s) {
  return EnumShortName(account::v1::Segment_descriptor(), s);
}

std::string Num(double v) { return absl::StrFormat("%.1f", v); }

// A chart's SVG wrapper.
std::string Svg(const std::string& name, int width, int height,
                const std::string& body, bool empty, const std::string& label) {
  return absl::StrCat("<svg class=\"chart\" data-chart=\"", name,
                      "\" data-empty=\"", empty ? "true" : "false",
                      "\" role=\"img\" aria-label=\"", HtmlEscape(label),
                      "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ",
                      width, " ", height, "\" width=\"", width, "\" height=\"",
                      height, "\">", body, "</svg>");
}

std::string EmptyChart(const std::string& name, const std::string& label,
                       const std::string& why) {
  return Svg(name, 560, 80,
             absl::StrCat("<text class=\"empty\" x=\"280\" y=\"45\" "
                          "text-anchor=\"middle\">",
                          HtmlEscape(why), "</text>"),
             true, label);
}

std::string Text(double x, double y, const std::string& text,
                 const std::string& extra = "") {
  return absl::StrCat("<text x=\"", Num(x), "\" y=\"", Num(y), "\"", extra, ">",
                      HtmlEscape(text), "</text>");
}

std::string Rect(double x, double y, double w, double h, const char* fill,
                 const std::string& cls, const std::string& tip) {
  return absl::StrCat("<rect class=\"", cls, "\" x=\"", Num(x), "\" y=\"",
                      Num(y), "\" width=\"", Num(std::max(w, 0.0)),
                      "\" height=\"", Num(h), "\" fill=\"", fill, "\"><title>",
                      HtmlEscape(tip), "</title></rect>");
}

std::string Legend(
    double x, double y,
    const std::vector<std::pair<const char*, std::string>>& items) {
  std::string out;
  for (const auto& [color, label] : items) {
    out += absl::StrCat("<rect x=\"", Num(x), "\" y=\"", Num(y - 9),
                        "\" width=\"10\" height=\"10\" fill=\"", color, "\"/>");
    out += Text(x + 14, y, label, " class=\"legend\"");
    x += 24 + 7 * label.size();
  }
  return out;
}

// Stacked horizontal bars: accounts per band in each segment.
std::string HealthChart(const PortfolioReport& r) {
  const std::string label = "Health distribution by segment";
  int max_total = 0;
  for (const auto& s : r.health_by_segment()) {
    max_total = std::max(max_total, s.green() + s.yellow() + s.red());
  }
  if (max_total == 0) {
    return EmptyChart("health-by-segment", label, "No scored accounts yet");
  }
  const int row_h = 34, left = 100, bar_w = 380, top = 30;
  const int height = top + row_h * r.health_by_segment_size() + 10;
  std::string body = Legend(
      left, 16, {{kGreen, "healthy"}, {kYellow, "monitor"}, {kRed, "at risk"}});
  int i = 0;
  for (const auto& s : r.health_by_segment()) {
    const double y = top + i * row_h;
    body += Text(left - 8, y + 17, Seg(s.segment()),
                 " text-anchor=\"end\" class=\"axis\"");
    double x = left;
    const struct {
      int n;
      double arr;
      const char* color;
      const char* band;
    } parts[] = {{s.green(), s.arr_green(), kGreen, "green"},
                 {s.yellow(), s.arr_yellow(), kYellow, "yellow"},
                 {s.red(), s.arr_red(), kRed, "red"}};
    for (const auto& p : parts) {
      if (p.n == 0) continue;
      const double w = static_cast<double>(p.n) / max_total * bar_w;
      body +=
          Rect(x, y + 4, w, row_h - 10, p.color, absl::StrCat("bar ", p.band),
               absl::StrCat(Seg(s.segment()), ": ", p.n, " ", p.band,
                            " accounts, ", FormatMoney(p.arr), " ARR"));
      if (w >= 18) {
        body += Text(x + w / 2, y + 21, absl::StrCat(p.n),
                     " text-anchor=\"middle\" class=\"on-bar\"");
      }
      x += w;
    }
    body += Text(x + 6, y + 21,
                 absl::StrCat(s.green() + s.yellow() + s.red(), " accounts"),
                 " class=\"axis\"");
    ++i;
  }
  return Svg("health-by-segment", 560, height, body, false, label);
}

// NRR and GRR per quarter, with the 100% line.
std::string TrendChart(const PortfolioReport& r) {
  const std::string label = "Net and gross revenue retention by quarter";
  if (r.retention_trend_size() == 0) {
    return EmptyChart("retention-trend", label, "No retention history yet");
  }
  double lo = 0.8, hi = 1.2;
  for (const auto& p : r.retention_trend()) {
    lo = std::min({lo, p.nrr(), p.grr()});
    hi = std::max({hi, p.nrr(), p.grr()});
  }
  lo = std::floor(lo * 10) / 10;
  hi = std::ceil(hi * 10) / 10;
  const int left = 56, right = 20, top = 30, plot_h = 170, width = 560;
  const int plot_w = width - left - right;
  const int n = r.retention_trend_size();
  auto xs = [&](int i) {
    // Inset so the first and last date labels stay inside the chart.
    return n == 1 ? left + plot_w / 2.0
                  : left + 40 + (plot_w - 80) * i / (n - 1.0);
  };
  auto ys = [&](double v) { return top + plot_h * (hi - v) / (hi - lo); };
  std::string body = Legend(left, 16, {{kBlue, "NRR"}, {kPurple, "GRR"}});
  for (double v = lo; v <= hi + 1e-9; v += 0.1) {
    body += absl::StrCat("<line class=\"grid\" x1=\"", left, "\" x2=\"",
                         width - right, "\" y1=\"", Num(ys(v)), "\" y2=\"",
                         Num(ys(v)), "\"/>");
    body += Text(left - 6, ys(v) + 4, FormatPercent(v, 0),
                 " text-anchor=\"end\" class=\"axis\"");
  }
  if (lo <= 1.0 && hi >= 1.0) {
    body += absl::StrCat("<line class=\"reference\" x1=\"", left, "\" x2=\"",
                         width - right, "\" y1=\"", Num(ys(1.0)), "\" y2=\"",
                         Num(ys(1.0)), "\"/>");
  }
  for (int i = 0; i < n; ++i) {
    body += Text(xs(i), top + plot_h + 18,
                 "to " + FormatDate(r.retention_trend(i).period_end_time()),
                 " text-anchor=\"middle\" class=\"axis\"");
  }
  for (const auto& [color, name, get] :
       std::vector<std::tuple<const char*, std::string,
                              double (report::v1::RetentionPoint::*)() const>>{
           {kBlue, "NRR", &report::v1::RetentionPoint::nrr},
           {kPurple, "GRR", &report::v1::RetentionPoint::grr}}) {
    std::vector<std::string> pts;
    std::string dots;
    for (int i = 0; i < n; ++i) {
      const double v = (r.retention_trend(i).*get)();
      pts.push_back(absl::StrCat(Num(xs(i)), ",", Num(ys(v))));
      dots +=
          absl::StrCat("<circle class=\"point\" cx=\"", Num(xs(i)), "\" cy=\"",
                       Num(ys(v)), "\" r=\"4\" fill=\"", color, "\"><title>",
                       name, " ", FormatPercent(v), " (quarter to ",
                       FormatDate(r.retention_trend(i).period_end_time()),
                       ")</title></circle>");
    }
    body += absl::StrCat("<polyline class=\"line\" data-series=\"", name,
                         "\" fill=\"none\" stroke=\"", color,
                         "\" stroke-width=\"2.5\" points=\"",
                         absl::StrJoin(pts, " "), "\"/>", dots);
  }
  return Svg("retention-trend", width, top + plot_h + 30, body, false, label);
}

// ARR of the at-risk accounts, largest first.
std::string AtRiskChart(const std::vector<report::v1::AccountHealth>& at_risk) {
  const std::string label = "ARR of the accounts at risk";
  if (at_risk.empty()) {
    return EmptyChart("at-risk", label, "No account is at risk");
  }
  const size_t n = std::min<size_t>(at_risk.size(), 12);
  double max_arr = 1;
  for (size_t i = 0; i < n; ++i) max_arr = std::max(max_arr, at_risk[i].arr());
  const int row_h = 24, left = 170, bar_w = 300;
  std::string body;
  for (size_t i = 0; i < n; ++i) {
    const auto& a = at_risk[i];
    const double y = 8 + i * row_h;
    const std::string name =
        a.display_name().empty() ? a.account() : a.display_name();
    body += Text(left - 8, y + 14,
                 name.size() > 24 ? name.substr(0, 23) + "…" : name,
                 " text-anchor=\"end\" class=\"axis\"");
    const double w = std::max(2.0, a.arr() / max_arr * bar_w);
    body += Rect(left, y + 2, w, row_h - 8, kRed, "bar red",
                 absl::StrCat(name, ": ", FormatMoney(a.arr()), " ARR, health ",
                              cli::FormatScore(a.score())));
    body += Text(left + w + 6, y + 14,
                 absl::StrCat(FormatMoneyShort(a.arr()), " · ",
                              cli::FormatScore(a.score())),
                 " class=\"axis\"");
  }
  return Svg("at-risk", 560, 16 + n * row_h, body, false, label);
}

// CSMs needed vs assigned per segment.
std::string CoverageChart(const PortfolioReport& r) {
  const std::string label = "CSM coverage by segment: needed vs assigned";
  int max_v = 0;
  for (const auto& c : r.coverage()) {
    max_v = std::max({max_v, c.csms_needed(), c.csms_assigned()});
  }
  if (r.coverage_size() == 0 || max_v == 0) {
    return EmptyChart("coverage", label, "No accounts to cover yet");
  }
  const int left = 40, top = 44, plot_h = 150, width = 560;
  const int group_w = (width - left - 10) / r.coverage_size();
  auto ys = [&](double v) { return top + plot_h - plot_h * v / max_v; };
  std::string body =
      Legend(left, 16, {{kBlue, "CSMs needed"}, {kGrey, "CSMs assigned"}});
  body += absl::StrCat("<line class=\"axis-line\" x1=\"", left, "\" x2=\"",
                       width - 10, "\" y1=\"", top + plot_h, "\" y2=\"",
                       top + plot_h, "\"/>");
  int i = 0;
  for (const auto& c : r.coverage()) {
    const double gx = left + i * group_w + group_w * 0.15;
    const double bw = group_w * 0.32;
    const struct {
      int v;
      const char* color;
      const char* what;
    } bars[] = {{c.csms_needed(), kBlue, "needed"},
                {c.csms_assigned(), kGrey, "assigned"}};
    for (int b = 0; b < 2; ++b) {
      const double x = gx + b * (bw + 4);
      const double h = top + plot_h - ys(bars[b].v);
      body += Rect(
          x, ys(bars[b].v), std::max(h, 0.0) == 0 ? 0 : bw, std::max(h, 1.0),
          bars[b].color, absl::StrCat("bar ", bars[b].what),
          absl::StrCat(Seg(c.segment()), ": ", bars[b].v, " CSMs ",
                       bars[b].what, " for ", c.accounts(), " accounts"));
      body += Text(x + bw / 2, ys(bars[b].v) - 4, absl::StrCat(bars[b].v),
                   " text-anchor=\"middle\" class=\"axis\"");
    }
    body += Text(gx + bw + 2, top + plot_h + 16, Seg(c.segment()),
                 " text-anchor=\"middle\" class=\"axis\"");
    if (c.accounts_cadence_breached() > 0) {
      body += Text(gx + bw + 2, top + plot_h + 30,
                   absl::StrCat(c.accounts_cadence_breached(), " overdue"),
                   " text-anchor=\"middle\" class=\"axis warn\"");
    }
    ++i;
  }
  return Svg("coverage", width, top + plot_h + 38, body, false, label);
}

std::string Figure(const std::string& id, const std::string& title,
                   const std::string& svg, const std::string& caption) {
  return absl::StrCat("<figure id=\"chart-", id, "\"><h2>", HtmlEscape(title),
                      "</h2>", svg, "<figcaption>", HtmlEscape(caption),
                      "</figcaption></figure>\n");
}

std::string Tile(const std::string& label, const std::string& value,
                 const std::string& note, const std::string& cls = "") {
  return absl::StrCat("<div class=\"tile ", cls, "\"><div class=\"label\">",
                      HtmlEscape(label), "</div><div class=\"value\">",
                      HtmlEscape(value), "</div><div class=\"note\">",
                      HtmlEscape(note), "</div></div>");
}

std::string Row(const std::vector<std::string>& cells, bool header = false) {
  std::string out = "<tr>";
  for (const auto& c : cells) {
    out += header ? "<th>" : "<td>";
    out += HtmlEscape(c);
    out += header ? "</th>" : "</td>";
  }
  return out + "</tr>";
}

constexpr const char* kCss = R"css(
:root { color-scheme: light; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1d2733; background: #f5f7fa; margin: 0; }
header { background: #1d2733; color: #fff; padding: 18px 32px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; color: #c5cdd6; }
main { padding: 20px 32px 40px; max-width: 1240px; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 20px; }
.tile { background: #fff; border-radius: 8px; padding: 12px 16px; min-width: 150px;
        box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.tile .label { color: #5b6875; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.tile .value { font-size: 26px; font-weight: 600; }
.tile .note { color: #5b6875; font-size: 12px; }
.tile.good .value { color: #2e9e5b; } .tile.bad .value { color: #d64545; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(580px, 1fr)); gap: 16px; }
figure, section { background: #fff; border-radius: 8px; margin: 0 0 16px; padding: 14px 16px;
                  box-shadow: 0 1px 2px rgba(0,0,0,.08); }
h2 { font-size: 16px; margin: 0 0 8px; }
figcaption { color: #5b6875; font-size: 12px; margin-top: 4px; }
svg.chart { max-width: 100%; height: auto; display: block; }
svg text { font: 12px sans-serif; fill: #1d2733; }
svg text.on-bar { fill: #fff; font-weight: 600; }
svg text.legend { font-size: 12px; }
svg text.empty { fill: #5b6875; font-style: italic; }
svg text.warn { fill: #d64545; }
svg .grid { stroke: #e3e7ec; } svg .axis-line { stroke: #9aa3ad; }
svg .reference { stroke: #1d2733; stroke-dasharray: 4 3; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e3e7ec; }
th { color: #5b6875; font-weight: 600; font-size: 12px; text-transform: uppercase; }
td.num, th.num { text-align: right; }
footer { color: #5b6875; font-size: 12px; padding: 0 32px 24px; }
)css";

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderPortfolioHtml(
    const PortfolioReport& r,
    const std::vector<report::v1::AccountHealth>& at_risk,
    const PortfolioHtmlOptions& o) {
  const auto& ret = r.retention();
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  h += "<meta name=\"viewport\" content=\"width=device-width, "
       "initial-scale=1\">";
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
       "'none'; "
       "style-src 'unsafe-inline'; img-src data:\">";
  h += "<title>" + HtmlEscape(o.title) + "</title><style>" + kCss +
       "</style></head><body>\n";
  h += absl::StrCat("<header><h1>", HtmlEscape(o.title), "</h1><p>Period ",
                    FormatDate(r.period_start_time()), " to ",
                    FormatDate(r.as_of_time()), "</p></header>\n<main>\n");

  // Headline tiles.
  h += "<div class=\"tiles\" id=\"kpis\">";
  if (ret.ratios_defined()) {
    h +=
        Tile("Net revenue retention", FormatPercent(ret.nrr()), "target > 120%",
             ret.nrr() >= 1.2  ? "good"
             : ret.nrr() < 1.0 ? "bad"
                               : "");
    h += Tile("Gross revenue retention", FormatPercent(ret.grr()),
              "expansion excluded", ret.grr() < 0.9 ? "bad" : "");
    h += Tile("Logo churn", FormatPercent(ret.logo_churn()), "target < 5%",
              ret.logo_churn() < 0.05 ? "good" : "bad");
  } else {
    h += Tile("Net revenue retention", "–", "no ARR at period start");
  }
  h += Tile("ARR", FormatMoneyShort(ret.arr_end()),
            absl::StrCat(ret.accounts_end(), " accounts"));
  h += Tile("At risk", FormatMoneyShort(o.at_risk_total_arr),
            absl::StrCat(o.at_risk_total, " red accounts"),
            o.at_risk_total > 0 ? "bad" : "good");
  if (r.surveys().nps_responses() > 0) {
    h += Tile(
        "NPS", absl::StrFormat("%.0f", r.surveys().nps()),
        absl::StrCat(r.surveys().nps_responses(), " answers · target > 60"),
        r.surveys().nps() > 60 ? "good" : "");
  }
  h += "</div>\n<div class=\"grid2\">\n";

  h += Figure("health-by-segment", "Health distribution by segment",
              HealthChart(r),
              "Accounts per health band (healthy ≥ 7.5, monitor 5–7.4, at risk "
              "< 5) in each coverage segment.");
  h += Figure("retention-trend", "NRR and GRR trend", TrendChart(r),
              "Net (with expansion) and gross (without) revenue retention for "
              "each of the last four quarters; dashed line: 100%.");
  h += Figure(
      "at-risk", "At-risk accounts", AtRiskChart(at_risk),
      absl::StrCat(o.at_risk_total, " red accounts with ",
                   FormatMoney(o.at_risk_total_arr),
                   " ARR, largest first (bar: ARR; label: ARR · health)."));
  h += Figure("coverage", "Coverage", CoverageChart(r),
              absl::StrCat("CSMs needed by the coverage model vs CSMs owning "
                           "accounts: ",
                           r.csms_needed_total(), " needed, ",
                           r.csms_assigned_total(), " assigned."));
  h += "</div>\n";

  // At-risk list.
  h += "<section id=\"at-risk-list\"><h2>At-risk list</h2>";
  if (at_risk.empty()) {
    h += "<p>No account is in the red band.</p>";
  } else {
    h += "<table>" +
         Row({"Account", "Segment", "ARR", "Health", "Leading indicators"},
             true);
    for (const auto& a : at_risk) {
      std::vector<std::string> codes;
      for (const auto& li : a.leading_indicators())
        codes.push_back(li.description().empty() ? li.code()
                                                 : li.description());
      h += Row({a.display_name().empty() ? a.account() : a.display_name(),
                Seg(a.segment()), FormatMoney(a.arr()),
                cli::FormatScore(a.score()),
                codes.empty() ? "–" : absl::StrJoin(codes, "; ")});
    }
    h += "</table>";
  }
  h += "</section>\n";

  // Retention detail.
  h += "<section id=\"retention\"><h2>Retention</h2><table>";
  h += Row({"ARR at start", "New logo", "Expansion", "Contraction", "Churned",
            "ARR at end", "Accounts churned"},
           true);
  // Churned accounts have no health: they appear here, never in the health
  // chart or the at-risk list.
  h +=
      Row({FormatMoney(ret.arr_start()), FormatMoney(ret.new_logo_arr()),
           FormatMoney(ret.expansion_arr()), FormatMoney(ret.contraction_arr()),
           FormatMoney(ret.churned_arr()), FormatMoney(ret.arr_end()),
           absl::StrCat(ret.accounts_churned(), " churned")});
  h += "</table></section>\n";

  // Win-backs apart from new logos: not new business, outside NRR
  // (decision 0033).
  h += "<section id=\"win-back\"><h2>Win-back</h2><table>";
  h += Row({"Accounts won back", "Win-back ARR", "New logos", "New-logo ARR"},
           true);
  h += Row({absl::StrCat(ret.accounts_won_back()),
            FormatMoney(ret.win_back_arr()), absl::StrCat(ret.accounts_new()),
            FormatMoney(ret.new_logo_arr())});
  h += "</table></section>\n";

  // Reasons with neither a churn nor a contraction are left out.
  h += "<section id=\"churn-reasons\"><h2>Churn reasons</h2><table>";
  h += Row({"Reason", "Accounts churned", "Churned ARR", "Contractions",
            "Contracted ARR"},
           true);
  for (const auto& c : r.churn_reasons()) {
    if (c.churned_accounts() == 0 && c.contractions() == 0) continue;
    h += Row({c.label(), absl::StrCat(c.churned_accounts()),
              FormatMoney(c.churned_arr()), absl::StrCat(c.contractions()),
              FormatMoney(c.contraction_arr())});
  }
  h += "</table><table>";
  h += Row({"Tenure at churn", "Accounts churned", "Churned ARR", "Reasons"},
           true);
  for (const auto& w : r.churn_reasons_by_tenure()) {
    std::vector<std::string> reasons;
    for (const auto& c : w.reasons()) {
      reasons.push_back(absl::StrCat(c.label(), " ", c.churned_accounts()));
    }
    h += Row({w.max_months() == 0 ? absl::StrCat(w.min_months(), "+ months")
                                  : absl::StrCat(w.min_months(), "–",
                                                 w.max_months(), " months"),
              absl::StrCat(w.churned_accounts()), FormatMoney(w.churned_arr()),
              reasons.empty() ? "–" : absl::StrJoin(reasons, "; ")});
  }
  h += "</table></section>\n";

  // Coverage table.
  h += "<section id=\"coverage-table\"><h2>Coverage model</h2><table>";
  h += Row({"Segment", "Model", "Accounts", "ARR", "Target per CSM",
            "CSMs needed", "CSMs assigned", "Cadence breached"},
           true);
  for (const auto& c : r.coverage()) {
    h += Row({Seg(c.segment()), c.model(), absl::StrCat(c.accounts()),
              FormatMoney(c.arr()), absl::StrCat(c.target_accounts_per_csm()),
              absl::StrCat(c.csms_needed()), absl::StrCat(c.csms_assigned()),
              absl::StrCat(c.accounts_cadence_breached())});
  }
  h += "</table></section>\n";

  if (r.renewals_size() > 0) {
    h += "<section id=\"renewals\"><h2>Renewals</h2><table>";
    h += Row({"Within", "Accounts", "ARR", "ARR at risk", "ARR to monitor"},
             true);
    for (const auto& w : r.renewals()) {
      h += Row({absl::StrCat(w.within_days(), " days"),
                absl::StrCat(w.accounts()), FormatMoney(w.arr()),
                FormatMoney(w.arr_at_risk()), FormatMoney(w.arr_to_monitor())});
    }
    // Past their date with no renewal: in no window, so shown apart.
    const auto& od = r.overdue_renewals();
    h += Row({"Overdue", absl::StrCat(od.accounts()), FormatMoney(od.arr()),
              FormatMoney(od.arr_at_risk()), "–"});
    h += "</table>";
    if (od.renewals_size() > 0) {
      h += "<h3>Overdue renewals</h3><table>";
      h += Row({"Account", "Renewal date", "Days overdue", "ARR"}, true);
      for (const auto& item : od.renewals()) {
        h += Row({item.display_name(), FormatDate(item.renewal_time()),
                  absl::StrFormat("%.0f", item.days_overdue()),
                  FormatMoney(item.arr())});
      }
      h += "</table>";
    }
    h += "</section>\n";
  }
  if (r.kpis_size() > 0) {
    h += "<section id=\"targets\"><h2>Targets</h2><table>";
    h += Row({"KPI", "Target", "Actual", "Met"}, true);
    for (const auto& k : r.kpis()) {
      auto fmt = [&](double v) { return cli::FormatKpi(v, k.unit()); };
      h += Row({k.name(),
                (k.direction() == "max" ? "≤ " : "≥ ") + fmt(k.target()),
                k.has_data() ? fmt(k.actual()) : "–",
                !k.has_data() ? "no data"
                : k.met()     ? "yes"
                              : "no"});
    }
    h += "</table>";
    // Period KPIs over a period that is not a year say so (annual targets).
    for (const auto& k : r.kpis()) {
      if (!k.note().empty()) {
        h += "<p class=\"note\">" + HtmlEscape(k.name() + ": " + k.note()) +
             "</p>";
      }
    }
    h += "</section>\n";
  }
  h += o.breakdowns_html;
  h += o.interventions_html;
  for (const auto& sec : r.sections()) {
    h += "<section class=\"plugin-section\"><h2>" + HtmlEscape(sec.title()) +
         "</h2><table>";
    for (const auto& f : sec.fields()) h += Row({f.name(), f.value()});
    h += "</table></section>\n";
  }
  h += "</main>\n<footer>Generated by retainctl";
  if (!o.server.empty()) h += " from retaind at " + HtmlEscape(o.server);
  h += absl::StrCat(
      " on ",
      absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::Now(), absl::UTCTimeZone()),
      ". Self-contained: no scripts, no network.</footer>\n");
  h += "</body></html>\n";
  return h;
}

}  // namespace retain::html
