#include "core/reports/kpis.h"

#include <cmath>
#include <cstring>
#include <string>

#include "absl/strings/str_format.h"

namespace retain::reports {

bool KpiMet(const health::KpiTarget& target, const char* direction,
            double actual) {
  const bool equal = std::fabs(actual - target.target) <= 1e-9;
  if (equal) return target.inclusive;
  return std::strcmp(direction, "min") == 0 ? actual > target.target
                                            : actual < target.target;
}

std::vector<report::v1::Kpi> ComputeKpis(const health::HealthConfig& config,
                                         const report::v1::Retention& retention,
                                         const report::v1::SurveyStats& surveys,
                                         double period_days) {
  const auto& k = config.kpis;
  const bool have_start = retention.accounts_start() > 0;
  // A calendar year is 365 or 366 days; anything else is not the period
  // the targets are set for.
  const bool annual = period_days >= 365 && period_days <= 366;
  const std::string note =
      annual ? ""
             : absl::StrFormat(
                   "actual over %g days against an annual target, not "
                   "annualised",
                   period_days);
  const struct {
    const char* name;
    const char* direction;
    const health::KpiTarget& target;
    double actual;
    bool has_data;
    const char* unit;
    bool over_period;  // a change over the period, not an average
  } rows[] = {
      // Revenue kept from the starting book: logo churn is its own row, so
      // this one is not 1 − logo churn under another name.
      {"customer_retention", "min", k.customer_retention, retention.grr(),
       retention.ratios_defined(), "ratio", true},
      {"nrr", "min", k.nrr, retention.nrr(), retention.ratios_defined(),
       "ratio", true},
      {"logo_churn", "max", k.logo_churn, retention.logo_churn(), have_start,
       "ratio", true},
      {"nps", "min", k.nps, surveys.nps(), surveys.nps_responses() > 0, "score",
       false},
      {"csat_average", "min", k.csat_average, surveys.csat_average(),
       surveys.csat_responses() > 0, "1-5", false},
      {"ces_average", "max", k.ces_average, surveys.ces_average(),
       surveys.ces_responses() > 0, "1-7", false},
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
    if (r.over_period) {
      kpi.set_period_days(period_days);
      kpi.set_note(note);
    }
    out.push_back(std::move(kpi));
  }
  return out;
}

}  // namespace retain::reports
