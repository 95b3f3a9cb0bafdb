// The onboarding plugin loaded from disk into a real host.
#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tests/plugins/plugin_env.h"

namespace retain::testing {
namespace {

using google::protobuf::Message;

constexpr char kSvc[] = "retain.plugins.onboarding.v1.OnboardingService.";

std::string Text(const Message& m) {
  std::string s;
  google::protobuf::TextFormat::PrintToString(m, &s);
  return s;
}

int64_t Int(const Message& m, const std::string& field) {
  const auto* f = m.GetDescriptor()->FindFieldByName(field);
  return m.GetReflection()->GetInt32(m, f);
}

double Double(const Message& m, const std::string& field) {
  const auto* f = m.GetDescriptor()->FindFieldByName(field);
  return m.GetReflection()->GetDouble(m, f);
}

std::string At(int64_t unix_seconds) {
  return absl::StrCat("{ seconds: ", unix_seconds, " }");
}

class OnboardingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    offset_ = std::make_shared<std::atomic<int64_t>>(0);
    auto offset = offset_;
    env_ = PluginEnv::Start(
        {.plugins = {"plugins/onboarding/libonboarding.so"}, .clock = [offset] {
           return absl::Now() + absl::Seconds(offset->load());
         }});
    ASSERT_NE(env_, nullptr);
    ASSERT_EQ(env_->StateOf("onboarding"), plugin::v1::PLUGIN_STATE_READY);
    now_ = absl::ToUnixSeconds(absl::Now());
  }

  std::unique_ptr<Message> Call(const std::string& method,
                                const std::string& text,
                                grpc::StatusCode want = grpc::StatusCode::OK) {
    std::unique_ptr<Message> resp;
    grpc::Status s = env_->CallText(kSvc + method, text, &resp);
    EXPECT_EQ(s.error_code(), want) << method << ": " << s.error_message();
    return resp;
  }

  std::string PlanText(const std::string& account) {
    std::unique_ptr<Message> resp;
    if (!env_->CallText(absl::StrCat(kSvc, "GetPlan"),
                        "account_id: '" + account + "'", &resp)
             .ok()) {
      return "";
    }
    return Text(*resp);
  }

  std::shared_ptr<std::atomic<int64_t>> offset_;
  std::unique_ptr<PluginEnv> env_;
  int64_t now_ = 0;
};

TEST_F(OnboardingTest, PlanFromSegmentTemplateCompletedBySignalsAndApi) {
  env_->CreateAccount("acme", 50000, 100);  // named segment
  // A new logo starts the plan on its own.
  env_->Record({absl::StrCat(
      "signal_id: 'c1' account: 'accounts/acme' occur_time ", At(now_ - 86400),
      " commercial { kind: COMMERCIAL_EVENT_KIND_NEW_LOGO arr_delta: 50000 "
      "}")});
  ASSERT_TRUE(PluginEnv::Eventually([&] { return !PlanText("acme").empty(); }));
  std::string plan = PlanText("acme");
  EXPECT_NE(plan.find("template: \"named\""), std::string::npos) << plan;
  EXPECT_NE(plan.find("key: \"value_validated\""), std::string::npos) << plan;

  // A meeting completes the kickoff; enough active users complete go-live.
  env_->Record(
      {absl::StrCat("signal_id: 't1' account: 'accounts/acme' occur_time ",
                    At(now_ - 3600),
                    " touchpoint { channel: TOUCHPOINT_CHANNEL_MEETING }"),
       absl::StrCat("signal_id: 'u1' account: 'accounts/acme' occur_time ",
                    At(now_ - 60), " usage { active_users: 60 }")});
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    auto p = Call("GetPlan", "account_id: 'acme'");
    return p && Int(*p, "completed") == 3;  // kickoff, technical_setup, go_live
  })) << PlanText("acme")
      << env_->host().GetPlugin("onboarding")->DebugString();
  plan = PlanText("acme");
  EXPECT_NE(plan.find("completed_by: \"signal:t1\""), std::string::npos)
      << plan;
  auto p = Call("GetPlan", "account_id: 'acme'");
  EXPECT_GT(Double(*p, "time_to_first_value_days"), 0.9);

  // By API; twice is a no-op.
  p = Call("CompleteMilestone", "account_id: 'acme' milestone: 'integration'");
  EXPECT_EQ(Int(*p, "completed"), 4);
  p = Call("CompleteMilestone", "account_id: 'acme' milestone: 'integration'");
  EXPECT_EQ(Int(*p, "completed"), 4);
  Call("CompleteMilestone", "account_id: 'acme' milestone: 'nope'",
       grpc::StatusCode::INVALID_ARGUMENT);
  Call("GetPlan", "account_id: 'nobody'", grpc::StatusCode::NOT_FOUND);

  // Completions become custom signals for the rest of Retain.
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    signal::v1::ListSignalsRequest req;
    req.set_account("accounts/acme");
    req.set_kind(signal::v1::SIGNAL_KIND_CUSTOM);
    auto r = env_->engine().ListSignals("default", req);
    if (!r.ok()) return false;
    int n = 0;
    for (const auto& s : r->signals())
      n += s.custom().type() == "onboarding.milestone_completed";
    return n == 4;
  })) <<
      [&] {
        signal::v1::ListSignalsRequest req;
        req.set_account("accounts/acme");
        auto r = env_->engine().ListSignals("default", req);
        return r.ok() ? r->DebugString() : r.status().ToString();
      }();

  auto sections = env_->host().AccountSections("default", "acme");
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].title(), "Onboarding");
  std::string fields = sections[0].DebugString();
  EXPECT_NE(fields.find("4/6"), std::string::npos) << fields;
}

TEST_F(OnboardingTest, OverdueMilestonesAlertOnceAndFeedHealth) {
  env_->CreateAccount("beta", 10000, 20);  // pooled
  Call("StartOnboarding",
       absl::StrCat("account_id: 'beta' start_time ", At(now_)));
  Call("CompleteMilestone", "account_id: 'beta' milestone: 'kickoff'");
  auto comps = env_->host().HealthComponents("default", "beta");
  ASSERT_EQ(comps.size(), 1u);
  EXPECT_EQ(comps[0].name(), "onboarding");
  EXPECT_EQ(comps[0].source(), "onboarding");
  EXPECT_DOUBLE_EQ(comps[0].weight(), 0.1);
  EXPECT_DOUBLE_EQ(comps[0].score(), 10);

  // 30 days later: technical_setup (14), integration (28) are overdue.
  offset_->store(30 * 86400);
  auto overdue = Call("ListOverdue", "");
  EXPECT_EQ(
      overdue->GetReflection()->FieldSize(
          *overdue, overdue->GetDescriptor()->FindFieldByName("milestones")),
      2)
      << Text(*overdue);
  auto alerts = env_->services().RecentAlerts();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].second.plugin(), "onboarding");
  EXPECT_EQ(alerts[0].second.code(), "onboarding.milestone_overdue");
  EXPECT_EQ(alerts[0].second.account_id(), "beta");
  Call("ListOverdue", "");
  EXPECT_EQ(env_->services().RecentAlerts().size(), 2u);  // once each

  comps = env_->host().HealthComponents("default", "beta");
  ASSERT_EQ(comps.size(), 1u);
  EXPECT_TRUE(comps[0].has_data());
  EXPECT_NEAR(comps[0].score(), 10.0 / 3, 1e-9);  // 2 of 3 due overdue

  auto metrics = Call("GetMetrics", "");
  EXPECT_EQ(Int(*metrics, "plans"), 1);
  EXPECT_EQ(Int(*metrics, "overdue_milestones"), 2);
  EXPECT_NEAR(Double(*metrics, "completion_rate"), 1.0 / 3, 1e-9);
}

// Milestone keys of the overdue alerts published so far, in order.
std::vector<std::string> OverdueAlerts(PluginEnv& env) {
  std::vector<std::string> out;
  for (const auto& [tenant, alert] : env.services().RecentAlerts()) {
    EXPECT_EQ(alert.plugin(), "onboarding");
    EXPECT_EQ(alert.code(), "onboarding.milestone_overdue");
    out.push_back(absl::StrCat(
        tenant, "/", alert.account_id(), ": ",
        alert.message().substr(0, alert.message().find(" was due"))));
  }
  return out;
}

TEST_F(OnboardingTest,
       QuietAccountsGetOverdueAlertsFromTicksOnceAcrossRestart) {
  std::string dir = TempDir("quiet");
  auto offset = offset_;
  PluginEnv::Options options{
      .plugins = {"plugins/onboarding/libonboarding.so"},
      // Only the test ticks (RunTicks); the timer would tick in an hour.
      .config_json = R"({"plugins": {"onboarding": {"tick_seconds": 3600}}})",
      .data_dir = dir,
      .clock = [offset] {
        return absl::Now() + absl::Seconds(offset->load());
      }};
  env_.reset();
  env_ = PluginEnv::Start(options);
  EXPECT_DOUBLE_EQ(env_->host().GetPlugin("onboarding")->tick_seconds(), 3600);
  // Two quiet accounts (pooled: kickoff 5 days, technical_setup 14,
  // integration 28, training 35, ...), one in another tenant, whose plan
  // started from a new-logo signal. After that: no signal, no API call.
  env_->CreateAccount("beta", 10000, 20);
  env_->CreateAccount("gamma", 10000, 20, "other");
  Call("StartOnboarding",
       absl::StrCat("account_id: 'beta' start_time ", At(now_)));
  env_->Record(
      {absl::StrCat("signal_id: 'c1' account: 'accounts/gamma' "
                    "occur_time ",
                    At(now_),
                    " commercial { kind: COMMERCIAL_EVENT_KIND_NEW_LOGO "
                    "arr_delta: 10000 }")},
      "other");
  ASSERT_TRUE(PluginEnv::Eventually(
      [&] { return !env_->host().AccountSections("other", "gamma").empty(); }));
  Call("CompleteMilestone", "account_id: 'beta' milestone: 'kickoff'");
  // Every signal (the completion's own too) handled before time moves on,
  // so from here only ticks can notice anything.
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    return env_->host().GetPlugin("onboarding")->counters().delivery_cursor() ==
           env_->engine().last_durable_seq();
  }));

  env_->host().RunTicks();  // nothing due yet
  EXPECT_TRUE(OverdueAlerts(*env_).empty());

  // 30 days on, still nobody says anything: ticks alone raise the alerts.
  offset_->store(30 * 86400);
  env_->host().RunTicks();
  EXPECT_EQ(OverdueAlerts(*env_),
            (std::vector<std::string>{
                "default/beta: onboarding milestone 'technical_setup'",
                "default/beta: onboarding milestone 'integration'",
                "other/gamma: onboarding milestone 'kickoff'",
                "other/gamma: onboarding milestone 'technical_setup'",
                "other/gamma: onboarding milestone 'integration'"}));
  env_->host().RunTicks();
  env_->host().RunTicks();
  EXPECT_EQ(OverdueAlerts(*env_).size(), 5u);  // once per milestone
  auto info = env_->host().GetPlugin("onboarding");
  EXPECT_EQ(info->counters().ticks(), 4);
  EXPECT_EQ(info->counters().tick_failures(), 0);
  // ListOverdue still lists them but does not alert again.
  auto overdue = Call("ListOverdue", "");
  EXPECT_EQ(
      overdue->GetReflection()->FieldSize(
          *overdue, overdue->GetDescriptor()->FindFieldByName("milestones")),
      2);
  EXPECT_EQ(OverdueAlerts(*env_).size(), 5u);
  // Health reflects the overdue milestones.
  auto comps = env_->host().HealthComponents("default", "beta");
  ASSERT_EQ(comps.size(), 1u);
  EXPECT_NEAR(comps[0].score(), 10.0 / 3, 1e-9);

  // A restart (new host, same store): the "alerted" marks persisted.
  env_.reset();
  env_ = PluginEnv::Start(options);
  env_->host().RunTicks();
  EXPECT_TRUE(OverdueAlerts(*env_).empty());

  // Later, training (35 days) becomes overdue: exactly its alerts.
  offset_->store(36 * 86400);
  env_->host().RunTicks();
  env_->host().RunTicks();
  EXPECT_EQ(OverdueAlerts(*env_),
            (std::vector<std::string>{
                "default/beta: onboarding milestone 'training'",
                "other/gamma: onboarding milestone 'training'"}));
}

TEST_F(OnboardingTest, TheTimerRaisesTheAlertWithoutAnyCall) {
  auto offset = offset_;
  env_.reset();
  env_ = PluginEnv::Start(
      {.plugins = {"plugins/onboarding/libonboarding.so"},
       .config_json = R"({"plugins": {"onboarding": {"tick_seconds": 0.02}}})",
       .clock = [offset] {
         return absl::Now() + absl::Seconds(offset->load());
       }});
  env_->CreateAccount("delta", 10000, 20);
  Call("StartOnboarding",
       absl::StrCat("account_id: 'delta' start_time ", At(now_)));
  offset_->store(6 * 86400);  // kickoff (5 days) overdue
  ASSERT_TRUE(PluginEnv::Eventually(
      [&] { return !env_->services().RecentAlerts().empty(); }));
  // Several more ticks later, still exactly one alert.
  int64_t ticks = env_->host().GetPlugin("onboarding")->counters().ticks();
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    return env_->host().GetPlugin("onboarding")->counters().ticks() >=
           ticks + 3;
  }));
  EXPECT_EQ(OverdueAlerts(*env_),
            std::vector<std::string>{
                "default/delta: onboarding milestone 'kickoff'"});
}

TEST_F(OnboardingTest, ConfiguredTemplatesAndMatches) {
  env_.reset();
  env_ = PluginEnv::Start(
      {.plugins = {"plugins/onboarding/libonboarding.so"},
       .config_json = R"({"plugins": {"onboarding": {"config": {
                               "templates": {"digital": {"kickoff": 1, "go_live": 2}},
                               "match": {"training": "academy.course_passed"}}}}})"});
  env_->CreateAccount("tiny", 1000, 5);  // digital
  Call("StartOnboarding", "account_id: 'tiny'");
  env_->Record(
      {absl::StrCat("signal_id: 'a1' account: 'accounts/tiny' occur_time ",
                    At(now_), " custom { type: 'academy.course_passed' }")});
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    return PlanText("tiny").find("completed_by: \"signal:a1\"") !=
           std::string::npos;
  }));
  std::string plan = PlanText("tiny");
  // Six milestones; kickoff's offset overridden to 1 day.
  EXPECT_NE(plan.find("key: \"kickoff\""), std::string::npos);
}

}  // namespace
}  // namespace retain::testing
