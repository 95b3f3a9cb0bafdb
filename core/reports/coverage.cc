#include "core/reports/coverage.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "core/health/component_rules.h"
#include "core/health/segments.h"
#include "core/health/time_util.h"

namespace retain::reports {
namespace {

constexpr model::Segment kSegments[] = {
    account::v1::SEGMENT_DIGITAL, account::v1::SEGMENT_POOLED,
    account::v1::SEGMENT_NAMED, account::v1::SEGMENT_DEDICATED};
constexpr size_t kMaxBreachedListed = 20;

int Index(model::Segment s) {
  for (int i = 0; i < 4; ++i) {
    if (kSegments[i] == s) return i;
  }
  return 0;  // unspecified reads as digital
}

}  // namespace

std::optional<double> DaysWithoutContact(const model::AccountState& account,
                                         absl::Time as_of) {
  absl::Time since = health::LastTouchpointAt(account.timeline, as_of);
  if (since == absl::InfinitePast()) since = health::RelationshipStart(account);
  if (since == absl::InfinitePast()) return std::nullopt;
  return health::DaysBetween(since, as_of);
}

CoverageReport ComputeCoverage(const Accounts& accounts,
                               const health::HealthConfig& config,
                               absl::Time as_of) {
  CoverageReport out;
  std::set<std::string> csms[4];
  std::set<std::string> all_csms;
  // (days without contact, name) of breached accounts, per segment.
  std::vector<std::pair<double, std::string>> breached[4];
  out.segments.resize(4);
  for (int i = 0; i < 4; ++i) out.segments[i].set_segment(kSegments[i]);

  for (const model::AccountState* a : accounts) {
    const double arr = model::ArrAt(a->timeline, as_of);
    if (arr <= 0) continue;
    const int i = Index(health::SegmentAt(config, *a, as_of));
    report::v1::SegmentCoverage& s = out.segments[i];
    s.set_accounts(s.accounts() + 1);
    s.set_arr(s.arr() + arr);
    // The owner as it was at as_of: a later hand-over does not move
    // past coverage.
    const std::string& owner = model::OwnerAt(*a, as_of);
    if (!owner.empty()) {
      csms[i].insert(owner);
      all_csms.insert(owner);
    }
    const int cadence = health::CoverageFor(config, kSegments[i]).cadence_days;
    if (cadence <= 0) continue;
    const std::optional<double> days = DaysWithoutContact(*a, as_of);
    if (!days) continue;  // nothing to measure from
    if (*days > cadence) {
      breached[i].push_back({*days, health::AccountName(*a)});
    }
  }

  for (int i = 0; i < 4; ++i) {
    report::v1::SegmentCoverage& s = out.segments[i];
    const health::SegmentCoverageConfig& c =
        health::CoverageFor(config, kSegments[i]);
    s.set_model(health::SegmentModelName(kSegments[i]));
    s.set_target_accounts_per_csm(c.accounts_per_csm);
    s.set_cadence_days(c.cadence_days);
    s.set_csms_needed((s.accounts() + c.accounts_per_csm - 1) /
                      c.accounts_per_csm);
    s.set_csms_assigned(static_cast<int>(csms[i].size()));
    // With nobody assigned the whole segment waits on one CSM, not on
    // none: 0 would read as a segment with no load at all.
    s.set_accounts_per_csm(s.csms_assigned() > 0
                               ? SafeDiv(s.accounts(), s.csms_assigned())
                               : s.accounts());
    auto& b = breached[i];
    std::sort(b.begin(), b.end(), [](const auto& x, const auto& y) {
      if (x.first != y.first) return x.first > y.first;
      return x.second < y.second;
    });
    s.set_accounts_cadence_breached(static_cast<int>(b.size()));
    for (size_t k = 0; k < b.size() && k < kMaxBreachedListed; ++k) {
      s.add_breached_accounts(b[k].second);
    }
    out.csms_needed_total += s.csms_needed();
  }
  out.csms_assigned_total = static_cast<int>(all_csms.size());
  return out;
}

}  // namespace retain::reports
