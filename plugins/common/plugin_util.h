// Helpers shared by the bundled plugins (which use the protobuf runtime for
// their own messages). Header-only; not part of the SDK contract.
#ifndef RETAIN_PLUGINS_COMMON_PLUGIN_UTIL_H_
#define RETAIN_PLUGINS_COMMON_PLUGIN_UTIL_H_

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "google/protobuf/timestamp.pb.h"
#include "retain_plugin.h"

namespace retain::plugins {

using sdk::Host;
using sdk::KvOp;
using sdk::Result;
using sdk::Status;

// Reads a message stored under key; nullopt when absent.
template <typename M>
Result<std::optional<M>> LoadMessage(const Host& host,
                                     const std::string& tenant,
                                     const std::string& key) {
  auto v = host.KvGet(tenant, key);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return std::optional<M>();
  M m;
  if (!m.ParseFromString(**v)) return sdk::Internal("corrupt state at " + key);
  return std::optional<M>(std::move(m));
}

// The message stored under key as one attempt of Host::Update reads it
// (the read is a precondition of the attempt's write); nullopt when absent.
template <typename M>
Result<std::optional<M>> LoadMessage(sdk::KvUpdate& update,
                                     const std::string& key) {
  auto v = update.Get(key);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return std::optional<M>();
  M m;
  if (!m.ParseFromString(**v)) return sdk::Internal("corrupt state at " + key);
  return std::optional<M>(std::move(m));
}

// The next number of the counter at `key` (1 first), written back by the
// update: ids that concurrent creators never share, since two attempts
// that read the same value cannot both commit.
inline Result<int64_t> TakeNext(sdk::KvUpdate& update, const std::string& key) {
  auto v = update.Get(key);
  if (!v.ok()) return v.status();
  int64_t n = 1;
  if (v->has_value()) {
    try {
      n = std::stoll(**v) + 1;
    } catch (const std::exception&) {
      return sdk::Internal("corrupt counter at " + key);
    }
  }
  update.Put(key, std::to_string(n));
  return n;
}

// Keys some thread of this process is working on, for work whose side
// effect (an alert) a compare-and-set retry cannot take back: a second
// thread that finds a key claimed leaves that work to the first instead of
// doing it twice. It guards this set only, never a host call.
class Claims {
 public:
  // Held until destroyed; held() is false when another thread holds `key`.
  class Claim {
   public:
    Claim(Claims* claims, std::string key)
        : claims_(claims), key_(std::move(key)) {
      std::lock_guard<std::mutex> lock(claims_->mu_);
      held_ = claims_->held_.insert(key_).second;
    }
    ~Claim() {
      if (!held_) return;
      std::lock_guard<std::mutex> lock(claims_->mu_);
      claims_->held_.erase(key_);
    }
    Claim(const Claim&) = delete;
    Claim& operator=(const Claim&) = delete;
    bool held() const { return held_; }

   private:
    Claims* claims_;
    std::string key_;
    bool held_ = false;
  };

 private:
  std::mutex mu_;
  std::set<std::string> held_;
};

// Every message stored under prefix, key order.
template <typename M>
Result<std::vector<M>> LoadAll(const Host& host, const std::string& tenant,
                               const std::string& prefix) {
  auto rows = host.KvScanAll(tenant, prefix);
  if (!rows.ok()) return rows.status();
  std::vector<M> out;
  for (const auto& e : *rows) {
    M m;
    if (!m.ParseFromString(e.value))
      return sdk::Internal("corrupt state at " + e.key);
    out.push_back(std::move(m));
  }
  return out;
}

// Paging of List methods (page_size / page_token / next_page_token).
constexpr int32_t kDefaultPageSize = 100;
constexpr int32_t kMaxPageSize = 1000;
// For methods that returned everything before they were paged.
constexpr int32_t kUnlimitedPage = std::numeric_limits<int32_t>::max();

// The page size to use: `if_unset` when 0, at most kMaxPageSize otherwise;
// INVALID_ARGUMENT when negative.
inline Result<int32_t> PageSize(int32_t requested,
                                int32_t if_unset = kDefaultPageSize) {
  if (requested < 0) return sdk::InvalidArgument("page_size must be >= 0");
  if (requested == 0) return if_unset;
  return std::min(requested, kMaxPageSize);
}

// One page of the messages stored under prefix that `keep` accepts, in key
// order. The page token is the key (after prefix) of the last message of
// the previous page, so pages stay stable while items are added;
// *next_page_token is empty on the last page.
template <typename M, typename Keep>
Status LoadPage(const Host& host, const std::string& tenant,
                const std::string& prefix, int32_t page_size,
                const std::string& page_token, Keep keep, std::vector<M>* out,
                std::string* next_page_token) {
  constexpr int32_t kChunk = 1000;
  next_page_token->clear();
  std::string after = page_token.empty() ? "" : prefix + page_token;
  std::string last;
  for (;;) {
    auto rows = host.KvScan(tenant, prefix, after, kChunk);
    if (!rows.ok()) return rows.status();
    for (const auto& e : *rows) {
      M m;
      if (!m.ParseFromString(e.value))
        return sdk::Internal("corrupt state at " + e.key);
      if (!keep(m)) continue;
      if (out->size() >= static_cast<size_t>(page_size)) {
        *next_page_token = last.substr(prefix.size());  // one more exists
        return Status();
      }
      out->push_back(std::move(m));
      last = e.key;
    }
    if (rows->size() < static_cast<size_t>(kChunk)) return Status();
    after = rows->back().key;
  }
}

template <typename M>
KvOp Put(const std::string& key, const M& m) {
  return KvOp{key, m.SerializeAsString()};
}

inline int64_t MicrosOf(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

inline google::protobuf::Timestamp TimestampOf(int64_t micros) {
  google::protobuf::Timestamp t;
  int64_t s = micros / 1000000, us = micros % 1000000;
  if (us < 0) {
    us += 1000000;
    s -= 1;
  }
  t.set_seconds(s);
  t.set_nanos(static_cast<int32_t>(us * 1000));
  return t;
}

// "YYYY-MM-DD" (UTC).
inline std::string FormatDate(int64_t micros) {
  time_t secs = static_cast<time_t>(micros / 1000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

inline std::string FormatDouble(double v, int decimals = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

inline double Days(int64_t micros) {
  return static_cast<double>(micros) / static_cast<double>(sdk::kMicrosPerDay);
}

}  // namespace retain::plugins

#endif  // RETAIN_PLUGINS_COMMON_PLUGIN_UTIL_H_
