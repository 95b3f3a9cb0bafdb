#include "core/reports/portfolio_report.h"

#include "core/health/health_model.h"
#include "core/health/time_util.h"
#include "core/reports/churn_analysis.h"
#include "core/reports/churn_reasons.h"
#include "core/reports/coverage.h"
#include "core/reports/kpis.h"
#include "core/reports/renewals.h"
#include "core/reports/retention.h"
#include "core/reports/survey_stats.h"

namespace retain::reports {

std::vector<report::v1::SegmentHealth> HealthBySegment(
    const Accounts& accounts, const std::vector<health::HealthResult>& health) {
  std::vector<report::v1::SegmentHealth> out(4);
  for (int i = 0; i < 4; ++i) {
    out[i].set_segment(static_cast<model::Segment>(i + 1));
  }
  for (size_t i = 0; i < accounts.size(); ++i) {
    const health::HealthResult& h = health[i];
    if (h.arr <= 0) continue;
    const int seg = h.segment >= account::v1::SEGMENT_DIGITAL &&
                            h.segment <= account::v1::SEGMENT_DEDICATED
                        ? h.segment - 1
                        : 0;
    report::v1::SegmentHealth& s = out[seg];
    switch (h.band) {
      case account::v1::HEALTH_BAND_GREEN:
        s.set_green(s.green() + 1);
        s.set_arr_green(s.arr_green() + h.arr);
        break;
      case account::v1::HEALTH_BAND_YELLOW:
        s.set_yellow(s.yellow() + 1);
        s.set_arr_yellow(s.arr_yellow() + h.arr);
        break;
      case account::v1::HEALTH_BAND_RED:
        s.set_red(s.red() + 1);
        s.set_arr_red(s.arr_red() + h.arr);
        break;
      default:  // no score: counted nowhere
        break;
    }
  }
  return out;
}

std::vector<report::v1::RetentionPoint> RetentionTrend(const Accounts& accounts,
                                                       absl::Time as_of) {
  std::vector<report::v1::RetentionPoint> out;
  for (int q = 3; q >= 0; --q) {
    const absl::Time end = as_of - health::Days(91 * q);
    const absl::Time start = end - health::Days(91);
    const report::v1::Retention r = ComputeRetention(accounts, start, end);
    report::v1::RetentionPoint p;
    health::ToProto(start, p.mutable_period_start_time());
    health::ToProto(end, p.mutable_period_end_time());
    p.set_nrr(r.nrr());
    p.set_grr(r.grr());
    p.set_logo_churn(r.logo_churn());
    out.push_back(std::move(p));
  }
  return out;
}

report::v1::PortfolioReport BuildPortfolioReport(
    const Accounts& accounts, const health::HealthConfig& config,
    absl::Time period_start, absl::Time as_of) {
  report::v1::PortfolioReport r;
  health::ToProto(period_start, r.mutable_period_start_time());
  health::ToProto(as_of, r.mutable_as_of_time());

  *r.mutable_retention() = ComputeRetention(accounts, period_start, as_of);
  *r.mutable_surveys() = ComputeSurveyStats(accounts, period_start, as_of);

  // The book sections leave out accounts archived at as_of; revenue
  // sections keep them (an archive changes no revenue history).
  const Accounts book = LiveAt(accounts, as_of);
  // Health once per account; several sections read it.
  std::vector<health::HealthResult> health;
  health.reserve(book.size());
  for (const model::AccountState* a : book) {
    health.push_back(health::ComputeHealthScore(config, *a, as_of));
  }
  for (auto& s : HealthBySegment(book, health)) {
    *r.add_health_by_segment() = std::move(s);
  }
  for (auto& w : TimeToChurn(accounts, period_start, as_of)) {
    *r.add_time_to_churn() = std::move(w);
  }
  for (auto& c : Cohorts(accounts, as_of)) *r.add_cohorts() = std::move(c);
  for (auto& c : ChurnReasons(accounts, config, period_start, as_of)) {
    *r.add_churn_reasons() = std::move(c);
  }
  for (auto& w : ChurnReasonsByTenure(accounts, config, period_start, as_of)) {
    *r.add_churn_reasons_by_tenure() = std::move(w);
  }

  CoverageReport coverage = ComputeCoverage(book, config, as_of);
  for (auto& s : coverage.segments) *r.add_coverage() = std::move(s);
  r.set_csms_needed_total(coverage.csms_needed_total);
  r.set_csms_assigned_total(coverage.csms_assigned_total);

  for (auto& w :
       RenewalWindows(book, health, as_of, config.renewals.window_days)) {
    *r.add_renewals() = std::move(w);
  }
  *r.mutable_overdue_renewals() = OverdueRenewals(book, health, as_of);
  for (auto& k : ComputeKpis(config, r.retention(), r.surveys(),
                             absl::ToDoubleHours(as_of - period_start) / 24)) {
    *r.add_kpis() = std::move(k);
  }
  for (auto& p : RetentionTrend(accounts, as_of)) {
    *r.add_retention_trend() = std::move(p);
  }
  return r;
}

}  // namespace retain::reports
