// The listener rules of retaind (core/server/transport.h): what is served as
// TLS or plaintext, what beyond loopback is refused and how the refusal
// reads, and that bad certificate files are caught before gRPC sees them,
// naming the flag. Certificates are real, made by the `openssl` command.
#include "core/server/transport.h"

#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/test_certs.h"

namespace retain::server {
namespace {

using ::retain::testing::ReadWholeFile;
using ::retain::testing::TestCerts;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(IsLoopbackTest, LoopbackAddressesAndLocalhost) {
  for (const char* host : {"127.0.0.1", "127.255.0.9", "::1", "[::1]",
                           "localhost", "LocalHost", "0:0:0:0:0:0:0:1"}) {
    EXPECT_TRUE(IsLoopback(host)) << host;
  }
}

TEST(IsLoopbackTest, EverythingElseIsBeyondLoopback) {
  for (const char* host :
       {"0.0.0.0", "::", "[::]", "", "10.0.0.1", "128.0.0.1", "192.168.1.2",
        "example.com", "localhost.example.com", "127.0.0.1.nip.io", "[::1"}) {
    EXPECT_FALSE(IsLoopback(host)) << host;
  }
}

class TransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto made = TestCerts::Make();
    ASSERT_TRUE(made.ok()) << made.status();
    certs_ = new TestCerts(*std::move(made));
  }
  static void TearDownTestSuite() { delete certs_; }

  TransportOptions Tls() const {
    TransportOptions o;
    o.tls_cert = certs_->Pem("server");
    o.tls_key = certs_->Key("server");
    return o;
  }
  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = certs_->dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  static TestCerts* certs_;
};
TestCerts* TransportTest::certs_ = nullptr;

TEST_F(TransportTest, LoopbackWithoutTlsIsPlaintextAndCovered) {
  for (const char* host : {"127.0.0.1", "localhost", "::1"}) {
    for (bool auth_on : {true, false}) {
      auto t = ChooseServerTransport({}, host, auth_on);
      ASSERT_TRUE(t.ok()) << host << ": " << t.status();
      EXPECT_FALSE(t->tls);
      EXPECT_FALSE(t->insecure()) << host;
      EXPECT_NE(t->credentials, nullptr);
    }
  }
}

TEST_F(TransportTest, TlsBeyondLoopbackWithAuthenticationIsCovered) {
  auto t = ChooseServerTransport(Tls(), "0.0.0.0", /*auth_on=*/true);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->tls);
  EXPECT_FALSE(t->client_certificates);
  EXPECT_FALSE(t->insecure());
  EXPECT_NE(t->credentials, nullptr);
}

TEST_F(TransportTest, ClientCaAsksForClientCertificates) {
  TransportOptions o = Tls();
  o.tls_client_ca = certs_->Pem("ca");
  auto t = ChooseServerTransport(o, "10.1.2.3", true);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->tls);
  EXPECT_TRUE(t->client_certificates);
  EXPECT_FALSE(t->insecure());
}

TEST_F(TransportTest, PlaintextBeyondLoopbackIsRefusedNamingInsecure) {
  auto t = ChooseServerTransport({}, "0.0.0.0", true);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(t.status().message(), HasSubstr("0.0.0.0"));
  EXPECT_THAT(t.status().message(),
              HasSubstr("no TLS (--tls_cert, --tls_key)"));
  EXPECT_THAT(t.status().message(), HasSubstr("--insecure"));
  EXPECT_THAT(t.status().message(), ::testing::Not(HasSubstr("--auth")));
}

TEST_F(TransportTest, AuthenticationOffBeyondLoopbackIsRefusedEvenWithTls) {
  auto t = ChooseServerTransport(Tls(), "192.168.0.7", /*auth_on=*/false);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(),
              HasSubstr("authentication off (--auth=off)"));
  EXPECT_THAT(t.status().message(), HasSubstr("--insecure"));
  EXPECT_THAT(t.status().message(), ::testing::Not(HasSubstr("no TLS")));
}

TEST_F(TransportTest, BothMissingAreNamed) {
  auto t = ChooseServerTransport({}, "example.com", false);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(),
              HasSubstr("no TLS (--tls_cert, --tls_key) and authentication "
                        "off (--auth=off)"));
}

TEST_F(TransportTest, InsecureFlagServesAnywayAndSaysWhy) {
  TransportOptions plain;
  plain.insecure = true;
  auto t = ChooseServerTransport(plain, "0.0.0.0", true);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->insecure());
  EXPECT_THAT(t->insecure_because,
              ElementsAre("no TLS (--tls_cert, --tls_key)"));

  TransportOptions tls = Tls();
  tls.insecure = true;
  t = ChooseServerTransport(tls, "0.0.0.0", false);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->tls);
  EXPECT_THAT(t->insecure_because,
              ElementsAre("authentication off (--auth=off)"));
}

TEST_F(TransportTest, InsecureFlagChangesNothingWhereNotNeeded) {
  TransportOptions o = Tls();
  o.insecure = true;
  auto t = ChooseServerTransport(o, "0.0.0.0", true);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE(t->insecure());
  o = {};
  o.insecure = true;
  t = ChooseServerTransport(o, "127.0.0.1", false);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE(t->insecure());
}

TEST_F(TransportTest, FlagsThatNeedOthersAreNamed) {
  TransportOptions o;
  o.tls_cert = certs_->Pem("server");
  EXPECT_EQ(ChooseServerTransport(o, "127.0.0.1", true).status().message(),
            "--tls_cert needs --tls_key");
  o = {};
  o.tls_key = certs_->Key("server");
  EXPECT_EQ(ChooseServerTransport(o, "127.0.0.1", true).status().message(),
            "--tls_key needs --tls_cert");
  o = {};
  o.tls_client_ca = certs_->Pem("ca");
  EXPECT_THAT(ChooseServerTransport(o, "127.0.0.1", true).status().message(),
              HasSubstr("--tls_client_ca needs --tls_cert and --tls_key"));
}

TEST_F(TransportTest, UnreadableFilesNameTheFlagAndFile) {
  const std::string missing = certs_->dir() + "/missing.pem";
  TransportOptions o = Tls();
  o.tls_cert = missing;
  auto t = ChooseServerTransport(o, "127.0.0.1", true);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(),
              HasSubstr("--tls_cert: cannot read " + missing));
  o = Tls();
  o.tls_key = missing;
  EXPECT_THAT(ChooseServerTransport(o, "127.0.0.1", true).status().message(),
              HasSubstr("--tls_key: cannot read " + missing));
  o = Tls();
  o.tls_client_ca = missing;
  EXPECT_THAT(ChooseServerTransport(o, "127.0.0.1", true).status().message(),
              HasSubstr("--tls_client_ca: cannot read " + missing));
}

TEST_F(TransportTest, FilesOfTheWrongKindAreNamed) {
  TransportOptions o = Tls();
  o.tls_cert = certs_->Key("server");  // a key where a certificate belongs
  EXPECT_THAT(ChooseServerTransport(o, "127.0.0.1", true).status().message(),
              HasSubstr("--tls_cert: " + certs_->Key("server") +
                        " holds no PEM certificate"));
  o = Tls();
  o.tls_key = certs_->Pem("server");
  EXPECT_THAT(ChooseServerTransport(o, "127.0.0.1", true).status().message(),
              HasSubstr("--tls_key: " + certs_->Pem("server") +
                        " holds no PEM private key"));
  o = Tls();
  o.tls_client_ca = WriteFile("empty.pem", "");
  EXPECT_THAT(ChooseServerTransport(o, "127.0.0.1", true).status().message(),
              HasSubstr("--tls_client_ca: "));
}

TEST_F(TransportTest, CorruptCertificateAfterAGoodOneIsCaught) {
  TransportOptions o = Tls();
  o.tls_cert = WriteFile("corrupt.pem", ReadWholeFile(certs_->Pem("server")) +
                                            "-----BEGIN CERTIFICATE-----\n"
                                            "bm90IGEgY2VydGlmaWNhdGU=\n"
                                            "-----END CERTIFICATE-----\n");
  EXPECT_THAT(ChooseServerTransport(o, "127.0.0.1", true).status().message(),
              HasSubstr("holds a certificate that does not parse"));
}

TEST_F(TransportTest, KeyOfAnotherCertificateIsRefused) {
  TransportOptions o = Tls();
  o.tls_key = certs_->Key("ca");
  EXPECT_EQ(ChooseServerTransport(o, "127.0.0.1", true).status().message(),
            "--tls_key is not the private key of the certificate in "
            "--tls_cert");
}

TEST_F(TransportTest, ChainWithTheLeafFirstIsAccepted) {
  TransportOptions o = Tls();
  o.tls_cert = WriteFile("chain.pem", ReadWholeFile(certs_->Pem("server")) +
                                          ReadWholeFile(certs_->Pem("ca")));
  auto t = ChooseServerTransport(o, "127.0.0.1", true);
  EXPECT_TRUE(t.ok()) << t.status();
}

}  // namespace
}  // namespace retain::server
