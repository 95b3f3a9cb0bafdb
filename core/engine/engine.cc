#include "core/engine/engine.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "api/proto_time.h"
#include "core/health/health_model.h"
#include "core/health/segments.h"
#include "core/model/apply_signal.h"
#include "core/model/arr_moves.h"
#include "core/store/sqlite_store.h"

namespace retain::engine {

using api::FromProto;
using api::ToProto;

Engine::Engine(EngineOptions options)
    : options_(std::move(options)), quotas_(options_.quotas) {}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(EngineOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data_dir ", options.data_dir, ": cannot create: ", ec.message()));
  }
  std::unique_ptr<Engine> engine(new Engine(std::move(options)));
  auto store = store::SqliteStore::Open(
      (std::filesystem::path(engine->options_.data_dir) / "retain.db").string(),
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
      e->PruneAlerts(absl::Now()).IgnoreError();
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
    entry->stored_bytes = static_cast<int64_t>(a.payload.size());
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
    ApplyStored(row.tenant, row.account_id, row.seq, signal,
                static_cast<int64_t>(row.payload.size()));
    writer_ids_[row.tenant].insert(row.signal_id);
    if (++replayed % 500000 == 0 && options_.on_load_progress) {
      options_.on_load_progress(replayed);
    }
    return true;
  });
  if (!s.ok()) return s;
  if (!parse_error.ok()) return parse_error;
  last_seq_ = last;
  stored_signals_ = replayed;
  if (absl::Status pc = LoadPluginComponents(); !pc.ok()) return pc;
  if (absl::Status li = LoadIndicatorSets(); !li.ok()) return li;

  const absl::Time now = absl::Now();
  for (auto& [tenant, ts] : tenants_) {
    // The cache needs scores only; nobody watches yet, so no alerts.
    int64_t stored_bytes = 0;
    for (auto& [id, entry] : ts.accounts) {
      StoreHealth(
          *entry,
          health::ComputeHealthScore(options_.health, entry->state, now), now);
      stored_bytes += entry->stored_bytes;
    }
    // Counted during the one replay above; maintained incrementally after.
    quotas_.SetStored(tenant, stored_bytes);
  }
  load_time_ = absl::Now() - start;
  return absl::OkStatus();
}

Engine::TenantState& Engine::Tenant(const std::string& tenant) {
  return tenants_[tenant];
}

const Engine::TenantState* Engine::FindTenant(const std::string& tenant) const {
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? nullptr : &it->second;
}

Engine::AccountEntry* Engine::FindAccount(const std::string& tenant,
                                          absl::string_view id) {
  const TenantState* ts = FindTenant(tenant);
  if (!ts) return nullptr;
  auto it = ts->by_id.find(id);
  return it == ts->by_id.end() ? nullptr : it->second;
}

void Engine::AddAccount(TenantState& ts, std::unique_ptr<AccountEntry> entry) {
  const std::string id = entry->state.id;
  if (entry->state.profile.erased()) ++ts.erased;
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

bool Engine::ApplyStored(const std::string& tenant,
                         const std::string& account_id, int64_t seq,
                         const signal::v1::Signal& signal, int64_t bytes,
                         bool* reference_duplicate) {
  TenantState& ts = Tenant(tenant);
  auto it = ts.by_id.find(account_id);
  // A signal of an account deleted since is kept out of the model.
  if (it == ts.by_id.end()) return false;
  AccountEntry& entry = *it->second;
  entry.stored_bytes += bytes;
  const bool applied = model::ApplySignal(signal, entry.state);
  if (reference_duplicate) *reference_duplicate = !applied;
  const absl::Time t = FromProto(signal.occur_time());
  auto pos = entry.refs.end();
  while (pos != entry.refs.begin() && (pos - 1)->time > t) --pos;
  entry.refs.insert(pos,
                    SignalRef{t, seq, static_cast<int32_t>(signal.kind())});
  return true;
}

std::optional<report::v1::HealthAlert> Engine::StoreHealth(
    AccountEntry& entry, const health::HealthResult& r, absl::Time now) {
  const CurrentHealth before = entry.health;
  entry.health = CurrentHealth{r.has_score, r.score, r.band};
  if (before.band == r.band) return std::nullopt;
  // Churning is a commercial event, not a band change, and a win-back's
  // first score is like a new account's: neither raises a band alert.
  if (before.band == account::v1::HEALTH_BAND_CHURNED ||
      r.band == account::v1::HEALTH_BAND_CHURNED) {
    return std::nullopt;
  }
  report::v1::HealthAlert alert;
  alert.set_account(health::AccountName(entry.state));
  alert.set_display_name(entry.state.profile.display_name());
  alert.set_previous_band(before.band);
  alert.set_band(r.band);
  alert.set_score(r.score);
  alert.set_source("core");
  alert.set_code("health.band_changed");
  alert.set_message(absl::StrCat(account::v1::HealthBand_Name(before.band),
                                 " -> ", account::v1::HealthBand_Name(r.band),
                                 " at score ",
                                 absl::StrFormat("%.1f", r.score)));
  alert.set_severity(r.band == account::v1::HEALTH_BAND_RED      ? "critical"
                     : r.band == account::v1::HEALTH_BAND_YELLOW ? "warning"
                                                                 : "info");
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
  std::vector<AccountKey> all;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [tenant, ts] : tenants_) {
      for (const auto& [id, entry] : ts.accounts) all.emplace_back(tenant, id);
    }
  }
  Rescore(all, absl::Now());
}

void Engine::Rescore(const std::vector<AccountKey>& accounts, absl::Time now) {
  std::vector<store::StoredAlert> alerts = ScoreChanges(accounts, now);
  if (alerts.empty()) return;
  // Stored with the writer's next commit, then published (alert_history.cc).
  absl::Notification published;
  QueueAlerts(std::move(alerts), [&published] { published.Notify(); });
  published.WaitForNotification();
}

std::vector<store::StoredAlert> Engine::ScoreChanges(
    const std::vector<AccountKey>& accounts, absl::Time now) {
  // Scores are computed under the shared lock (ingestion and reads go on)
  // without explanations; an account whose band changed is explained in
  // full, for its alert. Leading indicators are evaluated once either way,
  // formatted only where the alerts need them. Results are stored under the
  // exclusive lock, re-finding each account by key: one may have been
  // deleted in between.
  struct Scored {
    health::HealthResult result;
    health::IndicatorMask held = 0;
    bool compare_indicators = false;
  };
  std::vector<std::optional<Scored>> results(accounts.size());
  {
    absl::ReaderMutexLock lock(&mu_);
    for (size_t i = 0; i < accounts.size(); ++i) {
      AccountEntry* e = FindAccount(accounts[i].first, accounts[i].second);
      // Archived accounts are out of the live book: no band changes.
      if (!e || model::ArchivedAt(e->state, absl::InfiniteFuture())) continue;
      Scored& s = results[i].emplace();
      s.result = health::ComputeHealthScore(options_.health, e->state, now);
      const bool band_changed = s.result.band != e->health.band;
      if (band_changed) {
        s.result = health::ComputeHealth(options_.health, e->state, now);
      }
      // A churned account raises no indicator alerts (nor clears any), by
      // the same definition as its band (model::IsChurnedAt).
      if (model::IsChurnedAt(e->state.timeline, now)) continue;
      s.compare_indicators = true;
      s.held = band_changed ? health::MaskOf(s.result.indicators)
                            : health::HeldIndicators(
                                  options_.health, e->state, now, s.result.band,
                                  health::kAllIndicators & ~e->indicators,
                                  &s.result.indicators);
    }
  }
  std::vector<store::StoredAlert> alerts;
  {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < accounts.size(); ++i) {
      AccountEntry* e = FindAccount(accounts[i].first, accounts[i].second);
      if (!e || !results[i]) continue;
      const Scored& s = *results[i];
      if (auto alert = StoreHealth(*e, s.result, now)) {
        alerts.push_back(AlertRow(accounts[i].first, *alert));
      }
      if (s.compare_indicators) {
        AppendIndicatorChanges(accounts[i].first, *e, s.result, s.held, now,
                               &alerts);
      }
    }
  }
  return alerts;
}

EngineStats Engine::stats() {
  EngineStats s;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [tenant, ts] : tenants_) {
    s.accounts += ts.accounts.size();
  }
  s.signals = stored_signals_;
  s.commits = commits_;
  s.committed_signals = committed_signals_;
  s.load_time = load_time_;
  return s;
}

}  // namespace retain::engine
