// Every validation rule's message, word for word, as a client sees it from a
// real retaind: INVALID_ARGUMENT naming the field and the rule. (The rules'
// effects — nothing written, the server keeps answering — are in
// validation_test.cc.)
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

class ValidationMessagesTest : public ServerTest {
 protected:
  void SetUp() override {
    StartServer();
    // 1,000 of ARR from 100 days ago: a contraction of 1,000 would take it
    // to 0.
    account_ = CreateAccount("valid", 1000, 10, DaysAgo(100)).name();
  }

  signal::v1::Signal Base() {
    signal::v1::Signal s;
    s.set_signal_id(absl::StrCat("sig-", ++n_));
    s.set_account(account_);
    *s.mutable_occur_time() = Ts(DaysAgo(1));
    return s;
  }

  // The message a batch of [a valid signal, bad] is rejected with.
  std::string RejectSecond(signal::v1::Signal bad) {
    signal::v1::RecordSignalsRequest req;
    *req.add_signals() =
        Usage(absl::StrCat("ok-", ++n_), account_, DaysAgo(1), 5);
    *req.add_signals() = std::move(bad);
    signal::v1::RecordSignalsResponse resp;
    grpc::Status s = signals_->RecordSignals(Ctx().get(), req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << s.error_message();
    return s.error_message();
  }

  // The message creating an account changed by `mutate` is rejected with.
  std::string RejectCreate(
      const std::function<void(account::v1::CreateAccountRequest&)>& mutate) {
    account::v1::CreateAccountRequest req;
    req.set_account_id("new-one");
    req.mutable_account()->set_display_name("New");
    req.mutable_account()->set_arr(100);
    mutate(req);
    account::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(Ctx().get(), req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << s.error_message();
    return s.error_message();
  }

  std::string account_;
  int n_ = 0;
};

struct SignalCase {
  std::function<void(signal::v1::Signal&)> mutate;
  std::string message;
};

TEST_F(ValidationMessagesTest, SignalEnvelopeRules) {
  const std::vector<SignalCase> cases = {
      {[](auto& s) {
         s.set_signal_id("");
         s.mutable_usage();
       },
       "signals[1].signal_id: is required (a client-chosen id makes retries "
       "safe)"},
      {[](auto& s) {
         s.set_signal_id("tab\there");
         s.mutable_usage();
       },
       "signals[1].signal_id: must be 1-128 printable ASCII characters"},
      {[](auto& s) {
         s.set_signal_id(std::string(129, 'x'));
         s.mutable_usage();
       },
       "signals[1].signal_id: must be 1-128 printable ASCII characters"},
      {[](auto& s) {
         s.clear_account();
         s.mutable_usage();
       },
       "signals[1].account: is required (\"accounts/{account_id}\")"},
      {[](auto& s) {
         s.set_account("Acme");
         s.mutable_usage();
       },
       "signals[1].account: must be \"accounts/{account_id}\" with an id of "
       "1-63 characters [a-z0-9-_.], got \"Acme\""},
      {[](auto& s) {
         s.clear_occur_time();
         s.mutable_usage();
       },
       "signals[1].occur_time: is required"},
      {[](auto& s) {
         s.mutable_occur_time()->set_seconds(-10);
         s.mutable_usage();
       },
       "signals[1].occur_time: must be a valid time after 1970"},
      {[](auto& s) {
         s.mutable_occur_time()->set_nanos(1000000000);
         s.mutable_usage();
       },
       "signals[1].occur_time: must be a valid time after 1970"},
      {[](auto& s) {
         s.mutable_occur_time()->set_seconds(4102444800);  // 2100-01-01
         s.mutable_usage();
       },
       "signals[1].occur_time: must not be more than 1 day in the future, "
       "got 2100-01-01T00:00:00+00:00"},
      {[](auto& s) {},
       "signals[1]: a payload is required (usage, ticket, "
       "survey, touchpoint, commercial, lifecycle or custom)"},
      {[](auto& s) {
         s.set_account("accounts/nobody");
         s.mutable_usage();
       },
       "signals[1].account: no account \"accounts/nobody\""},
  };
  for (const SignalCase& c : cases) {
    auto s = Base();
    c.mutate(s);
    EXPECT_EQ(RejectSecond(s), c.message);
  }
}

TEST_F(ValidationMessagesTest, PayloadRules) {
  using signal::v1::Signal;
  const std::vector<SignalCase> cases = {
      {[](Signal& s) { s.mutable_usage()->set_active_users(-3); },
       "signals[1].usage.active_users: must be >= 0, got -3"},
      {[](Signal& s) { s.mutable_usage()->set_window_days(91); },
       "signals[1].usage.window_days: must be 1-90 (0 means 7), got 91"},
      {[](Signal& s) {
         (*s.mutable_usage()->mutable_feature_users())["sso"] = -1;
       },
       "signals[1].usage.feature_users[sso]: must be >= 0"},
      {[](Signal& s) {
         s.mutable_ticket()->set_status(signal::v1::TICKET_STATUS_CLOSED);
       },
       "signals[1].ticket.ticket_id: is required"},
      {[](Signal& s) {
         s.mutable_ticket()->set_ticket_id(std::string(257, 't'));
         s.mutable_ticket()->set_status(signal::v1::TICKET_STATUS_CLOSED);
       },
       "signals[1].ticket.ticket_id: must be at most 256 bytes, got 257"},
      {[](Signal& s) { s.mutable_ticket()->set_ticket_id("T-1"); },
       "signals[1].ticket.status: must be OPENED, UPDATED or CLOSED"},
      {[](Signal& s) {
         s.mutable_ticket()->set_ticket_id("T-1");
         s.mutable_ticket()->set_status(signal::v1::TICKET_STATUS_UPDATED);
         s.mutable_ticket()->set_severity(
             static_cast<signal::v1::TicketSeverity>(9));
       },
       "signals[1].ticket.severity: unknown severity"},
      {[](Signal& s) {
         s.mutable_ticket()->set_ticket_id("T-1");
         s.mutable_ticket()->set_status(signal::v1::TICKET_STATUS_OPENED);
       },
       "signals[1].ticket.severity: is required when a ticket is opened"},
      {[](Signal& s) {
         s.mutable_ticket()->set_ticket_id("T-1");
         s.mutable_ticket()->set_status(signal::v1::TICKET_STATUS_CLOSED);
         s.mutable_ticket()->set_subject(std::string(4097, 's'));
       },
       "signals[1].ticket.subject: must be at most 4096 bytes, got 4097"},
      {[](Signal& s) {
         s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_NPS);
         s.mutable_survey()->set_score(-1);
       },
       "signals[1].survey.score: an NPS answer must be 0-10, got -1"},
      {[](Signal& s) {
         s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_CSAT);
         s.mutable_survey()->set_score(6);
       },
       "signals[1].survey.score: a CSAT answer must be 1-5, got 6"},
      {[](Signal& s) {
         s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_CES);
         s.mutable_survey()->set_score(8);
       },
       "signals[1].survey.score: a CES answer must be 1-7, got 8"},
      {[](Signal& s) { s.mutable_survey()->set_score(5); },
       "signals[1].survey.kind: must be NPS, CSAT or CES"},
      {[](Signal& s) {
         s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_NPS);
         s.mutable_survey()->set_comment(std::string(4097, 'c'));
       },
       "signals[1].survey.comment: must be at most 4096 bytes, got 4097"},
      {[](Signal& s) {
         s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_NPS);
         s.mutable_survey()->set_respondent(std::string(257, 'r'));
       },
       "signals[1].survey.respondent: must be at most 256 bytes, got 257"},
      {[](Signal& s) {
         s.mutable_touchpoint()->set_channel(
             static_cast<signal::v1::TouchpointChannel>(12));
       },
       "signals[1].touchpoint.channel: unknown channel"},
      {[](Signal& s) {
         s.mutable_touchpoint()->set_notes(std::string(4097, 'n'));
       },
       "signals[1].touchpoint.notes: must be at most 4096 bytes, got 4097"},
      {[](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
         s.mutable_commercial()->set_arr_delta(std::nan(""));
       },
       "signals[1].commercial.arr_delta: must be a finite number"},
      {[](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_NEW_LOGO);
       },
       "signals[1].commercial.arr_delta: a new logo must bring ARR > 0, got "
       "0"},
      {[](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
         s.mutable_commercial()->set_arr_delta(-5);
       },
       "signals[1].commercial.arr_delta: an expansion must be > 0, got -5"},
      {[](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION);
         s.mutable_commercial()->set_arr_delta(5);
       },
       "signals[1].commercial.arr_delta: a contraction must be < 0, got 5"},
      {[](Signal& s) { s.mutable_commercial()->set_arr_delta(5); },
       "signals[1].commercial.kind: must be one of NEW_LOGO, RENEWAL, "
       "EXPANSION, CONTRACTION, CHURN, PAYMENT_OVERDUE, PAYMENT_RECEIVED, "
       "WIN_BACK"},
      {[](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL);
         s.mutable_commercial()->set_reason(std::string(4097, 'r'));
       },
       "signals[1].commercial.reason: must be at most 4096 bytes, got 4097"},
      // ARR is 1,000 on the day: a contraction of 1,000 leaves nothing.
      {[](Signal& s) {
         s.mutable_commercial()->set_kind(
             signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION);
         s.mutable_commercial()->set_arr_delta(-1000);
       },
       "signals[1].commercial.arr_delta: a contraction of 1000 would take ARR "
       "1000 to 0 or below; record a CHURN instead"},
      {[](Signal& s) { s.mutable_lifecycle(); },
       "signals[1].lifecycle.stage: must be a lifecycle stage"},
      {[](Signal& s) { s.mutable_custom(); },
       "signals[1].custom.type: is required"},
      {[](Signal& s) { s.mutable_custom()->set_type(std::string(129, 'x')); },
       "signals[1].custom.type: must be 1-128 printable ASCII characters"},
      {[](Signal& s) { s.mutable_custom()->set_type("retain.mine"); },
       "signals[1].custom.type: types starting with \"retain.\" are reserved "
       "for the server"},
      {[](Signal& s) {
         s.mutable_custom()->set_type("crm.note");
         for (int i = 0; i < 65; ++i) {
           (*s.mutable_custom()->mutable_attributes())[absl::StrCat("k", i)] =
               "v";
         }
       },
       "signals[1].custom.attributes: at most 64 attributes, got 65"},
  };
  for (const SignalCase& c : cases) {
    auto s = Base();
    c.mutate(s);
    EXPECT_EQ(RejectSecond(s), c.message);
  }
}

TEST_F(ValidationMessagesTest, BatchSizeRules) {
  signal::v1::RecordSignalsRequest empty;
  signal::v1::RecordSignalsResponse resp;
  grpc::Status s = signals_->RecordSignals(Ctx().get(), empty, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "signals: at least one is required");

  signal::v1::RecordSignalsRequest big;
  for (int i = 0; i < 10001; ++i) {
    *big.add_signals() =
        Usage(absl::StrCat("big-", i), account_, DaysAgo(1), 1);
  }
  s = signals_->RecordSignals(Ctx().get(), big, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "signals: at most 10000 per batch, got 10001");
}

TEST_F(ValidationMessagesTest, AccountRules) {
  using Req = account::v1::CreateAccountRequest;
  const std::vector<std::pair<std::function<void(Req&)>, std::string>> cases = {
      {[](Req& r) { r.mutable_account()->clear_display_name(); },
       "account.display_name: is required"},
      {[](Req& r) {
         r.mutable_account()->set_display_name(std::string(257, 'n'));
       },
       "account.display_name: must be at most 256 bytes, got 257"},
      {[](Req& r) { r.mutable_account()->set_arr(-5); },
       "account.arr: must be a number >= 0, got -5"},
      {[](Req& r) { r.mutable_account()->set_arr(std::nan("")); },
       "account.arr: must be a number >= 0, got nan"},
      {[](Req& r) { r.mutable_account()->set_licensed_seats(-1); },
       "account.licensed_seats: must be >= 0, got -1"},
      {[](Req& r) {
         *r.mutable_account()->mutable_contract_start_time() = Ts(DaysAgo(10));
         *r.mutable_account()->mutable_renewal_time() = Ts(DaysAgo(20));
       },
       "account.renewal_time: must not be before contract_start_time"},
      {[](Req& r) {
         r.mutable_account()->set_segment(static_cast<account::v1::Segment>(9));
       },
       "account.segment: unknown segment"},
      {[](Req& r) {
         r.mutable_account()->set_lifecycle_stage(
             static_cast<account::v1::LifecycleStage>(42));
       },
       "account.lifecycle_stage: unknown lifecycle stage"},
      {[](Req& r) {
         r.mutable_account()->set_csm_owner(std::string(257, 'c'));
       },
       "account.csm_owner: must be at most 256 bytes, got 257"},
      {[](Req& r) {
         for (int i = 0; i < 201; ++i) {
           r.mutable_account()->add_contacts()->set_display_name("P");
         }
       },
       "account.contacts: at most 200 contacts, got 201"},
      {[](Req& r) {
         r.mutable_account()->add_contacts()->set_display_name("Pat");
         r.mutable_account()->add_contacts()->set_role("CFO");
       },
       "account.contacts[1]: needs a display_name or an email"},
      {[](Req& r) { r.set_request_id(std::string(129, 'q')); },
       "request_id: must be at most 128 bytes, got 129"},
      {[](Req& r) { r.set_account_id("-starts-with-dash"); },
       "account_id: must be 1-63 characters of [a-z0-9-_.] starting with a "
       "letter or digit"},
      {[](Req& r) { r.set_account_id(std::string(64, 'a')); },
       "account_id: must be 1-63 characters of [a-z0-9-_.] starting with a "
       "letter or digit"},
  };
  for (const auto& [mutate, message] : cases) {
    EXPECT_EQ(RejectCreate(mutate), message);
  }
}

TEST_F(ValidationMessagesTest, UpdateAndNameRules) {
  account::v1::Account out;
  account::v1::UpdateAccountRequest update;
  update.mutable_account()->set_name(account_);
  update.mutable_update_mask()->add_paths("health_score");
  grpc::Status s = accounts_->UpdateAccount(Ctx().get(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              ::testing::StartsWith(
                  "update_mask: \"health_score\" is not a writable field ("));
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("display_name"));

  // An update is checked as the account it would make.
  update.mutable_update_mask()->Clear();
  update.mutable_update_mask()->add_paths("arr");
  update.mutable_account()->set_arr(-1);
  s = accounts_->UpdateAccount(Ctx().get(), update, &out);
  EXPECT_EQ(s.error_message(), "account.arr: must be a number >= 0, got -1");

  update.mutable_account()->set_name("accounts/Not Valid");
  s = accounts_->UpdateAccount(Ctx().get(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "account.name: must be \"accounts/{account_id}\" with an id of "
            "1-63 characters [a-z0-9-_.], got \"accounts/Not Valid\"");

  account::v1::GetAccountRequest get;
  s = accounts_->GetAccount(Ctx().get(), get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "name: is required (\"accounts/{account_id}\")");
}

TEST_F(ValidationMessagesTest, PagingAndPeriodRules) {
  account::v1::ListAccountsRequest accounts;
  accounts.set_page_size(1001);
  account::v1::ListAccountsResponse accounts_out;
  grpc::Status s =
      accounts_->ListAccounts(Ctx().get(), accounts, &accounts_out);
  EXPECT_EQ(s.error_message(), "page_size: must be 0-1000, got 1001");
  accounts.set_page_size(0);
  accounts.set_page_token("bogus");
  s = accounts_->ListAccounts(Ctx().get(), accounts, &accounts_out);
  EXPECT_EQ(s.error_message(),
            "page_token: not a token from a previous response");

  signal::v1::ListSignalsRequest signals;
  signals.set_account(account_);
  signals.set_page_size(-1);
  signal::v1::ListSignalsResponse signals_out;
  s = signals_->ListSignals(Ctx().get(), signals, &signals_out);
  EXPECT_EQ(s.error_message(), "page_size: must be 0-1000, got -1");
  signals.set_page_size(0);
  signals.set_page_token("s:12");
  s = signals_->ListSignals(Ctx().get(), signals, &signals_out);
  EXPECT_EQ(s.error_message(),
            "page_token: not a token from a previous response");
  signals.clear_account();
  signals.clear_page_token();
  s = signals_->ListSignals(Ctx().get(), signals, &signals_out);
  EXPECT_EQ(s.error_message(),
            "account: is required (\"accounts/{account_id}\")");

  report::v1::ListAtRiskAccountsRequest risk;
  risk.set_page_token("r:-4");
  report::v1::ListAtRiskAccountsResponse risk_out;
  s = reports_->ListAtRiskAccounts(Ctx().get(), risk, &risk_out);
  EXPECT_EQ(s.error_message(),
            "page_token: not a token from a previous response");

  report::v1::GetPortfolioReportRequest portfolio;
  *portfolio.mutable_as_of_time() = Ts(DaysAgo(10));
  *portfolio.mutable_period_start_time() = Ts(DaysAgo(5));
  report::v1::PortfolioReport report;
  s = reports_->GetPortfolioReport(Ctx().get(), portfolio, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "period_start_time: must be before as_of_time");

  report::v1::ValidateHealthModelRequest model;
  model.set_lead_days(366);
  report::v1::HealthModelValidation validation;
  s = reports_->ValidateHealthModel(Ctx().get(), model, &validation);
  EXPECT_EQ(s.error_message(),
            "lead_days: must be 0-365 (0 means 60), got 366");
}

}  // namespace
}  // namespace retain::testing
