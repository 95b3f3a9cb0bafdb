#include "core/reports/retention.h"

#include "core/model/arr_moves.h"

namespace retain::reports {

report::v1::Retention ComputeRetention(const Accounts& accounts,
                                       absl::Time start, absl::Time end) {
  report::v1::Retention r;
  double arr_start = 0, arr_end = 0, new_logo = 0, win_back = 0, expansion = 0,
         contraction = 0, churned = 0;
  int n_start = 0, n_end = 0, n_new = 0, n_won_back = 0, n_churned = 0;
  for (const model::AccountState* a : accounts) {
    // Only the net change over the period counts: an account that expanded
    // and contracted back within it is flat, as in NRR/GRR as usually
    // reported from two ARR snapshots.
    const double s = model::ArrAt(a->timeline, start);
    const double e = model::ArrAt(a->timeline, end);
    arr_start += s;
    arr_end += e;
    if (s > 0) ++n_start;
    if (e > 0) ++n_end;
    if (s == 0 && e > 0 && model::IsChurnedAt(a->timeline, start)) {
      // A returning customer is not new business, nor was it in the
      // opening book (decision 0033).
      ++n_won_back;
      win_back += e;
    } else if (s == 0 && e > 0) {
      ++n_new;
      new_logo += e;
    } else if (model::ChurnIn(a->timeline, start, end)) {
      // The same churn the churn analysis and validation count.
      ++n_churned;
      churned += s;
    } else if (s > 0 && e > s) {
      expansion += e - s;
    } else if (s > 0 && e < s) {
      contraction += s - e;
    }
  }
  r.set_arr_start(arr_start);
  r.set_arr_end(arr_end);
  r.set_new_logo_arr(new_logo);
  r.set_expansion_arr(expansion);
  r.set_contraction_arr(contraction);
  r.set_churned_arr(churned);
  r.set_accounts_start(n_start);
  r.set_accounts_end(n_end);
  r.set_accounts_new(n_new);
  r.set_accounts_churned(n_churned);
  r.set_win_back_arr(win_back);
  r.set_accounts_won_back(n_won_back);
  r.set_ratios_defined(arr_start > 0);
  if (arr_start > 0) {
    r.set_nrr((arr_end - new_logo - win_back) / arr_start);
    r.set_grr((arr_start - churned - contraction) / arr_start);
    r.set_expansion_rate(expansion / arr_start);
  }
  r.set_logo_churn(SafeDiv(n_churned, n_start));
  return r;
}

}  // namespace retain::reports
