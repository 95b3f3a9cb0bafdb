#include "core/reports/renewals.h"

#include <algorithm>

#include "core/health/renewal_status.h"
#include "core/health/segments.h"
#include "core/health/time_util.h"

namespace retain::reports {
namespace {

constexpr int kMaxItems = 50;

report::v1::RenewalItem Item(const model::AccountState& a,
                             const health::HealthResult& h,
                             absl::Time renewal) {
  report::v1::RenewalItem item;
  item.set_account(health::AccountName(a));
  item.set_display_name(a.profile.display_name());
  health::ToProto(renewal, item.mutable_renewal_time());
  item.set_arr(h.arr);
  item.set_score(h.score);
  item.set_band(h.band);
  return item;
}

}  // namespace

std::vector<report::v1::RenewalWindow> RenewalWindows(
    const Accounts& accounts, const std::vector<health::HealthResult>& health,
    absl::Time as_of, const std::vector<int>& window_days) {
  const int widest = window_days.empty() ? 0 : window_days.back();
  // Everything due in the widest window, soonest first; narrower windows
  // are prefixes of it.
  std::vector<report::v1::RenewalItem> due;
  for (size_t i = 0; i < accounts.size(); ++i) {
    const model::AccountState& a = *accounts[i];
    if (health[i].arr <= 0) continue;
    const std::optional<absl::Time> renewal = model::RenewalAt(a, as_of);
    if (!renewal || *renewal <= as_of ||
        *renewal > as_of + health::Days(widest)) {
      continue;
    }
    due.push_back(Item(a, health[i], *renewal));
  }
  std::sort(due.begin(), due.end(), [](const auto& x, const auto& y) {
    const absl::Time tx = health::FromProto(x.renewal_time());
    const absl::Time ty = health::FromProto(y.renewal_time());
    if (tx != ty) return tx < ty;
    return x.account() < y.account();
  });

  std::vector<report::v1::RenewalWindow> out;
  for (int days : window_days) {
    report::v1::RenewalWindow w;
    w.set_within_days(days);
    const absl::Time limit = as_of + health::Days(days);
    for (const report::v1::RenewalItem& item : due) {
      if (health::FromProto(item.renewal_time()) > limit) break;
      w.set_accounts(w.accounts() + 1);
      w.set_arr(w.arr() + item.arr());
      if (item.band() == account::v1::HEALTH_BAND_RED) {
        w.set_arr_at_risk(w.arr_at_risk() + item.arr());
      } else if (item.band() == account::v1::HEALTH_BAND_YELLOW) {
        w.set_arr_to_monitor(w.arr_to_monitor() + item.arr());
      }
      if (w.renewals_size() < kMaxItems) *w.add_renewals() = item;
    }
    out.push_back(std::move(w));
  }
  return out;
}

report::v1::OverdueRenewals OverdueRenewals(
    const Accounts& accounts, const std::vector<health::HealthResult>& health,
    absl::Time as_of) {
  std::vector<report::v1::RenewalItem> overdue;
  report::v1::OverdueRenewals out;
  for (size_t i = 0; i < accounts.size(); ++i) {
    const health::RenewalStatus s =
        health::RenewalStatusAt(*accounts[i], as_of);
    if (!s.overdue) continue;
    report::v1::RenewalItem item = Item(*accounts[i], health[i], *s.renewal);
    item.set_days_overdue(s.days_overdue);
    out.set_accounts(out.accounts() + 1);
    out.set_arr(out.arr() + item.arr());
    if (item.band() == account::v1::HEALTH_BAND_RED) {
      out.set_arr_at_risk(out.arr_at_risk() + item.arr());
    }
    overdue.push_back(std::move(item));
  }
  std::sort(overdue.begin(), overdue.end(), [](const auto& x, const auto& y) {
    if (x.days_overdue() != y.days_overdue()) {
      return x.days_overdue() > y.days_overdue();
    }
    return x.account() < y.account();
  });
  for (size_t k = 0; k < overdue.size() && k < kMaxItems; ++k) {
    *out.add_renewals() = std::move(overdue[k]);
  }
  return out;
}

}  // namespace retain::reports
