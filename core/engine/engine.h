// The engine: Retain's in-memory model over its durable store.
//
// The store holds the truth (accounts, the append-only signal log); the
// engine keeps, per tenant and account, the timeline that health and
// reports are computed from, plus a per-account index of signal positions.
// Signals are written by one group-commit thread: many concurrent batches
// share one transaction (one fsync), are applied to the model, and only
// then acknowledged. See docs/decisions/0002-embedded-store.md and
// 0006-ingest-group-commit.md.
#ifndef RETAIN_CORE_ENGINE_ENGINE_H_
#define RETAIN_CORE_ENGINE_ENGINE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/engine/alert_hub.h"
#include "core/engine/quotas.h"
#include "core/health/health_config.h"
#include "core/health/health_result.h"
#include "core/health/leading_indicators.h"
#include "core/model/account_state.h"
#include "core/store/store.h"
#include "google/protobuf/field_mask.pb.h"
#include "retain/account/v1/account.pb.h"
#include "retain/report/v1/report.pb.h"
#include "retain/signal/v1/signal.pb.h"

namespace retain::engine {

// How long alerts stay in the history (docs/decisions/0020-alert-history.md).
struct AlertRetention {
  // Alerts older than this are pruned; zero means no age limit.
  absl::Duration max_age = absl::Hours(24 * 90);
  // Most alerts kept per tenant (the oldest go first); 0 means no limit.
  int64_t max_per_tenant = 100000;
};

struct EngineOptions {
  // Directory of the store file (created if missing).
  std::string data_dir;
  store::Durability durability = store::Durability::kFull;
  health::HealthConfig health;
  // Largest number of signals committed in one transaction.
  int max_group_signals = 20000;
  // How often every account's current health is re-evaluated, so that bands
  // move with the passage of time (e.g. "no contact in 30 days") too.
  absl::Duration sweep_interval = absl::Seconds(60);
  // Called with the last durable seq after every commit (plugin delivery).
  std::function<void(int64_t)> on_durable;
  // Called every 500,000 signals while the log is replayed at start-up.
  std::function<void(int64_t signals)> on_load_progress;
  // Per-tenant quotas (core/engine/quotas.h).
  QuotaOptions quotas;
  AlertRetention alert_retention;
};

struct IngestCounts {
  int64_t recorded = 0;
  int64_t duplicates = 0;
  // Recorded commercial signals whose reference was already applied on
  // their account, so they changed nothing; their ids in batch order.
  int64_t reference_duplicates = 0;
  std::vector<std::string> reference_duplicate_ids;
};

struct EngineStats {
  int64_t accounts = 0;
  int64_t signals = 0;
  int64_t commits = 0;
  int64_t committed_signals = 0;
  absl::Duration load_time;
};

class Engine {
 public:
  using IngestDone = std::function<void(absl::StatusOr<IngestCounts>)>;

  static absl::StatusOr<std::unique_ptr<Engine>> Open(EngineOptions options);
  ~Engine();

  // Stops accepting signals, commits what is queued, stops threads.
  void Shutdown();

  // --- Accounts -----------------------------------------------------------
  absl::StatusOr<account::v1::Account> CreateAccount(
      const std::string& tenant, const std::string& account_id,
      const account::v1::Account& account, const std::string& request_id);
  absl::StatusOr<account::v1::Account> GetAccount(const std::string& tenant,
                                                  const std::string& name);
  absl::StatusOr<account::v1::ListAccountsResponse> ListAccounts(
      const std::string& tenant, const account::v1::ListAccountsRequest& req);
  absl::StatusOr<account::v1::Account> UpdateAccount(
      const std::string& tenant, const account::v1::Account& account,
      const google::protobuf::FieldMask& mask);
  // EraseAccount under its old name: returns the signals deleted.
  absl::StatusOr<int64_t> DeleteAccount(const std::string& tenant,
                                        const std::string& name);

  // --- Archive and erase (core/engine/archive_ops.cc) ---------------------
  // Archiving leaves the account's history in place and takes it out of the
  // live book from now on (docs/decisions/0030-true-history.md).
  absl::StatusOr<account::v1::Account> ArchiveAccount(const std::string& tenant,
                                                      const std::string& name);
  absl::StatusOr<account::v1::Account> RestoreAccount(const std::string& tenant,
                                                      const std::string& name);
  // Archives the account, then replaces it by an anonymous successor that
  // keeps only its revenue history.
  absl::StatusOr<account::v1::EraseAccountResponse> EraseAccount(
      const std::string& tenant, const std::string& name);

  // --- Signals ------------------------------------------------------------
  // Validates the whole batch (field rules and that accounts exist); on
  // success queues it for the group-commit writer and calls `done` once it
  // is durable and applied (on the writer thread). On a validation error
  // `done` is not called and nothing is written.
  absl::Status RecordSignalsAsync(const std::string& tenant,
                                  std::vector<signal::v1::Signal> signals,
                                  IngestDone done);
  // Blocking form of the above.
  absl::StatusOr<IngestCounts> RecordSignals(
      const std::string& tenant, std::vector<signal::v1::Signal> signals);
  absl::StatusOr<signal::v1::ListSignalsResponse> ListSignals(
      const std::string& tenant, const signal::v1::ListSignalsRequest& req);

  // --- Reports ------------------------------------------------------------
  // `without_source` (a plugin's name) leaves that plugin's component out:
  // what a plugin asking about an account sees (it never re-enters itself).
  absl::StatusOr<report::v1::AccountHealth> GetAccountHealth(
      const std::string& tenant, const std::string& account_name,
      std::optional<absl::Time> as_of, const std::string& without_source = "");
  absl::StatusOr<report::v1::ListAtRiskAccountsResponse> ListAtRisk(
      const std::string& tenant,
      const report::v1::ListAtRiskAccountsRequest& req);
  absl::StatusOr<report::v1::PortfolioReport> GetPortfolioReport(
      const std::string& tenant,
      const report::v1::GetPortfolioReportRequest& req);
  absl::StatusOr<report::v1::HealthModelValidation> ValidateHealthModel(
      const std::string& tenant,
      const report::v1::ValidateHealthModelRequest& req);
  absl::StatusOr<report::v1::Breakdown> GetBreakdown(
      const std::string& tenant, const report::v1::GetBreakdownRequest& req);
  absl::StatusOr<report::v1::CsmBook> GetCsmBook(
      const std::string& tenant, const report::v1::GetCsmBookRequest& req);
  // Current red accounts as alerts (for WatchHealth's initial burst).
  std::vector<report::v1::HealthAlert> CurrentRedAlerts(
      const std::string& tenant);

  // --- Alert history (core/engine/alert_history.cc) ----------------------
  // Stores the alert in the tenant's history with the writer's next commit
  // (never a commit of its own), then publishes it, carrying its position,
  // to the tenant's watchers. Band changes take this path too.
  void RaiseAlert(const std::string& tenant, report::v1::HealthAlert alert);
  absl::StatusOr<report::v1::ListAlertsResponse> ListAlerts(
      const std::string& tenant, const report::v1::ListAlertsRequest& req);
  // Up to `limit` stored alerts with a position > after_position, in order
  // (WatchHealth's replay).
  absl::StatusOr<std::vector<report::v1::HealthAlert>> AlertsAfter(
      const std::string& tenant, int64_t after_position, int limit);
  absl::StatusOr<store::AlertRange> AlertPositions(const std::string& tenant);
  // Applies the retention to every tenant's history as of `now`, at most
  // 10,000 alerts a tenant per call (the sweep calls it each interval).
  absl::StatusOr<int64_t> PruneAlerts(absl::Time now);

  // Every tenant the engine holds accounts (or had signals) for, in order.
  std::vector<std::string> TenantNames();
  AlertHub& alerts() { return alerts_; }
  store::Store& store() { return *store_; }
  const health::HealthConfig& health_config() const { return options_.health; }
  EngineStats stats();
  int64_t last_durable_seq() const { return last_seq_.load(); }
  // Per tenant: stored bytes as the quota counts them and the rejections of
  // each quota since start (for a metrics endpoint).
  std::vector<TenantQuotaStats> QuotaStats() const { return quotas_.Stats(); }

  // Re-evaluates every account's current health now (the periodic sweep).
  void SweepHealth();

  // --- Plugin health components (core/engine/plugin_components.cc) -------
  // Sets a plugin's latest health component of an account (component.source
  // names the plugin), persists it, re-scores the account and publishes a
  // band change. Every current view counts it; views as of a time before
  // component.observed_time do not. An unchanged answer is a no-op.
  absl::Status SetPluginComponent(const std::string& tenant,
                                  const std::string& account_id,
                                  model::PluginComponent component);
  // Removes it (the plugin no longer scores the account).
  absl::Status ClearPluginComponent(const std::string& tenant,
                                    const std::string& account_id,
                                    const std::string& source);
  // (tenant, account id) of every account `source` has a component for.
  std::vector<std::pair<std::string, std::string>> AccountsWithPluginComponent(
      const std::string& source);
  // Drops the components of every other source (plugins no longer loaded
  // with a health component), so a removed plugin stops counting.
  absl::Status KeepPluginComponentSources(const std::set<std::string>& sources);

 private:
  struct SignalRef {
    absl::Time time;
    int64_t seq;
    int32_t kind;
  };
  struct CurrentHealth {
    bool has_score = false;
    double score = 0;
    account::v1::HealthBand band = account::v1::HEALTH_BAND_UNSPECIFIED;
  };
  struct AccountEntry {
    model::AccountState state;
    std::vector<SignalRef> refs;  // sorted by time
    CurrentHealth health;
    // The leading indicators the alert history last said hold: rebuilt
    // from it at start, so a restart raises only what changed meanwhile.
    health::IndicatorMask indicators = 0;
    // Serialized bytes of its profile and signals, for the stored-bytes
    // quota: given back when the account is deleted.
    int64_t stored_bytes = 0;
  };
  struct TenantState {
    // Ordered for listing; by_id for the per-signal lookups of ingestion.
    std::map<std::string, std::unique_ptr<AccountEntry>> accounts;
    absl::flat_hash_map<std::string, AccountEntry*> by_id;
    // Anonymous remainders of erased accounts: not counted by the account
    // quota.
    int64_t erased = 0;
  };
  struct PendingBatch {
    std::string tenant;
    std::vector<signal::v1::Signal> signals;
    // The rows to append, serialized on the caller's thread so the single
    // writer thread only deduplicates and writes.
    std::vector<store::StoredSignal> rows;
    IngestDone done;
    // Account rows committed in the same transaction (an update's profile
    // with the history signals it implies).
    std::vector<store::StoredAccount> accounts;
    // Bytes reserved against the tenant's stored-bytes quota, settled when
    // the batch is applied (or fails).
    int64_t reserved_bytes = 0;
  };

  // A committed group waiting to be applied to the model and its accounts'
  // health refreshed before it is acknowledged.
  struct CommittedGroup {
    std::vector<PendingBatch> batches;
    std::vector<IngestCounts> counts;
    // Per batch, per signal: whether it was new (and so written).
    std::vector<std::vector<bool>> fresh;
  };

  using AccountKey = std::pair<std::string, std::string>;  // tenant, id

  explicit Engine(EngineOptions options);
  // Re-scores these accounts' current health and publishes band changes;
  // returns once they are stored and published.
  void Rescore(const std::vector<AccountKey>& accounts, absl::Time now)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Re-scores these accounts' current health; the band changes as history
  // rows, not yet queued.
  std::vector<store::StoredAlert> ScoreChanges(
      const std::vector<AccountKey>& accounts, absl::Time now)
      ABSL_LOCKS_EXCLUDED(mu_);
  void RefreshLoop();
  void ApplyRefreshAcknowledge(std::vector<CommittedGroup>& groups);
  PendingBatch PrepareBatch(const std::string& tenant,
                            std::vector<signal::v1::Signal> signals,
                            IngestDone done);
  void AddAccount(TenantState& ts, std::unique_ptr<AccountEntry> entry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Load();
  absl::Status LoadPluginComponents() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes the stored plugin components of an account being deleted.
  absl::Status ForgetPluginComponents(const std::string& tenant,
                                      const AccountEntry& entry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WriterLoop();
  // Commits the group's fresh signals and the queued alerts in one
  // transaction, then publishes the alerts with their positions.
  void CommitGroup(std::vector<PendingBatch>& group,
                   std::vector<store::StoredAlert> alerts);
  // Queues rows for the writer's next commit (in this order); `then`, if
  // any, runs once they are committed and published. Once the writer has
  // stopped (shutting down) the caller commits them itself.
  void QueueAlerts(std::vector<store::StoredAlert> rows,
                   std::function<void()> then = nullptr);
  // Serializes an alert into a history row (position unset).
  static store::StoredAlert AlertRow(const std::string& tenant,
                                     const report::v1::HealthAlert& alert);
  // Publishes committed rows (position > 0) or, when the commit failed,
  // rows that could not be stored (position 0) so live watchers still see
  // them.
  void PublishAlertRows(const std::vector<store::StoredAlert>& rows);
  void Enqueue(PendingBatch batch);

  TenantState& Tenant(const std::string& tenant)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const TenantState* FindTenant(const std::string& tenant) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  AccountEntry* FindAccount(const std::string& tenant, absl::string_view id)
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  std::vector<const model::AccountState*> TenantAccounts(
      const std::string& tenant) ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // The account as the API shows it: stored fields plus output-only ones
  // derived from the timeline and the health cache.
  account::v1::Account View(const AccountEntry& entry) const;
  absl::Status PersistProfile(const model::AccountState& state,
                              const std::string& request_id);
  // Applies a stored signal of `bytes` bytes to its account; false when the
  // account no longer exists (the signal is then kept out of the model).
  // `reference_duplicate` (optional) is set when the account had applied
  // the signal's commercial reference already, so it changed nothing.
  bool ApplyStored(const std::string& tenant, const std::string& account_id,
                   int64_t seq, const signal::v1::Signal& signal, int64_t bytes,
                   bool* reference_duplicate = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The indicator changes a rescore found, as history rows appended to
  // `out`, and remembers `held` (core/engine/indicator_changes.cc).
  void AppendIndicatorChanges(const std::string& tenant, AccountEntry& entry,
                              const health::HealthResult& result,
                              health::IndicatorMask held, absl::Time now,
                              std::vector<store::StoredAlert>* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Each account's last indicator set, folded from the stored history.
  absl::Status LoadIndicatorSets() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Stores a computed health in the cache; an alert when the band changed
  // (never into or out of CHURNED: churn is not a band change).
  std::optional<report::v1::HealthAlert> StoreHealth(
      AccountEntry& entry, const health::HealthResult& result, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ValidateBatch(const std::string& tenant,
                             const std::vector<signal::v1::Signal>& signals,
                             bool allow_reserved)
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Validates, queues and waits until the batch is acknowledged.
  // Client and plugin batches (not `allow_reserved`) are admitted against
  // the stored-bytes quota, the API's also against the rate (`rate_limited`).
  absl::StatusOr<IngestCounts> RecordAndWait(
      const std::string& tenant, std::vector<signal::v1::Signal> signals,
      bool allow_reserved, std::vector<store::StoredAccount> accounts = {});
  // Reserves the batch's bytes (and tokens) or says which quota refuses it.
  absl::Status Admit(PendingBatch& batch, bool rate_limited);
  // Records the archive state as a profile change dated now.
  absl::StatusOr<account::v1::Account> SetArchived(const std::string& tenant,
                                                   const std::string& name,
                                                   bool archived);
  // Records server-generated signals (contacts changes, ARR updates).
  absl::Status RecordSystemSignals(const std::string& tenant,
                                   std::vector<signal::v1::Signal> signals);

  EngineOptions options_;
  QuotaTracker quotas_;
  std::unique_ptr<store::Store> store_;
  AlertHub alerts_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, TenantState> tenants_ ABSL_GUARDED_BY(mu_);
  // Every stored signal id, per tenant. Read and written only by the writer
  // thread (and by Load before it starts): deciding "new or replay" and
  // recording the ids of a commit happen on one thread, so they cannot race.
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>>
      writer_ids_;
  std::atomic<int64_t> stored_signals_{0};
  std::atomic<int64_t> last_seq_{0};
  std::atomic<int64_t> system_signal_counter_{0};

  // Group-commit queue.
  absl::Mutex queue_mu_;
  std::deque<PendingBatch> queue_ ABSL_GUARDED_BY(queue_mu_);
  // Alerts waiting for the next commit, in the order raised, and what runs
  // once they are published (acknowledgements of the batches that raised
  // them, callers of Rescore).
  std::vector<store::StoredAlert> alert_queue_ ABSL_GUARDED_BY(queue_mu_);
  std::vector<std::function<void()>> alert_waiters_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  // Set by the writer as it exits; alerts are then committed by whoever
  // raises them, one commit at a time.
  bool writer_stopped_ ABSL_GUARDED_BY(queue_mu_) = false;
  absl::Mutex late_alerts_mu_;
  std::thread writer_;
  // Second pipeline stage: health refresh and acknowledgement, so the
  // writer is already committing the next group meanwhile.
  absl::Mutex refresh_mu_;
  std::deque<CommittedGroup> refresh_queue_ ABSL_GUARDED_BY(refresh_mu_);
  bool refresh_stop_ ABSL_GUARDED_BY(refresh_mu_) = false;
  std::thread refresher_;
  std::thread sweeper_;
  absl::Mutex sweep_mu_;
  bool sweep_stop_ ABSL_GUARDED_BY(sweep_mu_) = false;

  std::atomic<int64_t> commits_{0};
  std::atomic<int64_t> committed_signals_{0};
  absl::Duration load_time_;
  std::atomic<bool> shut_down_{false};
};

}  // namespace retain::engine

#endif  // RETAIN_CORE_ENGINE_ENGINE_H_
