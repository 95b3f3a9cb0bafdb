// Bad input gets INVALID_ARGUMENT naming the field and the rule, nothing of a
// rejected batch is written, and the server keeps answering.
#include <cmath>
#include <random>

#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

using ::testing::HasSubstr;

class ValidationTest : public ServerTest {
 protected:
  void SetUp() override {
    StartServer();
    account_ = CreateAccount("valid", 10000, 10, DaysAgo(100)).name();
  }

  // Records `bad` in a batch after a valid signal and checks the rejection.
  void ExpectRejected(signal::v1::Signal bad, const std::string& message) {
    signal::v1::RecordSignalsResponse resp;
    grpc::Status s =
        Record({Usage(absl::StrCat("ok-", ++n_), account_, DaysAgo(1), 5),
                std::move(bad)},
               &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr(message));
  }

  signal::v1::Signal Base(const std::string& id) {
    signal::v1::Signal s;
    s.set_signal_id(id);
    s.set_account(account_);
    *s.mutable_occur_time() = Ts(DaysAgo(1));
    return s;
  }

  std::string account_;
  int n_ = 0;
};

TEST_F(ValidationTest, SignalRulesNameFieldAndRule) {
  auto nps = Base("nps");
  nps.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_NPS);
  nps.mutable_survey()->set_score(11);
  ExpectRejected(nps,
                 "signals[1].survey.score: an NPS answer must be 0-10, got 11");

  auto csat = Base("csat");
  csat.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_CSAT);
  csat.mutable_survey()->set_score(0);
  ExpectRejected(csat, "a CSAT answer must be 1-5");

  auto unknown = Base("unknown");
  unknown.set_account("accounts/nobody");
  unknown.mutable_usage()->set_active_users(1);
  ExpectRejected(unknown, "signals[1].account: no account \"accounts/nobody\"");

  auto empty_id = Base("");
  empty_id.mutable_usage()->set_active_users(1);
  ExpectRejected(empty_id, "signals[1].signal_id: is required");

  auto no_payload = Base("nopayload");
  ExpectRejected(no_payload, "signals[1]: a payload is required");

  auto negative = Base("neg");
  negative.mutable_usage()->set_active_users(-3);
  ExpectRejected(negative, "signals[1].usage.active_users: must be >= 0");

  auto future = Base("future");
  *future.mutable_occur_time() = Ts(absl::Now() + absl::Hours(24 * 3));
  future.mutable_usage()->set_active_users(1);
  ExpectRejected(future, "signals[1].occur_time: must not be more than 1 day");

  auto contraction = Base("contract");
  contraction.mutable_commercial()->set_kind(
      signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION);
  contraction.mutable_commercial()->set_arr_delta(-20000);
  ExpectRejected(contraction, "record a CHURN instead");

  auto reserved = Base("reserved");
  reserved.mutable_custom()->set_type("retain.contacts_changed");
  ExpectRejected(reserved, "reserved for the server");

  // Nothing of the rejected batches was written, not even the valid first
  // signal of each.
  signal::v1::ListSignalsRequest list;
  list.set_account(account_);
  list.set_kind(signal::v1::SIGNAL_KIND_USAGE);
  signal::v1::ListSignalsResponse listed;
  ASSERT_TRUE(signals_->ListSignals(Ctx().get(), list, &listed).ok());
  EXPECT_EQ(listed.signals_size(), 0);
}

TEST_F(ValidationTest, OversizedBatchIsRejected) {
  signal::v1::RecordSignalsRequest req;
  for (int i = 0; i < 10001; ++i) {
    *req.add_signals() =
        Usage(absl::StrCat("big-", i), account_, DaysAgo(1), 1);
  }
  signal::v1::RecordSignalsResponse resp;
  grpc::Status s = signals_->RecordSignals(Ctx().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("at most 10000 per batch"));
}

TEST_F(ValidationTest, AccountRulesNameFieldAndRule) {
  struct Case {
    std::function<void(account::v1::CreateAccountRequest&)> mutate;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.mutable_account()->set_arr(-5); },
       "account.arr: must be a number >= 0, got -5"},
      {[](auto& r) {
         *r.mutable_account()->mutable_contract_start_time() = Ts(DaysAgo(10));
         *r.mutable_account()->mutable_renewal_time() = Ts(DaysAgo(20));
       },
       "account.renewal_time: must not be before contract_start_time"},
      {[](auto& r) { r.mutable_account()->clear_display_name(); },
       "account.display_name: is required"},
      {[](auto& r) { r.set_account_id("Bad Id!"); },
       "account_id: must be 1-63"},
      {[](auto& r) { r.mutable_account()->set_licensed_seats(-1); },
       "account.licensed_seats: must be >= 0"},
  };
  for (const Case& c : cases) {
    account::v1::CreateAccountRequest req;
    req.set_account_id("new-one");
    req.mutable_account()->set_display_name("New");
    req.mutable_account()->set_arr(100);
    c.mutate(req);
    account::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(Ctx().get(), req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.message;
    EXPECT_THAT(s.error_message(), HasSubstr(c.message));
  }
  account::v1::GetAccountRequest get;
  get.set_name("accounts/new-one");
  account::v1::Account out;
  EXPECT_EQ(accounts_->GetAccount(Ctx().get(), get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);

  account::v1::UpdateAccountRequest update;
  update.mutable_account()->set_name(account_);
  update.mutable_update_mask()->add_paths("create_time");
  EXPECT_EQ(accounts_->UpdateAccount(Ctx().get(), update, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  get.set_name("not-a-name");
  grpc::Status bad = accounts_->GetAccount(Ctx().get(), get, &out);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("name: must be \"accounts/"));
}

TEST_F(ValidationTest, UpdateMaskChangesOnlyNamedFieldsAndArrBecomesSignal) {
  account::v1::UpdateAccountRequest update;
  update.mutable_account()->set_name(account_);
  update.mutable_account()->set_arr(15000);
  update.mutable_account()->set_display_name("ignored");
  update.mutable_update_mask()->add_paths("arr");
  account::v1::Account out;
  ASSERT_TRUE(accounts_->UpdateAccount(Ctx().get(), update, &out).ok());
  EXPECT_DOUBLE_EQ(out.arr(), 15000);
  EXPECT_EQ(out.display_name(), "Account valid");
  EXPECT_EQ(out.segment(), account::v1::SEGMENT_POOLED);

  signal::v1::ListSignalsRequest list;
  list.set_account(account_);
  list.set_kind(signal::v1::SIGNAL_KIND_COMMERCIAL);
  signal::v1::ListSignalsResponse listed;
  ASSERT_TRUE(signals_->ListSignals(Ctx().get(), list, &listed).ok());
  ASSERT_EQ(listed.signals_size(), 1);
  EXPECT_EQ(listed.signals(0).commercial().kind(),
            signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
  EXPECT_DOUBLE_EQ(listed.signals(0).commercial().arr_delta(), 5000);

  account::v1::DeleteAccountRequest del;
  del.set_name(account_);
  account::v1::DeleteAccountResponse gone;
  grpc::Status deleted = accounts_->DeleteAccount(Ctx().get(), del, &gone);
  ASSERT_TRUE(deleted.ok()) << deleted.error_message();
  EXPECT_GE(gone.deleted_signals(), 1);
  account::v1::GetAccountRequest get;
  get.set_name(account_);
  EXPECT_EQ(accounts_->GetAccount(Ctx().get(), get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace retain::testing

namespace retain::testing {
namespace {

// Random field values (through the real proto encoding) never crash the
// server: every batch is either recorded or rejected with INVALID_ARGUMENT.
TEST_F(ValidationTest, RandomSignalsAreRecordedOrRejectedNeverCrash) {
  std::mt19937 rng(7);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  int recorded = 0, rejected = 0;
  for (int round = 0; round < 300; ++round) {
    signal::v1::Signal s;
    s.set_signal_id(pick(8) == 0 ? "" : absl::StrCat("r-", round));
    s.set_account(pick(6) == 0 ? "accounts/NOPE" : account_);
    if (pick(8) != 0) {
      s.mutable_occur_time()->set_seconds(static_cast<int64_t>(rng()) *
                                          (pick(2) ? 1 : -1) % 4000000000LL);
      s.mutable_occur_time()->set_nanos(pick(10) == 0 ? -5 : pick(1000000000));
    }
    switch (pick(8)) {
      case 0:
        s.mutable_usage()->set_active_users(pick(200) - 50);
        s.mutable_usage()->set_window_days(pick(120) - 10);
        break;
      case 1:
        s.mutable_ticket()->set_ticket_id(pick(3) ? "T" : "");
        s.mutable_ticket()->set_status(
            static_cast<signal::v1::TicketStatus>(pick(6)));
        s.mutable_ticket()->set_severity(
            static_cast<signal::v1::TicketSeverity>(pick(7)));
        break;
      case 2:
        s.mutable_survey()->set_kind(
            static_cast<signal::v1::SurveyKind>(pick(5)));
        s.mutable_survey()->set_score(pick(20) - 5);
        break;
      case 3:
        s.mutable_touchpoint()->set_channel(
            static_cast<signal::v1::TouchpointChannel>(pick(7)));
        break;
      case 4:
        s.mutable_commercial()->set_kind(
            static_cast<signal::v1::CommercialEventKind>(pick(9)));
        s.mutable_commercial()->set_arr_delta(
            pick(5) == 0 ? std::nan("") : (pick(40000) - 20000.0));
        break;
      case 5:
        s.mutable_lifecycle()->set_stage(
            static_cast<account::v1::LifecycleStage>(pick(10)));
        break;
      case 6:
        s.mutable_custom()->set_type(pick(4) ? "x.y" : std::string(200, 'z'));
        break;
      default:
        break;  // no payload
    }
    signal::v1::RecordSignalsResponse resp;
    grpc::Status st = Record({s}, &resp);
    if (st.ok()) {
      ++recorded;
    } else {
      ASSERT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << st.error_message();
      ++rejected;
    }
  }
  EXPECT_GT(recorded, 0);
  EXPECT_GT(rejected, 0);
  // Still answering, and reports over whatever was accepted still work.
  report::v1::GetAccountHealthRequest req;
  req.set_account(account_);
  report::v1::AccountHealth health;
  EXPECT_TRUE(reports_->GetAccountHealth(Ctx().get(), req, &health).ok());
  report::v1::PortfolioReport portfolio;
  EXPECT_TRUE(reports_
                  ->GetPortfolioReport(Ctx().get(),
                                       report::v1::GetPortfolioReportRequest(),
                                       &portfolio)
                  .ok());
}

}  // namespace
}  // namespace retain::testing
