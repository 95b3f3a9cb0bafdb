// Streams per key (--quota_streams_per_key): a key holding its limit of open
// streams is refused another with RESOURCE_EXHAUSTED and a retry hint, other
// keys are not, and a closed stream gives its slot back.
#include "retain/report/v1/report.grpc.pb.h"
#include "tests/integration/auth_fixture.h"

namespace retain::testing {
namespace {

class StreamQuotaTest : public AuthTest {
 protected:
  std::vector<std::string> ExtraFlags() override {
    return {"--quota_streams_per_key=2"};
  }

  struct Watch {
    std::unique_ptr<grpc::ClientContext> ctx;
    std::unique_ptr<grpc::ClientReader<report::v1::HealthAlert>> reader;
  };
  // Opens a watch and waits until the server answered its headers (or
  // refused it), so the slot is taken when this returns.
  Watch Open(const std::string& key) {
    Watch w;
    w.ctx = As(key, 60);
    auto stub = report::v1::ReportService::NewStub(channel_);
    w.reader = stub->WatchHealth(w.ctx.get(), report::v1::WatchHealthRequest());
    w.reader->WaitForInitialMetadata();
    return w;
  }
  static grpc::Status Close(Watch& w) {
    w.ctx->TryCancel();
    report::v1::HealthAlert a;
    while (w.reader->Read(&a)) {
    }
    return w.reader->Finish();
  }
};

TEST_F(StreamQuotaTest, AKeyHoldsAtMostItsLimitOfStreams) {
  const std::string reader = CreateKey("default", auth::v1::ROLE_READER);
  Watch a = Open(reader);
  Watch b = Open(reader);
  Watch refused = Open(reader);
  report::v1::HealthAlert alert;
  EXPECT_FALSE(refused.reader->Read(&alert));
  grpc::Status s = refused.reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_message().find("quota streams_per_key"), std::string::npos)
      << s.error_message();
  EXPECT_NE(s.error_message().find("retry after"), std::string::npos)
      << s.error_message();

  // Another key has its own slots.
  Watch other = Open(operator_key_);
  Close(other);

  // A closed stream gives its slot back.
  Close(a);
  bool reopened = false;
  for (int attempt = 0; attempt < 100 && !reopened; ++attempt) {
    Watch again = Open(reader);
    grpc::Status st = Close(again);
    reopened = st.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED;
    if (!reopened) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(reopened);
  Close(b);
}

}  // namespace
}  // namespace retain::testing
