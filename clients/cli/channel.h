// How retainctl reaches retaind: the gRPC target and credentials from
// --server, --ca_file, --cert_file and --key_file. TLS when --server starts
// with https:// or a CA or client certificate is given; plaintext otherwise
// (retaind serves plaintext only on loopback unless run with --insecure).
#ifndef RETAIN_CLIENTS_CLI_CHANNEL_H_
#define RETAIN_CLIENTS_CLI_CHANNEL_H_

#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"

namespace retain::cli {

struct ChannelSettings {
  std::string server;     // host:port, https://host:port or http://host:port
  std::string ca_file;    // PEM CA(s) to verify retaind's certificate
  std::string cert_file;  // PEM client certificate (mTLS)
  std::string key_file;   // its private key
};

struct ChannelTarget {
  std::string target;  // what gRPC dials: the server without its scheme
  bool tls = false;
};

// Throws CliError (exit 2) for contradictions: http:// with TLS files, a
// certificate without its key or the reverse.
ChannelTarget ResolveTarget(const ChannelSettings& settings);

// Credentials for ResolveTarget(settings). Without --ca_file, TLS trusts
// the system's CAs. Throws CliError (exit 2) naming the flag of a file that
// cannot be read.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(
    const ChannelSettings& settings);

}  // namespace retain::cli

#endif  // RETAIN_CLIENTS_CLI_CHANNEL_H_
