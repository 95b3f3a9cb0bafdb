// How retaind's listener is secured: TLS from --tls_cert/--tls_key, client
// certificates (mTLS) verified against --tls_client_ca, and the rule that
// nothing beyond loopback is served without TLS and authentication unless
// --insecure says so (docs/decisions/0015-transport-security.md). Who a
// client certificate names is in peer_identity.h.
#ifndef RETAIN_CORE_SERVER_TRANSPORT_H_
#define RETAIN_CORE_SERVER_TRANSPORT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace retain::server {

// The values of the transport flags.
struct TransportOptions {
  std::string tls_cert;       // PEM certificate chain, leaf first
  std::string tls_key;        // PEM private key of the leaf
  std::string tls_client_ca;  // PEM CA(s) that sign client certificates
  bool insecure = false;      // serve beyond loopback without TLS or auth
};

struct ServerTransport {
  std::shared_ptr<grpc::ServerCredentials> credentials;
  bool tls = false;
  // Client certificates are requested and, when sent, verified.
  bool client_certificates = false;
  // Why this server is exposed without protection, e.g. "no TLS" (only ever
  // non-empty with --insecure); empty when covered.
  std::vector<std::string> insecure_because;

  bool insecure() const { return !insecure_because.empty(); }
};

// The health service that carries the insecure marker: SERVING when the
// listener is covered, NOT_SERVING when retaind runs with --insecure beyond
// loopback. The overall health ("") is unaffected.
inline constexpr char kSecurityHealthService[] = "retain.security";

// 127.0.0.0/8, ::1 (with or without brackets) and "localhost".
bool IsLoopback(absl::string_view host);

// Chooses the credentials for a listener on `listen_host`:
// - TLS when tls_cert and tls_key are given (both or neither); client
//   certificates when tls_client_ca is given too (needs TLS). The files are
//   read and checked now; errors name the flag and the file.
// - Plaintext otherwise.
// Beyond loopback, no TLS or `auth_on` false is refused with an error naming
// what is missing and --insecure, unless `insecure`; then the result says
// why it is insecure.
absl::StatusOr<ServerTransport> ChooseServerTransport(
    const TransportOptions& options, absl::string_view listen_host,
    bool auth_on);

// The flags' values.
TransportOptions TransportOptionsFromFlags();

// ChooseServerTransport from the flags, logging the choice: one info line,
// or a "warn" line when the server will run insecure.
absl::StatusOr<ServerTransport> ServerTransportFromFlags(
    absl::string_view listen_host, bool auth_on);

// Sets kSecurityHealthService on a started server (its default health
// service must be enabled).
void PublishTransportHealth(const ServerTransport& transport,
                            grpc::Server* server);

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_TRANSPORT_H_
