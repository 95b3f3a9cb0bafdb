// Concurrent streams per caller identity: the seam for "a key may hold at
// most N streams open" (StreamSignals, WatchHealth). The identity is
// opaque here: whatever the authentication layer names the caller by (an
// API key id, a certificate's subject), never a secret. Not wired yet: the
// server's streaming handlers take a Lease when the authenticated identity
// is known, and answer a refusal with its status.
#ifndef RETAIN_CORE_SERVER_STREAM_LIMITER_H_
#define RETAIN_CORE_SERVER_STREAM_LIMITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace retain::server {

inline constexpr char kQuotaStreamsPerKey[] = "streams_per_key";

class StreamLimiter {
 public:
  // Holds one stream slot of a key until destroyed (or moved from).
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

   private:
    friend class StreamLimiter;
    Lease(StreamLimiter* limiter, std::string key)
        : limiter_(limiter), key_(std::move(key)) {}
    StreamLimiter* limiter_ = nullptr;
    std::string key_;
  };

  struct KeyStats {
    std::string key;
    int open = 0;
    int64_t rejections = 0;
  };

  // At most `max_per_key` streams open per key; 0 means no limit.
  explicit StreamLimiter(int max_per_key) : max_per_key_(max_per_key) {}

  // Takes a slot, or RESOURCE_EXHAUSTED "quota streams_per_key: ...; retry
  // after 1000 ms" when the key holds max_per_key already (the message does
  // not repeat the key).
  absl::Status Acquire(const std::string& key);
  // Gives a slot back (once per successful Acquire).
  void Release(const std::string& key);
  // Acquire, with the slot given back when the lease goes.
  absl::StatusOr<Lease> AcquireLease(const std::string& key);

  int open(const std::string& key) const;
  int64_t rejections(const std::string& key) const;
  // Keys with a stream open or a rejection, in key order (for metrics).
  std::vector<KeyStats> Stats() const;

 private:
  const int max_per_key_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, int> open_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int64_t> rejections_ ABSL_GUARDED_BY(mu_);
};

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_STREAM_LIMITER_H_
