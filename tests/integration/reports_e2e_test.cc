// Reports over gRPC, computed from the signal history as of a past time.
#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

class ReportsTest : public ServerTest {
 protected:
  signal::v1::Signal Commercial(const std::string& id, const std::string& acct,
                                absl::Time t,
                                signal::v1::CommercialEventKind kind,
                                double delta) {
    signal::v1::Signal s;
    s.set_signal_id(id);
    s.set_account(acct);
    *s.mutable_occur_time() = Ts(t);
    s.mutable_commercial()->set_kind(kind);
    s.mutable_commercial()->set_arr_delta(delta);
    return s;
  }
};

TEST_F(ReportsTest, AccountHealthExplainsItselfAsOfAnyTime) {
  StartServer();
  const std::string a = CreateAccount("asof", 30000, 100, DaysAgo(300)).name();
  signal::v1::RecordSignalsResponse r;
  ASSERT_TRUE(Record({Usage("old", a, DaysAgo(45), 80),
                      Usage("new", a, DaysAgo(2), 10)},
                     &r)
                  .ok());
  report::v1::GetAccountHealthRequest req;
  req.set_account(a);
  report::v1::AccountHealth now, then;
  ASSERT_TRUE(reports_->GetAccountHealth(Ctx().get(), req, &now).ok());
  *req.mutable_as_of_time() = Ts(DaysAgo(30));
  ASSERT_TRUE(reports_->GetAccountHealth(Ctx().get(), req, &then).ok());
  ASSERT_EQ(now.components(0).name(), "engagement");
  EXPECT_EQ(now.components(0).score(), 1);   // 10% of seats
  EXPECT_EQ(then.components(0).score(), 7);  // 80%: "50-80%"
  bool saw_utilisation = false;
  for (const auto& in : then.components(0).inputs()) {
    if (in.name() == "active_users") {
      EXPECT_EQ(in.value(), "80");
      saw_utilisation = true;
    }
  }
  EXPECT_TRUE(saw_utilisation);
  EXPECT_EQ(now.trends_size(), 2);
  EXPECT_FALSE(now.components(0).explanation().empty());
}

TEST_F(ReportsTest, PortfolioRetentionAsOfIgnoresLaterSignals) {
  StartServer();
  const std::string a =
      CreateAccount("keeps", 100000, 100, DaysAgo(700)).name();
  const std::string b = CreateAccount("leaves", 50000, 50, DaysAgo(500)).name();
  CreateAccount("arrives", 30000, 30, DaysAgo(100));
  signal::v1::RecordSignalsResponse r;
  ASSERT_TRUE(
      Record({Commercial("exp", a, DaysAgo(50),
                         signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION, 20000),
              Commercial("churn", b, DaysAgo(10),
                         signal::v1::COMMERCIAL_EVENT_KIND_CHURN, 0)},
             &r)
          .ok());
  report::v1::GetPortfolioReportRequest req;
  report::v1::PortfolioReport now;
  ASSERT_TRUE(reports_->GetPortfolioReport(Ctx().get(), req, &now).ok());
  EXPECT_DOUBLE_EQ(now.retention().arr_start(), 150000);
  EXPECT_DOUBLE_EQ(now.retention().arr_end(), 150000);
  EXPECT_DOUBLE_EQ(now.retention().new_logo_arr(), 30000);
  EXPECT_NEAR(now.retention().nrr(), 0.8, 1e-9);
  EXPECT_NEAR(now.retention().grr(), 100000.0 / 150000, 1e-9);
  EXPECT_NEAR(now.retention().logo_churn(), 0.5, 1e-9);
  EXPECT_NEAR(now.retention().expansion_rate(), 20000.0 / 150000, 1e-9);

  // A backfilled churn (dated before the account was created here) still
  // leaves the account churned: its initial stage holds from contract start.
  account::v1::GetAccountRequest get;
  get.set_name(b);
  account::v1::Account leaver;
  ASSERT_TRUE(accounts_->GetAccount(Ctx().get(), get, &leaver).ok());
  EXPECT_EQ(leaver.lifecycle_stage(), account::v1::LIFECYCLE_STAGE_CHURNED);
  EXPECT_DOUBLE_EQ(leaver.arr(), 0);

  // A month and more ago the churn had not happened.
  *req.mutable_as_of_time() = Ts(DaysAgo(40));
  report::v1::PortfolioReport then;
  ASSERT_TRUE(reports_->GetPortfolioReport(Ctx().get(), req, &then).ok());
  EXPECT_DOUBLE_EQ(then.retention().churned_arr(), 0);
  EXPECT_EQ(then.retention().accounts_churned(), 0);
  EXPECT_NEAR(then.retention().nrr(), (200000.0 - 30000) / 150000, 1e-9);

  // The churned account shows in the validation report as an outcome.
  report::v1::ValidateHealthModelRequest vreq;
  report::v1::HealthModelValidation v;
  ASSERT_TRUE(reports_->ValidateHealthModel(Ctx().get(), vreq, &v).ok());
  ASSERT_EQ(v.outcomes_size(), 1);
  EXPECT_EQ(v.outcomes(0).account(), b);
  EXPECT_EQ(v.outcomes(0).outcome(), report::v1::OUTCOME_CHURN);
  EXPECT_EQ(v.actual_outcomes(), 1);
}

TEST_F(ReportsTest, AtRiskListsRedAccountsLargestArrFirst) {
  StartServer();
  const std::string small =
      CreateAccount("small", 8000, 100, DaysAgo(300), false).name();
  const std::string big =
      CreateAccount("big", 90000, 100, DaysAgo(300), false).name();
  const std::string fine =
      CreateAccount("fine", 50000, 100, DaysAgo(300)).name();
  signal::v1::RecordSignalsResponse r;
  ASSERT_TRUE(
      Record({Usage("s", small, DaysAgo(1), 2), Usage("b", big, DaysAgo(1), 2),
              Usage("f", fine, DaysAgo(1), 95), Touch("ft", fine, DaysAgo(1))},
             &r)
          .ok());
  report::v1::ListAtRiskAccountsRequest req;
  report::v1::ListAtRiskAccountsResponse resp;
  ASSERT_TRUE(reports_->ListAtRiskAccounts(Ctx().get(), req, &resp).ok());
  ASSERT_EQ(resp.accounts_size(), 2);
  EXPECT_EQ(resp.accounts(0).account(), big);
  EXPECT_EQ(resp.accounts(1).account(), small);
  EXPECT_DOUBLE_EQ(resp.total_arr(), 98000);
  EXPECT_GT(resp.accounts(0).leading_indicators_size(), 0);
  ASSERT_EQ(resp.accounts(0).trends_size(), 2);
  EXPECT_EQ(resp.accounts(0).trends(0).days_ago(), 30);

  account::v1::ListAccountsRequest list;
  list.set_health_band(account::v1::HEALTH_BAND_GREEN);
  account::v1::ListAccountsResponse green;
  ASSERT_TRUE(accounts_->ListAccounts(Ctx().get(), list, &green).ok());
  ASSERT_EQ(green.accounts_size(), 1);
  EXPECT_EQ(green.accounts(0).name(), fine);
}

}  // namespace
}  // namespace retain::testing
