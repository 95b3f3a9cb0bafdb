#include "core/reports/health_validation.h"

#include <optional>

#include "core/health/health_model.h"
#include "core/health/segments.h"
#include "core/health/time_util.h"
#include "core/model/arr_moves.h"

namespace retain::reports {
namespace {

struct Outcome {
  report::v1::Outcome kind = report::v1::OUTCOME_UNSPECIFIED;
  absl::Time time;
  double arr_lost = 0;
};

// The account's outcome in (start, end], if any: its churn (the one every
// report counts), else the first move there that lowered its ARR: a
// contraction by whatever event kind, or a churn it came back from.
std::optional<Outcome> FindOutcome(const model::AccountState& a,
                                   absl::Time start, absl::Time end) {
  if (const auto churn = model::ChurnIn(a.timeline, start, end)) {
    return Outcome{report::v1::OUTCOME_CHURN, churn->time, churn->arr_before};
  }
  std::optional<Outcome> contraction;
  ForEachArrStep(a.timeline, end,
                 [&](const model::ArrChange& c, double before, double after) {
                   if (contraction || c.time <= start) return;
                   const model::ArrMove move =
                       model::ClassifyArrMove(before, after);
                   if (move == model::ArrMove::kContraction ||
                       move == model::ArrMove::kChurn) {
                     contraction = Outcome{report::v1::OUTCOME_CONTRACTION,
                                           c.time, before - after};
                   }
                 });
  return contraction;
}

}  // namespace

report::v1::HealthModelValidation ValidateHealthModel(
    const Accounts& accounts, const health::HealthConfig& config,
    absl::Time period_start, absl::Time as_of, int lead_days) {
  if (lead_days <= 0) lead_days = 60;
  const absl::Duration lead = health::Days(lead_days);
  report::v1::HealthModelValidation v;
  health::ToProto(period_start, v.mutable_period_start_time());
  health::ToProto(as_of, v.mutable_as_of_time());
  v.set_lead_days(lead_days);

  int evaluated = 0, predicted_red = 0, outcomes = 0, tp = 0;
  // Indexed by band; a prediction can be CHURNED when the account was
  // churned lead_days before (it returned before period_start).
  int in_band[account::v1::HealthBand_ARRAYSIZE] = {};
  int outcomes_in_band[account::v1::HealthBand_ARRAYSIZE] = {};
  for (const model::AccountState* a : accounts) {
    if (model::ArrAt(a->timeline, period_start) <= 0) continue;
    ++evaluated;
    const std::optional<Outcome> o = FindOutcome(*a, period_start, as_of);
    const absl::Time scored_at = (o ? o->time : as_of) - lead;
    const model::HealthBand band =
        health::ComputeHealthScore(config, *a, scored_at).band;
    const bool red = band == account::v1::HEALTH_BAND_RED;
    predicted_red += red;
    ++in_band[band];
    if (!o) continue;
    ++outcomes;
    tp += red;
    ++outcomes_in_band[band];
    report::v1::OutcomeAccount* out = v.add_outcomes();
    out->set_account(health::AccountName(*a));
    out->set_outcome(o->kind);
    health::ToProto(o->time, out->mutable_outcome_time());
    out->set_arr_lost(o->arr_lost);
    out->set_band_30d_before(
        health::ComputeHealthScore(config, *a, o->time - health::Days(30))
            .band);
    out->set_band_60d_before(
        health::ComputeHealthScore(config, *a, o->time - health::Days(60))
            .band);
    out->set_band_90d_before(
        health::ComputeHealthScore(config, *a, o->time - health::Days(90))
            .band);
  }
  v.set_accounts_evaluated(evaluated);
  v.set_predicted_red(predicted_red);
  v.set_actual_outcomes(outcomes);
  v.set_true_positives(tp);
  v.set_precision(SafeDiv(tp, predicted_red));
  v.set_recall(SafeDiv(tp, outcomes));
  v.set_base_rate(SafeDiv(outcomes, evaluated));
  v.set_lift(SafeDiv(v.precision(), v.base_rate()));
  v.set_outcome_rate_green(
      SafeDiv(outcomes_in_band[account::v1::HEALTH_BAND_GREEN],
              in_band[account::v1::HEALTH_BAND_GREEN]));
  v.set_outcome_rate_yellow(
      SafeDiv(outcomes_in_band[account::v1::HEALTH_BAND_YELLOW],
              in_band[account::v1::HEALTH_BAND_YELLOW]));
  v.set_outcome_rate_red(SafeDiv(outcomes_in_band[account::v1::HEALTH_BAND_RED],
                                 in_band[account::v1::HEALTH_BAND_RED]));
  return v;
}

}  // namespace retain::reports
