// The advocacy plugin's unit tests on the fake host: its own code, linked
// in, driven as the server drives it. advocacy_plugin_test.cc runs the
// built library in the real host.
#include <atomic>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugins/common/plugin_util.h"
#include "retain/plugins/advocacy/v1/advocacy.pb.h"
#include "retain_plugin_testing.h"
#include "tests/plugins/concurrently.h"
#include "tests/plugins/sdk_signals.h"

namespace retain::testing {
namespace {

namespace pb = ::retain::plugins::advocacy::v1;
namespace signals = sdk_signals;
using plugins::MicrosOf;
using sdk::Code;
using sdk::kMicrosPerDay;
using sdk::testing::FakeHost;
using sdk::testing::LoadedPlugin;
using sdk::testing::PluginOptions;

const std::string kSvc = "/retain.plugins.advocacy.v1.AdvocacyService/";

sdk::Account Healthy(const std::string& id) {
  return {.id = id, .arr = 10000, .health_band = sdk::band::kGreen};
}

class AdvocacyUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sdk::Account acme = Healthy("acme");
    acme.contacts.push_back(
        {.display_name = "Cleo", .email = "cleo@acme.test", .champion = true});
    ASSERT_TRUE(host_.PutAccount(acme).ok());
    ASSERT_TRUE(
        host_
            .PutAccount(
                {.id = "sick", .arr = 10000, .health_band = sdk::band::kRed})
            .ok());
    Load();
  }
  void Load(const PluginOptions& options = PluginOptions()) {
    auto p = host_.Load(&retain_plugin_on_load, options);
    ASSERT_TRUE(p.ok()) << p.status();
    plugin_.emplace(*p);
  }
  template <typename Response, typename Request>
  sdk::Result<Response> Call(const std::string& method, const Request& req) {
    return plugin_->CallProto<Response>(kSvc + method, req);
  }
  // "contact (source)" of the account's champions.
  std::vector<std::string> Champions(const std::string& account) {
    pb::ListChampionsRequest req;
    req.set_account_id(account);
    auto r = Call<pb::ListChampionsResponse>("ListChampions", req);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    for (const auto& c : r->champions()) {
      out.push_back(c.contact() + " (" + c.source() + ")");
    }
    return out;
  }
  sdk::Result<pb::ReferenceRequest> Ask(const std::string& account) {
    pb::RequestReferenceRequest req;
    req.set_account_id(account);
    req.set_contact("cleo@acme.test");
    return Call<pb::ReferenceRequest>("RequestReference", req);
  }

  FakeHost host_;
  std::optional<LoadedPlugin> plugin_;
};

TEST_F(AdvocacyUnitTest, NpsPromotersOfGreenAccountsBecomeChampions) {
  const int64_t now = host_.NowMicros();
  const int32_t nps = sdk::survey_kind::kNps;
  ASSERT_TRUE(
      plugin_->Deliver(signals::Survey("s1", "acme", now, nps, 9, "", "ada"))
          .ok());
  ASSERT_TRUE(
      plugin_->Deliver(signals::Survey("s2", "acme", now, nps, 10, "", "bob"))
          .ok());
  ASSERT_TRUE(
      plugin_->Deliver(signals::Survey("s3", "sick", now, nps, 10, "", "eve"))
          .ok());
  // A CSAT answer says nothing about promoters.
  ASSERT_TRUE(plugin_
                  ->Deliver(signals::Survey(
                      "s4", "acme", now, sdk::survey_kind::kCsat, 5, "", "dan"))
                  .ok());
  EXPECT_EQ(Champions("acme"),
            (std::vector<std::string>{"ada (nps)", "bob (nps)",
                                      "cleo@acme.test (contact)"}));
  EXPECT_TRUE(Champions("sick").empty());  // red: nobody to ask

  // Bob's latest answer is a detractor's: he is no promoter any more.
  ASSERT_TRUE(
      plugin_->Deliver(signals::Survey("s5", "acme", now, nps, 3, "", "bob"))
          .ok());
  EXPECT_EQ(Champions("acme"), (std::vector<std::string>{
                                   "ada (nps)", "cleo@acme.test (contact)"}));
  auto flywheel = Call<pb::Flywheel>("GetFlywheel", pb::GetFlywheelRequest());
  EXPECT_EQ(flywheel->promoters(), 2);  // ada, and eve of the red account
  EXPECT_EQ(flywheel->champions(), 2);  // ada, cleo

  // A promoter counts for champion_window_days (365).
  host_.AdvanceDays(366);
  EXPECT_EQ(Champions("acme"),
            std::vector<std::string>{"cleo@acme.test (contact)"});
}

// Over the whole tenant, a champion a CSM flagged on a contact counts on an
// account no promoter answered for: acme's Cleo and beta's Dora (both
// green, neither with an NPS answer), not the red account's Finn.
TEST_F(AdvocacyUnitTest, ContactChampionsCountWithoutARecentPromoter) {
  sdk::Account beta = Healthy("beta");
  beta.contacts.push_back({.display_name = "Dora", .champion = true});
  beta.contacts.push_back({.display_name = "Carl"});
  ASSERT_TRUE(host_.PutAccount(beta).ok());
  sdk::Account sick = {
      .id = "sick", .arr = 10000, .health_band = sdk::band::kRed};
  sick.contacts.push_back({.display_name = "Finn", .champion = true});
  ASSERT_TRUE(host_.PutAccount(sick).ok());

  std::set<std::string> all;
  for (const std::string& c : Champions("")) all.insert(c);
  EXPECT_EQ(all, (std::set<std::string>{"cleo@acme.test (contact)",
                                        "Dora (contact)"}));
  auto flywheel = Call<pb::Flywheel>("GetFlywheel", pb::GetFlywheelRequest());
  EXPECT_EQ(flywheel->promoters(), 0);
  EXPECT_EQ(flywheel->champions(), 2);
}

TEST_F(AdvocacyUnitTest, ReferenceAsksRespectTheCooldownAndTheYearlyLimit) {
  auto first = Ask("acme");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->reference_id(), "ref1");
  EXPECT_EQ(first->status(), pb::REFERENCE_STATUS_REQUESTED);
  EXPECT_EQ(MicrosOf(first->request_time()), host_.NowMicros());
  auto again = Ask("acme");
  EXPECT_EQ(again.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("cool-down"), std::string::npos);

  host_.AdvanceDays(61);
  ASSERT_TRUE(Ask("acme").ok());
  host_.AdvanceDays(61);
  ASSERT_TRUE(Ask("acme").ok());
  host_.AdvanceDays(61);
  auto fourth = Ask("acme");
  EXPECT_EQ(fourth.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(fourth.status().message().find("asked 3 times"), std::string::npos)
      << fourth.status();
  // A red account is not asked at all.
  EXPECT_EQ(Ask("sick").status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(Ask("nobody").status().code(), Code::kNotFound);

  pb::UpdateReferenceRequest done;
  done.set_reference_id("ref1");
  done.set_status(pb::REFERENCE_STATUS_COMPLETED);
  EXPECT_EQ(Call<pb::ReferenceRequest>("UpdateReference", done)->status(),
            pb::REFERENCE_STATUS_COMPLETED);
  done.set_status(pb::REFERENCE_STATUS_UNSPECIFIED);
  EXPECT_EQ(Call<pb::ReferenceRequest>("UpdateReference", done).status().code(),
            Code::kInvalidArgument);
  done.set_reference_id("ref9");
  EXPECT_EQ(Call<pb::ReferenceRequest>("UpdateReference", done).status().code(),
            Code::kNotFound);
  auto flywheel = Call<pb::Flywheel>("GetFlywheel", pb::GetFlywheelRequest());
  EXPECT_EQ(flywheel->references_requested(), 3);
  EXPECT_EQ(flywheel->references_completed(), 1);
}

// Calls run on several workers at once and the plugin takes no lock over
// its KV: concurrent referrals never share an id, and concurrent asks of
// one account still respect its cool-down (exactly one goes out).
TEST_F(AdvocacyUnitTest, ConcurrentCallsKeepIdsAndLimits) {
  constexpr int kThreads = 8, kEach = 50, kAccounts = 20;
  for (int a = 0; a < kAccounts; ++a) {
    ASSERT_TRUE(host_.PutAccount(Healthy("a" + std::to_string(a))).ok());
  }
  std::atomic<int> failed{0}, asked{0}, refused{0};
  Concurrently(kThreads, [&](int t) {
    for (int i = 0; i < kEach; ++i) {
      pb::CreateReferralRequest req;
      req.set_account_id("acme");
      req.set_prospect("prospect " + std::to_string(t) + "/" +
                       std::to_string(i));
      if (!Call<pb::Referral>("CreateReferral", req).ok()) failed.fetch_add(1);
    }
    for (int a = 0; a < kAccounts; ++a) {
      auto ask = Ask("a" + std::to_string(a));
      if (ask.ok()) {
        asked.fetch_add(1);
      } else if (ask.status().code() == Code::kFailedPrecondition) {
        refused.fetch_add(1);
      } else {
        failed.fetch_add(1);
      }
    }
  });
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(asked.load(), kAccounts);  // one per account
  EXPECT_EQ(refused.load(), kAccounts * (kThreads - 1));
  pb::ListReferralsRequest list;
  list.set_page_size(1000);
  auto referrals = Call<pb::ListReferralsResponse>("ListReferrals", list);
  ASSERT_TRUE(referrals.ok()) << referrals.status();
  std::set<std::string> ids;
  for (const auto& r : referrals->referrals()) ids.insert(r.referral_id());
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kEach));
  auto flywheel = Call<pb::Flywheel>("GetFlywheel", pb::GetFlywheelRequest());
  EXPECT_EQ(flywheel->references_requested(), kAccounts);
}

TEST(AdvocacyConfigTest, TheConfigSetsLimitsAndMayAllowRedAccounts) {
  FakeHost host;
  ASSERT_TRUE(
      host.PutAccount({.id = "sick", .health_band = sdk::band::kRed}).ok());
  auto plugin =
      host.Load(&retain_plugin_on_load, PluginOptions{.config_json = R"({
          "allow_red_references": true, "max_asks_per_year": 1,
          "cooldown_days": 0})"});
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  pb::RequestReferenceRequest req;
  req.set_account_id("sick");
  ASSERT_TRUE(
      plugin->CallProto<pb::ReferenceRequest>(kSvc + "RequestReference", req)
          .ok());
  EXPECT_EQ(
      plugin->CallProto<pb::ReferenceRequest>(kSvc + "RequestReference", req)
          .status()
          .code(),
      Code::kFailedPrecondition);
}

TEST_F(AdvocacyUnitTest, CaseStudiesMoveOneStageAtATimeAndListInPages) {
  pb::CreateCaseStudyRequest create;
  create.set_account_id("acme");
  EXPECT_EQ(Call<pb::CaseStudy>("CreateCaseStudy", create).status().code(),
            Code::kInvalidArgument);  // no title
  create.set_title("How Acme ships faster");
  for (int i = 0; i < 3; ++i) {
    auto cs = Call<pb::CaseStudy>("CreateCaseStudy", create);
    ASSERT_TRUE(cs.ok()) << cs.status();
    EXPECT_EQ(cs->case_study_id(), "cs" + std::to_string(i + 1));
    EXPECT_EQ(cs->stage(), pb::CASE_STUDY_STAGE_PROPOSED);
  }
  auto advance = [&](pb::CaseStudyStage to) {
    pb::AdvanceCaseStudyRequest req;
    req.set_case_study_id("cs1");
    req.set_stage(to);
    return Call<pb::CaseStudy>("AdvanceCaseStudy", req);
  };
  EXPECT_EQ(advance(pb::CASE_STUDY_STAGE_DRAFTING).status().code(),
            Code::kFailedPrecondition);  // skips APPROVED
  ASSERT_TRUE(advance(pb::CASE_STUDY_STAGE_APPROVED).ok());
  ASSERT_TRUE(advance(pb::CASE_STUDY_STAGE_DRAFTING).ok());
  host_.AdvanceDays(1);
  auto published = advance(pb::CASE_STUDY_STAGE_PUBLISHED);
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(MicrosOf(published->publish_time()), host_.NowMicros());
  EXPECT_EQ(advance(pb::CASE_STUDY_STAGE_DECLINED).status().code(),
            Code::kFailedPrecondition);

  pb::ListCaseStudiesRequest list;
  list.set_page_size(2);
  auto page = Call<pb::ListCaseStudiesResponse>("ListCaseStudies", list);
  ASSERT_EQ(page->case_studies_size(), 2);
  list.set_page_token(page->next_page_token());
  page = Call<pb::ListCaseStudiesResponse>("ListCaseStudies", list);
  ASSERT_EQ(page->case_studies_size(), 1);
  EXPECT_EQ(page->case_studies(0).case_study_id(), "cs3");
  EXPECT_TRUE(page->next_page_token().empty());
  pb::ListCaseStudiesRequest by_stage;
  by_stage.set_stage(pb::CASE_STUDY_STAGE_PUBLISHED);
  EXPECT_EQ(Call<pb::ListCaseStudiesResponse>("ListCaseStudies", by_stage)
                ->case_studies_size(),
            1);
  by_stage.set_page_size(-1);
  EXPECT_EQ(Call<pb::ListCaseStudiesResponse>("ListCaseStudies", by_stage)
                .status()
                .code(),
            Code::kInvalidArgument);
}

TEST_F(AdvocacyUnitTest, AConvertedReferralIsAttributedAndSignalledOnce) {
  pb::CreateReferralRequest create;
  create.set_account_id("acme");
  create.set_advocate_contact("cleo@acme.test");
  EXPECT_EQ(Call<pb::Referral>("CreateReferral", create).status().code(),
            Code::kInvalidArgument);  // no prospect
  create.set_prospect("Globex");
  create.set_estimated_arr(8000);
  auto referral = Call<pb::Referral>("CreateReferral", create);
  ASSERT_TRUE(referral.ok()) << referral.status();
  EXPECT_EQ(referral->referral_id(), "r1");
  EXPECT_EQ(referral->status(), pb::REFERRAL_STATUS_OPEN);

  pb::UpdateReferralRequest convert;
  convert.set_referral_id("r1");
  convert.set_status(pb::REFERRAL_STATUS_CONVERTED);
  EXPECT_EQ(Call<pb::Referral>("UpdateReferral", convert).status().code(),
            Code::kInvalidArgument);  // no converted_arr
  convert.set_converted_arr(7500);
  auto converted = Call<pb::Referral>("UpdateReferral", convert);
  ASSERT_TRUE(converted.ok()) << converted.status();
  EXPECT_DOUBLE_EQ(converted->attributed_arr(), 7500);
  EXPECT_EQ(MicrosOf(converted->convert_time()), host_.NowMicros());
  // Again: the same answer, no second signal; then it is closed.
  ASSERT_TRUE(Call<pb::Referral>("UpdateReferral", convert).ok());
  convert.set_status(pb::REFERRAL_STATUS_LOST);
  EXPECT_EQ(Call<pb::Referral>("UpdateReferral", convert).status().code(),
            Code::kFailedPrecondition);

  ASSERT_EQ(host_.emitted_signals().size(), 1u);
  const sdk::Signal s = host_.emitted_signals()[0];
  EXPECT_EQ(s.signal_id, "advocacy-r1-converted");
  EXPECT_EQ(s.custom.type, "advocacy.referral_converted");
  EXPECT_EQ(s.custom.attributes.at("prospect"), "Globex");
  EXPECT_EQ(s.custom.attributes.at("attributed_arr"), "7500.00");

  auto flywheel = Call<pb::Flywheel>("GetFlywheel", pb::GetFlywheelRequest());
  EXPECT_EQ(flywheel->referrals_converted(), 1);
  EXPECT_DOUBLE_EQ(flywheel->referral_conversion_rate(), 1);
  EXPECT_DOUBLE_EQ(flywheel->attributed_arr(), 7500);

  auto section = plugin_->ReportSection("default", "acme");
  ASSERT_TRUE(section.ok() && section->has_value()) << section.status();
  EXPECT_EQ((*section)->title, "Advocacy");
  std::map<std::string, std::string> fields;
  for (const auto& f : (*section)->fields) fields[f.name] = f.value;
  EXPECT_EQ(fields["referrals"], "1");
  EXPECT_EQ(fields["attributed_arr"], "7500.00");
  EXPECT_EQ(fields["champions"], "1");
  EXPECT_FALSE(plugin_->ReportSection("default", "sick")->has_value());
}

}  // namespace
}  // namespace retain::testing
