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

}  // namespace

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<v1::EffectivenessRow> Effectiveness(
    const std::vector<v1::Task>& tasks, int64_t as_of) {
  struct Acc {
    int triggered = 0, closed = 0, on_time = 0, saved = 0, lost = 0;
    std::vector<double> days_to_close;
  };
  std::map<std::pair<std::string, int32_t>, Acc> by_key;
  for (const auto& t : tasks) {
    const int64_t created = MicrosOf(t.create_time());
    if (created > as_of) continue;
    Acc& a = by_key[{t.playbook_id(), t.segment()}];
    ++a.triggered;
    if (!t.has_close_time()) continue;
    const int64_t closed = MicrosOf(t.close_time());
    if (closed > as_of) continue;
    ++a.closed;
    if (closed <= MicrosOf(t.due_time())) ++a.on_time;
    a.days_to_close.push_back(Days(closed - created));
    if (t.outcome() == v1::OUTCOME_SAVED) ++a.saved;
    if (t.outcome() == v1::OUTCOME_LOST) ++a.lost;
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
    const int decided = a.saved + a.lost;
    r.set_save_rate(decided ? static_cast<double>(a.saved) / decided : 0);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::optional<double> MeanHealthChange(
    const std::vector<std::pair<std::string, int64_t>>& starts,
    const std::vector<HealthSample>& samples, int days, int64_t as_of) {
  double sum = 0;
  int n = 0;
  for (const auto& [account, start] : starts) {
    const int64_t end = start + days * sdk::kMicrosPerDay;
    if (end > as_of) continue;
    auto before = ScoreAt(samples, account, start);
    auto after = ScoreAt(samples, account, end);
    if (!before || !after) continue;
    sum += *after - *before;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

std::optional<double> HealthDelta(
    const std::vector<std::pair<std::string, int64_t>>& treated,
    const std::vector<std::pair<std::string, int64_t>>& untreated,
    const std::vector<HealthSample>& samples, int days, int64_t as_of) {
  auto t = MeanHealthChange(treated, samples, days, as_of);
  auto u = MeanHealthChange(untreated, samples, days, as_of);
  if (!t || !u) return std::nullopt;
  return *t - *u;
}

}  // namespace retain::plugins::playbooks
