// The portfolio report's "Interventions" section, when the playbooks plugin
// is loaded: open tasks by owner (with how many are overdue), the overdue
// tasks, and each playbook's effectiveness as an inline SVG bar chart (no
// external assets, like the report's other charts).
//
// Numbers carry data attributes for checks: each owner row
// data-owner/data-open/data-overdue, each overdue task row data-task, each
// bar data-playbook/data-segment/data-metric/data-value.
#ifndef RETAIN_CLIENTS_HTML_INTERVENTIONS_HTML_H_
#define RETAIN_CLIENTS_HTML_INTERVENTIONS_HTML_H_

#include <string>
#include <vector>

#include "retain/plugins/playbooks/v1/playbooks.pb.h"

namespace retain::html {

struct Interventions {
  // Tasks not DONE, with `overdue` as the plugin answered it.
  std::vector<plugins::playbooks::v1::Task> open_tasks;
  plugins::playbooks::v1::Effectiveness effectiveness;
};

// <section id="interventions">...</section>.
std::string RenderInterventionsHtml(const Interventions& interventions);

}  // namespace retain::html

#endif  // RETAIN_CLIENTS_HTML_INTERVENTIONS_HTML_H_
