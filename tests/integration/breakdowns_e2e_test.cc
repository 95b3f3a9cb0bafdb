// Breakdowns and the CSM book over a real retaind: an owner change after the
// period start leaves the period's retention with the owner at the start,
// while the book as of now follows the new owner.
#include <string>

#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

class BreakdownsTest : public ServerTest {
 protected:
  void Create(const std::string& id, double arr, const std::string& csm) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    auto* a = req.mutable_account();
    a->set_display_name(id);
    a->set_arr(arr);
    a->set_licensed_seats(50);
    *a->mutable_contract_start_time() = Ts(DaysAgo(200));
    *a->mutable_renewal_time() = Ts(DaysAgo(-200));
    a->set_csm_owner(csm);
    account::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(Ctx().get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
};

TEST_F(BreakdownsTest, OwnerAtThePeriodStartAndBookAtAsOf) {
  StartServer();
  // Two named accounts of 30,000: north (alice), south (bob). South expands
  // by 10,000 ten days ago, then is handed to alice.
  Create("north", 30000, "alice");
  Create("south", 30000, "bob");
  signal::v1::Signal exp;
  exp.set_signal_id("exp");
  exp.set_account("accounts/south");
  *exp.mutable_occur_time() = Ts(DaysAgo(10));
  exp.mutable_commercial()->set_kind(
      signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
  exp.mutable_commercial()->set_arr_delta(10000);
  signal::v1::RecordSignalsResponse rr;
  ASSERT_TRUE(Record({exp}, &rr).ok());
  account::v1::UpdateAccountRequest up;
  up.mutable_account()->set_name("accounts/south");
  up.mutable_account()->set_csm_owner("alice");
  up.mutable_update_mask()->add_paths("csm_owner");
  account::v1::Account updated;
  ASSERT_TRUE(accounts_->UpdateAccount(Ctx().get(), up, &updated).ok());

  const absl::Time as_of = absl::Now() + absl::Seconds(1);
  report::v1::GetBreakdownRequest req;
  req.set_dimension(report::v1::BREAKDOWN_DIMENSION_CSM);
  *req.mutable_as_of_time() = Ts(as_of);
  *req.mutable_period_start_time() = Ts(DaysAgo(30));
  report::v1::Breakdown b;
  grpc::Status s = reports_->GetBreakdown(Ctx().get(), req, &b);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(b.groups_size(), 2);
  EXPECT_EQ(b.groups(0).key(), "alice");
  EXPECT_DOUBLE_EQ(b.groups(0).retention().arr_start(), 30000);
  EXPECT_DOUBLE_EQ(b.groups(0).retention().nrr(), 1.0);
  // South's expansion stays with bob, who owned it on the period start.
  EXPECT_EQ(b.groups(1).key(), "bob");
  EXPECT_DOUBLE_EQ(b.groups(1).retention().arr_start(), 30000);
  EXPECT_DOUBLE_EQ(b.groups(1).retention().expansion_arr(), 10000);
  EXPECT_DOUBLE_EQ(b.groups(1).retention().nrr(), 40000.0 / 30000);

  // The groups add up to the portfolio report's retention.
  report::v1::GetPortfolioReportRequest preq;
  *preq.mutable_as_of_time() = req.as_of_time();
  *preq.mutable_period_start_time() = req.period_start_time();
  report::v1::PortfolioReport portfolio;
  ASSERT_TRUE(reports_->GetPortfolioReport(Ctx().get(), preq, &portfolio).ok());
  EXPECT_DOUBLE_EQ(portfolio.retention().arr_start(), 60000);
  EXPECT_EQ(b.total_retention().SerializeAsString(),
            portfolio.retention().SerializeAsString());

  report::v1::GetCsmBookRequest breq;
  *breq.mutable_as_of_time() = Ts(as_of);
  report::v1::CsmBook book;
  s = reports_->GetCsmBook(Ctx().get(), breq, &book);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(book.csms_size(), 1);  // both accounts are alice's now
  EXPECT_EQ(book.csms(0).csm_owner(), "alice");
  EXPECT_EQ(book.csms(0).accounts(), 2);
  EXPECT_DOUBLE_EQ(book.csms(0).arr(), 70000);
  // Named cadence is 30 days; neither was contacted in 200.
  EXPECT_EQ(book.csms(0).cadence_breaches(), 2);
  EXPECT_EQ(book.csms(0).renewals_due(), 0);  // 200 days out
  EXPECT_EQ(book.csms(0).target_accounts_per_csm(), 40);
}

TEST_F(BreakdownsTest, BadRequestsNameTheField) {
  StartServer();
  report::v1::GetBreakdownRequest req;
  report::v1::Breakdown b;
  grpc::Status s = reports_->GetBreakdown(Ctx().get(), req, &b);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("dimension"), std::string::npos);
  req.set_dimension(static_cast<report::v1::BreakdownDimension>(99));
  s = reports_->GetBreakdown(Ctx().get(), req, &b);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  req.set_dimension(report::v1::BREAKDOWN_DIMENSION_SEGMENT);
  *req.mutable_as_of_time() = Ts(DaysAgo(10));
  *req.mutable_period_start_time() = Ts(DaysAgo(5));
  s = reports_->GetBreakdown(Ctx().get(), req, &b);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("period_start_time"), std::string::npos);
}

}  // namespace
}  // namespace retain::testing
