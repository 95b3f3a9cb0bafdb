// Concurrent signal writers for the end-to-end tests that stop or crash
// retaind under load: unary RecordSignals callers and StreamSignals streams,
// each on its own channel (a separate client), and a check of what the store
// holds afterwards, batch by batch.
//
// Signal ids are "<batch>/<i>" with batch "<writer>-<n>"; signal i goes to
// accounts[i % accounts.size()], as usage.
#ifndef RETAIN_TESTS_INTEGRATION_LOAD_WRITERS_H_
#define RETAIN_TESTS_INTEGRATION_LOAD_WRITERS_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "retain/signal/v1/signal.grpc.pb.h"

namespace retain::testing {

// What a client learnt about one batch.
struct BatchOutcome {
  std::string batch;
  int size = 0;
  // The server acknowledged it: a unary call answered OK, or a stream that
  // carried it finished OK.
  bool acknowledged = false;
  grpc::Status status;  // of the call (for a stream: of the whole stream)
};

class LoadWriters {
 public:
  LoadWriters(std::string address, std::vector<std::string> accounts)
      : address_(std::move(address)),
        accounts_(std::move(accounts)),
        base_seconds_(absl::ToUnixSeconds(absl::Now()) - 86400) {}
  ~LoadWriters() { Join(); }

  // `unary` callers each send up to `batches` RecordSignals calls one after
  // another, stopping at the first error; `streams` callers each send one
  // stream of up to `batches` batches. Every batch holds `size` signals.
  void Start(int unary, int streams, int batches, int size) {
    for (int w = 0; w < unary; ++w) {
      threads_.emplace_back(
          [=] { Unary(absl::StrCat("u", w), batches, size); });
    }
    for (int w = 0; w < streams; ++w) {
      threads_.emplace_back(
          [=] { Stream(absl::StrCat("s", w), batches, size); });
    }
  }

  // Blocks until `n` unary batches were acknowledged, or every writer is
  // done (false then, if fewer were).
  bool WaitForAcks(int n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return acked_ >= n || done_ == static_cast<int>(threads_.size());
    };
    mu_.Await(absl::Condition(&enough));
    return acked_ >= n;
  }

  void Join() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  std::vector<BatchOutcome> outcomes() {
    absl::MutexLock lock(&mu_);
    return outcomes_;
  }

  // Signal i of a batch; the same (batch, i) always gives the same signal.
  signal::v1::Signal Make(const std::string& batch, int i) const {
    signal::v1::Signal s;
    s.set_signal_id(absl::StrCat(batch, "/", i));
    s.set_account(accounts_[i % accounts_.size()]);
    s.mutable_occur_time()->set_seconds(base_seconds_ - i);
    s.mutable_usage()->set_active_users(1 + i % 50);
    return s;
  }

 private:
  std::unique_ptr<signal::v1::SignalService::Stub> NewClient() {
    // A channel of its own (unique args) so each writer is another client.
    grpc::ChannelArguments args;
    args.SetInt("retain.test.client", ++clients_);
    return signal::v1::SignalService::NewStub(grpc::CreateCustomChannel(
        address_, grpc::InsecureChannelCredentials(), args));
  }

  void Unary(const std::string& writer, int batches, int size) {
    auto stub = NewClient();
    for (int n = 0; n < batches; ++n) {
      BatchOutcome o{absl::StrCat(writer, "-", n), size};
      signal::v1::RecordSignalsRequest req;
      for (int i = 0; i < size; ++i) *req.add_signals() = Make(o.batch, i);
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
      signal::v1::RecordSignalsResponse resp;
      o.status = stub->RecordSignals(&ctx, req, &resp);
      o.acknowledged = o.status.ok();
      if (o.acknowledged) {
        EXPECT_EQ(resp.recorded(), size) << o.batch;
      }
      const bool stop = !o.status.ok();
      absl::MutexLock lock(&mu_);
      if (o.acknowledged) ++acked_;
      outcomes_.push_back(std::move(o));
      if (stop) break;
    }
    absl::MutexLock lock(&mu_);
    ++done_;
  }

  void Stream(const std::string& writer, int batches, int size) {
    auto stub = NewClient();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(120));
    signal::v1::StreamSignalsResponse resp;
    auto stream = stub->StreamSignals(&ctx, &resp);
    std::vector<BatchOutcome> sent;
    for (int n = 0; n < batches; ++n) {
      BatchOutcome o{absl::StrCat(writer, "-", n), size};
      signal::v1::StreamSignalsRequest req;
      for (int i = 0; i < size; ++i) *req.add_signals() = Make(o.batch, i);
      // A failed write may still have reached the server: count it sent.
      const bool written = stream->Write(req);
      sent.push_back(std::move(o));
      if (!written) break;
    }
    stream->WritesDone();
    grpc::Status status = stream->Finish();
    if (status.ok()) {
      EXPECT_EQ(resp.recorded(), static_cast<int64_t>(sent.size()) * size)
          << writer;
    }
    absl::MutexLock lock(&mu_);
    for (auto& o : sent) {
      o.status = status;
      o.acknowledged = status.ok();
      outcomes_.push_back(std::move(o));
    }
    ++done_;
  }

  const std::string address_;
  const std::vector<std::string> accounts_;
  const int64_t base_seconds_;
  std::vector<std::thread> threads_;
  std::atomic<int> clients_{0};
  absl::Mutex mu_;
  int acked_ ABSL_GUARDED_BY(mu_) = 0;
  int done_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<BatchOutcome> outcomes_ ABSL_GUARDED_BY(mu_);
};

// Signals stored per batch id, listing every account's usage signals; adds a
// failure for any signal id listed twice.
inline std::map<std::string, int> StoredByBatch(
    signal::v1::SignalService::Stub* stub,
    const std::vector<std::string>& accounts) {
  std::map<std::string, int> by_batch;
  std::set<std::string> seen;
  for (const std::string& account : accounts) {
    signal::v1::ListSignalsRequest req;
    req.set_account(account);
    req.set_kind(signal::v1::SIGNAL_KIND_USAGE);
    req.set_page_size(1000);
    while (true) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
      signal::v1::ListSignalsResponse page;
      grpc::Status s = stub->ListSignals(&ctx, req, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) return by_batch;
      for (const auto& sig : page.signals()) {
        EXPECT_TRUE(seen.insert(sig.signal_id()).second)
            << sig.signal_id() << " stored twice";
        ++by_batch[sig.signal_id().substr(0, sig.signal_id().find('/'))];
      }
      if (page.next_page_token().empty()) break;
      req.set_page_token(page.next_page_token());
    }
  }
  return by_batch;
}

// Every acknowledged batch is stored whole; every other batch is stored
// whole or not at all; nothing is stored that no client sent. Returns the
// number of batches stored.
inline int ExpectAcknowledgedStoredAndBatchesWhole(
    const std::vector<BatchOutcome>& outcomes,
    const std::map<std::string, int>& stored) {
  int stored_batches = 0;
  std::set<std::string> sent;
  for (const BatchOutcome& o : outcomes) {
    sent.insert(o.batch);
    auto it = stored.find(o.batch);
    const int n = it == stored.end() ? 0 : it->second;
    if (o.acknowledged) {
      EXPECT_EQ(n, o.size) << o.batch << " was acknowledged";
    } else {
      EXPECT_TRUE(n == 0 || n == o.size)
          << o.batch << ": " << n << " of " << o.size
          << " signals stored (a batch is all or nothing); the call ended "
          << o.status.error_code() << " " << o.status.error_message();
    }
    if (n == o.size) ++stored_batches;
  }
  for (const auto& [batch, n] : stored) {
    EXPECT_TRUE(sent.count(batch)) << batch << " stored but never sent";
  }
  return stored_batches;
}

}  // namespace retain::testing

#endif  // RETAIN_TESTS_INTEGRATION_LOAD_WRITERS_H_
