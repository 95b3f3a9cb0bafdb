#include "core/health/health_config.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"

namespace retain::health {
namespace {

absl::Status Invalid(absl::string_view key, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(key, ": ", why));
}

absl::Status NonNegative(absl::string_view key, double v) {
  if (v >= 0 && std::isfinite(v)) return absl::OkStatus();
  return Invalid(key, absl::StrCat("must be >= 0, got ", v));
}

absl::Status Positive(absl::string_view key, double v) {
  if (v > 0 && std::isfinite(v)) return absl::OkStatus();
  return Invalid(key, absl::StrCat("must be > 0, got ", v));
}

absl::Status ScoreRange(absl::string_view key, double v) {
  if (v >= 0 && v <= 10) return absl::OkStatus();
  return Invalid(key, absl::StrCat("must be within 0-10, got ", v));
}

// `lower` must be strictly below `upper`; the error names `lower`'s key.
absl::Status Below(absl::string_view lower_key, double lower,
                   absl::string_view upper_key, double upper) {
  if (lower < upper) return absl::OkStatus();
  return Invalid(lower_key, absl::StrCat("must be < ", upper_key, " (", lower,
                                         " >= ", upper, ")"));
}

absl::Status AtMost(absl::string_view lower_key, double lower,
                    absl::string_view upper_key, double upper) {
  if (lower <= upper) return absl::OkStatus();
  return Invalid(lower_key, absl::StrCat("must be <= ", upper_key, " (", lower,
                                         " > ", upper, ")"));
}

// Runs checks in order and returns the first failure.
class Checker {
 public:
  Checker& operator<<(absl::Status s) {
    if (status_.ok()) status_ = std::move(s);
    return *this;
  }
  absl::Status status() const { return status_; }

 private:
  absl::Status status_;
};

}  // namespace

HealthConfig DefaultHealthConfig() { return HealthConfig{}; }

absl::Status ValidateHealthConfig(const HealthConfig& c) {
  Checker k;
  const auto& w = c.weights;
  k << NonNegative("weights.engagement", w.engagement)
    << NonNegative("weights.relationship", w.relationship)
    << NonNegative("weights.support", w.support)
    << NonNegative("weights.commercial", w.commercial);
  const double sum = w.engagement + w.relationship + w.support + w.commercial;
  if (std::fabs(sum - 1.0) > 1e-6) {
    k << Invalid("weights", absl::StrCat("must sum to 1 (±1e-6), got ", sum));
  }

  const auto& b = c.bands;
  k << ScoreRange("bands.yellow_min", b.yellow_min)
    << ScoreRange("bands.green_min", b.green_min)
    << Below("bands.yellow_min", b.yellow_min, "bands.green_min", b.green_min);

  const auto& e = c.engagement;
  k << Positive("engagement.lookback_days", e.lookback_days)
    << Positive("engagement.window_days", e.window_days)
    << NonNegative("engagement.low_utilisation", e.low_utilisation)
    << Below("engagement.low_utilisation", e.low_utilisation,
             "engagement.mid_utilisation", e.mid_utilisation)
    << Below("engagement.mid_utilisation", e.mid_utilisation,
             "engagement.high_utilisation", e.high_utilisation)
    << ScoreRange("engagement.score_high", e.score_high)
    << ScoreRange("engagement.score_mid", e.score_mid)
    << ScoreRange("engagement.score_low", e.score_low)
    << ScoreRange("engagement.score_minimal", e.score_minimal);

  const auto& r = c.relationship;
  k << Positive("relationship.sponsor_contact_days", r.sponsor_contact_days)
    << AtMost("relationship.sponsor_contact_days", r.sponsor_contact_days,
              "relationship.recent_contact_days", r.recent_contact_days)
    << Below("relationship.recent_contact_days", r.recent_contact_days,
             "relationship.stale_contact_days", r.stale_contact_days)
    << ScoreRange("relationship.score_sponsor_recent", r.score_sponsor_recent)
    << ScoreRange("relationship.score_recent", r.score_recent)
    << ScoreRange("relationship.score_stale", r.score_stale)
    << ScoreRange("relationship.score_lost", r.score_lost);

  const auto& s = c.support;
  k << Positive("support.lookback_days", s.lookback_days)
    << NonNegative("support.penalty_low", s.penalty_low)
    << NonNegative("support.penalty_medium", s.penalty_medium)
    << NonNegative("support.penalty_high", s.penalty_high)
    << NonNegative("support.penalty_critical", s.penalty_critical)
    << NonNegative("support.penalty_escalated", s.penalty_escalated)
    << NonNegative("support.csat_fair_min", s.csat_fair_min)
    << AtMost("support.csat_fair_min", s.csat_fair_min, "support.csat_good_min",
              s.csat_good_min)
    << NonNegative("support.penalty_csat_fair", s.penalty_csat_fair)
    << NonNegative("support.penalty_csat_poor", s.penalty_csat_poor);

  const auto& m = c.commercial;
  k << NonNegative("commercial.penalty_payment_overdue",
                   m.penalty_payment_overdue)
    << Positive("commercial.contraction_lookback_days",
                m.contraction_lookback_days)
    << NonNegative("commercial.penalty_contraction", m.penalty_contraction)
    << NonNegative("commercial.penalty_renewal_lapsed",
                   m.penalty_renewal_lapsed)
    << NonNegative("commercial.renewal_proximity_days",
                   m.renewal_proximity_days)
    << NonNegative("commercial.penalty_renewal_proximity",
                   m.penalty_renewal_proximity);

  const auto& i = c.indicators;
  k << Positive("indicators.usage_decline_ratio", i.usage_decline_ratio)
    << AtMost("indicators.usage_decline_ratio", i.usage_decline_ratio, "1", 1.0)
    << Positive("indicators.usage_decline_lookback_days",
                i.usage_decline_lookback_days)
    << Positive("indicators.engagement_drop_days", i.engagement_drop_days)
    << Positive("indicators.sponsor_change_days", i.sponsor_change_days)
    << Positive("indicators.negative_feedback_days", i.negative_feedback_days)
    << NonNegative("indicators.negative_nps_max", i.negative_nps_max)
    << NonNegative("indicators.negative_csat_max", i.negative_csat_max)
    << NonNegative("indicators.renewal_risk_days", i.renewal_risk_days);

  const std::vector<int>& windows = c.renewals.window_days;
  if (windows.empty() || windows.size() > 8) {
    k << Invalid(
        "renewals.window_days",
        absl::StrCat("must hold 1 to 8 windows, got ", windows.size()));
  }
  for (size_t n = 0; n < windows.size(); ++n) {
    if (windows[n] < 1 || windows[n] > 3650) {
      k << Invalid(
          "renewals.window_days",
          absl::StrCat("each window must be 1-3650 days, got ", windows[n]));
    } else if (n > 0 && windows[n] <= windows[n - 1]) {
      k << Invalid("renewals.window_days",
                   absl::StrCat("must be strictly increasing (", windows[n],
                                " after ", windows[n - 1], ")"));
    }
  }

  const auto& v = c.coverage;
  k << Positive("coverage.pooled_min_arr", v.pooled_min_arr)
    << Below("coverage.pooled_min_arr", v.pooled_min_arr,
             "coverage.named_min_arr", v.named_min_arr)
    << AtMost("coverage.named_min_arr", v.named_min_arr,
              "coverage.named_max_arr", v.named_max_arr);
  for (const auto& [name, seg] :
       {std::pair<const char*, const SegmentCoverageConfig*>{"digital",
                                                             &v.digital},
        {"pooled", &v.pooled},
        {"named", &v.named},
        {"dedicated", &v.dedicated}}) {
    k << Positive(absl::StrCat("coverage.", name, ".accounts_per_csm"),
                  seg->accounts_per_csm)
      << NonNegative(absl::StrCat("coverage.", name, ".cadence_days"),
                     seg->cadence_days);
  }
  if (c.churn_reasons.empty() || c.churn_reasons.size() > 32) {
    k << Invalid("churn_reasons",
                 absl::StrCat("must hold 1 to 32 reasons, got ",
                              c.churn_reasons.size()));
  }
  for (size_t n = 0; n < c.churn_reasons.size(); ++n) {
    const ChurnReason& r = c.churn_reasons[n];
    const std::string key = absl::StrCat("churn_reasons[", n, "]");
    const bool well_formed =
        !r.code.empty() && r.code.size() <= 64 &&
        std::all_of(r.code.begin(), r.code.end(), [](char ch) {
          return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                 ch == '_';
        });
    if (!well_formed) {
      k << Invalid(
          key + ".code",
          absl::StrCat("must be 1-64 of a-z, 0-9 and _, got \"", r.code, "\""));
    } else if (r.code == kUnspecifiedReason) {
      k << Invalid(key + ".code",
                   "\"unspecified\" is reserved for events without a code");
    } else {
      for (size_t m = 0; m < n; ++m) {
        if (c.churn_reasons[m].code == r.code) {
          k << Invalid(key + ".code", absl::StrCat("duplicates churn_reasons[",
                                                   m, "]: \"", r.code, "\""));
          break;
        }
      }
    }
    if (r.label.empty() || r.label.size() > 128) {
      k << Invalid(key + ".label", "must be 1-128 bytes");
    }
  }
  return k.status();
}

const ChurnReason* FindChurnReason(const HealthConfig& config,
                                   absl::string_view code) {
  for (const ChurnReason& r : config.churn_reasons) {
    if (r.code == code) return &r;
  }
  return nullptr;
}

}  // namespace retain::health
