// The voice-of-the-customer plugin loaded from disk into a real host.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tests/plugins/plugin_env.h"

namespace retain::testing {
namespace {

using google::protobuf::Message;

constexpr char kSvc[] = "retain.plugins.voc.v1.VocService.";

std::string Text(const Message& m) {
  std::string s;
  google::protobuf::TextFormat::PrintToString(m, &s);
  return s;
}
int Count(const Message& m, const std::string& field) {
  return m.GetReflection()->FieldSize(
      m, m.GetDescriptor()->FindFieldByName(field));
}
double Double(const Message& m, const std::string& field) {
  return m.GetReflection()->GetDouble(
      m, m.GetDescriptor()->FindFieldByName(field));
}
int Int(const Message& m, const std::string& field) {
  return m.GetReflection()->GetInt32(m,
                                     m.GetDescriptor()->FindFieldByName(field));
}

class VocTest : public ::testing::Test {
 protected:
  void SetUp() override {
    offset_ = std::make_shared<std::atomic<int64_t>>(0);
    auto offset = offset_;
    env_ =
        PluginEnv::Start({.plugins = {"plugins/voc/libvoc.so"},
                          .config_json = R"({"plugins": {"voc": {"config": {
             "follow_up_days": 7, "themes": {"reporting": "report, export, csv"}}}}})",
                          .clock = [offset] {
                            return absl::Now() + absl::Seconds(offset->load());
                          }});
    ASSERT_EQ(env_->StateOf("voc"), plugin::v1::PLUGIN_STATE_READY);
  }
  std::unique_ptr<Message> Call(const std::string& method,
                                const std::string& text,
                                grpc::StatusCode want = grpc::StatusCode::OK) {
    std::unique_ptr<Message> resp;
    grpc::Status s = env_->CallText(kSvc + method, text, &resp);
    EXPECT_EQ(s.error_code(), want) << method << ": " << s.error_message();
    return resp;
  }

 public:
  PluginEnv* env() { return env_.get(); }

 protected:
  std::shared_ptr<std::atomic<int64_t>> offset_;
  std::unique_ptr<PluginEnv> env_;
};

TEST_F(VocTest, FeedbackToShippedActionClosesEveryLoop) {
  env_->CreateAccount("acme", 30000);
  env_->CreateAccount("beta", 8000);
  int64_t now = absl::ToUnixSeconds(absl::Now());
  env_->Record(
      {absl::StrCat(
           "signal_id: 's1' account: 'accounts/acme' occur_time { seconds: ",
           now - 60,
           " } survey { kind: SURVEY_KIND_NPS score: 3 comment: 'CSV export is "
           "broken'"
           " respondent: 'jo@acme.example' }"),
       absl::StrCat(
           "signal_id: 's2' account: 'accounts/acme' occur_time { seconds: ",
           now - 50,
           " } survey { kind: SURVEY_KIND_NPS score: 9 }")});  // no comment
  env_->Record(
      {absl::StrCat(
          "signal_id: 'k1' account: 'accounts/beta' occur_time { seconds: ",
          now - 40,
          " } ticket { ticket_id: 'T-1' status: TICKET_STATUS_OPENED"
          " severity: TICKET_SEVERITY_HIGH subject: 'Report export fails' }")},
      "default");
  std::unique_ptr<Message> list;
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    list = Call("ListFeedback", "theme: 'reporting'");
    return list && Count(*list, "feedback") == 2;
  })) << (list ? Text(*list) : "");
  std::string text = Text(*list);
  EXPECT_NE(text.find("feedback_id: \"s-s1\""), std::string::npos) << text;
  EXPECT_NE(text.find("detractor: true"), std::string::npos) << text;
  EXPECT_NE(text.find("feedback_id: \"t-T-1\""), std::string::npos) << text;
  Call("CreateFeedback",
       "account_id: 'acme' text: 'Love the dashboards' respondent: 'sam'");

  auto action = Call("CreateAction",
                     "title: 'Fix CSV export' theme: 'reporting' feedback_ids: "
                     "['s-s1', 't-T-1']");
  Call("UpdateActionStatus", "action_id: 'a1' status: ACTION_STATUS_SHIPPED",
       grpc::StatusCode::FAILED_PRECONDITION);  // must be triaged and planned
                                                // first
  Call("UpdateActionStatus", "action_id: 'a1' status: ACTION_STATUS_TRIAGED");
  auto m = Call("GetMetrics", "");
  EXPECT_DOUBLE_EQ(Double(*m, "actioned_share"), 0);
  Call("UpdateActionStatus", "action_id: 'a1' status: ACTION_STATUS_PLANNED");
  m = Call("GetMetrics", "");
  EXPECT_NEAR(Double(*m, "actioned_share"), 2.0 / 3, 1e-9);
  action = Call("UpdateActionStatus",
                "action_id: 'a1' status: ACTION_STATUS_SHIPPED");
  EXPECT_EQ(Int(*action, "loops_closed"), 2);

  // Each customer who gave linked feedback gets a loop-closed signal.
  for (const std::string account : {"acme", "beta"}) {
    signal::v1::ListSignalsRequest req;
    req.set_account("accounts/" + account);
    req.set_kind(signal::v1::SIGNAL_KIND_CUSTOM);
    auto r = env_->engine().ListSignals("default", req);
    ASSERT_TRUE(r.ok());
    int closed = 0;
    for (const auto& s : r->signals())
      closed += s.custom().type() == "voc.loop_closed";
    EXPECT_EQ(closed, 1) << account;
  }
  m = Call("GetMetrics", "");
  EXPECT_NEAR(Double(*m, "closed_share"), 2.0 / 3, 1e-9);
  EXPECT_EQ(Int(*m, "actions_shipped"), 1);
  auto open = Call("ListFeedback", "open_only: true");
  EXPECT_EQ(Count(*open, "feedback"), 1);

  auto sections = env_->host().AccountSections("default", "acme");
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].title(), "Voice of the customer");
}

TEST_F(VocTest, DetractorFollowUpDeadlineAlertsOnce) {
  env_->CreateAccount("acme", 30000);
  Call("CreateFeedback",
       "account_id: 'acme' text: 'Too slow' detractor: true respondent: 'kim'");
  Call(
      "CreateFeedback",
      "account_id: 'acme' text: 'Confusing' detractor: true respondent: 'lee'");
  Call("RecordFollowUp", "feedback_id: 'f2' note: 'called lee'");
  auto due = Call("CheckFollowUps", "");
  EXPECT_EQ(Count(*due, "feedback"), 0);
  offset_->store(8 * 86400);
  due = Call("CheckFollowUps", "");
  EXPECT_EQ(Count(*due, "feedback"), 1);
  Call("CheckFollowUps", "");
  auto alerts = env_->services().RecentAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].second.code(), "voc.detractor_follow_up_overdue");
  auto m = Call("GetMetrics", "");
  EXPECT_EQ(Int(*m, "detractors"), 2);
  EXPECT_EQ(Int(*m, "detractors_followed_up_on_time"), 1);
  EXPECT_EQ(Int(*m, "follow_ups_overdue"), 1);
}

TEST_F(VocTest, QuietDetractorGetsFollowUpAlertFromTicksOnceAcrossRestart) {
  std::string dir = TempDir("voc");
  auto offset = offset_;
  PluginEnv::Options options{
      .plugins = {"plugins/voc/libvoc.so"},
      .config_json = R"({"plugins": {"voc": {"tick_seconds": 3600,
                           "config": {"follow_up_days": 7}}}})",
      .data_dir = dir,
      .clock = [offset] {
        return absl::Now() + absl::Seconds(offset->load());
      }};
  env_.reset();
  env_ = PluginEnv::Start(options);
  env_->CreateAccount("acme", 30000);
  int64_t now = absl::ToUnixSeconds(absl::Now());
  // One detractor comment, one promoter; then the customer goes quiet.
  env_->Record({absl::StrCat("signal_id: 's1' account: 'accounts/acme' "
                             "occur_time { seconds: ",
                             now,
                             " } survey { kind: SURVEY_KIND_NPS score: 2 "
                             "comment: 'Nothing works' respondent: 'jo' }"),
                absl::StrCat("signal_id: 's2' account: 'accounts/acme' "
                             "occur_time { seconds: ",
                             now,
                             " } survey { kind: SURVEY_KIND_NPS score: 10 "
                             "comment: 'Love it' respondent: 'al' }")});
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    auto list = Call("ListFeedback", "account_id: 'acme'");
    return list && Count(*list, "feedback") == 2;
  }));
  env_->host().RunTicks();
  EXPECT_TRUE(env_->services().RecentAlerts().empty());

  offset_->store(8 * 86400);  // past the 7-day follow-up deadline
  env_->host().RunTicks();
  env_->host().RunTicks();
  auto alerts = env_->services().RecentAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].first, "default");
  EXPECT_EQ(alerts[0].second.plugin(), "voc");
  EXPECT_EQ(alerts[0].second.code(), "voc.detractor_follow_up_overdue");
  EXPECT_EQ(alerts[0].second.account_id(), "acme");
  EXPECT_NE(alerts[0].second.message().find("from jo"), std::string::npos)
      << alerts[0].second.message();
  EXPECT_EQ(env_->host().GetPlugin("voc")->counters().ticks(), 3);
  // CheckFollowUps lists it without alerting again.
  auto due = Call("CheckFollowUps", "");
  EXPECT_EQ(Count(*due, "feedback"), 1);
  EXPECT_EQ(env_->services().RecentAlerts().size(), 1u);

  // Restart: not alerted again.
  env_.reset();
  env_ = PluginEnv::Start(options);
  env_->host().RunTicks();
  EXPECT_TRUE(env_->services().RecentAlerts().empty());
}

std::string Str(const Message& m, const std::string& field) {
  return m.GetReflection()->GetString(
      m, m.GetDescriptor()->FindFieldByName(field));
}

// The action ids ListActions returns for `filter`, page by page.
std::vector<std::string> ActionIds(VocTest* t, const std::string& filter,
                                   int page_size, int* pages = nullptr) {
  std::vector<std::string> ids;
  std::string token;
  int n = 0;
  do {
    std::unique_ptr<Message> page;
    grpc::Status s =
        t->env()->CallText(absl::StrCat(kSvc, "ListActions"),
                           absl::StrCat(filter, " page_size: ", page_size,
                                        " page_token: '", token, "'"),
                           &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!s.ok()) break;
    EXPECT_LE(Count(*page, "actions"), page_size);
    const auto* f = page->GetDescriptor()->FindFieldByName("actions");
    for (int i = 0; i < Count(*page, "actions"); ++i) {
      ids.push_back(Str(page->GetReflection()->GetRepeatedMessage(*page, f, i),
                        "action_id"));
    }
    token = Str(*page, "next_page_token");
    ++n;
  } while (!token.empty() && n < 20);
  if (pages) *pages = n;
  return ids;
}

TEST_F(VocTest, ActionsAreListedByStatusThemeAndAccount) {
  env_->CreateAccount("acme", 30000);
  env_->CreateAccount("beta", 8000);
  Call("CreateFeedback", "account_id: 'acme' text: 'Slow exports'");  // f1
  Call("CreateFeedback", "account_id: 'beta' text: 'No SSO'");        // f2
  Call("CreateFeedback", "account_id: 'beta' text: 'Dark mode'");     // f3
  Call("CreateAction",
       "title: 'Faster exports' theme: 'reporting' "
       "feedback_ids: ['f1']");  // a1
  Call("CreateAction",
       "title: 'SSO' theme: 'security' "
       "feedback_ids: ['f2']");  // a2
  Call("CreateAction",
       "title: 'Dark mode' theme: 'ui' "
       "feedback_ids: ['f3']");                                       // a3
  Call("CreateAction", "title: 'CSV audit log' theme: 'reporting'");  // a4
  Call("UpdateActionStatus", "action_id: 'a3' status: ACTION_STATUS_WONT_DO");
  Call("UpdateActionStatus", "action_id: 'a1' status: ACTION_STATUS_TRIAGED");

  int pages = 0;
  EXPECT_EQ(ActionIds(this, "", 3, &pages),
            (std::vector<std::string>{"a1", "a2", "a3", "a4"}));
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(ActionIds(this, "theme: 'reporting'", 1, &pages),
            (std::vector<std::string>{"a1", "a4"}));
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(ActionIds(this, "status: ACTION_STATUS_TRIAGED", 10),
            std::vector<std::string>{"a1"});
  EXPECT_EQ(ActionIds(this, "open_only: true", 10),
            (std::vector<std::string>{"a1", "a2", "a4"}));
  EXPECT_EQ(ActionIds(this, "account_id: 'beta'", 10),
            (std::vector<std::string>{"a2", "a3"}));
  EXPECT_EQ(ActionIds(this, "account_id: 'beta' open_only: true", 10),
            std::vector<std::string>{"a2"});
  EXPECT_TRUE(ActionIds(this, "account_id: 'nobody'", 10).empty());
  auto unpaged = Call("ListActions", "");
  EXPECT_EQ(Count(*unpaged, "actions"), 4);
  Call("ListActions", "page_size: -5", grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace retain::testing
