// The onboarding plugin's unit tests on the fake host: its own code,
// linked in, driven as the server drives it. onboarding_plugin_test.cc
// runs the built library in the real host.
#include <atomic>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugins/common/plugin_util.h"
#include "retain/plugins/onboarding/v1/onboarding.pb.h"
#include "retain_plugin_testing.h"
#include "tests/plugins/concurrently.h"
#include "tests/plugins/sdk_signals.h"

namespace retain::testing {
namespace {

namespace pb = ::retain::plugins::onboarding::v1;
namespace signals = sdk_signals;
using plugins::FormatDate;
using plugins::TimestampOf;
using sdk::Code;
using sdk::kMicrosPerDay;
using sdk::testing::FakeHost;
using sdk::testing::LoadedPlugin;
using sdk::testing::PluginOptions;

const std::string kSvc = "/retain.plugins.onboarding.v1.OnboardingService/";

class OnboardingUnitTest : public ::testing::Test {
 protected:
  void SetUp() override { Load(); }
  void Load(const PluginOptions& options = PluginOptions()) {
    auto p = host_.Load(&retain_plugin_on_load, options);
    ASSERT_TRUE(p.ok()) << p.status();
    plugin_.emplace(*p);
  }
  void Account(const std::string& id, int32_t segment, int32_t seats = 100,
               const std::string& tenant = "default") {
    ASSERT_TRUE(host_
                    .PutAccount({.id = id,
                                 .arr = 10000,
                                 .licensed_seats = seats,
                                 .segment = segment},
                                tenant)
                    .ok());
  }
  sdk::Result<pb::Plan> GetPlan(const std::string& account) {
    pb::GetPlanRequest req;
    req.set_account_id(account);
    return plugin_->CallProto<pb::Plan>(kSvc + "GetPlan", req);
  }
  sdk::Result<pb::Plan> Complete(const std::string& account,
                                 const std::string& milestone) {
    pb::CompleteMilestoneRequest req;
    req.set_account_id(account);
    req.set_milestone(milestone);
    return plugin_->CallProto<pb::Plan>(kSvc + "CompleteMilestone", req);
  }
  sdk::Result<pb::Plan> Start(const std::string& account,
                              const std::string& tenant = "default") {
    pb::StartOnboardingRequest req;
    req.set_account_id(account);
    *req.mutable_start_time() = TimestampOf(host_.NowMicros());
    return plugin_->CallProto<pb::Plan>(kSvc + "StartOnboarding", req, tenant);
  }
  // "tenant/account: milestone" of the overdue alerts since the last call.
  std::vector<std::string> NewOverdueAlerts() {
    std::vector<std::string> out;
    for (const auto& a : host_.TakeAlerts()) {
      EXPECT_EQ(a.plugin, "onboarding");
      EXPECT_EQ(a.code, "onboarding.milestone_overdue");
      EXPECT_EQ(a.severity, static_cast<int>(sdk::AlertSeverity::kWarning));
      out.push_back(a.tenant + "/" + a.account_id + ": " +
                    a.message.substr(0, a.message.find(" was due")));
    }
    return out;
  }

  FakeHost host_;
  std::optional<LoadedPlugin> plugin_;
};

TEST_F(OnboardingUnitTest, SignalsStartThePlanAndCompleteMilestones) {
  Account("acme", sdk::segment::kNamed);
  const int64_t now = host_.NowMicros();
  // A new logo starts the plan from the segment's template, dated by it.
  ASSERT_TRUE(
      plugin_
          ->Deliver(signals::Commercial("c1", "acme", now - kMicrosPerDay,
                                        sdk::commercial_kind::kNewLogo, 10000))
          .ok());
  auto plan = GetPlan("acme");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->template_(), "named");
  ASSERT_EQ(plan->milestones_size(), 6);
  EXPECT_EQ(plugins::MicrosOf(plan->milestones(0).due_time()),
            now - kMicrosPerDay + 7 * kMicrosPerDay);  // named: kickoff 7d

  // A meeting completes the kickoff; half the seats active, go-live.
  ASSERT_TRUE(plugin_
                  ->Deliver(signals::Touchpoint(
                      "t1", "acme", now - 3600 * sdk::kMicrosPerSecond,
                      sdk::touchpoint_channel::kMeeting))
                  .ok());
  ASSERT_TRUE(plugin_->Deliver(signals::Usage("u1", "acme", now, 50)).ok());
  plan = GetPlan("acme");
  EXPECT_EQ(plan->completed(), 3);  // kickoff, technical_setup, go_live
  EXPECT_EQ(plan->milestones(0).completed_by(), "signal:t1");
  EXPECT_DOUBLE_EQ(plan->time_to_first_value_days(), 1.0);

  // Each completion became one custom signal for the rest of Retain (and
  // came back to the plugin, which changed nothing).
  std::vector<std::string> emitted;
  for (const auto& s : host_.emitted_signals()) {
    EXPECT_EQ(s.custom.type, "onboarding.milestone_completed");
    emitted.push_back(s.signal_id + " by " +
                      s.custom.attributes.at("completed_by"));
  }
  EXPECT_EQ(emitted, (std::vector<std::string>{
                         "onboarding-acme-kickoff by signal:t1",
                         "onboarding-acme-technical_setup by signal:u1",
                         "onboarding-acme-go_live by signal:u1"}));
  EXPECT_EQ(plugin_->failures(), 0);

  // By API; twice is a no-op; unknown ones are refused.
  EXPECT_EQ(Complete("acme", "integration")->completed(), 4);
  EXPECT_EQ(Complete("acme", "integration")->completed(), 4);
  EXPECT_EQ(host_.emitted_signals().size(), 4u);
  EXPECT_EQ(Complete("acme", "nope").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(GetPlan("nobody").status().code(), Code::kNotFound);

  auto section = plugin_->ReportSection("default", "acme");
  ASSERT_TRUE(section.ok() && section->has_value()) << section.status();
  EXPECT_EQ((*section)->title, "Onboarding");
  std::map<std::string, std::string> fields;
  for (const auto& f : (*section)->fields) fields[f.name] = f.value;
  EXPECT_EQ(fields["template"], "named");
  EXPECT_EQ(fields["progress"], "4/6");
  EXPECT_EQ(fields["next"], "training due " + FormatDate(now - kMicrosPerDay +
                                                         45 * kMicrosPerDay));
  EXPECT_EQ(fields["time_to_first_value_days"], "1.0");
}

// A go-live on the day the plan starts is 0 days to first value, and it
// counts in the average: (0 + 10) / 2 = 5 days, not 10.
TEST_F(OnboardingUnitTest, ASameDayGoLiveCountsInTheAverageTimeToValue) {
  Account("fast", sdk::segment::kNamed);
  Account("slow", sdk::segment::kNamed);
  ASSERT_TRUE(Start("fast").ok());
  ASSERT_TRUE(Start("slow").ok());
  auto fast = Complete("fast", "go_live");
  ASSERT_TRUE(fast.ok()) << fast.status();
  EXPECT_DOUBLE_EQ(fast->time_to_first_value_days(), 0);
  host_.AdvanceDays(10);
  ASSERT_TRUE(Complete("slow", "go_live").ok());

  auto metrics = plugin_->CallProto<pb::OnboardingMetrics>(
      kSvc + "GetMetrics", pb::GetMetricsRequest());
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_DOUBLE_EQ(metrics->avg_time_to_first_value_days(), 5);

  auto section = plugin_->ReportSection("default", "fast");
  ASSERT_TRUE(section.ok() && section->has_value()) << section.status();
  EXPECT_EQ((*section)->fields.back().name, "time_to_first_value_days");
  EXPECT_EQ((*section)->fields.back().value, "0.0");
}

TEST_F(OnboardingUnitTest, ARedeliveredSignalChangesNothing) {
  Account("acme", sdk::segment::kPooled);
  ASSERT_TRUE(
      plugin_
          ->Deliver(signals::Lifecycle("l1", "acme", host_.NowMicros(),
                                       sdk::lifecycle_stage::kOnboarding))
          .ok());
  ASSERT_TRUE(
      plugin_
          ->Deliver(signals::Touchpoint("t1", "acme", host_.NowMicros(),
                                        sdk::touchpoint_channel::kMeeting))
          .ok());
  const auto state = host_.KvEntries("onboarding", "default");
  const size_t emitted = host_.emitted_signals().size();
  ASSERT_TRUE(plugin_->Redeliver(1).ok());
  ASSERT_TRUE(plugin_->Redeliver(2).ok());
  EXPECT_EQ(host_.KvEntries("onboarding", "default"), state);
  EXPECT_EQ(host_.emitted_signals().size(), emitted);
  EXPECT_EQ(GetPlan("acme")->template_(), "pooled");
}

TEST_F(OnboardingUnitTest, OverdueMilestonesAlertOnceFromTicksAndFeedHealth) {
  Account("beta", sdk::segment::kPooled);  // 5, 14, 28, 35, 45, 75 days
  Account("gamma", sdk::segment::kPooled, 100, "other");
  ASSERT_TRUE(Start("beta").ok());
  ASSERT_TRUE(Start("gamma", "other").ok());
  ASSERT_TRUE(Complete("beta", "kickoff").ok());
  EXPECT_TRUE(plugin_->ticks());

  auto health = plugin_->AccountHealthComponent("default", "beta");
  ASSERT_TRUE(health.ok() && health->has_value()) << health.status();
  EXPECT_EQ((*health)->name, "onboarding");
  EXPECT_EQ((*health)->source, "onboarding");
  EXPECT_DOUBLE_EQ((*health)->weight, 0.1);
  EXPECT_DOUBLE_EQ((*health)->score, 10);
  EXPECT_TRUE((*health)->has_data);

  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_TRUE(NewOverdueAlerts().empty());

  // 30 days on, nobody says anything: the tick alone raises the alerts,
  // in every tenant.
  host_.AdvanceDays(30);
  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_EQ(NewOverdueAlerts(),
            (std::vector<std::string>{
                "default/beta: onboarding milestone 'technical_setup'",
                "default/beta: onboarding milestone 'integration'",
                "other/gamma: onboarding milestone 'kickoff'",
                "other/gamma: onboarding milestone 'technical_setup'",
                "other/gamma: onboarding milestone 'integration'"}));
  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_TRUE(NewOverdueAlerts().empty());  // once per milestone

  auto overdue = plugin_->CallProto<pb::ListOverdueResponse>(
      kSvc + "ListOverdue", pb::ListOverdueRequest());
  ASSERT_TRUE(overdue.ok()) << overdue.status();
  EXPECT_EQ(overdue->milestones_size(), 2);
  EXPECT_DOUBLE_EQ(overdue->milestones(0).days_overdue(), 30 - 14);
  EXPECT_TRUE(NewOverdueAlerts().empty());

  // Two of three due milestones overdue.
  health = plugin_->AccountHealthComponent("default", "beta");
  EXPECT_NEAR((*health)->score, 10.0 / 3, 1e-9);
  auto metrics = plugin_->CallProto<pb::OnboardingMetrics>(
      kSvc + "GetMetrics", pb::GetMetricsRequest());
  EXPECT_EQ(metrics->plans(), 1);
  EXPECT_EQ(metrics->overdue_milestones(), 2);
  EXPECT_NEAR(metrics->completion_rate(), 1.0 / 3, 1e-9);

  // A restart keeps the "alerted" marks; then training comes due.
  plugin_->Unload();
  Load();
  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_TRUE(NewOverdueAlerts().empty());
  host_.AdvanceDays(6);
  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_EQ(NewOverdueAlerts(),
            (std::vector<std::string>{
                "default/beta: onboarding milestone 'training'",
                "other/gamma: onboarding milestone 'training'"}));
}

// Calls run on several workers at once and the plugin takes no lock over
// its KV: completions of one plan at once all land, and passes that find
// the same overdue milestones at once alert each of them once.
TEST_F(OnboardingUnitTest, ConcurrentCallsLoseNoCompletionAndAlertOnce) {
  constexpr int kAccounts = 20, kPasses = 8;
  auto id = [](const char* prefix, int i) {
    return prefix + std::to_string(i);
  };
  for (int i = 0; i < kAccounts; ++i) {
    Account(id("done", i), sdk::segment::kNamed);
    Account(id("late", i), sdk::segment::kNamed);
    ASSERT_TRUE(Start(id("done", i)).ok());
    ASSERT_TRUE(Start(id("late", i)).ok());
  }
  auto plan = GetPlan("done0");
  ASSERT_TRUE(plan.ok()) << plan.status();
  const int milestones = plan->milestones_size();
  // One thread per milestone, each completing its own on every plan.
  std::atomic<int> failed{0};
  Concurrently(milestones, [&](int m) {
    for (int i = 0; i < kAccounts; ++i) {
      if (!Complete(id("done", i), plan->milestones(m).key()).ok()) {
        failed.fetch_add(1);
      }
    }
  });
  EXPECT_EQ(failed.load(), 0);
  for (int i = 0; i < kAccounts; ++i) {
    EXPECT_EQ(GetPlan(id("done", i))->completed(), milestones) << i;
  }

  host_.AdvanceDays(365);  // every milestone of the late plans overdue
  Concurrently(kPasses, [&](int) {
    auto overdue = plugin_->CallProto<pb::ListOverdueResponse>(
        kSvc + "ListOverdue", pb::ListOverdueRequest());
    if (!overdue.ok() || overdue->milestones_size() != kAccounts * milestones) {
      failed.fetch_add(1);
    }
  });
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(NewOverdueAlerts().size(),
            static_cast<size_t>(kAccounts * milestones));
  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_TRUE(NewOverdueAlerts().empty());
}

TEST_F(OnboardingUnitTest, NoPlanNoSectionNoComponent) {
  Account("acme", sdk::segment::kNamed);
  EXPECT_FALSE(plugin_->ReportSection("default", "acme")->has_value());
  EXPECT_FALSE(plugin_->AccountHealthComponent("default", "acme")->has_value());
  // A plan needs an account.
  EXPECT_EQ(Start("nobody").status().code(), Code::kNotFound);
}

TEST(OnboardingConfigTest, TemplatesAndMatchesComeFromTheConfig) {
  FakeHost host;
  ASSERT_TRUE(
      host.PutAccount({.id = "tiny", .segment = sdk::segment::kDigital}).ok());
  auto plugin =
      host.Load(&retain_plugin_on_load, PluginOptions{.config_json = R"({
          "templates": {"digital": {"kickoff": 1, "go_live": 2}},
          "match": {"training": "academy.course_passed"}})"});
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  pb::StartOnboardingRequest start;
  start.set_account_id("tiny");
  auto plan = plugin->CallProto<pb::Plan>(kSvc + "StartOnboarding", start);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->milestones_size(), 6);
  EXPECT_EQ(plan->milestones(0).key(), "kickoff");
  EXPECT_EQ(plugins::MicrosOf(plan->milestones(0).due_time()),
            host.NowMicros() + kMicrosPerDay);
  EXPECT_EQ(plan->milestones(1).key(), "go_live");

  ASSERT_TRUE(plugin
                  ->Deliver(signals::Custom("a1", "tiny", host.NowMicros(),
                                            "academy.course_passed"))
                  .ok());
  pb::GetPlanRequest get;
  get.set_account_id("tiny");
  plan = plugin->CallProto<pb::Plan>(kSvc + "GetPlan", get);
  for (const auto& m : plan->milestones()) {
    if (m.key() == "training") {
      EXPECT_EQ(m.completed_by(), "signal:a1");
    }
  }

  FakeHost other;
  auto bad =
      other.Load(&retain_plugin_on_load, PluginOptions{.config_json = R"({
          "templates": {"digital": {"kickoff": -1}}})"});
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("templates.digital.kickoff"),
            std::string::npos)
      << bad.status();
}

}  // namespace
}  // namespace retain::testing
