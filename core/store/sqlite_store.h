// The embedded backend: one SQLite database file in WAL mode.
//
// Signals go to an append-only table keyed by rowid (= seq) with no secondary
// index: measured, a random-order index caps ingest at 23-50k rows/s while
// rowid appends in 1000-row transactions reach ~700k-1M rows/s. Per-account
// lookups are served from the server's in-memory model instead.
// Alerts are keyed by (tenant, position), so a tenant's history is one range
// of the primary key: listing, replaying and pruning from the oldest never
// scan another tenant's rows. Each tenant's last position is kept apart
// (alert_heads), so positions are never reused after pruning.
// See docs/decisions/0002-embedded-store.md.
#ifndef RETAIN_CORE_STORE_SQLITE_STORE_H_
#define RETAIN_CORE_STORE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "core/store/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace retain::store {

class SqliteStore : public Store {
 public:
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(
      const std::string& path, Durability durability);
  ~SqliteStore() override;

  absl::Status PutAccount(const StoredAccount& account,
                          const std::string& request_id) override;
  absl::StatusOr<int64_t> DeleteAccount(const std::string& tenant,
                                        const std::string& id) override;
  absl::StatusOr<int64_t> ReplaceAccount(
      const std::string& tenant, const std::string& id,
      const StoredAccount& successor,
      const std::vector<StoredSignal>& kept) override;
  absl::Status ForEachAccount(
      const std::function<void(const StoredAccount&)>& fn) override;
  absl::StatusOr<std::optional<std::string>> LookupRequest(
      const std::string& tenant, const std::string& request_id) override;

  absl::Status AppendSignals(std::vector<StoredSignal>& signals,
                             const std::vector<StoredAccount>& accounts,
                             AlertAppend& alerts) override;
  absl::Status ForEachSignal(
      int64_t after_seq,
      const std::function<bool(const StoredSignal&)>& fn) override;
  absl::StatusOr<std::vector<StoredSignal>> GetSignals(
      const std::vector<int64_t>& seqs) override;
  absl::StatusOr<int64_t> LastSignalSeq() override;

  // Alert history (sqlite_alerts.cc).
  absl::StatusOr<std::vector<StoredAlert>> ListAlerts(
      const std::string& tenant, const AlertQuery& query) override;
  absl::StatusOr<AlertRange> AlertPositions(const std::string& tenant) override;
  absl::StatusOr<int64_t> PruneAlerts(absl::Time cutoff, int64_t max_per_tenant,
                                      int max_rows) override;

  absl::StatusOr<std::optional<std::string>> KvGet(
      const std::string& ns, const std::string& key) override;
  absl::Status KvApply(const std::string& ns,
                       const std::vector<KvOp>& batch) override;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> KvScan(
      const std::string& ns, const std::string& prefix,
      const std::string& start_after, int limit) override;
  absl::StatusOr<KvSnapshot> KvRead(
      const std::string& ns, const std::vector<std::string>& keys,
      const std::optional<KvRange>& range) override;
  absl::StatusOr<int64_t> KvApplyIf(
      const std::string& ns, const std::vector<KvPrecondition>& preconditions,
      const std::vector<KvOp>& batch, KvConflict* conflict) override;

 private:
  SqliteStore() = default;
  absl::Status Init(const std::string& path, Durability durability);
  // Brings a store written by an older retaind to kSchemaVersion.
  absl::Status Migrate(int64_t from) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Inside AppendSignals' transaction: assigns positions from each tenant's
  // head, inserts the rows, moves the heads and trims to max_per_tenant.
  absl::Status AppendAlertRows(AlertAppend& alerts)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  // Writes go through one connection, reads through another, so that
  // reports and plugin reads never wait for a commit's fsync (WAL lets
  // readers proceed during a write).
  absl::Mutex write_mu_;
  sqlite3* writer_ ABSL_GUARDED_BY(write_mu_) = nullptr;
  // The last KV commit number (meta 'kv_version'): the next batch's
  // entries get one more.
  int64_t kv_version_ ABSL_GUARDED_BY(write_mu_) = 0;
  absl::Mutex read_mu_;
  sqlite3* reader_ ABSL_GUARDED_BY(read_mu_) = nullptr;
};

}  // namespace retain::store

#endif  // RETAIN_CORE_STORE_SQLITE_STORE_H_
