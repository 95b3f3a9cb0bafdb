// Who a caller is by its client certificate (mTLS): a certificate signed by
// the CA given to --tls_client_ca names a tenant and a role in one URI SAN,
//
//   retain://tenant/<tenant>/role/<reader|writer|admin|operator>
//
// (docs/decisions/0015-transport-security.md). Authentication maps a
// CertIdentity to a principal exactly as it maps an API key; this file only
// reads what the TLS handshake has already verified.
#ifndef RETAIN_CORE_SERVER_PEER_IDENTITY_H_
#define RETAIN_CORE_SERVER_PEER_IDENTITY_H_

#include <grpcpp/grpcpp.h>

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace retain::server {

struct CertIdentity {
  std::string tenant;
  std::string role;  // "reader", "writer", "admin" or "operator"

  bool operator==(const CertIdentity& o) const {
    return tenant == o.tenant && role == o.role;
  }
};

// The identity a URI SAN names, or nothing when the URI is not exactly of the
// form above: no other scheme, extra segment, query, fragment, percent
// escape or unknown role. A tenant has the syntax of an account id: 1-63 of
// [a-z0-9-_.], starting with a letter or digit.
std::optional<CertIdentity> ParseIdentityUri(absl::string_view uri);

// The identity of a call's verified client certificate: its single
// retain:// URI SAN. Nothing when the call is not over TLS, came without a
// certificate, or the certificate has no such SAN or more than one (an
// ambiguous certificate grants nothing).
std::optional<CertIdentity> PeerCertIdentity(const grpc::AuthContext& auth);
std::optional<CertIdentity> PeerCertIdentity(
    const grpc::ServerContextBase& ctx);

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_PEER_IDENTITY_H_
