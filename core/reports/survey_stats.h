// NPS, CSAT and CES over the answers of a period.
#ifndef RETAIN_CORE_REPORTS_SURVEY_STATS_H_
#define RETAIN_CORE_REPORTS_SURVEY_STATS_H_

#include "absl/time/time.h"
#include "core/reports/report_util.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

// Answers with time in (start, end]. NPS = % promoters (9-10) − %
// detractors (0-6); CSAT satisfied = share of 4s and 5s.
report::v1::SurveyStats ComputeSurveyStats(const Accounts& accounts,
                                           absl::Time start, absl::Time end);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_SURVEY_STATS_H_
