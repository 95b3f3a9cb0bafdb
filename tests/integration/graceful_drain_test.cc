// SIGTERM while clients write: retaind stops accepting calls, lets the ones
// in flight finish, commits every queued batch, and exits 0. After a
// restart every acknowledged batch is there, and a call refused during the
// drain wrote nothing.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "tests/integration/client_fixture.h"
#include "tests/integration/load_writers.h"

namespace retain::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class GracefulDrainTest : public ServerTest {};

TEST_F(GracefulDrainTest, SigtermCommitsQueuedBatchesAndExitsCleanly) {
  // Drain time enough for everything queued: no timing is asserted.
  StartServer("", {"--drain_seconds=60"});
  std::vector<std::string> accounts;
  for (int i = 0; i < 3; ++i) {
    accounts.push_back(
        CreateAccount(absl::StrCat("g", i), 20000, 50, DaysAgo(300)).name());
  }
  const std::string dir = server_->data_dir();
  const std::string log = server_->log_path();
  LoadWriters writers(server_->address(), accounts);
  // Streams of at most 20 batches: a stream open at SIGTERM runs to its end.
  writers.Start(/*unary=*/4, /*streams=*/2, /*batches=*/20, /*size=*/500);
  ASSERT_TRUE(writers.WaitForAcks(6));
  const absl::Status stopped = server_->Stop();  // SIGTERM, wait for exit
  EXPECT_TRUE(stopped.ok()) << stopped;
  writers.Join();

  const std::string text = ReadFile(log);
  EXPECT_TRUE(absl::StrContains(text, "\"msg\":\"draining\"")) << text;
  EXPECT_TRUE(absl::StrContains(text, "\"msg\":\"stopped\"")) << text;

  StartServer(dir);
  const auto outcomes = writers.outcomes();
  const auto stored = StoredByBatch(signals_.get(), accounts);
  int acked = 0;
  for (const auto& o : outcomes) {
    acked += o.acknowledged;
    // A call that reached retaind after SIGTERM is refused: UNAVAILABLE, or
    // CANCELLED when it raced the shutdown (gRPC resets the stream). Either
    // way it was not done: nothing of it is stored. Never an error from
    // inside the server.
    if (!o.acknowledged) {
      EXPECT_TRUE(o.status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                  o.status.error_code() == grpc::StatusCode::CANCELLED)
          << o.batch << ": " << o.status.error_code() << " "
          << o.status.error_message();
      EXPECT_EQ(stored.count(o.batch), 0u) << o.batch << " refused but stored";
    }
  }
  EXPECT_GE(acked, 6);
  EXPECT_GE(ExpectAcknowledgedStoredAndBatchesWhole(outcomes, stored), acked);
}

}  // namespace
}  // namespace retain::testing
