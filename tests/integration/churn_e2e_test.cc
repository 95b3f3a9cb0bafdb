// One churn definition over a real retaind: the demo portfolio's churns are
// counted alike by time-to-churn, cohorts, model validation and retention,
// and a churned account shows as churned, raises no band alert and is not
// in the current-red snapshot of a watch.
#include <set>
#include <string>

#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

using account::v1::HEALTH_BAND_CHURNED;

class ChurnE2eTest : public ServerTest {
 protected:
  signal::v1::Signal Commercial(const std::string& id,
                                const std::string& account, absl::Time t,
                                signal::v1::CommercialEventKind kind,
                                double delta = 0) {
    signal::v1::Signal s;
    s.set_signal_id(id);
    s.set_account(account);
    *s.mutable_occur_time() = Ts(t);
    s.mutable_commercial()->set_kind(kind);
    s.mutable_commercial()->set_arr_delta(delta);
    return s;
  }
  account::v1::Account Get(const std::string& name) {
    account::v1::GetAccountRequest req;
    req.set_name(name);
    account::v1::Account out;
    EXPECT_TRUE(accounts_->GetAccount(Ctx().get(), req, &out).ok());
    return out;
  }
  std::vector<report::v1::HealthAlert> AlertsOf(const std::string& account) {
    report::v1::ListAlertsRequest req;
    req.set_account(account);
    req.set_code("health.band_changed");
    req.set_page_size(1000);
    report::v1::ListAlertsResponse resp;
    EXPECT_TRUE(reports_->ListAlerts(Ctx().get(), req, &resp).ok());
    return {resp.alerts().begin(), resp.alerts().end()};
  }
};

// The demo churns every account i with i % 9 == 4 (demo-04, -13, -22, -31)
// 20 to 300 days ago. demo-04 signed 272 days ago, the others 749, 386 and
// 863 days ago: in the default period (the last 365 days) only the three
// older ones were in the opening book, and only demo-04 and demo-22 signed
// within the 24 months of cohorts.
TEST_F(ChurnE2eTest, DemoChurnCountsAgreeAcrossReports) {
  StartServer("", {"--demo=true"});
  const google::protobuf::Timestamp as_of = Ts(absl::Now());

  account::v1::ListAccountsRequest list;
  list.set_health_band(HEALTH_BAND_CHURNED);
  list.set_page_size(100);
  account::v1::ListAccountsResponse churned;
  ASSERT_TRUE(accounts_->ListAccounts(Ctx().get(), list, &churned).ok());
  std::set<std::string> names;
  for (const auto& a : churned.accounts()) {
    names.insert(a.name());
    EXPECT_EQ(a.arr(), 0) << a.name();
    EXPECT_EQ(a.health_score(), 0) << a.name();
  }
  EXPECT_EQ(names,
            (std::set<std::string>{"accounts/demo-04", "accounts/demo-13",
                                   "accounts/demo-22", "accounts/demo-31"}));

  report::v1::GetPortfolioReportRequest preq;
  *preq.mutable_as_of_time() = as_of;
  report::v1::PortfolioReport report;
  ASSERT_TRUE(reports_->GetPortfolioReport(Ctx().get(), preq, &report).ok());
  EXPECT_EQ(report.retention().accounts_churned(), 3);
  int time_to_churn = 0;
  for (const auto& w : report.time_to_churn()) time_to_churn += w.accounts();
  EXPECT_EQ(time_to_churn, 3);
  int cohort_lost = 0;
  for (const auto& c : report.cohorts()) {
    cohort_lost += c.accounts_started() - c.accounts_retained();
  }
  EXPECT_EQ(cohort_lost, 2);

  report::v1::ValidateHealthModelRequest vreq;
  *vreq.mutable_as_of_time() = as_of;
  report::v1::HealthModelValidation v;
  ASSERT_TRUE(reports_->ValidateHealthModel(Ctx().get(), vreq, &v).ok());
  std::set<std::string> churn_outcomes;
  for (const auto& o : v.outcomes()) {
    if (o.outcome() == report::v1::OUTCOME_CHURN) {
      churn_outcomes.insert(o.account());
    }
  }
  EXPECT_EQ(churn_outcomes,
            (std::set<std::string>{"accounts/demo-13", "accounts/demo-22",
                                   "accounts/demo-31"}));

  // None of them is at risk, and their churn raised no band alert.
  report::v1::ListAtRiskAccountsRequest rreq;
  *rreq.mutable_as_of_time() = as_of;
  rreq.set_page_size(1000);
  report::v1::ListAtRiskAccountsResponse risk;
  ASSERT_TRUE(reports_->ListAtRiskAccounts(Ctx().get(), rreq, &risk).ok());
  for (const auto& r : risk.accounts()) {
    EXPECT_EQ(names.count(r.account()), 0u) << r.account();
  }
  for (const std::string& name : names) {
    for (const auto& a : AlertsOf(name)) {
      EXPECT_NE(a.band(), HEALTH_BAND_CHURNED) << name;
    }
  }
}

TEST_F(ChurnE2eTest, AChurnedAccountIsChurnedEverywhere) {
  StartServer();
  signal::v1::RecordSignalsResponse r;
  // "gone": 7 of 10 seats active and a sponsor met 2 days ago → engagement
  // 7, relationship 10, commercial 10: (2.8 + 3 + 1) / 0.8 = 8.5, green (a
  // RED -> GREEN alert from its never-contacted start). Scored as before,
  // its churn (commercial 0) would make it (2.8 + 3) / 0.8 = 7.25, yellow.
  const std::string gone =
      CreateAccount("gone", 50000, 10, DaysAgo(400)).name();
  ASSERT_TRUE(Record({Usage("g-u", gone, DaysAgo(2), 7),
                      Touch("g-t", gone, DaysAgo(2))},
                     &r)
                  .ok());
  ASSERT_EQ(Get(gone).health_band(), account::v1::HEALTH_BAND_GREEN);
  // "a-red" and "z-red" were never contacted since signing 400 days ago:
  // relationship 1, commercial 10 → 3.25, red. a-red churns (and would
  // stay red, at 0.75, if churned accounts were scored).
  const std::string a_red =
      CreateAccount("a-red", 9000, 5, DaysAgo(400)).name();
  const std::string z_red =
      CreateAccount("z-red", 9000, 5, DaysAgo(400)).name();
  ASSERT_EQ(Get(a_red).health_band(), account::v1::HEALTH_BAND_RED);

  ASSERT_TRUE(Record({Commercial("g-c", gone, DaysAgo(1),
                                 signal::v1::COMMERCIAL_EVENT_KIND_CHURN),
                      Commercial("a-c", a_red, DaysAgo(1),
                                 signal::v1::COMMERCIAL_EVENT_KIND_CHURN)},
                     &r)
                  .ok());

  const account::v1::Account now = Get(gone);
  EXPECT_EQ(now.health_band(), HEALTH_BAND_CHURNED);
  EXPECT_EQ(now.health_score(), 0);
  EXPECT_EQ(Get(a_red).health_band(), HEALTH_BAND_CHURNED);

  // Band alerts, newest first: "gone" has its first score (red) and its
  // turn to green, none for its churn; "a-red" only its first score.
  const auto alerts = AlertsOf(gone);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].previous_band(), account::v1::HEALTH_BAND_RED);
  EXPECT_EQ(alerts[0].band(), account::v1::HEALTH_BAND_GREEN);
  EXPECT_EQ(alerts[1].band(), account::v1::HEALTH_BAND_RED);
  const auto red_alerts = AlertsOf(a_red);
  ASSERT_EQ(red_alerts.size(), 1u);
  EXPECT_EQ(red_alerts[0].band(), account::v1::HEALTH_BAND_RED);

  // Health now says churned, with nothing live; as of 3 days ago (before
  // the churn) it is the live green score.
  report::v1::GetAccountHealthRequest hreq;
  hreq.set_account(gone);
  report::v1::AccountHealth h;
  ASSERT_TRUE(reports_->GetAccountHealth(Ctx().get(), hreq, &h).ok());
  EXPECT_EQ(h.band(), HEALTH_BAND_CHURNED);
  EXPECT_EQ(h.components_size(), 0);
  EXPECT_EQ(h.leading_indicators_size(), 0);
  *hreq.mutable_as_of_time() = Ts(DaysAgo(1.5));
  ASSERT_TRUE(reports_->GetAccountHealth(Ctx().get(), hreq, &h).ok());
  EXPECT_EQ(h.band(), account::v1::HEALTH_BAND_GREEN);
  EXPECT_DOUBLE_EQ(h.score(), 8.5);

  // The current-red snapshot goes in account order: a-red would come before
  // z-red, the only red account left.
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  report::v1::WatchHealthRequest wreq;
  wreq.set_include_current_red(true);
  auto reader = reports_->WatchHealth(&ctx, wreq);
  report::v1::HealthAlert first;
  ASSERT_TRUE(reader->Read(&first));
  EXPECT_EQ(first.account(), z_red);
  ctx.TryCancel();
}

TEST_F(ChurnE2eTest, ARenewalMayNotTakeArrToZero) {
  StartServer();
  const std::string acct = CreateAccount("r", 3000, 5, DaysAgo(400)).name();
  signal::v1::RecordSignalsResponse r;
  const grpc::Status s =
      Record({Commercial("r-1", acct, DaysAgo(1),
                         signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL, -3000)},
             &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "signals[0].commercial.arr_delta: a renewal lowering ARR by 3000 "
            "would take ARR 3000 to 0 or below; record a CHURN instead");
  // A renewal at a lower ARR that leaves some is recorded as a contraction.
  ASSERT_TRUE(
      Record({Commercial("r-2", acct, DaysAgo(1),
                         signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL, -1000)},
             &r)
          .ok());
  EXPECT_EQ(Get(acct).arr(), 2000);
  report::v1::GetPortfolioReportRequest preq;
  report::v1::PortfolioReport report;
  ASSERT_TRUE(reports_->GetPortfolioReport(Ctx().get(), preq, &report).ok());
  EXPECT_EQ(report.retention().contraction_arr(), 1000);
  EXPECT_EQ(report.retention().accounts_churned(), 0);
  report::v1::ValidateHealthModelRequest vreq;
  report::v1::HealthModelValidation v;
  ASSERT_TRUE(reports_->ValidateHealthModel(Ctx().get(), vreq, &v).ok());
  ASSERT_EQ(v.outcomes_size(), 1);
  EXPECT_EQ(v.outcomes(0).outcome(), report::v1::OUTCOME_CONTRACTION);
  EXPECT_EQ(v.outcomes(0).arr_lost(), 1000);
}

}  // namespace
}  // namespace retain::testing
