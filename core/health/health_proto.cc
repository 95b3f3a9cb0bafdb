#include "core/health/health_proto.h"

#include "core/health/health_model.h"
#include "core/health/segments.h"
#include "core/health/time_util.h"

namespace retain::health {

void ToProto(const Indicator& indicator, report::v1::LeadingIndicator* out) {
  out->set_code(indicator.code);
  out->set_description(indicator.description);
  ToProto(indicator.observed_time, out->mutable_observed_time());
}

void ToProto(const HealthResult& result, const model::AccountState& account,
             report::v1::AccountHealth* out) {
  out->Clear();
  out->set_account(AccountName(account));
  out->set_display_name(account.profile.display_name());
  ToProto(result.as_of, out->mutable_as_of_time());
  out->set_score(result.has_score ? result.score : 0);
  out->set_band(result.band);
  for (const ComponentResult& c : result.components) {
    report::v1::HealthComponent* p = out->add_components();
    p->set_name(c.name);
    p->set_weight(c.weight);
    p->set_effective_weight(c.effective_weight);
    p->set_score(c.score);
    p->set_has_data(c.has_data);
    p->set_explanation(c.explanation);
    for (const Input& in : c.inputs) {
      report::v1::HealthInput* i = p->add_inputs();
      i->set_name(in.name);
      i->set_value(in.value);
    }
    p->set_source(c.source);
  }
  for (const Indicator& i : result.indicators) {
    ToProto(i, out->add_leading_indicators());
  }
  out->set_arr(result.arr);
  out->set_segment(result.segment);
}

void FillTrends(const HealthConfig& config, const model::AccountState& account,
                const HealthResult& current, report::v1::AccountHealth* out) {
  for (int days_ago : {30, 90}) {
    const HealthResult then =
        ComputeHealth(config, account, current.as_of - Days(days_ago));
    report::v1::HealthTrend* t = out->add_trends();
    t->set_days_ago(days_ago);
    t->set_has_score(then.has_score);
    t->set_score(then.has_score ? then.score : 0);
    t->set_band(then.band);
    t->set_delta(
        then.has_score && current.has_score ? current.score - then.score : 0);
  }
}

report::v1::AccountHealth AccountHealthProto(const HealthConfig& config,
                                             const model::AccountState& account,
                                             absl::Time as_of) {
  const HealthResult result = ComputeHealth(config, account, as_of);
  report::v1::AccountHealth out;
  ToProto(result, account, &out);
  FillTrends(config, account, result, &out);
  return out;
}

}  // namespace retain::health
