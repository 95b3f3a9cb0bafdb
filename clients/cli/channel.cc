#include "clients/cli/channel.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/common.h"

namespace retain::cli {
namespace {

std::string ReadPem(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().empty()) {
    throw CliError(kExitUsage, absl::StrCat(flag, ": cannot read ", path));
  }
  return text.str();
}

}  // namespace

ChannelTarget ResolveTarget(const ChannelSettings& s) {
  if (s.cert_file.empty() != s.key_file.empty()) {
    throw CliError(kExitUsage, s.cert_file.empty()
                                   ? "--key_file needs --cert_file"
                                   : "--cert_file needs --key_file");
  }
  const bool tls_files = !s.ca_file.empty() || !s.cert_file.empty();
  ChannelTarget t;
  t.target = s.server;
  if (absl::StartsWith(s.server, "https://")) {
    t.target = s.server.substr(8);
    t.tls = true;
  } else if (absl::StartsWith(s.server, "http://")) {
    if (tls_files) {
      throw CliError(kExitUsage,
                     "--server http://... is plaintext, but --ca_file or "
                     "--cert_file asks for TLS: use https:// or host:port");
    }
    t.target = s.server.substr(7);
  } else {
    t.tls = tls_files;
  }
  return t;
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(
    const ChannelSettings& s) {
  if (!ResolveTarget(s).tls) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  if (!s.ca_file.empty()) ssl.pem_root_certs = ReadPem("--ca_file", s.ca_file);
  if (!s.cert_file.empty()) {
    ssl.pem_cert_chain = ReadPem("--cert_file", s.cert_file);
    ssl.pem_private_key = ReadPem("--key_file", s.key_file);
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace retain::cli
