#include "core/auth/key_store.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/proto_time.h"
#include "core/auth/secrets.h"
#include "nlohmann/json.hpp"

namespace retain::auth {
namespace {

using Json = nlohmann::json;
constexpr char kTenants[] = "_auth/tenants";
constexpr char kKeys[] = "_auth/keys";
constexpr char kPrefix[] = "rtk_";

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}
void SetMicros(int64_t us, google::protobuf::Timestamp* t) {
  *t = api::ToProto(absl::FromUnixMicros(us));
}

template <typename F>
absl::Status ScanAll(store::Store* store, const std::string& ns, F fn) {
  std::string after;
  for (;;) {
    auto rows = store->KvScan(ns, "", after, 1000);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return absl::OkStatus();
    for (const auto& [k, v] : *rows) {
      after = k;
      if (absl::Status s = fn(k, v); !s.ok()) return s;
    }
  }
}

}  // namespace

std::string KeyStore::KeyName(const std::string& tenant,
                              const std::string& key_id) {
  return absl::StrCat("tenants/", tenant, "/apiKeys/", key_id);
}

absl::StatusOr<std::unique_ptr<KeyStore>> KeyStore::Open(store::Store* store) {
  std::unique_ptr<KeyStore> ks(new KeyStore(store));
  absl::MutexLock lock(&ks->mu_);
  absl::Status s = ScanAll(
      store, kTenants, [&](const std::string& id, const std::string& v) {
        Json j = Json::parse(v, nullptr, false);
        if (j.is_discarded())
          return absl::DataLossError("corrupt tenant " + id);
        v1::Tenant t;
        t.set_name("tenants/" + id);
        t.set_display_name(j.value("display_name", ""));
        SetMicros(j.value("create_us", int64_t{0}), t.mutable_create_time());
        ks->tenants_[id] = t;
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  s = ScanAll(store, kKeys, [&](const std::string& id, const std::string& v) {
    Json j = Json::parse(v, nullptr, false);
    if (j.is_discarded()) return absl::DataLossError("corrupt API key " + id);
    Key k;
    k.tenant = j.value("tenant", "");
    k.hash = j.value("hash", "");
    k.api.set_name(KeyName(k.tenant, id));
    k.api.set_display_name(j.value("display_name", ""));
    k.api.set_role(static_cast<Role>(j.value("role", 0)));
    k.api.set_creator(j.value("creator", ""));
    SetMicros(j.value("create_us", int64_t{0}), k.api.mutable_create_time());
    for (const char* f : {"expire_us", "revoke_us", "last_use_us"}) {
      if (!j.contains(f)) continue;
      google::protobuf::Timestamp* t =
          std::string(f) == "expire_us"   ? k.api.mutable_expire_time()
          : std::string(f) == "revoke_us" ? k.api.mutable_revoke_time()
                                          : k.api.mutable_last_use_time();
      SetMicros(j[f].get<int64_t>(), t);
    }
    if (k.api.has_last_use_time()) {
      k.last_use_persisted = api::FromProto(k.api.last_use_time());
    }
    ks->keys_[id] = std::move(k);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return ks;
}

absl::Status KeyStore::Persist(const std::string& key_id, const Key& k) {
  Json j = {{"tenant", k.tenant},
            {"hash", k.hash},
            {"display_name", k.api.display_name()},
            {"role", static_cast<int>(k.api.role())},
            {"creator", k.api.creator()},
            {"create_us", Micros(k.api.create_time())}};
  if (k.api.has_expire_time()) j["expire_us"] = Micros(k.api.expire_time());
  if (k.api.has_revoke_time()) j["revoke_us"] = Micros(k.api.revoke_time());
  if (k.api.has_last_use_time()) {
    j["last_use_us"] = Micros(k.api.last_use_time());
  }
  return store_->KvApply(kKeys, {{key_id, j.dump()}});
}

bool KeyStore::HasKeys() const {
  absl::MutexLock lock(&mu_);
  return !keys_.empty();
}

absl::StatusOr<v1::Tenant> KeyStore::CreateTenant(
    const std::string& id, const std::string& display_name) {
  if (!IsValidTenantId(id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tenant_id: must be 1-63 of [a-z0-9-] starting with a letter, got \"",
        id.substr(0, 80), "\""));
  }
  if (display_name.size() > 200) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tenant.display_name: at most 200 bytes, got ", display_name.size()));
  }
  absl::MutexLock lock(&mu_);
  if (tenants_.count(id)) {
    return absl::AlreadyExistsError(
        absl::StrCat("tenant_id: tenants/", id, " already exists"));
  }
  const absl::Time now = absl::Now();
  Json j = {{"display_name", display_name},
            {"create_us", absl::ToUnixMicros(now)}};
  if (absl::Status s = store_->KvApply(kTenants, {{id, j.dump()}}); !s.ok()) {
    return s;
  }
  v1::Tenant t;
  t.set_name("tenants/" + id);
  t.set_display_name(display_name);
  *t.mutable_create_time() = api::ToProto(now);
  tenants_[id] = t;
  return t;
}

bool KeyStore::TenantExists(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  return tenants_.count(id) > 0;
}

std::vector<v1::Tenant> KeyStore::Tenants() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Tenant> out;
  for (const auto& [id, t] : tenants_) out.push_back(t);
  return out;
}

absl::StatusOr<KeyStore::CreatedKey> KeyStore::CreateKey(
    const std::string& tenant, const std::string& display_name, Role role,
    std::optional<absl::Time> expire, const std::string& creator) {
  if (role == auth::v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(role)) {
    return absl::InvalidArgumentError(
        "api_key.role: required (reader, writer, admin or operator)");
  }
  if (display_name.size() > 200) {
    return absl::InvalidArgumentError(absl::StrCat(
        "api_key.display_name: at most 200 bytes, got ", display_name.size()));
  }
  const absl::Time now = absl::Now();
  if (expire && *expire <= now) {
    return absl::InvalidArgumentError(
        "api_key.expire_time: must be in the future");
  }
  auto key_id = RandomHex(6);
  auto token = RandomToken(32);
  if (!key_id.ok()) return key_id.status();
  if (!token.ok()) return token.status();
  CreatedKey out;
  out.secret = absl::StrCat(kPrefix, *key_id, "_", *token);
  Key k;
  k.tenant = tenant;
  k.hash = Sha256Hex(out.secret);
  k.api.set_name(KeyName(tenant, *key_id));
  k.api.set_display_name(display_name);
  k.api.set_role(role);
  k.api.set_creator(creator);
  *k.api.mutable_create_time() = api::ToProto(now);
  if (expire) *k.api.mutable_expire_time() = api::ToProto(*expire);
  absl::MutexLock lock(&mu_);
  if (!tenants_.count(tenant)) {
    return absl::NotFoundError(
        absl::StrCat("no tenant \"tenants/", tenant, "\""));
  }
  if (keys_.count(*key_id)) {
    return absl::InternalError("key id collision; try again");
  }
  if (absl::Status s = Persist(*key_id, k); !s.ok()) return s;
  out.key = k.api;
  keys_[*key_id] = std::move(k);
  return out;
}

std::vector<v1::ApiKey> KeyStore::Keys(const std::string& tenant) const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::ApiKey> out;
  for (const auto& [id, k] : keys_) {
    if (k.tenant == tenant) out.push_back(k.api);
  }
  return out;
}

absl::StatusOr<v1::ApiKey> KeyStore::Revoke(const std::string& tenant,
                                            const std::string& key_id) {
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(key_id);
  // Another tenant's key answers as if it did not exist.
  if (it == keys_.end() || it->second.tenant != tenant) {
    return absl::NotFoundError(
        absl::StrCat("no API key \"", KeyName(tenant, key_id), "\""));
  }
  Key updated = it->second;
  if (!updated.api.has_revoke_time()) {
    *updated.api.mutable_revoke_time() = api::ToProto(absl::Now());
    if (absl::Status s = Persist(key_id, updated); !s.ok()) return s;
  }
  it->second = updated;
  return updated.api;
}

absl::StatusOr<Identity> KeyStore::Verify(const std::string& secret,
                                          absl::Time now, std::string* key_id) {
  // rtk_ + 12 hex + _ + 43 base64url.
  const auto unauthenticated = [] {
    return absl::UnauthenticatedError("invalid API key");
  };
  if (!absl::StartsWith(secret, kPrefix) || secret.size() < 17 ||
      secret[16] != '_') {
    return unauthenticated();
  }
  const std::string id = secret.substr(4, 12);
  for (char c : id) {
    if (!absl::ascii_isxdigit(c)) return unauthenticated();
  }
  // Named in the audit trail even when the rest is wrong.
  *key_id = id;
  if (secret.size() != 4 + 12 + 1 + 43) return unauthenticated();
  const std::string hash = Sha256Hex(secret);
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(id);
  if (it == keys_.end() || !ConstantTimeEquals(hash, it->second.hash)) {
    return unauthenticated();
  }
  Key& k = it->second;
  if (k.api.has_revoke_time()) {
    return absl::UnauthenticatedError("API key revoked");
  }
  if (k.api.has_expire_time() && api::FromProto(k.api.expire_time()) <= now) {
    return absl::UnauthenticatedError("API key expired");
  }
  *k.api.mutable_last_use_time() = api::ToProto(now);
  // Kept to the minute: one write per key per minute, not per call.
  if (now - k.last_use_persisted >= absl::Minutes(1)) {
    k.last_use_persisted = now;
    Persist(id, k).IgnoreError();
  }
  return Identity{k.tenant, k.api.role(), k.api.name(), k.api.display_name()};
}

}  // namespace retain::auth
