// Per-tenant quotas: how many accounts a tenant may hold, how many signals
// per second it may send through the API, and roughly how many bytes it may
// store. A write over a quota is refused whole with RESOURCE_EXHAUSTED and
// writes nothing (docs/decisions/0014-limits-and-quotas.md).
//
// Every message starts "quota <name>: " and says whether waiting helps:
// when it does it ends with "retry after <N> ms" (RetryDelayOf reads it
// back); when only deleting data or sending smaller batches helps, it says
// so and carries no delay. Rejections are counted per tenant and quota for
// the metrics endpoint (Stats).
#ifndef RETAIN_CORE_ENGINE_QUOTAS_H_
#define RETAIN_CORE_ENGINE_QUOTAS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace retain::engine {

// Generous defaults: a single-tenant install never meets them; an operator
// hosting several tenants sets them lower (retaind --quota_* flags).
struct QuotaOptions {
  // Accounts one tenant may hold; 0 means no limit.
  int64_t max_accounts = 1000000;
  // Signals one tenant may record per second through RecordSignals and
  // StreamSignals (a token bucket); 0 means no limit. Signals the server and
  // plugins record are not rate limited (they follow from admitted writes).
  double signals_per_second = 0;
  // The bucket's size: the most signals accepted at once after a quiet
  // spell. 0 means one second's worth, but never less than a full batch
  // (10,000), so a maximal batch can always get through by waiting.
  int64_t signals_burst = 0;
  // Stored bytes of one tenant, approximately: its serialized accounts and
  // signals as the store keeps them. 0 means no limit.
  int64_t max_stored_bytes = int64_t{16} << 30;  // 16 GiB
};

// The quota names, as in messages and stats.
inline constexpr char kQuotaAccounts[] = "accounts";
inline constexpr char kQuotaSignalsPerSecond[] = "signals_per_second";
inline constexpr char kQuotaStoredBytes[] = "stored_bytes";

// The delay a quota message asks for ("... retry after 250 ms"), if any.
std::optional<absl::Duration> RetryDelayOf(absl::string_view message);

// A token bucket on an explicit clock (so tests need no sleeping).
class TokenBucket {
 public:
  // Starts full.
  TokenBucket(double rate_per_second, double burst, absl::Time now);
  // Takes n tokens and returns zero, or takes none and returns how long
  // until n would be there (InfiniteDuration when n exceeds the burst).
  absl::Duration Take(double n, absl::Time now);
  double burst() const { return burst_; }

 private:
  double rate_;
  double burst_;
  double tokens_;
  absl::Time last_;
};

struct TenantQuotaStats {
  std::string tenant;
  // Stored bytes as counted, and bytes of admitted writes not yet stored.
  int64_t stored_bytes = 0;
  int64_t reserved_bytes = 0;
  // Rejections since start, per quota.
  int64_t accounts_rejections = 0;
  int64_t signals_per_second_rejections = 0;
  int64_t stored_bytes_rejections = 0;
};

// The quota state of every tenant. Thread-safe; it never calls out, so the
// engine may call it with its own locks held.
class QuotaTracker {
 public:
  explicit QuotaTracker(QuotaOptions options);

  const QuotaOptions& options() const { return options_; }
  // The effective bucket size (see QuotaOptions::signals_burst).
  int64_t signals_burst() const;

  // Creating one more account when the tenant holds `accounts`.
  absl::Status CheckAccounts(const std::string& tenant, int64_t accounts);

  // Admits a batch of `count` signals of `bytes` bytes: reserves the bytes
  // and, when `rate_limited`, takes `count` tokens; both or neither.
  absl::Status AdmitSignals(const std::string& tenant, int64_t count,
                            int64_t bytes, bool rate_limited, absl::Time now);
  // Reserves bytes for a write that is not a signal batch (an account).
  absl::Status ReserveBytes(const std::string& tenant, int64_t bytes);
  // A reserved write is over: releases `reserved` and counts `stored`
  // (what it actually added; negative when it freed space, 0 on failure).
  void Settle(const std::string& tenant, int64_t reserved, int64_t stored);
  // Sets a tenant's stored bytes (at start-up, from the one replay).
  void SetStored(const std::string& tenant, int64_t bytes);

  std::vector<TenantQuotaStats> Stats() const;

 private:
  struct TenantQuota {
    int64_t stored = 0;
    int64_t reserved = 0;
    std::optional<TokenBucket> bucket;
    int64_t accounts_rejections = 0;
    int64_t rate_rejections = 0;
    int64_t bytes_rejections = 0;
  };
  absl::Status CheckBytesLocked(const std::string& tenant, TenantQuota& q,
                                int64_t bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const QuotaOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, TenantQuota> tenants_ ABSL_GUARDED_BY(mu_);
};

}  // namespace retain::engine

#endif  // RETAIN_CORE_ENGINE_QUOTAS_H_
