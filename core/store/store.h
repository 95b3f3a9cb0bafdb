// The one interface every storage backend implements.
//
// Signals are an append-only log ordered by a store-assigned sequence number;
// alerts a per-tenant history ordered by a store-assigned position;
// accounts and plugin key-value entries are keyed records. Everything is
// scoped to a tenant. Payloads are serialized protobuf messages: the store
// never interprets them, so a backend is a few hundred lines.
#ifndef RETAIN_CORE_STORE_STORE_H_
#define RETAIN_CORE_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace retain::store {

struct StoredSignal {
  // Assigned by AppendSignals; strictly increasing in commit order.
  int64_t seq = 0;
  std::string tenant;
  std::string signal_id;
  std::string account_id;
  int32_t kind = 0;  // retain.signal.v1.SignalKind
  absl::Time occur_time;
  absl::Time record_time;
  // Serialized retain.signal.v1.Signal.
  std::string payload;
};

struct StoredAccount {
  std::string tenant;
  std::string account_id;
  // Serialized retain.account.v1.Account.
  std::string payload;
};

// One alert of a tenant's alert history.
struct StoredAlert {
  std::string tenant;
  // Assigned when appended: 1, 2, 3... per tenant in commit order, never
  // reused, not even after the alert is pruned.
  int64_t position = 0;
  absl::Time alert_time;
  // The columns ListAlerts filters on: the account's id (empty for an alert
  // about no account), the source, the code and the severity.
  std::string account_id;
  std::string source;
  std::string code;
  std::string severity;
  // Serialized retain.report.v1.HealthAlert (its position field unset).
  std::string payload;
};

// Alerts written with a commit of signals. Within the same transaction each
// tenant's oldest alerts beyond max_per_tenant are deleted.
struct AlertAppend {
  std::vector<StoredAlert> alerts;
  // 0 means no limit.
  int64_t max_per_tenant = 0;
};

// Which alerts of one tenant ListAlerts returns.
struct AlertQuery {
  // Positions strictly between these.
  int64_t after_position = 0;
  int64_t before_position = std::numeric_limits<int64_t>::max();
  // Each filter applies when non-empty.
  std::string account_id;
  std::string source;
  std::string code;
  std::string severity;
  // alert_time in [start, end).
  absl::Time start = absl::InfinitePast();
  absl::Time end = absl::InfiniteFuture();
  bool newest_first = true;
  int limit = 100;
};

// The positions a tenant's history holds: oldest kept and newest assigned.
// Both 0 before its first alert; oldest is newest + 1 once every alert was
// pruned.
struct AlertRange {
  int64_t oldest = 0;
  int64_t newest = 0;
};

// One write of a key-value batch; no value means delete.
struct KvOp {
  std::string key;
  std::optional<std::string> value;
};

// A key-value entry with its version: the number of the KV commit that
// wrote it. Commit numbers increase over the whole store, so every write of
// a key (also one after a delete) gets a version the key never had; 0 is no
// version, it stands for "no such key". Entries written before the store
// kept versions have version 1.
struct KvEntry {
  std::string key;
  std::string value;
  int64_t version = 0;
};

// A condition on a batch: `key` has `version` (0: does not exist).
struct KvPrecondition {
  std::string key;
  int64_t version = 0;
};

// The precondition that held a batch back.
struct KvConflict {
  size_t index = 0;            // into the preconditions
  int64_t actual_version = 0;  // 0: the key does not exist
};

// Entries whose key starts with prefix and is > start_after, key order, at
// most limit (1000 when <= 0).
struct KvRange {
  std::string prefix;
  std::string start_after;
  int limit = 0;
};

// What KvRead saw, all of it at one commit.
struct KvSnapshot {
  // One per key asked for, in that order; version 0 (and no value) when
  // the key does not exist.
  std::vector<KvEntry> values;
  // The range's entries, when a range was asked for.
  std::vector<KvEntry> range;
};

enum class Durability {
  // fsync on every commit: survives power loss.
  kFull,
  // fsync at checkpoints: survives a process crash, may lose the last
  // commits on power loss.
  kNormal,
};

class Store {
 public:
  virtual ~Store() = default;

  // Accounts. A non-empty request_id is remembered with the account so a
  // retried create can be answered without creating twice.
  virtual absl::Status PutAccount(const StoredAccount& account,
                                  const std::string& request_id) = 0;
  // Deletes the account, its signals and its alerts; returns how many
  // signals went.
  virtual absl::StatusOr<int64_t> DeleteAccount(const std::string& tenant,
                                                const std::string& id) = 0;
  // Replaces the account by `successor` (another id) in one transaction:
  // the `kept` signals (by seq) are rewritten in place with their new
  // signal id, account id and payload, keeping their seq; every other
  // signal, alert and create request id of the account is deleted, and so
  // is its row. Returns how many signals were deleted. For erasure: nothing
  // of the old row or of a deleted signal survives.
  virtual absl::StatusOr<int64_t> ReplaceAccount(
      const std::string& tenant, const std::string& id,
      const StoredAccount& successor,
      const std::vector<StoredSignal>& kept) = 0;
  virtual absl::Status ForEachAccount(
      const std::function<void(const StoredAccount&)>& fn) = 0;
  // The account id a create with this request_id produced, if any.
  virtual absl::StatusOr<std::optional<std::string>> LookupRequest(
      const std::string& tenant, const std::string& request_id) = 0;

  // Appends the signals (setting each one's seq), puts the account rows and
  // appends the alerts (setting each one's position) in one transaction: an
  // update's profile and the history signals it implies are durable
  // together or not at all, and alerts cost no commit of their own.
  virtual absl::Status AppendSignals(std::vector<StoredSignal>& signals,
                                     const std::vector<StoredAccount>& accounts,
                                     AlertAppend& alerts) = 0;
  // Visits signals with seq > after_seq in seq order until fn returns false.
  virtual absl::Status ForEachSignal(
      int64_t after_seq,
      const std::function<bool(const StoredSignal&)>& fn) = 0;
  // The signals with these seqs, in the order given (missing ones skipped).
  virtual absl::StatusOr<std::vector<StoredSignal>> GetSignals(
      const std::vector<int64_t>& seqs) = 0;
  virtual absl::StatusOr<int64_t> LastSignalSeq() = 0;

  // Alert history, per tenant (appended through AppendSignals).
  // The tenant's alerts matching `query`, in its order, at most query.limit.
  virtual absl::StatusOr<std::vector<StoredAlert>> ListAlerts(
      const std::string& tenant, const AlertQuery& query) = 0;
  virtual absl::StatusOr<AlertRange> AlertPositions(
      const std::string& tenant) = 0;
  // Retention: per tenant, deletes its oldest alerts while they were raised
  // before `cutoff` (InfinitePast: none) and those beyond max_per_tenant (0:
  // no limit). Reads only what it deletes, and at most `max_rows` a tenant
  // per call; returns how many went.
  virtual absl::StatusOr<int64_t> PruneAlerts(absl::Time cutoff,
                                              int64_t max_per_tenant,
                                              int max_rows) = 0;

  // Key-value entries in a namespace (one per plugin; "_host/..." for the
  // server's own bookkeeping). A batch is applied atomically.
  virtual absl::StatusOr<std::optional<std::string>> KvGet(
      const std::string& ns, const std::string& key) = 0;
  virtual absl::Status KvApply(const std::string& ns,
                               const std::vector<KvOp>& batch) = 0;
  // Entries whose key starts with prefix and is > start_after, key order.
  virtual absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
  KvScan(const std::string& ns, const std::string& prefix,
         const std::string& start_after, int limit) = 0;

  // Versioned access. KvRead reads the keys and the range from one
  // snapshot, so it never sees half of a batch. KvApplyIf applies the batch
  // only if every precondition holds, checked in the batch's own
  // transaction: otherwise ABORTED, nothing written, and `conflict` (may be
  // null) says which precondition failed. Returns the version every written
  // key now has (0 when the batch writes nothing). KvApply is KvApplyIf
  // without preconditions: every write gets a version.
  virtual absl::StatusOr<KvSnapshot> KvRead(
      const std::string& ns, const std::vector<std::string>& keys,
      const std::optional<KvRange>& range) = 0;
  virtual absl::StatusOr<int64_t> KvApplyIf(
      const std::string& ns, const std::vector<KvPrecondition>& preconditions,
      const std::vector<KvOp>& batch, KvConflict* conflict) = 0;
};

}  // namespace retain::store

#endif  // RETAIN_CORE_STORE_STORE_H_
