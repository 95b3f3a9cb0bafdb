// What ComputeHealth returns: a score that explains itself.
#ifndef RETAIN_CORE_HEALTH_HEALTH_RESULT_H_
#define RETAIN_CORE_HEALTH_HEALTH_RESULT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "core/model/account_state.h"

namespace retain::health {

// One named input a rule read, already formatted for people.
struct Input {
  std::string name;
  std::string value;
};

struct ComponentResult {
  // "engagement", "relationship", "support", "commercial", or a plugin's.
  std::string name;
  std::string source = "core";  // "core" or the plugin's name
  double weight = 0;            // configured
  double effective_weight = 0;  // after re-spreading missing components
  double score = 0;             // 0-10; meaningless without data
  bool has_data = false;
  std::string explanation;  // the rule that fired, in words
  std::vector<Input> inputs;
};

struct Indicator {
  std::string code;  // e.g. "usage_decline"
  std::string description;
  absl::Time observed_time;
};

struct HealthResult {
  absl::Time as_of;
  bool has_score = false;  // false when no component had data
  double score = 0;
  model::HealthBand band = account::v1::HEALTH_BAND_UNSPECIFIED;
  // Always engagement, relationship, support, commercial in that order,
  // then the plugin components in force at as_of (by source); none when
  // the account is churned at as_of (band CHURNED).
  std::vector<ComponentResult> components;
  std::vector<Indicator> indicators;
  double arr = 0;  // ARR in force at as_of
  model::Segment segment = account::v1::SEGMENT_UNSPECIFIED;
};

}  // namespace retain::health

#endif  // RETAIN_CORE_HEALTH_HEALTH_RESULT_H_
