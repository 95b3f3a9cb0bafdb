#include "core/server/peer_identity.h"

#include <grpc/grpc_security_constants.h>

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace retain::server {
namespace {

constexpr absl::string_view kScheme = "retain://";

bool IsRole(absl::string_view role) {
  return role == "reader" || role == "writer" || role == "admin" ||
         role == "operator";
}

// The syntax of account ids: 1-63 of [a-z0-9-_.], starting with a letter
// or digit (so never "." or "..").
bool IsTenant(absl::string_view tenant) {
  if (tenant.empty() || tenant.size() > 63) return false;
  for (size_t i = 0; i < tenant.size(); ++i) {
    const char c = tenant[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '-' && c != '_' && c != '.'))) return false;
  }
  return true;
}

}  // namespace

std::optional<CertIdentity> ParseIdentityUri(absl::string_view uri) {
  if (!absl::StartsWith(uri, kScheme)) return std::nullopt;
  // Split keeps empty pieces, so "//" or a trailing "/" fail the count or the
  // name checks; '?', '#' and '%' are not allowed in any piece.
  std::vector<absl::string_view> parts =
      absl::StrSplit(uri.substr(kScheme.size()), '/');
  if (parts.size() != 4 || parts[0] != "tenant" || parts[2] != "role") {
    return std::nullopt;
  }
  if (!IsTenant(parts[1]) || !IsRole(parts[3])) return std::nullopt;
  return CertIdentity{std::string(parts[1]), std::string(parts[3])};
}

std::optional<CertIdentity> PeerCertIdentity(const grpc::AuthContext& auth) {
  // Only a TLS peer has a certificate; the handshake has verified it against
  // --tls_client_ca, or the call would not exist.
  bool tls = false;
  for (const grpc::string_ref& v :
       auth.FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME)) {
    tls = tls || v == GRPC_SSL_TRANSPORT_SECURITY_TYPE;
  }
  if (!tls) return std::nullopt;
  std::optional<CertIdentity> found;
  for (const grpc::string_ref& v :
       auth.FindPropertyValues(GRPC_PEER_URI_PROPERTY_NAME)) {
    const absl::string_view uri(v.data(), v.size());
    if (!absl::StartsWith(uri, kScheme)) continue;  // someone else's SAN
    std::optional<CertIdentity> id = ParseIdentityUri(uri);
    if (!id || found) return std::nullopt;  // malformed or ambiguous
    found = std::move(id);
  }
  return found;
}

std::optional<CertIdentity> PeerCertIdentity(
    const grpc::ServerContextBase& ctx) {
  std::shared_ptr<const grpc::AuthContext> auth = ctx.auth_context();
  if (auth == nullptr) return std::nullopt;
  return PeerCertIdentity(*auth);
}

}  // namespace retain::server
