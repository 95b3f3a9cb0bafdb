// Who a client certificate names (core/server/peer_identity.h): the URI
// format on its own, then the whole path — a real TLS handshake against a
// small gRPC server built here with retaind's transport code, whose one
// generic method answers with the identity it read from its call.
#include "core/server/peer_identity.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/server/transport.h"
#include "gtest/gtest.h"
#include "tests/support/generic_unary.h"
#include "tests/support/test_certs.h"

namespace retain::server {
namespace {

using ::retain::testing::TestCerts;
using ::retain::testing::UnaryBytes;

TEST(ParseIdentityUriTest, EveryRole) {
  for (const char* role : {"reader", "writer", "admin", "operator"}) {
    auto id =
        ParseIdentityUri(absl::StrCat("retain://tenant/acme/role/", role));
    ASSERT_TRUE(id.has_value()) << role;
    EXPECT_EQ(id->tenant, "acme");
    EXPECT_EQ(id->role, role);
  }
}

TEST(ParseIdentityUriTest, TenantCharactersAndLength) {
  EXPECT_EQ(ParseIdentityUri("retain://tenant/acme_eu-2.prod/role/reader"),
            (CertIdentity{"acme_eu-2.prod", "reader"}));
  EXPECT_EQ(ParseIdentityUri("retain://tenant/7/role/reader"),
            (CertIdentity{"7", "reader"}));
  const std::string longest(63, 't');
  EXPECT_EQ(ParseIdentityUri(
                absl::StrCat("retain://tenant/", longest, "/role/admin")),
            (CertIdentity{longest, "admin"}));
  EXPECT_FALSE(ParseIdentityUri(
      absl::StrCat("retain://tenant/", longest, "t/role/admin")));
}

TEST(ParseIdentityUriTest, AnythingElseNamesNoOne) {
  for (const char* uri : {
           "",
           "retain://",
           "retain://tenant/acme",
           "retain://tenant/acme/role",
           "retain://tenant/acme/role/",
           "retain://tenant/acme/role/owner",
           "retain://tenant/acme/role/Admin",
           "retain://tenant//role/reader",
           "retain://tenant/acme/role/reader/",
           "retain://tenant/acme/role/reader/extra",
           "retain://tenant/acme/role/reader?x=1",
           "retain://tenant/acme/role/reader#frag",
           "retain://tenant/ac%20me/role/reader",
           "retain://tenant/ac me/role/reader",
           "retain://tenant/../role/admin",
           "retain://tenant/.acme/role/admin",
           "retain://tenant/-acme/role/admin",
           "retain://tenant/Acme/role/admin",
           "retain://tenants/acme/role/reader",
           "retain://role/reader/tenant/acme",
           "retain:tenant/acme/role/reader",
           "RETAIN://tenant/acme/role/reader",
           "https://tenant/acme/role/reader",
           "spiffe://acme/role/reader",
       }) {
    EXPECT_FALSE(ParseIdentityUri(uri).has_value()) << uri;
  }
}

// Answers every call with "tenant/role" of the caller's certificate, or
// "none".
class WhoAmI final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* ctx) override {
    std::optional<CertIdentity> id = PeerCertIdentity(*ctx);
    return new Reply(id ? absl::StrCat(id->tenant, "/", id->role) : "none");
  }

 private:
  class Reply final : public grpc::ServerGenericBidiReactor {
   public:
    explicit Reply(std::string text) : text_(std::move(text)) {
      StartRead(&request_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request"));
        return;
      }
      grpc::Slice slice(text_);
      response_ = grpc::ByteBuffer(&slice, 1);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }
    void OnDone() override { delete this; }

   private:
    std::string text_;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
  };
};

// A WhoAmI server on 127.0.0.1 with the credentials retaind would choose.
class WhoAmIServer {
 public:
  static std::unique_ptr<WhoAmIServer> Start(const TransportOptions& options) {
    auto transport = ChooseServerTransport(options, "127.0.0.1", true);
    EXPECT_TRUE(transport.ok()) << transport.status();
    if (!transport.ok()) return nullptr;
    auto s = std::unique_ptr<WhoAmIServer>(new WhoAmIServer());
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", transport->credentials, &s->port_);
    builder.RegisterCallbackGenericService(&s->service_);
    s->server_ = builder.BuildAndStart();
    EXPECT_NE(s->port_, 0);
    return s;
  }
  ~WhoAmIServer() { server_->Shutdown(); }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  WhoAmIServer() = default;
  WhoAmI service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

class PeerIdentityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto made = TestCerts::MakeWithClients();  // "writer" and "rogue" too
    ASSERT_TRUE(made.ok()) << made.status();
    certs_ = new TestCerts(*std::move(made));
    ASSERT_TRUE(certs_->MakeClient("no-san", {}).ok());
    ASSERT_TRUE(certs_
                    ->MakeClient("two", {"retain://tenant/acme/role/reader",
                                         "retain://tenant/acme/role/admin"})
                    .ok());
    ASSERT_TRUE(certs_
                    ->MakeClient("mixed", {"spiffe://example.org/billing",
                                           "retain://tenant/globex/role/reader",
                                           "https://billing.example.org/"})
                    .ok());
    ASSERT_TRUE(certs_->MakeClient("malformed", {"retain://tenant/acme"}).ok());
  }
  static void TearDownTestSuite() { delete certs_; }

  void SetUp() override {
    TransportOptions o;
    o.tls_cert = certs_->Pem("server");
    o.tls_key = certs_->Key("server");
    o.tls_client_ca = certs_->Pem("ca");
    server_ = WhoAmIServer::Start(o);
    ASSERT_NE(server_, nullptr);
  }

  // What the server read from a call made with `creds`.
  grpc::Status Ask(const std::shared_ptr<grpc::ChannelCredentials>& creds,
                   std::string* answer) {
    auto channel = grpc::CreateChannel(server_->address(), creds);
    return UnaryBytes(channel, "/test.WhoAmI/Ask", "?", answer);
  }
  std::string AskAs(const std::string& client) {
    std::string answer;
    grpc::Status s = Ask(certs_->ChannelCredentials("ca", client), &answer);
    EXPECT_TRUE(s.ok()) << client << ": " << s.error_message();
    return answer;
  }

  static TestCerts* certs_;
  std::unique_ptr<WhoAmIServer> server_;
};
TestCerts* PeerIdentityTest::certs_ = nullptr;

TEST_F(PeerIdentityTest, CertificateNamesTenantAndRole) {
  EXPECT_EQ(AskAs("writer"), "acme/writer");
}

TEST_F(PeerIdentityTest, OtherUriSansAreIgnored) {
  EXPECT_EQ(AskAs("mixed"), "globex/reader");
}

TEST_F(PeerIdentityTest, NoCertificateConnectsWithoutIdentity) {
  // The client CA asks for a certificate but does not require one: such a
  // caller must authenticate some other way (a token).
  EXPECT_EQ(AskAs(""), "none");
}

TEST_F(PeerIdentityTest, CertificateWithoutRetainSanNamesNoOne) {
  EXPECT_EQ(AskAs("no-san"), "none");
}

TEST_F(PeerIdentityTest, AmbiguousOrMalformedCertificateNamesNoOne) {
  EXPECT_EQ(AskAs("two"), "none");
  EXPECT_EQ(AskAs("malformed"), "none");
}

TEST_F(PeerIdentityTest, CertificateFromAnotherCaIsRefusedAtTheHandshake) {
  std::string answer;
  grpc::Status s = Ask(certs_->ChannelCredentials("ca", "rogue"), &answer);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_TRUE(answer.empty());
}

TEST_F(PeerIdentityTest, PlaintextCallHasNoIdentity) {
  auto plain = WhoAmIServer::Start({});
  ASSERT_NE(plain, nullptr);
  auto channel =
      grpc::CreateChannel(plain->address(), grpc::InsecureChannelCredentials());
  std::string answer;
  grpc::Status s = UnaryBytes(channel, "/test.WhoAmI/Ask", "?", &answer);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(answer, "none");
}

}  // namespace
}  // namespace retain::server
