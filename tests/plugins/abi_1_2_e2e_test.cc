// Plugin ABI 1.2 end to end: a real retaind loads real plugin .so files.
// A counter raised by compare-and-set from many concurrent calls loses no
// update (no plugin-side lock); hooks see their call context and are
// cancelled by their deadline, by the client and by shutdown; a plugin that
// declines says why, and one the host refuses is told why (also one built
// with the C++ SDK); plugins built for ABI 1.0, 1.1 and 1.2 serve side by
// side.
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/plugin/v1/abi.pb.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"
#include "retain_plugin_abi.h"
#include "tests/support/generic_unary.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {
namespace {

constexpr char kCounter[] = "/retain.plugins.cas_counter.v1.CounterService/";
const std::string kHostAbi =
    absl::StrCat(RETAIN_PLUGIN_ABI_MAJOR, ".", RETAIN_PLUGIN_ABI_MINOR);

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/", ws ? ws : "retain", "/",
                      path);
}

std::string Fixture(const std::string& name) {
  return Runfile(absl::StrCat("plugins/fixtures/lib", name, ".so"));
}

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

// Polls until true or 60 s pass (a bound for broken tests, not a timing
// assertion).
bool Eventually(const std::function<bool()>& cond) {
  absl::Time end = absl::Now() + absl::Seconds(60);
  while (absl::Now() < end) {
    if (cond()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return cond();
}

int CountLogLines(const std::string& path,
                  const std::vector<std::string>& needles) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (const auto& needle : needles) {
      all = all && absl::StrContains(line, needle);
    }
    n += all;
  }
  return n;
}

std::string Call(const std::shared_ptr<grpc::Channel>& channel,
                 const std::string& method, const std::string& request = "") {
  std::string out;
  grpc::Status s = UnaryBytes(channel, method, request, &out);
  EXPECT_TRUE(s.ok()) << method << ": " << s.error_message();
  return out;
}

// A raw call whose context the test controls (deadline, cancel), answered
// asynchronously.
class PendingCall {
 public:
  PendingCall(const std::shared_ptr<grpc::Channel>& channel,
              const std::string& method, absl::Duration deadline)
      : stub_(channel) {
    ctx_.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    grpc::Slice slice("");
    request_ = grpc::ByteBuffer(&slice, 1);
    stub_.UnaryCall(&ctx_, method, grpc::StubOptions(), &request_, &response_,
                    [this](grpc::Status s) {
                      {
                        absl::MutexLock lock(&mu_);
                        status_ = std::move(s);
                        response_bytes_ = Bytes(response_);
                      }
                      done_.Notify();
                    });
  }
  ~PendingCall() { done_.WaitForNotification(); }

  void Cancel() { ctx_.TryCancel(); }
  grpc::Status Wait() {
    done_.WaitForNotification();
    absl::MutexLock lock(&mu_);
    return status_;
  }
  std::string response() {
    Wait();
    absl::MutexLock lock(&mu_);
    return response_bytes_;
  }

 private:
  static std::string Bytes(const grpc::ByteBuffer& b) {
    std::vector<grpc::Slice> slices;
    std::string out;
    if (!b.Dump(&slices).ok()) return out;
    for (const auto& s : slices) {
      out.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    return out;
  }

  grpc::GenericStub stub_;
  grpc::ClientContext ctx_;
  grpc::ByteBuffer request_, response_;
  absl::Mutex mu_;
  grpc::Status status_;
  std::string response_bytes_;
  absl::Notification done_;
};

std::shared_ptr<grpc::Channel> Connect(const RetaindProcess& server) {
  return grpc::CreateChannel(server.address(),
                             grpc::InsecureChannelCredentials());
}

std::vector<plugin::v1::Plugin> ListPlugins(
    const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = plugin::v1::PluginService::NewStub(channel);
  grpc::ClientContext ctx;
  plugin::v1::ListPluginsResponse resp;
  grpc::Status s = stub->ListPlugins(&ctx, {}, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return {resp.plugins().begin(), resp.plugins().end()};
}

plugin::v1::Plugin PluginNamed(const std::shared_ptr<grpc::Channel>& channel,
                               const std::string& name) {
  for (auto& p : ListPlugins(channel)) {
    if (p.name() == name) return p;
  }
  return plugin::v1::Plugin();
}

void CreateAccount(const std::shared_ptr<grpc::Channel>& channel,
                   const std::string& id) {
  auto stub = account::v1::AccountService::NewStub(channel);
  account::v1::CreateAccountRequest req;
  req.set_account_id(id);
  req.mutable_account()->set_display_name("Account " + id);
  req.mutable_account()->set_arr(10000);
  req.mutable_account()->set_licensed_seats(10);
  grpc::ClientContext ctx;
  account::v1::Account resp;
  grpc::Status s = stub->CreateAccount(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

void RecordTouchpoint(const std::shared_ptr<grpc::Channel>& channel,
                      const std::string& id, const std::string& account) {
  auto stub = signal::v1::SignalService::NewStub(channel);
  signal::v1::RecordSignalsRequest req;
  auto* s = req.add_signals();
  s->set_signal_id(id);
  s->set_account("accounts/" + account);
  s->mutable_occur_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 60);
  s->mutable_touchpoint()->set_channel(signal::v1::TOUCHPOINT_CHANNEL_CALL);
  s->mutable_touchpoint()->set_csm("ann");
  grpc::ClientContext ctx;
  signal::v1::RecordSignalsResponse resp;
  grpc::Status st = stub->RecordSignals(&ctx, req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
}

std::unique_ptr<RetaindProcess> StartServer(
    const std::vector<std::string>& plugins, const std::string& config_json,
    const std::string& data_dir = "") {
  std::string dir = RetaindProcess::MakeTempDir("abi12");
  std::string list;
  for (const auto& p : plugins) list += (list.empty() ? "" : ",") + p;
  RetaindProcess::Options options{
      .data_dir = data_dir,
      .extra_flags = {
          "--plugins=" + list,
          "--plugin_config=" + WriteFile(dir + "/plugins.json", config_json)}};
  auto server = RetaindProcess::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(*server) : nullptr;
}

TEST(Abi12E2eTest, CompareAndSetCounterLosesNoUpdateFromConcurrentCalls) {
  // Four workers; the first four increments each wait after their read
  // until all four have read, so they race on one version for certain.
  const std::string config = R"({"plugins": {"cas_counter": {
      "workers": 4, "call_timeout_ms": 60000,
      "config": {"rendezvous": 4}}}})";
  const std::string data_dir = RetaindProcess::MakeTempDir("abi12-cas-data");
  auto server = StartServer({Fixture("cas_counter")}, config, data_dir);
  ASSERT_NE(server, nullptr);
  auto channel = Connect(*server);

  constexpr int kCalls = 24;
  std::vector<std::unique_ptr<PendingCall>> calls;
  for (int i = 0; i < kCalls; ++i) {
    calls.push_back(std::make_unique<PendingCall>(
        channel, absl::StrCat(kCounter, "Increment"), absl::Seconds(120)));
  }
  std::set<std::string> values;
  for (auto& c : calls) {
    grpc::Status s = c->Wait();
    ASSERT_TRUE(s.ok()) << s.error_message();
    values.insert(c->response());
  }
  // Every increment got its own value: 1..kCalls, none lost or repeated.
  std::set<std::string> want;
  for (int i = 1; i <= kCalls; ++i) want.insert(std::to_string(i));
  EXPECT_EQ(values, want);
  // One kv_read snapshot: the counter and the entries written with it.
  EXPECT_EQ(Call(channel, absl::StrCat(kCounter, "Get")),
            absl::StrCat("count=", kCalls, " seen=", kCalls));
  // The rendezvous made three of the first four write against a stale
  // version: ABORTED, read again, retried.
  std::string stats = Call(channel, absl::StrCat(kCounter, "Stats"));
  ASSERT_TRUE(absl::StartsWith(stats, "retries=")) << stats;
  EXPECT_GE(std::stoi(stats.substr(8)), 3) << stats;
  ASSERT_TRUE(server->Stop().ok());

  // The versions survive a restart: a compare-and-set against what was
  // read before it still applies, and the count goes on.
  server = StartServer({Fixture("cas_counter")}, "{}", data_dir);
  ASSERT_NE(server, nullptr);
  channel = Connect(*server);
  EXPECT_EQ(Call(channel, absl::StrCat(kCounter, "Increment")),
            std::to_string(kCalls + 1));
  EXPECT_EQ(Call(channel, absl::StrCat(kCounter, "Get")),
            absl::StrCat("count=", kCalls + 1, " seen=", kCalls + 1));
  EXPECT_TRUE(server->Stop().ok());
}

TEST(Abi12E2eTest, HooksSeeTheirCallContextAndThePluginsThreadsNone) {
  auto server =
      StartServer({Fixture("cas_counter")},
                  R"({"plugins": {"cas_counter": {"call_timeout_ms": 30000,
                                      "tick_seconds": 0.05}}})");
  ASSERT_NE(server, nullptr);
  auto channel = Connect(*server);

  const std::string method = absl::StrCat(kCounter, "Context");
  const int64_t before = absl::ToUnixMicros(absl::Now());
  plugin::v1::CallContext ctx;
  ASSERT_TRUE(ctx.ParseFromString(Call(channel, method)));
  EXPECT_EQ(ctx.hook(), plugin::v1::CallContext::HOOK_CALL);
  EXPECT_EQ(ctx.method(), method);
  EXPECT_FALSE(ctx.cancelled());
  EXPECT_EQ(ctx.cancel_reason(),
            plugin::v1::CallContext::CANCEL_REASON_UNSPECIFIED);
  // The sooner of the plugin's call_timeout and the client's deadline
  // (30 s each here): after the call started, and still ahead when asked.
  EXPECT_GT(ctx.deadline_micros(), before);
  EXPECT_GT(ctx.remaining_micros(), 0);
  EXPECT_LE(ctx.remaining_micros(), 30 * 1000 * 1000);

  // A thread the plugin starts itself runs no hook.
  std::string off = Call(channel, absl::StrCat(kCounter, "OffThread"));
  EXPECT_TRUE(absl::StartsWith(off, "code=5 cancelled=0 no call")) << off;

  // on_signal and on_tick see which hook they are.
  CreateAccount(channel, "acme");
  RecordTouchpoint(channel, "t1", "acme");
  const std::string want =
      absl::StrCat("signal=", plugin::v1::CallContext::HOOK_SIGNAL,
                   " tick=", plugin::v1::CallContext::HOOK_TICK);
  std::string hooks;
  EXPECT_TRUE(Eventually([&] {
    hooks = Call(channel, absl::StrCat(kCounter, "Hooks"));
    return hooks == want;
  })) << hooks;
  // So do on_report_section and on_health_component (the section's title
  // and the component's explanation say which).
  auto reports = report::v1::ReportService::NewStub(channel);
  report::v1::GetAccountHealthRequest req;
  req.set_account("accounts/acme");
  report::v1::AccountHealth health;
  grpc::ClientContext rctx;
  grpc::Status s = reports->GetAccountHealth(&rctx, req, &health);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::string section, component;
  for (const auto& sec : health.sections()) {
    if (sec.plugin() == "cas_counter") section = sec.title();
  }
  for (const auto& c : health.components()) {
    if (c.source() == "cas_counter") component = c.explanation();
  }
  EXPECT_EQ(section,
            absl::StrCat("hook ", plugin::v1::CallContext::HOOK_REPORT_SECTION))
      << health.ShortDebugString();
  EXPECT_EQ(
      component,
      absl::StrCat("hook ", plugin::v1::CallContext::HOOK_HEALTH_COMPONENT))
      << health.ShortDebugString();
  EXPECT_TRUE(server->Stop().ok());
}

TEST(Abi12E2eTest, HooksAreCancelledByDeadlineByClientAndByShutdown) {
  auto server =
      StartServer({Fixture("cas_counter")},
                  R"({"plugins": {"cas_counter": {"call_timeout_ms": 60000,
                                      "workers": 2,
                                      "max_consecutive_failures": 100}}})");
  ASSERT_NE(server, nullptr);
  auto channel = Connect(*server);
  const std::string wait = absl::StrCat(kCounter, "WaitCancelled");
  auto last_cancel = [&] {
    return Call(channel, absl::StrCat(kCounter, "LastCancel"));
  };
  auto waiting = [&] {
    return Call(channel, absl::StrCat(kCounter, "Waiting")) == "1";
  };

  {
    // The client's deadline becomes the hook's.
    PendingCall call(channel, wait, absl::Milliseconds(500));
    EXPECT_EQ(call.Wait().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  EXPECT_TRUE(Eventually([&] { return last_cancel() == "deadline exceeded"; }))
      << last_cancel();
  ASSERT_TRUE(Eventually(
      [&] { return Call(channel, absl::StrCat(kCounter, "Waiting")) == "0"; }));

  {
    PendingCall call(channel, wait, absl::Seconds(60));
    ASSERT_TRUE(Eventually(waiting));
    call.Cancel();
    EXPECT_EQ(call.Wait().error_code(), grpc::StatusCode::CANCELLED);
  }
  EXPECT_TRUE(Eventually([&] { return last_cancel() == "client cancelled"; }))
      << last_cancel();
  ASSERT_TRUE(Eventually(
      [&] { return Call(channel, absl::StrCat(kCounter, "Waiting")) == "0"; }));

  // A hook running when the server is told to stop sees it at once, so
  // the drain does not wait for it.
  PendingCall call(channel, wait, absl::Seconds(60));
  ASSERT_TRUE(Eventually(waiting));
  EXPECT_TRUE(server->Stop().ok());
  call.Wait();
  EXPECT_EQ(CountLogLines(server->log_path(),
                          {"cas_counter: stopped waiting: shutting down"}),
            1);
}

TEST(Abi12E2eTest, RefusalsSayWhyNamingThePluginAndBothAbiVersions) {
  // A second copy of cas_counter: the same name, so the host refuses it
  // and tells it why (on_refused), which the plugin logs.
  std::string dir = RetaindProcess::MakeTempDir("abi12-copy");
  std::string copy = dir + "/libcas_counter_copy.so";
  ASSERT_EQ(std::system(
                absl::StrCat("cp ", Fixture("cas_counter"), " ", copy).c_str()),
            0);
  auto server = StartServer({Fixture("declines"), Fixture("cas_counter"), copy,
                             Fixture("abi_mismatch")},
                            "{}");
  ASSERT_NE(server, nullptr);
  auto channel = Connect(*server);
  auto plugins = ListPlugins(channel);
  ASSERT_EQ(plugins.size(), 4u);

  // The plugin's own reason, with everything the host knows of it.
  EXPECT_EQ(plugins[0].state(), plugin::v1::PLUGIN_STATE_REFUSED);
  for (const std::string& part :
       {absl::StrCat("refused ", Fixture("declines")),
        std::string("plugin 'declines' version '0.1.0'"),
        absl::StrCat("plugin ABI ", kHostAbi),
        absl::StrCat("host ABI ", kHostAbi),
        std::string("the plugin declined this host: needs "
                    "retain_host_callback_teleport, which no host offers "
                    "(fixture)")}) {
    EXPECT_TRUE(absl::StrContains(plugins[0].last_error(), part))
        << plugins[0].last_error() << "\nlacks: " << part;
  }

  EXPECT_EQ(plugins[1].state(), plugin::v1::PLUGIN_STATE_READY);
  EXPECT_EQ(plugins[2].state(), plugin::v1::PLUGIN_STATE_REFUSED);
  const std::string duplicate = absl::StrCat(
      "refused ", copy, " (plugin 'cas_counter' version '1.2.0', plugin ABI ",
      kHostAbi, ", host ABI ", kHostAbi, "): a plugin named 'cas_counter' is ",
      "already loaded from ", Fixture("cas_counter"));
  EXPECT_EQ(plugins[2].last_error(), duplicate);
  // The refused copy heard the same reason; the loaded one still serves.
  EXPECT_EQ(CountLogLines(server->log_path(), {"cas_counter was refused: ",
                                               "a plugin named "
                                               "'cas_counter' is "
                                               "already loaded"}),
            1);
  EXPECT_EQ(Call(channel, absl::StrCat(kCounter, "Increment")), "1");

  // Another major: its own version and the host's (its name is not read:
  // past the version, another major's layout is unknown).
  EXPECT_EQ(plugins[3].state(), plugin::v1::PLUGIN_STATE_REFUSED);
  EXPECT_TRUE(
      absl::StrContains(plugins[3].last_error(),
                        absl::StrCat("(plugin ABI 2.0, host ABI ", kHostAbi,
                                     "): built for plugin ABI 2.0")))
      << plugins[3].last_error();
  EXPECT_TRUE(server->Stop().ok());
}

// A plugin built with the C++ SDK hears why the host will not serve it
// (on_refused): the SDK logs the host's reason through the host's log.
TEST(Abi12E2eTest, AnSdkPluginIsToldWhyTheHostRefusedIt) {
  std::string dir = RetaindProcess::MakeTempDir("abi12-sdk-refused");
  const std::string notes = Runfile("plugins/template/libnotes.so");
  const std::string copy = dir + "/libnotes_copy.so";
  ASSERT_EQ(std::system(absl::StrCat("cp ", notes, " ", copy).c_str()), 0);
  auto server = StartServer({notes, copy},
                            R"({"plugins": {"notes": {"enabled": false}}})");
  ASSERT_NE(server, nullptr);
  auto plugins = ListPlugins(Connect(*server));
  ASSERT_EQ(plugins.size(), 2u);
  EXPECT_EQ(plugins[0].state(), plugin::v1::PLUGIN_STATE_DISABLED);
  EXPECT_EQ(plugins[1].state(), plugin::v1::PLUGIN_STATE_REFUSED);
  EXPECT_EQ(CountLogLines(server->log_path(),
                          {"refused by the host: not started ", notes,
                           "disabled in the plugin config"}),
            1);
  EXPECT_EQ(CountLogLines(server->log_path(),
                          {"refused by the host: refused ", copy,
                           "a plugin named 'notes' is already loaded"}),
            1);
  EXPECT_TRUE(server->Stop().ok());
}

// AddNoteRequest {1: account_id, 2: text} and ListNotesRequest {1:
// account_id} of the template plugin, by hand.
std::string NotesRequest(const std::string& account, const std::string& text) {
  google::protobuf::UnknownFieldSet f;
  f.AddLengthDelimited(1, account);
  if (!text.empty()) f.AddLengthDelimited(2, text);
  std::string out;
  f.SerializeToString(&out);
  return out;
}

TEST(Abi12E2eTest, PluginsBuiltForAbi10And11And12ServeSideBySide) {
  auto server = StartServer({Fixture("notes_abi_1_0"), Fixture("old_minor"),
                             Fixture("tally_abi_1_1"), Fixture("cas_counter")},
                            R"({"host": {"tick_seconds": 0.05}})");
  ASSERT_NE(server, nullptr);
  auto channel = Connect(*server);
  auto plugins = ListPlugins(channel);
  ASSERT_EQ(plugins.size(), 4u);
  const int want_minor[] = {0, 0, 1, RETAIN_PLUGIN_ABI_MINOR};
  for (size_t i = 0; i < plugins.size(); ++i) {
    EXPECT_EQ(plugins[i].state(), plugin::v1::PLUGIN_STATE_READY)
        << plugins[i].ShortDebugString();
    EXPECT_EQ(plugins[i].abi_major(), 1);
    EXPECT_EQ(plugins[i].abi_minor(), want_minor[i]) << plugins[i].name();
  }

  CreateAccount(channel, "acme");
  RecordTouchpoint(channel, "t1", "acme");
  // 1.0: the template plugin built against the frozen 1.0 SDK.
  Call(channel, "/retain.plugins.notes.v1.NotesService/AddNote",
       NotesRequest("acme", "still works"));
  EXPECT_TRUE(Eventually([&] {
    google::protobuf::UnknownFieldSet notes;
    if (!notes.ParseFromString(
            Call(channel, "/retain.plugins.notes.v1.NotesService/ListNotes",
                 NotesRequest("acme", "")))) {
      return false;
    }
    int64_t touchpoints = 0;
    int texts = 0;
    for (int i = 0; i < notes.field_count(); ++i) {
      texts += notes.field(i).number() == 1;
      if (notes.field(i).number() == 2) touchpoints = notes.field(i).varint();
    }
    return texts == 1 && touchpoints == 1;
  }));
  // 1.0 in C: served, never ticked.
  EXPECT_EQ(Call(channel, "/retain.plugins.old_minor.v1.OldService/Ping", "hi"),
            "hi");
  // 1.1: signals, and ticks that walk its tenants.
  std::string tally;
  EXPECT_TRUE(Eventually([&] {
    tally = Call(channel, "/retain.plugins.tally.v1.TallyService/Get");
    return absl::StartsWith(tally, "touchpoints=1 ticks=") &&
           !absl::EndsWith(tally, "ticks=0");
  })) << tally;
  // 1.2: compare-and-set.
  EXPECT_EQ(Call(channel, absl::StrCat(kCounter, "Increment")), "1");
  EXPECT_EQ(Call(channel, absl::StrCat(kCounter, "Increment")), "2");
  EXPECT_EQ(PluginNamed(channel, "old_minor").counters().ticks(), 0);
  EXPECT_EQ(PluginNamed(channel, "notes").counters().ticks(), 0);
  EXPECT_GT(PluginNamed(channel, "tally").counters().ticks(), 0);
  EXPECT_TRUE(server->Stop().ok());
}

}  // namespace
}  // namespace retain::testing
