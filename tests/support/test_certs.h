// Throw-away TLS material for C++ tests, made by make_certs.sh (the
// `openssl` command) in a fresh directory: a CA "ca", a CA nobody trusts
// "other-ca", a server certificate "server" for localhost and 127.0.0.1
// signed by "ca", and client certificates on demand.
#ifndef RETAIN_TESTS_SUPPORT_TEST_CERTS_H_
#define RETAIN_TESTS_SUPPORT_TEST_CERTS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace retain::testing {

class TestCerts {
 public:
  static absl::StatusOr<TestCerts> Make();
  // Make, plus the two client certificates most tests use: "writer"
  // (retain://tenant/acme/role/writer, signed by ca) and "rogue" (an admin
  // of acme signed by other-ca, which the server does not trust).
  static absl::StatusOr<TestCerts> MakeWithClients();

  // Makes DIR/NAME.pem and DIR/NAME.key: a client certificate signed by the
  // CA `ca` ("ca" or "other-ca") with each of `uris` as a URI SAN.
  absl::Status MakeClient(const std::string& name,
                          const std::vector<std::string>& uris,
                          const std::string& ca = "ca") const;

  const std::string& dir() const { return dir_; }
  std::string Pem(const std::string& name) const;  // DIR/NAME.pem
  std::string Key(const std::string& name) const;  // DIR/NAME.key

  // TLS channel credentials trusting the CA `ca`, presenting the client
  // certificate `client` when it is not empty.
  std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(
      const std::string& ca = "ca", const std::string& client = "") const;

 private:
  explicit TestCerts(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

// The whole file; empty when it cannot be read.
std::string ReadWholeFile(const std::string& path);

}  // namespace retain::testing

#endif  // RETAIN_TESTS_SUPPORT_TEST_CERTS_H_
