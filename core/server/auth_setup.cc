#include "core/server/auth_setup.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/common/log.h"
#include "core/server/peer_identity.h"

namespace retain::server {
namespace {

absl::Status WriteSecret(const std::string& path, const std::string& secret) {
  // O_EXCL: never overwrite a key file someone may be relying on.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  const std::string line = secret + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) ==
                      static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    std::filesystem::remove(path);
    return absl::FailedPreconditionError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

absl::Status Bootstrap(auth::KeyStore& keys, const std::string& data_dir) {
  if (!keys.TenantExists(auth::kDevTenant)) {
    auto t = keys.CreateTenant(auth::kDevTenant, "Default tenant");
    if (!t.ok()) return t.status();
  }
  auto key = keys.CreateKey(auth::kDevTenant, "bootstrap operator",
                            auth::v1::ROLE_OPERATOR, std::nullopt, "bootstrap");
  if (!key.ok()) return key.status();
  const std::string path =
      (std::filesystem::path(data_dir) / "operator.key").string();
  if (absl::Status s = WriteSecret(path, key->secret); !s.ok()) {
    // Nobody could ever use it: revoke so the next start bootstraps again.
    keys.Revoke(auth::kDevTenant,
                key->key.name().substr(key->key.name().rfind('/') + 1))
        .IgnoreError();
    return s;
  }
  common::Log("warn",
              "new store: the first operator key is in the file below (mode "
              "0600); use it to create tenants and keys, then keep it safe",
              {{"key_file", path}, {"key", key->key.name()}});
  return absl::OkStatus();
}

}  // namespace

std::optional<auth::Identity> CertIdentityOfPeer(
    const grpc::ServerContextBase& ctx) {
  std::optional<CertIdentity> cert = PeerCertIdentity(ctx);
  if (!cert) return std::nullopt;
  std::optional<auth::Role> role = auth::ParseRole(cert->role);
  if (!role) return std::nullopt;
  return auth::Identity{cert->tenant, *role,
                        absl::StrCat("cert:retain://tenant/", cert->tenant,
                                     "/role/", cert->role)};
}

absl::StatusOr<AuthSetup> SetUpAuth(store::Store* store, bool enabled,
                                    const std::string& data_dir,
                                    auth::Authorizer::CertIdentity cert) {
  AuthSetup out;
  auto keys = auth::KeyStore::Open(store);
  if (!keys.ok()) return keys.status();
  out.keys = std::move(*keys);
  out.audit = std::make_unique<auth::AuditLog>(store);
  if (enabled) {
    bool usable = false;
    for (const auto& t : out.keys->Tenants()) {
      for (const auto& k : out.keys->Keys(t.name().substr(8))) {
        usable = usable || !k.has_revoke_time();
      }
    }
    if (!usable) {
      if (absl::Status s = Bootstrap(*out.keys, data_dir); !s.ok()) return s;
    }
  } else {
    common::Log("warn",
                "authentication is OFF (--auth=off): every caller acts as the "
                "operator of tenant \"default\"; for development on loopback "
                "only");
  }
  out.authorizer = std::make_unique<auth::Authorizer>(
      enabled, out.keys.get(), out.audit.get(), std::move(cert));
  return out;
}

}  // namespace retain::server
