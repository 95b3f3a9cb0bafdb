// A real retaind with authentication on, the bundled onboarding plugin, and
// helpers to make tenants and keys with the bootstrap operator key.
#ifndef RETAIN_TESTS_INTEGRATION_AUTH_FIXTURE_H_
#define RETAIN_TESTS_INTEGRATION_AUTH_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "retain/auth/v1/audit.grpc.pb.h"
#include "retain/auth/v1/auth.grpc.pb.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {

inline std::string OnboardingPlugin() {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/",
                      std::getenv("TEST_WORKSPACE"),
                      "/plugins/onboarding/libonboarding.so");
}

class AuthTest : public ::testing::Test {
 protected:
  // More flags for retaind.
  virtual std::vector<std::string> ExtraFlags() { return {}; }

  void SetUp() override {
    std::vector<std::string> flags = ExtraFlags();
    flags.push_back("--plugins=" + OnboardingPlugin());
    auto p = RetaindProcess::Start({.extra_flags = flags, .auth = true});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    std::ifstream in(server_->data_dir() + "/operator.key");
    std::getline(in, operator_key_);
    ASSERT_FALSE(operator_key_.empty()) << "no bootstrap operator key";
  }

  void TearDown() override {}

 public:
  // A context carrying `key` (none when empty).
  static std::unique_ptr<grpc::ClientContext> As(const std::string& key,
                                                 int seconds = 30) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(seconds));
    if (!key.empty()) ctx->AddMetadata("authorization", "Bearer " + key);
    return ctx;
  }

 protected:
  void CreateTenant(const std::string& id) {
    auto stub = auth::v1::AuthService::NewStub(channel_);
    auth::v1::CreateTenantRequest req;
    req.set_tenant_id(id);
    auth::v1::Tenant t;
    grpc::Status s = stub->CreateTenant(As(operator_key_).get(), req, &t);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // A new key's secret; as the operator unless `by` is given.
  std::string CreateKey(const std::string& tenant, auth::v1::Role role,
                        const std::string& by = "") {
    auto stub = auth::v1::AuthService::NewStub(channel_);
    auth::v1::CreateApiKeyRequest req;
    req.set_parent("tenants/" + tenant);
    req.mutable_api_key()->set_role(role);
    req.mutable_api_key()->set_display_name("test key");
    auth::v1::CreateApiKeyResponse resp;
    grpc::Status s = stub->CreateApiKey(
        As(by.empty() ? operator_key_ : by).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.secret();
  }

  std::unique_ptr<RetaindProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string operator_key_;
};

}  // namespace retain::testing

#endif  // RETAIN_TESTS_INTEGRATION_AUTH_FIXTURE_H_
