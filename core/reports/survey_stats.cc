#include "core/reports/survey_stats.h"

namespace retain::reports {

report::v1::SurveyStats ComputeSurveyStats(const Accounts& accounts,
                                           absl::Time start, absl::Time end) {
  int nps_n = 0, promoters = 0, passives = 0, detractors = 0;
  int csat_n = 0, csat_satisfied = 0, ces_n = 0;
  double csat_sum = 0, ces_sum = 0;
  for (const model::AccountState* a : accounts) {
    const auto& s = a->timeline.surveys;
    const size_t to = model::EndAsOf(s, end);
    for (size_t i = model::EndAsOf(s, start); i < to; ++i) {
      const model::SurveyPoint& p = s[i];
      switch (p.kind) {
        case signal::v1::SURVEY_KIND_NPS:
          ++nps_n;
          if (p.score >= 9) {
            ++promoters;
          } else if (p.score >= 7) {
            ++passives;
          } else {
            ++detractors;
          }
          break;
        case signal::v1::SURVEY_KIND_CSAT:
          ++csat_n;
          csat_sum += p.score;
          if (p.score >= 4) ++csat_satisfied;
          break;
        case signal::v1::SURVEY_KIND_CES:
          ++ces_n;
          ces_sum += p.score;
          break;
        default:
          break;
      }
    }
  }
  report::v1::SurveyStats r;
  r.set_nps_responses(nps_n);
  r.set_promoters(promoters);
  r.set_passives(passives);
  r.set_detractors(detractors);
  r.set_nps(SafeDiv(100.0 * (promoters - detractors), nps_n));
  r.set_csat_responses(csat_n);
  r.set_csat_average(SafeDiv(csat_sum, csat_n));
  r.set_csat_satisfied_share(SafeDiv(csat_satisfied, csat_n));
  r.set_ces_responses(ces_n);
  r.set_ces_average(SafeDiv(ces_sum, ces_n));
  return r;
}

}  // namespace retain::reports
