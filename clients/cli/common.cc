#include "clients/cli/common.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/channel.h"
#include "google/protobuf/util/json_util.h"

namespace retain::cli {

const char* ExitCodesHelp() {
  return R"(Exit codes:
  0   success
  1   unexpected or internal error
  2   usage error: bad flags or arguments, unreadable input file
  3   not found
  4   rejected as invalid (INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE)
  5   conflict (ALREADY_EXISTS, ABORTED)
  6   not authenticated or not allowed, or retaind's TLS certificate is not
      trusted (check --ca_file)
  7   server unavailable or too slow (UNAVAILABLE, DEADLINE_EXCEEDED,
      RESOURCE_EXHAUSTED): safe to retry
  8   the server does not offer this (UNIMPLEMENTED, e.g. a plugin not loaded)
  10  finished in part: an import rejected some rows (listed on stderr),
      or a dead-letter retry left some failing or untried (listed)

Environment: RETAIN_SERVER (host:port, default 127.0.0.1:7443;
https://host:port for TLS), RETAIN_TOKEN (sent as "authorization: Bearer
<token>"), RETAIN_CA_FILE, RETAIN_CERT_FILE, RETAIN_KEY_FILE (TLS: the CA
that signed retaind's certificate; a client certificate and key for mTLS),
NO_COLOR.)";
}

int ExitCodeFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return kExitOk;
    case grpc::StatusCode::NOT_FOUND:
      return kExitNotFound;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return kExitInvalid;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return kExitConflict;
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return kExitAuth;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return kExitUnavailable;
    case grpc::StatusCode::UNIMPLEMENTED:
      return kExitUnimplemented;
    default:
      return kExitError;
  }
}

namespace {
const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "ERROR";
  }
}
}  // namespace

void Check(const grpc::Status& status, const std::string& what) {
  if (status.ok()) return;
  std::string msg = absl::StrCat(what, ": ", CodeName(status.error_code()),
                                 ": ", status.error_message());
  int code = ExitCodeFor(status.error_code());
  // gRPC reports a failed TLS handshake as UNAVAILABLE, but retrying will
  // not help: it is a trust problem.
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      absl::StrContains(status.error_message(), "handshake failed")) {
    msg +=
        " (TLS handshake failed: does --ca_file / RETAIN_CA_FILE hold the CA "
        "that signed retaind's certificate, and --server name a host in it?)";
    code = kExitAuth;
  } else if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    msg +=
        " (is retaind running? check --server / RETAIN_SERVER; if it serves "
        "TLS, give --ca_file or an https:// address; a client certificate "
        "retaind does not trust is refused like this too)";
  }
  throw CliError(code, msg);
}

OutputFormat Globals::format() const {
  return output == "json" ? OutputFormat::kJson : OutputFormat::kTable;
}

bool Globals::color() const {
  return !no_color && std::getenv("NO_COLOR") == nullptr &&
         IsTerminal(STDOUT_FILENO);
}

bool IsTerminal(int fd) { return isatty(fd) == 1; }

Connection::Connection(const Globals& globals) : globals_(globals) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  const ChannelSettings settings{globals.server, globals.ca_file,
                                 globals.cert_file, globals.key_file};
  channel_ = grpc::CreateCustomChannel(ResolveTarget(settings).target,
                                       ChannelCredentialsFor(settings), args);
}

std::unique_ptr<grpc::ClientContext> Connection::StreamContext() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!globals_.token.empty()) {
    ctx->AddMetadata("authorization", "Bearer " + globals_.token);
  }
  return ctx;
}

std::unique_ptr<grpc::ClientContext> Connection::Context() const {
  auto ctx = StreamContext();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(
                        static_cast<int64_t>(globals_.timeout_seconds * 1000)));
  return ctx;
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  opts.always_print_primitive_fields = true;
  auto st = google::protobuf::util::MessageToJsonString(message, &out, opts);
  if (!st.ok()) throw CliError(kExitError, "JSON: " + st.ToString());
  return out;
}

void PrintJson(std::ostream& out, const google::protobuf::Message& message) {
  out << ToJson(message) << "\n";
}

}  // namespace retain::cli
