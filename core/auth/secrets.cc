#include "core/auth/secrets.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <vector>

#include "absl/strings/escaping.h"

namespace retain::auth {
namespace {

absl::StatusOr<std::string> RandomBytes(int n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), n) != 1) {
    return absl::InternalError("no randomness available for a key");
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> RandomToken(int bytes) {
  auto raw = RandomBytes(bytes);
  if (!raw.ok()) return raw.status();
  return absl::WebSafeBase64Escape(*raw);
}

absl::StatusOr<std::string> RandomHex(int bytes) {
  auto raw = RandomBytes(bytes);
  if (!raw.ok()) return raw.status();
  return absl::BytesToHexString(*raw);
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      std::string(reinterpret_cast<const char*>(digest), len));
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace retain::auth
