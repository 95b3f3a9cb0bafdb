// JSON loading of HealthConfig: a table maps every dotted key to the field it
// sets, so unknown keys are caught and every error can name its key.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/health/health_config.h"
#include "nlohmann/json.hpp"

namespace retain::health {
namespace {

using nlohmann::json;

// One settable leaf: exactly one pointer is set.
struct Field {
  std::string key;
  double* d = nullptr;
  int* i = nullptr;
  bool* b = nullptr;
  std::vector<int>* list = nullptr;  // a list of whole numbers
};

void AddSegment(std::vector<Field>& f, const std::string& name,
                SegmentCoverageConfig& s) {
  f.push_back(
      {"coverage." + name + ".accounts_per_csm", nullptr, &s.accounts_per_csm});
  f.push_back({"coverage." + name + ".cadence_days", nullptr, &s.cadence_days});
}

void AddKpi(std::vector<Field>& f, const std::string& name, KpiTarget& t) {
  f.push_back({"kpis." + name + ".target", &t.target});
  f.push_back({"kpis." + name + ".inclusive", nullptr, nullptr, &t.inclusive});
}

std::vector<Field> FieldsOf(HealthConfig& c) {
  std::vector<Field> f = {
      {"weights.engagement", &c.weights.engagement},
      {"weights.relationship", &c.weights.relationship},
      {"weights.support", &c.weights.support},
      {"weights.commercial", &c.weights.commercial},
      {"bands.green_min", &c.bands.green_min},
      {"bands.yellow_min", &c.bands.yellow_min},
      {"engagement.lookback_days", nullptr, &c.engagement.lookback_days},
      {"engagement.window_days", nullptr, &c.engagement.window_days},
      {"engagement.high_utilisation", &c.engagement.high_utilisation},
      {"engagement.mid_utilisation", &c.engagement.mid_utilisation},
      {"engagement.low_utilisation", &c.engagement.low_utilisation},
      {"engagement.score_high", &c.engagement.score_high},
      {"engagement.score_mid", &c.engagement.score_mid},
      {"engagement.score_low", &c.engagement.score_low},
      {"engagement.score_minimal", &c.engagement.score_minimal},
      {"relationship.sponsor_contact_days",
       &c.relationship.sponsor_contact_days},
      {"relationship.recent_contact_days", &c.relationship.recent_contact_days},
      {"relationship.stale_contact_days", &c.relationship.stale_contact_days},
      {"relationship.score_sponsor_recent",
       &c.relationship.score_sponsor_recent},
      {"relationship.score_recent", &c.relationship.score_recent},
      {"relationship.score_stale", &c.relationship.score_stale},
      {"relationship.score_lost", &c.relationship.score_lost},
      {"support.lookback_days", nullptr, &c.support.lookback_days},
      {"support.penalty_low", &c.support.penalty_low},
      {"support.penalty_medium", &c.support.penalty_medium},
      {"support.penalty_high", &c.support.penalty_high},
      {"support.penalty_critical", &c.support.penalty_critical},
      {"support.penalty_escalated", &c.support.penalty_escalated},
      {"support.csat_good_min", &c.support.csat_good_min},
      {"support.csat_fair_min", &c.support.csat_fair_min},
      {"support.penalty_csat_fair", &c.support.penalty_csat_fair},
      {"support.penalty_csat_poor", &c.support.penalty_csat_poor},
      {"commercial.penalty_payment_overdue",
       &c.commercial.penalty_payment_overdue},
      {"commercial.contraction_lookback_days", nullptr,
       &c.commercial.contraction_lookback_days},
      {"commercial.penalty_contraction", &c.commercial.penalty_contraction},
      {"commercial.penalty_renewal_lapsed",
       &c.commercial.penalty_renewal_lapsed},
      {"commercial.renewal_proximity_days", nullptr,
       &c.commercial.renewal_proximity_days},
      {"commercial.penalty_renewal_proximity",
       &c.commercial.penalty_renewal_proximity},
      {"indicators.usage_decline_ratio", &c.indicators.usage_decline_ratio},
      {"indicators.usage_decline_lookback_days", nullptr,
       &c.indicators.usage_decline_lookback_days},
      {"indicators.engagement_drop_days", nullptr,
       &c.indicators.engagement_drop_days},
      {"indicators.sponsor_change_days", nullptr,
       &c.indicators.sponsor_change_days},
      {"indicators.negative_feedback_days", nullptr,
       &c.indicators.negative_feedback_days},
      {"indicators.negative_nps_max", nullptr, &c.indicators.negative_nps_max},
      {"indicators.negative_csat_max", nullptr,
       &c.indicators.negative_csat_max},
      {"indicators.renewal_risk_days", nullptr,
       &c.indicators.renewal_risk_days},
      {"renewals.window_days", nullptr, nullptr, nullptr,
       &c.renewals.window_days},
      {"coverage.pooled_min_arr", &c.coverage.pooled_min_arr},
      {"coverage.named_min_arr", &c.coverage.named_min_arr},
      {"coverage.named_max_arr", &c.coverage.named_max_arr},
  };
  AddSegment(f, "digital", c.coverage.digital);
  AddSegment(f, "pooled", c.coverage.pooled);
  AddSegment(f, "named", c.coverage.named);
  AddSegment(f, "dedicated", c.coverage.dedicated);
  AddKpi(f, "customer_retention", c.kpis.customer_retention);
  AddKpi(f, "nrr", c.kpis.nrr);
  AddKpi(f, "logo_churn", c.kpis.logo_churn);
  AddKpi(f, "nps", c.kpis.nps);
  AddKpi(f, "csat_average", c.kpis.csat_average);
  AddKpi(f, "ces_average", c.kpis.ces_average);
  return f;
}

absl::Status Invalid(const std::string& key, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(key, ": ", why));
}

absl::Status SetLeaf(const Field& f, const json& v) {
  if (f.d != nullptr) {
    if (!v.is_number()) return Invalid(f.key, "must be a number");
    *f.d = v.get<double>();
  } else if (f.i != nullptr) {
    if (!v.is_number_integer()) return Invalid(f.key, "must be an integer");
    const auto n = v.get<int64_t>();
    if (n < INT32_MIN || n > INT32_MAX) return Invalid(f.key, "out of range");
    *f.i = static_cast<int>(n);
  } else if (f.list != nullptr) {
    if (!v.is_array()) return Invalid(f.key, "must be a list of integers");
    std::vector<int> values;
    for (const json& e : v) {
      if (!e.is_number_integer()) {
        return Invalid(f.key, "must be a list of integers");
      }
      const auto n = e.get<int64_t>();
      if (n < INT32_MIN || n > INT32_MAX) return Invalid(f.key, "out of range");
      values.push_back(static_cast<int>(n));
    }
    *f.list = std::move(values);
  } else {
    if (!v.is_boolean()) return Invalid(f.key, "must be true or false");
    *f.b = v.get<bool>();
  }
  return absl::OkStatus();
}

// The taxonomy is a list of {"code", "label"} objects, which the leaf table
// cannot express; it replaces the default list whole.
absl::Status SetChurnReasons(const json& v, std::vector<ChurnReason>& out) {
  if (!v.is_array()) {
    return Invalid("churn_reasons",
                   "must be a list of {\"code\": ..., \"label\": ...}");
  }
  std::vector<ChurnReason> reasons;
  for (size_t n = 0; n < v.size(); ++n) {
    const std::string key = absl::StrCat("churn_reasons[", n, "]");
    const json& e = v[n];
    if (!e.is_object()) return Invalid(key, "must be an object");
    ChurnReason r;
    for (const auto& [name, value] : e.items()) {
      if (absl::StartsWith(name, "_")) continue;
      if (name != "code" && name != "label") {
        return Invalid(absl::StrCat(key, ".", name), "unknown key");
      }
      if (!value.is_string()) {
        return Invalid(absl::StrCat(key, ".", name), "must be a string");
      }
      (name == "code" ? r.code : r.label) = value.get<std::string>();
    }
    if (r.code.empty()) return Invalid(key + ".code", "is required");
    if (r.label.empty()) r.label = r.code;
    reasons.push_back(std::move(r));
  }
  out = std::move(reasons);
  return absl::OkStatus();
}

// Walks `node`, whose dotted path is `prefix`, setting every leaf it names.
absl::Status Apply(const std::vector<Field>& fields, const std::string& prefix,
                   const json& node, std::vector<ChurnReason>* churn_reasons) {
  for (const auto& [name, value] : node.items()) {
    if (absl::StartsWith(name, "_")) continue;  // a comment
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    if (key == "churn_reasons") {
      if (absl::Status s = SetChurnReasons(value, *churn_reasons); !s.ok()) {
        return s;
      }
      continue;
    }
    const Field* leaf = nullptr;
    bool is_section = false;
    for (const Field& f : fields) {
      if (f.key == key) leaf = &f;
      if (absl::StartsWith(f.key, key + ".")) is_section = true;
    }
    if (leaf != nullptr) {
      if (absl::Status s = SetLeaf(*leaf, value); !s.ok()) return s;
    } else if (is_section) {
      if (!value.is_object()) return Invalid(key, "must be an object");
      if (absl::Status s = Apply(fields, key, value, churn_reasons); !s.ok())
        return s;
    } else {
      return Invalid(key, "unknown key");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<HealthConfig> ParseHealthConfig(absl::string_view text) {
  const json doc = json::parse(text.begin(), text.end(), nullptr,
                               /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return absl::InvalidArgumentError("health config: not valid JSON");
  }
  if (!doc.is_object()) {
    return absl::InvalidArgumentError("health config: must be a JSON object");
  }
  HealthConfig config = DefaultHealthConfig();
  const std::vector<Field> fields = FieldsOf(config);
  if (absl::Status s = Apply(fields, "", doc, &config.churn_reasons); !s.ok())
    return s;
  if (absl::Status s = ValidateHealthConfig(config); !s.ok()) return s;
  return config;
}

absl::StatusOr<HealthConfig> LoadHealthConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("health config: cannot read ", path));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  absl::StatusOr<HealthConfig> config = ParseHealthConfig(buf.str());
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

}  // namespace retain::health
