// The portfolio report's "Breakdowns" section (retention and NPS by segment
// and by CSM, each account in the group it was in at the period start) and
// "CSM book" section (each CSM's accounts, red ARR, cadence breaches and
// renewals due at as_of, against the coverage target); decision 0032.
//
// Numbers carry data attributes for checks: each breakdown row
// data-dimension/data-group/data-arr-start/data-nrr/data-grr/
// data-logo-churn/data-expansion/data-nps/data-answers, each book row
// data-csm/data-accounts/data-arr/data-red/data-red-arr/data-breaches/
// data-renewals/data-renewals-arr/data-target.
#ifndef RETAIN_CLIENTS_HTML_BREAKDOWNS_HTML_H_
#define RETAIN_CLIENTS_HTML_BREAKDOWNS_HTML_H_

#include <string>

#include "retain/report/v1/report.pb.h"

namespace retain::html {

struct BreakdownsReport {
  report::v1::Breakdown by_segment;
  report::v1::Breakdown by_csm;
  report::v1::CsmBook book;
};

// <section id="breakdowns">...</section><section id="csm-book">...</section>.
std::string RenderBreakdownsHtml(const BreakdownsReport& report);

// A group's key as people read it: the no-owner group of the CSM dimension
// is "(no owner)"; other keys as they are.
std::string BreakdownGroupLabel(report::v1::BreakdownDimension dimension,
                                const std::string& key);
// A book row's owner; "(no owner)" for "".
std::string CsmLabel(const std::string& csm_owner);

}  // namespace retain::html

#endif  // RETAIN_CLIENTS_HTML_BREAKDOWNS_HTML_H_
