// Does reading an account's health cost grow with its history? Creates two
// accounts, gives one --small and the other --large usage signals spread
// over two years, then times GetAccountHealth (now, and as of 180 days ago)
// on each. A ratio near 1 means reports read only the windows their rules
// need, not the whole history.
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"

ABSL_FLAG(std::string, target, "127.0.0.1:7443", "Server address.");
ABSL_FLAG(int, small, 100, "Signals of the small account.");
ABSL_FLAG(int, large, 100000, "Signals of the large account.");
ABSL_FLAG(int, calls, 300, "GetAccountHealth calls per measurement.");
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

bool Fill(const std::shared_ptr<grpc::Channel>& ch, const std::string& id,
          int n) {
  auto accounts = account::v1::AccountService::NewStub(ch);
  account::v1::CreateAccountRequest req;
  req.set_account_id(id);
  req.mutable_account()->set_display_name(id);
  req.mutable_account()->set_arr(50000);
  req.mutable_account()->set_licensed_seats(100);
  req.mutable_account()->mutable_contract_start_time()->set_seconds(
      absl::ToUnixSeconds(absl::Now()) - 800 * 86400);
  account::v1::Account out;
  grpc::ClientContext ctx;
  Authorize(&ctx);
  if (!accounts->CreateAccount(&ctx, req, &out).ok()) return false;
  auto signals = signal::v1::SignalService::NewStub(ch);
  grpc::ClientContext sctx;
  Authorize(&sctx);
  signal::v1::StreamSignalsResponse resp;
  auto w = signals->StreamSignals(&sctx, &resp);
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  signal::v1::StreamSignalsRequest batch;
  for (int i = 0; i < n; ++i) {
    auto* s = batch.add_signals();
    s->set_signal_id(absl::StrCat(id, "-", i));
    s->set_account(absl::StrCat("accounts/", id));
    s->mutable_occur_time()->set_seconds(now - 730 * 86400 +
                                         int64_t{730} * 86400 * i / n);
    if (i % 5 == 0) {
      s->mutable_touchpoint()->set_channel(signal::v1::TOUCHPOINT_CHANNEL_CALL);
    } else {
      s->mutable_usage()->set_active_users(40 + i % 50);
    }
    if (batch.signals_size() == 1000 || i == n - 1) {
      w->Write(batch);
      batch.Clear();
    }
  }
  w->WritesDone();
  return w->Finish().ok();
}

double TimeHealth(report::v1::ReportService::Stub& stub, const std::string& id,
                  int calls, int days_ago) {
  const absl::Time start = absl::Now();
  for (int i = 0; i < calls; ++i) {
    report::v1::GetAccountHealthRequest req;
    req.set_account(absl::StrCat("accounts/", id));
    if (days_ago > 0) {
      req.mutable_as_of_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) -
                                            days_ago * 86400);
    }
    report::v1::AccountHealth out;
    grpc::ClientContext ctx;
    Authorize(&ctx);
    if (!stub.GetAccountHealth(&ctx, req, &out).ok()) return -1;
  }
  return absl::ToDoubleMicroseconds(absl::Now() - start) / calls;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  auto ch = grpc::CreateChannel(absl::GetFlag(FLAGS_target),
                                grpc::InsecureChannelCredentials());
  const std::string small = "history-small", large = "history-large";
  if (!Fill(ch, small, absl::GetFlag(FLAGS_small)) ||
      !Fill(ch, large, absl::GetFlag(FLAGS_large))) {
    std::fprintf(stderr, "setup failed\n");
    return 1;
  }
  auto stub = report::v1::ReportService::NewStub(ch);
  const int calls = absl::GetFlag(FLAGS_calls);
  TimeHealth(*stub, small, 20, 0);  // warm up
  for (int days : {0, 180}) {
    const double us_small = TimeHealth(*stub, small, calls, days);
    const double us_large = TimeHealth(*stub, large, calls, days);
    std::printf(
        "{\"label\":\"health-%s\",\"small_signals\":%d,\"large_signals\":%d,"
        "\"us_per_call_small\":%.1f,\"us_per_call_large\":%.1f,"
        "\"ratio_large_to_small\":%.2f}\n",
        days ? "as-of-180d" : "now", absl::GetFlag(FLAGS_small),
        absl::GetFlag(FLAGS_large), us_small, us_large, us_large / us_small);
  }
  return 0;
}
