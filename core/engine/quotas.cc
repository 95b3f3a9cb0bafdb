#include "core/engine/quotas.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "api/limits.h"

namespace retain::engine {
namespace {

constexpr absl::string_view kRetryAfter = "retry after ";

absl::Status Exhausted(absl::string_view quota, absl::string_view detail) {
  return absl::ResourceExhaustedError(
      absl::StrCat("quota ", quota, ": ", detail));
}

}  // namespace

std::optional<absl::Duration> RetryDelayOf(absl::string_view message) {
  const size_t at = message.rfind(kRetryAfter);
  if (at == absl::string_view::npos) return std::nullopt;
  absl::string_view rest = message.substr(at + kRetryAfter.size());
  const size_t end = rest.find(" ms");
  int64_t ms = 0;
  if (end == absl::string_view::npos ||
      !absl::SimpleAtoi(rest.substr(0, end), &ms) || ms < 0) {
    return std::nullopt;
  }
  return absl::Milliseconds(ms);
}

TokenBucket::TokenBucket(double rate_per_second, double burst, absl::Time now)
    : rate_(rate_per_second), burst_(burst), tokens_(burst), last_(now) {}

absl::Duration TokenBucket::Take(double n, absl::Time now) {
  if (now > last_) {
    tokens_ =
        std::min(burst_, tokens_ + rate_ * absl::ToDoubleSeconds(now - last_));
    last_ = now;
  }
  if (n > burst_) return absl::InfiniteDuration();
  if (tokens_ >= n) {
    tokens_ -= n;
    return absl::ZeroDuration();
  }
  return absl::Seconds((n - tokens_) / rate_);
}

QuotaTracker::QuotaTracker(QuotaOptions options)
    : options_(std::move(options)) {}

int64_t QuotaTracker::signals_burst() const {
  if (options_.signals_burst > 0) return options_.signals_burst;
  return std::max<int64_t>(
      static_cast<int64_t>(std::ceil(options_.signals_per_second)),
      api::kMaxBatchSignals);
}

absl::Status QuotaTracker::CheckAccounts(const std::string& tenant,
                                         int64_t accounts) {
  if (options_.max_accounts <= 0 || accounts < options_.max_accounts) {
    return absl::OkStatus();
  }
  absl::MutexLock lock(&mu_);
  ++tenants_[tenant].accounts_rejections;
  return Exhausted(
      kQuotaAccounts,
      absl::StrCat("tenant \"", tenant, "\" has ", accounts,
                   " accounts, the most it may have; delete one to create "
                   "another (retrying cannot succeed until then)"));
}

absl::Status QuotaTracker::CheckBytesLocked(const std::string& tenant,
                                            TenantQuota& q, int64_t bytes) {
  const int64_t max = options_.max_stored_bytes;
  if (max <= 0 || bytes <= 0 || q.stored + q.reserved + bytes <= max) {
    return absl::OkStatus();
  }
  ++q.bytes_rejections;
  return Exhausted(
      kQuotaStoredBytes,
      absl::StrCat("tenant \"", tenant, "\" stores ", q.stored + q.reserved,
                   " bytes of at most ", max, " and this write needs ", bytes,
                   " more; delete accounts to free space (retrying cannot "
                   "succeed until then)"));
}

absl::Status QuotaTracker::AdmitSignals(const std::string& tenant,
                                        int64_t count, int64_t bytes,
                                        bool rate_limited, absl::Time now) {
  absl::MutexLock lock(&mu_);
  TenantQuota& q = tenants_[tenant];
  if (absl::Status s = CheckBytesLocked(tenant, q, bytes); !s.ok()) return s;
  if (rate_limited && options_.signals_per_second > 0) {
    if (!q.bucket) {
      q.bucket.emplace(options_.signals_per_second,
                       static_cast<double>(signals_burst()), now);
    }
    const absl::Duration wait = q.bucket->Take(count, now);
    if (wait == absl::InfiniteDuration()) {
      ++q.rate_rejections;
      return Exhausted(
          kQuotaSignalsPerSecond,
          absl::StrCat("a batch of ", count, " signals is more than tenant \"",
                       tenant, "\"'s burst of ", signals_burst(),
                       "; send smaller batches (retrying this one cannot "
                       "succeed)"));
    }
    if (wait > absl::ZeroDuration()) {
      ++q.rate_rejections;
      return Exhausted(kQuotaSignalsPerSecond,
                       absl::StrCat("tenant \"", tenant, "\" may record ",
                                    options_.signals_per_second,
                                    " signals per second in bursts of at most ",
                                    signals_burst(), "; this batch of ", count,
                                    " must wait, ", kRetryAfter,
                                    absl::ToInt64Milliseconds(absl::Ceil(
                                        wait, absl::Milliseconds(1))),
                                    " ms"));
    }
  }
  q.reserved += std::max<int64_t>(bytes, 0);
  return absl::OkStatus();
}

absl::Status QuotaTracker::ReserveBytes(const std::string& tenant,
                                        int64_t bytes) {
  absl::MutexLock lock(&mu_);
  TenantQuota& q = tenants_[tenant];
  if (absl::Status s = CheckBytesLocked(tenant, q, bytes); !s.ok()) return s;
  q.reserved += std::max<int64_t>(bytes, 0);
  return absl::OkStatus();
}

void QuotaTracker::Settle(const std::string& tenant, int64_t reserved,
                          int64_t stored) {
  if (reserved == 0 && stored == 0) return;
  absl::MutexLock lock(&mu_);
  TenantQuota& q = tenants_[tenant];
  q.reserved =
      std::max<int64_t>(0, q.reserved - std::max<int64_t>(reserved, 0));
  q.stored = std::max<int64_t>(0, q.stored + stored);
}

void QuotaTracker::SetStored(const std::string& tenant, int64_t bytes) {
  absl::MutexLock lock(&mu_);
  tenants_[tenant].stored = bytes;
}

std::vector<TenantQuotaStats> QuotaTracker::Stats() const {
  std::vector<TenantQuotaStats> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [tenant, q] : tenants_) {
    TenantQuotaStats s;
    s.tenant = tenant;
    s.stored_bytes = q.stored;
    s.reserved_bytes = q.reserved;
    s.accounts_rejections = q.accounts_rejections;
    s.signals_per_second_rejections = q.rate_rejections;
    s.stored_bytes_rejections = q.bytes_rejections;
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const TenantQuotaStats& a, const TenantQuotaStats& b) {
              return a.tenant < b.tenant;
            });
  return out;
}

}  // namespace retain::engine
