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
  // Only the latest snapshot of the rule's window matters (the tiers are
  // for weekly active users: a 30-day count of the same team is larger),
  // and only if it is recent enough to describe the account now.
  const model::UsagePoint* latest = nullptr;
  const model::UsagePoint* other_window = nullptr;
  for (size_t i = model::EndAsOf(usage, as_of); i > 0; --i) {
    const model::UsagePoint& p = usage[i - 1];
    if (!InLastDays(p.time, as_of, c.lookback_days)) break;
    if (p.window_days == c.window_days) {
      latest = &p;
      break;
    }
    if (!other_window) other_window = &p;
  }
  if (!latest) {
    if (explain) {
      r.explanation =
          other_window
              ? absl::StrCat("no data: the latest usage snapshot counts ",
                             other_window->window_days,
                             "-day active users; the rule scores ",
                             c.window_days, "-day ones, none in the last ",
                             c.lookback_days, " days")
              : absl::StrCat("no data: no usage snapshot in the last ",
                             c.lookback_days, " days");
    }
    return r;
  }
  const model::UsagePoint& u = *latest;
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
