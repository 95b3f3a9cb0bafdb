// Folds plugin health components into an account's health.
#ifndef RETAIN_CORE_PLUGIN_HOST_HEALTH_MERGE_H_
#define RETAIN_CORE_PLUGIN_HOST_HEALTH_MERGE_H_

#include <vector>

#include "retain/report/v1/report.pb.h"

namespace retain::plugin_host {

struct BandThresholds {
  double green = 7.5;   // score >= green is GREEN
  double yellow = 5.0;  // score >= yellow is YELLOW, else RED
};

// Appends `extra` (plugin components, each with its configured weight) to
// health->components, then re-spreads weights over every component that has
// data (effective_weight = weight / sum of weights with data, 0 for
// components without data), recomputes score = sum(effective_weight *
// score) and the band. With no component having data the score is 0 and the
// band UNSPECIFIED. Scores are clamped to 0-10; negative weights count as 0.
void MergeHealthComponents(
    report::v1::AccountHealth* health,
    const std::vector<report::v1::HealthComponent>& extra,
    const BandThresholds& thresholds = BandThresholds());

account::v1::HealthBand BandForScore(double score,
                                     const BandThresholds& thresholds);

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_HEALTH_MERGE_H_
