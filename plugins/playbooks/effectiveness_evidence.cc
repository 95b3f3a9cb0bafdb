#include "plugins/playbooks/effectiveness_evidence.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "plugins/common/plugin_util.h"

namespace retain::plugins::playbooks {
namespace {

// FNV-1a: a stable order of candidates per task.
uint64_t Fnv1a(const std::string& a, const std::string& b) {
  uint64_t h = 1469598103934665603ULL;
  for (const std::string* s : {&a, &b}) {
    for (unsigned char c : *s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // separates ("ab", "c") from ("a", "bc")
    h *= 1099511628211ULL;
  }
  return h;
}

class Gatherer {
 public:
  Gatherer(const sdk::Host& host, const std::string& tenant, int64_t as_of,
           const std::vector<v1::Task>& all)
      : host_(host), tenant_(tenant), as_of_(as_of) {
    for (const auto& t : all) {
      const int64_t close = t.has_close_time()
                                ? MicrosOf(t.close_time())
                                : std::numeric_limits<int64_t>::max();
      open_spans_[{t.playbook_id(), t.account_id()}].push_back(
          {MicrosOf(t.create_time()), close});
    }
  }

  Status Measure(const v1::Task& task, Evidence* out) {
    const int64_t trigger = MicrosOf(task.create_time());
    auto at_trigger = HealthAt(task.account_id(), trigger);
    if (!at_trigger.ok()) return at_trigger.status();
    if (!*at_trigger) return Status();  // the account was removed
    const sdk::AccountHealth& start = **at_trigger;

    auto verdict = JudgeTask(task, start, trigger);
    if (!verdict.ok()) return verdict.status();
    out->saves[task.task_id()] = *verdict;

    if (trigger + kHealthHorizonDays[0] * sdk::kMicrosPerDay > as_of_)
      return Status();  // no horizon has passed: nothing to compare
    Record(task.account_id(), trigger, start.health.score, out);
    if (Status s = SampleHorizons(task.account_id(), trigger, out); !s.ok())
      return s;
    auto group = Comparison(task, start, trigger, out);
    if (!group.ok()) return group.status();
    if (!group->empty()) out->comparisons[task.task_id()] = std::move(*group);
    return Status();
  }

 private:
  // The account's health as of t (nullopt: no such account).
  sdk::Result<std::optional<sdk::AccountHealth>> HealthAt(
      const std::string& account, int64_t t) {
    auto key = std::make_pair(account, t);
    auto cached = health_.find(key);
    if (cached != health_.end()) return cached->second;
    auto h = host_.GetAccountHealth(tenant_, account, t);
    std::optional<sdk::AccountHealth> value;
    if (h.ok()) {
      value = std::move(*h);
    } else if (h.status().code() != sdk::Code::kNotFound) {
      return h.status();
    }
    health_[key] = value;
    return value;
  }

  void Record(const std::string& account, int64_t t, double score,
              Evidence* out) {
    if (recorded_.insert({account, t}).second)
      out->samples.push_back({account, t, score});
  }

  // The account's score at each horizon after the trigger up to as_of.
  Status SampleHorizons(const std::string& account, int64_t trigger,
                        Evidence* out) {
    for (int days : kHealthHorizonDays) {
      const int64_t t = trigger + days * sdk::kMicrosPerDay;
      if (t > as_of_) break;
      auto h = HealthAt(account, t);
      if (!h.ok()) return h.status();
      if (*h) Record(account, t, (*h)->health.score, out);
    }
    return Status();
  }

  // Renewals come from the RENEWAL commercial signals after the trigger
  // and the profile's renewal date (the core keeps only the current one).
  sdk::Result<SaveVerdict> JudgeTask(const v1::Task& task,
                                     const sdk::AccountHealth& start,
                                     int64_t trigger) {
    const int64_t horizon = trigger + kSaveHorizonDays * sdk::kMicrosPerDay;
    std::vector<int64_t> renewals = {start.account.renewal_micros};
    auto signals = host_.ListSignals(tenant_, task.account_id(),
                                     sdk::SignalKind::kCommercial, trigger + 1,
                                     horizon + 1);
    if (!signals.ok()) return signals.status();
    for (const auto& s : *signals) {
      if (s.commercial.kind == sdk::commercial_kind::kRenewal)
        renewals.push_back(s.occur_micros);
    }
    const int64_t decision = SaveDecisionTime(trigger, renewals);
    if (decision > as_of_) return SaveVerdict::kUndecided;
    auto then = HealthAt(task.account_id(), decision);
    if (!then.ok()) return then.status();
    if (!*then) return SaveVerdict::kUndecided;
    return JudgeSave(start.health.arr, (*then)->health.arr, decision, as_of_);
  }

  // Whether the account had a task of the playbook open at the trigger or
  // opened within kLateTreatmentDays after it.
  bool TreatedNear(const std::string& playbook, const std::string& account,
                   int64_t trigger) const {
    auto it = open_spans_.find({playbook, account});
    if (it == open_spans_.end()) return false;
    const int64_t late = trigger + kLateTreatmentDays * sdk::kMicrosPerDay;
    for (const auto& [opened, closed] : it->second) {
      if (opened < late && closed >= trigger) return true;
    }
    return false;
  }

  // Accounts of the task's segment, in its band at the trigger, not
  // treated near it; each sampled at the trigger and the horizons.
  sdk::Result<std::vector<std::string>> Comparison(
      const v1::Task& task, const sdk::AccountHealth& start, int64_t trigger,
      Evidence* out) {
    auto accounts = Accounts();
    if (!accounts.ok()) return accounts.status();
    std::vector<std::pair<uint64_t, const sdk::Account*>> order;
    for (const auto& a : **accounts) {
      if (a.id == task.account_id()) continue;
      if (a.contract_start_micros > trigger) continue;
      if (TreatedNear(task.playbook_id(), a.id, trigger)) continue;
      order.push_back({Fnv1a(task.task_id(), a.id), &a});
    }
    std::sort(order.begin(), order.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first < y.first
                                : x.second->id < y.second->id;
    });
    std::vector<std::string> group;
    int examined = 0;
    for (const auto& [hash, a] : order) {
      if (examined >= kMaxExaminedPerTask ||
          static_cast<int>(group.size()) >= kMaxComparisonPerTask)
        break;
      ++examined;
      auto h = HealthAt(a->id, trigger);
      if (!h.ok()) return h.status();
      if (!*h || (*h)->health.segment != task.segment() ||
          (*h)->health.band != start.health.band)
        continue;
      Record(a->id, trigger, (*h)->health.score, out);
      if (Status s = SampleHorizons(a->id, trigger, out); !s.ok()) return s;
      group.push_back(a->id);
    }
    return group;
  }

  // The tenant's accounts, listed once per report.
  sdk::Result<const std::vector<sdk::Account>*> Accounts() {
    if (accounts_) return &*accounts_;
    std::vector<sdk::Account> all;
    std::string token;
    do {
      std::string next;
      auto page = host_.ListAccounts(tenant_, 1000, token, &next);
      if (!page.ok()) return page.status();
      for (auto& a : *page) all.push_back(std::move(a));
      token = next;
    } while (!token.empty());
    accounts_ = std::move(all);
    return &*accounts_;
  }

  const sdk::Host& host_;
  const std::string tenant_;
  const int64_t as_of_;
  std::map<std::pair<std::string, std::string>,
           std::vector<std::pair<int64_t, int64_t>>>
      open_spans_;  // (playbook, account) -> [create, close) of its tasks
  std::map<std::pair<std::string, int64_t>, std::optional<sdk::AccountHealth>>
      health_;
  std::set<std::pair<std::string, int64_t>> recorded_;
  std::optional<std::vector<sdk::Account>> accounts_;
};

}  // namespace

sdk::Result<Evidence> GatherEvidence(const sdk::Host& host,
                                     const std::string& tenant,
                                     const std::vector<v1::Task>& measured,
                                     const std::vector<v1::Task>& all,
                                     int64_t as_of) {
  Gatherer gatherer(host, tenant, as_of, all);
  Evidence out;
  for (const auto& t : measured) {
    if (MicrosOf(t.create_time()) > as_of) continue;
    // What the hook returns after its cancellation is dropped anyway.
    if (host.Cancelled())
      return Status(sdk::Code::kCancelled, "effectiveness report cancelled");
    Status s = gatherer.Measure(t, &out);
    // An older host has no health as of a time: nothing to add.
    if (s.code() == sdk::Code::kUnimplemented) return Evidence();
    if (!s.ok()) return s;
  }
  return out;
}

}  // namespace retain::plugins::playbooks
