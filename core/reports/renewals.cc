#include "core/reports/renewals.h"

#include <algorithm>

#include "core/health/segments.h"
#include "core/health/time_util.h"

namespace retain::reports {
namespace {

constexpr int kWindowDays[] = {30, 60, 90, 120};
constexpr int kMaxItems = 50;

}  // namespace

std::vector<report::v1::RenewalWindow> RenewalWindows(
    const Accounts& accounts, const std::vector<health::HealthResult>& health,
    absl::Time as_of) {
  // Everything due in the widest window, soonest first; narrower windows
  // are prefixes of it.
  std::vector<report::v1::RenewalItem> due;
  for (size_t i = 0; i < accounts.size(); ++i) {
    const model::AccountState& a = *accounts[i];
    if (!a.profile.has_renewal_time() || health[i].arr <= 0) continue;
    const absl::Time renewal = health::FromProto(a.profile.renewal_time());
    if (renewal <= as_of || renewal > as_of + health::Days(120)) continue;
    report::v1::RenewalItem item;
    item.set_account(health::AccountName(a));
    item.set_display_name(a.profile.display_name());
    *item.mutable_renewal_time() = a.profile.renewal_time();
    item.set_arr(health[i].arr);
    item.set_score(health[i].score);
    item.set_band(health[i].band);
    due.push_back(std::move(item));
  }
  std::sort(due.begin(), due.end(), [](const auto& x, const auto& y) {
    const absl::Time tx = health::FromProto(x.renewal_time());
    const absl::Time ty = health::FromProto(y.renewal_time());
    if (tx != ty) return tx < ty;
    return x.account() < y.account();
  });

  std::vector<report::v1::RenewalWindow> out;
  for (int days : kWindowDays) {
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

}  // namespace retain::reports
