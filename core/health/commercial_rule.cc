// Commercial: payment, contraction and renewal signals.
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/health/component_rules.h"
#include "core/health/renewal_status.h"
#include "core/health/time_util.h"
#include "core/model/arr_moves.h"

namespace retain::health {

ComponentResult ScoreCommercial(const HealthConfig& config,
                                const model::AccountState& account,
                                absl::Time as_of, bool explain) {
  const auto& c = config.commercial;
  ComponentResult r;
  r.name = "commercial";
  // Commercial always has data: ARR, payments and renewal are facts of the
  // contract even when nothing else was recorded.
  r.has_data = true;
  const model::AccountTimeline& tl = account.timeline;

  const double arr = model::ArrAt(tl, as_of);
  if (explain) r.inputs.push_back({"arr", absl::StrFormat("%.2f", arr)});
  if (arr <= 0) {
    r.score = 0;
    if (explain) r.explanation = "ARR is 0 at as_of (churned or not started)";
    return r;
  }

  std::vector<std::string> reasons;
  double penalty = 0;

  const size_t pay_end = model::EndAsOf(tl.payments, as_of);
  const bool overdue = pay_end > 0 && tl.payments[pay_end - 1].overdue;
  if (explain)
    r.inputs.push_back({"payment_overdue", overdue ? "true" : "false"});
  if (overdue) {
    penalty += c.penalty_payment_overdue;
    if (explain)
      reasons.push_back(
          absl::StrFormat("payment overdue (-%g)", c.penalty_payment_overdue));
  }

  // A contraction is what lowered ARR (a RENEWAL with a negative change
  // included), not an event kind: a down-sell is never silent.
  int contractions = 0;
  model::ForEachArrStep(
      tl, as_of, [&](const model::ArrChange& ch, double before, double after) {
        if (InLastDays(ch.time, as_of, c.contraction_lookback_days) &&
            model::ClassifyArrMove(before, after) ==
                model::ArrMove::kContraction) {
          ++contractions;
        }
      });
  if (explain)
    r.inputs.push_back(
        {absl::StrCat("contractions_", c.contraction_lookback_days, "d"),
         absl::StrCat(contractions)});
  if (contractions > 0) {
    penalty += c.penalty_contraction;
    if (explain)
      reasons.push_back(absl::StrFormat("contraction in the last %d days (-%g)",
                                        c.contraction_lookback_days,
                                        c.penalty_contraction));
  }

  // The renewal date as it stood at as_of: a renewal moves it on by the
  // contract term, so "lapsed" holds only while the renewal is overdue.
  const RenewalStatus renewal_status = RenewalStatusAt(account, as_of);
  if (renewal_status.renewal) {
    const absl::Time renewal = *renewal_status.renewal;
    if (explain) r.inputs.push_back({"renewal_time", TimeString(renewal)});
    if (renewal <= as_of) {
      if (renewal_status.overdue) {
        penalty += c.penalty_renewal_lapsed;
        if (explain)
          reasons.push_back(absl::StrFormat(
              "renewal overdue by %.1f days, no renewal recorded (-%g)",
              renewal_status.days_overdue, c.penalty_renewal_lapsed));
      }
    } else {
      const double days = DaysBetween(as_of, renewal);
      if (explain)
        r.inputs.push_back({"days_to_renewal", absl::StrFormat("%.1f", days)});
      if (days <= c.renewal_proximity_days) {
        penalty += c.penalty_renewal_proximity;
        if (explain)
          reasons.push_back(absl::StrFormat(
              "renewal in %.1f days (<= %d) (-%g)", days,
              c.renewal_proximity_days, c.penalty_renewal_proximity));
      }
    }
  }

  r.score = std::clamp(10.0 - penalty, 0.0, 10.0);
  if (explain)
    r.explanation = reasons.empty()
                        ? "no commercial risk signals"
                        : absl::StrCat("10 - ", absl::StrJoin(reasons, "; "));
  return r;
}

}  // namespace retain::health
