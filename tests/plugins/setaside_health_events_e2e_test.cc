// End to end: a real retaind (authentication on) loads the health_feed
// fixture, told to fail every band change, and the bundled onboarding
// plugin, whose alerts are later events of the same feed. A band change
// fails the retry limit and is set aside while the later events are
// delivered; PluginService lists it as a health-event dead letter with its
// position and code (to its own tenant only), a retry that changes nothing
// fails again and keeps it, a drop forgets another, both survive a restart,
// and once the plugin no longer fails a retry delivers it and it leaves the
// list.
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/auth/v1/auth.grpc.pb.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {
namespace {

using plugin::v1::DeadLetter;
using plugin::v1::PluginService;

constexpr char kFeed[] = "/retain.plugins.health_feed.v1.HealthFeedService/";
constexpr char kBandChanged[] = "health.band_changed";

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

// Polls until true or 60 s pass (a bound for broken tests, not a timing
// assertion).
bool Eventually(const std::function<bool()>& cond) {
  absl::Time end = absl::Now() + absl::Seconds(60);
  while (absl::Now() < end) {
    if (cond()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return cond();
}

google::protobuf::Timestamp DaysAgo(double days) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(24 * days)));
  return ts;
}

class SetAsideHealthEventsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = RetaindProcess::MakeTempDir("setaside-data");
    Restart(true);
    std::ifstream in(data_dir_ + "/operator.key");
    std::getline(in, operator_);
    ASSERT_FALSE(operator_.empty());
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Stop().ok());
    }
  }
  // (Re)starts retaind on the same store; `failing`: the fixture fails
  // every band change.
  void Restart(bool failing) {
    if (server_) {
      ASSERT_TRUE(server_->Stop().ok());
    }
    const std::string config =
        RetaindProcess::MakeTempDir("setaside") + "/plugins.json";
    std::ofstream(config) << absl::StrCat(
        R"({"plugins": {"onboarding": {"tick_seconds": 0.05},
            "health_feed": {"signal_retry_limit": 2,
                            "signal_retry_backoff_ms": 1)",
        failing ? absl::StrCat(R"(, "config": {"fail_code": ")", kBandChanged,
                               R"("})")
                : "",
        "}}}");
    auto p = RetaindProcess::Start(
        {.data_dir = data_dir_,
         .extra_flags = {"--plugins=" +
                             Runfile("plugins/fixtures/libhealth_feed.so") +
                             "," +
                             Runfile("plugins/onboarding/libonboarding.so"),
                         "--plugin_config=" + config},
         .auth = true});
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
    req.mutable_api_key()->set_display_name("set-aside test");
    auth::v1::CreateApiKeyResponse resp;
    grpc::Status s = stub->CreateApiKey(As(operator_).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.secret();
  }

  // An account barely anyone of its 100 seats uses: its band turns red.
  void MakeRed(const std::string& id) {
    auto accounts = account::v1::AccountService::NewStub(channel_);
    account::v1::CreateAccountRequest create;
    create.set_account_id(id);
    auto* a = create.mutable_account();
    a->set_display_name("Red " + id);
    a->set_arr(5000);
    a->set_licensed_seats(100);
    *a->mutable_contract_start_time() = DaysAgo(300);
    a->set_lifecycle_stage(account::v1::LIFECYCLE_STAGE_ADOPTION);
    account::v1::Account account;
    grpc::Status s =
        accounts->CreateAccount(As(operator_).get(), create, &account);
    ASSERT_TRUE(s.ok()) << s.error_message();
    auto signals = signal::v1::SignalService::NewStub(channel_);
    signal::v1::RecordSignalsRequest req;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
        absl::StrCat("signal_id: '", id, "-u' account: 'accounts/", id,
                     "' occur_time { seconds: ", DaysAgo(2).seconds(),
                     " } usage { active_users: 3 }"),
        req.add_signals()));
    signal::v1::RecordSignalsResponse resp;
    s = signals->RecordSignals(As(operator_).get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // Signed 60 days ago and still onboarding: the onboarding plugin raises
  // its overdue milestones, alerts that are not band changes.
  void MakeOverdue(const std::string& id) {
    auto accounts = account::v1::AccountService::NewStub(channel_);
    account::v1::CreateAccountRequest create;
    create.set_account_id(id);
    auto* a = create.mutable_account();
    a->set_display_name("Overdue " + id);
    a->set_arr(30000);
    a->set_licensed_seats(20);
    *a->mutable_contract_start_time() = DaysAgo(60);
    a->set_lifecycle_stage(account::v1::LIFECYCLE_STAGE_ONBOARDING);
    account::v1::Account account;
    grpc::Status s =
        accounts->CreateAccount(As(operator_).get(), create, &account);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // The position of the account's band change to red; 0 until stored.
  int64_t BandChangePosition(const std::string& id) {
    auto reports = report::v1::ReportService::NewStub(channel_);
    report::v1::ListAlertsRequest req;
    req.set_account("accounts/" + id);
    req.set_code(kBandChanged);
    report::v1::ListAlertsResponse resp;
    if (!reports->ListAlerts(As(operator_).get(), req, &resp).ok()) return 0;
    for (const auto& a : resp.alerts()) {
      if (a.band() == account::v1::HEALTH_BAND_RED) return a.position();
    }
    return 0;
  }

  // The fixture's log of deliveries in the default tenant: "<position>
  // <kind> <account> <source> <code>" each.
  std::vector<std::string> Delivered() {
    grpc::GenericStub stub(channel_);
    auto ctx = As(operator_);
    grpc::Slice empty("");
    grpc::ByteBuffer req(&empty, 1), resp;
    absl::Notification done;
    grpc::Status status;
    stub.UnaryCall(ctx.get(), absl::StrCat(kFeed, "ListEvents"),
                   grpc::StubOptions(), &req, &resp, [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<grpc::Slice> slices;
    (void)resp.Dump(&slices);
    std::string out;
    for (auto& sl : slices) {
      out.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    }
    return absl::StrSplit(out, '\n', absl::SkipEmpty());
  }
  bool WasDelivered(int64_t position) {
    for (const auto& line : Delivered()) {
      if (absl::StartsWith(line, absl::StrCat(position, " "))) return true;
    }
    return false;
  }

  grpc::Status List(const std::string& key, plugin::v1::DeadLetterFeed feed,
                    std::vector<DeadLetter>* out,
                    const std::string& tenant = "") {
    plugin::v1::ListDeadLettersRequest req;
    req.set_name("health_feed");
    req.set_tenant(tenant);
    req.set_feed(feed);
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
  // The listed health events' positions, as `key` sees them.
  std::vector<int64_t> SetAside(const std::string& key) {
    std::vector<DeadLetter> letters;
    grpc::Status s =
        List(key, plugin::v1::DEAD_LETTER_FEED_HEALTH_EVENT, &letters);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<int64_t> out;
    for (const auto& d : letters) out.push_back(d.seq());
    return out;
  }
  // Whether `key` sees the health event at `position` set aside. (Other
  // accounts' band changes may be set aside too: every one fails.)
  bool Listed(const std::string& key, int64_t position) {
    for (int64_t p : SetAside(key)) {
      if (p == position) return true;
    }
    return false;
  }
  grpc::Status Retry(const std::string& tenant, std::vector<int64_t> seqs,
                     plugin::v1::RetryDeadLettersResponse* resp) {
    plugin::v1::RetryDeadLettersRequest req;
    req.set_name("health_feed");
    req.set_tenant(tenant);
    req.set_feed(plugin::v1::DEAD_LETTER_FEED_HEALTH_EVENT);
    for (int64_t seq : seqs) req.add_seqs(seq);
    return plugins_->RetryDeadLetters(As(operator_).get(), req, resp);
  }

  std::string data_dir_;
  std::unique_ptr<RetaindProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<PluginService::Stub> plugins_;
  std::string operator_;
};

TEST_F(SetAsideHealthEventsE2eTest, ListedRetriedDroppedAndTenantIsolated) {
  auto auth = auth::v1::AuthService::NewStub(channel_);
  auth::v1::CreateTenantRequest beta;
  beta.set_tenant_id("beta");
  auth::v1::Tenant created;
  ASSERT_TRUE(auth->CreateTenant(As(operator_).get(), beta, &created).ok());
  const std::string reader = Key("default", auth::v1::ROLE_READER);
  const std::string admin = Key("default", auth::v1::ROLE_ADMIN);
  const std::string beta_admin = Key("beta", auth::v1::ROLE_ADMIN);

  MakeRed("poison");
  int64_t kept = 0;
  ASSERT_TRUE(
      Eventually([&] { return (kept = BandChangePosition("poison")); }));
  ASSERT_TRUE(Eventually([&] { return Listed(reader, kept); }))
      << absl::StrJoin(SetAside(reader), ",");
  // Later events of the feed are delivered all the same.
  MakeOverdue("quiet");
  ASSERT_TRUE(Eventually([&] {
    for (const auto& line : Delivered()) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ');
      int64_t position = 0;
      if (parts.size() == 5 && parts[3] == "onboarding" &&
          absl::SimpleAtoi(parts[0], &position) && position > kept) {
        return true;
      }
    }
    return false;
  })) << absl::StrJoin(Delivered(), " | ");
  EXPECT_FALSE(WasDelivered(kept));

  // Listed with its feed, position and code; in the unfiltered list too,
  // and not among the signals.
  std::vector<DeadLetter> letters;
  ASSERT_TRUE(
      List(operator_, plugin::v1::DEAD_LETTER_FEED_UNSPECIFIED, &letters).ok());
  const DeadLetter* poison = nullptr;
  for (const auto& d : letters) {
    EXPECT_EQ(d.feed(), plugin::v1::DEAD_LETTER_FEED_HEALTH_EVENT);
    EXPECT_EQ(d.alert_code(), kBandChanged);
    EXPECT_EQ(d.alert_position(), d.seq());
    if (d.seq() == kept) poison = &d;
  }
  ASSERT_NE(poison, nullptr);
  EXPECT_EQ(poison->tenant(), "tenants/default");
  EXPECT_EQ(poison->account(), "accounts/poison");
  EXPECT_EQ(poison->attempts(), 2);
  EXPECT_EQ(poison->last_error(), "told to fail");  // an operator's view
  ASSERT_TRUE(List(reader, plugin::v1::DEAD_LETTER_FEED_SIGNAL, &letters).ok());
  EXPECT_TRUE(letters.empty());
  ASSERT_TRUE(
      List(reader, plugin::v1::DEAD_LETTER_FEED_HEALTH_EVENT, &letters).ok());
  ASSERT_FALSE(letters.empty());
  for (const auto& d : letters) {
    EXPECT_TRUE(d.last_error().empty());  // not an operator
  }

  // Another tenant sees none and reaches none.
  EXPECT_TRUE(SetAside(beta_admin).empty());
  EXPECT_EQ(List(beta_admin, plugin::v1::DEAD_LETTER_FEED_HEALTH_EVENT,
                 &letters, "tenants/default")
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  plugin::v1::DropDeadLettersRequest drop;
  drop.set_name("health_feed");
  drop.set_feed(plugin::v1::DEAD_LETTER_FEED_HEALTH_EVENT);
  drop.add_seqs(kept);
  plugin::v1::DropDeadLettersResponse dropped;
  EXPECT_EQ(plugins_->DropDeadLetters(As(beta_admin).get(), drop, &dropped)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Positions are per tenant: naming one needs a tenant.
  plugin::v1::RetryDeadLettersResponse retried;
  grpc::Status s = Retry("", {kept}, &retried);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(s.error_message(), "tenant:"))
      << s.error_message();
  // A retry that changes nothing fails again; the event stays listed.
  s = Retry("tenants/default", {kept}, &retried);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(retried.failed_size(), 1);
  EXPECT_EQ(retried.failed(0).seq(), kept);
  EXPECT_EQ(retried.failed(0).attempts(), 3);
  EXPECT_EQ(retried.failed(0).feed(),
            plugin::v1::DEAD_LETTER_FEED_HEALTH_EVENT);
  EXPECT_TRUE(retried.delivered().empty());
  EXPECT_TRUE(Listed(reader, kept));

  // A second one, dropped by its tenant's admin.
  MakeRed("dropme");
  int64_t gone = 0;
  ASSERT_TRUE(
      Eventually([&] { return (gone = BandChangePosition("dropme")); }));
  ASSERT_TRUE(Eventually([&] { return Listed(reader, gone); }));
  drop.set_seqs(0, gone);
  ASSERT_TRUE(plugins_->DropDeadLetters(As(admin).get(), drop, &dropped).ok());
  EXPECT_EQ(dropped.dropped(), 1);
  EXPECT_FALSE(Listed(reader, gone));
  EXPECT_TRUE(Listed(reader, kept));

  // Across a restart, with the plugin no longer failing: the record is
  // still there, and not delivered behind the operator's back.
  Restart(false);
  EXPECT_TRUE(Listed(operator_, kept));
  EXPECT_FALSE(Listed(operator_, gone));
  EXPECT_FALSE(WasDelivered(kept));
  // Now a retry delivers it, and it leaves the list; the dropped one is
  // never delivered.
  retried.Clear();
  s = Retry("tenants/default", {kept}, &retried);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(std::vector<int64_t>(retried.delivered().begin(),
                                 retried.delivered().end()),
            std::vector<int64_t>{kept});
  EXPECT_TRUE(retried.failed().empty());
  EXPECT_FALSE(Listed(operator_, kept));
  EXPECT_TRUE(WasDelivered(kept));
  EXPECT_FALSE(WasDelivered(gone));
}

}  // namespace
}  // namespace retain::testing
