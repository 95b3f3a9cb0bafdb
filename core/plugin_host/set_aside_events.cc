#include "core/plugin_host/set_aside_events.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "api/names.h"
#include "api/proto_time.h"

namespace retain::plugin_host {
namespace {

constexpr char kPrefix[] = "set_aside/";
constexpr char kTenantPrefix[] = "tenants/";

std::string TenantOf(const DeadLetter& d) {
  return absl::StartsWith(d.tenant(), kTenantPrefix)
             ? d.tenant().substr(sizeof(kTenantPrefix) - 1)
             : d.tenant();
}

std::string KeyOf(const DeadLetter& d) {
  return SetAsideEvents::Key(TenantOf(d), d.seq());
}

// The records' key prefix: of one tenant (tenant ids hold no '/'), or all.
std::string PrefixOf(const std::string& tenant) {
  return tenant.empty() ? kPrefix : absl::StrCat(kPrefix, tenant, "/");
}

// Same fold as dead_letters.cc: attempts add up, the first failure stays.
void Merge(const DeliveryFailure& f, DeadLetter* d) {
  d->set_attempts(d->attempts() + f.attempts);
  d->set_last_error(f.error);
  d->set_last_error_id(f.error_id);
  if (!d->has_first_failure_time()) {
    *d->mutable_first_failure_time() = api::ToProto(f.first);
  }
  *d->mutable_last_failure_time() = api::ToProto(f.last);
}

}  // namespace

SetAsideEvents::SetAsideEvents(store::Store* store, std::string plugin)
    : store_(store), ns_(Namespace(plugin)) {}

std::string SetAsideEvents::Namespace(const std::string& plugin) {
  return absl::StrCat("_host/health_feed/", plugin);
}

std::string SetAsideEvents::CursorKey(const std::string& tenant) {
  return absl::StrCat("cursor/", tenant);
}

std::string SetAsideEvents::Key(const std::string& tenant, int64_t position) {
  // Zero-padded: key order is position order.
  return absl::StrFormat("%s%s/%020d", kPrefix, tenant, position);
}

bool SetAsideEvents::IsKeyOf(const std::string& tenant,
                             const std::string& key) {
  if (!absl::StartsWith(key, PrefixOf(tenant))) return false;
  std::vector<std::string> parts =
      absl::StrSplit(key.substr(sizeof(kPrefix) - 1), '/');
  int64_t position = 0;
  return parts.size() == 2 && !parts[0].empty() &&
         absl::SimpleAtoi(parts[1], &position) && position > 0;
}

absl::StatusOr<std::optional<DeadLetter>> SetAsideEvents::Get(
    const std::string& key) {
  auto stored = store_->KvGet(ns_, key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::nullopt;
  DeadLetter d;
  if (!d.ParseFromString(**stored)) {
    return absl::DataLossError(
        absl::StrCat("malformed set-aside health event in namespace ", ns_));
  }
  return d;
}

absl::StatusOr<DeadLetter> SetAsideEvents::SetAside(
    const std::string& tenant, const plugin::v1::HealthEvent& event,
    const DeliveryFailure& failure) {
  absl::MutexLock lock(&mu_);
  const std::string key = Key(tenant, event.position());
  auto existing = Get(key);
  if (!existing.ok()) return existing.status();
  DeadLetter d;
  if (existing->has_value()) {
    d = **existing;
  } else {
    d.set_seq(event.position());
    d.set_tenant(kTenantPrefix + tenant);
    if (!event.account_id().empty()) {
      d.set_account(api::AccountName(event.account_id()));
    }
    d.set_feed(plugin::v1::DEAD_LETTER_FEED_HEALTH_EVENT);
    d.set_alert_position(event.position());
    d.set_alert_code(event.code());
  }
  Merge(failure, &d);
  absl::Status s = store_->KvApply(
      ns_, {{key, d.SerializeAsString()},
            {CursorKey(tenant), std::to_string(event.position())}});
  if (!s.ok()) return s;
  return d;
}

absl::StatusOr<std::optional<DeadLetter>> SetAsideEvents::FailedAgain(
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

absl::StatusOr<std::vector<DeadLetter>> SetAsideEvents::List(
    const std::string& tenant, const std::string& after, int limit,
    std::string* last_key) {
  last_key->clear();
  // One more than asked says whether others follow.
  auto rows = store_->KvScan(ns_, PrefixOf(tenant), after, limit + 1);
  if (!rows.ok()) return rows.status();
  std::vector<DeadLetter> out;
  for (const auto& [key, value] : *rows) {
    if (static_cast<int>(out.size()) == limit) break;
    DeadLetter d;
    if (!d.ParseFromString(value)) {
      return absl::DataLossError(
          absl::StrCat("malformed set-aside health event in namespace ", ns_));
    }
    out.push_back(std::move(d));
    *last_key = key;
  }
  if (static_cast<int>(rows->size()) <= limit) last_key->clear();
  return out;
}

absl::StatusOr<std::vector<DeadLetter>> SetAsideEvents::Find(
    const std::string& tenant, std::vector<int64_t> positions) {
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()),
                  positions.end());
  std::vector<DeadLetter> out;
  for (int64_t position : positions) {
    auto d = Get(Key(tenant, position));
    if (!d.ok()) return d.status();
    if (!d->has_value()) {
      return absl::NotFoundError(
          absl::StrCat("no set-aside health event at position ", position));
    }
    out.push_back(std::move(**d));
  }
  return out;
}

absl::StatusOr<std::vector<DeadLetter>> SetAsideEvents::First(
    const std::string& tenant, int limit, bool* more) {
  std::string last_key;
  auto out = List(tenant, "", limit, &last_key);
  if (!out.ok()) return out.status();
  *more = !last_key.empty();
  return out;
}

absl::StatusOr<int64_t> SetAsideEvents::Remove(
    const std::vector<DeadLetter>& letters) {
  absl::MutexLock lock(&mu_);
  std::vector<store::KvOp> batch;
  for (const auto& d : letters) {
    const std::string key = KeyOf(d);
    auto existing = store_->KvGet(ns_, key);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) batch.push_back({key, std::nullopt});
  }
  if (batch.empty()) return 0;
  if (absl::Status s = store_->KvApply(ns_, batch); !s.ok()) return s;
  return static_cast<int64_t>(batch.size());
}

absl::StatusOr<int64_t> SetAsideEvents::RemoveAll(const std::string& tenant) {
  int64_t removed = 0;
  for (;;) {
    bool more = false;
    auto letters = First(tenant, DeadLetters::kMaxBatch, &more);
    if (!letters.ok()) return letters.status();
    if (letters->empty()) return removed;
    auto n = Remove(*letters);
    if (!n.ok()) return n.status();
    removed += *n;
  }
}

}  // namespace retain::plugin_host
