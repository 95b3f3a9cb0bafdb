#include "core/server/transport.h"

#include <arpa/inet.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/common/log.h"
#include "core/server/tls_files.h"

ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain (leaf first) to serve TLS with; needs "
          "--tls_key.");
ABSL_FLAG(std::string, tls_key, "",
          "PEM private key of --tls_cert (unencrypted).");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA certificate(s). When set, clients may present a certificate "
          "signed by it (mTLS); its URI SAN "
          "retain://tenant/<tenant>/role/<role> is the caller's identity. "
          "Clients without one still connect (and need a token). Needs "
          "--tls_cert.");
ABSL_FLAG(bool, insecure, false,
          "Serve beyond loopback without TLS or without authentication. "
          "Anyone who can reach the port can then read the traffic or act "
          "without credentials; retaind says so in its log and in the health "
          "service retain.security (NOT_SERVING).");

namespace retain::server {
namespace {

using common::Log;

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsCredentials(
    const TransportOptions& options) {
  absl::StatusOr<std::string> cert =
      ReadPemCertificates("--tls_cert", options.tls_cert);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key =
      ReadPemPrivateKey("--tls_key", options.tls_key);
  if (!key.ok()) return key.status();
  if (absl::Status s = CheckKeyMatchesCertificate(*cert, *key); !s.ok()) {
    return s;
  }
  // Without a client CA no certificate is asked for. With one, a client may
  // still come without a certificate (and authenticate with a token), but a
  // certificate it does send must verify, or the handshake fails.
  grpc::SslServerCredentialsOptions ssl(
      GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!options.tls_client_ca.empty()) {
    absl::StatusOr<std::string> ca =
        ReadPemCertificates("--tls_client_ca", options.tls_client_ca);
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    ssl.client_certificate_request =
        GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

bool IsLoopback(absl::string_view host) {
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  const std::string h(host);
  in_addr v4;
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;  // any other name may resolve beyond this machine
}

absl::StatusOr<ServerTransport> ChooseServerTransport(
    const TransportOptions& options, absl::string_view listen_host,
    bool auth_on) {
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return absl::InvalidArgumentError(options.tls_cert.empty()
                                          ? "--tls_key needs --tls_cert"
                                          : "--tls_cert needs --tls_key");
  }
  ServerTransport out;
  out.tls = !options.tls_cert.empty();
  if (!options.tls_client_ca.empty() && !out.tls) {
    return absl::InvalidArgumentError(
        "--tls_client_ca needs --tls_cert and --tls_key (client certificates "
        "are a part of TLS)");
  }
  out.client_certificates = !options.tls_client_ca.empty();

  if (!IsLoopback(listen_host)) {
    std::vector<std::string> missing;
    if (!out.tls) missing.push_back("no TLS (--tls_cert, --tls_key)");
    if (!auth_on) missing.push_back("authentication off (--auth=off)");
    if (!missing.empty() && !options.insecure) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to listen on ", listen_host, ", beyond loopback, with ",
          absl::StrJoin(missing, " and "),
          ": anyone who can reach the port could read the traffic or act "
          "without credentials. Listen on 127.0.0.1, fix the above, or pass "
          "--insecure to accept that"));
    }
    out.insecure_because = std::move(missing);
  }

  if (out.tls) {
    auto creds = TlsCredentials(options);
    if (!creds.ok()) return creds.status();
    out.credentials = *std::move(creds);
  } else {
    out.credentials = grpc::InsecureServerCredentials();
  }
  return out;
}

TransportOptions TransportOptionsFromFlags() {
  TransportOptions o;
  o.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  o.tls_key = absl::GetFlag(FLAGS_tls_key);
  o.tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  o.insecure = absl::GetFlag(FLAGS_insecure);
  return o;
}

absl::StatusOr<ServerTransport> ServerTransportFromFlags(
    absl::string_view listen_host, bool auth_on) {
  const TransportOptions options = TransportOptionsFromFlags();
  absl::StatusOr<ServerTransport> t =
      ChooseServerTransport(options, listen_host, auth_on);
  if (!t.ok()) return t;
  const std::string listen(listen_host);
  if (t->insecure()) {
    Log("warn",
        absl::StrCat("INSECURE: serving ", listen, " beyond loopback with ",
                     absl::StrJoin(t->insecure_because, " and "),
                     " because of --insecure; anyone who can reach the port "
                     "can read the traffic or act without credentials"),
        {{"listen", listen},
         {"insecure", t->insecure_because},
         {"health", absl::StrCat(kSecurityHealthService, " NOT_SERVING")}});
  } else {
    if (options.insecure) {
      Log("info", "--insecure has no effect: the listener is covered",
          {{"listen", listen}});
    }
    Log("info", "transport",
        {{"listen", listen},
         {"tls", t->tls},
         {"client_certificates", t->client_certificates},
         {"loopback", IsLoopback(listen_host)}});
  }
  return t;
}

void PublishTransportHealth(const ServerTransport& transport,
                            grpc::Server* server) {
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus(kSecurityHealthService, !transport.insecure());
}

}  // namespace retain::server
