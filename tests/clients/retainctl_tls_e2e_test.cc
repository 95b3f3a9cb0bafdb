// retainctl over TLS and mTLS against a real retaind, with certificates made
// by the `openssl` command: --ca_file / RETAIN_CA_FILE, https:// addresses,
// --cert_file/--key_file, and clear failures for a wrong CA or plaintext.
#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/clients/retainctl_runner.h"
#include "tests/support/retaind_process.h"
#include "tests/support/test_certs.h"

namespace retain {
namespace {

using ::retain::testing::CtlResult;
using ::retain::testing::Retainctl;
using ::retain::testing::RetaindProcess;
using ::retain::testing::TestCerts;

class RetainctlTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto made = TestCerts::MakeWithClients();
    ASSERT_TRUE(made.ok()) << made.status();
    certs_ = new TestCerts(*std::move(made));
  }
  static void TearDownTestSuite() { delete certs_; }

  void TearDown() override {
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->Stop().ok());
    }
  }

  // retaind with TLS; with client certificates verified against "ca" when
  // `mtls`.
  void StartTls(bool mtls = false) {
    RetaindProcess::Options options;
    options.extra_flags = {"--tls_cert=" + certs_->Pem("server"),
                           "--tls_key=" + certs_->Key("server")};
    if (mtls) {
      options.extra_flags.push_back("--tls_client_ca=" + certs_->Pem("ca"));
    }
    options.ca_file = certs_->Pem("ca");
    auto p = RetaindProcess::Start(options);
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
  }

  // retainctl --server <server> --token t --timeout 10 args...
  CtlResult Ctl(const std::string& server, std::vector<std::string> args) {
    args.insert(args.begin(),
                {"--server", server, "--token", "t", "--timeout", "10"});
    return Retainctl(args);
  }

  static TestCerts* certs_;
  std::unique_ptr<RetaindProcess> server_;
};
TestCerts* RetainctlTlsTest::certs_ = nullptr;

TEST_F(RetainctlTlsTest, CaFileConnectsOverTls) {
  StartTls();
  CtlResult create =
      Ctl(server_->address(), {"--ca_file", certs_->Pem("ca"), "accounts",
                               "create", "acme", "--name", "Acme"});
  EXPECT_EQ(create.exit_code, 0) << create;
  CtlResult get = Ctl(server_->address(), {"--ca_file", certs_->Pem("ca"),
                                           "accounts", "get", "acme"});
  EXPECT_EQ(get.exit_code, 0) << get;
  EXPECT_TRUE(absl::StrContains(get.out, "Acme")) << get;
}

TEST_F(RetainctlTlsTest, HttpsAddressWithCaFromTheEnvironment) {
  StartTls();
  setenv("RETAIN_CA_FILE", certs_->Pem("ca").c_str(), 1);
  CtlResult r = Ctl("https://" + server_->address(), {"accounts", "list"});
  unsetenv("RETAIN_CA_FILE");
  EXPECT_EQ(r.exit_code, 0) << r;
}

TEST_F(RetainctlTlsTest, WrongCaFailsWithAClearError) {
  StartTls();
  CtlResult r = Ctl(server_->address(),
                    {"--ca_file", certs_->Pem("other-ca"), "accounts", "list"});
  EXPECT_EQ(r.exit_code, 6) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "certificate verify failed")) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "TLS handshake failed: does --ca_file"))
      << r;
}

TEST_F(RetainctlTlsTest, PlaintextToATlsServerSuggestsTheCaFile) {
  StartTls();
  CtlResult r = Ctl(server_->address(), {"accounts", "list"});
  EXPECT_EQ(r.exit_code, 7) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "if it serves TLS, give --ca_file"))
      << r;
}

TEST_F(RetainctlTlsTest, ClientCertificateForMutualTls) {
  StartTls(/*mtls=*/true);
  CtlResult r =
      Ctl(server_->address(),
          {"--ca_file", certs_->Pem("ca"), "--cert_file", certs_->Pem("writer"),
           "--key_file", certs_->Key("writer"), "accounts", "list"});
  EXPECT_EQ(r.exit_code, 0) << r;
  setenv("RETAIN_CERT_FILE", certs_->Pem("writer").c_str(), 1);
  setenv("RETAIN_KEY_FILE", certs_->Key("writer").c_str(), 1);
  r = Ctl(server_->address(),
          {"--ca_file", certs_->Pem("ca"), "accounts", "list"});
  unsetenv("RETAIN_CERT_FILE");
  unsetenv("RETAIN_KEY_FILE");
  EXPECT_EQ(r.exit_code, 0) << r;
}

TEST_F(RetainctlTlsTest, ClientCertificateFromAnotherCaIsRefused) {
  StartTls(/*mtls=*/true);
  CtlResult r =
      Ctl(server_->address(),
          {"--ca_file", certs_->Pem("ca"), "--cert_file", certs_->Pem("rogue"),
           "--key_file", certs_->Key("rogue"), "accounts", "list"});
  EXPECT_EQ(r.exit_code, 7) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "UNAVAILABLE")) << r;
  EXPECT_TRUE(absl::StrContains(r.err,
                                "a client certificate retaind does "
                                "not trust is refused"))
      << r;
}

TEST(RetainctlTlsFlags, MissingKeyOrUnreadableFileIsAUsageError) {
  CtlResult r = Retainctl({"--cert_file", "c.pem", "accounts", "list"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "--cert_file needs --key_file")) << r;
  r = Retainctl({"--ca_file", "/nonexistent/ca.pem", "accounts", "list"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_TRUE(
      absl::StrContains(r.err, "--ca_file: cannot read /nonexistent/ca.pem"))
      << r;
}

TEST(RetainctlTlsFlags, HelpDocumentsTlsFlagsAndEnvironment) {
  CtlResult r = Retainctl({"--help"});
  EXPECT_EQ(r.exit_code, 0) << r;
  for (const char* text : {"--ca_file", "--cert_file", "--key_file", "https://",
                           "RETAIN_CA_FILE", "RETAIN_CERT_FILE"}) {
    EXPECT_TRUE(absl::StrContains(r.out, text)) << text << "\n" << r;
  }
}

}  // namespace
}  // namespace retain
