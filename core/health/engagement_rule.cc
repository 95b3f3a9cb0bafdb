// Engagement: seat utilisation from the latest usage snapshot.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/health/component_rules.h"
#include "core/health/time_util.h"

namespace retain::health {

ComponentResult ScoreEngagement(const HealthConfig& config,
                                const model::AccountState& account,
                                absl::Time as_of, bool explain) {
  const auto& c = config.engagement;
  ComponentResult r;
  r.name = "engagement";
  const int32_t seats = model::SeatsAt(account, as_of);
  if (explain) r.inputs.push_back({"licensed_seats", absl::StrCat(seats)});

  const auto& usage = account.timeline.usage;
  const size_t end = model::EndAsOf(usage, as_of);
  // Only the latest snapshot matters, and only if it is recent enough to
  // describe the account now.
  if (end == 0 || !InLastDays(usage[end - 1].time, as_of, c.lookback_days)) {
    if (explain)
      r.explanation = absl::StrCat("no data: no usage snapshot in the last ",
                                   c.lookback_days, " days");
    return r;
  }
  const model::UsagePoint& u = usage[end - 1];
  if (explain)
    r.inputs.push_back({"active_users", absl::StrCat(u.active_users)});
  if (explain)
    r.inputs.push_back({"usage_window_days", absl::StrCat(u.window_days)});
  if (explain) r.inputs.push_back({"usage_time", TimeString(u.time)});
  if (seats <= 0) {
    if (explain)
      r.explanation = "no data: licensed seats is 0, utilisation is undefined";
    return r;
  }
  const double utilisation =
      static_cast<double>(u.active_users) / static_cast<double>(seats);
  if (explain)
    r.inputs.push_back({"utilisation", absl::StrFormat("%.4f", utilisation)});
  r.has_data = true;
  const std::string pct = absl::StrFormat("%.1f%%", utilisation * 100);
  if (utilisation > c.high_utilisation) {
    r.score = c.score_high;
    if (explain)
      r.explanation = absl::StrFormat("utilisation %s > %g%%", pct,
                                      c.high_utilisation * 100);
  } else if (utilisation >= c.mid_utilisation) {
    r.score = c.score_mid;
    if (explain)
      r.explanation =
          absl::StrFormat("utilisation %s in %g-%g%%", pct,
                          c.mid_utilisation * 100, c.high_utilisation * 100);
  } else if (utilisation >= c.low_utilisation) {
    r.score = c.score_low;
    if (explain)
      r.explanation =
          absl::StrFormat("utilisation %s in %g-%g%%", pct,
                          c.low_utilisation * 100, c.mid_utilisation * 100);
  } else {
    r.score = c.score_minimal;
    if (explain)
      r.explanation = absl::StrFormat("utilisation %s < %g%%", pct,
                                      c.low_utilisation * 100);
  }
  return r;
}

}  // namespace retain::health
