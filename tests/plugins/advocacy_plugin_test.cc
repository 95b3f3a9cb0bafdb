// The advocacy plugin loaded from disk into a real host.
#include <atomic>
#include <memory>
#include <set>
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

constexpr char kSvc[] = "retain.plugins.advocacy.v1.AdvocacyService.";

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

class AdvocacyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    offset_ = std::make_shared<std::atomic<int64_t>>(0);
    auto offset = offset_;
    env_ = PluginEnv::Start(
        {.plugins = {"plugins/advocacy/libadvocacy.so"},
         .config_json = R"({"plugins": {"advocacy": {"config": {
             "max_asks_per_year": 2, "cooldown_days": 30, "allow_red_references": true}}}})",
         .clock = [offset] {
           return absl::Now() + absl::Seconds(offset->load());
         }});
    ASSERT_EQ(env_->StateOf("advocacy"), plugin::v1::PLUGIN_STATE_READY);
  }
  std::unique_ptr<Message> Call(const std::string& method,
                                const std::string& text,
                                grpc::StatusCode want = grpc::StatusCode::OK) {
    std::unique_ptr<Message> resp;
    grpc::Status s = env_->CallText(kSvc + method, text, &resp);
    EXPECT_EQ(s.error_code(), want) << method << ": " << s.error_message();
    return resp;
  }
  std::shared_ptr<std::atomic<int64_t>> offset_;
  std::unique_ptr<PluginEnv> env_;
};

TEST_F(AdvocacyTest, PromotersBecomeChampionsOnlyOnGreenAccounts) {
  // Both accounts: 10 seats, no contract start (so "last contact" is the
  // creation, moments ago: relationship 6 without a sponsor), no renewal
  // date (commercial 10), no ticket or CSAT (support has no data).
  // acme: 9 of 10 seats active, engagement 10:
  //   (10 * 0.4 + 6 * 0.3 + 10 * 0.1) / 0.8 = 8.5, green.
  // birch: no usage, engagement has no data: (6 * 0.3 + 10 * 0.1) / 0.4 = 7,
  //   yellow.
  env_->CreateAccount("acme", 30000, 10);
  env_->CreateAccount("birch", 30000, 10);
  int64_t now = absl::ToUnixSeconds(absl::Now());
  auto nps = [&](const std::string& id, const std::string& account, int64_t at,
                 int score, const std::string& who) {
    return absl::StrCat("signal_id: '", id, "' account: 'accounts/", account,
                        "' occur_time { seconds: ", at,
                        " } survey { kind: SURVEY_KIND_NPS score: ", score,
                        " respondent: '", who, "' }");
  };
  env_->Record(
      {absl::StrCat(
           "signal_id: 'u1' account: 'accounts/acme' occur_time { seconds: ",
           now - 3600, " } usage { active_users: 9 window_days: 7 }"),
       nps("n1", "acme", now - 60, 10, "pat"),
       nps("n2", "acme", now - 50, 4, "max"),
       nps("b1", "birch", now - 60, 9, "kim")});
  auto band = [&](const std::string& id) {
    auto a = env_->engine().GetAccount("default", "accounts/" + id);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? a->health_band() : account::v1::HEALTH_BAND_UNSPECIFIED;
  };
  ASSERT_EQ(band("acme"), account::v1::HEALTH_BAND_GREEN);
  ASSERT_EQ(band("birch"), account::v1::HEALTH_BAND_YELLOW);
  // pat (10) and kim (9) are promoters; max (4) is not.
  std::unique_ptr<Message> f;
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    f = Call("GetFlywheel", "");
    return f && Int(*f, "promoters") == 2;
  }));

  // The promoter on the green account is its champion; the one on the
  // yellow account is not.
  auto champions = Call("ListChampions", "account_id: 'acme'");
  ASSERT_EQ(Count(*champions, "champions"), 1) << champions->DebugString();
  EXPECT_NE(champions->DebugString().find("contact: \"pat\""),
            std::string::npos)
      << champions->DebugString();
  EXPECT_NE(champions->DebugString().find("source: \"nps\""), std::string::npos)
      << champions->DebugString();
  EXPECT_EQ(Count(*Call("ListChampions", "account_id: 'birch'"), "champions"),
            0);
  EXPECT_EQ(Count(*Call("ListChampions", ""), "champions"), 1);
  EXPECT_EQ(Int(*Call("GetFlywheel", ""), "champions"), 1);

  // A promoter who turns detractor is no longer a promoter, nor a champion.
  env_->Record({nps("n3", "acme", now - 40, 5, "pat")});
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    f = Call("GetFlywheel", "");
    return f && Int(*f, "promoters") == 1;
  }));
  EXPECT_EQ(Count(*Call("ListChampions", "account_id: 'acme'"), "champions"),
            0);
}

TEST_F(AdvocacyTest, ReferenceAskLimitAndCooldown) {
  env_->CreateAccount("acme", 30000, 10);
  Call("RequestReference",
       "account_id: 'acme' contact: 'pat' purpose: 'call with Initech'");
  Call("RequestReference", "account_id: 'acme' contact: 'pat'",
       grpc::StatusCode::FAILED_PRECONDITION);
  offset_->store(31 * 86400);
  Call("RequestReference", "account_id: 'acme' contact: 'pat'");
  offset_->store(62 * 86400);
  grpc::Status s = env_->CallText(absl::StrCat(kSvc, "RequestReference"),
                                  "account_id: 'acme'", nullptr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("limit 2"), std::string::npos)
      << s.error_message();
  Call("UpdateReference",
       "reference_id: 'ref1' status: REFERENCE_STATUS_COMPLETED");
  auto f = Call("GetFlywheel", "");
  EXPECT_EQ(Int(*f, "references_requested"), 2);
  EXPECT_EQ(Int(*f, "references_completed"), 1);
}

TEST_F(AdvocacyTest, CaseStudiesAndConvertedReferralsAttributeArr) {
  env_->CreateAccount("acme", 30000, 10);
  Call("CreateCaseStudy", "account_id: 'acme' title: 'Acme cuts churn'");
  Call("AdvanceCaseStudy",
       "case_study_id: 'cs1' stage: CASE_STUDY_STAGE_PUBLISHED",
       grpc::StatusCode::FAILED_PRECONDITION);
  Call("AdvanceCaseStudy",
       "case_study_id: 'cs1' stage: CASE_STUDY_STAGE_APPROVED");
  Call("AdvanceCaseStudy",
       "case_study_id: 'cs1' stage: CASE_STUDY_STAGE_DRAFTING");
  Call("AdvanceCaseStudy",
       "case_study_id: 'cs1' stage: CASE_STUDY_STAGE_PUBLISHED");

  Call("CreateReferral",
       "account_id: 'acme' advocate_contact: 'pat' prospect: 'Initech' "
       "estimated_arr: 40000");
  Call("CreateReferral",
       "account_id: 'acme' advocate_contact: 'pat' prospect: 'Globex'");
  Call("UpdateReferral", "referral_id: 'r1' status: REFERRAL_STATUS_CONVERTED",
       grpc::StatusCode::INVALID_ARGUMENT);
  Call("UpdateReferral",
       "referral_id: 'r1' status: REFERRAL_STATUS_CONVERTED converted_arr: "
       "45000");
  Call("UpdateReferral", "referral_id: 'r2' status: REFERRAL_STATUS_LOST");
  auto f = Call("GetFlywheel", "");
  EXPECT_EQ(Int(*f, "case_studies_published"), 1);
  EXPECT_EQ(Int(*f, "referrals_converted"), 1);
  EXPECT_DOUBLE_EQ(Double(*f, "attributed_arr"), 45000);
  EXPECT_DOUBLE_EQ(Double(*f, "referral_conversion_rate"), 0.5);

  signal::v1::ListSignalsRequest req;
  req.set_account("accounts/acme");
  req.set_kind(signal::v1::SIGNAL_KIND_CUSTOM);
  auto r = env_->engine().ListSignals("default", req);
  ASSERT_TRUE(r.ok());
  int converted = 0;
  for (const auto& s : r->signals())
    converted += s.custom().type() == "advocacy.referral_converted";
  EXPECT_EQ(converted, 1);

  auto sections = env_->host().AccountSections("default", "acme");
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].title(), "Advocacy");
}

std::string Str(const Message& m, const std::string& field) {
  return m.GetReflection()->GetString(
      m, m.GetDescriptor()->FindFieldByName(field));
}

// Every id (`id_field` of each `list_field` item) a List method returns for
// `filter`, page by page (page_size `size`), and how many pages it took.
struct Listed {
  std::vector<std::string> ids;
  int pages = 0;
};

class AdvocacyListTest : public AdvocacyTest {
 protected:
  Listed ListAll(const std::string& method, const std::string& filter,
                 const std::string& list_field, const std::string& id_field,
                 int size) {
    Listed out;
    std::string token;
    do {
      auto page = Call(method, absl::StrCat(filter, " page_size: ", size,
                                            " page_token: '", token, "'"));
      if (!page) break;
      EXPECT_LE(Count(*page, list_field), size);
      const auto* f = page->GetDescriptor()->FindFieldByName(list_field);
      for (int i = 0; i < Count(*page, list_field); ++i) {
        out.ids.push_back(Str(
            page->GetReflection()->GetRepeatedMessage(*page, f, i), id_field));
      }
      token = Str(*page, "next_page_token");
      ++out.pages;
    } while (!token.empty() && out.pages < 20);
    return out;
  }
};

TEST_F(AdvocacyListTest, ReferralsReferencesAndCaseStudiesAreListed) {
  env_->CreateAccount("acme", 30000, 10);
  env_->CreateAccount("beta", 20000, 10);
  for (int i = 0; i < 12; ++i) {  // r1..r12: "r10" sorts before "r2"
    Call("CreateReferral",
         absl::StrCat("account_id: '", i % 3 == 0 ? "beta" : "acme",
                      "' prospect: 'Prospect ", i, "'"));
  }
  Call("UpdateReferral",
       "referral_id: 'r5' status: REFERRAL_STATUS_CONVERTED converted_arr: 9");
  Call("UpdateReferral", "referral_id: 'r6' status: REFERRAL_STATUS_LOST");

  Listed all = ListAll("ListReferrals", "", "referrals", "referral_id", 5);
  EXPECT_EQ(all.ids.size(), 12u);
  EXPECT_EQ(all.pages, 3);  // 5 + 5 + 2: no empty last page
  EXPECT_EQ(std::set<std::string>(all.ids.begin(), all.ids.end()).size(), 12u);
  Listed beta = ListAll("ListReferrals", "account_id: 'beta'", "referrals",
                        "referral_id", 2);
  EXPECT_EQ(beta.ids, (std::vector<std::string>{"r1", "r10", "r4", "r7"}));
  EXPECT_EQ(beta.pages, 2);
  Listed converted =
      ListAll("ListReferrals", "status: REFERRAL_STATUS_CONVERTED", "referrals",
              "referral_id", 100);
  EXPECT_EQ(converted.ids, std::vector<std::string>{"r5"});
  auto unpaged = Call("ListReferrals", "");  // page_size 0: 100
  EXPECT_EQ(Count(*unpaged, "referrals"), 12);
  EXPECT_EQ(Str(*unpaged, "next_page_token"), "");
  Call("ListReferrals", "page_size: -1", grpc::StatusCode::INVALID_ARGUMENT);
  auto none = Call("ListReferrals", "account_id: 'nobody'");
  EXPECT_EQ(Count(*none, "referrals"), 0);

  // Reference requests: one per account (the cool-down holds further asks).
  Call("RequestReference", "account_id: 'acme' contact: 'pat'");
  Call("RequestReference", "account_id: 'beta' contact: 'sam'");
  Call("UpdateReference",
       "reference_id: 'ref2' status: REFERENCE_STATUS_ACCEPTED");
  Listed refs = ListAll("ListReferenceRequests", "", "reference_requests",
                        "reference_id", 1);
  EXPECT_EQ(refs.ids, (std::vector<std::string>{"ref1", "ref2"}));
  EXPECT_EQ(refs.pages, 2);
  Listed accepted =
      ListAll("ListReferenceRequests", "status: REFERENCE_STATUS_ACCEPTED",
              "reference_requests", "reference_id", 10);
  EXPECT_EQ(accepted.ids, std::vector<std::string>{"ref2"});
  Listed acme_refs = ListAll("ListReferenceRequests", "account_id: 'acme'",
                             "reference_requests", "reference_id", 10);
  EXPECT_EQ(acme_refs.ids, std::vector<std::string>{"ref1"});

  // Case studies by account and stage.
  Call("CreateCaseStudy", "account_id: 'acme' title: 'One'");
  Call("CreateCaseStudy", "account_id: 'beta' title: 'Two'");
  Call("CreateCaseStudy", "account_id: 'acme' title: 'Three'");
  Call("AdvanceCaseStudy",
       "case_study_id: 'cs3' stage: CASE_STUDY_STAGE_APPROVED");
  Listed studies =
      ListAll("ListCaseStudies", "", "case_studies", "case_study_id", 2);
  EXPECT_EQ(studies.ids, (std::vector<std::string>{"cs1", "cs2", "cs3"}));
  Listed acme_studies = ListAll("ListCaseStudies", "account_id: 'acme'",
                                "case_studies", "case_study_id", 10);
  EXPECT_EQ(acme_studies.ids, (std::vector<std::string>{"cs1", "cs3"}));
  Listed approved =
      ListAll("ListCaseStudies", "stage: CASE_STUDY_STAGE_APPROVED",
              "case_studies", "case_study_id", 10);
  EXPECT_EQ(approved.ids, std::vector<std::string>{"cs3"});
}

}  // namespace
}  // namespace retain::testing
