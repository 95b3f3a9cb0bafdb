// retaind's listener end to end: the loopback rule (a plaintext listener
// beyond loopback is refused unless --insecure, which is then announced in
// the log and the health service retain.security), TLS, and client
// certificates (mTLS) — against the real binary with certificates made by
// the `openssl` command. Binding 0.0.0.0 covers 127.0.0.1, which the tests
// connect to.
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/auth/v1/auth.grpc.pb.h"
#include "tests/support/health_check.h"
#include "tests/support/retaind_process.h"
#include "tests/support/test_certs.h"

namespace retain {
namespace {

using ::retain::testing::HealthStatus;
using ::retain::testing::ReadWholeFile;
using ::retain::testing::RetaindProcess;
using ::retain::testing::TestCerts;
using ::testing::HasSubstr;

class TransportE2eTest : public ::testing::Test {
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

  void Start(std::vector<std::string> flags, const std::string& ca = "") {
    RetaindProcess::Options options;
    options.extra_flags = std::move(flags);
    options.ca_file = ca;
    options.auth = true;  // the loopback rule weighs authentication too
    auto p = RetaindProcess::Start(options);
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    std::ifstream in(server_->data_dir() + "/operator.key");
    std::getline(in, operator_key_);
  }
  std::vector<std::string> TlsFlags() const {
    return {"--tls_cert=" + certs_->Pem("server"),
            "--tls_key=" + certs_->Key("server")};
  }

  std::shared_ptr<grpc::Channel> Channel(
      const std::shared_ptr<grpc::ChannelCredentials>& creds) const {
    return grpc::CreateChannel(server_->address(), creds);
  }
  // A unary call of the real API, with the operator key unless the
  // channel's client certificate is to be the only credential.
  grpc::Status ListAccounts(const std::shared_ptr<grpc::Channel>& channel,
                            bool with_key = true) const {
    auto stub = account::v1::AccountService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    if (with_key) ctx.AddMetadata("authorization", "Bearer " + operator_key_);
    account::v1::ListAccountsRequest req;
    account::v1::ListAccountsResponse resp;
    return stub->ListAccounts(&ctx, req, &resp);
  }
  static std::string Health(const std::shared_ptr<grpc::Channel>& channel,
                            const std::string& service) {
    auto status = HealthStatus(channel, service);
    return status.ok() ? *status : status.status().ToString();
  }

  static TestCerts* certs_;
  std::unique_ptr<RetaindProcess> server_;
  std::string operator_key_;
};
TestCerts* TransportE2eTest::certs_ = nullptr;

TEST_F(TransportE2eTest, PlaintextBeyondLoopbackIsRefusedNamingInsecure) {
  auto p = RetaindProcess::Start({"", {"--listen=0.0.0.0"}});
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("(exit 2)"));
  EXPECT_THAT(p.status().message(), HasSubstr("refusing to listen on 0.0.0.0"));
  EXPECT_THAT(p.status().message(), HasSubstr("--tls_cert"));
  EXPECT_THAT(p.status().message(), HasSubstr("--insecure"));
}

TEST_F(TransportE2eTest, InsecureFlagServesAndSaysSoInLogAndHealth) {
  Start({"--listen=0.0.0.0", "--insecure"});
  auto channel = Channel(grpc::InsecureChannelCredentials());
  EXPECT_TRUE(ListAccounts(channel).ok());
  EXPECT_EQ(Health(channel, ""), "SERVING");
  EXPECT_EQ(Health(channel, "retain.security"), "NOT_SERVING");
  const std::string log = ReadWholeFile(server_->log_path());
  EXPECT_THAT(log, HasSubstr("\"level\":\"warn\""));
  EXPECT_THAT(log, HasSubstr("INSECURE: serving 0.0.0.0 beyond loopback with "
                             "no TLS (--tls_cert, --tls_key) because of "
                             "--insecure"));
  // Authentication stays on: plaintext does not mean anonymous.
  EXPECT_EQ(ListAccounts(channel, /*with_key=*/false).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TransportE2eTest, LoopbackPlaintextIsCovered) {
  Start({});
  auto channel = Channel(grpc::InsecureChannelCredentials());
  EXPECT_TRUE(ListAccounts(channel).ok());
  EXPECT_EQ(Health(channel, "retain.security"), "SERVING");
  EXPECT_THAT(ReadWholeFile(server_->log_path()),
              ::testing::Not(HasSubstr("INSECURE")));
}

TEST_F(TransportE2eTest, TlsBeyondLoopbackServesOnlyTls) {
  Start(
      [&] {
        auto f = TlsFlags();
        f.push_back("--listen=0.0.0.0");
        return f;
      }(),
      certs_->Pem("ca"));
  auto tls = Channel(certs_->ChannelCredentials("ca"));
  EXPECT_TRUE(ListAccounts(tls).ok());
  EXPECT_EQ(Health(tls, ""), "SERVING");
  EXPECT_EQ(Health(tls, "retain.security"), "SERVING");

  grpc::Status plain =
      ListAccounts(Channel(grpc::InsecureChannelCredentials()));
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::UNAVAILABLE)
      << plain.error_message();
  grpc::Status wrong_ca =
      ListAccounts(Channel(certs_->ChannelCredentials("other-ca")));
  EXPECT_EQ(wrong_ca.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(wrong_ca.error_message(), HasSubstr("certificate verify failed"));
}

TEST_F(TransportE2eTest, ClientCertificatesAreOptionalButMustVerify) {
  auto flags = TlsFlags();
  flags.push_back("--tls_client_ca=" + certs_->Pem("ca"));
  Start(flags, certs_->Pem("ca"));
  // The certificate names tenant acme, role writer: once the tenant exists
  // the certificate alone is the credential.
  auto with_cert = Channel(certs_->ChannelCredentials("ca", "writer"));
  grpc::Status unknown = ListAccounts(with_cert, /*with_key=*/false);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(unknown.error_message(), HasSubstr("tenant that does not exist"));
  {
    auto stub = auth::v1::AuthService::NewStub(
        Channel(certs_->ChannelCredentials("ca")));
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + operator_key_);
    auth::v1::CreateTenantRequest req;
    req.set_tenant_id("acme");
    auth::v1::Tenant t;
    ASSERT_TRUE(stub->CreateTenant(&ctx, req, &t).ok());
  }
  EXPECT_TRUE(ListAccounts(with_cert, /*with_key=*/false).ok());
  {
    auto stub = auth::v1::AuthService::NewStub(with_cert);
    grpc::ClientContext ctx;
    auth::v1::Caller caller;
    ASSERT_TRUE(stub->GetCaller(&ctx, {}, &caller).ok());
    EXPECT_EQ(caller.tenant(), "tenants/acme");
    EXPECT_EQ(caller.role(), auth::v1::ROLE_WRITER);
    EXPECT_EQ(caller.principal(), "cert:retain://tenant/acme/role/writer");
    // A writer certificate may write but not administer.
    grpc::ClientContext ctx2;
    auth::v1::ListApiKeysResponse keys;
    EXPECT_EQ(stub->ListApiKeys(&ctx2, {}, &keys).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // Without a certificate, a key is needed.
  auto no_cert = Channel(certs_->ChannelCredentials("ca"));
  EXPECT_EQ(ListAccounts(no_cert, /*with_key=*/false).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(ListAccounts(no_cert).ok());
  grpc::Status rogue =
      ListAccounts(Channel(certs_->ChannelCredentials("ca", "rogue")));
  EXPECT_EQ(rogue.error_code(), grpc::StatusCode::UNAVAILABLE)
      << rogue.error_message();
}

TEST_F(TransportE2eTest, BadTlsFlagsExitTwoNamingTheFlag) {
  auto p = RetaindProcess::Start({"", {"--tls_cert=" + certs_->Pem("server")}});
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("(exit 2)"));
  EXPECT_THAT(p.status().message(), HasSubstr("--tls_cert needs --tls_key"));

  const std::string missing = certs_->dir() + "/missing.key";
  p = RetaindProcess::Start(
      {"", {"--tls_cert=" + certs_->Pem("server"), "--tls_key=" + missing}});
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("(exit 2)"));
  EXPECT_THAT(p.status().message(),
              HasSubstr("--tls_key: cannot read " + missing));
}

}  // namespace
}  // namespace retain
