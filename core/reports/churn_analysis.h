// Time-to-churn windows and start-month cohorts.
#ifndef RETAIN_CORE_REPORTS_CHURN_ANALYSIS_H_
#define RETAIN_CORE_REPORTS_CHURN_ANALYSIS_H_

#include <vector>

#include "absl/time/time.h"
#include "core/reports/report_util.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

// Accounts churned in (start, end] (model::ChurnIn: ARR > 0 at start, 0 at
// end; once per account, at its last churn, whatever event kind took ARR to
// 0), grouped by tenure at churn (whole months since contract start, else
// create time): 0-6 onboarding gap, 6-12 adoption/value gap, 12+
// relationship, competition or product fit. ARR is what the account had
// just before that churn.
std::vector<report::v1::ChurnWindow> TimeToChurn(const Accounts& accounts,
                                                 absl::Time start,
                                                 absl::Time end);

// Cohorts by contract start month (UTC; create time when no contract
// start) for the 24 months up to and including as_of's month, oldest
// first; months nobody started in are left out. Only accounts that had ARR
// by as_of count; retained = not churned at as_of (model::IsChurnedAt), so
// started − retained is the churned accounts; net retention = ARR at as_of
// / first ARR.
std::vector<report::v1::Cohort> Cohorts(const Accounts& accounts,
                                        absl::Time as_of);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_CHURN_ANALYSIS_H_
