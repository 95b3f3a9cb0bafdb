// Load client for retaind's ingest path (and the no-op baseline): creates
// accounts (unless --create_accounts=false), then sends --signals usage and
// touchpoint signals as StreamSignals batches of --batch over --streams
// concurrent streams, or as unary RecordSignals with --mode=unary. Prints one
// JSON line with the rate. Signals are built before the clock starts.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"

ABSL_FLAG(std::string, target, "127.0.0.1:7443", "Server address.");
ABSL_FLAG(int, accounts, 1000, "Accounts the signals are spread over.");
ABSL_FLAG(bool, create_accounts, true, "Create the accounts first.");
ABSL_FLAG(int, signals, 200000, "Signals to send.");
ABSL_FLAG(int, batch, 100, "Signals per message.");
ABSL_FLAG(int, streams, 4, "Concurrent streams (or unary callers).");
ABSL_FLAG(std::string, mode, "stream", "stream | unary");
ABSL_FLAG(std::string, label, "", "Name printed with the result.");
ABSL_FLAG(std::string, id_prefix, "b", "Signal id prefix (new ids per run).");
ABSL_FLAG(std::string, token, "",
          "API key sent as `authorization: Bearer` (retaind's operator.key); "
          "empty for a server without authentication.");

// Every call carries the key when one is given, as a real client's would.
static void Authorize(grpc::ClientContext* ctx) {
  const std::string token = absl::GetFlag(FLAGS_token);
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
}

namespace {

using namespace retain;  // NOLINT

std::vector<signal::v1::Signal> MakeSignals(int n, int accounts,
                                            const std::string& prefix) {
  std::vector<signal::v1::Signal> out(n);
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  for (int i = 0; i < n; ++i) {
    auto& s = out[i];
    s.set_signal_id(absl::StrCat(prefix, "-", i));
    // Random-looking account order, as real feeds interleave accounts.
    s.set_account(absl::StrCat("accounts/acct-",
                               (static_cast<int64_t>(i) * 7919) % accounts));
    s.mutable_occur_time()->set_seconds(now - 86400 * 300 + i % (86400 * 299));
    if (i % 10 == 0) {
      s.mutable_touchpoint()->set_channel(signal::v1::TOUCHPOINT_CHANNEL_EMAIL);
    } else {
      s.mutable_usage()->set_active_users(i % 97);
      s.mutable_usage()->set_window_days(7);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  const int streams = absl::GetFlag(FLAGS_streams);
  // One channel per stream: separate HTTP/2 connections, as separate
  // producers would have.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < streams; ++i) {
    args.SetInt("bench.channel", i);
    channels.push_back(grpc::CreateCustomChannel(
        absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials(), args));
  }
  const int accounts = absl::GetFlag(FLAGS_accounts);
  if (absl::GetFlag(FLAGS_create_accounts)) {
    auto stub = account::v1::AccountService::NewStub(channels[0]);
    for (int i = 0; i < accounts; ++i) {
      account::v1::CreateAccountRequest req;
      req.set_account_id(absl::StrCat("acct-", i));
      req.mutable_account()->set_display_name(absl::StrCat("Account ", i));
      req.mutable_account()->set_arr(1000 + (i * 37) % 200000);
      req.mutable_account()->set_licensed_seats(100);
      account::v1::Account out;
      grpc::ClientContext ctx;
      Authorize(&ctx);
      grpc::Status s = stub->CreateAccount(&ctx, req, &out);
      if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
        std::fprintf(stderr, "create: %s\n", s.error_message().c_str());
        return 1;
      }
    }
  }
  const int total = absl::GetFlag(FLAGS_signals);
  const int batch = absl::GetFlag(FLAGS_batch);
  auto signals = MakeSignals(total, accounts, absl::GetFlag(FLAGS_id_prefix));
  // Pre-build the messages per worker.
  std::vector<std::vector<signal::v1::StreamSignalsRequest>> work(streams);
  for (int b = 0, w = 0; b * batch < total; ++b, w = (w + 1) % streams) {
    signal::v1::StreamSignalsRequest req;
    for (int i = b * batch; i < std::min(total, (b + 1) * batch); ++i) {
      *req.add_signals() = std::move(signals[i]);
    }
    work[w].push_back(std::move(req));
  }
  std::atomic<int64_t> recorded{0};
  std::atomic<bool> failed{false};
  const bool unary = absl::GetFlag(FLAGS_mode) == "unary";
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int w = 0; w < streams; ++w) {
    threads.emplace_back([&, w] {
      auto stub = signal::v1::SignalService::NewStub(channels[w]);
      if (unary) {
        for (auto& msg : work[w]) {
          signal::v1::RecordSignalsRequest req;
          *req.mutable_signals() = std::move(*msg.mutable_signals());
          signal::v1::RecordSignalsResponse resp;
          grpc::ClientContext ctx;
          Authorize(&ctx);
          grpc::Status s = stub->RecordSignals(&ctx, req, &resp);
          if (!s.ok()) {
            std::fprintf(stderr, "unary: %s\n", s.error_message().c_str());
            failed = true;
            return;
          }
          recorded += resp.recorded() + resp.duplicates();
        }
        return;
      }
      grpc::ClientContext ctx;
      Authorize(&ctx);
      signal::v1::StreamSignalsResponse resp;
      auto writer = stub->StreamSignals(&ctx, &resp);
      for (auto& msg : work[w]) {
        if (!writer->Write(msg)) break;
      }
      writer->WritesDone();
      grpc::Status s = writer->Finish();
      if (!s.ok()) {
        std::fprintf(stderr, "stream: %s\n", s.error_message().c_str());
        failed = true;
      }
      recorded += resp.recorded() + resp.duplicates();
    });
  }
  for (auto& t : threads) t.join();
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf(
      "{\"label\":\"%s\",\"mode\":\"%s\",\"signals\":%lld,\"batch\":%d,"
      "\"streams\":%d,\"seconds\":%.3f,\"signals_per_s\":%.0f}\n",
      absl::GetFlag(FLAGS_label).c_str(), unary ? "unary" : "stream",
      static_cast<long long>(recorded.load()), batch, streams, secs,
      recorded.load() / secs);
  return failed ? 1 : 0;
}
