#include "core/plugin_host/health_merge.h"

#include <algorithm>

namespace retain::plugin_host {

account::v1::HealthBand BandForScore(double score,
                                     const BandThresholds& thresholds) {
  if (score >= thresholds.green) return account::v1::HEALTH_BAND_GREEN;
  if (score >= thresholds.yellow) return account::v1::HEALTH_BAND_YELLOW;
  return account::v1::HEALTH_BAND_RED;
}

void MergeHealthComponents(
    report::v1::AccountHealth* health,
    const std::vector<report::v1::HealthComponent>& extra,
    const BandThresholds& thresholds) {
  for (const auto& c : extra) *health->add_components() = c;
  double total = 0;
  for (const auto& c : health->components()) {
    if (c.has_data()) total += std::max(0.0, c.weight());
  }
  double score = 0;
  for (auto& c : *health->mutable_components()) {
    c.set_score(std::clamp(c.score(), 0.0, 10.0));
    double w =
        (c.has_data() && total > 0) ? std::max(0.0, c.weight()) / total : 0.0;
    c.set_effective_weight(w);
    score += w * c.score();
  }
  if (total <= 0) {
    health->set_score(0);
    health->set_band(account::v1::HEALTH_BAND_UNSPECIFIED);
    return;
  }
  health->set_score(score);
  health->set_band(BandForScore(score, thresholds));
}

}  // namespace retain::plugin_host
