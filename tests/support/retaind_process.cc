#include "tests/support/retaind_process.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace retain::testing {

std::string RetaindProcess::BinaryPath() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir && workspace) {
    return absl::StrCat(srcdir, "/", workspace, "/core/server/retaind");
  }
  return "bazel-bin/core/server/retaind";
}

std::string RetaindProcess::MakeTempDir(const std::string& prefix) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ =
      absl::StrCat(base ? base : "/tmp", "/", prefix, "-XXXXXX");
  char* made = mkdtemp(templ.data());
  return made ? std::string(made) : std::string();
}

absl::StatusOr<std::unique_ptr<RetaindProcess>> RetaindProcess::Start(
    Options options) {
  std::unique_ptr<RetaindProcess> p(new RetaindProcess());
  p->data_dir_ =
      options.data_dir.empty() ? MakeTempDir("retaind") : options.data_dir;
  const std::string run_dir = MakeTempDir("run");
  const std::string port_file = run_dir + "/port";
  p->log_path_ = run_dir + "/retaind.log";
  std::vector<std::string> args = {
      BinaryPath(), "--port=0", absl::StrCat("--port_file=", port_file),
      absl::StrCat("--data_dir=", p->data_dir_), "--demo=false",
      // Idle client connections hold a graceful shutdown until the drain
      // deadline; tests stop the server only between calls.
      "--drain_seconds=1"};
  // Most tests exercise one tenant without keys; trust tests turn auth on.
  if (!options.auth) args.push_back("--auth=off");
  for (auto& f : options.extra_flags) args.push_back(f);

  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    FILE* log = std::fopen(p->log_path_.c_str(), "w");
    if (log) dup2(fileno(log), 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  p->pid_ = pid;

  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      p->pid_ = -1;
      std::ifstream log(p->log_path_);
      std::string text((std::istreambuf_iterator<char>(log)),
                       std::istreambuf_iterator<char>());
      const std::string how = WIFEXITED(status)
                                  ? absl::StrCat("exit ", WEXITSTATUS(status))
                                  : absl::StrCat("signal ", WTERMSIG(status));
      return absl::InternalError(
          absl::StrCat("retaind exited during start-up (", how, "): ", text));
    }
    std::ifstream in(port_file);
    if (in >> p->port_ && p->port_ > 0) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  if (p->port_ <= 0)
    return absl::DeadlineExceededError("retaind did not start");
  std::shared_ptr<grpc::ChannelCredentials> creds =
      grpc::InsecureChannelCredentials();
  if (!options.ca_file.empty()) {
    std::ifstream in(options.ca_file);
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs.assign(std::istreambuf_iterator<char>(in),
                              std::istreambuf_iterator<char>());
    creds = grpc::SslCredentials(ssl);
  }
  auto channel = grpc::CreateChannel(p->address(), creds);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                 std::chrono::seconds(30))) {
    return absl::DeadlineExceededError("retaind did not accept connections");
  }
  return p;
}

std::string RetaindProcess::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

absl::Status RetaindProcess::Stop() {
  if (pid_ <= 0) return absl::OkStatus();
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        absl::StrCat("retaind did not exit cleanly, status ", status));
  }
  return absl::OkStatus();
}

void RetaindProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

RetaindProcess::~RetaindProcess() { Kill(); }

}  // namespace retain::testing
