#include "core/server/stream_limiter.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace retain::server {

StreamLimiter::Lease::Lease(Lease&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)),
      key_(std::move(other.key_)) {}

StreamLimiter::Lease& StreamLimiter::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (limiter_) limiter_->Release(key_);
    limiter_ = std::exchange(other.limiter_, nullptr);
    key_ = std::move(other.key_);
  }
  return *this;
}

StreamLimiter::Lease::~Lease() {
  if (limiter_) limiter_->Release(key_);
}

absl::Status StreamLimiter::Acquire(const std::string& key) {
  absl::MutexLock lock(&mu_);
  int& open = open_[key];
  if (max_per_key_ > 0 && open >= max_per_key_) {
    ++rejections_[key];
    const int held = open;
    // A stream's end is not predictable; a second is a polite first wait.
    return absl::ResourceExhaustedError(absl::StrCat(
        "quota ", kQuotaStreamsPerKey, ": this key has ", held,
        " streams open, the most it may; close one or retry after 1000 ms"));
  }
  ++open;
  return absl::OkStatus();
}

void StreamLimiter::Release(const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(key);
  if (it == open_.end()) return;
  if (--it->second <= 0) open_.erase(it);
}

absl::StatusOr<StreamLimiter::Lease> StreamLimiter::AcquireLease(
    const std::string& key) {
  if (absl::Status s = Acquire(key); !s.ok()) return s;
  return Lease(this, key);
}

int StreamLimiter::open(const std::string& key) const {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(key);
  return it == open_.end() ? 0 : it->second;
}

int64_t StreamLimiter::rejections(const std::string& key) const {
  absl::MutexLock lock(&mu_);
  auto it = rejections_.find(key);
  return it == rejections_.end() ? 0 : it->second;
}

std::vector<StreamLimiter::KeyStats> StreamLimiter::Stats() const {
  absl::MutexLock lock(&mu_);
  absl::flat_hash_map<std::string, KeyStats> by_key;
  for (const auto& [key, n] : open_) {
    by_key[key].key = key;
    by_key[key].open = n;
  }
  for (const auto& [key, n] : rejections_) {
    by_key[key].key = key;
    by_key[key].rejections = n;
  }
  std::vector<KeyStats> out;
  for (auto& [key, s] : by_key) out.push_back(std::move(s));
  std::sort(out.begin(), out.end(),
            [](const KeyStats& a, const KeyStats& b) { return a.key < b.key; });
  return out;
}

}  // namespace retain::server
