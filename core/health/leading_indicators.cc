#include "core/health/leading_indicators.h"

#include "absl/strings/str_format.h"
#include "core/health/component_rules.h"
#include "core/health/segments.h"
#include "core/health/time_util.h"
#include "core/model/arr_moves.h"

namespace retain::health {
namespace {

bool UsageDecline(const HealthConfig& config, const model::AccountState& a,
                  absl::Time as_of, bool describe,
                  std::vector<Indicator>& out) {
  const auto& c = config.indicators;
  const auto& usage = a.timeline.usage;
  const size_t now = model::EndAsOf(usage, as_of);
  const size_t then =
      model::EndAsOf(usage, as_of - Days(c.usage_decline_lookback_days));
  if (now == 0 || then == 0) return false;
  // Seats are not versioned, so relative utilisation change equals relative
  // active-user change.
  const double before = usage[then - 1].active_users;
  const double latest = usage[now - 1].active_users;
  if (before <= 0) return false;
  const double decline = (before - latest) / before;
  if (decline < c.usage_decline_ratio) return false;
  if (describe)
    out.push_back(
        {"usage_decline",
         absl::StrFormat("active users down %.0f%% (%g → %g) versus %d days "
                         "earlier",
                         decline * 100, before, latest,
                         c.usage_decline_lookback_days),
         usage[now - 1].time});
  return true;
}

bool EngagementDrop(const HealthConfig& config, const model::AccountState& a,
                    absl::Time as_of, bool describe,
                    std::vector<Indicator>& out) {
  const int limit = config.indicators.engagement_drop_days;
  absl::Time since = LastTouchpointAt(a.timeline, as_of);
  const bool never = since == absl::InfinitePast();
  if (never) since = RelationshipStart(a);
  if (since == absl::InfinitePast() || since > as_of) return false;
  const double days = DaysBetween(since, as_of);
  if (days < limit) return false;
  if (describe)
    out.push_back({"engagement_drop",
                   absl::StrFormat("no touchpoint for %.0f days%s", days,
                                   never ? " (never contacted)" : ""),
                   since + Days(limit)});
  return true;
}

bool SponsorChange(const HealthConfig& config, const model::AccountState& a,
                   absl::Time as_of, bool describe,
                   std::vector<Indicator>& out) {
  const auto& sp = a.timeline.sponsor;
  if (model::HasExecSponsorAt(a.timeline, as_of)) return false;
  const absl::Time from = as_of - Days(config.indicators.sponsor_change_days);
  bool current = model::HasExecSponsorAt(a.timeline, from);
  bool had = current;
  absl::Time lost = absl::InfinitePast();
  const size_t end = model::EndAsOf(sp, as_of);
  for (size_t i = model::EndAsOf(sp, from); i < end; ++i) {
    // Keep the latest identified → not-identified transition.
    if (current && !sp[i].has_exec_sponsor) lost = sp[i].time;
    current = sp[i].has_exec_sponsor;
    had = had || current;
  }
  if (!had || lost == absl::InfinitePast()) return false;
  if (describe)
    out.push_back({"sponsor_change",
                   absl::StrFormat("exec sponsor no longer identified (was "
                                   "within the last %d days)",
                                   config.indicators.sponsor_change_days),
                   lost});
  return true;
}

bool NegativeFeedback(const HealthConfig& config, const model::AccountState& a,
                      absl::Time as_of, bool describe,
                      std::vector<Indicator>& out) {
  const auto& c = config.indicators;
  const auto& s = a.timeline.surveys;
  for (size_t i = model::EndAsOf(s, as_of); i > 0; --i) {
    const model::SurveyPoint& p = s[i - 1];
    if (!InLastDays(p.time, as_of, c.negative_feedback_days)) break;
    const bool nps =
        p.kind == signal::v1::SURVEY_KIND_NPS && p.score <= c.negative_nps_max;
    const bool csat = p.kind == signal::v1::SURVEY_KIND_CSAT &&
                      p.score <= c.negative_csat_max;
    if (!nps && !csat) continue;
    if (describe)
      out.push_back(
          {"negative_feedback",
           absl::StrFormat("%s %d in the last %d days", nps ? "NPS" : "CSAT",
                           p.score, c.negative_feedback_days),
           p.time});
    return true;  // the latest one is enough
  }
  return false;
}

bool SupportEscalation(const model::AccountState& a, absl::Time as_of,
                       bool describe, std::vector<Indicator>& out) {
  int n = 0;
  absl::Time latest = absl::InfinitePast();
  for (const auto& [id, t] : OpenTicketsAt(a.timeline, as_of)) {
    if (!t.escalated && t.severity != signal::v1::TICKET_SEVERITY_CRITICAL) {
      continue;
    }
    ++n;
    latest = std::max(latest, t.last_event_time);
  }
  if (n == 0) return false;
  if (describe)
    out.push_back(
        {"support_escalation",
         absl::StrFormat("%d open escalated or critical ticket(s)", n),
         latest});
  return true;
}

bool PaymentOverdue(const model::AccountState& a, absl::Time as_of,
                    bool describe, std::vector<Indicator>& out) {
  const auto& p = a.timeline.payments;
  const size_t end = model::EndAsOf(p, as_of);
  if (end == 0 || !p[end - 1].overdue) return false;
  if (describe)
    out.push_back(
        {"payment_overdue", "an invoice is overdue", p[end - 1].time});
  return true;
}

bool RenewalRisk(const HealthConfig& config, const model::AccountState& a,
                 absl::Time as_of, model::HealthBand band, bool describe,
                 std::vector<Indicator>& out) {
  const std::optional<absl::Time> due = model::RenewalAt(a, as_of);
  if (!due) return false;
  if (band != account::v1::HEALTH_BAND_YELLOW &&
      band != account::v1::HEALTH_BAND_RED) {
    return false;
  }
  const absl::Time renewal = *due;
  if (renewal <= as_of ||
      renewal > as_of + Days(config.indicators.renewal_risk_days)) {
    return false;
  }
  if (describe)
    out.push_back({"renewal_risk",
                   absl::StrFormat(
                       "renewal in %.0f days and health is %s",
                       DaysBetween(as_of, renewal),
                       band == account::v1::HEALTH_BAND_RED ? "red" : "yellow"),
                   as_of});
  return true;
}

}  // namespace

const char* const kIndicatorCodes[kIndicatorCount] = {
    "usage_decline",     "engagement_drop",    "sponsor_change",
    "negative_feedback", "support_escalation", "payment_overdue",
    "renewal_risk"};

int IndicatorIndex(absl::string_view code) {
  for (int i = 0; i < kIndicatorCount; ++i) {
    if (code == kIndicatorCodes[i]) return i;
  }
  return -1;
}

IndicatorMask MaskOf(const std::vector<Indicator>& indicators) {
  IndicatorMask mask = 0;
  for (const Indicator& ind : indicators) {
    const int i = IndicatorIndex(ind.code);
    if (i >= 0) mask |= IndicatorMask{1} << i;
  }
  return mask;
}

IndicatorMask HeldIndicators(const HealthConfig& config,
                             const model::AccountState& account,
                             absl::Time as_of, model::HealthBand band,
                             IndicatorMask describe,
                             std::vector<Indicator>* described) {
  // A churned account is lost, not at risk: nothing it does leads anywhere.
  if (model::IsChurnedAt(account.timeline, as_of)) return 0;
  // Each rule in kIndicatorCodes order; only the ones asked for are
  // formatted (the formatting, not the rule, is most of the cost).
  std::vector<Indicator> none;
  std::vector<Indicator>& out = described ? *described : none;
  auto want = [describe, described](int i) {
    return described != nullptr && (describe >> i & 1) != 0;
  };
  const bool held[kIndicatorCount] = {
      UsageDecline(config, account, as_of, want(0), out),
      EngagementDrop(config, account, as_of, want(1), out),
      SponsorChange(config, account, as_of, want(2), out),
      NegativeFeedback(config, account, as_of, want(3), out),
      SupportEscalation(account, as_of, want(4), out),
      PaymentOverdue(account, as_of, want(5), out),
      RenewalRisk(config, account, as_of, band, want(6), out),
  };
  IndicatorMask mask = 0;
  for (int i = 0; i < kIndicatorCount; ++i) {
    if (held[i]) mask |= IndicatorMask{1} << i;
  }
  return mask;
}

std::vector<Indicator> LeadingIndicators(const HealthConfig& config,
                                         const model::AccountState& account,
                                         absl::Time as_of,
                                         model::HealthBand band) {
  std::vector<Indicator> out;
  HeldIndicators(config, account, as_of, band, kAllIndicators, &out);
  return out;
}

}  // namespace retain::health
