// Many clients at once through the group-commit pipeline: unary callers and
// streams writing together are each answered for exactly their own signals,
// and the same signal ids racing from several clients are stored once.
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/client_fixture.h"
#include "tests/integration/load_writers.h"

namespace retain::testing {
namespace {

class ConcurrentIngestTest : public ServerTest {
 protected:
  std::vector<std::string> Accounts(int n) {
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) {
      names.push_back(
          CreateAccount(absl::StrCat("c", i), 20000, 50, DaysAgo(300)).name());
    }
    return names;
  }
};

TEST_F(ConcurrentIngestTest, StreamsAndUnaryCallersAtOnce) {
  StartServer();
  const auto accounts = Accounts(4);
  LoadWriters writers(server_->address(), accounts);
  // 6 callers x 20 batches of 100 and 3 streams x 20 batches of 500.
  writers.Start(/*unary=*/6, /*streams=*/0, /*batches=*/20, /*size=*/100);
  LoadWriters streams(server_->address(), accounts);
  streams.Start(/*unary=*/0, /*streams=*/3, /*batches=*/20, /*size=*/500);
  writers.Join();
  streams.Join();

  auto outcomes = writers.outcomes();
  for (const auto& o : streams.outcomes()) {
    // The stream writers' batch names ("s<w>-<n>") do not clash with the
    // callers' ("u<w>-<n>").
    outcomes.push_back(o);
  }
  ASSERT_EQ(outcomes.size(), 6u * 20 + 3u * 20);
  for (const auto& o : outcomes) {
    EXPECT_TRUE(o.acknowledged) << o.batch << ": " << o.status.error_message();
  }
  const auto stored = StoredByBatch(signals_.get(), accounts);
  EXPECT_EQ(ExpectAcknowledgedStoredAndBatchesWhole(outcomes, stored),
            6 * 20 + 3 * 20);
  int64_t total = 0;
  for (const auto& [batch, n] : stored) total += n;
  EXPECT_EQ(total, 6 * 20 * 100 + 3 * 20 * 500);
  // Still serving, and it stops cleanly.
  EXPECT_TRUE(server_->Stop().ok());
}

TEST_F(ConcurrentIngestTest,
       TheSameSignalIdsRacingFromThreeClientsAreStoredOnce) {
  StartServer();
  const auto accounts = Accounts(2);
  LoadWriters ids(server_->address(), accounts);  // names the signals only
  constexpr int kBatches = 40, kSize = 250;
  // Two unary clients and one stream send the very same batches at once.
  std::vector<int64_t> unary_recorded[2], unary_duplicates[2];
  auto unary = [&](int c) {
    auto stub = signal::v1::SignalService::NewStub(grpc::CreateCustomChannel(
        server_->address(), grpc::InsecureChannelCredentials(), [c] {
          grpc::ChannelArguments args;
          args.SetInt("retain.test.client", 100 + c);
          return args;
        }()));
    for (int b = 0; b < kBatches; ++b) {
      signal::v1::RecordSignalsRequest req;
      for (int i = 0; i < kSize; ++i) {
        *req.add_signals() = ids.Make(absl::StrCat("same-", b), i);
      }
      signal::v1::RecordSignalsResponse resp;
      grpc::Status s = stub->RecordSignals(Ctx().get(), req, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
      EXPECT_EQ(resp.recorded() + resp.duplicates(), kSize);
      unary_recorded[c].push_back(resp.recorded());
      unary_duplicates[c].push_back(resp.duplicates());
    }
  };
  signal::v1::StreamSignalsResponse streamed;
  grpc::Status stream_status;
  auto stream = [&] {
    auto stub = signal::v1::SignalService::NewStub(grpc::CreateChannel(
        server_->address(), grpc::InsecureChannelCredentials()));
    auto ctx = Ctx();
    auto writer = stub->StreamSignals(ctx.get(), &streamed);
    for (int b = 0; b < kBatches; ++b) {
      signal::v1::StreamSignalsRequest req;
      for (int i = 0; i < kSize; ++i) {
        *req.add_signals() = ids.Make(absl::StrCat("same-", b), i);
      }
      if (!writer->Write(req)) break;
    }
    writer->WritesDone();
    stream_status = writer->Finish();
  };
  std::thread a(unary, 0), b(unary, 1), c(stream);
  a.join();
  b.join();
  c.join();
  ASSERT_TRUE(stream_status.ok()) << stream_status.error_message();
  ASSERT_EQ(unary_recorded[0].size(), static_cast<size_t>(kBatches));
  ASSERT_EQ(unary_recorded[1].size(), static_cast<size_t>(kBatches));
  EXPECT_EQ(streamed.batches(), kBatches);

  // Each id was recorded by exactly one of the three and reported as a
  // duplicate to the other two.
  int64_t recorded = streamed.recorded(), duplicates = streamed.duplicates();
  for (int cl = 0; cl < 2; ++cl) {
    for (int b = 0; b < kBatches; ++b) {
      recorded += unary_recorded[cl][b];
      duplicates += unary_duplicates[cl][b];
    }
  }
  EXPECT_EQ(recorded, kBatches * kSize);
  EXPECT_EQ(duplicates, 2 * kBatches * kSize);
  const auto stored = StoredByBatch(signals_.get(), accounts);  // no id twice
  ASSERT_EQ(stored.size(), static_cast<size_t>(kBatches));
  for (const auto& [batch, n] : stored) EXPECT_EQ(n, kSize) << batch;

  // After a restart the same ids are still known: all duplicates.
  RestartServer();
  signal::v1::RecordSignalsResponse again;
  std::vector<signal::v1::Signal> batch;
  for (int i = 0; i < kSize; ++i) batch.push_back(ids.Make("same-7", i));
  ASSERT_TRUE(Record(std::move(batch), &again).ok());
  EXPECT_EQ(again.recorded(), 0);
  EXPECT_EQ(again.duplicates(), kSize);
}

}  // namespace
}  // namespace retain::testing
