// Reads the PEM files retaind's TLS flags name and checks them before gRPC
// sees them: gRPC accepts any bytes here and fails later, per connection,
// with a handshake error that names no flag. Errors name the flag and file.
#ifndef RETAIN_CORE_SERVER_TLS_FILES_H_
#define RETAIN_CORE_SERVER_TLS_FILES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace retain::server {

// The file's text when it holds one or more PEM certificates and nothing
// unparseable between them. `flag` ("--tls_cert") prefixes every error.
absl::StatusOr<std::string> ReadPemCertificates(const std::string& flag,
                                                const std::string& path);

// The file's text when it holds a PEM private key (unencrypted).
absl::StatusOr<std::string> ReadPemPrivateKey(const std::string& flag,
                                              const std::string& path);

// OK when `key_pem` is the private key of the first certificate of
// `cert_pem`.
absl::Status CheckKeyMatchesCertificate(const std::string& cert_pem,
                                        const std::string& key_pem);

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_TLS_FILES_H_
