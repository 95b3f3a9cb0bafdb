// Runs a real retaind process for end-to-end tests: port 0, a temporary
// store directory, readiness by port file and grpc.health.v1.
#ifndef RETAIN_TESTS_SUPPORT_RETAIND_PROCESS_H_
#define RETAIN_TESTS_SUPPORT_RETAIND_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace retain::testing {

class RetaindProcess {
 public:
  struct Options {
    // Store directory; a fresh temporary one when empty.
    std::string data_dir;
    // Appended to the command line (e.g. "--plugin_dir=...").
    std::vector<std::string> extra_flags;
    // Authentication on (the server's default): the first operator key is
    // in <data_dir>/operator.key. Off by default here: most tests need no
    // keys.
    bool auth = false;
    // For a server started with --tls_cert: the CA that signed its
    // certificate, so the readiness check can connect over TLS.
    std::string ca_file;
  };

  static absl::StatusOr<std::unique_ptr<RetaindProcess>> Start(Options options);
  ~RetaindProcess();

  // "127.0.0.1:PORT".
  std::string address() const;
  int port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  // Where the server's stderr (structured logs) goes.
  const std::string& log_path() const { return log_path_; }
  // SIGTERM, then waits for a clean exit; an error if it exits non-zero.
  absl::Status Stop();
  // SIGKILL: a crash, nothing drained.
  void Kill();

  // Path of the retaind binary in the test's runfiles.
  static std::string BinaryPath();
  // A fresh directory under the test's temporary directory.
  static std::string MakeTempDir(const std::string& prefix);

 private:
  RetaindProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string data_dir_;
  std::string log_path_;
};

}  // namespace retain::testing

#endif  // RETAIN_TESTS_SUPPORT_RETAIND_PROCESS_H_
