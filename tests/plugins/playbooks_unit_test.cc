// The playbooks plugin on the fake host: its own code, linked in, driven
// as the server drives it (signals, ticks, calls, restarts).
#include <atomic>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugins/common/plugin_util.h"
#include "retain/plugins/playbooks/v1/playbooks.pb.h"
#include "retain/sdk/testing/load_library.h"
#include "retain/sdk/wire.h"
#include "retain_plugin_testing.h"
#include "tests/plugins/concurrently.h"
#include "tests/plugins/sdk_signals.h"

namespace retain::testing {
namespace {

namespace v1 = ::retain::plugins::playbooks::v1;
using plugins::MicrosOf;
using sdk::kMicrosPerDay;
using sdk::Status;
using sdk::testing::FakeHost;
using sdk::testing::LoadedPlugin;

const std::string kSvc = "/retain.plugins.playbooks.v1.PlaybookService/";

class PlaybooksUnitTest : public ::testing::Test {
 protected:
  void SetUp() override { Load(); }
  void Load() {
    auto p = host_.Load(&retain_plugin_on_load);
    ASSERT_TRUE(p.ok()) << p.status();
    plugin_.emplace(*p);
  }
  void Account(const std::string& id, int32_t segment, const std::string& csm,
               int64_t renewal = 0) {
    ASSERT_TRUE(host_
                    .PutAccount({.id = id,
                                 .arr = 50000,
                                 .renewal_micros = renewal,
                                 .segment = segment,
                                 .csm_owner = csm,
                                 .health_score = 8,
                                 .health_band = sdk::band::kGreen})
                    .ok());
    // Any signal makes the tenant one the plugin keeps state for.
    ASSERT_TRUE(plugin_
                    ->Deliver(sdk_signals::Touchpoint(
                        "hello-" + id, id, host_.NowMicros(),
                        sdk::touchpoint_channel::kCall))
                    .ok());
  }
  void SetBand(const std::string& id, int32_t band, double score) {
    host_.SetHealth(
        {.account = "accounts/" + id, .score = score, .band = band});
  }
  // The host's health-event feed: the account's band changed (and its
  // health says so), as the next entry of the alert history.
  Status ChangeBand(const std::string& id, int32_t from, int32_t to,
                    double score) {
    SetBand(id, to, score);
    sdk::HealthEvent e;
    e.kind = sdk::HealthEvent::Kind::kBandChanged;
    e.position = ++position_;
    e.account_id = id;
    e.occur_micros = host_.NowMicros();
    e.previous_band = from;
    e.band = to;
    e.score = score;
    e.source = "core";
    e.code = "health.band_changed";
    last_event_ = e;
    return plugin_->DeliverHealthEvent(e);
  }
  // Another plugin's alert on the feed.
  Status Alert(const std::string& id, const std::string& source,
               const std::string& code) {
    sdk::HealthEvent e;
    e.kind = sdk::HealthEvent::Kind::kAlert;
    e.position = ++position_;
    e.account_id = id;
    e.occur_micros = host_.NowMicros();
    e.source = source;
    e.code = code;
    last_event_ = e;
    return plugin_->DeliverHealthEvent(e);
  }
  std::vector<v1::Task> Tasks(v1::ListTasksRequest req = {}) {
    auto r = plugin_->CallProto<v1::ListTasksResponse>(kSvc + "ListTasks", req);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    return {r->tasks().begin(), r->tasks().end()};
  }

  FakeHost host_;
  std::optional<LoadedPlugin> plugin_;
  int64_t position_ = 0;
  sdk::HealthEvent last_event_;
};

TEST_F(PlaybooksUnitTest, RedAccountOpensOneRiskTaskForItsCsm) {
  Account("acme", sdk::segment::kNamed, "cara");
  Account("bolt", sdk::segment::kPooled, "dan");
  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_TRUE(Tasks().empty());  // green: nothing to do

  const int64_t now = host_.NowMicros();
  ASSERT_TRUE(ChangeBand("acme", sdk::band::kGreen, sdk::band::kRed, 4.1).ok());
  ASSERT_TRUE(ChangeBand("bolt", sdk::band::kGreen, sdk::band::kRed, 3.0).ok());
  ASSERT_TRUE(plugin_->Tick().ok());  // still red: no second task
  auto tasks = Tasks();
  ASSERT_EQ(tasks.size(), 2u);
  // The segment's playbook, owner and due date (named 3 days, pooled 5).
  EXPECT_EQ(tasks[0].task_id(), "risk_red_high_touch/acme/000001");
  EXPECT_EQ(tasks[0].owner(), "cara");
  EXPECT_EQ(MicrosOf(tasks[0].due_time()), now + 3 * kMicrosPerDay);
  EXPECT_EQ(tasks[0].trigger_reason(), "band entered red");
  EXPECT_DOUBLE_EQ(tasks[0].health_at_trigger(), 4.1);
  EXPECT_EQ(tasks[1].task_id(), "risk_red_pooled/bolt/000001");
  EXPECT_EQ(tasks[1].owner(), "dan");
  EXPECT_EQ(MicrosOf(tasks[1].due_time()), now + 5 * kMicrosPerDay);

  v1::ListTasksRequest by_owner;
  by_owner.set_owner("cara");
  EXPECT_EQ(Tasks(by_owner).size(), 1u);

  // Leaving red and entering it again updates the open task.
  ASSERT_TRUE(ChangeBand("acme", sdk::band::kRed, sdk::band::kYellow, 6).ok());
  ASSERT_TRUE(ChangeBand("acme", sdk::band::kYellow, sdk::band::kRed, 4).ok());
  v1::ListTasksRequest of_acme;
  of_acme.set_account_id("acme");
  tasks = Tasks(of_acme);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].triggers(), 2);

  auto section = plugin_->ReportSection("default", "acme");
  ASSERT_TRUE(section.ok() && section->has_value());
  EXPECT_EQ((*section)->fields[0].name, "open_tasks");
  EXPECT_EQ((*section)->fields[0].value, "1");
}

TEST_F(PlaybooksUnitTest, OverdueTaskEscalatesOnceWithACriticalAlert) {
  Account("acme", sdk::segment::kNamed, "cara");
  ASSERT_TRUE(ChangeBand("acme", sdk::band::kGreen, sdk::band::kRed, 4).ok());
  host_.TakeAlerts();
  host_.AdvanceDays(4);  // due 3 days, escalates 2 days after
  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_TRUE(host_.TakeAlerts().empty());
  v1::ListTasksRequest overdue;
  overdue.set_overdue_only(true);
  EXPECT_EQ(Tasks(overdue).size(), 1u);

  host_.AdvanceDays(1.5);
  ASSERT_TRUE(plugin_->Tick().ok());
  ASSERT_TRUE(plugin_->Tick().ok());
  auto alerts = host_.TakeAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].code, "playbooks.task_escalated");
  EXPECT_EQ(alerts[0].account_id, "acme");
  EXPECT_EQ(alerts[0].severity,
            static_cast<int>(sdk::AlertSeverity::kCritical));
  auto tasks = Tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_TRUE(tasks[0].escalated());
  EXPECT_EQ(tasks[0].owner(), "cs-leadership");
}

TEST_F(PlaybooksUnitTest, CompletedOutcomesShowInEffectiveness) {
  Account("acme", sdk::segment::kNamed, "cara");
  Account("bolt", sdk::segment::kNamed, "cara");
  ASSERT_TRUE(ChangeBand("acme", sdk::band::kGreen, sdk::band::kRed, 4).ok());
  ASSERT_TRUE(ChangeBand("bolt", sdk::band::kGreen, sdk::band::kRed, 4).ok());
  const int64_t triggered = host_.NowMicros();
  host_.AdvanceDays(1);

  v1::CompleteTaskRequest done;
  done.set_task_id("risk_red_high_touch/acme/000001");
  done.set_actor("cara");
  auto missing = plugin_->CallProto<v1::Task>(kSvc + "CompleteTask", done);
  EXPECT_EQ(missing.status().code(), sdk::Code::kInvalidArgument);
  EXPECT_EQ(missing.status().message(),
            "outcome: is required (SAVED, LOST or NO_ACTION_NEEDED)");
  done.set_outcome(v1::OUTCOME_SAVED);
  auto t = plugin_->CallProto<v1::Task>(kSvc + "CompleteTask", done);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->status(), v1::TASK_STATUS_DONE);
  // The fake's caller (the operator "dev"), the request's actor kept.
  EXPECT_EQ(t->history().rbegin()->actor(), "dev");
  EXPECT_EQ(t->history().rbegin()->on_behalf_of(), "cara");
  // Done is final.
  v1::StartTaskRequest start;
  start.set_task_id(done.task_id());
  EXPECT_EQ(
      plugin_->CallProto<v1::Task>(kSvc + "StartTask", start).status().code(),
      sdk::Code::kFailedPrecondition);

  v1::GetEffectivenessRequest req;
  req.set_playbook_id("risk_red_high_touch");
  auto eff =
      plugin_->CallProto<v1::Effectiveness>(kSvc + "GetEffectiveness", req);
  ASSERT_TRUE(eff.ok()) << eff.status();
  ASSERT_EQ(eff->rows_size(), 1);
  EXPECT_EQ(eff->rows(0).segment(), sdk::segment::kNamed);
  EXPECT_EQ(eff->rows(0).triggered(), 2);
  EXPECT_EQ(eff->rows(0).closed(), 1);
  EXPECT_DOUBLE_EQ(eff->rows(0).on_time_rate(), 1.0);
  // The CSM's SAVED; the ARR-judged save is 180 days away.
  EXPECT_DOUBLE_EQ(eff->rows(0).outcome_save_rate(), 1.0);
  EXPECT_EQ(eff->rows(0).save_undecided(), 2);
  EXPECT_DOUBLE_EQ(eff->rows(0).median_days_to_close(), 1.0);

  // As of before the close, nothing was closed yet.
  *req.mutable_as_of_time() = plugins::TimestampOf(triggered);
  eff = plugin_->CallProto<v1::Effectiveness>(kSvc + "GetEffectiveness", req);
  ASSERT_TRUE(eff.ok());
  EXPECT_EQ(eff->rows(0).closed(), 0);
}

TEST_F(PlaybooksUnitTest, RestartDuplicatesNoTask) {
  const int64_t renewal = host_.NowMicros() + 100 * kMicrosPerDay;
  Account("acme", sdk::segment::kNamed, "cara", renewal);
  ASSERT_TRUE(ChangeBand("acme", sdk::band::kGreen, sdk::band::kRed, 4).ok());
  ASSERT_TRUE(plugin_->Tick().ok());
  auto before = Tasks();
  // Red opens the risk task; renewal in 100 days and not green, renewal
  // preparation (120 days for named accounts).
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before[0].playbook_id(), "renewal_prep_120");
  EXPECT_EQ(before[1].playbook_id(), "risk_red_high_touch");

  plugin_->Unload();
  Load();
  // The feed is at least once: after a restart the event may come again.
  ASSERT_TRUE(plugin_->DeliverHealthEvent(last_event_).ok());
  ASSERT_TRUE(plugin_->Tick().ok());
  host_.AdvanceDays(1);
  ASSERT_TRUE(plugin_->Tick().ok());
  auto after = Tasks();
  ASSERT_EQ(after.size(), 2u);
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].task_id(), before[i].task_id());
    EXPECT_EQ(after[i].triggers(), 1);
  }
}

TEST_F(PlaybooksUnitTest, PlaybooksThroughTheApiAndCustomSignals) {
  v1::CreatePlaybookRequest req;
  auto* p = req.mutable_playbook();
  p->set_playbook_id("sponsor_left");
  p->mutable_trigger()->set_kind(v1::TRIGGER_KIND_CUSTOM_SIGNAL);
  p->mutable_trigger()->set_signal_type("crm.sponsor_left");
  p->mutable_task()->set_title("Re-thread");
  p->mutable_task()->set_priority(v1::PRIORITY_HIGH);
  p->mutable_task()->mutable_owner()->set_kind(v1::OWNER_KIND_NAMED);
  auto bad = plugin_->CallProto<v1::Playbook>(kSvc + "CreatePlaybook", req);
  EXPECT_EQ(bad.status().code(), sdk::Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "playbook.task.owner.name: is required for OWNER_KIND_NAMED");
  p->mutable_task()->mutable_owner()->set_name("am-team");
  p->mutable_task()->add_steps("Find the new sponsor");
  auto created = plugin_->CallProto<v1::Playbook>(kSvc + "CreatePlaybook", req);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->source(), v1::PLAYBOOK_SOURCE_API);
  EXPECT_EQ(plugin_->CallProto<v1::Playbook>(kSvc + "CreatePlaybook", req)
                .status()
                .code(),
            sdk::Code::kAlreadyExists);

  Account("acme", sdk::segment::kDigital, "cara");
  ASSERT_TRUE(plugin_
                  ->Deliver(sdk_signals::Custom("s1", "acme", host_.NowMicros(),
                                                "crm.sponsor_left"))
                  .ok());
  auto tasks = Tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].owner(), "am-team");

  v1::CheckStepRequest check;
  check.set_task_id(tasks[0].task_id());
  check.set_step_index(0);
  check.set_checked(true);
  auto checked = plugin_->CallProto<v1::Task>(kSvc + "CheckStep", check);
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_TRUE(checked->steps(0).checked());
  EXPECT_EQ(checked->steps(0).checked_by(), "dev");

  v1::ListPlaybooksRequest list;
  list.set_page_size(5);
  auto page = plugin_->CallProto<v1::ListPlaybooksResponse>(
      kSvc + "ListPlaybooks", list);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->playbooks_size(), 5);
  EXPECT_FALSE(page->next_page_token().empty());
}

TEST_F(PlaybooksUnitTest, ConcurrentTriggersAndTransitionsLoseNothing) {
  v1::CreatePlaybookRequest req;
  auto* p = req.mutable_playbook();
  p->set_playbook_id("sponsor_left");
  p->mutable_trigger()->set_kind(v1::TRIGGER_KIND_CUSTOM_SIGNAL);
  p->mutable_trigger()->set_signal_type("crm.sponsor_left");
  p->mutable_task()->set_title("Re-thread");
  p->mutable_task()->set_priority(v1::PRIORITY_HIGH);
  p->mutable_task()->mutable_owner()->set_kind(v1::OWNER_KIND_ACCOUNT_CSM);
  constexpr int kThreads = 8;
  for (int i = 0; i < kThreads; ++i)
    p->mutable_task()->add_steps("step " + std::to_string(i));
  ASSERT_TRUE(
      plugin_->CallProto<v1::Playbook>(kSvc + "CreatePlaybook", req).ok());
  Account("acme", sdk::segment::kPooled, "cara");

  // Every thread fires the same trigger: one task, every trigger counted.
  std::atomic<int> failed{0};
  Concurrently(kThreads, [&](int t) {
    if (!plugin_
             ->Deliver(sdk_signals::Custom("s" + std::to_string(t), "acme",
                                           host_.NowMicros(),
                                           "crm.sponsor_left"))
             .ok())
      failed.fetch_add(1);
  });
  EXPECT_EQ(failed.load(), 0);
  auto tasks = Tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].task_id(), "sponsor_left/acme/000001");
  EXPECT_EQ(tasks[0].triggers(), kThreads);

  // Every thread checks its own step of the one task: none is lost.
  Concurrently(kThreads, [&](int t) {
    v1::CheckStepRequest check;
    check.set_task_id(tasks[0].task_id());
    check.set_step_index(t);
    check.set_checked(true);
    // Each as its own API key: recorded as the key, not the request.
    sdk::Caller key;
    key.role = sdk::Caller::Role::kWriter;
    key.authentication = sdk::Caller::Authentication::kApiKey;
    key.key_id = "csm-" + std::to_string(t);
    if (!plugin_->CallAs(key, kSvc + "CheckStep", check.SerializeAsString())
             .ok())
      failed.fetch_add(1);
  });
  EXPECT_EQ(failed.load(), 0);
  v1::GetTaskRequest get;
  get.set_task_id(tasks[0].task_id());
  auto task = plugin_->CallProto<v1::Task>(kSvc + "GetTask", get);
  ASSERT_TRUE(task.ok()) << task.status();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_TRUE(task->steps(i).checked()) << i;
    EXPECT_EQ(task->steps(i).checked_by(), "csm-" + std::to_string(i));
  }
}

TEST_F(PlaybooksUnitTest, SuccessPlansListUpdateAndDelete) {
  const int64_t now = host_.NowMicros();
  for (const char* id : {"acme", "bolt", "core"}) {
    Account(id, sdk::segment::kNamed, "cara");
    v1::CreateSuccessPlanRequest create;
    create.mutable_plan()->set_account_id(id);
    auto* o = create.mutable_plan()->add_objectives();
    o->set_objective_id("adoption");
    o->set_title("80% weekly active");
    *o->mutable_target_time() = plugins::TimestampOf(now + 30 * kMicrosPerDay);
    auto made =
        plugin_->CallProto<v1::SuccessPlan>(kSvc + "CreateSuccessPlan", create);
    ASSERT_TRUE(made.ok()) << made.status();
  }
  v1::ListSuccessPlansRequest list;
  list.set_page_size(2);
  auto first = plugin_->CallProto<v1::ListSuccessPlansResponse>(
      kSvc + "ListSuccessPlans", list);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->plans_size(), 2);
  EXPECT_EQ(first->plans(0).account_id(), "acme");
  EXPECT_EQ(first->plans(1).account_id(), "bolt");
  EXPECT_EQ(first->plans(0).status(), v1::OBJECTIVE_STATUS_ON_TRACK);
  list.set_page_token(first->next_page_token());
  auto second = plugin_->CallProto<v1::ListSuccessPlansResponse>(
      kSvc + "ListSuccessPlans", list);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->plans_size(), 1);
  EXPECT_EQ(second->plans(0).account_id(), "core");
  EXPECT_TRUE(second->next_page_token().empty());

  // An update replaces the objectives and keeps the creation time.
  host_.AdvanceDays(1);
  v1::UpdateSuccessPlanRequest update;
  update.mutable_plan()->set_account_id("bolt");
  auto* o = update.mutable_plan()->add_objectives();
  o->set_objective_id("renewal");
  o->set_title("Renew for two years");
  *o->mutable_target_time() = plugins::TimestampOf(now - kMicrosPerDay);
  auto updated =
      plugin_->CallProto<v1::SuccessPlan>(kSvc + "UpdateSuccessPlan", update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  ASSERT_EQ(updated->objectives_size(), 1);
  EXPECT_EQ(updated->objectives(0).objective_id(), "renewal");
  EXPECT_EQ(updated->status(), v1::OBJECTIVE_STATUS_MISSED);
  EXPECT_EQ(MicrosOf(updated->create_time()), now);
  EXPECT_EQ(MicrosOf(updated->update_time()), now + kMicrosPerDay);
  update.mutable_plan()->set_account_id("none");
  EXPECT_EQ(
      plugin_->CallProto<v1::SuccessPlan>(kSvc + "UpdateSuccessPlan", update)
          .status()
          .code(),
      sdk::Code::kNotFound);

  v1::DeleteSuccessPlanRequest del;
  del.set_account_id("bolt");
  EXPECT_TRUE(plugin_
                  ->CallProto<v1::DeleteSuccessPlanResponse>(
                      kSvc + "DeleteSuccessPlan", del)
                  .ok());
  EXPECT_EQ(plugin_
                ->CallProto<v1::DeleteSuccessPlanResponse>(
                    kSvc + "DeleteSuccessPlan", del)
                .status()
                .code(),
            sdk::Code::kNotFound);
  v1::GetSuccessPlanRequest get;
  get.set_account_id("bolt");
  EXPECT_EQ(plugin_->CallProto<v1::SuccessPlan>(kSvc + "GetSuccessPlan", get)
                .status()
                .code(),
            sdk::Code::kNotFound);
  list.Clear();
  auto all = plugin_->CallProto<v1::ListSuccessPlansResponse>(
      kSvc + "ListSuccessPlans", list);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->plans_size(), 2);
}

TEST_F(PlaybooksUnitTest, RedeliveredHealthEventsChangeNothing) {
  Account("acme", sdk::segment::kPooled, "dan");
  ASSERT_TRUE(ChangeBand("acme", sdk::band::kGreen, sdk::band::kRed, 3).ok());
  const sdk::HealthEvent red = last_event_;
  ASSERT_TRUE(plugin_->DeliverHealthEvent(red).ok());
  auto tasks = Tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].task_id(), "risk_red_pooled/acme/000001");
  EXPECT_EQ(tasks[0].triggers(), 1);

  // Done, then the same event again (a crash before the cursor moved):
  // no second task.
  v1::CompleteTaskRequest done;
  done.set_task_id(tasks[0].task_id());
  done.set_outcome(v1::OUTCOME_SAVED);
  ASSERT_TRUE(plugin_->CallProto<v1::Task>(kSvc + "CompleteTask", done).ok());
  ASSERT_TRUE(plugin_->DeliverHealthEvent(red).ok());
  EXPECT_EQ(Tasks().size(), 1u);

  // A later change into red is a new trigger: the next task.
  ASSERT_TRUE(ChangeBand("acme", sdk::band::kRed, sdk::band::kGreen, 8).ok());
  ASSERT_TRUE(ChangeBand("acme", sdk::band::kGreen, sdk::band::kRed, 2).ok());
  tasks = Tasks();
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[1].task_id(), "risk_red_pooled/acme/000002");
  EXPECT_DOUBLE_EQ(tasks[1].health_at_trigger(), 2);
}

TEST_F(PlaybooksUnitTest, OtherPluginsAlertsOpenRescueAndDetractorTasks) {
  Account("acme", sdk::segment::kDigital, "cara");
  const int64_t now = host_.NowMicros();
  ASSERT_TRUE(Alert("acme", "onboarding", "onboarding.milestone_overdue").ok());
  ASSERT_TRUE(Alert("acme", "voc", "voc.detractor_follow_up_overdue").ok());
  // Codes no playbook listens for, a tenant-wide alert and an unknown
  // account open nothing.
  ASSERT_TRUE(Alert("acme", "voc", "voc.something_else").ok());
  ASSERT_TRUE(Alert("", "onboarding", "onboarding.milestone_overdue").ok());
  ASSERT_TRUE(
      Alert("nobody", "onboarding", "onboarding.milestone_overdue").ok());

  auto tasks = Tasks();
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].task_id(), "detractor_loop/acme/000001");
  EXPECT_EQ(tasks[0].owner(), "cara");
  EXPECT_EQ(tasks[0].trigger_reason(), "alert voc.detractor_follow_up_overdue");
  EXPECT_EQ(MicrosOf(tasks[0].due_time()), now + 3 * kMicrosPerDay);
  EXPECT_EQ(tasks[1].task_id(), "onboarding_rescue/acme/000001");
  EXPECT_EQ(tasks[1].owner(), "cara");
  EXPECT_EQ(MicrosOf(tasks[1].due_time()), now + 5 * kMicrosPerDay);

  // The plugin hears its own alerts now, but of them only a missed
  // objective fires playbooks: an escalation never opens a task, even for
  // a playbook that asks for it (no loop).
  v1::CreatePlaybookRequest create;
  auto* p = create.mutable_playbook();
  p->set_playbook_id("escalation_echo");
  p->set_title("Echo");
  p->mutable_trigger()->set_kind(v1::TRIGGER_KIND_PLUGIN_ALERT);
  p->mutable_trigger()->set_alert_code("playbooks.task_escalated");
  p->mutable_task()->set_title("Echo");
  p->mutable_task()->set_priority(v1::PRIORITY_LOW);
  p->mutable_task()->set_due_days(1);
  p->mutable_task()->mutable_owner()->set_kind(v1::OWNER_KIND_ACCOUNT_CSM);
  ASSERT_TRUE(
      plugin_->CallProto<v1::Playbook>(kSvc + "CreatePlaybook", create).ok());
  ASSERT_TRUE(Alert("acme", "playbooks", "playbooks.task_escalated").ok());
  EXPECT_EQ(Tasks().size(), 2u);
  ASSERT_TRUE(Alert("acme", "playbooks", "playbooks.objective_missed").ok());
  tasks = Tasks();
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[2].task_id(), "success_plan_rescue/acme/000001");
  EXPECT_EQ(tasks[2].trigger_reason(), "alert playbooks.objective_missed");
}

TEST_F(PlaybooksUnitTest, BandsArePolledOnlyOnAHostWithoutTheFeed) {
  // ABI 1.3: the feed brings bands; a tick does not read them.
  Account("acme", sdk::segment::kNamed, "cara");
  SetBand("acme", sdk::band::kRed, 4);
  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_TRUE(Tasks().empty());

  // ABI 1.2: no feed, so the tick compares the band with the last one.
  FakeHost old_host(FakeHost::Options{.abi_minor = 2});
  auto old = old_host.Load(&retain_plugin_on_load);
  ASSERT_TRUE(old.ok()) << old.status();
  ASSERT_TRUE(old_host
                  .PutAccount({.id = "acme",
                               .arr = 50000,
                               .segment = sdk::segment::kNamed,
                               .csm_owner = "cara",
                               .health_score = 8,
                               .health_band = sdk::band::kGreen})
                  .ok());
  ASSERT_TRUE(old->Deliver(sdk_signals::Touchpoint(
                               "hello", "acme", old_host.NowMicros(),
                               sdk::touchpoint_channel::kCall))
                  .ok());
  ASSERT_TRUE(old->Tick().ok());
  old_host.SetHealth(
      {.account = "accounts/acme", .score = 4, .band = sdk::band::kRed});
  ASSERT_TRUE(old->Tick().ok());
  ASSERT_TRUE(old->Tick().ok());
  auto r = old->CallProto<v1::ListTasksResponse>(kSvc + "ListTasks",
                                                 v1::ListTasksRequest());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->tasks_size(), 1);
  EXPECT_EQ(r->tasks(0).task_id(), "risk_red_high_touch/acme/000001");
  EXPECT_EQ(r->tasks(0).triggers(), 1);
}

namespace linked {

const std::string kOnboarding =
    "/retain.plugins.onboarding.v1.OnboardingService/";

v1::Objective Linked(const std::string& id, int64_t target,
                     std::vector<std::string> keys, bool whole_plan = false) {
  v1::Objective o;
  o.set_objective_id(id);
  o.set_title(id);
  *o.mutable_target_time() = plugins::TimestampOf(target);
  for (auto& k : keys) o.add_milestone_keys(k);
  o.set_link_onboarding_plan(whole_plan);
  return o;
}

}  // namespace linked

// Success plans read the onboarding plugin's plan live: the real
// onboarding library, loaded from disk into the same fake host, answers
// the playbooks plugin's CallPlugin (in bytes: this binary links no
// onboarding code, as the .so brings its own).
TEST_F(PlaybooksUnitTest, LinkedMilestonesAreReadLiveFromOnboarding) {
  const std::string dir = std::string(std::getenv("TEST_SRCDIR")) + "/" +
                          std::getenv("TEST_WORKSPACE") + "/plugins/";
  auto onboarding =
      sdk::testing::LoadLibrary(host_, dir + "onboarding/libonboarding.so");
  ASSERT_TRUE(onboarding.ok()) << onboarding.status();
  Account("acme", sdk::segment::kNamed, "cara");  // kickoff 7d, go_live 60d
  const int64_t t0 = host_.NowMicros();
  sdk::wire::Writer start;
  start.String(1, "acme");
  ASSERT_TRUE(
      onboarding->Call(linked::kOnboarding + "StartOnboarding", start.data())
          .ok());

  v1::CreateSuccessPlanRequest create;
  create.mutable_plan()->set_account_id("acme");
  *create.mutable_plan()->add_objectives() =
      linked::Linked("kick", t0 + 120 * kMicrosPerDay, {"kickoff"});
  *create.mutable_plan()->add_objectives() =
      linked::Linked("live", t0 + 120 * kMicrosPerDay, {"go_live"});
  *create.mutable_plan()->add_objectives() =
      linked::Linked("launch", t0 + 70 * kMicrosPerDay, {}, true);
  ASSERT_TRUE(
      plugin_->CallProto<v1::SuccessPlan>(kSvc + "CreateSuccessPlan", create)
          .ok());
  v1::GetSuccessPlanRequest get;
  get.set_account_id("acme");
  auto read = [&] {
    auto plan =
        plugin_->CallProto<v1::SuccessPlan>(kSvc + "GetSuccessPlan", get);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan.ok() ? *plan : v1::SuccessPlan();
  };
  v1::SuccessPlan plan = read();
  ASSERT_EQ(plan.objectives(0).linked_milestones_size(), 1);
  EXPECT_EQ(plan.objectives(0).linked_milestones(0).status(),
            v1::LINKED_MILESTONE_STATUS_PENDING);
  EXPECT_EQ(MicrosOf(plan.objectives(0).linked_milestones(0).due_time()),
            t0 + 7 * kMicrosPerDay);
  EXPECT_EQ(plan.objectives(2).linked_milestones_size(), 6);

  // Completed in onboarding: the link shows it, the objective is met.
  sdk::wire::Writer complete;
  complete.String(1, "acme");
  complete.String(2, "kickoff");
  ASSERT_TRUE(
      onboarding
          ->Call(linked::kOnboarding + "CompleteMilestone", complete.data())
          .ok());
  plan = read();
  EXPECT_EQ(plan.objectives(0).linked_milestones(0).status(),
            v1::LINKED_MILESTONE_STATUS_COMPLETED);
  EXPECT_EQ(plan.objectives(0).status(), v1::OBJECTIVE_STATUS_ACHIEVED);
  EXPECT_EQ(plan.objectives(1).status(), v1::OBJECTIVE_STATUS_ON_TRACK);

  // go_live overdue: its objective is at risk, far from its date.
  host_.AdvanceDays(61);
  plan = read();
  EXPECT_EQ(plan.objectives(1).linked_milestones(0).status(),
            v1::LINKED_MILESTONE_STATUS_OVERDUE);
  EXPECT_EQ(plan.objectives(1).status(), v1::OBJECTIVE_STATUS_AT_RISK);
  auto list = plugin_->CallProto<v1::ListSuccessPlansResponse>(
      kSvc + "ListSuccessPlans", v1::ListSuccessPlansRequest());
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->plans(0).objectives(1).linked_milestones(0).status(),
            v1::LINKED_MILESTONE_STATUS_OVERDUE);
  // Stored without the resolved links.
  auto bytes = host_.KvGet("playbooks", "default", "plan/acme");
  ASSERT_TRUE(bytes.has_value());
  v1::SuccessPlan stored;
  ASSERT_TRUE(stored.ParseFromString(*bytes));
  EXPECT_EQ(stored.objectives(1).linked_milestones_size(), 0);

  // "launch" misses its date: the tick (reading onboarding as a tenant
  // reader) alerts once, and the alert fed back opens the rescue task.
  host_.AdvanceDays(10);
  host_.TakeAlerts();
  ASSERT_TRUE(plugin_->Tick().ok());
  ASSERT_TRUE(plugin_->Tick().ok());
  std::vector<std::string> missed;
  for (const auto& a : host_.TakeAlerts()) {
    if (a.code == "playbooks.objective_missed") missed.push_back(a.message);
  }
  ASSERT_EQ(missed,
            std::vector<std::string>{
                "success plan objective launch missed its target date"});
  ASSERT_TRUE(Alert("acme", "playbooks", "playbooks.objective_missed").ok());
  v1::ListTasksRequest rescue;
  rescue.set_playbook_id("success_plan_rescue");
  auto tasks = Tasks(rescue);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].owner(), "cara");
}

TEST_F(PlaybooksUnitTest, LinksWithoutOnboardingShowUnavailable) {
  Account("acme", sdk::segment::kNamed, "cara");
  v1::CreateSuccessPlanRequest create;
  create.mutable_plan()->set_account_id("acme");
  *create.mutable_plan()->add_objectives() = linked::Linked(
      "kick", host_.NowMicros() + 120 * kMicrosPerDay, {"kickoff"});
  auto plan =
      plugin_->CallProto<v1::SuccessPlan>(kSvc + "CreateSuccessPlan", create);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->objectives(0).linked_milestones_size(), 1);
  const auto& link = plan->objectives(0).linked_milestones(0);
  EXPECT_EQ(link.status(), v1::LINKED_MILESTONE_STATUS_UNAVAILABLE);
  EXPECT_EQ(link.unavailable_reason().rfind("NOT_FOUND: ", 0), 0u)
      << link.unavailable_reason();
  EXPECT_EQ(plan->objectives(0).status(), v1::OBJECTIVE_STATUS_ON_TRACK);

  // A bad link names the field and rule.
  v1::UpsertObjectiveRequest bad;
  bad.set_account_id("acme");
  *bad.mutable_objective() =
      linked::Linked("o", host_.NowMicros() + kMicrosPerDay, {"go live"});
  auto refused =
      plugin_->CallProto<v1::SuccessPlan>(kSvc + "UpsertObjective", bad);
  EXPECT_EQ(refused.status().code(), sdk::Code::kInvalidArgument);
  EXPECT_EQ(refused.status().message(),
            "objective.milestone_keys[0]: only letters, digits, '_', '-' and "
            "'.'");
}

}  // namespace
}  // namespace retain::testing
