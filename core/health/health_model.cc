#include "core/health/health_model.h"

#include <algorithm>
#include <cmath>

#include "core/health/component_rules.h"
#include "core/health/leading_indicators.h"
#include "core/health/segments.h"
#include "core/model/arr_moves.h"

namespace retain::health {

model::HealthBand BandForScore(const HealthConfig& config, double score) {
  if (score >= config.bands.green_min) return account::v1::HEALTH_BAND_GREEN;
  if (score >= config.bands.yellow_min) return account::v1::HEALTH_BAND_YELLOW;
  return account::v1::HEALTH_BAND_RED;
}

bool CombineComponents(std::vector<ComponentResult>& components,
                       double* score) {
  double weight_with_data = 0;
  for (ComponentResult& c : components) {
    // Plugins are outside input: a negative weight counts as none and a
    // score outside 0-10 is clamped, so one plugin cannot swamp the others.
    c.weight = std::max(0.0, c.weight);
    c.score = std::clamp(c.score, 0.0, 10.0);
    if (c.has_data) weight_with_data += c.weight;
  }
  *score = 0;
  if (weight_with_data <= 0) {
    for (ComponentResult& c : components) c.effective_weight = 0;
    return false;
  }
  for (ComponentResult& c : components) {
    c.effective_weight = c.has_data ? c.weight / weight_with_data : 0;
    *score += c.effective_weight * c.score;
  }
  // Weights like 0.3 are not exact in binary; round so that a score that is
  // 7.5 on paper is not banded yellow as 7.4999999999.
  *score = std::round(*score * 1e6) / 1e6;
  return true;
}

namespace {

// Plugin components as the host last obtained them, counted from then on.
void AppendPluginComponents(const model::AccountState& account,
                            absl::Time as_of, bool explain,
                            std::vector<ComponentResult>* out) {
  for (const model::PluginComponent& p : account.plugin_components) {
    if (p.observed_time > as_of) continue;
    ComponentResult c;
    c.name = p.name;
    c.source = p.source;
    c.weight = p.weight;
    c.score = p.score;
    c.has_data = p.has_data;
    if (explain) {
      c.explanation = p.explanation;
      for (const auto& [name, value] : p.inputs)
        c.inputs.push_back({name, value});
    }
    out->push_back(std::move(c));
  }
}

HealthResult Evaluate(const HealthConfig& config,
                      const model::AccountState& account, absl::Time as_of,
                      bool explain);

}  // namespace

HealthResult ComputeHealth(const HealthConfig& config,
                           const model::AccountState& account,
                           absl::Time as_of) {
  HealthResult r = Evaluate(config, account, as_of, /*explain=*/true);
  r.indicators = LeadingIndicators(config, account, as_of, r.band);
  return r;
}

HealthResult ComputeHealthScore(const HealthConfig& config,
                                const model::AccountState& account,
                                absl::Time as_of) {
  return Evaluate(config, account, as_of, /*explain=*/false);
}

namespace {

HealthResult Evaluate(const HealthConfig& config,
                      const model::AccountState& account, absl::Time as_of,
                      bool explain) {
  HealthResult r;
  r.as_of = as_of;
  r.arr = model::ArrAt(account.timeline, as_of);
  r.segment = SegmentAt(config, account, as_of);
  // A churned account has no live health to score: no components, no
  // score, no band that could read as healthy or raise a band alert.
  if (model::IsChurnedAt(account.timeline, as_of)) {
    r.band = account::v1::HEALTH_BAND_CHURNED;
    return r;
  }

  r.components.reserve(4);
  r.components.push_back(ScoreEngagement(config, account, as_of, explain));
  r.components.push_back(ScoreRelationship(config, account, as_of, explain));
  r.components.push_back(ScoreSupport(config, account, as_of, explain));
  r.components.push_back(ScoreCommercial(config, account, as_of, explain));
  r.components[0].weight = config.weights.engagement;
  r.components[1].weight = config.weights.relationship;
  r.components[2].weight = config.weights.support;
  r.components[3].weight = config.weights.commercial;
  AppendPluginComponents(account, as_of, explain, &r.components);

  r.has_score = CombineComponents(r.components, &r.score);
  r.band = r.has_score ? BandForScore(config, r.score)
                       : account::v1::HEALTH_BAND_UNSPECIFIED;
  for (ComponentResult& c : r.components) {
    if (!c.has_data) c.score = 0;
  }
  return r;
}

}  // namespace
}  // namespace retain::health
