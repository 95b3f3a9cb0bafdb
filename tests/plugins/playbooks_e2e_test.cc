// Playbooks on the health-event feed, end to end: a real retaind with
// authentication on and the five bundled plugins. An account with a CSM
// turning red opens exactly one risk task for that CSM, due as its
// segment's playbook says; completing it SAVED shows in GetEffectiveness; a
// crash right after the red signal was recorded, and a restart after the
// task opened, neither lose the band change nor duplicate the task. On a
// clock moved ahead (--testing_clock_offset) an overdue task escalates. A
// success plan shows the onboarding plugin's milestones live, and a missed
// objective opens the rescue playbook's task.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/auth/v1/auth.grpc.pb.h"
#include "retain/plugins/onboarding/v1/onboarding.grpc.pb.h"
#include "retain/plugins/playbooks/v1/playbooks.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {
namespace {

namespace pb = ::retain::plugins::playbooks::v1;
using google::protobuf::util::TimeUtil;

constexpr char kTenant[] = "northwind";
constexpr char kCsm[] = "cara@example.com";
constexpr int64_t kDaySeconds = 24 * 3600;

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

class PlaybooksE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Start("");
    CreateTenant();
    key_ = CreateKey(auth::v1::ROLE_WRITER);
    ASSERT_FALSE(key_.empty());
  }

  // retaind with authentication and every bundled plugin, on `data_dir`
  // (a new one when empty), with `flags` added.
  void Start(const std::string& data_dir,
             const std::vector<std::string>& flags = {}) {
    std::vector<std::string> libs;
    for (const char* name :
         {"advocacy", "expansion", "onboarding", "playbooks", "voc"})
      libs.push_back(Bundled(name));
    std::vector<std::string> extra = {"--plugins=" + absl::StrJoin(libs, ",")};
    extra.insert(extra.end(), flags.begin(), flags.end());
    auto p = RetaindProcess::Start(
        {.data_dir = data_dir, .extra_flags = extra, .auth = true});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    std::ifstream in(server_->data_dir() + "/operator.key");
    std::getline(in, operator_key_);
    ASSERT_FALSE(operator_key_.empty()) << "no bootstrap operator key";
  }

  // A crash (kill = true) or a clean stop, then the same store again.
  void Restart(bool kill, const std::vector<std::string>& flags = {}) {
    const std::string dir = server_->data_dir();
    if (kill) {
      server_->Kill();
    } else {
      ASSERT_TRUE(server_->Stop().ok());
    }
    Start(dir, flags);
  }

  static std::unique_ptr<grpc::ClientContext> As(const std::string& key) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(30));
    ctx->AddMetadata("authorization", "Bearer " + key);
    return ctx;
  }
  std::unique_ptr<grpc::ClientContext> Ctx() { return As(key_); }

  void CreateTenant() {
    auth::v1::CreateTenantRequest req;
    req.set_tenant_id(kTenant);
    auth::v1::Tenant t;
    grpc::Status s = auth::v1::AuthService::NewStub(channel_)->CreateTenant(
        As(operator_key_).get(), req, &t);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  std::string CreateKey(auth::v1::Role role) {
    auth::v1::CreateApiKeyRequest req;
    req.set_parent(absl::StrCat("tenants/", kTenant));
    req.mutable_api_key()->set_role(role);
    req.mutable_api_key()->set_display_name("playbooks e2e");
    auth::v1::CreateApiKeyResponse resp;
    grpc::Status s = auth::v1::AuthService::NewStub(channel_)->CreateApiKey(
        As(operator_key_).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.secret();
  }

  // An account of `segment` owned by kCsm, 100 seats, a year in.
  std::string CreateAccount(const std::string& id, account::v1::Segment seg) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    auto* a = req.mutable_account();
    a->set_display_name("Account " + id);
    a->set_arr(5000);
    a->set_licensed_seats(100);
    a->set_segment(seg);
    a->set_csm_owner(kCsm);
    *a->mutable_contract_start_time() = DaysAgo(300);
    *a->mutable_renewal_time() = DaysAgo(-3 * 365);
    a->set_lifecycle_stage(account::v1::LIFECYCLE_STAGE_ADOPTION);
    a->add_contacts()->set_display_name("Pat");
    account::v1::Account out;
    grpc::Status s =
        account::v1::AccountService::NewStub(channel_)->CreateAccount(
            Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.name();
  }

  // Barely anyone of its 100 seats uses it: the account turns red.
  void RecordLowUsage(const std::string& id, const std::string& name) {
    signal::v1::RecordSignalsRequest req;
    auto* s = req.add_signals();
    s->set_signal_id(id + "-usage");
    s->set_account(name);
    *s->mutable_occur_time() = DaysAgo(2);
    s->mutable_usage()->set_active_users(3);
    s->mutable_usage()->set_window_days(7);
    signal::v1::RecordSignalsResponse resp;
    grpc::Status st =
        signal::v1::SignalService::NewStub(channel_)->RecordSignals(Ctx().get(),
                                                                    req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // The account leaves: its ARR goes to 0 now.
  void RecordChurn(const std::string& id, const std::string& name) {
    signal::v1::RecordSignalsRequest req;
    auto* s = req.add_signals();
    s->set_signal_id(id + "-churn");
    s->set_account(name);
    *s->mutable_occur_time() = DaysAgo(0);
    s->mutable_commercial()->set_kind(signal::v1::COMMERCIAL_EVENT_KIND_CHURN);
    s->mutable_commercial()->set_reason("left");
    signal::v1::RecordSignalsResponse resp;
    grpc::Status st =
        signal::v1::SignalService::NewStub(channel_)->RecordSignals(Ctx().get(),
                                                                    req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  std::vector<report::v1::HealthAlert> Alerts(const std::string& name,
                                              const std::string& code) {
    report::v1::ListAlertsRequest req;
    req.set_account(name);
    req.set_code(code);
    report::v1::ListAlertsResponse resp;
    grpc::Status s = report::v1::ReportService::NewStub(channel_)->ListAlerts(
        Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.alerts().begin(), resp.alerts().end()};
  }

  pb::Task Complete(const std::string& task_id, pb::Outcome outcome) {
    pb::CompleteTaskRequest req;
    req.set_task_id(task_id);
    req.set_outcome(outcome);
    req.set_actor(kCsm);
    pb::Task out;
    grpc::Status s = pb::PlaybookService::NewStub(channel_)->CompleteTask(
        Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // The one effectiveness row of the playbook, as of `as_of` (the
  // plugin's now when null).
  pb::EffectivenessRow EffectivenessOf(
      const std::string& playbook_id,
      const google::protobuf::Timestamp* as_of = nullptr) {
    pb::GetEffectivenessRequest req;
    req.set_playbook_id(playbook_id);
    if (as_of != nullptr) *req.mutable_as_of_time() = *as_of;
    pb::Effectiveness eff;
    grpc::Status s = pb::PlaybookService::NewStub(channel_)->GetEffectiveness(
        Ctx().get(), req, &eff);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(eff.rows_size(), 1);
    return eff.rows_size() == 1 ? eff.rows(0) : pb::EffectivenessRow();
  }

  // The stored band changes into red of the account.
  int RedBandChanges(const std::string& name) {
    report::v1::ListAlertsRequest req;
    req.set_account(name);
    req.set_code("health.band_changed");
    report::v1::ListAlertsResponse resp;
    grpc::Status s = report::v1::ReportService::NewStub(channel_)->ListAlerts(
        Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    int red = 0;
    for (const auto& a : resp.alerts())
      red += a.band() == account::v1::HEALTH_BAND_RED;
    return red;
  }

  // The account's tasks of one playbook (other plugins' alerts, e.g.
  // onboarding's, may open tasks of other playbooks).
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

TEST_F(PlaybooksE2eTest, RedAccountOpensOneRiskTaskAcrossCrashAndRestart) {
  const std::string acme = CreateAccount("acme", account::v1::SEGMENT_POOLED);
  // Crash as soon as the red-making signal is durable: the band change
  // and its delivery to playbooks happen now or after the restart, once.
  RecordLowUsage("acme", acme);
  Restart(/*kill=*/true);
  ASSERT_TRUE(Eventually([&] {
    return Tasks("acme", "risk_red_pooled").size() == 1;
  })) << Tasks("acme", "risk_red_pooled").size()
      << " tasks";
  EXPECT_EQ(RedBandChanges(acme), 1);
  pb::Task task = Tasks("acme", "risk_red_pooled")[0];
  EXPECT_EQ(task.task_id(), "risk_red_pooled/acme/000001");
  EXPECT_EQ(task.owner(), kCsm);
  EXPECT_EQ(task.trigger_reason(), "band entered red");
  EXPECT_EQ(task.status(), pb::TASK_STATUS_OPEN);
  // Pooled accounts: due in 5 days.
  EXPECT_EQ(TimeUtil::TimestampToSeconds(task.due_time()) -
                TimeUtil::TimestampToSeconds(task.create_time()),
            5 * kDaySeconds);

  // A clean restart after the task opened. Events are delivered in order
  // per tenant, so once a later account's task is open, any redelivery of
  // acme's band change has come and gone.
  Restart(/*kill=*/false);
  const std::string bolt = CreateAccount("bolt", account::v1::SEGMENT_NAMED);
  RecordLowUsage("bolt", bolt);
  ASSERT_TRUE(Eventually(
      [&] { return Tasks("bolt", "risk_red_high_touch").size() == 1; }));
  EXPECT_EQ(Tasks("bolt", "risk_red_high_touch")[0].task_id(),
            "risk_red_high_touch/bolt/000001");
  auto after = Tasks("acme", "risk_red_pooled");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].task_id(), task.task_id());
  EXPECT_EQ(after[0].triggers(), 1);

  // Saved: the playbook's effectiveness shows it.
  auto stub = pb::PlaybookService::NewStub(channel_);
  pb::CompleteTaskRequest done;
  done.set_task_id(task.task_id());
  done.set_outcome(pb::OUTCOME_SAVED);
  done.set_actor(kCsm);
  pb::Task completed;
  grpc::Status s = stub->CompleteTask(Ctx().get(), done, &completed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(completed.status(), pb::TASK_STATUS_DONE);
  // Recorded as the key that did it (ABI 1.4: the plugin sees its caller),
  // the request's actor kept as whom it acted for.
  ASSERT_GT(completed.history_size(), 0);
  const pb::Transition& last = completed.history(completed.history_size() - 1);
  EXPECT_EQ(last.actor(), key_.substr(4, 12));  // "rtk_<key id>_..."
  EXPECT_EQ(last.actor_name(), "playbooks e2e");
  EXPECT_EQ(last.on_behalf_of(), kCsm);

  pb::GetEffectivenessRequest req;
  req.set_playbook_id("risk_red_pooled");
  pb::Effectiveness eff;
  s = stub->GetEffectiveness(Ctx().get(), req, &eff);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(eff.rows_size(), 1);
  EXPECT_EQ(eff.rows(0).segment(), account::v1::SEGMENT_POOLED);
  EXPECT_EQ(eff.rows(0).triggered(), 1);
  EXPECT_EQ(eff.rows(0).closed(), 1);
  // The CSM said SAVED; whether it was is known at the renewal, or 180
  // days on, which are still ahead.
  EXPECT_DOUBLE_EQ(eff.rows(0).outcome_save_rate(), 1.0);
  EXPECT_EQ(eff.rows(0).outcome_saved(), 1);
  EXPECT_EQ(eff.rows(0).save_undecided(), 1);

  // A reader key of the tenant may list, not complete.
  const std::string reader = CreateKey(auth::v1::ROLE_READER);
  pb::ListTasksRequest by_owner;
  by_owner.set_owner(kCsm);
  by_owner.set_playbook_id("risk_red_pooled");
  pb::ListTasksResponse listed;
  EXPECT_TRUE(stub->ListTasks(As(reader).get(), by_owner, &listed).ok());
  EXPECT_EQ(listed.tasks_size(), 1);
  EXPECT_EQ(stub->CompleteTask(As(reader).get(), done, &completed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Time passes by --testing_clock_offset: a risk task due in 5 days is
// overdue by its escalation's 3 days on a clock 9 days ahead, so the tick
// hands it to cs-manager and raises one critical alert. Completing it
// shows in GetEffectiveness, with the save judged by ARR 180 days after
// the trigger (no renewal falls before): the account that churned is lost
// although its CSM said SAVED.
TEST_F(PlaybooksE2eTest, OverdueTaskEscalatesOnALaterClockAndCountsWhenDone) {
  const std::string acme = CreateAccount("acme", account::v1::SEGMENT_POOLED);
  const std::string bolt = CreateAccount("bolt", account::v1::SEGMENT_POOLED);
  RecordLowUsage("acme", acme);
  RecordLowUsage("bolt", bolt);
  ASSERT_TRUE(Eventually([&] {
    return Tasks("acme", "risk_red_pooled").size() == 1 &&
           Tasks("bolt", "risk_red_pooled").size() == 1;
  }));
  const pb::Task opened = Tasks("acme", "risk_red_pooled")[0];
  EXPECT_FALSE(opened.escalated());
  EXPECT_FALSE(opened.overdue());
  EXPECT_EQ(opened.owner(), kCsm);
  EXPECT_TRUE(Alerts(acme, "playbooks.task_escalated").empty());
  RecordChurn("bolt", bolt);

  const std::string config_dir = RetaindProcess::MakeTempDir("playbooks-cfg");
  const std::string config = config_dir + "/plugins.json";
  {
    std::ofstream(config)
        << R"({"plugins": {"playbooks": {"tick_seconds": 0.2}}})";
  }
  Restart(/*kill=*/false,
          {"--testing_clock_offset=216h", "--plugin_config=" + config});
  ASSERT_TRUE(Eventually([&] {
    auto t = Tasks("acme", "risk_red_pooled");
    return t.size() == 1 && t[0].escalated();
  }));
  const pb::Task escalated = Tasks("acme", "risk_red_pooled")[0];
  EXPECT_EQ(escalated.owner(), "cs-manager");
  EXPECT_EQ(escalated.priority(), pb::PRIORITY_CRITICAL);  // one above HIGH
  EXPECT_TRUE(escalated.overdue());
  ASSERT_TRUE(Eventually(
      [&] { return !Alerts(acme, "playbooks.task_escalated").empty(); }));
  const auto alerts = Alerts(acme, "playbooks.task_escalated");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].severity(), "critical");
  EXPECT_EQ(alerts[0].source(), "playbooks");

  const pb::Task done = Complete(escalated.task_id(), pb::OUTCOME_SAVED);
  EXPECT_EQ(done.status(), pb::TASK_STATUS_DONE);
  // Closed on the later clock: after its due time.
  EXPECT_GT(TimeUtil::TimestampToSeconds(done.close_time()),
            TimeUtil::TimestampToSeconds(done.due_time()));
  Complete(Tasks("bolt", "risk_red_pooled")[0].task_id(), pb::OUTCOME_SAVED);

  // As of the plugin's now (9 days on): both closed late, both SAVED by
  // their CSMs, neither judged yet.
  const pb::EffectivenessRow now = EffectivenessOf("risk_red_pooled");
  EXPECT_EQ(now.segment(), account::v1::SEGMENT_POOLED);
  EXPECT_EQ(now.triggered(), 2);
  EXPECT_EQ(now.closed(), 2);
  EXPECT_DOUBLE_EQ(now.on_time_rate(), 0);
  EXPECT_EQ(now.outcome_saved(), 2);
  EXPECT_DOUBLE_EQ(now.outcome_save_rate(), 1.0);
  EXPECT_EQ(now.save_undecided(), 2);
  EXPECT_DOUBLE_EQ(now.save_rate(), 0);

  // 181 days after the triggers: acme kept its ARR, bolt's is 0.
  const google::protobuf::Timestamp later = TimeUtil::SecondsToTimestamp(
      TimeUtil::TimestampToSeconds(opened.create_time()) + 181 * kDaySeconds);
  const pb::EffectivenessRow judged =
      EffectivenessOf("risk_red_pooled", &later);
  EXPECT_EQ(judged.saved(), 1);
  EXPECT_EQ(judged.lost(), 1);
  EXPECT_EQ(judged.save_undecided(), 0);
  EXPECT_DOUBLE_EQ(judged.save_rate(), 0.5);
  EXPECT_EQ(judged.outcome_saved(), 2);
}

// The onboarding plan shows up in the success plan, read live through
// call_plugin as the caller: an onboarding started 30 days ago has its
// kickoff (due day 7) overdue and its go-live (day 60) pending; completing
// the kickoff in onboarding turns its objective achieved. An objective
// whose date passed is missed: the tick alerts once, and the alert, fed
// back to the plugin, opens one success_plan_rescue task for the CSM.
TEST_F(PlaybooksE2eTest,
       SuccessPlanShowsOnboardingLiveAndAMissedOneOpensATask) {
  const std::string config_dir = RetaindProcess::MakeTempDir("playbooks-cfg");
  const std::string config = config_dir + "/plugins.json";
  {
    std::ofstream(config)
        << R"({"plugins": {"playbooks": {"tick_seconds": 0.2}}})";
  }
  Restart(/*kill=*/false, {"--plugin_config=" + config});
  const std::string acme = CreateAccount("acme", account::v1::SEGMENT_NAMED);
  namespace ob = ::retain::plugins::onboarding::v1;
  auto onboarding = ob::OnboardingService::NewStub(channel_);
  ob::StartOnboardingRequest start;
  start.set_account_id("acme");
  *start.mutable_start_time() = DaysAgo(30);
  ob::Plan ob_plan;
  grpc::Status s = onboarding->StartOnboarding(Ctx().get(), start, &ob_plan);
  ASSERT_TRUE(s.ok()) << s.error_message();

  auto stub = pb::PlaybookService::NewStub(channel_);
  pb::CreateSuccessPlanRequest create;
  create.mutable_plan()->set_account_id("acme");
  auto objective = [&](const std::string& id, double days_ahead,
                       const std::string& milestone) {
    pb::Objective* o = create.mutable_plan()->add_objectives();
    o->set_objective_id(id);
    o->set_title(id);
    o->set_owner(kCsm);
    *o->mutable_target_time() = DaysAgo(-days_ahead);
    if (!milestone.empty()) o->add_milestone_keys(milestone);
  };
  objective("kick", 120, "kickoff");
  objective("live", 120, "go_live");
  objective("exec_sponsor", -1, "");  // its date passed yesterday
  pb::SuccessPlan created;
  s = stub->CreateSuccessPlan(Ctx().get(), create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();

  // A reader key reads the plan, and onboarding through it.
  const std::string reader = CreateKey(auth::v1::ROLE_READER);
  pb::GetSuccessPlanRequest get;
  get.set_account_id("acme");
  auto read = [&] {
    pb::SuccessPlan plan;
    grpc::Status st = stub->GetSuccessPlan(As(reader).get(), get, &plan);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return plan;
  };
  pb::SuccessPlan plan = read();
  ASSERT_EQ(plan.objectives_size(), 3);
  ASSERT_EQ(plan.objectives(0).linked_milestones_size(), 1);
  EXPECT_EQ(plan.objectives(0).linked_milestones(0).status(),
            pb::LINKED_MILESTONE_STATUS_OVERDUE);
  EXPECT_EQ(plan.objectives(0).status(), pb::OBJECTIVE_STATUS_AT_RISK);
  ASSERT_EQ(plan.objectives(1).linked_milestones_size(), 1);
  EXPECT_EQ(plan.objectives(1).linked_milestones(0).status(),
            pb::LINKED_MILESTONE_STATUS_PENDING);
  EXPECT_EQ(plan.objectives(1).status(), pb::OBJECTIVE_STATUS_ON_TRACK);
  EXPECT_EQ(plan.objectives(2).status(), pb::OBJECTIVE_STATUS_MISSED);

  ob::CompleteMilestoneRequest complete;
  complete.set_account_id("acme");
  complete.set_milestone("kickoff");
  s = onboarding->CompleteMilestone(Ctx().get(), complete, &ob_plan);
  ASSERT_TRUE(s.ok()) << s.error_message();
  plan = read();
  EXPECT_EQ(plan.objectives(0).linked_milestones(0).status(),
            pb::LINKED_MILESTONE_STATUS_COMPLETED);
  EXPECT_EQ(plan.objectives(0).status(), pb::OBJECTIVE_STATUS_ACHIEVED);

  ASSERT_TRUE(Eventually(
      [&] { return Tasks("acme", "success_plan_rescue").size() == 1; }));
  const pb::Task rescue = Tasks("acme", "success_plan_rescue")[0];
  EXPECT_EQ(rescue.owner(), kCsm);
  EXPECT_EQ(rescue.status(), pb::TASK_STATUS_OPEN);
  const auto missed = Alerts(acme, "playbooks.objective_missed");
  ASSERT_EQ(missed.size(), 1u);
  EXPECT_EQ(missed[0].source(), "playbooks");
}

TEST(RetaindClockFlag, NegativeOffsetIsRefused) {
  auto p =
      RetaindProcess::Start({.extra_flags = {"--testing_clock_offset=-1h"}});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(std::string(p.status().message())
                .find("--testing_clock_offset must be >= 0"),
            std::string::npos)
      << p.status();
}

}  // namespace
}  // namespace retain::testing
