#include "core/reports/csm_book.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <utility>

#include "core/health/health_model.h"
#include "core/health/segments.h"
#include "core/health/time_util.h"
#include "core/reports/coverage.h"

namespace retain::reports {

int BookRenewalWindowDays(const std::vector<int>& window_days) {
  if (window_days.empty()) return 90;
  if (std::find(window_days.begin(), window_days.end(), 90) !=
      window_days.end()) {
    return 90;
  }
  return *std::max_element(window_days.begin(), window_days.end());
}

report::v1::CsmBook ComputeCsmBook(const Accounts& accounts,
                                   const health::HealthConfig& config,
                                   absl::Time as_of) {
  const int window = BookRenewalWindowDays(config.renewals.window_days);
  const absl::Time window_end = as_of + health::Days(window);
  std::map<std::string, report::v1::CsmBookEntry> by_owner;
  // Accounts per segment (index = enum value) for each owner.
  std::map<std::string, std::array<int, 5>> segments;
  for (const model::AccountState* a : LiveAt(accounts, as_of)) {
    const health::HealthResult h =
        health::ComputeHealthScore(config, *a, as_of);
    if (h.arr <= 0) continue;
    const std::string& owner = model::OwnerAt(*a, as_of);
    report::v1::CsmBookEntry& e = by_owner[owner];
    e.set_csm_owner(owner);
    e.set_accounts(e.accounts() + 1);
    e.set_arr(e.arr() + h.arr);
    if (h.band == account::v1::HEALTH_BAND_RED) {
      e.set_red_accounts(e.red_accounts() + 1);
      e.set_red_arr(e.red_arr() + h.arr);
    }
    const model::Segment segment = health::SegmentAt(config, *a, as_of);
    ++segments[owner][segment >= 0 && segment <= 4 ? segment : 0];
    const int cadence = health::CoverageFor(config, segment).cadence_days;
    const std::optional<double> days = DaysWithoutContact(*a, as_of);
    if (cadence > 0 && days && *days > cadence) {
      e.set_cadence_breaches(e.cadence_breaches() + 1);
    }
    const std::optional<absl::Time> renewal = model::RenewalAt(*a, as_of);
    if (renewal && *renewal > as_of && *renewal <= window_end) {
      e.set_renewals_due(e.renewals_due() + 1);
      e.set_renewals_due_arr(e.renewals_due_arr() + h.arr);
    }
  }
  report::v1::CsmBook out;
  health::ToProto(as_of, out.mutable_as_of_time());
  out.set_renewal_window_days(window);
  std::vector<report::v1::CsmBookEntry> rows;
  for (auto& [owner, e] : by_owner) {
    const std::array<int, 5>& counts = segments[owner];
    int main = account::v1::SEGMENT_DIGITAL;
    for (int s = account::v1::SEGMENT_DIGITAL;
         s <= account::v1::SEGMENT_DEDICATED; ++s) {
      if (counts[s] >= counts[main]) main = s;
    }
    e.set_target_accounts_per_csm(
        health::CoverageFor(config, static_cast<model::Segment>(main))
            .accounts_per_csm);
    rows.push_back(std::move(e));
  }
  std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) {
    if (x.csm_owner().empty() != y.csm_owner().empty()) {
      return y.csm_owner().empty();
    }
    if (x.arr() != y.arr()) return x.arr() > y.arr();
    return x.csm_owner() < y.csm_owner();
  });
  for (auto& r : rows) *out.add_csms() = std::move(r);
  return out;
}

}  // namespace retain::reports
