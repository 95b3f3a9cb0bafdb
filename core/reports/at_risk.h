// The at-risk list: red accounts, largest ARR first.
#ifndef RETAIN_CORE_REPORTS_AT_RISK_H_
#define RETAIN_CORE_REPORTS_AT_RISK_H_

#include "absl/time/time.h"
#include "core/health/health_config.h"
#include "core/reports/report_util.h"
#include "retain/report/v1/report.pb.h"

namespace retain::reports {

// Every account red at as_of with ARR > 0 there (churned accounts are lost,
// not at risk), ordered by ArrAt(as_of) descending, then resource name.
// Each entry is a full AccountHealth with indicators (no trends). When
// `segment` is set only that segment (at as_of) is listed. total_size and
// total_arr are filled; paging (page_size/token) is left to the caller, who
// slices `accounts`.
report::v1::ListAtRiskAccountsResponse ListAtRiskAccounts(
    const Accounts& accounts, const health::HealthConfig& config,
    absl::Time as_of,
    model::Segment segment = account::v1::SEGMENT_UNSPECIFIED);

}  // namespace retain::reports

#endif  // RETAIN_CORE_REPORTS_AT_RISK_H_
