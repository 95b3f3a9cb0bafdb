// The alert history against a real retaind with authentication on and the
// bundled onboarding plugin: band changes and plugin alerts are listed with
// filters and survive a restart, another tenant sees none of them, a watch
// that resumes from a position replays what it missed and then continues
// live with no gap and no duplicate, and the retention prunes (a resume
// from behind it is OUT_OF_RANGE).
#include <fstream>
#include <functional>

#include "absl/strings/match.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"
#include "tests/integration/auth_fixture.h"

namespace retain::testing {
namespace {

using report::v1::HealthAlert;
using report::v1::ListAlertsRequest;
using report::v1::ListAlertsResponse;

google::protobuf::Timestamp DaysAgo(int days) {
  google::protobuf::Timestamp t;
  t.set_seconds(std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count() -
                int64_t{86400} * days);
  return t;
}

class AlertHistoryTest : public AuthTest {
 protected:
  std::vector<std::string> ExtraFlags() override {
    // The onboarding plugin checks for overdue milestones every 50 ms.
    const std::string config =
        RetaindProcess::MakeTempDir("plugin-config") + "/plugins.json";
    std::ofstream(config)
        << R"({"plugins": {"onboarding": {"tick_seconds": 0.05}}})";
    flags_ = {"--plugin_config=" + config};
    for (const auto& f : MoreFlags()) flags_.push_back(f);
    return flags_;
  }
  virtual std::vector<std::string> MoreFlags() { return {}; }

  void SetUp() override {
    AuthTest::SetUp();
    Connect();
  }
  void Connect() {
    accounts_ = account::v1::AccountService::NewStub(channel_);
    reports_ = report::v1::ReportService::NewStub(channel_);
  }
  // Stops retaind and starts it again on the same store.
  void Restart() {
    const std::string dir = server_->data_dir();
    ASSERT_TRUE(server_->Stop().ok());
    std::vector<std::string> flags = flags_;
    flags.push_back("--plugins=" + OnboardingPlugin());
    auto p = RetaindProcess::Start(
        {.data_dir = dir, .extra_flags = flags, .auth = true});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    Connect();
  }

  void Create(const std::string& id, bool onboarding = false,
              const std::string& key = "") {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    auto* a = req.mutable_account();
    a->set_display_name("Account " + id);
    a->set_arr(30000);
    a->set_licensed_seats(20);
    // Signed 60 days ago: an onboarding plan's early milestones are overdue.
    *a->mutable_contract_start_time() = DaysAgo(60);
    if (onboarding) {
      a->set_lifecycle_stage(account::v1::LIFECYCLE_STAGE_ONBOARDING);
    }
    account::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(
        As(key.empty() ? operator_key_ : key).get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  grpc::Status List(const ListAlertsRequest& req, ListAlertsResponse* resp,
                    const std::string& key = "") {
    return reports_->ListAlerts(As(key.empty() ? operator_key_ : key).get(),
                                req, resp);
  }
  // Lists until `done` holds of the response (alerts are stored by the
  // writer's next commit, just after the change that raised them).
  ListAlertsResponse ListUntil(
      const ListAlertsRequest& req,
      const std::function<bool(const ListAlertsResponse&)>& done) {
    ListAlertsResponse resp;
    for (int i = 0; i < 600; ++i) {
      resp.Clear();
      grpc::Status s = List(req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok() || done(resp)) return resp;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "gave up waiting; last page: " << resp.ShortDebugString();
    return resp;
  }

  std::vector<std::string> flags_;
  std::unique_ptr<account::v1::AccountService::Stub> accounts_;
  std::unique_ptr<report::v1::ReportService::Stub> reports_;
};

TEST_F(AlertHistoryTest, ListedWithFiltersKeptAcrossARestartPerTenant) {
  Create("steady");
  Create("quiet", /*onboarding=*/true);
  ListAlertsRequest overdue;
  overdue.set_source("onboarding");
  overdue.set_code("onboarding.milestone_overdue");
  ListAlertsResponse plugin = ListUntil(
      overdue, [](const ListAlertsResponse& r) { return r.alerts_size() > 0; });
  ASSERT_GT(plugin.alerts_size(), 0);
  for (const HealthAlert& a : plugin.alerts()) {
    EXPECT_EQ(a.account(), "accounts/quiet");
    EXPECT_EQ(a.severity(), "warning");
    EXPECT_GT(a.position(), 0);
  }

  ListAlertsRequest band;
  band.set_source("core");
  band.set_code("health.band_changed");
  band.set_oldest_first(true);
  ListAlertsResponse bands = ListUntil(
      band, [](const ListAlertsResponse& r) { return r.alerts_size() >= 2; });
  ASSERT_EQ(bands.alerts_size(), 2);
  EXPECT_EQ(bands.alerts(0).account(), "accounts/steady");
  EXPECT_EQ(bands.alerts(1).account(), "accounts/quiet");
  EXPECT_LT(bands.alerts(0).position(), bands.alerts(1).position());
  // Its band change; never contacted in 60 days, it also has an
  // engagement_drop indicator alert (decision 0026).
  ListAlertsRequest one;
  one.set_account("accounts/steady");
  one.set_code("health.band_changed");
  ListAlertsResponse steady;
  ASSERT_TRUE(List(one, &steady).ok());
  ASSERT_EQ(steady.alerts_size(), 1);
  EXPECT_EQ(steady.alerts(0).SerializeAsString(),
            bands.alerts(0).SerializeAsString());

  ListAlertsRequest all;
  all.set_oldest_first(true);
  all.set_page_size(1000);
  ListAlertsResponse before;
  ASSERT_TRUE(List(all, &before).ok());
  ASSERT_GE(before.alerts_size(), 2 + plugin.alerts_size());

  // A bad filter names its field and rule.
  ListAlertsRequest bad;
  bad.set_severity("urgent");
  ListAlertsResponse ignored;
  grpc::Status refused = List(bad, &ignored);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(refused.error_message(), "severity: must be"))
      << refused.error_message();

  // Another tenant sees none of it, and its positions are its own.
  CreateTenant("other");
  const std::string other = CreateKey("other", auth::v1::ROLE_READER);
  ListAlertsResponse theirs;
  ASSERT_TRUE(List(all, &theirs, other).ok());
  EXPECT_EQ(theirs.alerts_size(), 0);
  EXPECT_EQ(theirs.newest_position(), 0);

  Restart();
  ListAlertsResponse after;
  ASSERT_TRUE(List(all, &after).ok());
  ASSERT_GE(after.alerts_size(), before.alerts_size());
  for (int i = 0; i < before.alerts_size(); ++i) {
    EXPECT_EQ(after.alerts(i).SerializeAsString(),
              before.alerts(i).SerializeAsString())
        << i;
  }
  ASSERT_TRUE(List(all, &theirs, other).ok());
  EXPECT_EQ(theirs.alerts_size(), 0);
}

TEST_F(AlertHistoryTest, AResumedWatchReplaysWhatItMissedThenGoesLive) {
  Create("first");
  ListAlertsRequest all;
  ListAlertsResponse seen = ListUntil(
      all, [](const ListAlertsResponse& r) { return r.alerts_size() >= 1; });
  const int64_t last_seen = seen.newest_position();
  ASSERT_GT(last_seen, 0);

  // While nobody watches.
  Create("missed-1");
  Create("missed-2");
  ListAlertsRequest since;
  since.set_after_position(last_seen);
  since.set_oldest_first(true);
  ListAlertsResponse missed = ListUntil(
      since, [](const ListAlertsResponse& r) { return r.alerts_size() >= 2; });
  ASSERT_GE(missed.alerts_size(), 2);

  auto ctx = As(operator_key_, 60);
  report::v1::WatchHealthRequest resume;
  resume.set_after_position(last_seen);
  auto reader = reports_->WatchHealth(ctx.get(), resume);
  HealthAlert alert;
  for (const HealthAlert& stored : missed.alerts()) {
    ASSERT_TRUE(reader->Read(&alert));
    EXPECT_EQ(alert.SerializeAsString(), stored.SerializeAsString());
  }
  // Then live: every position once, in order, up to the new account's.
  Create("live");
  int64_t previous = missed.alerts(missed.alerts_size() - 1).position();
  bool saw_live = false;
  while (!saw_live && reader->Read(&alert)) {
    EXPECT_EQ(alert.position(), previous + 1) << alert.ShortDebugString();
    previous = alert.position();
    saw_live = alert.account() == "accounts/live";
  }
  EXPECT_TRUE(saw_live);
  ctx->TryCancel();

  // Resuming past the newest position, or from a negative one, is refused.
  ListAlertsResponse now;
  ASSERT_TRUE(List(ListAlertsRequest(), &now).ok());
  for (int64_t after : {now.newest_position() + 100, int64_t{-1}}) {
    auto c = As(operator_key_);
    report::v1::WatchHealthRequest req;
    req.set_after_position(after);
    auto r = reports_->WatchHealth(c.get(), req);
    EXPECT_FALSE(r->Read(&alert));
    grpc::Status s = r->Finish();
    if (after < 0) {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
      EXPECT_EQ(s.error_message(), "after_position: must be >= 0, got -1");
    } else {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE);
      EXPECT_TRUE(absl::StrContains(s.error_message(), "past the newest"))
          << s.error_message();
    }
  }
}

class AlertRetentionTest : public AlertHistoryTest {
 protected:
  std::vector<std::string> MoreFlags() override {
    return {"--alert_retention_max=2"};
  }
};

TEST_F(AlertRetentionTest, KeepsTheNewestAndRefusesAResumeBehindThem) {
  for (const char* id : {"a1", "a2", "a3", "a4"}) Create(id);
  ListAlertsRequest all;
  ListAlertsResponse kept = ListUntil(all, [](const ListAlertsResponse& r) {
    return r.newest_position() >= 4;
  });
  ASSERT_EQ(kept.alerts_size(), 2);
  EXPECT_EQ(kept.oldest_position(), kept.newest_position() - 1);
  EXPECT_EQ(kept.alerts(0).position(), kept.newest_position());
  EXPECT_EQ(kept.alerts(1).position(), kept.oldest_position());

  HealthAlert alert;
  {
    auto ctx = As(operator_key_);
    report::v1::WatchHealthRequest req;
    req.set_after_position(0);
    auto reader = reports_->WatchHealth(ctx.get(), req);
    EXPECT_FALSE(reader->Read(&alert));
    grpc::Status s = reader->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE);
    EXPECT_TRUE(absl::StrContains(
        s.error_message(),
        absl::StrCat("oldest kept is position ", kept.oldest_position())))
        << s.error_message();
  }
  // From just before the oldest kept, the watch replays what is kept.
  auto ctx = As(operator_key_, 60);
  report::v1::WatchHealthRequest req;
  req.set_after_position(kept.oldest_position() - 1);
  auto reader = reports_->WatchHealth(ctx.get(), req);
  ASSERT_TRUE(reader->Read(&alert));
  EXPECT_EQ(alert.SerializeAsString(), kept.alerts(1).SerializeAsString());
  ASSERT_TRUE(reader->Read(&alert));
  EXPECT_EQ(alert.SerializeAsString(), kept.alerts(0).SerializeAsString());
  ctx->TryCancel();
}

}  // namespace
}  // namespace retain::testing
