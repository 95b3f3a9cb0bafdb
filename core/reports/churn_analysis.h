// Time-to-churn windows and start-month cohorts.
#ifndef RETAIN_CORE_REPORTS_CHURN_ANALYSIS_H_
#define RETAIN_CORE_REPORTS_CHURN_ANALYSIS_H_

#include <vector>

#include "absl/time/time.h"
#include "core/reports/report_util.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

// CHURN changes in (start, end] of accounts that had ARR, grouped by tenure
// at churn (whole months since contract start, else create time):
// 0-6 onboarding gap, 6-12 adoption/value gap, 12+ relationship,
// competition or product fit. ARR is what the account had just before.
std::vector<report::v1::ChurnWindow> TimeToChurn(const Accounts& accounts,
                                                 absl::Time start,
                                                 absl::Time end);

// Cohorts by contract start month (UTC; create time when no contract
// start) for the 24 months up to and including as_of's month, oldest
// first; months nobody started in are left out. Retained = ARR > 0 at
// as_of; net retention = ARR at as_of / first ARR.
std::vector<report::v1::Cohort> Cohorts(const Accounts& accounts,
                                        absl::Time as_of);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_CHURN_ANALYSIS_H_
