// The expansion plugin loaded from disk into a real host.
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

}  // namespace
}  // namespace retain::testing
