// What every retainctl command shares: global flags, the connection to
// retaind, exit codes and output helpers.
#ifndef RETAIN_CLIENTS_CLI_COMMON_H_
#define RETAIN_CLIENTS_CLI_COMMON_H_

#include <chrono>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>

#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"

namespace retain::cli {

// Exit codes scripts can rely on (also printed by --help).
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,        // unexpected or internal error
  kExitUsage = 2,        // bad flags or arguments, unreadable input file
  kExitNotFound = 3,     // NOT_FOUND
  kExitInvalid = 4,      // INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE
  kExitConflict = 5,     // ALREADY_EXISTS, ABORTED
  kExitAuth = 6,         // UNAUTHENTICATED, PERMISSION_DENIED
  kExitUnavailable = 7,  // UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED
  kExitUnimplemented = 8,  // UNIMPLEMENTED: the server lacks the service
  kExitPartial = 10,  // finished in part: import rows rejected, retries failed
};

const char* ExitCodesHelp();

// A failure to report on stderr and exit with.
class CliError : public std::runtime_error {
 public:
  CliError(int code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

int ExitCodeFor(grpc::StatusCode code);
// Throws CliError for a failed call: "<what>: <CODE>: <message>".
void Check(const grpc::Status& status, const std::string& what);

enum class OutputFormat { kTable, kJson };

struct Globals {
  std::string server = "127.0.0.1:7443";
  std::string token;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string output = "table";
  double timeout_seconds = 30;
  bool no_color = false;

  OutputFormat format() const;
  // Colour only on a terminal, unless --no-color or NO_COLOR is set.
  bool color() const;
};

class Connection {
 public:
  explicit Connection(const Globals& globals);
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  // A context with the bearer token and the unary deadline.
  std::unique_ptr<grpc::ClientContext> Context() const;
  // A context without a deadline, for long streams.
  std::unique_ptr<grpc::ClientContext> StreamContext() const;

 private:
  const Globals& globals_;
  std::shared_ptr<grpc::Channel> channel_;
};

// Proto JSON on one line with proto field names and zero values printed.
std::string ToJson(const google::protobuf::Message& message);
void PrintJson(std::ostream& out, const google::protobuf::Message& message);

bool IsTerminal(int fd);

}  // namespace retain::cli

#endif  // RETAIN_CLIENTS_CLI_COMMON_H_
