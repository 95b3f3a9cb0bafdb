#include "tests/support/test_certs.h"

#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

extern char** environ;

namespace retain::testing {
namespace {

std::string ScriptPath() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir && workspace) {
    return absl::StrCat(srcdir, "/", workspace, "/tests/support/make_certs.sh");
  }
  return "tests/support/make_certs.sh";
}

// Runs make_certs.sh with `args` (no shell in between); its output goes to
// the test log.
absl::Status RunScript(std::vector<std::string> args) {
  args.insert(args.begin(), {"/bin/bash", ScriptPath()});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    return absl::InternalError("cannot run make_certs.sh");
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("make_certs.sh ",
                                            absl::StrJoin(args, " "),
                                            " failed, status ", status));
  }
  return absl::OkStatus();
}

std::string MakeTempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ = absl::StrCat(base ? base : "/tmp", "/certs-XXXXXX");
  char* made = mkdtemp(templ.data());
  return made ? std::string(made) : std::string();
}

}  // namespace

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<TestCerts> TestCerts::MakeWithClients() {
  auto certs = Make();
  if (!certs.ok()) return certs;
  if (absl::Status s =
          certs->MakeClient("writer", {"retain://tenant/acme/role/writer"});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = certs->MakeClient(
          "rogue", {"retain://tenant/acme/role/admin"}, "other-ca");
      !s.ok()) {
    return s;
  }
  return certs;
}

absl::StatusOr<TestCerts> TestCerts::Make() {
  std::string dir = MakeTempDir();
  if (dir.empty()) return absl::InternalError("no temporary directory");
  if (absl::Status s = RunScript({"all", dir}); !s.ok()) return s;
  return TestCerts(dir);
}

absl::Status TestCerts::MakeClient(const std::string& name,
                                   const std::vector<std::string>& uris,
                                   const std::string& ca) const {
  std::vector<std::string> args = {"client", dir_, ca, name};
  args.insert(args.end(), uris.begin(), uris.end());
  return RunScript(args);
}

std::string TestCerts::Pem(const std::string& name) const {
  return absl::StrCat(dir_, "/", name, ".pem");
}

std::string TestCerts::Key(const std::string& name) const {
  return absl::StrCat(dir_, "/", name, ".key");
}

std::shared_ptr<grpc::ChannelCredentials> TestCerts::ChannelCredentials(
    const std::string& ca, const std::string& client) const {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadWholeFile(Pem(ca));
  if (!client.empty()) {
    ssl.pem_private_key = ReadWholeFile(Key(client));
    ssl.pem_cert_chain = ReadWholeFile(Pem(client));
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace retain::testing
