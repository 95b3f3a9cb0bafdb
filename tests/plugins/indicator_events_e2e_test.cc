// Leading indicators appearing and clearing, end to end: a real retaind
// with authentication on and the bundled playbooks plugin. Usage falling
// stores one health.indicator_appeared alert, its recovery one
// health.indicator_cleared; ListAlerts filters them by code and WatchHealth
// replays them; a playbook triggered by the indicator opens a task through
// the health-event feed; a restart raises none of them again; a churned
// account raises none at all.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/auth/v1/auth.grpc.pb.h"
#include "retain/plugins/playbooks/v1/playbooks.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {
namespace {

namespace pb = ::retain::plugins::playbooks::v1;
using google::protobuf::util::TimeUtil;

constexpr char kTenant[] = "northwind";
constexpr char kAppeared[] = "health.indicator_appeared";
constexpr char kCleared[] = "health.indicator_cleared";

std::string Bundled(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/",
                      std::getenv("TEST_WORKSPACE"), "/plugins/", name, "/lib",
                      name, ".so");
}

google::protobuf::Timestamp DaysAgo(double days) {
  return TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(absl::Now() - absl::Hours(24 * days)));
}

// Polls until true or 60 s pass (a bound for broken tests, not a timing
// assertion).
bool Eventually(const std::function<bool()>& cond) {
  const absl::Time end = absl::Now() + absl::Seconds(60);
  while (absl::Now() < end) {
    if (cond()) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return cond();
}

class IndicatorEventsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Start("");
    auth::v1::CreateTenantRequest tenant;
    tenant.set_tenant_id(kTenant);
    auth::v1::Tenant t;
    grpc::Status s = auth::v1::AuthService::NewStub(channel_)->CreateTenant(
        As(operator_key_).get(), tenant, &t);
    ASSERT_TRUE(s.ok()) << s.error_message();
    auth::v1::CreateApiKeyRequest req;
    req.set_parent(absl::StrCat("tenants/", kTenant));
    req.mutable_api_key()->set_role(auth::v1::ROLE_WRITER);
    req.mutable_api_key()->set_display_name("indicator events e2e");
    auth::v1::CreateApiKeyResponse resp;
    s = auth::v1::AuthService::NewStub(channel_)->CreateApiKey(
        As(operator_key_).get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    key_ = resp.secret();
  }

  void Start(const std::string& data_dir) {
    auto p = RetaindProcess::Start(
        {.data_dir = data_dir,
         .extra_flags = {"--plugins=" + Bundled("playbooks")},
         .auth = true});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    std::ifstream in(server_->data_dir() + "/operator.key");
    std::getline(in, operator_key_);
    ASSERT_FALSE(operator_key_.empty()) << "no bootstrap operator key";
  }

  static std::unique_ptr<grpc::ClientContext> As(const std::string& key) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(30));
    ctx->AddMetadata("authorization", "Bearer " + key);
    return ctx;
  }
  std::unique_ptr<grpc::ClientContext> Ctx() { return As(key_); }

  // 100 seats, a year in, never contacted (so engagement_drop holds too).
  std::string CreateAccount(const std::string& id) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    auto* a = req.mutable_account();
    a->set_display_name("Account " + id);
    a->set_arr(5000);
    a->set_licensed_seats(100);
    a->set_csm_owner("cara@example.com");
    *a->mutable_contract_start_time() = DaysAgo(300);
    *a->mutable_renewal_time() = DaysAgo(-3 * 365);
    a->set_lifecycle_stage(account::v1::LIFECYCLE_STAGE_ADOPTION);
    account::v1::Account out;
    grpc::Status s =
        account::v1::AccountService::NewStub(channel_)->CreateAccount(
            Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.name();
  }

  static signal::v1::Signal Usage(const std::string& id,
                                  const std::string& account, double days_ago,
                                  int active_users) {
    signal::v1::Signal s;
    s.set_signal_id(id);
    s.set_account(account);
    *s.mutable_occur_time() = DaysAgo(days_ago);
    s.mutable_usage()->set_active_users(active_users);
    s.mutable_usage()->set_window_days(7);
    return s;
  }

  // Acknowledged once the alerts the batch caused are stored (decision
  // 0020), so a listing right after sees them.
  void Record(std::vector<signal::v1::Signal> signals) {
    signal::v1::RecordSignalsRequest req;
    for (auto& s : signals) *req.add_signals() = std::move(s);
    signal::v1::RecordSignalsResponse resp;
    grpc::Status st =
        signal::v1::SignalService::NewStub(channel_)->RecordSignals(Ctx().get(),
                                                                    req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  std::vector<report::v1::HealthAlert> Alerts(const std::string& account,
                                              const std::string& code) {
    report::v1::ListAlertsRequest req;
    req.set_account(account);
    req.set_code(code);
    req.set_oldest_first(true);
    req.set_page_size(1000);
    report::v1::ListAlertsResponse resp;
    grpc::Status s = report::v1::ReportService::NewStub(channel_)->ListAlerts(
        Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.alerts().begin(), resp.alerts().end()};
  }

  // How many alerts of `code` name `indicator`.
  int Count(const std::string& account, const std::string& code,
            const std::string& indicator) {
    int n = 0;
    for (const auto& a : Alerts(account, code)) {
      EXPECT_EQ(a.source(), "core");
      EXPECT_EQ(a.leading_indicators_size(), 1);
      if (a.leading_indicators_size() > 0 &&
          a.leading_indicators(0).code() == indicator) {
        ++n;
      }
    }
    return n;
  }

  std::vector<pb::Task> Tasks(const std::string& account_id,
                              const std::string& playbook_id) {
    pb::ListTasksRequest req;
    req.set_account_id(account_id);
    req.set_playbook_id(playbook_id);
    pb::ListTasksResponse resp;
    grpc::Status s = pb::PlaybookService::NewStub(channel_)->ListTasks(
        Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.tasks().begin(), resp.tasks().end()};
  }

  std::unique_ptr<RetaindProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string operator_key_;
  std::string key_;
};

TEST_F(IndicatorEventsE2eTest, AppearsClearsOpensATaskAndRestartRepeatsNone) {
  // A playbook of the tenant's own on the indicator, through the API.
  pb::CreatePlaybookRequest create;
  pb::Playbook* p = create.mutable_playbook();
  p->set_playbook_id("usage_recovery");
  p->set_title("Usage recovery");
  p->mutable_trigger()->set_kind(pb::TRIGGER_KIND_INDICATOR_APPEARED);
  p->mutable_trigger()->set_indicator("usage_decline");
  p->mutable_task()->set_title("Find out why usage fell");
  p->mutable_task()->set_priority(pb::PRIORITY_HIGH);
  p->mutable_task()->mutable_owner()->set_kind(pb::OWNER_KIND_ACCOUNT_CSM);
  p->mutable_task()->set_due_days(7);
  pb::Playbook created;
  grpc::Status s = pb::PlaybookService::NewStub(channel_)->CreatePlaybook(
      Ctx().get(), create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();

  const std::string acme = CreateAccount("acme");
  // 80 active users 40 days ago, 30 now: down 62% against 30 days earlier.
  Record({Usage("u1", acme, 40, 80), Usage("u2", acme, 2, 30)});
  EXPECT_EQ(Count(acme, kAppeared, "usage_decline"), 1);
  EXPECT_EQ(Count(acme, kCleared, "usage_decline"), 0);
  // Never contacted in 300 days: that one holds from the first rescore.
  EXPECT_EQ(Count(acme, kAppeared, "engagement_drop"), 1);
  auto appeared = Alerts(acme, kAppeared);
  ASSERT_FALSE(appeared.empty());
  for (const auto& a : appeared) {
    if (a.leading_indicators(0).code() != "usage_decline") continue;
    EXPECT_EQ(a.severity(), "warning");
    EXPECT_NE(a.leading_indicators(0).description().find("active users down"),
              std::string::npos)
        << a.leading_indicators(0).description();
  }

  // The feed hands it to playbooks, which opens the playbook's task.
  ASSERT_TRUE(Eventually([&] {
    return Tasks("acme", "usage_recovery").size() == 1;
  })) << Tasks("acme", "usage_recovery").size()
      << " tasks";
  pb::Task task = Tasks("acme", "usage_recovery")[0];
  EXPECT_EQ(task.trigger_reason(), "leading indicator usage_decline appeared");
  EXPECT_EQ(task.owner(), "cara@example.com");

  // Usage back up: the indicator clears, engagement_drop stays.
  Record({Usage("u3", acme, 1, 85)});
  EXPECT_EQ(Count(acme, kCleared, "usage_decline"), 1);
  EXPECT_EQ(Count(acme, kAppeared, "usage_decline"), 1);
  EXPECT_EQ(Count(acme, kCleared, "engagement_drop"), 0);

  // WatchHealth replays them from the history, in position order.
  {
    report::v1::WatchHealthRequest watch;
    watch.set_after_position(0);
    auto ctx = Ctx();
    auto reader = report::v1::ReportService::NewStub(channel_)->WatchHealth(
        ctx.get(), watch);
    std::vector<std::string> seen;
    report::v1::HealthAlert a;
    while (reader->Read(&a)) {
      if (a.code() == kAppeared || a.code() == kCleared) {
        seen.push_back(
            absl::StrCat(a.code(), " ", a.leading_indicators(0).code()));
      }
      if (a.code() == kCleared) break;  // the last one stored
    }
    ctx->TryCancel();
    // engagement_drop held from the account's first rescore (its creation).
    EXPECT_EQ(seen, (std::vector<std::string>{
                        absl::StrCat(kAppeared, " engagement_drop"),
                        absl::StrCat(kAppeared, " usage_decline"),
                        absl::StrCat(kCleared, " usage_decline")}));
  }

  // A restart: the last sets come back from the history, so rescoring the
  // account (a new signal, the sweep) raises nothing again.
  const std::string dir = server_->data_dir();
  ASSERT_TRUE(server_->Stop().ok());
  Start(dir);
  Record({Usage("u4", acme, 0.5, 84)});
  EXPECT_EQ(Count(acme, kAppeared, "engagement_drop"), 1);
  EXPECT_EQ(Count(acme, kAppeared, "usage_decline"), 1);
  EXPECT_EQ(Count(acme, kCleared, "usage_decline"), 1);
  EXPECT_EQ(Alerts(acme, kAppeared).size(), 2u);
  EXPECT_EQ(Alerts(acme, kCleared).size(), 1u);
  // And falling again after the restart is news: a second appearance.
  Record({Usage("u5", acme, 0.25, 20)});
  EXPECT_EQ(Count(acme, kAppeared, "usage_decline"), 2);
  EXPECT_TRUE(Eventually([&] {
    return Tasks("acme", "usage_recovery")[0].triggers() == 2;
  })) << Tasks("acme", "usage_recovery")[0].DebugString();
}

TEST_F(IndicatorEventsE2eTest, ChurnedAccountRaisesNoIndicatorAlerts) {
  const std::string gone = CreateAccount("gone");
  // Before churning: never contacted, so engagement_drop holds.
  ASSERT_EQ(Count(gone, kAppeared, "engagement_drop"), 1);
  signal::v1::Signal churn;
  churn.set_signal_id("churn");
  churn.set_account(gone);
  *churn.mutable_occur_time() = DaysAgo(3);
  churn.mutable_commercial()->set_kind(signal::v1::COMMERCIAL_EVENT_KIND_CHURN);
  // Churned, then usage falls and a touchpoint ends engagement_drop: no
  // appearance, no clearing.
  signal::v1::Signal touch;
  touch.set_signal_id("g3");
  touch.set_account(gone);
  *touch.mutable_occur_time() = DaysAgo(1);
  touch.mutable_touchpoint()->set_channel(signal::v1::TOUCHPOINT_CHANNEL_CALL);
  Record({Usage("g1", gone, 40, 80), churn, Usage("g2", gone, 2, 30), touch});
  EXPECT_EQ(Alerts(gone, kAppeared).size(), 1u);
  EXPECT_TRUE(Alerts(gone, kCleared).empty());

  // A live account in the same tenant does raise them (the filter is the
  // churn, not the tenant).
  const std::string live = CreateAccount("live");
  Record({Usage("l1", live, 40, 80), Usage("l2", live, 2, 30)});
  EXPECT_EQ(Count(live, kAppeared, "usage_decline"), 1);
}

}  // namespace
}  // namespace retain::testing
