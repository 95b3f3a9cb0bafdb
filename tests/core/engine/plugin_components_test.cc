// The engine's copy of plugin health components: counted in the account's
// health, persisted across a restart, dropped with their plugin or account.
#include <memory>
#include <string>

#include "core/engine/engine.h"
#include "core/health/health_config.h"
#include "gtest/gtest.h"

namespace retain::engine {
namespace {

class EnginePluginComponentsTest : public ::testing::Test {
 protected:
  void Open() {
    EngineOptions o;
    o.data_dir = dir_;
    o.durability = store::Durability::kNormal;
    o.health = health::DefaultHealthConfig();
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
  }
  void Reopen() {
    engine_->Shutdown();
    engine_.reset();
    Open();
  }
  void Create(const std::string& id) {
    account::v1::Account a;
    a.set_display_name(id);
    a.set_arr(20000);
    a.set_licensed_seats(10);
    ASSERT_TRUE(engine_->CreateAccount("t", id, a, "").ok());
  }
  // The components of the account's current health, by source.
  std::vector<std::string> Sources(const std::string& id) {
    auto h = engine_->GetAccountHealth("t", "accounts/" + id, std::nullopt);
    EXPECT_TRUE(h.ok()) << h.status();
    std::vector<std::string> out;
    if (h.ok()) {
      for (const auto& c : h->components()) out.push_back(c.source());
    }
    return out;
  }
  static model::PluginComponent Component(const std::string& source,
                                          double score) {
    model::PluginComponent c;
    c.source = source;
    c.name = source;
    c.weight = 0.5;
    c.score = score;
    c.has_data = true;
    c.observed_time = absl::Now() - absl::Minutes(1);
    return c;
  }

  std::string dir_ =
      ::testing::TempDir() + "/engine_plugin_components_" +
      std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
      ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::unique_ptr<Engine> engine_;
};

const std::vector<std::string> kCore = {"core", "core", "core", "core"};

TEST_F(EnginePluginComponentsTest, SetClearAndSurviveARestart) {
  Open();
  Create("a1");
  ASSERT_TRUE(
      engine_->SetPluginComponent("t", "a1", Component("zeta", 1)).ok());
  ASSERT_TRUE(
      engine_->SetPluginComponent("t", "a1", Component("alpha", 2)).ok());
  std::vector<std::string> both = kCore;
  both.push_back("alpha");  // kept in source order
  both.push_back("zeta");
  EXPECT_EQ(Sources("a1"), both);
  EXPECT_EQ(engine_->AccountsWithPluginComponent("zeta"),
            (std::vector<std::pair<std::string, std::string>>{{"t", "a1"}}));
  EXPECT_EQ(
      engine_->SetPluginComponent("t", "nope", Component("zeta", 1)).code(),
      absl::StatusCode::kNotFound);

  Reopen();
  EXPECT_EQ(Sources("a1"), both);
  ASSERT_TRUE(engine_->ClearPluginComponent("t", "a1", "zeta").ok());
  Reopen();
  std::vector<std::string> alpha = kCore;
  alpha.push_back("alpha");
  EXPECT_EQ(Sources("a1"), alpha);
}

TEST_F(EnginePluginComponentsTest, APluginNoLongerLoadedStopsCounting) {
  Open();
  Create("a1");
  ASSERT_TRUE(
      engine_->SetPluginComponent("t", "a1", Component("gone", 0)).ok());
  const double with = engine_->GetAccount("t", "accounts/a1")->health_score();
  ASSERT_TRUE(engine_->KeepPluginComponentSources({"other"}).ok());
  EXPECT_EQ(Sources("a1"), kCore);
  EXPECT_NE(engine_->GetAccount("t", "accounts/a1")->health_score(), with);
  Reopen();
  EXPECT_EQ(Sources("a1"), kCore);
}

TEST_F(EnginePluginComponentsTest, ADeletedAccountLeavesNothingBehind) {
  Open();
  Create("a1");
  ASSERT_TRUE(engine_->SetPluginComponent("t", "a1", Component("p", 3)).ok());
  ASSERT_TRUE(engine_->DeleteAccount("t", "accounts/a1").ok());
  Create("a1");  // the same id again starts clean, now and after a restart
  EXPECT_EQ(Sources("a1"), kCore);
  Reopen();
  EXPECT_EQ(Sources("a1"), kCore);
}

}  // namespace
}  // namespace retain::engine
