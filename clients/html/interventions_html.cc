#include "clients/html/interventions_html.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/cli/format.h"
#include "clients/html/portfolio_html.h"
#include "retain/account/v1/account.pb.h"

namespace retain::html {
namespace {

namespace pb = plugins::playbooks::v1;

std::string Attr(const std::string& name, const std::string& value) {
  return absl::StrCat(" ", name, "=\"", HtmlEscape(value), "\"");
}

std::string Cell(const std::string& text) {
  return "<td>" + HtmlEscape(text) + "</td>";
}

std::string Seg(int s) {
  return cli::EnumShortName(account::v1::Segment_descriptor(), s);
}

// Open and overdue tasks per owner, most open first.
std::string ByOwner(const std::vector<pb::Task>& tasks) {
  std::map<std::string, std::pair<int, int>> counts;  // owner -> open, overdue
  for (const auto& t : tasks) {
    auto& c = counts[t.owner().empty() ? "(automated)" : t.owner()];
    ++c.first;
    if (t.overdue()) ++c.second;
  }
  std::vector<std::pair<std::string, std::pair<int, int>>> rows(counts.begin(),
                                                                counts.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.first > b.second.first;
  });
  std::string h =
      "<table id=\"open-by-owner\"><tr><th>Owner</th><th>Open</th>"
      "<th>Overdue</th></tr>";
  for (const auto& [owner, c] : rows) {
    h += absl::StrCat("<tr", Attr("data-owner", owner),
                      Attr("data-open", absl::StrCat(c.first)),
                      Attr("data-overdue", absl::StrCat(c.second)), ">",
                      Cell(owner), Cell(absl::StrCat(c.first)),
                      Cell(absl::StrCat(c.second)), "</tr>");
  }
  return h + "</table>";
}

std::string Overdue(const std::vector<pb::Task>& tasks) {
  std::string rows;
  int n = 0;
  for (const auto& t : tasks) {
    if (!t.overdue()) continue;
    ++n;
    rows += absl::StrCat(
        "<tr", Attr("data-task", t.task_id()), ">", Cell(t.title()),
        Cell(t.account_id()), Cell(t.owner()),
        Cell(cli::FormatDate(t.due_time())),
        Cell(pb::Priority_Name(t.priority()).substr(sizeof("PRIORITY_") - 1)),
        Cell(t.escalated() ? "escalated" : ""), "</tr>");
  }
  if (n == 0)
    return "<p id=\"overdue-tasks\" class=\"empty\">No overdue tasks</p>";
  return "<table id=\"overdue-tasks\"><tr><th>Task</th><th>Account</th>"
         "<th>Owner</th><th>Due</th><th>Priority</th><th></th></tr>" +
         rows + "</table>";
}

// Per playbook and segment, three bars on a 0-100% scale: on time, saved
// (ARR kept), saved as the CSMs recorded it.
std::string EffectivenessChart(const pb::Effectiveness& e) {
  const std::string label = "Playbook effectiveness";
  const int row_h = 54, left = 220, bar_w = 300, top = 30;
  const int height = top + row_h * e.rows_size() + 10;
  std::string body = absl::StrCat(
      "<text x=\"", left,
      "\" y=\"16\" class=\"legend\">on time / saved "
      "(ARR kept) / saved (CSM outcome), of closed and decided tasks</text>");
  struct Metric {
    const char* name;
    const char* color;
  };
  const Metric metrics[] = {{"on_time_rate", "#2f6fdf"},
                            {"save_rate", "#2e9e5b"},
                            {"outcome_save_rate", "#7b4fc9"}};
  int i = 0;
  for (const auto& r : e.rows()) {
    const int y = top + i * row_h;
    body += absl::StrCat(
        "<text x=\"", left - 8, "\" y=\"", y + 20,
        "\" text-anchor=\"end\" class=\"axis\">",
        HtmlEscape(absl::StrCat(r.playbook_id(), " (", Seg(r.segment()), ")")),
        "</text>");
    const double values[] = {r.on_time_rate(), r.save_rate(),
                             r.outcome_save_rate()};
    for (int m = 0; m < 3; ++m) {
      const double v = std::clamp(values[m], 0.0, 1.0);
      body += absl::StrCat(
          "<rect class=\"bar\"", Attr("data-playbook", r.playbook_id()),
          Attr("data-segment", absl::StrCat(r.segment())),
          Attr("data-metric", metrics[m].name),
          Attr("data-value", absl::StrFormat("%.4f", values[m])), " x=\"", left,
          "\" y=\"", y + 4 + m * 15, "\" width=\"",
          absl::StrFormat("%.1f", v * bar_w), "\" height=\"12\" fill=\"",
          metrics[m].color, "\"><title>",
          HtmlEscape(absl::StrCat(metrics[m].name, ": ",
                                  cli::FormatPercent(values[m]))),
          "</title></rect>");
    }
    body += absl::StrCat("<text x=\"", left + bar_w + 8, "\" y=\"", y + 20,
                         "\" class=\"axis\">",
                         HtmlEscape(absl::StrCat(r.triggered(), " triggered, ",
                                                 r.closed(), " closed")),
                         "</text>");
    ++i;
  }
  return absl::StrCat(
      "<svg class=\"chart\" data-chart=\"playbook-effectiveness\" "
      "data-empty=\"",
      e.rows_size() == 0 ? "true" : "false", "\" role=\"img\"",
      Attr("aria-label", label),
      " xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 680 ", height,
      "\" width=\"680\" height=\"", height, "\">", body, "</svg>");
}

}  // namespace

std::string RenderInterventionsHtml(const Interventions& in) {
  int overdue = 0;
  for (const auto& t : in.open_tasks) overdue += t.overdue() ? 1 : 0;
  std::string h = absl::StrCat(
      "<section id=\"interventions\"><h2>Interventions</h2><p>",
      in.open_tasks.size(), " open tasks, ", overdue, " overdue</p>");
  h += "<h3>Open tasks by owner</h3>" + ByOwner(in.open_tasks);
  h += "<h3>Overdue tasks</h3>" + Overdue(in.open_tasks);
  h += "<figure id=\"chart-playbook-effectiveness\"><h3>Playbook "
       "effectiveness</h3>" +
       EffectivenessChart(in.effectiveness) + "<figcaption>As of " +
       cli::FormatDate(in.effectiveness.as_of_time()) +
       "; open tasks as of now.</figcaption></figure>";
  return h + "</section>\n";
}

}  // namespace retain::html
