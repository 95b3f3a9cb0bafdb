#include "core/server/tls_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace retain::server {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

Bio MemoryBio(const std::string& text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

absl::StatusOr<std::string> ReadFile(const std::string& flag,
                                     const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": cannot read ", path, ": ", std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A key with a pass phrase would make OpenSSL prompt on the terminal; an
// empty one makes the read fail instead.
int NoPassphrase(char*, int, int, void*) { return 0; }

}  // namespace

absl::StatusOr<std::string> ReadPemCertificates(const std::string& flag,
                                                const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(flag, path);
  if (!text.ok()) return text.status();
  Bio bio = MemoryBio(*text);
  int count = 0;
  while (
      Cert cert{PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr)}) {
    ++count;
  }
  // The loop ends at the end of the text (PEM_R_NO_START_LINE) or at a block
  // that does not parse; only the first is fine.
  const unsigned long err = ERR_peek_last_error();
  const bool clean_end = ERR_GET_LIB(err) == ERR_LIB_PEM &&
                         ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
  ERR_clear_error();
  if (count == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", path, " holds no PEM certificate"));
  }
  if (!clean_end) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": ", path, " holds a certificate that does not parse"));
  }
  return text;
}

absl::StatusOr<std::string> ReadPemPrivateKey(const std::string& flag,
                                              const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(flag, path);
  if (!text.ok()) return text.status();
  Bio bio = MemoryBio(*text);
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": ", path,
        " holds no PEM private key (or one protected by a pass phrase)"));
  }
  return text;
}

absl::Status CheckKeyMatchesCertificate(const std::string& cert_pem,
                                        const std::string& key_pem) {
  Bio cert_bio = MemoryBio(cert_pem);
  Bio key_bio = MemoryBio(key_pem);
  Cert cert(PEM_read_bio_X509(cert_bio.get(), nullptr, NoPassphrase, nullptr));
  Key key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, NoPassphrase, nullptr));
  const bool match = cert != nullptr && key != nullptr &&
                     X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  if (!match) {
    return absl::InvalidArgumentError(
        "--tls_key is not the private key of the certificate in --tls_cert");
  }
  return absl::OkStatus();
}

}  // namespace retain::server
