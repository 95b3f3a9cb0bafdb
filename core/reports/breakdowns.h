// Retention and NPS of a period per group of accounts: segment, CSM owner,
// lifecycle stage or contract-start cohort.
#ifndef RETAIN_CORE_REPORTS_BREAKDOWNS_H_
#define RETAIN_CORE_REPORTS_BREAKDOWNS_H_

#include <string>

#include "absl/time/time.h"
#include "core/health/health_config.h"
#include "core/reports/report_util.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

// The group an account belongs to for `dimension`, read at the period start
// when the account had ARR then (the book the period is measured against),
// else at `end` (a new logo joins the group it landed in). So an owner or
// stage change inside the period does not move the account's churn or
// expansion to whoever or whatever came after it.
std::string BreakdownKey(const model::AccountState& account,
                         const health::HealthConfig& config,
                         report::v1::BreakdownDimension dimension,
                         absl::Time start, absl::Time end);

// Every account in exactly one group; each group's figures are
// ComputeRetention and ComputeSurveyStats over its accounts, so the groups'
// ARR, account counts and answers add up to the totals (the portfolio's).
// Groups with no ARR at either end and no answer are left out.
report::v1::Breakdown ComputeBreakdown(const Accounts& accounts,
                                       const health::HealthConfig& config,
                                       report::v1::BreakdownDimension dimension,
                                       absl::Time start, absl::Time end);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_BREAKDOWNS_H_
