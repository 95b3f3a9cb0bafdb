// The retry-delay-ms trailer, on a real in-process server: the engine and
// the signal and account services, the interceptor registered as retaind's
// builder would. A rate refusal carries the trailer; refusals where waiting
// does not help, and other errors, do not.
#include "core/server/retry_hint.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "api/proto_time.h"
#include "core/engine/engine.h"
#include "core/health/health_config.h"
#include "core/server/account_service.h"
#include "core/server/signal_service.h"
#include "gtest/gtest.h"

namespace retain::server {
namespace {

class RetryHintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions o;
    o.data_dir =
        ::testing::TempDir() + "/retry_hint_" +
        std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    o.durability = store::Durability::kNormal;
    o.health = health::DefaultHealthConfig();
    o.quotas.max_accounts = 1;
    o.quotas.signals_per_second = 0.001;  // nothing refills during the test
    o.quotas.signals_burst = 2;
    auto e = engine::Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    accounts_svc_ =
        std::make_unique<AccountServiceImpl>(engine_.get(), &dev_auth_);
    signals_svc_ = std::make_unique<SignalServiceImpl>(engine_.get(),
                                                       &dev_auth_, &streams_);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(accounts_svc_.get());
    builder.RegisterService(signals_svc_.get());
    std::vector<
        std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(RetryHintInterceptorFactory());
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                       grpc::InsecureChannelCredentials());
    accounts_ = account::v1::AccountService::NewStub(channel);
    signals_ = signal::v1::SignalService::NewStub(channel);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
    if (engine_) engine_->Shutdown();
  }

  grpc::Status CreateAccount(const std::string& id, grpc::ClientContext* ctx) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    req.mutable_account()->set_display_name(id);
    account::v1::Account out;
    return accounts_->CreateAccount(ctx, req, &out);
  }
  grpc::Status Record(int n, const std::string& prefix,
                      grpc::ClientContext* ctx) {
    signal::v1::RecordSignalsRequest req;
    for (int i = 0; i < n; ++i) {
      auto* s = req.add_signals();
      s->set_signal_id(absl::StrCat(prefix, i));
      s->set_account("accounts/acme");
      *s->mutable_occur_time() = api::ToProto(absl::Now() - absl::Hours(1));
      s->mutable_usage()->set_active_users(1);
    }
    signal::v1::RecordSignalsResponse resp;
    return signals_->RecordSignals(ctx, req, &resp);
  }
  static std::vector<std::string> Trailer(const grpc::ClientContext& ctx) {
    std::vector<std::string> out;
    auto range =
        ctx.GetServerTrailingMetadata().equal_range(kRetryDelayMetadataKey);
    for (auto it = range.first; it != range.second; ++it) {
      out.emplace_back(it->second.data(), it->second.size());
    }
    return out;
  }

  std::unique_ptr<engine::Engine> engine_;
  // Authentication off: the services' own checks, not the caller's, are
  // under test here.
  auth::Authorizer dev_auth_{false, nullptr, nullptr};
  StreamLimiter streams_{0};
  std::unique_ptr<AccountServiceImpl> accounts_svc_;
  std::unique_ptr<SignalServiceImpl> signals_svc_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<account::v1::AccountService::Stub> accounts_;
  std::unique_ptr<signal::v1::SignalService::Stub> signals_;
};

TEST_F(RetryHintTest, ARateRefusalCarriesTheDelayAsATrailer) {
  grpc::ClientContext create;
  ASSERT_TRUE(CreateAccount("acme", &create).ok());
  grpc::ClientContext first;
  ASSERT_TRUE(Record(2, "a-", &first).ok());
  EXPECT_TRUE(Trailer(first).empty());

  grpc::ClientContext second;
  grpc::Status s = Record(1, "b-", &second);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const std::vector<std::string> trailer = Trailer(second);
  ASSERT_EQ(trailer.size(), 1u);
  int64_t ms = 0;
  ASSERT_TRUE(absl::SimpleAtoi(trailer[0], &ms)) << trailer[0];
  // The same number as the message's hint.
  EXPECT_EQ(engine::RetryDelayOf(s.error_message()), absl::Milliseconds(ms));
  EXPECT_GT(ms, 900000);
}

TEST_F(RetryHintTest, NoTrailerWhenWaitingDoesNotHelp) {
  grpc::ClientContext first;
  ASSERT_TRUE(CreateAccount("acme", &first).ok());
  grpc::ClientContext quota;
  grpc::Status s = CreateAccount("second", &quota);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Trailer(quota).empty());
  // A batch larger than the burst can never pass.
  grpc::ClientContext burst;
  EXPECT_EQ(Record(3, "c-", &burst).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Trailer(burst).empty());
  grpc::ClientContext invalid;
  EXPECT_EQ(CreateAccount("Not Valid", &invalid).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Trailer(invalid).empty());
}

}  // namespace
}  // namespace retain::server
