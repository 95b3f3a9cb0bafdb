#include "core/engine/engine.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/health/health_model.h"
#include "core/health/segments.h"
#include "core/ingest/signal_validation.h"
#include "core/model/apply_signal.h"
#include "core/model/proto_time.h"
#include "core/store/sqlite_store.h"

namespace retain::engine {

using model::FromProto;
using model::ToProto;

Engine::Engine(EngineOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(EngineOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data_dir ", options.data_dir, ": cannot create: ", ec.message()));
  }
  std::unique_ptr<Engine> engine(new Engine(std::move(options)));
  auto store = store::SqliteStore::Open(
      (std::filesystem::path(engine->options_.data_dir) / "retain.db")
          .string(),
      engine->options_.durability);
  if (!store.ok()) return store.status();
  engine->store_ = std::move(*store);
  if (absl::Status s = engine->Load(); !s.ok()) return s;
  engine->writer_ = std::thread([e = engine.get()] { e->WriterLoop(); });
  engine->refresher_ = std::thread([e = engine.get()] { e->RefreshLoop(); });
  engine->sweeper_ = std::thread([e = engine.get()] {
    while (true) {
      {
        absl::MutexLock lock(&e->sweep_mu_);
        auto stop = [e]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(e->sweep_mu_) {
          return e->sweep_stop_;
        };
        if (e->sweep_mu_.AwaitWithTimeout(absl::Condition(&stop),
                                          e->options_.sweep_interval)) {
          return;
        }
      }
      e->SweepHealth();
    }
  });
  return engine;
}

Engine::~Engine() { Shutdown(); }

void Engine::Shutdown() {
  if (shut_down_.exchange(true)) return;
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  {
    absl::MutexLock lock(&sweep_mu_);
    sweep_stop_ = true;
  }
  if (writer_.joinable()) writer_.join();
  {
    absl::MutexLock lock(&refresh_mu_);
    refresh_stop_ = true;
  }
  if (refresher_.joinable()) refresher_.join();
  if (sweeper_.joinable()) sweeper_.join();
  alerts_.CloseAll();
}

absl::Status Engine::Load() {
  const absl::Time start = absl::Now();
  absl::MutexLock lock(&mu_);
  absl::Status parse_error;
  absl::Status s = store_->ForEachAccount([&](const store::StoredAccount& a) {
    auto entry = std::make_unique<AccountEntry>();
    entry->state.tenant = a.tenant;
    entry->state.id = a.account_id;
    if (!entry->state.profile.ParseFromString(a.payload)) {
      parse_error = absl::DataLossError(
          absl::StrCat("store: account ", a.account_id, " is corrupt"));
      return;
    }
    model::SeedTimelineFromProfile(entry->state);
    AddAccount(Tenant(a.tenant), std::move(entry));
  });
  if (!s.ok()) return s;
  if (!parse_error.ok()) return parse_error;

  int64_t last = 0;
  int64_t replayed = 0;
  signal::v1::Signal signal;
  s = store_->ForEachSignal(0, [&](const store::StoredSignal& row) {
    last = row.seq;
    if (!signal.ParseFromString(row.payload)) {
      parse_error = absl::DataLossError(
          absl::StrCat("store: signal seq ", row.seq, " is corrupt"));
      return false;
    }
    ApplyStored(row.tenant, row.account_id, row.seq, signal);
    if (++replayed % 500000 == 0 && options_.on_load_progress) {
      options_.on_load_progress(replayed);
    }
    return true;
  });
  if (!s.ok()) return s;
  if (!parse_error.ok()) return parse_error;
  last_seq_ = last;

  const absl::Time now = absl::Now();
  for (auto& [tenant, ts] : tenants_) {
    for (auto& [id, entry] : ts.accounts) RefreshHealth(tenant, *entry, now);
  }
  load_time_ = absl::Now() - start;
  return absl::OkStatus();
}

Engine::TenantState& Engine::Tenant(const std::string& tenant) {
  return tenants_[tenant];
}

const Engine::TenantState* Engine::FindTenant(
    const std::string& tenant) const {
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? nullptr : &it->second;
}

Engine::AccountEntry* Engine::FindAccount(const std::string& tenant,
                                          const std::string& id) {
  const TenantState* ts = FindTenant(tenant);
  if (!ts) return nullptr;
  auto it = ts->by_id.find(id);
  return it == ts->by_id.end() ? nullptr : it->second;
}

void Engine::AddAccount(TenantState& ts, std::unique_ptr<AccountEntry> entry) {
  const std::string id = entry->state.id;
  ts.by_id[id] = entry.get();
  ts.accounts[id] = std::move(entry);
}

std::vector<const model::AccountState*> Engine::TenantAccounts(
    const std::string& tenant) {
  std::vector<const model::AccountState*> out;
  if (const TenantState* ts = FindTenant(tenant)) {
    out.reserve(ts->accounts.size());
    for (const auto& [id, entry] : ts->accounts) out.push_back(&entry->state);
  }
  return out;
}

void Engine::ApplyStored(const std::string& tenant,
                         const std::string& account_id, int64_t seq,
                         const signal::v1::Signal& signal) {
  TenantState& ts = Tenant(tenant);
  ts.signal_ids.insert(signal.signal_id());
  auto it = ts.by_id.find(account_id);
  // A signal of an account deleted since is kept out of the model.
  if (it == ts.by_id.end()) return;
  AccountEntry& entry = *it->second;
  model::ApplySignal(signal, entry.state);
  const absl::Time t = FromProto(signal.occur_time());
  auto pos = entry.refs.end();
  while (pos != entry.refs.begin() && (pos - 1)->time > t) --pos;
  entry.refs.insert(pos, SignalRef{t, seq, static_cast<int32_t>(signal.kind())});
}

std::optional<report::v1::HealthAlert> Engine::RefreshHealth(
    const std::string& tenant, AccountEntry& entry, absl::Time now) {
  return StoreHealth(entry, health::ComputeHealth(options_.health, entry.state, now),
                     now);
}

std::optional<report::v1::HealthAlert> Engine::StoreHealth(
    AccountEntry& entry, const health::HealthResult& r, absl::Time now) {
  const CurrentHealth before = entry.health;
  entry.health = CurrentHealth{r.has_score, r.score, r.band};
  if (before.band == r.band) return std::nullopt;
  report::v1::HealthAlert alert;
  alert.set_account(health::AccountName(entry.state));
  alert.set_display_name(entry.state.profile.display_name());
  alert.set_previous_band(before.band);
  alert.set_band(r.band);
  alert.set_score(r.score);
  alert.set_arr(r.arr);
  *alert.mutable_alert_time() = ToProto(now);
  for (const health::Indicator& ind : r.indicators) {
    auto* li = alert.add_leading_indicators();
    li->set_code(ind.code);
    li->set_description(ind.description);
    *li->mutable_observed_time() = ToProto(ind.observed_time);
  }
  return alert;
}

void Engine::SweepHealth() {
  std::vector<std::pair<std::string, report::v1::HealthAlert>> alerts;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    for (auto& [tenant, ts] : tenants_) {
      for (auto& [id, entry] : ts.accounts) {
        auto alert = RefreshHealth(tenant, *entry, now);
        if (alert) alerts.emplace_back(tenant, std::move(*alert));
      }
    }
  }
  for (const auto& [tenant, alert] : alerts) alerts_.Publish(tenant, alert);
}

EngineStats Engine::stats() {
  EngineStats s;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [tenant, ts] : tenants_) {
    s.accounts += ts.accounts.size();
    s.signals += ts.signal_ids.size();
  }
  s.commits = commits_;
  s.committed_signals = committed_signals_;
  s.load_time = load_time_;
  return s;
}

// --- Group commit -----------------------------------------------------------

absl::Status Engine::ValidateBatch(
    const std::string& tenant, const std::vector<signal::v1::Signal>& signals,
    bool allow_reserved) {
  if (signals.empty()) {
    return absl::InvalidArgumentError("signals: at least one is required");
  }
  if (signals.size() > ingest::kMaxBatchSignals) {
    return absl::InvalidArgumentError(
        absl::StrCat("signals: at most ", ingest::kMaxBatchSignals,
                     " per batch, got ", signals.size()));
  }
  const absl::Time now = absl::Now();
  for (size_t i = 0; i < signals.size(); ++i) {
    const std::string path = absl::StrCat("signals[", i, "]");
    if (absl::Status s =
            ingest::ValidateSignal(signals[i], path, now, allow_reserved);
        !s.ok()) {
      return s;
    }
    const std::string id = signals[i].account().substr(9);
    AccountEntry* entry = FindAccount(tenant, id);
    if (!entry) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ".account: no account \"", signals[i].account(), "\""));
    }
    if (signals[i].has_commercial() &&
        signals[i].commercial().kind() ==
            signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION) {
      const double arr = model::ArrAt(entry->state.timeline,
                                      FromProto(signals[i].occur_time()));
      if (arr + signals[i].commercial().arr_delta() <= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ".commercial.arr_delta: a contraction of ",
            -signals[i].commercial().arr_delta(), " would take ARR ", arr,
            " to 0 or below; record a CHURN instead"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Engine::RecordSignalsAsync(const std::string& tenant,
                                        std::vector<signal::v1::Signal> signals,
                                        IngestDone done) {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (absl::Status s = ValidateBatch(tenant, signals, false); !s.ok()) {
      return s;
    }
  }
  Enqueue(PendingBatch{tenant, std::move(signals), std::move(done)});
  return absl::OkStatus();
}

void Engine::Enqueue(PendingBatch batch) {
  absl::MutexLock lock(&queue_mu_);
  if (stopping_) {
    IngestDone done = std::move(batch.done);
    queue_mu_.Unlock();
    done(absl::UnavailableError("server is shutting down"));
    queue_mu_.Lock();
    return;
  }
  queue_.push_back(std::move(batch));
}

absl::StatusOr<IngestCounts> Engine::RecordSignals(
    const std::string& tenant, std::vector<signal::v1::Signal> signals) {
  absl::Mutex mu;
  bool finished = false;
  absl::StatusOr<IngestCounts> result;
  absl::Status s = RecordSignalsAsync(
      tenant, std::move(signals), [&](absl::StatusOr<IngestCounts> r) {
        absl::MutexLock lock(&mu);
        result = std::move(r);
        finished = true;
      });
  if (!s.ok()) return s;
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(&finished));
  return result;
}

absl::Status Engine::RecordSystemSignals(
    const std::string& tenant, std::vector<signal::v1::Signal> signals) {
  if (signals.empty()) return absl::OkStatus();
  {
    absl::ReaderMutexLock lock(&mu_);
    if (absl::Status s = ValidateBatch(tenant, signals, true); !s.ok()) {
      return s;
    }
  }
  absl::Mutex mu;
  bool finished = false;
  absl::Status result;
  Enqueue(PendingBatch{tenant, std::move(signals),
                       [&](absl::StatusOr<IngestCounts> r) {
                         absl::MutexLock lock(&mu);
                         result = r.status();
                         finished = true;
                       }});
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(&finished));
  return result;
}

void Engine::WriterLoop() {
  while (true) {
    std::vector<PendingBatch> group;
    {
      absl::MutexLock lock(&queue_mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
        return !queue_.empty() || stopping_;
      };
      queue_mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping and drained
      size_t total = 0;
      while (!queue_.empty() &&
             (group.empty() ||
              total + queue_.front().signals.size() <=
                  static_cast<size_t>(options_.max_group_signals))) {
        total += queue_.front().signals.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(group);
  }
}

void Engine::CommitGroup(std::vector<PendingBatch>& group) {
  std::vector<IngestCounts> counts(group.size());
  std::vector<absl::Status> failed(group.size());
  // Which signals of each batch are new: decided here, on the only thread
  // that adds ids, so a check followed by the write below cannot race.
  std::vector<std::vector<bool>> fresh(group.size());
  std::vector<store::StoredSignal> rows;
  const absl::Time now = absl::Now();
  {
    absl::ReaderMutexLock lock(&mu_);
    // (tenant, id) pairs seen earlier in this group; views into the batches,
    // which outlive the set.
    absl::flat_hash_set<std::pair<absl::string_view, absl::string_view>>
        in_group;
    for (size_t b = 0; b < group.size(); ++b) {
      const TenantState* ts = FindTenant(group[b].tenant);
      fresh[b].assign(group[b].signals.size(), false);
      for (size_t i = 0; i < group[b].signals.size(); ++i) {
        signal::v1::Signal& sig = group[b].signals[i];
        if ((ts && ts->signal_ids.contains(sig.signal_id())) ||
            !in_group.emplace(group[b].tenant, sig.signal_id()).second) {
          ++counts[b].duplicates;
          continue;
        }
        fresh[b][i] = true;
        ++counts[b].recorded;
      }
    }
    for (size_t b = 0; b < group.size(); ++b) {
      for (size_t i = 0; i < group[b].signals.size(); ++i) {
        if (!fresh[b][i]) continue;
        signal::v1::Signal& sig = group[b].signals[i];
        sig.set_kind(model::KindOf(sig));
        *sig.mutable_record_time() = ToProto(now);
        store::StoredSignal row;
        row.tenant = group[b].tenant;
        row.signal_id = sig.signal_id();
        row.account_id = sig.account().substr(9);
        row.kind = sig.kind();
        row.occur_time = FromProto(sig.occur_time());
        row.record_time = now;
        sig.SerializeToString(&row.payload);
        rows.push_back(std::move(row));
      }
    }
  }

  absl::Status write = store_->AppendSignals(rows);
  if (!write.ok()) {
    for (PendingBatch& b : group) b.done(write);
    return;
  }

  CommittedGroup committed;
  {
    absl::MutexLock lock(&mu_);
    size_t r = 0;
    absl::flat_hash_set<AccountEntry*> touched;
    for (size_t b = 0; b < group.size(); ++b) {
      for (size_t i = 0; i < group[b].signals.size(); ++i) {
        if (!fresh[b][i]) continue;
        const store::StoredSignal& row = rows[r++];
        ApplyStored(row.tenant, row.account_id, row.seq, group[b].signals[i]);
        AccountEntry* e = FindAccount(row.tenant, row.account_id);
        if (e && touched.insert(e).second) {
          committed.touched.emplace_back(row.tenant, row.account_id);
        }
      }
    }
  }
  if (!rows.empty()) {
    last_seq_ = rows.back().seq;
    commits_++;
    committed_signals_ += rows.size();
    if (options_.on_durable) options_.on_durable(rows.back().seq);
  }
  committed.batches = std::move(group);
  committed.counts = std::move(counts);
  absl::MutexLock lock(&refresh_mu_);
  refresh_queue_.push_back(std::move(committed));
}

void Engine::RefreshLoop() {
  while (true) {
    std::vector<CommittedGroup> groups;
    {
      absl::MutexLock lock(&refresh_mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_) {
        return !refresh_queue_.empty() || refresh_stop_;
      };
      refresh_mu_.Await(absl::Condition(&ready));
      if (refresh_queue_.empty()) return;  // stopping and drained
      while (!refresh_queue_.empty()) {
        groups.push_back(std::move(refresh_queue_.front()));
        refresh_queue_.pop_front();
      }
    }
    RefreshAndAcknowledge(groups);
  }
}

void Engine::RefreshAndAcknowledge(std::vector<CommittedGroup>& groups) {
  // Groups that queued up while the previous refresh ran are refreshed
  // together: an account touched by all of them is scored once.
  absl::flat_hash_set<std::pair<std::string, std::string>> seen;
  std::vector<std::pair<std::string, std::string>> touched;
  for (const CommittedGroup& g : groups) {
    for (const auto& key : g.touched) {
      if (seen.insert(key).second) touched.push_back(key);
    }
  }
  const absl::Time now = absl::Now();
  // Scores are computed under the shared lock (ingest validation proceeds),
  // then stored under the exclusive one.
  std::vector<health::HealthResult> results(touched.size());
  {
    absl::ReaderMutexLock lock(&mu_);
    for (size_t i = 0; i < touched.size(); ++i) {
      if (AccountEntry* e = FindAccount(touched[i].first, touched[i].second)) {
        results[i] = health::ComputeHealth(options_.health, e->state, now);
      }
    }
  }
  std::vector<std::pair<std::string, report::v1::HealthAlert>> alerts;
  {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < touched.size(); ++i) {
      AccountEntry* e = FindAccount(touched[i].first, touched[i].second);
      if (!e) continue;
      if (auto alert = StoreHealth(*e, results[i], now)) {
        alerts.emplace_back(touched[i].first, std::move(*alert));
      }
    }
  }
  for (const auto& [tenant, alert] : alerts) alerts_.Publish(tenant, alert);
  for (CommittedGroup& g : groups) {
    for (size_t b = 0; b < g.batches.size(); ++b) {
      g.batches[b].done(g.counts[b]);
    }
  }
}

}  // namespace retain::engine
