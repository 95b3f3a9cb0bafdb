// The expansion plugin loaded from disk into a real host.
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
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

constexpr char kSvc[] = "retain.plugins.expansion.v1.ExpansionService.";

double Double(const Message& m, const std::string& field) {
  return m.GetReflection()->GetDouble(
      m, m.GetDescriptor()->FindFieldByName(field));
}
int Int(const Message& m, const std::string& field) {
  return m.GetReflection()->GetInt32(m,
                                     m.GetDescriptor()->FindFieldByName(field));
}
std::string Str(const Message& m, const std::string& field) {
  return m.GetReflection()->GetString(
      m, m.GetDescriptor()->FindFieldByName(field));
}

class ExpansionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = PluginEnv::Start({.plugins = {"plugins/expansion/libexpansion.so"}});
    ASSERT_EQ(env_->StateOf("expansion"), plugin::v1::PLUGIN_STATE_READY);
  }
  std::unique_ptr<Message> Call(const std::string& method,
                                const std::string& text,
                                grpc::StatusCode want = grpc::StatusCode::OK) {
    std::unique_ptr<Message> resp;
    grpc::Status s = env_->CallText(kSvc + method, text, &resp);
    EXPECT_EQ(s.error_code(), want) << method << ": " << s.error_message();
    return resp;
  }
  std::unique_ptr<PluginEnv> env_;
};

TEST_F(ExpansionTest, PipelineForecastSuggestionAndWonExpansion) {
  env_->CreateAccount("acme", 100000, 100);
  auto o = Call("CreateOpportunity",
                "account_id: 'acme' type: OPPORTUNITY_TYPE_UPSELL amount: "
                "20000 stage: STAGE_PROPOSAL");
  EXPECT_EQ(Str(*o, "opportunity_id"), "opp-1");
  EXPECT_DOUBLE_EQ(Double(*o, "probability"), 0.5);
  Call("CreateOpportunity",
       "account_id: 'acme' type: OPPORTUNITY_TYPE_UPSELL amount: 0",
       grpc::StatusCode::INVALID_ARGUMENT);
  Call("CreateOpportunity",
       "account_id: 'nobody' type: OPPORTUNITY_TYPE_UPSELL amount: 1",
       grpc::StatusCode::NOT_FOUND);

  // 95 of 100 seats active: a seats opportunity is suggested, once.
  int64_t now = absl::ToUnixSeconds(absl::Now());
  env_->Record(
      {absl::StrCat(
           "signal_id: 'u1' account: 'accounts/acme' occur_time { seconds: ",
           now - 60, " } usage { active_users: 95 }"),
       absl::StrCat(
           "signal_id: 'u2' account: 'accounts/acme' occur_time { seconds: ",
           now - 30, " } usage { active_users: 96 }")});
  std::unique_ptr<Message> list;
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    list = Call("ListOpportunities", "account_id: 'acme'");
    return list &&
           list->GetReflection()->FieldSize(
               *list,
               list->GetDescriptor()->FindFieldByName("opportunities")) == 2 &&
           env_->host()
                   .GetPlugin("expansion")
                   ->counters()
                   .signals_delivered() == 2;
  }));
  std::string text;
  google::protobuf::TextFormat::PrintToString(*list, &text);
  EXPECT_NE(text.find("source: \"usage\""), std::string::npos) << text;
  EXPECT_NE(text.find("type: OPPORTUNITY_TYPE_SEATS"), std::string::npos)
      << text;
  EXPECT_NE(text.find("amount: 20000"), std::string::npos)
      << text;  // 20 seats x 1000

  auto f = Call("GetForecast", "");
  EXPECT_EQ(Int(*f, "open_count"), 2);
  EXPECT_DOUBLE_EQ(Double(*f, "weighted_pipeline"), 20000 * 0.5 + 20000 * 0.1);

  // Won: an EXPANSION commercial signal moves the account's ARR.
  o = Call("UpdateStage", "opportunity_id: 'opp-1' stage: STAGE_WON");
  EXPECT_DOUBLE_EQ(Double(*o, "probability"), 1.0);
  Call("UpdateStage", "opportunity_id: 'opp-1' stage: STAGE_LOST",
       grpc::StatusCode::FAILED_PRECONDITION);
  auto account = env_->engine().GetAccount("default", "accounts/acme");
  ASSERT_TRUE(account.ok());
  EXPECT_DOUBLE_EQ(account->arr(), 120000);
  f = Call("GetForecast", "");
  EXPECT_EQ(Int(*f, "won_count"), 1);
  EXPECT_DOUBLE_EQ(Double(*f, "won_amount"), 20000);

  auto sections = env_->host().AccountSections("default", "acme");
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].title(), "Expansion pipeline");
}

int Count(const Message& m, const std::string& field) {
  return m.GetReflection()->FieldSize(
      m, m.GetDescriptor()->FindFieldByName(field));
}
const Message& At(const Message& m, const std::string& field, int i) {
  return m.GetReflection()->GetRepeatedMessage(
      m, m.GetDescriptor()->FindFieldByName(field), i);
}
int64_t Seconds(const Message& m, const std::string& timestamp_field) {
  const Message& t = m.GetReflection()->GetMessage(
      m, m.GetDescriptor()->FindFieldByName(timestamp_field));
  return t.GetReflection()->GetInt64(
      t, t.GetDescriptor()->FindFieldByName("seconds"));
}
std::string Text(const Message& m) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(m, &text);
  return text;
}

// The host clock is injected and set ten days ahead of the wall clock, so
// a date taken from anything but the host clock shows.
class ExpansionClockTest : public ::testing::Test {
 protected:
  static constexpr int64_t kDay = 86400;
  void SetUp() override {
    real_now_ = absl::ToUnixSeconds(absl::Now());
    host_now_ = real_now_ + 10 * kDay;
    const absl::Time host_now = absl::FromUnixSeconds(host_now_);
    env_ = PluginEnv::Start({.plugins = {"plugins/expansion/libexpansion.so"},
                             .clock = [host_now] { return host_now; }});
    ASSERT_EQ(env_->StateOf("expansion"), plugin::v1::PLUGIN_STATE_READY);
  }
  std::unique_ptr<Message> Call(const std::string& method,
                                const std::string& text,
                                grpc::StatusCode want = grpc::StatusCode::OK) {
    std::unique_ptr<Message> resp;
    grpc::Status s = env_->CallText(kSvc + method, text, &resp);
    EXPECT_EQ(s.error_code(), want) << method << ": " << s.error_message();
    return resp;
  }
  // A usage signal `days_ago` days before the host clock (ingestion takes
  // signals at most a day ahead of the wall clock: days_ago >= 9).
  std::string Usage(const std::string& id, const std::string& account,
                    int64_t days_ago, int active) {
    return absl::StrCat("signal_id: '", id, "' account: 'accounts/", account,
                        "' occur_time { seconds: ", host_now_ - days_ago * kDay,
                        " } usage { active_users: ", active,
                        " window_days: 7 }");
  }
  void WaitForDelivered(int n) {
    ASSERT_TRUE(PluginEnv::Eventually([&] {
      return env_->host()
                 .GetPlugin("expansion")
                 ->counters()
                 .signals_delivered() >= n;
    }));
  }
  int64_t real_now_ = 0, host_now_ = 0;
  std::unique_ptr<PluginEnv> env_;
};

// A plugin installed on a server with a year of history catches up on
// every weekly snapshot: it suggests once per account, from the latest
// recent snapshot, dated by the host clock, priced by ARR per seat; and
// never for accounts without ARR (churned, free) or whose usage has since
// dropped or gone quiet.
TEST_F(ExpansionClockTest, CatchUpOnHistorySuggestsFromTheLatestStateOnly) {
  env_->CreateAccount("acme", 120000, 100);    // busy all year
  env_->CreateAccount("gone", 60000, 50);      // busy, then churned
  env_->CreateAccount("free", 0, 10);          // no ARR at all
  env_->CreateAccount("dipped", 90000, 100);   // busy, quiet lately
  env_->CreateAccount("silent", 100000, 100);  // no usage for 200 days
  env_->Record({absl::StrCat(
      "signal_id: 'churn' account: 'accounts/gone' occur_time { seconds: ",
      real_now_ - 40 * kDay,
      " } commercial { kind: COMMERCIAL_EVENT_KIND_CHURN reason: 'left' }")});
  std::vector<std::string> usage;
  for (int week = 52; week >= 1; --week) {
    // Weekly snapshots, the latest 11 days before the host clock (one
    // day before the wall clock).
    const int64_t ago = 4 + 7 * week;
    usage.push_back(Usage(absl::StrCat("acme-", week), "acme", ago, 95));
    usage.push_back(Usage(absl::StrCat("gone-", week), "gone", ago, 50));
    usage.push_back(Usage(absl::StrCat("free-", week), "free", ago, 10));
    usage.push_back(Usage(absl::StrCat("dipped-", week), "dipped", ago,
                          week == 1 ? 40 : 99));
    if (ago >= 200)
      usage.push_back(Usage(absl::StrCat("silent-", week), "silent", ago, 99));
  }
  env_->Record(usage);
  WaitForDelivered(static_cast<int>(usage.size()));

  auto list = Call("ListOpportunities", "source: 'usage' include_closed: true");
  ASSERT_EQ(Count(*list, "opportunities"), 1) << Text(*list);
  const Message& o = At(*list, "opportunities", 0);
  EXPECT_EQ(Str(o, "account_id"), "acme");
  EXPECT_EQ(Str(o, "source"), "usage");
  // 20% more of 100 seats, at 120000 / 100 per seat.
  EXPECT_DOUBLE_EQ(Double(o, "amount"), 24000);
  // Created now by the host clock; due suggestion_close_days (60) later.
  EXPECT_EQ(Seconds(o, "create_time"), host_now_);
  EXPECT_EQ(Seconds(o, "close_time"), host_now_ + 60 * kDay);
  EXPECT_NE(Str(o, "description").find("95 of 100 seats"), std::string::npos)
      << Str(o, "description");

  // New usage after the catch-up: the open suggestion stands, no second one.
  env_->Record({Usage("acme-now", "acme", 10, 97)});  // wall clock now
  WaitForDelivered(static_cast<int>(usage.size()) + 1);
  list = Call("ListOpportunities", "source: 'usage'");
  EXPECT_EQ(Count(*list, "opportunities"), 1) << Text(*list);
}

// Live use: a fresh snapshot over the threshold suggests at once; a lost
// suggestion makes room for the next one, dated by the host clock too.
TEST_F(ExpansionClockTest, LiveSnapshotsSuggestWithHostClockDates) {
  env_->CreateAccount("acme", 50000, 40);
  env_->Record({Usage("u1", "acme", 11, 39)});
  WaitForDelivered(1);
  auto list = Call("ListOpportunities", "source: 'usage'");
  ASSERT_EQ(Count(*list, "opportunities"), 1) << Text(*list);
  const std::string id = Str(At(*list, "opportunities", 0), "opportunity_id");
  // ceil(40 x 0.2) = 8 seats at 1250.
  EXPECT_DOUBLE_EQ(Double(At(*list, "opportunities", 0), "amount"), 10000);
  EXPECT_EQ(Seconds(At(*list, "opportunities", 0), "close_time"),
            host_now_ + 60 * kDay);
  Call("UpdateStage",
       absl::StrCat("opportunity_id: '", id, "' stage: STAGE_LOST"));
  env_->Record({Usage("u2", "acme", 10, 40)});
  WaitForDelivered(2);
  list = Call("ListOpportunities", "source: 'usage'");
  ASSERT_EQ(Count(*list, "opportunities"), 1) << Text(*list);
  EXPECT_NE(Str(At(*list, "opportunities", 0), "opportunity_id"), id);
  EXPECT_EQ(Seconds(At(*list, "opportunities", 0), "create_time"), host_now_);
}

TEST_F(ExpansionTest, ListFiltersBySourceAndPages) {
  env_->CreateAccount("acme", 100000, 100);
  env_->CreateAccount("globex", 10000, 10);
  for (int i = 1; i <= 5; ++i) {
    Call("CreateOpportunity",
         absl::StrCat("account_id: '", i % 2 ? "acme" : "globex",
                      "' type: OPPORTUNITY_TYPE_UPSELL amount: ", 1000 * i,
                      " opportunity_id: 'm", i, "'"));
  }
  env_->Record({absl::StrCat(
      "signal_id: 'u1' account: 'accounts/globex' occur_time { seconds: ",
      absl::ToUnixSeconds(absl::Now()) - 60, " } usage { active_users: 10 }")});
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    return env_->host()
               .GetPlugin("expansion")
               ->counters()
               .signals_delivered() == 1;
  }));

  auto usage = Call("ListOpportunities", "source: 'usage'");
  ASSERT_EQ(Count(*usage, "opportunities"), 1) << Text(*usage);
  EXPECT_EQ(Str(At(*usage, "opportunities", 0), "account_id"), "globex");
  auto manual = Call("ListOpportunities", "source: 'manual'");
  EXPECT_EQ(Count(*manual, "opportunities"), 5) << Text(*manual);
  auto globex_manual =
      Call("ListOpportunities", "source: 'manual' account_id: 'globex'");
  EXPECT_EQ(Count(*globex_manual, "opportunities"), 2);
  Call("ListOpportunities", "source: 'bogus'",
       grpc::StatusCode::INVALID_ARGUMENT);
  Call("ListOpportunities", "page_size: -1",
       grpc::StatusCode::INVALID_ARGUMENT);

  // Unpaged when page_size is 0 (all six, no token); pages of two.
  auto all = Call("ListOpportunities", "");
  EXPECT_EQ(Count(*all, "opportunities"), 6);
  EXPECT_EQ(Str(*all, "next_page_token"), "");
  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    auto page = Call("ListOpportunities",
                     absl::StrCat("page_size: 2 page_token: '", token, "'"));
    ASSERT_TRUE(page);
    EXPECT_LE(Count(*page, "opportunities"), 2);
    for (int i = 0; i < Count(*page, "opportunities"); ++i)
      ids.push_back(Str(At(*page, "opportunities", i), "opportunity_id"));
    token = Str(*page, "next_page_token");
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids.size(), 6u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 6u);
}

// On the real host's workers, with the store's compare-and-set: concurrent
// creates without an id never share one and lose none.
TEST(ExpansionConcurrencyTest, ConcurrentCreatesOnTheRealHostLoseNothing) {
  auto env = PluginEnv::Start(
      {.plugins = {"plugins/expansion/libexpansion.so"},
       .config_json = R"({"plugins": {"expansion": {"workers": 8}}})"});
  ASSERT_NE(env, nullptr);
  ASSERT_EQ(env->StateOf("expansion"), plugin::v1::PLUGIN_STATE_READY);
  env->CreateAccount("acme", 100000, 100);
  constexpr int kThreads = 8, kEach = 5;
  std::mutex mu;
  std::set<std::string> ids;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        std::unique_ptr<Message> o;
        grpc::Status s = env->CallText(
            absl::StrCat(kSvc, "CreateOpportunity"),
            "account_id: 'acme' type: OPPORTUNITY_TYPE_UPSELL amount: 10", &o);
        std::lock_guard<std::mutex> lock(mu);
        if (s.ok()) {
          ids.insert(Str(*o, "opportunity_id"));
        } else {
          errors.push_back(s.error_message());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(ids.count(absl::StrCat("opp-", kThreads * kEach)), 1u);
}

}  // namespace
}  // namespace retain::testing
