// End to end: a real retaind with the expansion plugin, and a billing
// system recording the same expansion. The won opportunity and the invoice
// quote one commercial reference, so the expansion moves ARR once, also
// after the log is replayed at a restart
// (docs/decisions/0031-one-source-per-arr-event.md).
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/plugins/expansion/v1/expansion.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {
namespace {

namespace exp = ::retain::plugins::expansion::v1;
using signal::v1::RecordSignalsRequest;
using signal::v1::RecordSignalsResponse;

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/", ws ? ws : "retain", "/",
                      path);
}

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return ctx;
}

class ExpansionBillingE2eTest : public ::testing::Test {
 protected:
  // Starts (or restarts, on the same store) retaind with the expansion
  // plugin's own config `expansion_config` (a JSON object).
  void Start(const std::string& expansion_config = "{}") {
    if (data_dir_.empty()) {
      data_dir_ = RetaindProcess::MakeTempDir("expansion-billing-data");
    }
    const std::string config =
        RetaindProcess::MakeTempDir("expansion-billing") + "/plugins.json";
    std::ofstream(config) << "{\"plugins\": {\"expansion\": {\"config\": "
                          << expansion_config << "}}}";
    auto server = RetaindProcess::Start(
        {.data_dir = data_dir_,
         .extra_flags = {
             "--plugins=" + Runfile("plugins/expansion/libexpansion.so"),
             "--plugin_config=" + config}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    if (server_) EXPECT_TRUE(server_->Stop().ok());
  }

  void CreateAccount(const std::string& id, double arr) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    req.mutable_account()->set_display_name(id);
    req.mutable_account()->set_arr(arr);
    req.mutable_account()->set_licensed_seats(100);
    account::v1::Account resp;
    grpc::Status s =
        account::v1::AccountService::NewStub(channel_)->CreateAccount(
            Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  double Arr(const std::string& id) {
    account::v1::GetAccountRequest req;
    req.set_name("accounts/" + id);
    account::v1::Account resp;
    grpc::Status s = account::v1::AccountService::NewStub(channel_)->GetAccount(
        Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.arr();
  }
  // Creates opportunity `id` of `amount` on acme and moves it to WON.
  void WinOpportunity(const std::string& id, double amount) {
    auto stub = exp::ExpansionService::NewStub(channel_);
    exp::CreateOpportunityRequest create;
    create.set_opportunity_id(id);
    create.set_account_id("acme");
    create.set_type(exp::OPPORTUNITY_TYPE_UPSELL);
    create.set_amount(amount);
    exp::Opportunity o;
    grpc::Status s = stub->CreateOpportunity(Ctx().get(), create, &o);
    ASSERT_TRUE(s.ok()) << s.error_message();
    exp::UpdateStageRequest won;
    won.set_opportunity_id(id);
    won.set_stage(exp::STAGE_WON);
    s = stub->UpdateStage(Ctx().get(), won, &o);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // Billing's EXPANSION of `amount` on acme, quoting `reference`.
  RecordSignalsResponse Bill(const std::string& signal_id, double amount,
                             const std::string& reference) {
    RecordSignalsRequest req;
    signal::v1::Signal* s = req.add_signals();
    s->set_signal_id(signal_id);
    s->set_account("accounts/acme");
    // Full precision: a time truncated to the second could fall before
    // the account's creation, whose ARR is set at that instant.
    const int64_t micros = absl::ToUnixMicros(absl::Now());
    s->mutable_occur_time()->set_seconds(micros / 1000000);
    s->mutable_occur_time()->set_nanos(static_cast<int32_t>(micros % 1000000) *
                                       1000);
    s->mutable_commercial()->set_kind(
        signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
    s->mutable_commercial()->set_arr_delta(amount);
    s->mutable_commercial()->set_reference(reference);
    RecordSignalsResponse resp;
    grpc::Status st =
        signal::v1::SignalService::NewStub(channel_)->RecordSignals(Ctx().get(),
                                                                    req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  }
  int CommercialSignals() {
    signal::v1::ListSignalsRequest req;
    req.set_account("accounts/acme");
    req.set_kind(signal::v1::SIGNAL_KIND_COMMERCIAL);
    signal::v1::ListSignalsResponse resp;
    grpc::Status s = signal::v1::SignalService::NewStub(channel_)->ListSignals(
        Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.signals_size();
  }

  std::string data_dir_;
  std::unique_ptr<RetaindProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ExpansionBillingE2eTest, AWonOpportunityAndItsInvoiceMoveArrOnce) {
  Start();
  CreateAccount("acme", 100000);
  WinOpportunity("deal-7", 20000);
  EXPECT_DOUBLE_EQ(Arr("acme"), 120000);  // 100,000 + 20,000 from the win

  // Billing invoices the same expansion, quoting the opportunity's
  // reference: recorded, named back as a reference duplicate, ARR unmoved.
  RecordSignalsResponse billed = Bill("inv-1001", 20000, "expansion/deal-7");
  EXPECT_EQ(billed.recorded(), 1);
  EXPECT_EQ(billed.reference_duplicates(), 1);
  ASSERT_EQ(billed.reference_duplicate_ids_size(), 1);
  EXPECT_EQ(billed.reference_duplicate_ids(0), "inv-1001");
  EXPECT_DOUBLE_EQ(Arr("acme"), 120000);

  // An expansion billing alone knows of moves ARR: 120,000 + 5,000.
  RecordSignalsResponse other = Bill("inv-1002", 5000, "invoice/1002");
  EXPECT_EQ(other.recorded(), 1);
  EXPECT_EQ(other.reference_duplicates(), 0);
  EXPECT_DOUBLE_EQ(Arr("acme"), 125000);
  // A retried invoice is a signal-id duplicate, not a reference duplicate.
  RecordSignalsResponse retried = Bill("inv-1002", 5000, "invoice/1002");
  EXPECT_EQ(retried.duplicates(), 1);
  EXPECT_EQ(retried.reference_duplicates(), 0);
  EXPECT_EQ(CommercialSignals(), 3);  // the won one and two invoices

  // The log replayed at start-up decides as the live server did.
  ASSERT_TRUE(server_->Stop().ok());
  server_.reset();
  Start();
  EXPECT_DOUBLE_EQ(Arr("acme"), 125000);
  EXPECT_EQ(CommercialSignals(), 3);
}

TEST_F(ExpansionBillingE2eTest, WithBillingAsTheSourceTheInvoiceMovesArr) {
  Start(R"({"record_arr_on_won": false})");
  CreateAccount("acme", 100000);
  WinOpportunity("deal-8", 20000);
  EXPECT_DOUBLE_EQ(Arr("acme"), 100000);  // the win records nothing
  EXPECT_EQ(CommercialSignals(), 0);
  RecordSignalsResponse billed = Bill("inv-2001", 18000, "expansion/deal-8");
  EXPECT_EQ(billed.reference_duplicates(), 0);
  EXPECT_DOUBLE_EQ(Arr("acme"), 118000);  // billing's amount, once
}

}  // namespace
}  // namespace retain::testing
