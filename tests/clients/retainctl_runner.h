// Runs the real retainctl binary from the test's runfiles and captures what
// a person or a script sees: exit code, stdout and stderr.
#ifndef RETAIN_TESTS_CLIENTS_RETAINCTL_RUNNER_H_
#define RETAIN_TESTS_CLIENTS_RETAINCTL_RUNNER_H_

#include <ostream>
#include <string>
#include <vector>

namespace retain::testing {

// $TEST_SRCDIR/$TEST_WORKSPACE/<path> under Bazel, else <path>.
std::string Runfile(const std::string& path);
std::string ReadFile(const std::string& path);

struct CtlResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
std::ostream& operator<<(std::ostream& os, const CtlResult& r);

// Runs retainctl with `args`; stdin from /dev/null (not a terminal, so
// progress is plain lines and there is no colour).
CtlResult Retainctl(const std::vector<std::string>& args);

}  // namespace retain::testing

#endif  // RETAIN_TESTS_CLIENTS_RETAINCTL_RUNNER_H_
