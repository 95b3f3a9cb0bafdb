// Tenants and API keys, kept in the store (namespaces "_auth/tenants" and
// "_auth/keys") and cached in memory, so checking a key costs a map lookup
// and a hash. A key's secret is "rtk_<key_id>_<43 base64url chars>": the
// key id is public (listings, the audit trail); only the SHA-256 of the
// whole secret is stored.
#ifndef RETAIN_CORE_AUTH_KEY_STORE_H_
#define RETAIN_CORE_AUTH_KEY_STORE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/auth/identity.h"
#include "core/store/store.h"
#include "retain/auth/v1/auth.pb.h"

namespace retain::auth {

class KeyStore {
 public:
  // Loads every tenant and key. `store` must outlive the key store.
  static absl::StatusOr<std::unique_ptr<KeyStore>> Open(store::Store* store);

  bool HasKeys() const;

  absl::StatusOr<v1::Tenant> CreateTenant(const std::string& id,
                                          const std::string& display_name);
  bool TenantExists(const std::string& id) const;
  std::vector<v1::Tenant> Tenants() const;  // in name order

  struct CreatedKey {
    v1::ApiKey key;
    std::string secret;  // shown once
  };
  absl::StatusOr<CreatedKey> CreateKey(const std::string& tenant,
                                       const std::string& display_name,
                                       Role role,
                                       std::optional<absl::Time> expire,
                                       const std::string& creator);
  std::vector<v1::ApiKey> Keys(const std::string& tenant) const;
  absl::StatusOr<v1::ApiKey> Revoke(const std::string& tenant,
                                    const std::string& key_id);

  // The identity a bearer secret stands for. UNAUTHENTICATED when it is
  // malformed, unknown, revoked or expired; *key_id is set when the secret
  // named a key (for the audit trail), never to the secret itself.
  absl::StatusOr<Identity> Verify(const std::string& secret, absl::Time now,
                                  std::string* key_id);

  static std::string KeyName(const std::string& tenant,
                             const std::string& key_id);

 private:
  struct Key {
    v1::ApiKey api;
    std::string tenant;
    std::string hash;
    absl::Time last_use_persisted = absl::InfinitePast();
  };
  explicit KeyStore(store::Store* store) : store_(store) {}
  absl::Status Persist(const std::string& key_id, const Key& key);

  store::Store* store_;
  mutable absl::Mutex mu_;
  std::map<std::string, v1::Tenant> tenants_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Key> keys_ ABSL_GUARDED_BY(mu_);  // by key id
};

}  // namespace retain::auth

#endif  // RETAIN_CORE_AUTH_KEY_STORE_H_
