#include "core/reports/at_risk.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/health/health_model.h"
#include "core/health/health_proto.h"

namespace retain::reports {

report::v1::ListAtRiskAccountsResponse ListAtRiskAccounts(
    const Accounts& accounts, const health::HealthConfig& config,
    absl::Time as_of, model::Segment segment) {
  std::vector<report::v1::AccountHealth> red;
  for (const model::AccountState* a : accounts) {
    if (model::ArchivedAt(*a, as_of)) continue;  // not in the book then
    const health::HealthResult h = health::ComputeHealth(config, *a, as_of);
    if (h.band != account::v1::HEALTH_BAND_RED || h.arr <= 0) continue;
    if (segment != account::v1::SEGMENT_UNSPECIFIED && h.segment != segment) {
      continue;
    }
    report::v1::AccountHealth p;
    health::ToProto(h, *a, &p);
    // Where the account was 30 and 90 days ago: a team triages a fresh
    // drop differently from a long decline.
    health::FillTrends(config, *a, h, &p);
    red.push_back(std::move(p));
  }
  std::sort(red.begin(), red.end(), [](const auto& x, const auto& y) {
    if (x.arr() != y.arr()) return x.arr() > y.arr();
    return x.account() < y.account();
  });
  report::v1::ListAtRiskAccountsResponse out;
  double total_arr = 0;
  for (auto& p : red) {
    total_arr += p.arr();
    *out.add_accounts() = std::move(p);
  }
  out.set_total_size(static_cast<int>(red.size()));
  out.set_total_arr(total_arr);
  return out;
}

}  // namespace retain::reports
