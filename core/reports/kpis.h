// The KPIs a CS team reports against, with their configured targets.
#ifndef RETAIN_CORE_REPORTS_KPIS_H_
#define RETAIN_CORE_REPORTS_KPIS_H_

#include <vector>

#include "core/health/health_config.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

// customer_retention (gross revenue retention), nrr, logo_churn, nps,
// csat_average, ces_average, in that order. A KPI without data is never
// met. The three retention KPIs carry `period_days`; their targets are
// annual, so over a period of another length they carry a note saying the
// actual is not annualised (docs/decisions/0004-retention-math.md).
std::vector<report::v1::Kpi> ComputeKpis(const health::HealthConfig& config,
                                         const report::v1::Retention& retention,
                                         const report::v1::SurveyStats& surveys,
                                         double period_days);

// Whether `actual` meets `target` in `direction` ("min" or "max"). Values
// within 1e-9 of the target count as equal to it, so 1 − 0.05 meets
// ">= 0.95" despite binary rounding.
bool KpiMet(const health::KpiTarget& target, const char* direction,
            double actual);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_KPIS_H_
