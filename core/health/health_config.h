// Every tunable number of the health model, coverage model and KPI targets.
//
// Defaults are the customer-success playbook figures in
// shared/notes/domain.md; config/health.json spells them out and may be
// edited. A file overrides any subset; what it omits keeps its default.
#ifndef RETAIN_CORE_HEALTH_HEALTH_CONFIG_H_
#define RETAIN_CORE_HEALTH_HEALTH_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace retain::health {

// Who looks after a segment's accounts and how often they promise contact.
struct SegmentCoverageConfig {
  // Target accounts per CSM (the "1 : N" of the coverage table).
  int accounts_per_csm = 0;
  // Promised touchpoint cadence; 0 means none (digital-led).
  int cadence_days = 0;
};

// A KPI target. `inclusive` says whether reaching the target exactly meets it
// ("CSAT >= 4.0") or the actual must pass it ("NPS > 60").
struct KpiTarget {
  double target = 0;
  bool inclusive = false;
};

// One code of the churn-reason taxonomy (docs/decisions/0033).
struct ChurnReason {
  std::string code;   // 1-64 of [a-z0-9_], unique, not "unspecified"
  std::string label;  // 1-128 bytes, for reports
};

// The reason reported for a churn or contraction recorded without a code.
inline constexpr char kUnspecifiedReason[] = "unspecified";

struct HealthConfig {
  // Component weights; must be >= 0 and sum to 1.
  struct Weights {
    double engagement = 0.4;
    double relationship = 0.3;
    double support = 0.2;
    double commercial = 0.1;
  } weights;

  // Band cut-offs on the 0-10 score: >= green_min green, >= yellow_min
  // yellow, else red.
  struct Bands {
    double green_min = 7.5;
    double yellow_min = 5.0;
  } bands;

  // Engagement = latest active users / licensed seats.
  // > high → score_high; >= mid → score_mid; >= low → score_low; else
  // score_minimal. (Exactly 80% is "50-80%", exactly 30% is "30-50%".)
  struct Engagement {
    int lookback_days = 30;  // no snapshot this recent → no data
    // The active-user window the tiers are for (7: weekly active users).
    // Snapshots over another window are not scored: neither scaled nor
    // compared against tiers meant for a different count.
    int window_days = 7;
    double high_utilisation = 0.8;
    double mid_utilisation = 0.5;
    double low_utilisation = 0.3;
    double score_high = 10;
    double score_mid = 7;
    double score_low = 4;
    double score_minimal = 1;
  } engagement;

  // Relationship from days since the last CSM touchpoint and whether an exec
  // sponsor is identified. Each bound is exclusive: 14.0 days is not "< 14".
  struct Relationship {
    double sponsor_contact_days = 14;  // sponsor and contact < this → top
    double recent_contact_days = 30;   // contact < this → score_recent
    double stale_contact_days = 60;    // contact < this → score_stale
    double score_sponsor_recent = 10;
    double score_recent = 6;
    double score_stale = 3;
    double score_lost = 1;
  } relationship;

  // Support = clamp(10 − ticket penalties − CSAT penalty, 0, 10).
  struct Support {
    int lookback_days = 90;  // window for ticket activity and CSAT
    // Per open ticket, by severity (unspecified severity counts as medium).
    double penalty_low = 0.5;
    double penalty_medium = 1;
    double penalty_high = 2;
    double penalty_critical = 4;
    double penalty_escalated = 1;  // added for an escalated open ticket
    // Average CSAT (1-5) in the window: >= good → 0, >= fair → fair penalty,
    // else poor penalty.
    double csat_good_min = 4.0;
    double csat_fair_min = 3.0;
    double penalty_csat_fair = 1;
    double penalty_csat_poor = 3;
  } support;

  // Commercial = clamp(10 − penalties, 0, 10); 0 when ARR is 0.
  struct Commercial {
    double penalty_payment_overdue = 4;
    int contraction_lookback_days = 180;
    double penalty_contraction = 3;
    double penalty_renewal_lapsed = 3;
    int renewal_proximity_days = 60;
    double penalty_renewal_proximity = 1;
  } commercial;

  // Leading indicators (codes in parentheses).
  struct Indicators {
    // (usage_decline) latest utilisation down by at least this share
    // relative to the latest snapshot at or before as_of − lookback.
    double usage_decline_ratio = 0.2;
    int usage_decline_lookback_days = 30;
    // (engagement_drop) no touchpoint for at least this many days.
    int engagement_drop_days = 30;
    // (sponsor_change) sponsor identified within this many days, not now.
    int sponsor_change_days = 90;
    // (negative_feedback) NPS <= nps_max or CSAT <= csat_max in the window.
    int negative_feedback_days = 30;
    int negative_nps_max = 6;
    int negative_csat_max = 2;
    // (renewal_risk) renewal within this many days and band not green.
    int renewal_risk_days = 90;
  } indicators;

  // The renewal windows of the portfolio report: renewals due within each
  // many days after as_of. 1 to 8 windows, strictly increasing, each 1-3650.
  struct Renewals {
    std::vector<int> window_days = {30, 60, 90, 120};
  } renewals;

  // Segment boundaries on ARR (ACV): < pooled_min_arr digital;
  // < named_min_arr pooled; <= named_max_arr named; above it dedicated.
  struct Coverage {
    double pooled_min_arr = 5000;
    double named_min_arr = 20000;
    double named_max_arr = 75000;
    SegmentCoverageConfig digital{500, 0};
    SegmentCoverageConfig pooled{150, 90};
    SegmentCoverageConfig named{40, 30};
    SegmentCoverageConfig dedicated{12, 14};
  } coverage;

  // Targets a CS team reports against. Ratios are fractions (0.95 = 95%).
  struct Kpis {
    KpiTarget customer_retention{0.95, false};  // > 95%
    KpiTarget nrr{1.20, false};                 // > 120%
    KpiTarget logo_churn{0.05, false};          // < 5%
    KpiTarget nps{60, false};                   // > 60
    KpiTarget csat_average{4.0, true};          // >= 4.0
    KpiTarget ces_average{3.0, true};           // <= 3.0
  } kpis;

  // Why customers churn or contract: the codes a CHURN or CONTRACTION
  // signal may carry in commercial.reason_code, in report order. 1 to 32.
  std::vector<ChurnReason> churn_reasons = {
      {"product_fit", "Product fit"},
      {"price", "Price"},
      {"competitor", "Lost to a competitor"},
      {"champion_left", "Champion left"},
      {"budget_cut", "Budget cut"},
      {"acquired", "Acquired or merged"},
      {"poor_onboarding", "Poor onboarding"},
      {"support", "Support experience"},
      {"other", "Other"},
  };
};

// The taxonomy entry for `code`, or nullptr.
const ChurnReason* FindChurnReason(const HealthConfig& config,
                                   absl::string_view code);

// The playbook defaults (the same values as config/health.json).
HealthConfig DefaultHealthConfig();

// Checks ranges and orderings; the error names the offending key.
absl::Status ValidateHealthConfig(const HealthConfig& config);

// Defaults overridden by the JSON document `json`. Unknown keys, wrong types
// and invalid values are InvalidArgument errors naming the key. Keys starting
// with "_" are comments and ignored.
absl::StatusOr<HealthConfig> ParseHealthConfig(absl::string_view json);

// ParseHealthConfig over the file at `path` (NotFound if unreadable).
absl::StatusOr<HealthConfig> LoadHealthConfig(const std::string& path);

}  // namespace retain::health

#endif  // RETAIN_CORE_HEALTH_HEALTH_CONFIG_H_
