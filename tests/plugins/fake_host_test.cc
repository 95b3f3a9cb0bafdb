// The fake host (plugins/sdk/retain_plugin_testing.h) on its own: a probe
// plugin, linked in, reaches it through the real SDK and the real C table.
// fake_host_parity_test.cc holds it against the server's own callbacks.
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "retain/sdk/testing/load_library.h"
#include "retain_plugin_testing.h"
#include "tests/plugins/concurrently.h"

namespace retain::testing {
namespace {

using sdk::Account;
using sdk::Call;
using sdk::Code;
using sdk::KvEntry;
using sdk::KvOp;
using sdk::Setup;
using sdk::Signal;
using sdk::SignalKind;
using sdk::Status;
using sdk::testing::FakeHost;
using sdk::testing::LoadedPlugin;
using sdk::testing::PluginOptions;

constexpr char kEcho[] = "/retain.plugins.probe.v1.ProbeService/Echo";
constexpr char kThrow[] = "/retain.plugins.probe.v1.ProbeService/Throw";
// Runs the test's own code (Probe::run) as the handler, inside a hook.
constexpr char kRun[] = "/retain.plugins.probe.v1.ProbeService/Run";
// Adds one to "count" of the call's tenant with Host::Update.
constexpr char kIncrement[] = "/retain.plugins.probe.v1.ProbeService/Increment";

// "<hook> <method> <remaining> <cancel reason>" of the calling thread's
// hook, or the status when there is none.
std::string DescribeContext(const sdk::Host& host) {
  auto c = host.CallContext();
  if (!c.ok()) {
    return "code " + std::to_string(static_cast<int>(c.status().code())) +
           ": " + c.status().message();
  }
  return std::to_string(static_cast<int>(c->hook)) + " " +
         (c->method.empty() ? "-" : c->method) + " " +
         std::to_string(c->remaining_micros) + " " +
         std::to_string(static_cast<int>(c->cancel_reason)) +
         (host.Cancelled() ? " cancelled" : "");
}

// Hands the test its Host and records what reaches its hooks; its hooks do
// what its config and the test say.
class Probe : public sdk::Plugin {
 public:
  static Probe* last;  // the instance Init ran on last

  Status Init(Setup& setup) override {
    last = this;
    const sdk::Config& config = setup.config();
    if (config.GetBool("fail_init", false)) {
      return sdk::InvalidArgument("told to fail");
    }
    greeting_ = config.GetString("greeting", "hi");
    setup.Subscribe(SignalKind::kTouchpoint);
    setup.Subscribe(SignalKind::kCustom);
    setup.Handle(kEcho, [this](const Call& call, std::string* out) {
      *out = greeting_ + " " + call.tenant + " " + std::string(call.request);
      return Status();
    });
    setup.Handle(kThrow, [](const Call&, std::string*) -> Status {
      throw std::runtime_error("boom");
    });
    setup.Handle(kRun, [this](const Call&, std::string* out) -> Status {
      return run ? run(out) : Status();
    });
    setup.Handle(kIncrement, [this](const Call& call, std::string* out) {
      return host().Update(call.tenant, {"count"}, [&](sdk::KvUpdate& u) {
        auto n = u.Get("count");
        if (!n.ok()) return n.status();
        *out = std::to_string((*n ? std::stoll(**n) : 0) + 1);
        u.Put("count", *out);
        return Status();
      });
    });
    if (config.Has("extra_method")) {
      setup.Handle(config.GetString("extra_method"),
                   [](const Call&, std::string*) { return Status(); });
    }
    setup.ProvideReportSection();
    setup.ProvideHealthComponent("probe", 0.2);
    setup.WantTicks();
    return {};
  }

  Status OnSignal(const Signal& s) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail_once.erase(s.signal_id)) {
      return sdk::Status(Code::kUnavailable, "not now: " + s.signal_id);
    }
    if (fail_always.count(s.signal_id)) {
      return sdk::Status(Code::kInvalidArgument, "cannot: " + s.signal_id);
    }
    seen.push_back(s);
    signal_context = DescribeContext(host());
    if (s.kind == SignalKind::kCustom && s.custom.type == "probe.ping") {
      Signal pong;
      pong.signal_id = "pong-" + s.signal_id;
      pong.account_id = s.account_id;
      pong.occur_micros = host().NowMicros();
      pong.kind = SignalKind::kCustom;
      pong.custom.type = "probe.pong";
      return host().RecordSignals(s.tenant, {pong});
    }
    return {};
  }

  std::optional<sdk::Section> ReportSection(
      const std::string& tenant, const std::string& account_id) override {
    if (account_id == "none") return std::nullopt;
    return sdk::Section{"Probe",
                        {{"who", tenant + "/" + account_id},
                         {"context", DescribeContext(host())}}};
  }

  std::optional<sdk::HealthComponent> AccountHealthComponent(
      const std::string&, const std::string& account_id) override {
    if (account_id == "none") return std::nullopt;
    sdk::HealthComponent c;
    c.name = "ignored";  // the host names it as declared
    c.weight = 0.9;      // and weighs it as declared or configured
    c.score = score;
    c.has_data = true;
    c.explanation = DescribeContext(host());
    return c;
  }

  Status OnTick(const sdk::Tick& tick) override {
    std::lock_guard<std::mutex> lock(mu);
    ticks.push_back(tick.now_micros);
    tick_context = DescribeContext(host());
    return {};
  }

  // On a fresh instance: what it heard, and whether its host still works.
  void OnRefused(const std::string& reason) override {
    std::lock_guard<std::mutex> lock(refusals_mu);
    refusals.push_back(reason + " | now " + std::to_string(host().NowMicros()) +
                       " | kv " +
                       std::to_string(static_cast<int>(
                           host().KvGet("default", "k").status().code())));
  }
  static std::mutex refusals_mu;
  static std::vector<std::string> refusals;

  std::mutex mu;
  std::vector<Signal> seen;
  std::set<std::string> fail_once;    // signal ids to fail the first time
  std::set<std::string> fail_always;  // signal ids never handled
  std::vector<int64_t> ticks;
  std::string signal_context;
  std::string tick_context;
  double score = 5;
  std::function<Status(std::string* out)> run;  // kRun's handler

 private:
  std::string greeting_;
};
Probe* Probe::last = nullptr;
std::mutex Probe::refusals_mu;
std::vector<std::string> Probe::refusals;

std::string Text(const Status& s) {
  return std::to_string(static_cast<int>(s.code())) + " " + s.message();
}

Signal Touchpoint(const std::string& id, const std::string& account,
                  int64_t at) {
  Signal s;
  s.signal_id = id;
  s.account_id = account;
  s.occur_micros = at;
  s.kind = SignalKind::kTouchpoint;
  s.touchpoint.channel = sdk::touchpoint_channel::kMeeting;
  return s;
}

class FakeHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(host_.PutAccount({.id = "acme", .arr = 1000}).ok());
    auto p = host_.Load(&retain_plugin_on_load);
    ASSERT_TRUE(p.ok()) << p.status();
    plugin_.emplace(*p);
    probe_ = Probe::last;
  }
  const sdk::Host& host() { return probe_->host(); }

  FakeHost host_;
  std::optional<LoadedPlugin> plugin_;
  Probe* probe_ = nullptr;
};

TEST_F(FakeHostTest, KvApplyIsAllOrNothing) {
  ASSERT_TRUE(host().KvApply("t", {{"a", "1"}, {"b", "2"}}).ok());
  host_.FailNextKvApply(Status(Code::kUnavailable, "disk full"));
  Status s = host().KvApply("t", {{"c", "3"}, {"a", std::nullopt}, {"b", "9"}});
  EXPECT_EQ(Text(s), "14 disk full");
  EXPECT_EQ(host_.KvEntries("probe", "t"),
            (std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}}));
  // Only that one batch failed.
  ASSERT_TRUE(host().KvApply("t", {{"c", "3"}, {"a", std::nullopt}}).ok());
  EXPECT_EQ(host_.KvEntries("probe", "t"),
            (std::map<std::string, std::string>{{"b", "2"}, {"c", "3"}}));
}

TEST_F(FakeHostTest, KvApplyRunsItsOpsInOrder) {
  ASSERT_TRUE(host().KvApply("t", {{"k", "1"}, {"k", std::nullopt}}).ok());
  EXPECT_FALSE(*host().KvGet("t", "k"));
  ASSERT_TRUE(host().KvApply("t", {{"k", std::nullopt}, {"k", "2"}}).ok());
  EXPECT_EQ(**host().KvGet("t", "k"), "2");
  ASSERT_TRUE(host().KvPut("t", "k", "").ok());  // an empty value exists
  auto empty = host().KvGet("t", "k");
  ASSERT_TRUE(empty.ok() && empty->has_value());
  EXPECT_EQ(**empty, "");
}

TEST_F(FakeHostTest, KvScanPagesByPrefixStartAfterAndLimit) {
  std::vector<KvOp> ops = {{"p", "the prefix itself"}, {"o", "before"}};
  for (int i = 0; i < 1200; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "p/%05d", i);
    ops.push_back({key, std::to_string(i)});
  }
  ops.push_back({"q", "after"});
  ASSERT_TRUE(host().KvApply("t", ops).ok());

  // A limit of 0 means 100, more than 1000 means 1000.
  EXPECT_EQ(host().KvScan("t", "p", "", 0)->size(), 100u);
  EXPECT_EQ(host().KvScan("t", "p", "", 5000)->size(), 1000u);
  // The key equal to the prefix comes first, on the first page only.
  auto first = host().KvScan("t", "p", "", 2);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].key, "p");
  EXPECT_EQ((*first)[1].key, "p/00000");
  // Pages resume after the last key and cover each key once, in order.
  std::vector<std::string> keys;
  std::string after;
  for (;;) {
    auto page = host().KvScan("t", "p/", after, 7);
    ASSERT_TRUE(page.ok());
    for (const KvEntry& e : *page) keys.push_back(e.key);
    if (page->size() < 7) break;
    after = page->back().key;
  }
  ASSERT_EQ(keys.size(), 1200u);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), 1200u);
  EXPECT_EQ(host().KvScanAll("t", "p/")->size(), 1200u);
  // A start_after before the prefix starts at the prefix; one past every
  // key gives nothing.
  EXPECT_EQ(host().KvScan("t", "p/", "a", 1)->front().key, "p/00000");
  EXPECT_TRUE(host().KvScan("t", "p/", "p/99999", 10)->empty());
}

TEST_F(FakeHostTest, EachTenantHasItsOwnStateAndTenantsAreThoseWithState) {
  ASSERT_TRUE(host().KvPut("beta", "k", "b").ok());
  ASSERT_TRUE(host().KvPut("alpha", "k", "a").ok());
  ASSERT_TRUE(host().KvPut("alpha", "x", "a").ok());
  EXPECT_EQ(**host().KvGet("alpha", "k"), "a");
  EXPECT_EQ(**host().KvGet("beta", "k"), "b");
  EXPECT_EQ(host().KvScanAll("beta", "")->size(), 1u);
  EXPECT_EQ(*host().ListTenants(), (std::vector<std::string>{"alpha", "beta"}));
  ASSERT_TRUE(host().KvApply("beta", {{"k", std::nullopt}}).ok());
  EXPECT_EQ(*host().ListTenants(), std::vector<std::string>{"alpha"});
}

TEST(FakeHostAbiTest, AnOlderHostHasNoListTenants) {
  FakeHost host(FakeHost::Options{.abi_minor = 0});
  auto p = host.Load(&retain_plugin_on_load);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(host.api()->abi_minor, 0);
  EXPECT_EQ(Probe::last->host().ListTenants().status().code(),
            Code::kUnimplemented);
}

TEST_F(FakeHostTest, TheClockMovesOnlyWhenTold) {
  const int64_t start = host_.NowMicros();
  EXPECT_EQ(start, sdk::testing::kDefaultStartMicros);
  EXPECT_EQ(host().NowMicros(), start);
  host_.AdvanceDays(2.5);
  EXPECT_EQ(host().NowMicros(), start + 60 * 3600 * sdk::kMicrosPerSecond);
  ASSERT_TRUE(plugin_->Tick().ok());
  host_.SetNowMicros(42);
  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_EQ(probe_->ticks, (std::vector<int64_t>{
                               start + 60 * 3600 * sdk::kMicrosPerSecond, 42}));
}

TEST_F(FakeHostTest, SignalsComeInLogOrderAndAFailedOneIsTriedAgain) {
  const int64_t now = host_.NowMicros();
  probe_->fail_once = {"b"};
  ASSERT_TRUE(plugin_->Deliver(Touchpoint("a", "acme", now)).ok());
  // Another kind in between: logged, not delivered.
  Signal usage;
  usage.signal_id = "u";
  usage.account_id = "acme";
  usage.occur_micros = now;
  usage.kind = SignalKind::kUsage;
  EXPECT_EQ(plugin_->Deliver(usage).code(), Code::kFailedPrecondition);
  ASSERT_TRUE(host_.Record(usage).ok());
  // Failed once, handled on the next attempt: delivered; the failure shows.
  ASSERT_TRUE(plugin_->Deliver(Touchpoint("b", "acme", now)).ok());
  EXPECT_EQ(plugin_->last_error(), "signal 3: not now: b");
  EXPECT_EQ(plugin_->failures(), 1);
  EXPECT_EQ(plugin_->consecutive_failures(), 0);
  EXPECT_TRUE(plugin_->dead_letters().empty());
  ASSERT_TRUE(plugin_->Deliver(Touchpoint("c", "acme", now)).ok());
  std::vector<std::string> ids;
  std::vector<int64_t> seqs;
  for (const Signal& s : probe_->seen) {
    ids.push_back(s.signal_id);
    seqs.push_back(s.seq);
    EXPECT_EQ(s.tenant, "default");
    EXPECT_EQ(s.record_micros, now);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(seqs, (std::vector<int64_t>{1, 3, 4}));
  EXPECT_EQ(plugin_->delivery_cursor(), 4);
  EXPECT_EQ(plugin_->consecutive_failures(), 0);
  // A signal_id recorded before is a no-op; a redelivery is on request.
  ASSERT_TRUE(plugin_->Deliver(Touchpoint("a", "acme", now)).ok());
  EXPECT_EQ(probe_->seen.size(), 3u);
  ASSERT_TRUE(plugin_->Redeliver(1).ok());
  EXPECT_EQ(probe_->seen.back().seq, 1);
  EXPECT_EQ(plugin_->Redeliver(9).code(), Code::kNotFound);
}

TEST(FakeHostDeadLetterTest, APoisonSignalIsSetAsideAndDeliveryGoesOn) {
  FakeHost host;
  ASSERT_TRUE(host.PutAccount({.id = "acme"}).ok());
  auto plugin = host.Load(
      &retain_plugin_on_load,
      PluginOptions{.max_consecutive_failures = 2, .signal_retry_limit = 3});
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  Probe* probe = Probe::last;
  probe->fail_always = {"p1", "p2", "p3"};
  const int64_t now = host.NowMicros();
  // Tried three times, set aside; the signal after it is delivered.
  EXPECT_EQ(Text(plugin->Deliver(Touchpoint("p1", "acme", now))),
            "3 cannot: p1");
  ASSERT_TRUE(plugin->Deliver(Touchpoint("ok", "acme", now)).ok());
  ASSERT_EQ(probe->seen.size(), 1u);
  EXPECT_EQ(probe->seen[0].signal_id, "ok");
  auto letters = plugin->dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].seq, 1);
  EXPECT_EQ(letters[0].signal_id, "p1");
  EXPECT_EQ(letters[0].attempts, 3);
  EXPECT_EQ(letters[0].last_error, "cannot: p1");
  EXPECT_EQ(plugin->failures(), 3);
  EXPECT_EQ(plugin->delivery_cursor(), 2);
  EXPECT_FALSE(plugin->parked());  // one poison signal parks nothing

  // A signal set aside counts once; two in a row park (the limit is 2).
  EXPECT_EQ(plugin->Deliver(Touchpoint("p2", "acme", now)).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(plugin->last_error(),
            "signal 3 set aside as a dead letter after 3 failed attempts, "
            "last: cannot: p2");
  EXPECT_EQ(plugin->Deliver(Touchpoint("p3", "acme", now)).code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(plugin->parked());
  EXPECT_EQ(plugin->dead_letters().size(), 3u);

  // Fixed: resumed, the letters retried; handled ones leave the list, the
  // others stay with one more attempt. They survive a restart.
  probe->fail_always = {"p3"};
  ASSERT_TRUE(plugin->Resume().ok());
  EXPECT_EQ(Text(plugin->RetryDeadLetters()), "3 cannot: p3");
  letters = plugin->dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].signal_id, "p3");
  EXPECT_EQ(letters[0].attempts, 4);
  plugin->Unload();
  auto again = host.Load(&retain_plugin_on_load);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->dead_letters().size(), 1u);
  again->DropDeadLetters();
  EXPECT_TRUE(again->dead_letters().empty());
}

TEST_F(FakeHostTest, SignalsAreCheckedAsTheServerChecksThem) {
  const int64_t now = host_.NowMicros();
  Signal nobody = Touchpoint("n", "nobody", now);
  EXPECT_EQ(Text(plugin_->Deliver(nobody)),
            "3 signals[0].account: no account \"accounts/nobody\"");
  Signal no_time = Touchpoint("t", "acme", 0);
  EXPECT_EQ(Text(plugin_->Deliver(no_time)),
            "3 signals[0].occur_time: is required");
  Signal custom = Touchpoint("c", "acme", now);
  custom.kind = SignalKind::kCustom;
  custom.custom.type = "retain.mine";
  EXPECT_EQ(Text(plugin_->Deliver(custom)),
            "3 signals[0].custom.type: types starting with \"retain.\" are "
            "reserved for the server");
  EXPECT_TRUE(host_.signals().empty());
  // What a plugin records goes through the same rules, all or nothing.
  Signal ok = Touchpoint("ok", "acme", now);
  Signal bad = Touchpoint("bad", "acme", now + 2 * sdk::kMicrosPerDay);
  Status s = host().RecordSignals("default", {ok, bad});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("signals[1].occur_time: must not be more than "
                              "1 day in the future, got 2025-01-03T00:00:00",
                              0),
            0u)
      << s.message();
  EXPECT_EQ(host().RecordSignals("default", {}).message(),
            "signals: at least one is required");
  EXPECT_TRUE(host_.signals().empty());
  EXPECT_TRUE(host_.emitted_signals().empty());
}

TEST_F(FakeHostTest, WhatAPluginRecordsIsDeliveredBackBeforeTheHookReturns) {
  Signal ping = Touchpoint("p1", "acme", host_.NowMicros());
  ping.kind = SignalKind::kCustom;
  ping.custom.type = "probe.ping";
  ASSERT_TRUE(plugin_->Deliver(ping).ok());
  ASSERT_EQ(host_.emitted_signals().size(), 1u);
  EXPECT_EQ(host_.emitted_signals()[0].signal_id, "pong-p1");
  EXPECT_EQ(host_.emitted_signals()[0].seq, 2);
  ASSERT_EQ(probe_->seen.size(), 2u);
  EXPECT_EQ(probe_->seen[1].custom.type, "probe.pong");
  // Recording it again is a no-op (same id).
  ASSERT_TRUE(plugin_->Redeliver(1).ok());
  EXPECT_EQ(host_.signals().size(), 2u);
}

TEST(FakeHostLoadTest, RefusesWhatTheServerRefuses) {
  FakeHost host;
  auto init = host.Load(&retain_plugin_on_load,
                        PluginOptions{.config_json = R"({"fail_init": true})"});
  EXPECT_EQ(Text(init.status()), "3 init failed (3): told to fail");
  auto method = host.Load(&retain_plugin_on_load,
                          PluginOptions{.config_json = R"({"extra_method":
                              "/retain.plugins.other.v1.S/M"})"});
  EXPECT_EQ(Text(method.status()),
            "9 method '/retain.plugins.other.v1.S/M' is not of the form "
            "/retain.plugins.probe.v1.<Service>/<Method>");
  auto json = host.Load(&retain_plugin_on_load,
                        PluginOptions{.config_json = "{\"a\": }"});
  EXPECT_EQ(Text(json.status()),
            "3 plugin config: not JSON: want a value at byte 6");
  auto first = host.Load(&retain_plugin_on_load);
  ASSERT_TRUE(first.ok()) << first.status();
  auto twice = host.Load(&retain_plugin_on_load);
  EXPECT_EQ(Text(twice.status()),
            "9 refused: a plugin named 'probe' is already loaded");
}

TEST_F(FakeHostTest, FailuresInARowParkThePluginUntilResumed) {
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Text(plugin_->Call(kThrow, "").status()),
              "13 plugin threw: boom");
  }
  EXPECT_FALSE(plugin_->parked());
  // A success ends the streak.
  ASSERT_TRUE(plugin_->Call(kEcho, "x").ok());
  EXPECT_EQ(plugin_->consecutive_failures(), 0);
  for (int i = 0; i < 5; ++i) (void)plugin_->Call(kThrow, "");
  EXPECT_TRUE(plugin_->parked());
  EXPECT_EQ(plugin_->failures(), 9);
  EXPECT_EQ(Text(plugin_->Call(kEcho, "x").status()),
            "14 plugin probe is PLUGIN_STATE_PARKED: 5 consecutive failures, "
            "last: plugin threw: boom");
  // Signals wait while it is parked, and come after the resume.
  EXPECT_EQ(plugin_->Deliver(Touchpoint("a", "acme", host_.NowMicros())).code(),
            Code::kUnavailable);
  EXPECT_TRUE(probe_->seen.empty());
  ASSERT_TRUE(plugin_->Resume().ok());
  EXPECT_EQ(probe_->seen.size(), 1u);
  EXPECT_EQ(*plugin_->Call(kEcho, "x"), "hi default x");
  EXPECT_EQ(plugin_->Resume().code(), Code::kFailedPrecondition);
}

TEST_F(FakeHostTest, UnknownMethodsAreUnimplemented) {
  auto r = plugin_->Call("/retain.plugins.probe.v1.ProbeService/Nope", "");
  EXPECT_EQ(Text(r.status()),
            "12 unknown method /retain.plugins.probe.v1.ProbeService/Nope");
  EXPECT_EQ(*plugin_->Call(kEcho, "x", "other"), "hi other x");
}

TEST_F(FakeHostTest, SectionsAndComponentsComeBackAsTheServerStoresThem) {
  auto section = plugin_->ReportSection("t", "acme");
  ASSERT_TRUE(section.ok() && section->has_value());
  EXPECT_EQ((*section)->title, "Probe");
  EXPECT_EQ((*section)->fields[0].value, "t/acme");
  EXPECT_FALSE(plugin_->ReportSection("t", "none")->has_value());

  probe_->score = 12;  // outside the scale
  auto c = plugin_->AccountHealthComponent("t", "acme");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->name, "probe");
  EXPECT_EQ((*c)->source, "probe");
  EXPECT_DOUBLE_EQ((*c)->weight, 0.2);
  EXPECT_DOUBLE_EQ((*c)->score, 10);
  EXPECT_FALSE(plugin_->AccountHealthComponent("t", "none")->has_value());
}

TEST(FakeHostLoadTest, TheConfigSetsTheWeightAndReachesThePluginFlattened) {
  FakeHost host;
  auto p = host.Load(&retain_plugin_on_load,
                     PluginOptions{.config_json = R"({"greeting": "hey",
                         "n": [1, 2.50, 1e3, true, null], "o": {"x": "y"}})",
                                   .health_weight = 0.05});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(*p->Call(kEcho, "x"), "hey default x");
  ASSERT_TRUE(host.PutAccount({.id = "acme"}).ok());
  EXPECT_DOUBLE_EQ((*p->AccountHealthComponent("default", "acme"))->weight,
                   0.05);
  // As the server flattens and prints it (see the parity test).
  {
    auto config = sdk::testing::JsonConfig::Parse(
        R"({"n": [1, 2.50, 1e3, true, null], "o": {"x": "y"}})");
    ASSERT_TRUE(config.ok());
    EXPECT_EQ(config->json(),
              R"({"n":[1,2.5,1000.0,true,null],"o":{"x":"y"}})");
    EXPECT_EQ(config->values(),
              (std::map<std::string, std::string>{{"n.0", "1"},
                                                  {"n.1", "2.5"},
                                                  {"n.2", "1000.0"},
                                                  {"n.3", "true"},
                                                  {"o.x", "y"}}));
  }
}

TEST_F(FakeHostTest, AccountsHealthAndHistoryAreWhatTheTestSet) {
  for (const char* id : {"b", "c", "d"}) {
    ASSERT_TRUE(host_.PutAccount({.id = id, .segment = 3}).ok());
  }
  auto acme = host().GetAccount("default", "acme");
  ASSERT_TRUE(acme.ok()) << acme.status();
  EXPECT_EQ(acme->name, "accounts/acme");
  EXPECT_DOUBLE_EQ(acme->arr, 1000);
  EXPECT_EQ(Text(host().GetAccount("default", "zed").status()),
            "5 no account \"accounts/zed\"");
  EXPECT_EQ(host().GetAccount("other", "acme").status().code(),
            Code::kNotFound);
  EXPECT_EQ(Text(host().GetAccount("default", "Bad!").status()),
            "3 name: must be \"accounts/{account_id}\" with an id of 1-63 "
            "characters [a-z0-9-_.], got \"accounts/Bad!\"");

  std::string next;
  auto page = host().ListAccounts("default", 2, "", &next);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[1].id, "b");
  EXPECT_EQ(next, "a:b");
  std::string last = "unchanged";
  page = host().ListAccounts("default", 2, next, &last);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[1].id, "d");
  EXPECT_EQ(last, "unchanged");  // no next page: no token
  EXPECT_EQ(Text(host().ListAccounts("default", 1001).status()),
            "3 page_size: must be 0-1000, got 1001");

  auto health = host().GetHealth("default", "acme");
  ASSERT_TRUE(health.ok());
  EXPECT_TRUE(health->components.empty());
  sdk::Health set;
  set.account = "acme";
  set.score = 7.5;
  set.band = sdk::band::kGreen;
  set.components.push_back({.name = "usage", .score = 8});
  host_.SetHealth(set);
  health = host().GetHealth("default", "acme");
  EXPECT_DOUBLE_EQ(health->score, 7.5);
  ASSERT_EQ(health->components.size(), 1u);
  EXPECT_EQ(health->components[0].name, "usage");

  const int64_t now = host_.NowMicros();
  ASSERT_TRUE(host_.Record(Touchpoint("late", "acme", now)).ok());
  ASSERT_TRUE(host_.Record(Touchpoint("early", "acme", now - 100)).ok());
  ASSERT_TRUE(host_.Record(Touchpoint("other", "b", now)).ok());
  auto history = host().ListSignals("default", "acme");
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].signal_id, "early");
  EXPECT_EQ((*history)[1].signal_id, "late");
  EXPECT_EQ((*history)[1].record_micros, now);
  EXPECT_EQ((*history)[1].kind, SignalKind::kTouchpoint);
  EXPECT_EQ(
      host()
          .ListSignals("default", "acme", SignalKind::kTouchpoint, now - 50)
          ->size(),
      1u);
  EXPECT_EQ(host().ListSignals("default", "acme", SignalKind::kUsage)->size(),
            0u);
}

TEST_F(FakeHostTest, AnUnloadedPluginIsServedNothingAndARestartKeepsItsState) {
  ASSERT_TRUE(host().KvPut("default", "k", "v").ok());
  ASSERT_TRUE(plugin_->Deliver(Touchpoint("a", "acme", 1)).ok());
  sdk::Host old = host();
  plugin_->Unload();
  EXPECT_FALSE(plugin_->loaded());
  // A thread the plugin left behind gets UNAVAILABLE.
  EXPECT_EQ(Text(old.KvGet("default", "k").status()),
            "14 the plugin host is not serving this plugin");
  EXPECT_EQ(plugin_->Call(kEcho, "").status().code(), Code::kUnimplemented);

  auto again = host_.Load(&retain_plugin_on_load);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(**Probe::last->host().KvGet("default", "k"), "v");
  // Delivery resumes from its cursor: nothing again.
  EXPECT_TRUE(Probe::last->seen.empty());
  EXPECT_EQ(again->delivery_cursor(), 1);
}

// --- ABI 1.2: versioned KV, compare-and-set, call context, reasons.

TEST_F(FakeHostTest, VersionsComeFromOneCommitCounterAndAreNeverReused) {
  ASSERT_TRUE(host().KvApply("t", {{"a", "1"}, {"b", "2"}}).ok());
  const int64_t first = host_.KvVersion("probe", "t", "a");
  EXPECT_GT(first, 0);
  EXPECT_EQ(host_.KvVersion("probe", "t", "b"), first);  // one batch
  // Any tenant's, any plugin's write advances the one counter.
  ASSERT_TRUE(host().KvPut("other", "x", "x").ok());
  ASSERT_TRUE(host_.KvApply("someone_else", "t", {{"y", "y"}}).ok());
  ASSERT_TRUE(host().KvApply("t", {{"a", std::nullopt}}).ok());
  EXPECT_EQ(host_.KvVersion("probe", "t", "a"), 0);
  ASSERT_TRUE(host().KvPut("t", "a", "1").ok());
  EXPECT_EQ(host_.KvVersion("probe", "t", "a"), first + 4);
  // A batch that writes nothing is no commit.
  ASSERT_TRUE(host().KvApply("t", {}).ok());
  ASSERT_TRUE(host().KvPut("t", "c", "3").ok());
  EXPECT_EQ(host_.KvVersion("probe", "t", "c"), first + 5);

  auto snap = host().KvRead("t", {"b", "none", "a"}, sdk::KvRange{"", "a", 0});
  ASSERT_TRUE(snap.ok()) << snap.status();
  ASSERT_EQ(snap->values.size(), 3u);
  EXPECT_EQ(snap->values[0].key, "b");
  EXPECT_EQ(snap->values[0].value, "2");
  EXPECT_EQ(snap->values[0].version, first);
  EXPECT_EQ(snap->values[1].key, "none");
  EXPECT_EQ(snap->values[1].version, 0);
  EXPECT_EQ(snap->Version("a"), first + 4);
  EXPECT_EQ(snap->Value("none"), std::nullopt);
  // The scan, after "a": b and c with their versions.
  ASSERT_EQ(snap->entries.size(), 2u);
  EXPECT_EQ(snap->entries[1].key, "c");
  EXPECT_EQ(snap->entries[1].version, first + 5);
  // KvScan reads no versions.
  EXPECT_EQ(host().KvScan("t", "")->front().version, 0);
  std::vector<std::string> many(1001, "k");
  EXPECT_EQ(Text(host().KvRead("t", many).status()),
            "3 KvReadRequest.keys: at most 1000 keys per read, got 1001");
}

TEST_F(FakeHostTest, KvApplyIfWritesOnlyWhenEveryPreconditionHolds) {
  ASSERT_TRUE(host().KvApply("t", {{"a", "1"}, {"b", "1"}}).ok());
  const int64_t v = host_.KvVersion("probe", "t", "a");
  // The second precondition fails: nothing is written, the key is named.
  auto lost = host().KvApplyIf("t", {{"a", "2"}, {"new", "x"}},
                               {{"a", v}, {"b", v + 7}});
  EXPECT_EQ(Text(lost.status()),
            "10 key \"b\" has version " + std::to_string(v) +
                "; the precondition wants it at version " +
                std::to_string(v + 7) + " (nothing written)");
  auto exists = host().KvApplyIf("t", {{"a", "2"}}, {{"a", 0}});
  EXPECT_EQ(Text(exists.status()),
            "10 key \"a\" has version " + std::to_string(v) +
                "; the precondition wants it not to exist (nothing written)");
  auto absent = host().KvApplyIf("t", {{"a", "2"}}, {{"gone", 3}});
  EXPECT_EQ(Text(absent.status()),
            "10 key \"gone\" does not exist; the precondition wants it at "
            "version 3 (nothing written)");
  EXPECT_EQ(host_.KvEntries("probe", "t"),
            (std::map<std::string, std::string>{{"a", "1"}, {"b", "1"}}));
  EXPECT_EQ(host_.KvVersion("probe", "t", "a"), v);

  auto won = host().KvApplyIf("t", {{"a", "2"}, {"b", std::nullopt}},
                              {{"a", v}, {"fresh", 0}});
  ASSERT_TRUE(won.ok()) << won.status();
  EXPECT_EQ(*won, v + 1);
  EXPECT_EQ(host_.KvEntries("probe", "t"),
            (std::map<std::string, std::string>{{"a", "2"}}));
  // No ops: the preconditions are checked, nothing is committed.
  EXPECT_EQ(*host().KvApplyIf("t", {}, {{"a", v + 1}}), 0);
  EXPECT_EQ(host().KvApplyIf("t", {}, {{"a", v}}).status().code(),
            Code::kAborted);
  EXPECT_EQ(Text(host().KvApplyIf("t", {{"a", "3"}}, {{"a", -1}}).status()),
            "3 KvApplyIfRequest.preconditions[0].version must be >= 0 (0: the "
            "key must not exist), got -1");
  // A failed commit writes nothing, like kv_apply's.
  host_.FailNextKvApply(Status(Code::kUnavailable, "disk full"));
  EXPECT_EQ(Text(host().KvApplyIf("t", {{"a", "3"}}, {{"a", v + 1}}).status()),
            "14 disk full");
  EXPECT_EQ(**host().KvGet("t", "a"), "2");
  EXPECT_TRUE(host().KvApplyIf("t", {{"a", "3"}}, {{"a", v + 1}}).ok());
}

TEST_F(FakeHostTest, UpdateRetriesWhenAnotherWriterCameFirst) {
  ASSERT_TRUE(host().KvApply("t", {{"count", "10"}, {"seen", "x"}}).ok());
  std::vector<int> attempts;
  // Another writer changes a key this attempt read, between its read and
  // its write: the write is refused and the attempt runs again.
  Status s = host().Update("t", {"count"}, [&](sdk::KvUpdate& u) {
    attempts.push_back(u.attempt());
    auto n = u.Get("count");
    if (!n.ok()) return n.status();
    auto seen = u.Get("seen");  // read late: a precondition too
    if (!seen.ok()) return seen.status();
    if (u.attempt() == 1) {
      EXPECT_TRUE(host_.KvApply("probe", "t", {{"count", "20"}}).ok());
    }
    if (u.attempt() == 2) {
      EXPECT_TRUE(host_.KvApply("probe", "t", {{"seen", "y"}}).ok());
    }
    u.Put("count", std::to_string(std::stoll(**n) + 1));
    u.Put("seen", **seen + "+");
    return Status();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(attempts, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(
      host_.KvEntries("probe", "t"),
      (std::map<std::string, std::string>{{"count", "21"}, {"seen", "y+"}}));

  // fn's own error: nothing written, no retry.
  attempts.clear();
  s = host().Update("t", {"count"}, [&](sdk::KvUpdate& u) {
    attempts.push_back(u.attempt());
    u.Put("count", "0");
    return sdk::FailedPrecondition("not today");
  });
  EXPECT_EQ(Text(s), "9 not today");
  EXPECT_EQ(attempts.size(), 1u);
  EXPECT_EQ(**host().KvGet("t", "count"), "21");

  // Always a conflict: it gives up after max_attempts, naming the last.
  s = host().Update(
      "t", {"count"},
      [&](sdk::KvUpdate& u) {
        EXPECT_TRUE(host_.KvApply("probe", "t", {{"count", "5"}}).ok());
        u.Put("count", "6");
        return Status();
      },
      3);
  EXPECT_EQ(s.code(), Code::kAborted);
  EXPECT_EQ(s.message().rfind("gave up after 3 conflicting attempts, last: "
                              "key \"count\" has version ",
                              0),
            0u)
      << s;
  EXPECT_EQ(**host().KvGet("t", "count"), "5");

  // Nothing to write after reads from two snapshots: the reads are still
  // checked, so a decision on a torn view is made again.
  attempts.clear();
  s = host().Update("t", {"count"}, [&](sdk::KvUpdate& u) {
    attempts.push_back(u.attempt());
    if (u.attempt() == 1) {
      EXPECT_TRUE(host_.KvApply("probe", "t", {{"count", "7"}}).ok());
    }
    return u.Get("seen").status();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(attempts, (std::vector<int>{1, 2}));
}

TEST(FakeHostConcurrencyTest, ConcurrentUpdatesLoseNoIncrement) {
  FakeHost host;
  auto plugin = host.Load(&retain_plugin_on_load);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  constexpr int kThreads = 8, kEach = 200;
  std::atomic<int> failed{0};
  Concurrently(kThreads, [&](int) {
    for (int i = 0; i < kEach; ++i) {
      if (!plugin->Call(kIncrement, "").ok()) failed.fetch_add(1);
    }
  });
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(host.KvGet("probe", "default", "count"),
            std::to_string(kThreads * kEach));
}

TEST(FakeHostAbiTest, AnOlderHostAnswersUnimplementedForWhatItLacks) {
  FakeHost host(FakeHost::Options{.abi_minor = 1});
  auto p = host.Load(&retain_plugin_on_load);
  ASSERT_TRUE(p.ok()) << p.status();
  const sdk::Host& h = Probe::last->host();
  EXPECT_EQ(Text(h.KvRead("default", {"k"}).status()),
            "12 this host (plugin ABI 1.1) does not offer "
            "retain_host_callback_kv_read (ABI 1.2)");
  EXPECT_EQ(h.KvApplyIf("default", {{"k", "v"}}, {}).status().code(),
            Code::kUnimplemented);
  EXPECT_EQ(h.Update("default", {"k"}, [](sdk::KvUpdate&) { return Status(); })
                .code(),
            Code::kUnimplemented);
  EXPECT_EQ(h.CallContext().status().code(), Code::kUnimplemented);
  EXPECT_FALSE(h.Cancelled());
  EXPECT_TRUE(h.ListTenants().ok());  // 1.1 has that
}

// A plugin that cannot do without versioned KV, linked in beside the probe:
// its entry point is the SDK's, given a table that lacks kv_apply_if.
class NeedsCas : public sdk::Plugin {
 public:
  static constexpr uint32_t kRequiredHostFeatures =
      sdk::host_feature::kVersionedKv | sdk::host_feature::kListTenants;
  Status Init(Setup&) override { return {}; }
};
retain_host_api without_apply_if;
const retain_plugin_module* NeedsCasEntry(const retain_host_api* host) {
  return sdk::Glue<NeedsCas>::Load(host, "needs_cas", "1.0.0");
}
const retain_plugin_module* NeedsCasOnATornHost(const retain_host_api* host) {
  without_apply_if = *host;
  without_apply_if.retain_host_callback_kv_apply_if = nullptr;
  return NeedsCasEntry(&without_apply_if);
}

// Subscribes to band changes; remembers what it was handed; fails an event
// whose message is "fail".
class Listener : public sdk::Plugin {
 public:
  static std::vector<sdk::HealthEvent>* heard;
  Status Init(Setup& setup) override {
    setup.SubscribeHealthEvents(sdk::HealthEvent::Kind::kBandChanged);
    return {};
  }
  Status OnHealthEvent(const sdk::HealthEvent& e) override {
    if (e.message == "fail") return Status(Code::kUnavailable, "not now");
    heard->push_back(e);
    return {};
  }
};
std::vector<sdk::HealthEvent>* Listener::heard = nullptr;
const retain_plugin_module* ListenerEntry(const retain_host_api* host) {
  return sdk::Glue<Listener>::Load(host, "listener", "1.3.0");
}

TEST(FakeHostAbiTest, HealthEventsReachASubscriberAsTheServerSendsThem) {
  std::vector<sdk::HealthEvent> heard;
  Listener::heard = &heard;
  FakeHost host;
  auto p = host.Load(&ListenerEntry);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->subscribes(sdk::HealthEvent::Kind::kBandChanged));
  EXPECT_FALSE(p->subscribes(sdk::HealthEvent::Kind::kAlert));
  sdk::HealthEvent e{.kind = sdk::HealthEvent::Kind::kBandChanged,
                     .position = 7,
                     .account_id = "acme",
                     .previous_band = sdk::band::kGreen,
                     .band = sdk::band::kRed,
                     .source = "core",
                     .code = "health.band_changed",
                     .indicators = {"usage_decline"}};
  ASSERT_TRUE(p->DeliverHealthEvent(e).ok());
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].tenant, "default");  // through the wire, tenant set
  EXPECT_EQ(heard[0].position, 7);
  EXPECT_EQ(heard[0].band, sdk::band::kRed);
  EXPECT_EQ(heard[0].indicators, std::vector<std::string>{"usage_decline"});

  sdk::HealthEvent alert = e;
  alert.kind = sdk::HealthEvent::Kind::kAlert;
  EXPECT_EQ(p->DeliverHealthEvent(alert).code(), Code::kFailedPrecondition);
  sdk::HealthEvent own = e;
  own.source = "listener";
  EXPECT_EQ(p->DeliverHealthEvent(own).code(), Code::kFailedPrecondition);
  sdk::HealthEvent failing = e;
  failing.message = "fail";
  EXPECT_EQ(p->DeliverHealthEvent(failing).code(), Code::kUnavailable);
  EXPECT_EQ(p->failures(), 1);
  EXPECT_FALSE(p->parked());
  EXPECT_EQ(heard.size(), 1u);
}

TEST(FakeHostAbiTest, APluginDeclinesAHostThatLacksWhatItRequiresSayingWhy) {
  FakeHost host;
  EXPECT_TRUE(host.Load(&NeedsCasEntry).ok());
  FakeHost torn;
  EXPECT_EQ(Text(torn.Load(&NeedsCasOnATornHost).status()),
            "9 refused: the plugin declined this host: needs "
            "retain_host_callback_kv_apply_if (ABI 1.2); this host speaks "
            "plugin ABI 1." +
                std::to_string(RETAIN_PLUGIN_ABI_MINOR));
  // A 1.1 host cannot be told: the plugin just declines.
  FakeHost old(FakeHost::Options{.abi_minor = 1});
  EXPECT_EQ(Text(old.Load(&NeedsCasEntry).status()),
            "9 refused: the plugin declined this host without saying why "
            "(from ABI 1.2 a plugin can, with retain_host_callback_decline); "
            "its log lines above, if any, may say more");
  retain_host_api oldest = *old.api();
  oldest.struct_size = offsetof(retain_host_api, retain_host_callback_kv_read);
  EXPECT_EQ(sdk::Glue<NeedsCas>::MissingFeatures(
                &oldest, NeedsCas::kRequiredHostFeatures),
            "needs retain_host_callback_kv_read (ABI 1.2) and "
            "retain_host_callback_kv_apply_if (ABI 1.2); this host speaks "
            "plugin ABI 1.1");
  // Outside an entry point, decline answers FAILED_PRECONDITION.
  EXPECT_EQ(host.api()->retain_host_callback_decline(nullptr, {"x", 1}), 9);
}

TEST(FakeHostLoadTest, ARefusedPluginIsToldWhyAndTheSdkLogsIt) {
  FakeHost host;
  {
    std::lock_guard<std::mutex> lock(Probe::refusals_mu);
    Probe::refusals.clear();
  }
  auto first = host.Load(&retain_plugin_on_load);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_FALSE(host.Load(&retain_plugin_on_load).ok());
  first->Unload();
  ASSERT_FALSE(host.Load(&retain_plugin_on_load,
                         PluginOptions{.config_json = R"({"fail_init": true})"})
                   .ok());
  std::vector<std::string> warnings;
  for (const auto& line : host.logs()) {
    if (line.level == RETAIN_LOG_WARNING) {
      warnings.push_back(line.plugin + ": " + line.message);
    }
  }
  EXPECT_EQ(warnings,
            (std::vector<std::string>{
                "probe: refused by the host: refused: a plugin named 'probe' "
                "is already loaded",
                "probe: refused by the host: init failed (3): told to fail"}));
  // The plugin's own OnRefused heard the same; only the log and the clock
  // work meanwhile (the KV answers UNAVAILABLE).
  std::lock_guard<std::mutex> lock(Probe::refusals_mu);
  const std::string tail = " | now " +
                           std::to_string(sdk::testing::kDefaultStartMicros) +
                           " | kv 14";
  EXPECT_EQ(Probe::refusals,
            (std::vector<std::string>{
                "refused: a plugin named 'probe' is already loaded" + tail,
                "init failed (3): told to fail" + tail}));
}

TEST_F(FakeHostTest, EachHookSeesItsOwnCallContext) {
  const std::string five_s = std::to_string(5 * sdk::kMicrosPerSecond);
  const std::string one_s = std::to_string(sdk::kMicrosPerSecond);
  probe_->run = [&](std::string* out) {
    *out = DescribeContext(host());
    return Status();
  };
  EXPECT_EQ(*plugin_->Call(kRun, ""),
            std::string("1 ") + kRun + " " + five_s + " 0");
  ASSERT_TRUE(plugin_->Deliver(Touchpoint("a", "acme", 1)).ok());
  EXPECT_EQ(probe_->signal_context, "2 - " + five_s + " 0");
  ASSERT_TRUE(plugin_->Tick().ok());
  EXPECT_EQ(probe_->tick_context, "3 - " + five_s + " 0");
  EXPECT_EQ((*plugin_->ReportSection("t", "acme"))->fields[1].value,
            "4 - " + one_s + " 0");
  EXPECT_EQ((*plugin_->AccountHealthComponent("t", "acme"))->explanation,
            "5 - " + one_s + " 0");
  // Not on a hook's thread (Init, or a thread the plugin owns): none.
  EXPECT_EQ(DescribeContext(host()),
            "code 5: no call: this thread is not running a hook of plugin "
            "probe (a call context exists only on the thread the host runs a "
            "hook on)");
  std::string off_thread;
  probe_->run = [&](std::string*) {
    std::thread t([&] { off_thread = DescribeContext(host()); });
    t.join();
    return Status();
  };
  ASSERT_TRUE(plugin_->Call(kRun, "").ok());
  EXPECT_EQ(off_thread.rfind("code 5: no call", 0), 0u) << off_thread;
}

TEST_F(FakeHostTest, AHookSeesItsCancellationAndAPassedDeadline) {
  probe_->run = [&](std::string* out) {
    *out = DescribeContext(host());
    return Status();
  };
  plugin_->SetCancelled(sdk::CallContext::CancelReason::kClientCancelled);
  EXPECT_EQ(*plugin_->Call(kRun, ""),
            std::string("1 ") + kRun + " 5000000 2 cancelled");
  plugin_->SetCancelled(sdk::CallContext::CancelReason::kNone);
  EXPECT_EQ(*plugin_->Call(kRun, ""), std::string("1 ") + kRun + " 5000000 0");

  // The deadline passes while the hook runs (the clock is the fake's): it
  // wins over any other reason, and the host answers without the hook.
  plugin_->SetCancelled(sdk::CallContext::CancelReason::kShuttingDown);
  std::string seen;
  probe_->run = [&](std::string* out) {
    host_.AdvanceMicros(6 * sdk::kMicrosPerSecond);
    seen = DescribeContext(host());
    *out = "too late";
    return Status();
  };
  EXPECT_EQ(Text(plugin_->Call(kRun, "").status()),
            "4 plugin probe did not answer within 5s");
  EXPECT_EQ(seen, std::string("1 ") + kRun + " -1000000 1 cancelled");
  EXPECT_EQ(plugin_->failures(), 1);  // an overrun is a failure
  plugin_->SetCancelled(sdk::CallContext::CancelReason::kNone);

  // Set while a hook runs on another thread: the hook sees it and stops.
  std::atomic<bool> started{false};
  probe_->run = [&](std::string* out) {
    started = true;
    for (int spins = 0; !host().Cancelled() && spins < 60000000; ++spins) {
      std::this_thread::yield();
    }
    *out = DescribeContext(host());
    return Status(Code::kCancelled, *out);
  };
  sdk::Result<std::string> answer = std::string();
  std::thread call([&] { answer = plugin_->Call(kRun, ""); });
  while (!started) std::this_thread::yield();
  plugin_->SetCancelled(sdk::CallContext::CancelReason::kClientCancelled);
  call.join();
  EXPECT_EQ(Text(answer.status()),
            std::string("1 1 ") + kRun + " 5000000 2 cancelled");
}

TEST_F(FakeHostTest, UpdateStopsRetryingOnceItsHookIsCancelled) {
  ASSERT_TRUE(host().KvPut("default", "count", "1").ok());
  int attempts = 0;
  probe_->run = [&](std::string*) {
    return host().Update("default", {"count"}, [&](sdk::KvUpdate& u) {
      ++attempts;
      // Another writer wins, and meanwhile the client goes away.
      EXPECT_TRUE(host_.KvApply("probe", "default", {{"count", "9"}}).ok());
      plugin_->SetCancelled(sdk::CallContext::CancelReason::kClientCancelled);
      u.Put("count", "2");
      return Status();
    });
  };
  EXPECT_EQ(Text(plugin_->Call(kRun, "").status()), "1 the hook was cancelled");
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(**host().KvGet("default", "count"), "9");
}

TEST(FakeHostLibraryTest, LoadsBuiltLibrariesFromDisk) {
  FakeHost host;
  const std::string dir = std::string(std::getenv("TEST_SRCDIR")) + "/" +
                          std::getenv("TEST_WORKSPACE") + "/plugins/";
  auto notes = sdk::testing::LoadLibrary(host, dir + "template/libnotes.so");
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(notes->name(), "notes");
  // Built with this SDK: the header's ABI version.
  EXPECT_EQ(notes->abi(), std::to_string(RETAIN_PLUGIN_ABI_MAJOR) + "." +
                              std::to_string(RETAIN_PLUGIN_ABI_MINOR));
  // The template built with the ABI 1.0 SDK: no ticks to ask for.
  FakeHost old_host;
  auto old =
      sdk::testing::LoadLibrary(old_host, dir + "fixtures/libnotes_abi_1_0.so");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->abi(), "1.0");
  EXPECT_FALSE(old->ticks());
  EXPECT_EQ(old->Tick().code(), Code::kFailedPrecondition);

  auto none = sdk::testing::LoadLibrary(host, dir + "fixtures/libno_entry.so");
  EXPECT_NE(none.status().message().find("no entry point"), std::string::npos)
      << none.status();
  auto mismatch =
      sdk::testing::LoadLibrary(host, dir + "fixtures/libabi_mismatch.so");
  EXPECT_NE(mismatch.status().message().find("the major version must match"),
            std::string::npos)
      << mismatch.status();
}

}  // namespace
}  // namespace retain::testing

RETAIN_PLUGIN(retain::testing::Probe, "probe", "1.0.0")
