#include "core/reports/churn_reasons.h"

#include <optional>
#include <string>

#include "core/health/churn_reason_check.h"
#include "core/health/segments.h"
#include "core/model/arr_moves.h"

namespace retain::reports {
namespace {

using report::v1::ChurnReasonSummary;

// Every configured reason, then "unspecified", all at zero.
std::vector<ChurnReasonSummary> EmptyRows(const health::HealthConfig& config) {
  std::vector<ChurnReasonSummary> rows;
  for (const health::ChurnReason& r : config.churn_reasons) {
    ChurnReasonSummary s;
    s.set_reason_code(r.code);
    s.set_label(r.label);
    rows.push_back(std::move(s));
  }
  ChurnReasonSummary none;
  none.set_reason_code(health::kUnspecifiedReason);
  none.set_label("Unspecified");
  rows.push_back(std::move(none));
  return rows;
}

ChurnReasonSummary& RowOf(std::vector<ChurnReasonSummary>& rows,
                          const health::HealthConfig& config,
                          const std::string& code) {
  const std::string reported = health::ReportedReason(config, code);
  for (ChurnReasonSummary& r : rows) {
    if (r.reason_code() == reported) return r;
  }
  return rows.back();  // unreachable: "unspecified" is always last
}

}  // namespace

std::vector<ChurnReasonSummary> ChurnReasons(const Accounts& accounts,
                                             const health::HealthConfig& config,
                                             absl::Time start, absl::Time end) {
  std::vector<ChurnReasonSummary> rows = EmptyRows(config);
  for (const model::AccountState* a : accounts) {
    if (const std::optional<model::Churn> churn =
            model::ChurnIn(a->timeline, start, end)) {
      ChurnReasonSummary& r = RowOf(rows, config, churn->reason_code);
      r.set_churned_accounts(r.churned_accounts() + 1);
      r.set_churned_arr(r.churned_arr() + churn->arr_before);
      continue;
    }
    model::ForEachArrStep(
        a->timeline, end,
        [&](const model::ArrChange& c, double before, double after) {
          if (c.time <= start || model::ClassifyArrMove(before, after) !=
                                     model::ArrMove::kContraction) {
            return;
          }
          ChurnReasonSummary& r = RowOf(rows, config, c.reason_code);
          r.set_contractions(r.contractions() + 1);
          r.set_contraction_arr(r.contraction_arr() + before - after);
        });
  }
  return rows;
}

std::vector<report::v1::ChurnTenureReasons> ChurnReasonsByTenure(
    const Accounts& accounts, const health::HealthConfig& config,
    absl::Time start, absl::Time end) {
  constexpr int kBounds[][2] = {{0, 6}, {6, 12}, {12, 24}, {24, 0}};
  std::vector<report::v1::ChurnTenureReasons> windows(4);
  std::vector<std::vector<ChurnReasonSummary>> reasons(4, EmptyRows(config));
  for (int i = 0; i < 4; ++i) {
    windows[i].set_min_months(kBounds[i][0]);
    windows[i].set_max_months(kBounds[i][1]);
  }
  for (const model::AccountState* a : accounts) {
    const std::optional<model::Churn> churn =
        model::ChurnIn(a->timeline, start, end);
    if (!churn) continue;
    // The same tenure as time-to-churn's windows.
    const absl::Time since = health::RelationshipStart(*a);
    const int months = since == absl::InfinitePast()
                           ? 0
                           : WholeMonthsBetween(since, churn->time);
    const int w = months < 6 ? 0 : months < 12 ? 1 : months < 24 ? 2 : 3;
    windows[w].set_churned_accounts(windows[w].churned_accounts() + 1);
    windows[w].set_churned_arr(windows[w].churned_arr() + churn->arr_before);
    ChurnReasonSummary& r = RowOf(reasons[w], config, churn->reason_code);
    r.set_churned_accounts(r.churned_accounts() + 1);
    r.set_churned_arr(r.churned_arr() + churn->arr_before);
  }
  for (int i = 0; i < 4; ++i) {
    for (ChurnReasonSummary& r : reasons[i]) {
      if (r.churned_accounts() > 0) *windows[i].add_reasons() = std::move(r);
    }
  }
  return windows;
}

}  // namespace retain::reports
