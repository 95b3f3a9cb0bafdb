// retainctl against a retaind with authentication on: the operator makes a
// tenant and its admin key, the admin makes a reader key, the reader is
// refused a write with the role named, a revoked key stops working, and the
// audit trail shows it all.
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/clients/retainctl_runner.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {
namespace {

class RetainctlAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = RetaindProcess::Start({.auth = true});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    std::ifstream in(server_->data_dir() + "/operator.key");
    std::getline(in, operator_key_);
  }
  CtlResult Ctl(const std::string& key, std::vector<std::string> args) {
    std::vector<std::string> all = {"--server", server_->address()};
    if (!key.empty()) all.push_back("--token=" + key);
    all.insert(all.end(), args.begin(), args.end());
    return Retainctl(all);
  }
  // The secret from `keys create`'s output.
  static std::string Secret(const CtlResult& r) {
    const std::string marker = "secret (shown once): ";
    size_t at = r.out.find(marker);
    if (at == std::string::npos) return "";
    return r.out.substr(at + marker.size(), 4 + 12 + 1 + 43);
  }
  std::unique_ptr<RetaindProcess> server_;
  std::string operator_key_;
};

TEST_F(RetainctlAuthTest, TenantsKeysRolesAndTheAudit) {
  CtlResult r = Ctl("", {"accounts", "list"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(r.err, "no credentials")) << r;

  r = Ctl(operator_key_, {"tenants", "create", "acme-co"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(absl::StrContains(r.out, "created tenants/acme-co")) << r;
  r = Ctl(operator_key_,
          {"keys", "create", "--tenant", "acme-co", "--role", "admin"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string admin = Secret(r);
  ASSERT_EQ(admin.size(), 60u) << r;

  r = Ctl(admin, {"whoami"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(absl::StrContains(r.out, "tenants/acme-co")) << r;
  EXPECT_TRUE(absl::StrContains(r.out, "admin")) << r;

  r = Ctl(admin, {"keys", "create", "--role", "reader", "--name", "dash"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string reader = Secret(r);
  r = Ctl(reader, {"accounts", "create", "a1", "--name", "A1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(r.err, "needs role writer")) << r;
  EXPECT_EQ(Ctl(reader, {"accounts", "list"}).exit_code, 0);

  r = Ctl(admin, {"keys", "list", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_FALSE(absl::StrContains(r.out, reader.substr(17))) << "a secret";
  const size_t at =
      r.out.find("tenants/acme-co/apiKeys/" + reader.substr(4, 12));
  ASSERT_NE(at, std::string::npos) << r;
  r = Ctl(admin, {"keys", "revoke",
                  "tenants/acme-co/apiKeys/" + reader.substr(4, 12)});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = Ctl(reader, {"accounts", "list"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(r.err, "API key revoked")) << r;

  r = Ctl(admin, {"audit"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(absl::StrContains(r.out, "RevokeApiKey")) << r;
  EXPECT_TRUE(absl::StrContains(r.out, "CreateApiKey")) << r;
  r = Ctl(operator_key_, {"audit", "--failed-authentications"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(absl::StrContains(r.out, "key " + reader.substr(4, 12))) << r;
}

}  // namespace
}  // namespace retain::testing
