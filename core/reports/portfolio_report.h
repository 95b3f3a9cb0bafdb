// The portfolio report: retention, satisfaction, health, churn analysis,
// coverage, renewals and KPIs of one tenant for a period.
#ifndef RETAIN_CORE_REPORTS_PORTFOLIO_REPORT_H_
#define RETAIN_CORE_REPORTS_PORTFOLIO_REPORT_H_

#include <vector>

#include "absl/time/time.h"
#include "core/health/health_config.h"
#include "core/health/health_result.h"
#include "core/reports/report_util.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

// Everything as the history stood at `as_of`: nothing after it is read.
// The period is (period_start, as_of]. Plugin sections are left to the
// caller.
report::v1::PortfolioReport BuildPortfolioReport(
    const Accounts& accounts, const health::HealthConfig& config,
    absl::Time period_start, absl::Time as_of);

// Health bands by segment at as_of over accounts with ARR > 0 (churned
// accounts are not part of the book), all four segments in order.
// `health[i]` is accounts[i]'s health at as_of.
std::vector<report::v1::SegmentHealth> HealthBySegment(
    const Accounts& accounts, const std::vector<health::HealthResult>& health);

// NRR, GRR and logo churn of the 4 quarters (91 days each) ending at as_of,
// oldest first.
std::vector<report::v1::RetentionPoint> RetentionTrend(const Accounts& accounts,
                                                       absl::Time as_of);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_PORTFOLIO_REPORT_H_
