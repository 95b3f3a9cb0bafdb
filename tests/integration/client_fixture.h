// Shared pieces of the end-to-end tests: a real retaind and stubs to it.
#ifndef RETAIN_TESTS_INTEGRATION_CLIENT_FIXTURE_H_
#define RETAIN_TESTS_INTEGRATION_CLIENT_FIXTURE_H_

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {

inline google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

inline absl::Time DaysAgo(double days) {
  return absl::Now() - absl::Hours(24 * days);
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(const std::string& data_dir = "",
                   std::vector<std::string> flags = {}) {
    auto p = RetaindProcess::Start({data_dir, std::move(flags)});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    accounts_ = account::v1::AccountService::NewStub(channel_);
    signals_ = signal::v1::SignalService::NewStub(channel_);
    reports_ = report::v1::ReportService::NewStub(channel_);
  }

  void RestartServer() {
    const std::string dir = server_->data_dir();
    ASSERT_TRUE(server_->Stop().ok());
    StartServer(dir);
  }

  std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(30));
    return ctx;
  }

  account::v1::Account CreateAccount(const std::string& id, double arr,
                                     int seats, absl::Time start,
                                     bool sponsor = true) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    auto* a = req.mutable_account();
    a->set_display_name(absl::StrCat("Account ", id));
    a->set_arr(arr);
    a->set_licensed_seats(seats);
    *a->mutable_contract_start_time() = Ts(start);
    *a->mutable_renewal_time() = Ts(start + absl::Hours(24 * 365 * 3));
    a->set_csm_owner("csm@example.com");
    a->set_lifecycle_stage(account::v1::LIFECYCLE_STAGE_ADOPTION);
    auto* c = a->add_contacts();
    c->set_display_name("Pat");
    c->set_exec_sponsor(sponsor);
    account::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static signal::v1::Signal Usage(const std::string& id,
                                  const std::string& account, absl::Time t,
                                  int active) {
    signal::v1::Signal s;
    s.set_signal_id(id);
    s.set_account(account);
    *s.mutable_occur_time() = Ts(t);
    s.mutable_usage()->set_active_users(active);
    s.mutable_usage()->set_window_days(7);
    return s;
  }

  static signal::v1::Signal Touch(const std::string& id,
                                  const std::string& account, absl::Time t) {
    signal::v1::Signal s;
    s.set_signal_id(id);
    s.set_account(account);
    *s.mutable_occur_time() = Ts(t);
    s.mutable_touchpoint()->set_channel(signal::v1::TOUCHPOINT_CHANNEL_CALL);
    return s;
  }

  grpc::Status Record(std::vector<signal::v1::Signal> batch,
                      signal::v1::RecordSignalsResponse* resp) {
    signal::v1::RecordSignalsRequest req;
    for (auto& s : batch) *req.add_signals() = std::move(s);
    return signals_->RecordSignals(Ctx().get(), req, resp);
  }

  std::unique_ptr<RetaindProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<account::v1::AccountService::Stub> accounts_;
  std::unique_ptr<signal::v1::SignalService::Stub> signals_;
  std::unique_ptr<report::v1::ReportService::Stub> reports_;
};

}  // namespace retain::testing

#endif  // RETAIN_TESTS_INTEGRATION_CLIENT_FIXTURE_H_
