#include "core/reports/churn_analysis.h"

#include <map>
#include <optional>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "core/health/segments.h"
#include "core/model/arr_moves.h"

namespace retain::reports {

std::vector<report::v1::ChurnWindow> TimeToChurn(const Accounts& accounts,
                                                 absl::Time start,
                                                 absl::Time end) {
  std::vector<report::v1::ChurnWindow> windows(3);
  const struct {
    const char* label;
    int min, max;
    const char* cause;
  } kWindows[] = {
      {"0-6 months", 0, 6, "onboarding gap"},
      {"6-12 months", 6, 12, "adoption / value gap"},
      {"12+ months", 12, 0, "relationship, competition or product fit"},
  };
  for (int i = 0; i < 3; ++i) {
    windows[i].set_label(kWindows[i].label);
    windows[i].set_min_months(kWindows[i].min);
    windows[i].set_max_months(kWindows[i].max);
    windows[i].set_likely_cause(kWindows[i].cause);
  }
  for (const model::AccountState* a : accounts) {
    const std::optional<model::Churn> churn =
        model::ChurnIn(a->timeline, start, end);
    if (!churn) continue;
    const absl::Time since = health::RelationshipStart(*a);
    const int months = since == absl::InfinitePast()
                           ? 0
                           : WholeMonthsBetween(since, churn->time);
    report::v1::ChurnWindow& w =
        windows[months < 6 ? 0 : (months < 12 ? 1 : 2)];
    w.set_accounts(w.accounts() + 1);
    w.set_arr(w.arr() + churn->arr_before);
  }
  return windows;
}

std::vector<report::v1::Cohort> Cohorts(const Accounts& accounts,
                                        absl::Time as_of) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilMonth last = absl::ToCivilMonth(as_of, utc);
  const absl::CivilMonth first = last - 23;
  std::map<absl::CivilMonth, report::v1::Cohort> by_month;
  for (const model::AccountState* a : accounts) {
    const absl::Time started = health::RelationshipStart(*a);
    if (started == absl::InfinitePast() || started > as_of) continue;
    const absl::CivilMonth month = absl::ToCivilMonth(started, utc);
    if (month < first) continue;
    // An account that never had ARR is a prospect, not a customer: counting
    // it would show as a churn that no other report sees.
    const double arr_first = InitialArr(a->timeline, as_of);
    if (arr_first <= 0) continue;
    report::v1::Cohort& c = by_month[month];
    const double arr_now = model::ArrAt(a->timeline, as_of);
    c.set_accounts_started(c.accounts_started() + 1);
    if (!model::IsChurnedAt(a->timeline, as_of)) {
      c.set_accounts_retained(c.accounts_retained() + 1);
    }
    c.set_arr_started(c.arr_started() + arr_first);
    c.set_arr_now(c.arr_now() + arr_now);
  }
  std::vector<report::v1::Cohort> out;
  for (auto& [month, c] : by_month) {
    c.set_start_month(
        absl::StrFormat("%04d-%02d", month.year(), month.month()));
    c.set_logo_retention(SafeDiv(c.accounts_retained(), c.accounts_started()));
    c.set_net_retention(SafeDiv(c.arr_now(), c.arr_started()));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace retain::reports
