// End to end: a real retaind (authentication on) loads the poison-signal
// fixture from its .so. A signal the plugin always fails becomes a dead
// letter after the retry limit while later signals are delivered; the
// PluginService lists it (per tenant; the error for operators only), drops
// it, keeps it across a restart, and retries it once the plugin handles it.
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/auth/v1/auth.grpc.pb.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {
namespace {

using plugin::v1::DeadLetter;
using plugin::v1::PluginService;

constexpr char kPoisonService[] =
    "/retain.plugins.poison_signal.v1.PoisonService/";

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/", ws ? ws : "retain", "/",
                      path);
}

std::unique_ptr<grpc::ClientContext> As(const std::string& key) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  ctx->AddMetadata("authorization", "Bearer " + key);
  return ctx;
}

bool Eventually(const std::function<bool()>& cond) {
  absl::Time end = absl::Now() + absl::Seconds(60);
  while (absl::Now() < end) {
    if (cond()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return cond();
}

class DeadLettersE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = RetaindProcess::MakeTempDir("dead-letters-data");
    const std::string config =
        RetaindProcess::MakeTempDir("dead-letters") + "/plugins.json";
    std::ofstream(config) << R"({"plugins": {"poison_signal": {
        "signal_retry_limit": 3, "signal_retry_backoff_ms": 1}}})";
    flags_ = {"--plugins=" + Runfile("plugins/fixtures/libpoison_signal.so"),
              "--plugin_config=" + config};
    Restart();
    std::ifstream in(data_dir_ + "/operator.key");
    std::getline(in, operator_);
    ASSERT_FALSE(operator_.empty());
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Stop().ok());
    }
  }
  void Restart() {
    if (server_) {
      ASSERT_TRUE(server_->Stop().ok());
    }
    auto p = RetaindProcess::Start(
        {.data_dir = data_dir_, .extra_flags = flags_, .auth = true});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    plugins_ = PluginService::NewStub(channel_);
  }

  std::string Key(const std::string& tenant, auth::v1::Role role) {
    auto stub = auth::v1::AuthService::NewStub(channel_);
    auth::v1::CreateApiKeyRequest req;
    req.set_parent("tenants/" + tenant);
    req.mutable_api_key()->set_role(role);
    req.mutable_api_key()->set_display_name("dead letters test");
    auth::v1::CreateApiKeyResponse resp;
    grpc::Status s = stub->CreateApiKey(As(operator_).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.secret();
  }
  void AccountWithUsage(const std::string& key,
                        const std::vector<std::string>& signal_ids) {
    auto accounts = account::v1::AccountService::NewStub(channel_);
    account::v1::CreateAccountRequest create;
    create.set_account_id("acme");
    create.mutable_account()->set_display_name("Acme");
    create.mutable_account()->set_arr(1000);
    create.mutable_account()->set_licensed_seats(10);
    account::v1::Account account;
    grpc::Status s = accounts->CreateAccount(As(key).get(), create, &account);
    ASSERT_TRUE(s.ok()) << s.error_message();
    auto signals = signal::v1::SignalService::NewStub(channel_);
    signal::v1::RecordSignalsRequest req;
    for (const auto& id : signal_ids) {
      ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
          absl::StrCat(
              "signal_id: '", id, "' account: 'accounts/acme' ",
              "occur_time { seconds: ", absl::ToUnixSeconds(absl::Now()) - 60,
              " } usage { active_users: 3 }"),
          req.add_signals()));
    }
    signal::v1::RecordSignalsResponse resp;
    s = signals->RecordSignals(As(key).get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // A fixture method's answer, as `key` ("error: ..." on failure).
  std::string Poison(const std::string& method, const std::string& key) {
    grpc::GenericStub stub(channel_);
    auto ctx = As(key);
    grpc::Slice empty("");
    grpc::ByteBuffer req(&empty, 1), resp;
    absl::Notification done;
    grpc::Status status;
    stub.UnaryCall(ctx.get(), absl::StrCat(kPoisonService, method),
                   grpc::StubOptions(), &req, &resp, [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    if (!status.ok()) return "error: " + status.error_message();
    std::vector<grpc::Slice> slices;
    (void)resp.Dump(&slices);
    std::string out;
    for (auto& sl : slices) {
      out.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    }
    return out;
  }
  grpc::Status List(const std::string& key, const std::string& tenant,
                    std::vector<DeadLetter>* out) {
    plugin::v1::ListDeadLettersRequest req;
    req.set_name("poison_signal");
    req.set_tenant(tenant);
    req.set_page_size(1);  // every dead letter its own page
    out->clear();
    do {
      plugin::v1::ListDeadLettersResponse resp;
      grpc::Status s = plugins_->ListDeadLetters(As(key).get(), req, &resp);
      if (!s.ok()) return s;
      out->insert(out->end(), resp.dead_letters().begin(),
                  resp.dead_letters().end());
      req.set_page_token(resp.next_page_token());
    } while (!req.page_token().empty());
    return grpc::Status::OK;
  }
  std::vector<std::string> Ids(const std::string& key,
                               const std::string& tenant = "") {
    std::vector<DeadLetter> letters;
    grpc::Status s = List(key, tenant, &letters);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const auto& d : letters) ids.push_back(d.signal_id());
    return ids;
  }

  std::string data_dir_;
  std::vector<std::string> flags_;
  std::unique_ptr<RetaindProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<PluginService::Stub> plugins_;
  std::string operator_;
};

TEST_F(DeadLettersE2eTest, PoisonSignalIsSetAsideListedDroppedAndRetried) {
  auto create = auth::v1::AuthService::NewStub(channel_);
  auth::v1::CreateTenantRequest tenant;
  tenant.set_tenant_id("beta");
  auth::v1::Tenant created;
  ASSERT_TRUE(create->CreateTenant(As(operator_).get(), tenant, &created).ok());
  const std::string reader = Key("default", auth::v1::ROLE_READER);
  const std::string beta_admin = Key("beta", auth::v1::ROLE_ADMIN);

  AccountWithUsage(operator_, {"u1", "poison-a", "u2"});
  AccountWithUsage(beta_admin, {"poison-b", "b1"});
  ASSERT_TRUE(Eventually([&] { return Ids(operator_).size() == 2; }));
  // Later signals were delivered, each tenant's own.
  ASSERT_TRUE(Eventually([&] { return Poison("Seen", operator_) == "u1,u2"; }))
      << Poison("Seen", operator_);
  ASSERT_TRUE(Eventually([&] { return Poison("Seen", beta_admin) == "b1"; }));
  EXPECT_EQ(Poison("Attempts", operator_), "poison-a=3,poison-b=3");

  // The operator sees every tenant's, with the plugin's error.
  std::vector<DeadLetter> all;
  ASSERT_TRUE(List(operator_, "", &all).ok());
  ASSERT_EQ(all.size(), 2u);
  for (const auto& d : all) {
    EXPECT_EQ(d.attempts(), 3) << d.ShortDebugString();
    EXPECT_EQ(d.last_error(),
              absl::StrCat("poison signal ", d.signal_id(), " (fixture)"));
    EXPECT_EQ(d.account(), "accounts/acme");
    EXPECT_GT(d.seq(), 0);
  }
  const DeadLetter a = all[0].signal_id() == "poison-a" ? all[0] : all[1];
  const DeadLetter b = all[0].signal_id() == "poison-a" ? all[1] : all[0];
  EXPECT_EQ(a.tenant(), "tenants/default");
  EXPECT_EQ(b.tenant(), "tenants/beta");
  EXPECT_EQ(Ids(operator_, "tenants/beta"),
            std::vector<std::string>{"poison-b"});

  // A tenant's reader sees its own, without the plugin's text.
  std::vector<DeadLetter> own;
  ASSERT_TRUE(List(reader, "", &own).ok());
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0].signal_id(), "poison-a");
  EXPECT_EQ(own[0].last_error(), "");
  EXPECT_FALSE(own[0].last_error_id().empty());
  EXPECT_EQ(List(beta_admin, "tenants/default", &own).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(List(reader, "default", &own).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  plugin::v1::GetPluginRequest get;
  get.set_name("poison_signal");
  plugin::v1::Plugin info;
  // Counted just after the dead letter is stored.
  EXPECT_TRUE(Eventually([&] {
    return plugins_->GetPlugin(As(operator_).get(), get, &info).ok() &&
           info.counters().signals_dead_lettered() == 2;
  })) << info.ShortDebugString();
  EXPECT_EQ(info.state(), plugin::v1::PLUGIN_STATE_READY);

  // Retrying runs the plugin every tenant shares: operators only. A
  // tenant's admin drops its own dead letters, and only those.
  plugin::v1::RetryDeadLettersRequest retry;
  retry.set_name("poison_signal");
  retry.set_all(true);
  plugin::v1::RetryDeadLettersResponse retried;
  EXPECT_EQ(plugins_->RetryDeadLetters(As(beta_admin).get(), retry, &retried)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  plugin::v1::DropDeadLettersRequest drop;
  drop.set_name("poison_signal");
  drop.add_seqs(a.seq());
  plugin::v1::DropDeadLettersResponse dropped;
  EXPECT_EQ(plugins_->DropDeadLetters(As(beta_admin).get(), drop, &dropped)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  drop.set_all(true);
  EXPECT_EQ(plugins_->DropDeadLetters(As(beta_admin).get(), drop, &dropped)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  drop.clear_seqs();
  ASSERT_TRUE(
      plugins_->DropDeadLetters(As(beta_admin).get(), drop, &dropped).ok());
  EXPECT_EQ(dropped.dropped(), 1);
  EXPECT_EQ(Ids(operator_), std::vector<std::string>{"poison-a"});

  // Restarted on the same store: the dead letter is still there and
  // nothing already dealt with is delivered again.
  Restart();
  EXPECT_EQ(Ids(operator_), std::vector<std::string>{"poison-a"});
  EXPECT_EQ(Poison("Attempts", operator_), "");
  EXPECT_EQ(Poison("Seen", operator_), "u1,u2");

  // Still poisoned: a retry fails and it stays, one attempt more.
  ASSERT_TRUE(
      plugins_->RetryDeadLetters(As(operator_).get(), retry, &retried).ok());
  ASSERT_EQ(retried.failed_size(), 1);
  EXPECT_EQ(retried.failed(0).attempts(), 4);
  EXPECT_EQ(retried.delivered_size(), 0);

  // Once the plugin handles it, a retry by seq delivers it.
  EXPECT_EQ(Poison("Heal", operator_), "");
  retry.set_all(false);
  retry.add_seqs(a.seq());
  ASSERT_TRUE(
      plugins_->RetryDeadLetters(As(operator_).get(), retry, &retried).ok());
  ASSERT_EQ(retried.delivered_size(), 1);
  EXPECT_EQ(retried.delivered(0), a.seq());
  EXPECT_TRUE(Ids(operator_).empty());
  EXPECT_EQ(Poison("Seen", operator_), "u1,u2,poison-a");
}

}  // namespace
}  // namespace retain::testing
