// Churn reasons and win-backs over a real retaind: reasons by ARR and
// tenure, win-backs apart from new logos and outside NRR, and reason codes
// checked against the configured taxonomy
// (docs/decisions/0033-churn-reasons-and-win-back.md).
#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

using signal::v1::COMMERCIAL_EVENT_KIND_CHURN;
using signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION;
using signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION;
using signal::v1::COMMERCIAL_EVENT_KIND_NEW_LOGO;
using signal::v1::COMMERCIAL_EVENT_KIND_WIN_BACK;
using ::testing::HasSubstr;

std::string WriteConfig(const std::string& json) {
  const std::string path =
      RetaindProcess::MakeTempDir("config") + "/health.json";
  std::ofstream(path) << json;
  return path;
}

class ChurnReasonsE2eTest : public ServerTest {
 protected:
  static signal::v1::Signal Commercial(const std::string& id,
                                       const std::string& account, absl::Time t,
                                       signal::v1::CommercialEventKind kind,
                                       double delta = 0,
                                       const std::string& code = "") {
    signal::v1::Signal s;
    s.set_signal_id(id);
    s.set_account(account);
    *s.mutable_occur_time() = Ts(t);
    s.mutable_commercial()->set_kind(kind);
    s.mutable_commercial()->set_arr_delta(delta);
    s.mutable_commercial()->set_reason_code(code);
    s.mutable_commercial()->set_reason("free text beside the code");
    return s;
  }
  void RecordOk(std::vector<signal::v1::Signal> batch) {
    signal::v1::RecordSignalsResponse r;
    grpc::Status s = Record(std::move(batch), &r);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  grpc::Status RecordBad(std::vector<signal::v1::Signal> batch) {
    signal::v1::RecordSignalsResponse r;
    return Record(std::move(batch), &r);
  }
  const report::v1::ChurnReasonSummary* Row(
      const report::v1::PortfolioReport& r, const std::string& code) {
    for (const auto& row : r.churn_reasons()) {
      if (row.reason_code() == code) return &row;
    }
    ADD_FAILURE() << "no row " << code;
    return nullptr;
  }
};

// Period: the last 365 days. Opening book: priced 1000, lost 3000, shrunk
// 2000, quiet 500 = 6500. At the end: shrunk 1500, returned 2500, relogo
// 1200, fresh 800 = 6000. Win-backs 2500 + 1200; new logo 800.
// NRR = (6000 - 800 - 3700) / 6500 = 1500 / 6500;
// GRR = (6500 - 4500 churned - 500 contracted) / 6500 = 1500 / 6500.
TEST_F(ChurnReasonsE2eTest, ReasonsTenureAndWinBacks) {
  StartServer();
  const std::string priced =
      CreateAccount("priced", 1000, 10, DaysAgo(500)).name();
  const std::string lost = CreateAccount("lost", 3000, 10, DaysAgo(420)).name();
  const std::string shrunk =
      CreateAccount("shrunk", 2000, 10, DaysAgo(500)).name();
  const std::string quiet =
      CreateAccount("quiet", 500, 10, DaysAgo(800)).name();
  const std::string returned =
      CreateAccount("returned", 4000, 10, DaysAgo(700)).name();
  const std::string relogo =
      CreateAccount("relogo", 1500, 10, DaysAgo(700)).name();
  CreateAccount("fresh", 800, 10, DaysAgo(90));
  RecordOk({
      Commercial("c1", priced, DaysAgo(100), COMMERCIAL_EVENT_KIND_CHURN, 0,
                 "price"),
      Commercial("c2", lost, DaysAgo(30), COMMERCIAL_EVENT_KIND_CHURN, 0,
                 "competitor"),
      Commercial("c3", shrunk, DaysAgo(50), COMMERCIAL_EVENT_KIND_CONTRACTION,
                 -500, "budget_cut"),
      Commercial("c4", quiet, DaysAgo(20), COMMERCIAL_EVENT_KIND_CHURN),
      Commercial("c5", returned, DaysAgo(400), COMMERCIAL_EVENT_KIND_CHURN, 0,
                 "price"),
      Commercial("c6", relogo, DaysAgo(450), COMMERCIAL_EVENT_KIND_CHURN),
  });
  RecordOk({
      Commercial("w1", returned, DaysAgo(60), COMMERCIAL_EVENT_KIND_WIN_BACK,
                 2500),
      Commercial("w2", relogo, DaysAgo(40), COMMERCIAL_EVENT_KIND_NEW_LOGO,
                 1200),
  });

  report::v1::GetPortfolioReportRequest req;
  report::v1::PortfolioReport r;
  grpc::Status s = reports_->GetPortfolioReport(Ctx().get(), req, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const report::v1::Retention& ret = r.retention();
  EXPECT_DOUBLE_EQ(ret.arr_start(), 6500);
  EXPECT_DOUBLE_EQ(ret.arr_end(), 6000);
  EXPECT_DOUBLE_EQ(ret.new_logo_arr(), 800);
  EXPECT_EQ(ret.accounts_new(), 1);
  EXPECT_DOUBLE_EQ(ret.win_back_arr(), 3700);
  EXPECT_EQ(ret.accounts_won_back(), 2);
  EXPECT_DOUBLE_EQ(ret.churned_arr(), 4500);
  EXPECT_EQ(ret.accounts_churned(), 3);
  EXPECT_DOUBLE_EQ(ret.contraction_arr(), 500);
  EXPECT_DOUBLE_EQ(ret.nrr(), 1500.0 / 6500);
  EXPECT_DOUBLE_EQ(ret.grr(), 1500.0 / 6500);

  ASSERT_EQ(r.churn_reasons_size(), 10);  // 9 default codes + unspecified
  ASSERT_NE(Row(r, "price"), nullptr);
  EXPECT_EQ(Row(r, "price")->churned_accounts(), 1);  // c5 was before
  EXPECT_DOUBLE_EQ(Row(r, "price")->churned_arr(), 1000);
  EXPECT_DOUBLE_EQ(Row(r, "competitor")->churned_arr(), 3000);
  EXPECT_EQ(Row(r, "budget_cut")->contractions(), 1);
  EXPECT_DOUBLE_EQ(Row(r, "budget_cut")->contraction_arr(), 500);
  EXPECT_EQ(Row(r, "unspecified")->churned_accounts(), 1);
  EXPECT_DOUBLE_EQ(Row(r, "unspecified")->churned_arr(), 500);

  // Tenure at churn: priced 400 days and lost 390 (12-24 months), quiet
  // 780 (24+).
  ASSERT_EQ(r.churn_reasons_by_tenure_size(), 4);
  EXPECT_EQ(r.churn_reasons_by_tenure(0).churned_accounts(), 0);
  EXPECT_EQ(r.churn_reasons_by_tenure(1).churned_accounts(), 0);
  EXPECT_EQ(r.churn_reasons_by_tenure(2).churned_accounts(), 2);
  EXPECT_DOUBLE_EQ(r.churn_reasons_by_tenure(2).churned_arr(), 4000);
  ASSERT_EQ(r.churn_reasons_by_tenure(2).reasons_size(), 2);
  EXPECT_EQ(r.churn_reasons_by_tenure(2).reasons(0).reason_code(), "price");
  EXPECT_EQ(r.churn_reasons_by_tenure(2).reasons(1).reason_code(),
            "competitor");
  EXPECT_EQ(r.churn_reasons_by_tenure(3).churned_accounts(), 1);
  EXPECT_DOUBLE_EQ(r.churn_reasons_by_tenure(3).churned_arr(), 500);

  // A win-back, by either kind, moves the lifecycle out of churned.
  for (const std::string& name : {returned, relogo}) {
    account::v1::GetAccountRequest get;
    get.set_name(name);
    account::v1::Account a;
    ASSERT_TRUE(accounts_->GetAccount(Ctx().get(), get, &a).ok());
    EXPECT_EQ(a.lifecycle_stage(), account::v1::LIFECYCLE_STAGE_ONBOARDING)
        << name;
  }
}

TEST_F(ChurnReasonsE2eTest, ReasonCodesAndWinBacksAreChecked) {
  StartServer();
  const std::string a = CreateAccount("a", 1000, 10, DaysAgo(400)).name();

  grpc::Status s = RecordBad({Commercial(
      "x1", a, DaysAgo(5), COMMERCIAL_EVENT_KIND_CHURN, 0, "pirce")});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("signals[0].commercial.reason_code: unknown reason "
                        "code \"pirce\"; valid codes: product_fit, price, "
                        "competitor, champion_left, budget_cut, acquired, "
                        "poor_onboarding, support, other"));

  s = RecordBad({Commercial("x2", a, DaysAgo(5),
                            COMMERCIAL_EVENT_KIND_EXPANSION, 100, "price")});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("signals[0].commercial.reason_code: "
                                           "only a CHURN, CONTRACTION"));

  s = RecordBad(
      {Commercial("x3", a, DaysAgo(5), COMMERCIAL_EVENT_KIND_WIN_BACK, 100)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("signals[0].commercial.kind: a WIN_BACK needs an "
                        "account churned at occur_time"));

  // Nothing of the rejected batches was written: the account is still live.
  report::v1::PortfolioReport r;
  ASSERT_TRUE(reports_
                  ->GetPortfolioReport(
                      Ctx().get(), report::v1::GetPortfolioReportRequest(), &r)
                  .ok());
  EXPECT_EQ(r.retention().accounts_churned(), 0);

  // A churn and the win-back from it in one batch are accepted.
  RecordOk(
      {Commercial("ok1", a, DaysAgo(5), COMMERCIAL_EVENT_KIND_CHURN, 0,
                  "price"),
       Commercial("ok2", a, DaysAgo(2), COMMERCIAL_EVENT_KIND_WIN_BACK, 700)});
}

TEST_F(ChurnReasonsE2eTest, TaxonomyFromTheConfigFile) {
  StartServer("", {"--health_config=" + WriteConfig(R"({
      "churn_reasons": [{"code": "too_expensive", "label": "Too expensive"},
                        {"code": "moved_on", "label": "Moved on"}]})")});
  const std::string a = CreateAccount("a", 1000, 10, DaysAgo(400)).name();
  grpc::Status s = RecordBad({Commercial(
      "x1", a, DaysAgo(5), COMMERCIAL_EVENT_KIND_CHURN, 0, "price")});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("valid codes: too_expensive, moved_on"));
  RecordOk({Commercial("ok", a, DaysAgo(5), COMMERCIAL_EVENT_KIND_CHURN, 0,
                       "moved_on")});
  report::v1::PortfolioReport r;
  ASSERT_TRUE(reports_
                  ->GetPortfolioReport(
                      Ctx().get(), report::v1::GetPortfolioReportRequest(), &r)
                  .ok());
  ASSERT_EQ(r.churn_reasons_size(), 3);
  EXPECT_EQ(r.churn_reasons(1).reason_code(), "moved_on");
  EXPECT_EQ(r.churn_reasons(1).label(), "Moved on");
  EXPECT_DOUBLE_EQ(r.churn_reasons(1).churned_arr(), 1000);
}

TEST_F(ChurnReasonsE2eTest, BadTaxonomyStopsTheServerNamingTheEntry) {
  const std::string path = WriteConfig(R"({
      "churn_reasons": [{"code": "price", "label": "Price"},
                        {"code": "price", "label": "Again"}]})");
  auto p = RetaindProcess::Start({"", {"--health_config=" + path}});
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(std::string(p.status().message()),
              HasSubstr("churn_reasons[1].code: duplicates churn_reasons[0]"));
}

}  // namespace
}  // namespace retain::testing
