// Each CSM owner's book: the coverage model's "accounts per CSM" per person.
#ifndef RETAIN_CORE_REPORTS_CSM_BOOK_H_
#define RETAIN_CORE_REPORTS_CSM_BOOK_H_

#include <vector>

#include "absl/time/time.h"
#include "core/health/health_config.h"
#include "core/reports/report_util.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

// The renewal window the book counts: 90 days when configured (the
// quarter a CSM plans), else the widest configured window.
int BookRenewalWindowDays(const std::vector<int>& window_days);

// Live accounts with ARR > 0 at as_of, grouped by their owner at as_of
// (model::OwnerAt); accounts with no owner form the "" row, listed last.
// Red is the health band at as_of; cadence breaches use coverage's rule
// (DaysWithoutContact beyond the segment's cadence); renewals due have the
// renewal date as it stood at as_of in (as_of, as_of + window]. The target
// is the accounts-per-CSM ratio of the segment most of the owner's accounts
// are in (ties go to the higher-touch segment).
report::v1::CsmBook ComputeCsmBook(const Accounts& accounts,
                                   const health::HealthConfig& config,
                                   absl::Time as_of);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_CSM_BOOK_H_
