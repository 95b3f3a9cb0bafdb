#include "core/reports/kpis.h"

#include <cmath>
#include <cstring>

namespace retain::reports {

bool KpiMet(const health::KpiTarget& target, const char* direction,
            double actual) {
  const bool equal = std::fabs(actual - target.target) <= 1e-9;
  if (equal) return target.inclusive;
  return std::strcmp(direction, "min") == 0 ? actual > target.target
                                            : actual < target.target;
}

std::vector<report::v1::Kpi> ComputeKpis(
    const health::HealthConfig& config, const report::v1::Retention& retention,
    const report::v1::SurveyStats& surveys) {
  const auto& k = config.kpis;
  const bool have_start = retention.accounts_start() > 0;
  const struct {
    const char* name;
    const char* direction;
    const health::KpiTarget& target;
    double actual;
    bool has_data;
    const char* unit;
  } rows[] = {
      {"customer_retention", "min", k.customer_retention,
       1 - retention.logo_churn(), have_start, "ratio"},
      {"nrr", "min", k.nrr, retention.nrr(), retention.ratios_defined(),
       "ratio"},
      {"logo_churn", "max", k.logo_churn, retention.logo_churn(), have_start,
       "ratio"},
      {"nps", "min", k.nps, surveys.nps(), surveys.nps_responses() > 0,
       "score"},
      {"csat_average", "min", k.csat_average, surveys.csat_average(),
       surveys.csat_responses() > 0, "1-5"},
      {"ces_average", "max", k.ces_average, surveys.ces_average(),
       surveys.ces_responses() > 0, "1-7"},
  };
  std::vector<report::v1::Kpi> out;
  for (const auto& r : rows) {
    report::v1::Kpi kpi;
    kpi.set_name(r.name);
    kpi.set_direction(r.direction);
    kpi.set_target(r.target.target);
    kpi.set_has_data(r.has_data);
    kpi.set_actual(r.has_data ? r.actual : 0);
    kpi.set_met(r.has_data && KpiMet(r.target, r.direction, r.actual));
    kpi.set_unit(r.unit);
    out.push_back(std::move(kpi));
  }
  return out;
}

}  // namespace retain::reports
