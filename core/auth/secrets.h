// The cryptography of API keys, from OpenSSL (already a dependency of gRPC):
// random secrets, their SHA-256, and a constant-time comparison. A key's
// secret has 256 random bits, so a plain hash is enough (a slow password
// hash is for guessable secrets).
#ifndef RETAIN_CORE_AUTH_SECRETS_H_
#define RETAIN_CORE_AUTH_SECRETS_H_

#include <string>

#include "absl/status/statusor.h"

namespace retain::auth {

// `bytes` random bytes, base64url-encoded without padding.
absl::StatusOr<std::string> RandomToken(int bytes);
// Lower-case hex of `bytes` random bytes.
absl::StatusOr<std::string> RandomHex(int bytes);
// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(const std::string& data);
// Equal, in time that does not depend on where they differ.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

}  // namespace retain::auth

#endif  // RETAIN_CORE_AUTH_SECRETS_H_
