// The voice-of-the-customer plugin's unit tests on the fake host: its own
// code, linked in, driven as the server drives it. voc_plugin_test.cc runs
// the built library in the real host.
#include <atomic>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugins/common/plugin_util.h"
#include "retain/plugins/voc/v1/voc.pb.h"
#include "retain_plugin_testing.h"
#include "tests/plugins/concurrently.h"
#include "tests/plugins/sdk_signals.h"

namespace retain::testing {
namespace {

namespace pb = ::retain::plugins::voc::v1;
namespace signals = sdk_signals;
using plugins::MicrosOf;
using sdk::Code;
using sdk::kMicrosPerDay;
using sdk::testing::FakeHost;
using sdk::testing::LoadedPlugin;
using sdk::testing::PluginOptions;

const std::string kSvc = "/retain.plugins.voc.v1.VocService/";
const int32_t kNps = sdk::survey_kind::kNps;

class VocUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(host_.PutAccount({.id = "acme"}).ok());
    ASSERT_TRUE(host_.PutAccount({.id = "beta"}).ok());
    Load();
  }
  void Load() {
    auto p = host_.Load(&retain_plugin_on_load,
                        PluginOptions{.config_json = R"({"themes": {
            "performance": "slow, Latency", "billing": "invoice"}})"});
    ASSERT_TRUE(p.ok()) << p.status();
    plugin_.emplace(*p);
  }
  template <typename Response, typename Request>
  sdk::Result<Response> Call(const std::string& method, const Request& req) {
    return plugin_->CallProto<Response>(kSvc + method, req);
  }
  std::vector<pb::Feedback> Feedback(pb::ListFeedbackRequest req = {}) {
    auto r = Call<pb::ListFeedbackResponse>("ListFeedback", req);
    EXPECT_TRUE(r.ok()) << r.status();
    return {r->feedback().begin(), r->feedback().end()};
  }
  sdk::Result<pb::Action> Move(const std::string& action, pb::ActionStatus to) {
    pb::UpdateActionStatusRequest req;
    req.set_action_id(action);
    req.set_status(to);
    return Call<pb::Action>("UpdateActionStatus", req);
  }

  FakeHost host_;
  std::optional<LoadedPlugin> plugin_;
};

TEST_F(VocUnitTest, SurveyCommentsAndOpenedTicketsBecomeFeedbackOnce) {
  const int64_t now = host_.NowMicros();
  ASSERT_TRUE(plugin_
                  ->Deliver(signals::Survey("s1", "acme", now, kNps, 4,
                                            "Exports are SLOW", "ada"))
                  .ok());
  ASSERT_TRUE(
      plugin_
          ->Deliver(signals::Survey("s2", "acme", now, sdk::survey_kind::kCsat,
                                    5, "love it", "bob"))
          .ok());
  ASSERT_TRUE(
      plugin_->Deliver(signals::Survey("s3", "acme", now, kNps, 9)).ok());
  ASSERT_TRUE(plugin_
                  ->Deliver(signals::Ticket("t1", "beta", now, "T-7",
                                            sdk::ticket_status::kOpened,
                                            "Invoice total is wrong"))
                  .ok());
  ASSERT_TRUE(plugin_
                  ->Deliver(signals::Ticket("t2", "beta", now, "T-7",
                                            sdk::ticket_status::kClosed,
                                            "Invoice total is wrong"))
                  .ok());
  std::vector<pb::Feedback> all = Feedback();
  ASSERT_EQ(all.size(), 3u);  // no comment, no feedback; closing adds none
  const pb::Feedback& slow = all[0];
  EXPECT_EQ(slow.feedback_id(), "s-s1");
  EXPECT_EQ(slow.source(), pb::SOURCE_SURVEY);
  EXPECT_TRUE(slow.detractor());
  EXPECT_EQ(slow.themes(0), "performance");
  EXPECT_EQ(MicrosOf(slow.follow_up_due_time()), now + 7 * kMicrosPerDay);
  EXPECT_FALSE(all[1].detractor());  // CSAT 5
  EXPECT_EQ(all[2].feedback_id(), "t-T-7");
  EXPECT_EQ(all[2].themes(0), "billing");

  // Redelivered: nothing new.
  ASSERT_TRUE(plugin_->Redeliver(1).ok());
  ASSERT_TRUE(plugin_->Redeliver(4).ok());
  EXPECT_EQ(Feedback().size(), 3u);

  pb::ListFeedbackRequest billing;
  billing.set_theme("billing");
  EXPECT_EQ(Feedback(billing).size(), 1u);
  pb::ListFeedbackRequest of_acme;
  of_acme.set_account_id("acme");
  EXPECT_EQ(Feedback(of_acme).size(), 2u);
}

TEST_F(VocUnitTest, ShippingAnActionClosesItsLoopsAndNotifiesOnce) {
  pb::CreateFeedbackRequest manual;
  manual.set_account_id("acme");
  manual.set_text("needs SSO");
  manual.set_respondent("ada");
  auto f1 = Call<pb::Feedback>("CreateFeedback", manual);
  ASSERT_TRUE(f1.ok()) << f1.status();
  EXPECT_EQ(f1->feedback_id(), "f1");
  manual.set_account_id("beta");
  ASSERT_TRUE(Call<pb::Feedback>("CreateFeedback", manual).ok());
  manual.set_account_id("nobody");
  EXPECT_EQ(Call<pb::Feedback>("CreateFeedback", manual).status().code(),
            Code::kNotFound);

  pb::CreateActionRequest create;
  create.set_title("Ship SSO");
  create.set_theme("security");
  create.add_feedback_ids("f1");
  auto action = Call<pb::Action>("CreateAction", create);
  ASSERT_TRUE(action.ok()) << action.status();
  EXPECT_EQ(action->action_id(), "a1");
  pb::LinkFeedbackRequest link;
  link.set_action_id("a1");
  link.add_feedback_ids("f2");
  ASSERT_EQ(Call<pb::Action>("LinkFeedback", link)->feedback_ids_size(), 2);
  // Feedback belongs to one action.
  pb::CreateActionRequest other;
  other.set_title("Something else");
  other.add_feedback_ids("f2");
  EXPECT_EQ(Call<pb::Action>("CreateAction", other).status().code(),
            Code::kFailedPrecondition);

  EXPECT_EQ(Move("a1", pb::ACTION_STATUS_PLANNED).status().code(),
            Code::kFailedPrecondition);  // NEW -> TRIAGED first
  ASSERT_TRUE(Move("a1", pb::ACTION_STATUS_TRIAGED).ok());
  ASSERT_TRUE(Move("a1", pb::ACTION_STATUS_PLANNED).ok());
  host_.AdvanceDays(10);
  auto shipped = Move("a1", pb::ACTION_STATUS_SHIPPED);
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  EXPECT_EQ(shipped->loops_closed(), 2);
  ASSERT_TRUE(Move("a1", pb::ACTION_STATUS_SHIPPED).ok());  // no-op
  EXPECT_EQ(Move("a1", pb::ACTION_STATUS_WONT_DO).status().code(),
            Code::kFailedPrecondition);

  std::vector<std::string> notified;
  for (const auto& s : host_.emitted_signals()) {
    EXPECT_EQ(s.custom.type, "voc.loop_closed");
    notified.push_back(s.signal_id + " " + s.account_id);
  }
  EXPECT_EQ(notified,
            (std::vector<std::string>{"voc-a1-f1 acme", "voc-a1-f2 beta"}));
  pb::ListFeedbackRequest open;
  open.set_open_only(true);
  EXPECT_TRUE(Feedback(open).empty());

  auto metrics = Call<pb::VocMetrics>("GetMetrics", pb::GetMetricsRequest());
  EXPECT_EQ(metrics->actions_shipped(), 1);
  EXPECT_DOUBLE_EQ(metrics->closed_share(), 1);
  EXPECT_DOUBLE_EQ(metrics->avg_days_to_close(), 10);

  auto section = plugin_->ReportSection("default", "acme");
  ASSERT_TRUE(section.ok() && section->has_value()) << section.status();
  EXPECT_EQ((*section)->title, "Voice of the customer");
  EXPECT_EQ((*section)->fields[1].name, "loops_closed");
  EXPECT_EQ((*section)->fields[1].value, "1");
}

TEST_F(VocUnitTest, OverdueDetractorFollowUpsAlertOnceFromTicks) {
  const int64_t now = host_.NowMicros();
  ASSERT_TRUE(plugin_
                  ->Deliver(signals::Survey("s1", "acme", now, kNps, 2,
                                            "too expensive", "ada"))
                  .ok());
  ASSERT_TRUE(plugin_
                  ->Deliver(signals::Survey("s2", "beta", now, kNps, 5,
                                            "slow support", "bob"))
                  .ok());
  // Bob got his follow-up in time; nobody called Ada.
  pb::RecordFollowUpRequest follow_up;
  follow_up.set_feedback_id("s-s2");
  follow_up.set_note("called, fixed");
  ASSERT_TRUE(Call<pb::Feedback>("RecordFollowUp", follow_up).ok());

  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_TRUE(host_.alerts().empty());
  host_.AdvanceDays(8);
  ASSERT_TRUE(plugin_->Tick().ok());
  ASSERT_TRUE(plugin_->Tick().ok());
  auto alerts = host_.TakeAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].code, "voc.detractor_follow_up_overdue");
  EXPECT_EQ(alerts[0].account_id, "acme");
  EXPECT_NE(alerts[0].message.find("from ada"), std::string::npos);

  auto overdue = Call<pb::ListFeedbackResponse>("CheckFollowUps",
                                                pb::CheckFollowUpsRequest());
  ASSERT_EQ(overdue->feedback_size(), 1);
  EXPECT_TRUE(overdue->feedback(0).follow_up_alerted());
  plugin_->Unload();
  Load();
  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_TRUE(host_.alerts().empty());

  auto metrics = Call<pb::VocMetrics>("GetMetrics", pb::GetMetricsRequest());
  EXPECT_EQ(metrics->detractors(), 2);
  EXPECT_EQ(metrics->detractors_followed_up_on_time(), 1);
  EXPECT_EQ(metrics->follow_ups_overdue(), 1);
}

// A detractor who leaves no comment is followed up like one who does: the
// answer becomes feedback with a deadline 7 days out, and is alerted once
// overdue. A silent promoter's answer is not feedback.
TEST_F(VocUnitTest, ADetractorWithoutACommentIsFollowedUp) {
  const int64_t now = host_.NowMicros();
  ASSERT_TRUE(plugin_
                  ->Deliver(signals::Survey("s1", "acme", now, kNps, 3,
                                            /*comment=*/"", "ada"))
                  .ok());
  ASSERT_TRUE(
      plugin_->Deliver(signals::Survey("s2", "acme", now, kNps, 10)).ok());
  ASSERT_TRUE(plugin_
                  ->Deliver(signals::Survey("s3", "beta", now,
                                            sdk::survey_kind::kCsat, 1))
                  .ok());
  std::vector<pb::Feedback> all = Feedback();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].feedback_id(), "s-s1");
  EXPECT_TRUE(all[0].detractor());
  EXPECT_EQ(all[0].text(), "NPS 3, no comment");
  EXPECT_EQ(all[0].respondent(), "ada");
  EXPECT_EQ(MicrosOf(all[0].follow_up_due_time()), now + 7 * kMicrosPerDay);
  EXPECT_EQ(all[1].feedback_id(), "s-s3");
  EXPECT_EQ(all[1].text(), "CSAT 1, no comment");
  EXPECT_TRUE(all[1].detractor());

  host_.AdvanceDays(8);
  ASSERT_TRUE(plugin_->Tick().ok());
  auto alerts = host_.TakeAlerts();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].code, "voc.detractor_follow_up_overdue");
  auto metrics = Call<pb::VocMetrics>("GetMetrics", pb::GetMetricsRequest());
  EXPECT_EQ(metrics->detractors(), 2);
  EXPECT_EQ(metrics->follow_ups_overdue(), 2);
}

// Calls run on several workers at once and the plugin takes no lock over
// its KV: concurrent feedback never shares an id, concurrent links to one
// action all land, and concurrent checks alert each overdue follow-up once.
TEST_F(VocUnitTest, ConcurrentCallsLoseNothingAndAlertOnce) {
  constexpr int kThreads = 8, kEach = 20, kAll = kThreads * kEach;
  pb::CreateActionRequest create;
  create.set_title("faster exports");
  ASSERT_TRUE(Call<pb::Action>("CreateAction", create).ok());
  std::atomic<int> failed{0};
  Concurrently(kThreads, [&](int t) {
    for (int i = 0; i < kEach; ++i) {
      pb::CreateFeedbackRequest req;
      req.set_account_id("acme");
      req.set_text("exports are slow " + std::to_string(t) + "/" +
                   std::to_string(i));
      req.set_detractor(true);
      auto f = Call<pb::Feedback>("CreateFeedback", req);
      if (!f.ok()) {
        failed.fetch_add(1);
        continue;
      }
      pb::LinkFeedbackRequest link;
      link.set_action_id("a1");
      link.add_feedback_ids(f->feedback_id());
      if (!Call<pb::Action>("LinkFeedback", link).ok()) failed.fetch_add(1);
    }
  });
  EXPECT_EQ(failed.load(), 0);
  std::set<std::string> ids;
  for (const auto& f : Feedback()) {
    ids.insert(f.feedback_id());
    EXPECT_EQ(f.action_id(), "a1") << f.feedback_id();
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kAll));
  auto listed =
      Call<pb::ListActionsResponse>("ListActions", pb::ListActionsRequest());
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->actions_size(), 1);
  EXPECT_EQ(listed->actions(0).feedback_ids_size(), kAll);

  host_.AdvanceDays(8);  // every follow-up overdue
  Concurrently(kThreads, [&](int) {
    auto overdue = Call<pb::ListFeedbackResponse>("CheckFollowUps",
                                                  pb::CheckFollowUpsRequest());
    if (!overdue.ok() || overdue->feedback_size() != kAll) failed.fetch_add(1);
  });
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(host_.TakeAlerts().size(), static_cast<size_t>(kAll));
  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_TRUE(host_.alerts().empty());
  for (const auto& f : Feedback()) {
    EXPECT_TRUE(f.follow_up_alerted()) << f.feedback_id();
    EXPECT_EQ(f.action_id(), "a1") << f.feedback_id();  // kept
  }
}

TEST_F(VocUnitTest, ActionsListByFilterInPages) {
  for (const char* title : {"one", "two", "three"}) {
    pb::CreateActionRequest req;
    req.set_title(title);
    req.set_theme(std::string(title) == "two" ? "billing" : "ux");
    ASSERT_TRUE(Call<pb::Action>("CreateAction", req).ok());
  }
  ASSERT_TRUE(Move("a3", pb::ACTION_STATUS_WONT_DO).ok());
  pb::ListActionsRequest page;
  page.set_page_size(2);
  auto first = Call<pb::ListActionsResponse>("ListActions", page);
  ASSERT_EQ(first->actions_size(), 2);
  page.set_page_token(first->next_page_token());
  auto second = Call<pb::ListActionsResponse>("ListActions", page);
  ASSERT_EQ(second->actions_size(), 1);
  EXPECT_TRUE(second->next_page_token().empty());

  pb::ListActionsRequest open_ux;
  open_ux.set_open_only(true);
  open_ux.set_theme("ux");
  auto r = Call<pb::ListActionsResponse>("ListActions", open_ux);
  ASSERT_EQ(r->actions_size(), 1);
  EXPECT_EQ(r->actions(0).title(), "one");
  pb::ListActionsRequest of_acme;
  of_acme.set_account_id("acme");  // none linked
  EXPECT_EQ(
      Call<pb::ListActionsResponse>("ListActions", of_acme)->actions_size(), 0);
  EXPECT_FALSE(plugin_->ReportSection("default", "acme")->has_value());
}

}  // namespace
}  // namespace retain::testing
