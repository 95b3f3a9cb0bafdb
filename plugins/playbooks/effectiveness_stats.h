// Effectiveness of playbooks, as functions over task records and what the
// host told about the accounts, passed in (no host): per playbook and
// segment, as of a time. The host side (effectiveness_evidence.h) gathers
// the evidence.
#ifndef RETAIN_PLUGINS_PLAYBOOKS_EFFECTIVENESS_STATS_H_
#define RETAIN_PLUGINS_PLAYBOOKS_EFFECTIVENESS_STATS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "retain/plugins/playbooks/v1/playbooks.pb.h"

namespace retain::plugins::playbooks {

// One account's health score at a time.
struct HealthSample {
  std::string account_id{};
  int64_t at_micros = 0;
  double score = 0;
};

// A save is judged at the account's first renewal after the trigger, or
// this long after the trigger when none falls in between.
constexpr int kSaveHorizonDays = 180;

// An account whose task of the playbook was open at the trigger or opened
// less than this many days after it was treated too, so it is no
// comparison; one opened later ("late") still is.
constexpr int kLateTreatmentDays = 14;

// The health horizons, in days.
constexpr int kHealthHorizonDays[] = {30, 60, 90};

enum class SaveVerdict { kUndecided, kSaved, kLost };

// When a save is judged: the earliest renewal in (trigger, trigger +
// kSaveHorizonDays], else trigger + kSaveHorizonDays.
int64_t SaveDecisionTime(int64_t trigger_micros,
                         const std::vector<int64_t>& renewal_micros);

// Saved when still a customer (ARR above 0) with ARR at the decision at
// least the ARR at the trigger; lost otherwise; undecided when the
// decision is after as_of.
SaveVerdict JudgeSave(double arr_at_trigger, double arr_at_decision,
                      int64_t decision_micros, int64_t as_of);

// What the host told about the tasks, by task_id: the save verdicts, the
// accounts each task is compared with (sampled at the task's create time
// and the horizons after it) and the health samples of both.
struct Evidence {
  std::map<std::string, SaveVerdict> saves{};
  std::map<std::string, std::vector<std::string>> comparisons{};
  std::vector<HealthSample> samples{};
};

// Median of the values (mean of the middle two for an even count); 0 for
// none.
double Median(std::vector<double> values);

// Rows per (playbook, segment) of the tasks created at or before as_of,
// with closes after as_of not counted yet; save rate and health deltas
// from the evidence (a task without a verdict is undecided).
std::vector<v1::EffectivenessRow> Effectiveness(
    const std::vector<v1::Task>& tasks, int64_t as_of,
    const Evidence& evidence = {});

// Health change `days` after each start (account, time): the latest sample
// at or before start and at or before start + days (which must be at or
// before as_of); nullopt without both.
std::optional<double> HealthChange(const std::string& account, int64_t start,
                                   const std::vector<HealthSample>& samples,
                                   int days, int64_t as_of);

// Matched comparison `days` after the trigger: for each treated (account,
// start) with comparison accounts, its change minus the mean change of the
// comparison accounts measured; the mean of those over the tasks that have
// both, and how many tasks that is.
struct HealthComparison {
  double delta = 0;
  int tasks = 0;
};
struct TreatedStart {
  std::string account_id{};
  int64_t at_micros = 0;
  std::vector<std::string> comparison{};
};
HealthComparison CompareHealthChange(const std::vector<TreatedStart>& treated,
                                     const std::vector<HealthSample>& samples,
                                     int days, int64_t as_of);

}  // namespace retain::plugins::playbooks

#endif  // RETAIN_PLUGINS_PLAYBOOKS_EFFECTIVENESS_STATS_H_
