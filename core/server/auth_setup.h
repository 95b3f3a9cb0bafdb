// Builds retaind's authentication from --auth: the key store and audit trail
// over the engine's store, the authorizer every handler uses, and, on a new
// store, the first operator key (the bootstrap; docs/decisions/0016-trust.md).
#ifndef RETAIN_CORE_SERVER_AUTH_SETUP_H_
#define RETAIN_CORE_SERVER_AUTH_SETUP_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/auth/audit_log.h"
#include "core/auth/authorizer.h"
#include "core/auth/key_store.h"
#include "core/store/store.h"

namespace retain::server {

struct AuthSetup {
  std::unique_ptr<auth::KeyStore> keys;
  std::unique_ptr<auth::AuditLog> audit;
  std::unique_ptr<auth::Authorizer> authorizer;
};

// With `enabled` and no key yet, creates tenant "default" and an operator key
// in it, and writes the key's secret to `<data_dir>/operator.key` (mode
// 0600, created only if absent): the one way in on a new store. The secret
// is never logged.
// The identity a verified client certificate names (peer_identity.h), for
// the authorizer: "cert:" + its URI.
std::optional<auth::Identity> CertIdentityOfPeer(
    const grpc::ServerContextBase& ctx);

absl::StatusOr<AuthSetup> SetUpAuth(store::Store* store, bool enabled,
                                    const std::string& data_dir,
                                    auth::Authorizer::CertIdentity cert);

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_AUTH_SETUP_H_
