#include "core/plugin_host/dead_letters.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/names.h"
#include "api/proto_time.h"
#include "core/plugin_host/kv_keys.h"
#include "core/store/tenant_key.h"

namespace retain::plugin_host {
namespace {

constexpr char kWatermark[] = "watermark";
constexpr char kTenantPrefix[] = "tenants/";

// Zero-padded so that key order is seq order within a tenant.
std::string SeqKey(int64_t seq) { return absl::StrFormat("%020d", seq); }

std::string TenantOf(const DeadLetter& d) {
  return absl::StartsWith(d.tenant(), kTenantPrefix)
             ? d.tenant().substr(sizeof(kTenantPrefix) - 1)
             : d.tenant();
}

std::string KeyOf(const std::string& tenant, int64_t seq) {
  return store::TenantKey(tenant, SeqKey(seq));
}

std::string KeyOf(const DeadLetter& d) { return KeyOf(TenantOf(d), d.seq()); }

// A failed run folded into the dead letter (new or stored) it belongs to.
void Merge(const DeliveryFailure& f, DeadLetter* d) {
  d->set_attempts(d->attempts() + f.attempts);
  d->set_last_error(f.error);
  d->set_last_error_id(f.error_id);
  if (!d->has_first_failure_time()) {
    *d->mutable_first_failure_time() = api::ToProto(f.first);
  }
  *d->mutable_last_failure_time() = api::ToProto(f.last);
}

absl::Status BadToken() {
  return absl::InvalidArgumentError(
      "page_token: not a token from a previous response");
}

}  // namespace

DeadLetters::DeadLetters(store::Store* store, std::string plugin)
    : store_(store), ns_(Namespace(plugin)) {}

std::string DeadLetters::Namespace(const std::string& plugin) {
  return "_host/dead_letters/" + plugin;
}

absl::StatusOr<int64_t> DeadLetters::Watermark() {
  auto stored = store_->KvGet(ns_, kWatermark);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return 0;
  int64_t seq = 0;
  if (!absl::SimpleAtoi(**stored, &seq) || seq < 0) {
    return absl::DataLossError(absl::StrCat(
        "the dead-letter watermark \"", stored->value().substr(0, 40),
        "\" is corrupt; fix or delete key '", kWatermark, "' in namespace ",
        ns_));
  }
  return seq;
}

absl::StatusOr<std::optional<DeadLetter>> DeadLetters::Get(
    const std::string& key) {
  auto stored = store_->KvGet(ns_, key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::nullopt;
  DeadLetter d;
  if (!d.ParseFromString(**stored)) {
    return absl::DataLossError(
        absl::StrCat("malformed dead letter in namespace ", ns_));
  }
  return d;
}

absl::StatusOr<DeadLetter> DeadLetters::SetAside(
    const store::StoredSignal& sig, const DeliveryFailure& failure) {
  absl::MutexLock lock(&mu_);
  const std::string key = KeyOf(sig.tenant, sig.seq);
  auto existing = Get(key);
  if (!existing.ok()) return existing.status();
  auto watermark = Watermark();
  if (!watermark.ok()) return watermark.status();
  DeadLetter d;
  if (existing->has_value()) {
    d = **existing;
  } else {
    d.set_seq(sig.seq);
    d.set_tenant(kTenantPrefix + sig.tenant);
    d.set_account(api::AccountName(sig.account_id));
    d.set_signal_kind(sig.kind);
    d.set_signal_id(sig.signal_id);
  }
  Merge(failure, &d);
  absl::Status s = store_->KvApply(
      ns_, {{key, d.SerializeAsString()},
            {kWatermark, std::to_string(std::max(*watermark, sig.seq))}});
  if (!s.ok()) return s;
  return d;
}

absl::StatusOr<std::optional<DeadLetter>> DeadLetters::FailedAgain(
    const DeadLetter& letter, const DeliveryFailure& failure) {
  absl::MutexLock lock(&mu_);
  const std::string key = KeyOf(letter);
  auto existing = Get(key);
  if (!existing.ok()) return existing.status();
  if (!existing->has_value()) return std::nullopt;  // dropped meanwhile
  DeadLetter d = **existing;
  Merge(failure, &d);
  absl::Status s = store_->KvApply(ns_, {{key, d.SerializeAsString()}});
  if (!s.ok()) return s;
  return d;
}

absl::StatusOr<std::vector<std::pair<std::string, DeadLetter>>>
DeadLetters::Scan(const std::string& tenant, const std::string& after,
                  int limit) {
  const std::string prefix =
      tenant.empty() ? std::string() : store::TenantKey(tenant, "");
  std::vector<std::pair<std::string, DeadLetter>> out;
  std::string from = after;
  while (static_cast<int>(out.size()) < limit) {
    auto rows =
        store_->KvScan(ns_, prefix, from, limit - static_cast<int>(out.size()));
    if (!rows.ok()) return rows.status();
    if (rows->empty()) break;
    for (auto& [key, value] : *rows) {
      from = key;
      std::string t, rest;
      // The watermark (and anything else that is not a dead letter).
      if (!store::SplitTenantKey(key, &t, &rest)) continue;
      DeadLetter d;
      if (!d.ParseFromString(value)) {
        return absl::DataLossError(
            absl::StrCat("malformed dead letter in namespace ", ns_));
      }
      out.emplace_back(key, std::move(d));
    }
  }
  return out;
}

absl::StatusOr<DeadLetters::Page> DeadLetters::List(
    const std::string& tenant, int page_size, const std::string& page_token) {
  if (page_size < 0 || page_size > kMaxBatch) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 0-", kMaxBatch, ", got ", page_size));
  }
  const int size = page_size == 0 ? 100 : page_size;
  std::string after;
  if (!page_token.empty()) {
    std::string t, rest;
    if (!absl::StartsWith(page_token, "k:") ||
        !absl::Base64Unescape(page_token.substr(2), &after) ||
        !store::SplitTenantKey(after, &t, &rest) ||
        (!tenant.empty() && t != tenant)) {
      return BadToken();
    }
  }
  auto rows = Scan(tenant, after, size + 1);
  if (!rows.ok()) return rows.status();
  Page page;
  for (int i = 0; i < static_cast<int>(rows->size()) && i < size; ++i) {
    page.letters.push_back(std::move((*rows)[i].second));
  }
  if (static_cast<int>(rows->size()) > size) {
    page.next_token =
        "k:" + absl::Base64Escape((*rows)[static_cast<size_t>(size) - 1].first);
  }
  return page;
}

absl::StatusOr<std::vector<DeadLetter>> DeadLetters::Find(
    const std::string& tenant, std::vector<int64_t> seqs) {
  std::sort(seqs.begin(), seqs.end());
  seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  std::vector<std::string> tenants;
  if (!tenant.empty()) {
    tenants.push_back(tenant);
  } else {
    auto all = TenantsIn(*store_, ns_);
    if (!all.ok()) return all.status();
    tenants = std::move(*all);
  }
  std::vector<DeadLetter> out;
  for (int64_t seq : seqs) {
    std::optional<DeadLetter> found;
    for (const auto& t : tenants) {
      auto d = Get(KeyOf(t, seq));
      if (!d.ok()) return d.status();
      if (d->has_value()) {
        found = std::move(*d);
        break;
      }
    }
    if (!found) {
      return absl::NotFoundError(absl::StrCat("no dead letter with seq ", seq));
    }
    out.push_back(std::move(*found));
  }
  return out;
}

absl::StatusOr<std::vector<DeadLetter>> DeadLetters::First(
    const std::string& tenant, int limit, bool* more) {
  auto rows = Scan(tenant, "", limit + 1);
  if (!rows.ok()) return rows.status();
  *more = static_cast<int>(rows->size()) > limit;
  std::vector<DeadLetter> out;
  for (int i = 0; i < static_cast<int>(rows->size()) && i < limit; ++i) {
    out.push_back(std::move((*rows)[i].second));
  }
  // Delivery order, whichever tenant they belong to.
  std::sort(out.begin(), out.end(),
            [](const DeadLetter& a, const DeadLetter& b) {
              return a.seq() < b.seq();
            });
  return out;
}

absl::StatusOr<int64_t> DeadLetters::Remove(
    const std::vector<DeadLetter>& letters) {
  absl::MutexLock lock(&mu_);
  std::vector<store::KvOp> batch;
  int64_t there = 0;
  for (const auto& d : letters) {
    const std::string key = KeyOf(d);
    auto existing = store_->KvGet(ns_, key);
    if (!existing.ok()) return existing.status();
    if (!existing->has_value()) continue;
    ++there;
    batch.push_back({key, std::nullopt});
  }
  if (batch.empty()) return 0;
  if (absl::Status s = store_->KvApply(ns_, batch); !s.ok()) return s;
  return there;
}

absl::StatusOr<int64_t> DeadLetters::RemoveAll(const std::string& tenant) {
  int64_t removed = 0;
  for (;;) {
    auto rows = Scan(tenant, "", kMaxBatch);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return removed;
    std::vector<DeadLetter> letters;
    for (auto& [key, d] : *rows) letters.push_back(std::move(d));
    auto n = Remove(letters);
    if (!n.ok()) return n.status();
    removed += *n;
  }
}

}  // namespace retain::plugin_host
