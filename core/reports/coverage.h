// Coverage: CSM headcount and touchpoint cadence per segment.
#ifndef RETAIN_CORE_REPORTS_COVERAGE_H_
#define RETAIN_CORE_REPORTS_COVERAGE_H_

#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "core/health/health_config.h"
#include "core/reports/report_util.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

struct CoverageReport {
  // digital, pooled, named, dedicated, always all four.
  std::vector<report::v1::SegmentCoverage> segments;
  int csms_needed_total = 0;    // sum over segments
  int csms_assigned_total = 0;  // distinct CSMs over all covered accounts
};

// Accounts with ARR > 0 at as_of, by segment at as_of. CSMs needed =
// ceil(accounts / target ratio); assigned = distinct non-empty csm_owner;
// accounts per CSM = accounts / assigned, or all the accounts when no CSM
// is assigned (what the first one would carry).
// A cadence breach is more than cadence_days since the last touchpoint (or
// since contract start / create time when never contacted).
// Days from the last touchpoint at or before as_of (else from contract
// start / create time) to as_of; nullopt when there is nothing to measure
// from. A cadence breach is strictly more than the segment's cadence days.
std::optional<double> DaysWithoutContact(const model::AccountState& account,
                                         absl::Time as_of);

CoverageReport ComputeCoverage(const Accounts& accounts,
                               const health::HealthConfig& config,
                               absl::Time as_of);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_COVERAGE_H_
