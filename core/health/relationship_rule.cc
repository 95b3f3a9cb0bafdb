// Relationship: how recently a CSM spoke to the customer, and whether an
// executive sponsor is identified.
#include "absl/strings/str_format.h"
#include "core/health/component_rules.h"
#include "core/health/segments.h"
#include "core/health/time_util.h"

namespace retain::health {

absl::Time LastTouchpointAt(const model::AccountTimeline& timeline,
                            absl::Time as_of) {
  const size_t end = model::EndAsOf(timeline.touchpoints, as_of);
  return end == 0 ? absl::InfinitePast() : timeline.touchpoints[end - 1].time;
}

ComponentResult ScoreRelationship(const HealthConfig& config,
                                  const model::AccountState& account,
                                  absl::Time as_of, bool explain) {
  const auto& c = config.relationship;
  ComponentResult r;
  r.name = "relationship";
  const bool sponsor = model::HasExecSponsorAt(account.timeline, as_of);
  if (explain) r.inputs.push_back({"exec_sponsor", sponsor ? "true" : "false"});

  absl::Time since = LastTouchpointAt(account.timeline, as_of);
  std::string basis = "last touchpoint";
  if (since == absl::InfinitePast()) {
    // Never contacted: the silence started when the contract did, so an
    // account left alone since signing scores as badly as one dropped.
    since = RelationshipStart(account);
    basis = "contract start (never contacted)";
    if (explain) r.inputs.push_back({"last_touchpoint_time", "never"});
    if (since == absl::InfinitePast() || since > as_of) {
      if (explain)
        r.explanation =
            "no data: never contacted and no contract start before as_of";
      return r;
    }
    if (explain) r.inputs.push_back({"contract_start_time", TimeString(since)});
  } else {
    if (explain)
      r.inputs.push_back({"last_touchpoint_time", TimeString(since)});
  }
  const double days = DaysBetween(since, as_of);
  if (explain)
    r.inputs.push_back({"days_since_contact", absl::StrFormat("%.2f", days)});
  r.has_data = true;

  // The playbook gives "sponsor and < 14 d → 10" and "< 30 d, no sponsor →
  // 6" and leaves a sponsor contacted 14-30 days ago open. We score it 6:
  // a sponsor alone does not keep a relationship warm, and scoring it 10
  // would let a named sponsor hide a cooling cadence.
  if (sponsor && days < c.sponsor_contact_days) {
    r.score = c.score_sponsor_recent;
    if (explain)
      r.explanation =
          absl::StrFormat("exec sponsor identified and %s %.1f days ago (< %g)",
                          basis, days, c.sponsor_contact_days);
  } else if (days < c.recent_contact_days) {
    r.score = c.score_recent;
    if (explain)
      r.explanation = absl::StrFormat("%s %.1f days ago (< %g)%s", basis, days,
                                      c.recent_contact_days,
                                      sponsor ? "" : ", no exec sponsor");
  } else if (days < c.stale_contact_days) {
    r.score = c.score_stale;
    if (explain)
      r.explanation =
          absl::StrFormat("no contact for %.1f days (%g-%g)", days,
                          c.recent_contact_days, c.stale_contact_days);
  } else {
    r.score = c.score_lost;
    if (explain)
      r.explanation = absl::StrFormat("no contact for %.1f days (>= %g)", days,
                                      c.stale_contact_days);
  }
  return r;
}

}  // namespace retain::health
