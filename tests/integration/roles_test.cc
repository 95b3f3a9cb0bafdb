// Every method of every service, core and plugin, called with every role
// (and with no key, and a revoked key): a role below the method's is
// PERMISSION_DENIED, one at or above it gets past authorization. Methods
// come from the protos' descriptors, so a new method missing from the role
// table fails here.
#include <grpcpp/generic/generic_stub.h>

#include <thread>
#include <vector>

#include "core/auth/method_roles.h"
#include "google/protobuf/descriptor.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"
#include "retain/plugins/onboarding/v1/onboarding.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"
#include "tests/integration/auth_fixture.h"

namespace retain::testing {
namespace {

using auth::v1::Role;

std::vector<std::string> AllMethods() {
  std::vector<std::string> out;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* service :
       {"retain.account.v1.AccountService", "retain.signal.v1.SignalService",
        "retain.report.v1.ReportService", "retain.plugin.v1.PluginService",
        "retain.auth.v1.AuthService", "retain.auth.v1.AuditService",
        "retain.plugins.onboarding.v1.OnboardingService"}) {
    const auto* s = pool->FindServiceByName(service);
    EXPECT_NE(s, nullptr) << service;
    if (s == nullptr) continue;
    for (int i = 0; i < s->method_count(); ++i) {
      out.push_back(absl::StrCat("/", service, "/", s->method(i)->name()));
    }
  }
  return out;
}

// Calls `method` with an empty request; the status, or OK for a watch that
// stays open (it was let in).
grpc::Status Call(grpc::GenericStub& stub, const std::string& method,
                  const std::string& key) {
  auto ctx = AuthTest::As(key, 3);
  grpc::ByteBuffer request, response;
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  grpc::Status result;
  absl::Mutex mu;
  bool done = false;
  stub.UnaryCall(ctx.get(), method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   absl::MutexLock lock(&mu);
                   result = s;
                   done = true;
                 });
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(&done));
  if (result.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return grpc::Status::OK;  // a server stream that was let in
  }
  return result;
}

class RolesTest : public AuthTest {};

TEST_F(RolesTest, EveryMethodAgainstEveryRole) {
  const std::vector<std::string> methods = AllMethods();
  ASSERT_GE(methods.size(), 28u);
  for (const auto& m : methods) {
    ASSERT_TRUE(auth::RequiredRole(m).has_value())
        << m << " has no role in core/auth/method_roles.cc";
  }
  std::map<Role, std::string> keys = {
      {auth::v1::ROLE_READER, CreateKey("default", auth::v1::ROLE_READER)},
      {auth::v1::ROLE_WRITER, CreateKey("default", auth::v1::ROLE_WRITER)},
      {auth::v1::ROLE_ADMIN, CreateKey("default", auth::v1::ROLE_ADMIN)},
      {auth::v1::ROLE_OPERATOR, operator_key_}};
  grpc::GenericStub stub(channel_);
  int denied = 0, allowed = 0;
  for (const auto& m : methods) {
    const Role need = *auth::RequiredRole(m);
    SCOPED_TRACE(m);
    grpc::Status anonymous = Call(stub, m, "");
    EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << anonymous.error_message();
    for (const auto& [role, key] : keys) {
      grpc::Status s = Call(stub, m, key);
      if (auth::Includes(role, need)) {
        ++allowed;
        EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << auth::RoleName(role) << ": " << s.error_message();
        EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
            << auth::RoleName(role) << ": " << s.error_message();
      } else {
        ++denied;
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << auth::RoleName(role) << ": " << s.error_message();
        EXPECT_NE(s.error_message().find("needs role " + auth::RoleName(need)),
                  std::string::npos)
            << s.error_message();
      }
    }
  }
  EXPECT_GT(denied, 0);
  EXPECT_GT(allowed, 0);
}

TEST_F(RolesTest, RevokedExpiredAndForgedKeysAreRefused) {
  const std::string reader = CreateKey("default", auth::v1::ROLE_READER);
  grpc::GenericStub stub(channel_);
  const std::string m = "/retain.account.v1.AccountService/ListAccounts";
  EXPECT_TRUE(Call(stub, m, reader).ok());
  // Same key id, another secret.
  std::string forged = reader;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(Call(stub, m, forged).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call(stub, m, "not-a-key").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  auto auth_stub = auth::v1::AuthService::NewStub(channel_);
  auth::v1::ListApiKeysResponse listed;
  ASSERT_TRUE(auth_stub
                  ->ListApiKeys(As(operator_key_).get(),
                                auth::v1::ListApiKeysRequest(), &listed)
                  .ok());
  std::string name;
  for (const auto& k : listed.api_keys()) {
    if (k.role() == auth::v1::ROLE_READER) name = k.name();
    // Secrets are never listed.
    EXPECT_EQ(k.SerializeAsString().find(reader.substr(17)), std::string::npos);
  }
  ASSERT_FALSE(name.empty());
  auth::v1::RevokeApiKeyRequest revoke;
  revoke.set_name(name);
  auth::v1::ApiKey revoked;
  ASSERT_TRUE(
      auth_stub->RevokeApiKey(As(operator_key_).get(), revoke, &revoked).ok());
  EXPECT_TRUE(revoked.has_revoke_time());
  grpc::Status after = Call(stub, m, reader);
  EXPECT_EQ(after.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(after.error_message(), "API key revoked");

  // A key that has expired.
  auth::v1::CreateApiKeyRequest req;
  req.mutable_api_key()->set_role(auth::v1::ROLE_READER);
  req.mutable_api_key()->mutable_expire_time()->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count() +
      2);
  auth::v1::CreateApiKeyResponse short_lived;
  ASSERT_TRUE(
      auth_stub->CreateApiKey(As(operator_key_).get(), req, &short_lived).ok());
  EXPECT_TRUE(Call(stub, m, short_lived.secret()).ok());
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(Call(stub, m, short_lived.secret()).error_message(),
            "API key expired");
}

TEST_F(RolesTest, NoOneHandsOutMoreThanTheyHave) {
  const std::string admin = CreateKey("default", auth::v1::ROLE_ADMIN);
  auto stub = auth::v1::AuthService::NewStub(channel_);
  auth::v1::CreateApiKeyRequest req;
  req.mutable_api_key()->set_role(auth::v1::ROLE_OPERATOR);
  auth::v1::CreateApiKeyResponse resp;
  grpc::Status s = stub->CreateApiKey(As(admin).get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(s.error_message().find("cannot create a key with role operator"),
            std::string::npos)
      << s.error_message();
  req.mutable_api_key()->set_role(auth::v1::ROLE_WRITER);
  EXPECT_TRUE(stub->CreateApiKey(As(admin).get(), req, &resp).ok());
  auth::v1::Caller caller;
  ASSERT_TRUE(stub->GetCaller(As(resp.secret()).get(),
                              auth::v1::GetCallerRequest(), &caller)
                  .ok());
  EXPECT_EQ(caller.tenant(), "tenants/default");
  EXPECT_EQ(caller.role(), auth::v1::ROLE_WRITER);
  EXPECT_EQ(caller.principal(), resp.api_key().name());
}

}  // namespace
}  // namespace retain::testing
