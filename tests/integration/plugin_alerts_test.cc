// Alerts a plugin raises reach WatchHealth subscribers with the band
// changes: an onboarding account that has gone quiet gets its overdue
// milestone alerts on the watch stream, from the plugin's periodic tick.
#include <cstdlib>
#include <fstream>

#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

std::string PluginPath(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/",
                      std::getenv("TEST_WORKSPACE"), "/plugins/", name, "/lib",
                      name, ".so");
}

class PluginAlertsTest : public ServerTest {};

TEST_F(PluginAlertsTest, OverdueMilestonesArriveOnTheWatch) {
  const std::string config =
      RetaindProcess::MakeTempDir("plugin-config") + "/plugins.json";
  std::ofstream(config)
      << R"({"plugins": {"onboarding": {"tick_seconds": 0.05}}})";
  StartServer("", {"--plugins=" + PluginPath("onboarding"),
                   "--plugin_config=" + config});
  const std::string red =
      CreateAccount("red", 5000, 100, DaysAgo(300), false).name();
  signal::v1::RecordSignalsResponse r;
  ASSERT_TRUE(Record({Usage("red-u", red, DaysAgo(2), 3)}, &r).ok());

  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  report::v1::WatchHealthRequest req;
  req.set_include_current_red(true);
  auto reader = reports_->WatchHealth(&ctx, req);
  report::v1::HealthAlert alert;
  ASSERT_TRUE(reader->Read(&alert));  // subscribed
  EXPECT_EQ(alert.account(), red);
  EXPECT_EQ(alert.source(), "core");

  // Signed 60 days ago and still onboarding: the plugin starts its plan
  // from the contract start, and its early milestones are long overdue.
  account::v1::CreateAccountRequest create;
  create.set_account_id("quiet");
  auto* a = create.mutable_account();
  a->set_display_name("Quiet Co");
  a->set_arr(30000);
  a->set_licensed_seats(20);
  *a->mutable_contract_start_time() = Ts(DaysAgo(60));
  a->set_lifecycle_stage(account::v1::LIFECYCLE_STAGE_ONBOARDING);
  account::v1::Account quiet;
  ASSERT_TRUE(accounts_->CreateAccount(Ctx().get(), create, &quiet).ok());

  bool saw_overdue = false;
  while (!saw_overdue && reader->Read(&alert)) {
    if (alert.source() != "onboarding") continue;
    EXPECT_EQ(alert.account(), quiet.name());
    EXPECT_EQ(alert.display_name(), "Quiet Co");
    EXPECT_FALSE(alert.message().empty());
    saw_overdue = alert.code() == "onboarding.milestone_overdue";
  }
  EXPECT_TRUE(saw_overdue);
  ctx.TryCancel();
}

}  // namespace
}  // namespace retain::testing
