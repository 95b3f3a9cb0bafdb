// The expansion plugin's unit tests on the fake host: its own code, linked
// in, driven as the server drives it. expansion_plugin_test.cc runs the
// built library in the real host.
#include <atomic>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugins/common/plugin_util.h"
#include "retain/plugins/expansion/v1/expansion.pb.h"
#include "retain_plugin_testing.h"
#include "tests/plugins/concurrently.h"
#include "tests/plugins/sdk_signals.h"

namespace retain::testing {
namespace {

namespace pb = ::retain::plugins::expansion::v1;
namespace signals = sdk_signals;
using plugins::MicrosOf;
using sdk::Code;
using sdk::kMicrosPerDay;
using sdk::testing::FakeHost;
using sdk::testing::LoadedPlugin;
using sdk::testing::PluginOptions;

const std::string kSvc = "/retain.plugins.expansion.v1.ExpansionService/";

pb::CreateOpportunityRequest Upsell(const std::string& account, double amount,
                                    pb::Stage stage = pb::STAGE_UNSPECIFIED) {
  pb::CreateOpportunityRequest req;
  req.set_account_id(account);
  req.set_type(pb::OPPORTUNITY_TYPE_UPSELL);
  req.set_amount(amount);
  req.set_stage(stage);
  return req;
}

class ExpansionUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 100 seats at 1000 ARR each.
    Account({.id = "acme", .arr = 100000, .licensed_seats = 100});
  }
  void Account(const sdk::Account& a) { ASSERT_TRUE(host_.PutAccount(a).ok()); }
  void Load(const PluginOptions& options = PluginOptions()) {
    auto p = host_.Load(&retain_plugin_on_load, options);
    ASSERT_TRUE(p.ok()) << p.status();
    plugin_.emplace(*p);
  }
  sdk::Result<pb::Opportunity> Create(const pb::CreateOpportunityRequest& r) {
    return plugin_->CallProto<pb::Opportunity>(kSvc + "CreateOpportunity", r);
  }
  sdk::Result<pb::Opportunity> Move(const std::string& id, pb::Stage stage) {
    pb::UpdateStageRequest req;
    req.set_opportunity_id(id);
    req.set_stage(stage);
    return plugin_->CallProto<pb::Opportunity>(kSvc + "UpdateStage", req);
  }
  sdk::Result<pb::ListOpportunitiesResponse> List(
      pb::ListOpportunitiesRequest req) {
    return plugin_->CallProto<pb::ListOpportunitiesResponse>(
        kSvc + "ListOpportunities", req);
  }
  sdk::Result<pb::Forecast> Forecast() {
    return plugin_->CallProto<pb::Forecast>(kSvc + "GetForecast",
                                            pb::GetForecastRequest());
  }
  // The usage suggestions so far.
  std::vector<pb::Opportunity> Suggestions() {
    pb::ListOpportunitiesRequest req;
    req.set_source("usage");
    req.set_include_closed(true);
    auto list = List(req);
    EXPECT_TRUE(list.ok()) << list.status();
    return {list->opportunities().begin(), list->opportunities().end()};
  }

  FakeHost host_;
  std::optional<LoadedPlugin> plugin_;
};

TEST_F(ExpansionUnitTest, PipelineStagesForecastAndAWonExpansion) {
  Load();
  auto o = Create(Upsell("acme", 20000, pb::STAGE_PROPOSAL));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->opportunity_id(), "opp-1");
  EXPECT_DOUBLE_EQ(o->probability(), 0.5);
  EXPECT_EQ(o->source(), "manual");
  EXPECT_EQ(MicrosOf(o->create_time()), host_.NowMicros());
  ASSERT_TRUE(Create(Upsell("acme", 10000)).ok());  // identified: 0.1

  EXPECT_EQ(Create(Upsell("acme", 0)).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Create(Upsell("nobody", 1)).status().code(), Code::kNotFound);
  EXPECT_EQ(Create(Upsell("acme", 1, pb::STAGE_WON)).status().code(),
            Code::kInvalidArgument);
  auto untyped = Upsell("acme", 1);
  untyped.set_type(pb::OPPORTUNITY_TYPE_UNSPECIFIED);
  EXPECT_EQ(Create(untyped).status().code(), Code::kInvalidArgument);
  // A create with an id is idempotent.
  auto named = Upsell("acme", 5000);
  named.set_opportunity_id("deal-7");
  ASSERT_TRUE(Create(named).ok());
  named.set_amount(99);
  EXPECT_DOUBLE_EQ(Create(named)->amount(), 5000);

  auto f = Forecast();
  EXPECT_EQ(f->open_count(), 3);
  EXPECT_DOUBLE_EQ(f->weighted_pipeline(),
                   20000 * 0.5 + 10000 * 0.1 + 5000 * 0.1);

  host_.AdvanceDays(3);
  auto moved = Move("opp-1", pb::STAGE_NEGOTIATION);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_DOUBLE_EQ(moved->probability(), 0.75);
  ASSERT_EQ(moved->history_size(), 1);
  EXPECT_EQ(MicrosOf(moved->history(0).change_time()), host_.NowMicros());

  // Won: one EXPANSION commercial signal of its amount, also when the win
  // is reported again; a closed one does not move.
  auto won = Move("opp-1", pb::STAGE_WON);
  ASSERT_TRUE(won.ok()) << won.status();
  EXPECT_DOUBLE_EQ(won->probability(), 1);
  EXPECT_EQ(MicrosOf(won->close_time()), host_.NowMicros());
  ASSERT_TRUE(Move("opp-1", pb::STAGE_WON).ok());
  EXPECT_EQ(Move("opp-1", pb::STAGE_LOST).status().code(),
            Code::kFailedPrecondition);
  ASSERT_EQ(host_.emitted_signals().size(), 1u);
  const sdk::Signal signal = host_.emitted_signals()[0];
  EXPECT_EQ(signal.signal_id, "expansion-opp-1-won");
  EXPECT_EQ(signal.commercial.kind, sdk::commercial_kind::kExpansion);
  EXPECT_DOUBLE_EQ(signal.commercial.arr_delta, 20000);
  EXPECT_EQ(host_.signals().size(), 1u);

  f = Forecast();
  EXPECT_EQ(f->won_count(), 1);
  EXPECT_DOUBLE_EQ(f->won_amount(), 20000);
  EXPECT_EQ(f->open_count(), 2);

  auto section = plugin_->ReportSection("default", "acme");
  ASSERT_TRUE(section.ok() && section->has_value()) << section.status();
  EXPECT_EQ((*section)->title, "Expansion pipeline");
  EXPECT_EQ((*section)->fields[0].value, "2");         // open
  EXPECT_EQ((*section)->fields[3].value, "20000.00");  // won
}

// The won expansion names its business event, so billing can quote it and
// the server applies the two reports of one expansion once.
TEST_F(ExpansionUnitTest, AWonExpansionCarriesTheReferenceBillingQuotes) {
  Load();
  auto deal = Upsell("acme", 20000);
  deal.set_opportunity_id("deal-7");
  ASSERT_TRUE(Create(deal).ok());
  ASSERT_TRUE(Move("deal-7", pb::STAGE_WON).ok());
  ASSERT_EQ(host_.emitted_signals().size(), 1u);
  const sdk::Signal won = host_.emitted_signals()[0];
  EXPECT_EQ(won.commercial.reference, "expansion/deal-7");
  EXPECT_EQ(won.commercial.kind, sdk::commercial_kind::kExpansion);
  EXPECT_DOUBLE_EQ(won.commercial.arr_delta, 20000);
}

// With billing as the source of truth for ARR, a win is pipeline data
// only: no commercial signal, the forecast still counts it won.
TEST_F(ExpansionUnitTest, WithRecordArrOnWonOffAWinRecordsNoSignal) {
  Load(PluginOptions{.config_json = R"({"record_arr_on_won": false})"});
  ASSERT_TRUE(Create(Upsell("acme", 20000, pb::STAGE_PROPOSAL)).ok());
  auto won = Move("opp-1", pb::STAGE_WON);
  ASSERT_TRUE(won.ok()) << won.status();
  EXPECT_EQ(won->stage(), pb::STAGE_WON);
  EXPECT_TRUE(host_.emitted_signals().empty());
  EXPECT_TRUE(host_.signals().empty());
  EXPECT_EQ(Forecast()->won_count(), 1);
  EXPECT_DOUBLE_EQ(Forecast()->won_amount(), 20000);
}

TEST_F(ExpansionUnitTest, AReplayedHistorySuggestsSeatsOnceFromTheLatest) {
  const int64_t now = host_.NowMicros();
  // Installed on a server that already has weeks of usage: 95+ of 100
  // seats active throughout.
  ASSERT_TRUE(
      host_.Record(signals::Usage("u1", "acme", now - 40 * kMicrosPerDay, 95))
          .ok());
  ASSERT_TRUE(
      host_.Record(signals::Usage("u2", "acme", now - 10 * kMicrosPerDay, 96))
          .ok());
  ASSERT_TRUE(
      host_.Record(signals::Usage("u3", "acme", now - 2 * kMicrosPerDay, 97))
          .ok());
  Load();
  EXPECT_EQ(plugin_->delivery_cursor(), 3);
  std::vector<pb::Opportunity> suggested = Suggestions();
  ASSERT_EQ(suggested.size(), 1u);
  const pb::Opportunity& s = suggested[0];
  EXPECT_EQ(s.opportunity_id(), "usage-acme-3");  // from the latest snapshot
  EXPECT_EQ(s.type(), pb::OPPORTUNITY_TYPE_SEATS);
  EXPECT_DOUBLE_EQ(s.amount(), 20 * 1000.0);  // 20% more seats at 1000 each
  EXPECT_EQ(MicrosOf(s.create_time()), now);  // dated by the host clock
  EXPECT_EQ(MicrosOf(s.close_time()), now + 60 * kMicrosPerDay);
  EXPECT_EQ(s.description().substr(0, 30), "97 of 100 seats active (97%) o");

  // While it is open, later snapshots suggest nothing more; a redelivery
  // neither.
  ASSERT_TRUE(plugin_->Deliver(signals::Usage("u4", "acme", now, 98)).ok());
  ASSERT_TRUE(plugin_->Redeliver(3).ok());
  EXPECT_EQ(Suggestions().size(), 1u);
  // Once it is lost, the next full snapshot suggests again.
  ASSERT_TRUE(Move("usage-acme-3", pb::STAGE_LOST).ok());
  ASSERT_TRUE(plugin_->Deliver(signals::Usage("u5", "acme", now, 99)).ok());
  EXPECT_EQ(Suggestions().size(), 2u);
  EXPECT_EQ(plugin_->failures(), 0);
}

TEST_F(ExpansionUnitTest, NothingToSuggestWithoutArrSeatsOrUsage) {
  Account({.id = "free", .arr = 0, .licensed_seats = 100});
  Account({.id = "unseated", .arr = 5000, .licensed_seats = 0});
  Account({.id = "gone",
           .arr = 5000,
           .licensed_seats = 10,
           .lifecycle_stage = sdk::lifecycle_stage::kChurned});
  Load();
  const int64_t now = host_.NowMicros();
  ASSERT_TRUE(plugin_->Deliver(signals::Usage("a", "free", now, 100)).ok());
  ASSERT_TRUE(plugin_->Deliver(signals::Usage("b", "unseated", now, 9)).ok());
  ASSERT_TRUE(plugin_->Deliver(signals::Usage("c", "gone", now, 10)).ok());
  ASSERT_TRUE(plugin_->Deliver(signals::Usage("d", "acme", now, 89)).ok());
  EXPECT_TRUE(Suggestions().empty());
  EXPECT_FALSE(plugin_->ReportSection("default", "acme")->has_value());
}

TEST_F(ExpansionUnitTest, OpportunitiesOnRedAccountsAreFlaggedAndAlerted) {
  Account({.id = "sick",
           .arr = 50000,
           .licensed_seats = 10,
           .health_band = sdk::band::kRed});
  Load();
  auto o = Create(Upsell("sick", 7000));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->flagged_red());
  auto alerts = host_.alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].code, "expansion.red_account");
  EXPECT_EQ(alerts[0].account_id, "sick");
  EXPECT_EQ(Forecast()->flagged_red_count(), 1);
  auto section = plugin_->ReportSection("default", "sick");
  ASSERT_TRUE(section.ok() && section->has_value());
  EXPECT_EQ((*section)->fields.back().name, "flag");
  // The flag is computed when read: a healthier account loses it.
  Account({.id = "sick",
           .arr = 50000,
           .licensed_seats = 10,
           .health_band = sdk::band::kGreen});
  pb::GetOpportunityRequest get;
  get.set_opportunity_id(o->opportunity_id());
  EXPECT_FALSE(plugin_->CallProto<pb::Opportunity>(kSvc + "GetOpportunity", get)
                   ->flagged_red());
}

TEST_F(ExpansionUnitTest, ListsFilterAndPage) {
  Account({.id = "beta", .arr = 1000, .licensed_seats = 1});
  Load();
  for (const char* account : {"acme", "beta", "acme"}) {
    ASSERT_TRUE(Create(Upsell(account, 100)).ok());
  }
  ASSERT_TRUE(Move("opp-3", pb::STAGE_LOST).ok());
  pb::ListOpportunitiesRequest req;
  req.set_account_id("acme");
  EXPECT_EQ(List(req)->opportunities_size(), 1);  // opp-3 is closed
  req.set_include_closed(true);
  EXPECT_EQ(List(req)->opportunities_size(), 2);

  pb::ListOpportunitiesRequest page;
  page.set_include_closed(true);
  page.set_page_size(2);
  auto first = List(page);
  ASSERT_EQ(first->opportunities_size(), 2);
  ASSERT_FALSE(first->next_page_token().empty());
  page.set_page_token(first->next_page_token());
  auto second = List(page);
  ASSERT_EQ(second->opportunities_size(), 1);
  EXPECT_EQ(second->opportunities(0).opportunity_id(), "opp-3");
  EXPECT_TRUE(second->next_page_token().empty());

  pb::ListOpportunitiesRequest bad;
  bad.set_source("fax");
  EXPECT_EQ(List(bad).status().code(), Code::kInvalidArgument);
  bad.set_source("");
  bad.set_page_size(-1);
  EXPECT_EQ(List(bad).status().code(), Code::kInvalidArgument);
}

// Calls run on several workers at once and the plugin takes no lock over
// its KV: concurrent creates never share an id nor lose an opportunity,
// and concurrent moves of one opportunity each leave their history entry.
TEST_F(ExpansionUnitTest, ConcurrentCreatesAndMovesLoseNothing) {
  Load();
  constexpr int kThreads = 8, kEach = 100;
  std::atomic<int> failed{0};
  Concurrently(kThreads, [&](int) {
    for (int i = 0; i < kEach; ++i) {
      if (!Create(Upsell("acme", 100)).ok()) failed.fetch_add(1);
    }
  });
  EXPECT_EQ(failed.load(), 0);
  auto list = List(pb::ListOpportunitiesRequest());
  ASSERT_TRUE(list.ok()) << list.status();
  std::set<std::string> ids;
  for (const auto& o : list->opportunities()) ids.insert(o.opportunity_id());
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(ids.count("opp-" + std::to_string(kThreads * kEach)), 1u);

  // Each thread moves the first opportunities to its own stage; every
  // change is kept in their history, each from the stage the one before
  // it left.
  constexpr int kMoved = 50;
  const std::vector<pb::Stage> stages = {
      pb::STAGE_QUALIFIED, pb::STAGE_PROPOSAL, pb::STAGE_NEGOTIATION,
      pb::STAGE_QUALIFIED, pb::STAGE_PROPOSAL, pb::STAGE_NEGOTIATION};
  Concurrently(static_cast<int>(stages.size()), [&](int t) {
    for (int i = 1; i <= kMoved; ++i) {
      if (!Move("opp-" + std::to_string(i), stages[t]).ok()) {
        failed.fetch_add(1);
      }
    }
  });
  EXPECT_EQ(failed.load(), 0);
  for (int i = 1; i <= kMoved; ++i) {
    pb::GetOpportunityRequest req;
    req.set_opportunity_id("opp-" + std::to_string(i));
    auto moved =
        plugin_->CallProto<pb::Opportunity>(kSvc + "GetOpportunity", req);
    ASSERT_TRUE(moved.ok()) << moved.status();
    int from = pb::STAGE_IDENTIFIED;
    for (const auto& h : moved->history()) {
      EXPECT_EQ(h.from(), from) << req.opportunity_id();
      from = h.to();
    }
    EXPECT_EQ(from, moved->stage()) << req.opportunity_id();
    EXPECT_GE(moved->history_size(), 3) << req.opportunity_id();
  }
}

TEST(ExpansionConfigTest, TheConfigTunesAndIsChecked) {
  FakeHost host;
  ASSERT_TRUE(
      host.PutAccount({.id = "acme", .arr = 1000, .licensed_seats = 10}).ok());
  auto plugin =
      host.Load(&retain_plugin_on_load, PluginOptions{.config_json = R"({
          "seat_threshold": 0.5, "seat_growth": 0.5,
          "stage_probability": {"identified": 0.3}})"});
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  ASSERT_TRUE(
      plugin->Deliver(signals::Usage("u", "acme", host.NowMicros(), 5)).ok());
  pb::ListOpportunitiesRequest req;
  auto list = plugin->CallProto<pb::ListOpportunitiesResponse>(
      kSvc + "ListOpportunities", req);
  ASSERT_EQ(list->opportunities_size(), 1);
  EXPECT_DOUBLE_EQ(list->opportunities(0).amount(), 5 * 100.0);
  EXPECT_DOUBLE_EQ(list->opportunities(0).probability(), 0.3);

  FakeHost other;
  auto bad = other.Load(
      &retain_plugin_on_load,
      PluginOptions{.config_json = R"({"stage_probability": {"won": 2,
                                                             "proposal": 1.5}})"});
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument) << bad.status();
}

}  // namespace
}  // namespace retain::testing
