#include "plugins/playbooks/effectiveness_stats.h"

#include <algorithm>
#include <map>
#include <utility>

#include "plugins/common/plugin_util.h"

namespace retain::plugins::playbooks {

namespace {

// The latest sample of the account at or before t.
std::optional<double> ScoreAt(const std::vector<HealthSample>& samples,
                              const std::string& account, int64_t t) {
  std::optional<double> out;
  int64_t best = 0;
  for (const auto& s : samples) {
    if (s.account_id != account || s.at_micros > t) continue;
    if (!out || s.at_micros >= best) {
      out = s.score;
      best = s.at_micros;
    }
  }
  return out;
}

double Rate(int part, int other) {
  return part + other ? static_cast<double>(part) / (part + other) : 0;
}

}  // namespace

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int64_t SaveDecisionTime(int64_t trigger_micros,
                         const std::vector<int64_t>& renewal_micros) {
  int64_t decision = trigger_micros + kSaveHorizonDays * sdk::kMicrosPerDay;
  for (int64_t r : renewal_micros) {
    if (r > trigger_micros && r < decision) decision = r;
  }
  return decision;
}

SaveVerdict JudgeSave(double arr_at_trigger, double arr_at_decision,
                      int64_t decision_micros, int64_t as_of) {
  if (decision_micros > as_of) return SaveVerdict::kUndecided;
  return arr_at_decision > 0 && arr_at_decision >= arr_at_trigger
             ? SaveVerdict::kSaved
             : SaveVerdict::kLost;
}

std::vector<v1::EffectivenessRow> Effectiveness(
    const std::vector<v1::Task>& tasks, int64_t as_of,
    const Evidence& evidence) {
  struct Acc {
    int triggered = 0, closed = 0, on_time = 0;
    int saved = 0, lost = 0, undecided = 0;
    int outcome_saved = 0, outcome_lost = 0, outcome_none = 0;
    std::vector<double> days_to_close;
    std::vector<TreatedStart> treated;
  };
  std::map<std::pair<std::string, int32_t>, Acc> by_key;
  for (const auto& t : tasks) {
    const int64_t created = MicrosOf(t.create_time());
    if (created > as_of) continue;
    Acc& a = by_key[{t.playbook_id(), t.segment()}];
    ++a.triggered;
    auto verdict = evidence.saves.find(t.task_id());
    switch (verdict == evidence.saves.end() ? SaveVerdict::kUndecided
                                            : verdict->second) {
      case SaveVerdict::kSaved:
        ++a.saved;
        break;
      case SaveVerdict::kLost:
        ++a.lost;
        break;
      case SaveVerdict::kUndecided:
        ++a.undecided;
        break;
    }
    auto compared = evidence.comparisons.find(t.task_id());
    if (compared != evidence.comparisons.end())
      a.treated.push_back({t.account_id(), created, compared->second});
    if (!t.has_close_time()) continue;
    const int64_t closed = MicrosOf(t.close_time());
    if (closed > as_of) continue;
    ++a.closed;
    if (closed <= MicrosOf(t.due_time())) ++a.on_time;
    a.days_to_close.push_back(Days(closed - created));
    if (t.outcome() == v1::OUTCOME_SAVED) ++a.outcome_saved;
    if (t.outcome() == v1::OUTCOME_LOST) ++a.outcome_lost;
    if (t.outcome() == v1::OUTCOME_NO_ACTION_NEEDED) ++a.outcome_none;
  }
  std::vector<v1::EffectivenessRow> rows;
  for (const auto& [key, a] : by_key) {
    v1::EffectivenessRow r;
    r.set_playbook_id(key.first);
    r.set_segment(key.second);
    r.set_triggered(a.triggered);
    r.set_closed(a.closed);
    r.set_on_time_rate(a.closed ? static_cast<double>(a.on_time) / a.closed
                                : 0);
    r.set_median_days_to_close(Median(a.days_to_close));
    r.set_saved(a.saved);
    r.set_lost(a.lost);
    r.set_save_undecided(a.undecided);
    r.set_save_rate(Rate(a.saved, a.lost));
    r.set_outcome_saved(a.outcome_saved);
    r.set_outcome_lost(a.outcome_lost);
    r.set_outcome_no_action_needed(a.outcome_none);
    r.set_outcome_save_rate(Rate(a.outcome_saved, a.outcome_lost));
    const HealthComparison d30 =
        CompareHealthChange(a.treated, evidence.samples, 30, as_of);
    const HealthComparison d60 =
        CompareHealthChange(a.treated, evidence.samples, 60, as_of);
    const HealthComparison d90 =
        CompareHealthChange(a.treated, evidence.samples, 90, as_of);
    r.set_health_delta_30d(d30.delta);
    r.set_health_delta_60d(d60.delta);
    r.set_health_delta_90d(d90.delta);
    r.set_health_compared_30d(d30.tasks);
    r.set_health_compared_60d(d60.tasks);
    r.set_health_compared_90d(d90.tasks);
    r.set_has_health_delta(d30.tasks > 0);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::optional<double> HealthChange(const std::string& account, int64_t start,
                                   const std::vector<HealthSample>& samples,
                                   int days, int64_t as_of) {
  const int64_t end = start + days * sdk::kMicrosPerDay;
  if (end > as_of) return std::nullopt;
  auto before = ScoreAt(samples, account, start);
  auto after = ScoreAt(samples, account, end);
  if (!before || !after) return std::nullopt;
  return *after - *before;
}

HealthComparison CompareHealthChange(const std::vector<TreatedStart>& treated,
                                     const std::vector<HealthSample>& samples,
                                     int days, int64_t as_of) {
  double sum = 0;
  int n = 0;
  for (const auto& t : treated) {
    auto own = HealthChange(t.account_id, t.at_micros, samples, days, as_of);
    if (!own) continue;
    double others = 0;
    int measured = 0;
    for (const auto& c : t.comparison) {
      auto change = HealthChange(c, t.at_micros, samples, days, as_of);
      if (!change) continue;
      others += *change;
      ++measured;
    }
    if (measured == 0) continue;
    sum += *own - others / measured;
    ++n;
  }
  HealthComparison out;
  out.tasks = n;
  if (n > 0) out.delta = sum / n;
  return out;
}

}  // namespace retain::plugins::playbooks
