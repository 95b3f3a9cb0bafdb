// The fake host (plugins/sdk/retain_plugin_testing.h) answers as the
// server does: the same request bytes go to the server's own host table
// (core/plugin_host/host_callbacks.cc over a real engine and store) and to
// the fake's, and the answers (status code, and the response bytes or the
// error message) must be the same. When the server's rules change, this
// test says where the fake must follow.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "core/plugin_host/host_callbacks.h"
#include "core/plugin_host/plugin.h"
#include "core/plugin_host/plugin_config.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "retain/sdk/testing/load_library.h"
#include "retain_plugin_testing.h"
#include "tests/plugins/plugin_env.h"

namespace retain::testing {
namespace {

using sdk::Signal;
using sdk::SignalKind;
using sdk::testing::FakeHost;
namespace wire = sdk::wire;

// Hands the test the fake's Host (the plugin's own view of the table).
class Probe : public sdk::Plugin {
 public:
  static Probe* last;
  sdk::Status Init(sdk::Setup&) override {
    last = this;
    return {};
  }
};
Probe* Probe::last = nullptr;

using Slot = retain_host_callback_rpc retain_host_api::*;

class FakeHostParityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = PluginEnv::Start({});
    ASSERT_NE(env_, nullptr);
    host_env_.store = &env_->engine().store();
    host_env_.services = &env_->services();
    host_env_.clock = [] { return absl::Now(); };
    server_.loaded.name = "probe";
    server_.env = &host_env_;
    server_.EnableCallbacks(true);

    fake_.SetNowMicros(absl::ToUnixMicros(absl::Now()));
    auto loaded = fake_.Load(&retain_plugin_on_load);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    fake_plugin_ = Probe::last;
  }
  void TearDown() override { server_.EnableCallbacks(false); }

  // The same account on both sides.
  void CreateAccount(const std::string& id, double arr,
                     const std::string& tenant = "default") {
    env_->CreateAccount(id, arr, 100, tenant);
    ASSERT_TRUE(fake_.PutAccount({.id = id, .arr = arr}, tenant).ok());
  }

  struct Answer {
    int code;
    std::string bytes;  // the response, or the error message
    bool operator==(const Answer& o) const {
      return code == o.code && bytes == o.bytes;
    }
  };
  static Answer Ask(const sdk::Host& host, retain_host_callback_rpc fn,
                    const std::string& tenant, const std::string& request) {
    auto r = host.Rpc(fn, tenant, request);
    return {static_cast<int>(r.status().code()),
            r.ok() ? *r : r.status().message()};
  }
  Answer Server(Slot slot, const std::string& tenant,
                const std::string& request) {
    return Ask(sdk::Host(plugin_host::HostApi(), &server_),
               plugin_host::HostApi()->*slot, tenant, request);
  }
  Answer Fake(Slot slot, const std::string& tenant,
              const std::string& request) {
    return Ask(fake_plugin_->host(), fake_.api()->*slot, tenant, request);
  }
  // Asks both; they must agree. Returns the answer.
  Answer Both(Slot slot, const std::string& tenant, const std::string& request,
              const std::string& what) {
    Answer server = Server(slot, tenant, request);
    Answer fake = Fake(slot, tenant, request);
    EXPECT_EQ(server.code, fake.code) << what << ": " << server.bytes;
    EXPECT_EQ(server.bytes, fake.bytes) << what;
    return server;
  }

  std::unique_ptr<PluginEnv> env_;
  plugin_host::HostEnv host_env_;
  plugin_host::Plugin server_;
  FakeHost fake_;
  Probe* fake_plugin_ = nullptr;
};

std::string Batch(const std::vector<sdk::KvOp>& ops) {
  wire::Writer w;
  for (const auto& op : ops) {
    wire::Writer o;
    o.String(1, op.key);
    if (op.value) {
      o.String(2, *op.value);
    } else {
      o.Bool(3, true);
    }
    w.Message(1, o);
  }
  return w.Take();
}

TEST_F(FakeHostParityTest, KeyValueAnswersAreTheServersByteForByte) {
  const std::vector<std::vector<sdk::KvOp>> batches = {
      {{"p", "prefix"}, {"p/001", "1"}, {"p/002", "2"}, {"p/003", "3"}},
      {{"p/002", std::nullopt}, {"p/004", ""}, {"q", "q"}, {"o", "o"}},
      {{"\xc3\xa9", "e-acute"},
       {"\xc3\xa9/1", "1"},
       {"\xc3\xa9/2", "2"},
       {"\xc3\xa9\xc3\xa9", "ee"}},
      {{"k", "1"}, {"k", std::nullopt}, {"j", std::nullopt}, {"j", "2"}},
  };
  for (const std::string tenant : {"default", "t2"}) {
    for (const auto& batch : batches) {
      Answer a = Both(&retain_host_api::retain_host_callback_kv_apply, tenant,
                      Batch(batch), "kv_apply");
      EXPECT_EQ(a.code, 0);
    }
  }
  Both(&retain_host_api::retain_host_callback_kv_apply, "t3",
       Batch({{"only", "x"}}), "kv_apply");
  // More keys than a page holds, so the limits show.
  std::vector<sdk::KvOp> many;
  for (int i = 0; i < 1100; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "m/%04d", i);
    many.push_back({key, std::to_string(i)});
  }
  Both(&retain_host_api::retain_host_callback_kv_apply, "default", Batch(many),
       "kv_apply");

  int compared = 0;
  for (const char* prefix :
       {"", "m/", "p", "p/", "q", "o", "zz", "\xc3\xa9", "\xc3\xa9/"}) {
    for (const char* after :
         {"", "a", "m/0999", "p", "p/001", "p/9", "\xc3\xa9/1", "z"}) {
      for (int limit : {-1, 0, 1, 2, 3, 1000, 5000}) {
        wire::Writer w;
        w.String(1, prefix);
        w.String(2, after);
        w.Int(3, limit);
        Both(&retain_host_api::retain_host_callback_kv_scan, "default",
             w.data(),
             std::string("kv_scan ") + prefix + " after " + after + " limit " +
                 std::to_string(limit));
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, 9 * 8 * 7);
  for (const char* key : {"p", "p/002", "p/004", "k", "j", "none", ""}) {
    wire::Writer w;
    w.String(1, key);
    Both(&retain_host_api::retain_host_callback_kv_get, "t2", w.data(),
         std::string("kv_get ") + key);
  }
  Answer tenants = Both(&retain_host_api::retain_host_callback_list_tenants, "",
                        "", "list_tenants");
  EXPECT_EQ(tenants.code, 0);
  EXPECT_FALSE(tenants.bytes.empty());
  // Malformed requests.
  for (Slot slot : {&retain_host_api::retain_host_callback_kv_get,
                    &retain_host_api::retain_host_callback_kv_apply,
                    &retain_host_api::retain_host_callback_kv_scan,
                    &retain_host_api::retain_host_callback_list_tenants,
                    &retain_host_api::retain_host_callback_get_account,
                    &retain_host_api::retain_host_callback_list_accounts,
                    &retain_host_api::retain_host_callback_list_signals,
                    &retain_host_api::retain_host_callback_get_health,
                    &retain_host_api::retain_host_callback_record_signals,
                    &retain_host_api::retain_host_callback_publish_alert}) {
    Answer a = Both(slot, "default", "\xff", "malformed");
    EXPECT_EQ(a.code, 3) << a.bytes;
  }
}

std::string Read(const std::vector<std::string>& keys,
                 const std::optional<sdk::KvRange>& range) {
  return sdk::codec::EncodeKvRead(keys, range);
}

std::string ApplyIf(const std::vector<sdk::KvOp>& ops,
                    const std::vector<sdk::KvPrecondition>& preconditions) {
  return sdk::codec::EncodeKvApplyIf(ops, preconditions);
}

// Versions included: both stores count commits from the same start, and
// every write below goes to both.
TEST_F(FakeHostParityTest, VersionedKeyValueAnswersAreTheServersByteForByte) {
  const Slot read = &retain_host_api::retain_host_callback_kv_read;
  const Slot apply_if = &retain_host_api::retain_host_callback_kv_apply_if;
  const Slot apply = &retain_host_api::retain_host_callback_kv_apply;
  Both(apply, "default", Batch({{"a", "1"}, {"b", ""}, {"p/1", "x"}}),
       "kv_apply");
  Both(apply, "t2", Batch({{"a", "other tenant"}}), "kv_apply t2");
  // Read the versions the server gave, then go on from them on both sides.
  Answer first =
      Both(read, "default", Read({"a", "b", "none", "a"}, {}), "kv_read keys");
  ASSERT_EQ(first.code, 0) << first.bytes;
  sdk::KvSnapshot snap;
  ASSERT_TRUE(sdk::codec::DecodeKvSnapshot(first.bytes, &snap));
  ASSERT_EQ(snap.values.size(), 4u);
  const int64_t v = snap.values[0].version;
  EXPECT_GT(v, 0);
  EXPECT_EQ(snap.values[1].version, v);  // an empty value exists
  EXPECT_EQ(snap.values[2].version, 0);

  struct Case {
    std::string what;
    std::vector<sdk::KvOp> ops;
    std::vector<sdk::KvPrecondition> preconditions;
    int code;
  };
  const std::vector<Case> cases = {
      {"wins", {{"a", "2"}, {"c", "3"}}, {{"a", v}, {"c", 0}}, 0},
      {"stale version", {{"a", "x"}}, {{"a", v}}, 10},
      {"must not exist", {{"x", "x"}}, {{"b", 0}}, 10},
      {"does not exist", {{"x", "x"}}, {{"none", 5}}, 10},
      {"second fails", {{"x", "x"}}, {{"b", v}, {"a", v}}, 10},
      {"negative", {{"x", "x"}}, {{"b", v}, {"a", -2}}, 3},
      {"checks only", {}, {{"b", v}}, 0},
      {"no conditions", {{"d", "4"}, {"a", std::nullopt}}, {}, 0},
      {"deleted", {{"a", "again"}}, {{"a", 0}, {"p/1", v}}, 0},
      {"nothing", {}, {}, 0},
  };
  for (const Case& c : cases) {
    Answer a = Both(apply_if, "default", ApplyIf(c.ops, c.preconditions),
                    "kv_apply_if " + c.what);
    EXPECT_EQ(a.code, c.code) << c.what << ": " << a.bytes;
  }
  for (const std::string tenant : {"default", "t2", "t3"}) {
    for (const auto& range : std::vector<std::optional<sdk::KvRange>>{
             std::nullopt, sdk::KvRange{"", "", 0}, sdk::KvRange{"p/", "", 1},
             sdk::KvRange{"", "b", 5000}, sdk::KvRange{"p", "p/1", -1}}) {
      Both(read, tenant, Read({"a", "b", "c", "d", "none", ""}, range),
           "kv_read " + tenant);
    }
  }
  Answer too_many =
      Both(read, "default", Read(std::vector<std::string>(1001, "k"), {}),
           "kv_read 1001 keys");
  EXPECT_EQ(too_many.code, 3);
  for (Slot slot : {read, apply_if}) {
    Answer a = Both(slot, "default", "\xff", "malformed");
    EXPECT_EQ(a.code, 3) << a.bytes;
  }
}

// Off a hook's thread, and outside an entry point, both say the same.
TEST_F(FakeHostParityTest, CallContextAndDeclineOutOfPlaceAreTheServers) {
  const sdk::Host server(plugin_host::HostApi(), &server_);
  const sdk::Host& fake = fake_plugin_->host();
  auto server_context = server.CallContext();
  auto fake_context = fake.CallContext();
  EXPECT_EQ(server_context.status().code(), sdk::Code::kNotFound);
  EXPECT_EQ(fake_context.status().code(), sdk::Code::kNotFound);
  EXPECT_EQ(server_context.status().message(), fake_context.status().message());
  EXPECT_FALSE(server.Cancelled());
  EXPECT_FALSE(fake.Cancelled());
  const char kWhy[] = "why";
  EXPECT_EQ(
      plugin_host::HostApi()->retain_host_callback_decline(nullptr, {kWhy, 3}),
      9);
  EXPECT_EQ(fake_.api()->retain_host_callback_decline(nullptr, {kWhy, 3}), 9);
}

TEST_F(FakeHostParityTest, ArgumentErrorsAreTheServers) {
  CreateAccount("acme", 1000);
  CreateAccount("beta", 1000);
  CreateAccount("gamma", 1000);
  auto name = [](const std::string& n) {
    wire::Writer w;
    w.String(1, n);
    return w.Take();
  };
  for (const char* n : {"", "Bad!", "accounts/Bad!", "nobody", "accounts/"}) {
    Both(&retain_host_api::retain_host_callback_get_account, "default", name(n),
         std::string("get_account ") + n);
    Both(&retain_host_api::retain_host_callback_get_health, "default", name(n),
         std::string("get_health ") + n);
  }
  EXPECT_EQ(Server(&retain_host_api::retain_host_callback_get_account, "other",
                   name("acme"))
                .code,
            5);

  struct List {
    int32_t page_size;
    std::string token;
    std::string csm_owner;
  };
  for (const List& l : std::vector<List>{{-1, "", ""},
                                         {1001, "", ""},
                                         {0, "zz", ""},
                                         {0, std::string(300, 'a'), ""},
                                         {0, "", std::string(300, 'c')}}) {
    wire::Writer w;
    w.Int(1, l.page_size);
    w.String(2, l.token);
    w.String(4, l.csm_owner);
    Answer a = Both(&retain_host_api::retain_host_callback_list_accounts,
                    "default", w.data(), "list_accounts");
    EXPECT_EQ(a.code, 3);
  }
  // Paging: the same accounts and tokens page by page.
  std::string token;
  std::vector<std::string> ids;
  for (int page = 0; page < 3; ++page) {
    wire::Writer w;
    w.Int(1, 2);
    w.String(2, token);
    auto server = sdk::Host(plugin_host::HostApi(), &server_);
    std::string server_next, fake_next;
    auto a = server.ListAccounts("default", 2, token, &server_next);
    auto b = fake_plugin_->host().ListAccounts("default", 2, token, &fake_next);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->size(), b->size());
    for (size_t i = 0; i < a->size(); ++i) {
      EXPECT_EQ((*a)[i].id, (*b)[i].id);
      ids.push_back((*a)[i].id);
    }
    EXPECT_EQ(server_next, fake_next);
    token = server_next;
    if (token.empty()) break;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"acme", "beta", "gamma"}));

  struct Signals {
    std::string account;
    int32_t page_size;
    std::string token;
  };
  for (const Signals& s :
       std::vector<Signals>{{"", 0, ""},
                            {"acme", 0, ""},
                            {"accounts/Bad!", 0, ""},
                            {"accounts/nobody", 0, ""},
                            {"accounts/acme", 1001, ""},
                            {"accounts/acme", -1, ""},
                            {"accounts/acme", 0, "s:1"},
                            {"accounts/acme", 0, "x:1:2"},
                            {"accounts/acme", 0, std::string(300, 's')}}) {
    wire::Writer w;
    w.String(1, s.account);
    w.Int(5, s.page_size);
    w.String(6, s.token);
    Answer a = Both(&retain_host_api::retain_host_callback_list_signals,
                    "default", w.data(), "list_signals " + s.account);
    EXPECT_NE(a.code, 0);
  }
}

// A valid touchpoint to start each case from; an hour ahead, so the
// account's ARR at its time is the ARR it was created with.
Signal Valid(int64_t now) {
  Signal s;
  s.signal_id = "s1";
  s.account_id = "acme";
  s.occur_micros = now + 3600 * sdk::kMicrosPerSecond;
  s.kind = SignalKind::kTouchpoint;
  s.touchpoint.channel = sdk::touchpoint_channel::kMeeting;
  return s;
}

std::string Record(const std::vector<Signal>& signals) {
  wire::Writer w;
  for (const auto& s : signals) w.Bytes(1, sdk::codec::EncodeSignal(s));
  return w.Take();
}

TEST_F(FakeHostParityTest, AccountHealthAnswersAreTheServers) {
  CreateAccount("acme", 1000);
  auto request = [](const std::string& id, int64_t as_of) {
    wire::Writer w;
    w.String(1, id);
    w.Int(2, as_of);
    return w.Take();
  };
  const Slot slot = &retain_host_api::retain_host_callback_get_account_health;
  for (const char* id : {"", "Bad!", "nobody"}) {
    Answer a = Both(slot, "default", request(id, 0),
                    std::string("get_account_health ") + id);
    EXPECT_NE(a.code, 0);
  }
  EXPECT_EQ(Both(slot, "default", request("acme", -1), "negative as_of").code,
            3);
  EXPECT_EQ(Both(slot, "default", "\xff", "malformed").code, 3);
  EXPECT_EQ(Server(slot, "other", request("acme", 0)).code, 5);
  // Both know the account (the health itself is the fake's to set).
  for (const auto& answer : {Server(slot, "default", request("acme", 0)),
                             Fake(slot, "default", request("acme", 0))}) {
    ASSERT_EQ(answer.code, 0) << answer.bytes;
    sdk::AccountHealth h;
    ASSERT_TRUE(sdk::codec::DecodeAccountHealth(answer.bytes, &h));
    EXPECT_EQ(h.account.name, "accounts/acme");
    EXPECT_EQ(h.account.arr, 1000);
  }
}

TEST_F(FakeHostParityTest, SignalsAreRefusedWithTheServersMessages) {
  CreateAccount("acme", 1000);
  const int64_t now = absl::ToUnixMicros(absl::Now());
  std::vector<std::pair<std::string, std::function<void(Signal&)>>> cases = {
      {"no id", [](Signal& s) { s.signal_id.clear(); }},
      {"id not printable", [](Signal& s) { s.signal_id = "a\tb"; }},
      {"id too long", [](Signal& s) { s.signal_id = std::string(129, 'i'); }},
      {"bad account", [](Signal& s) { s.account_id = "Bad!"; }},
      {"no account id", [](Signal& s) { s.account_id.clear(); }},
      {"unknown account", [](Signal& s) { s.account_id = "nobody"; }},
      {"no time", [](Signal& s) { s.occur_micros = 0; }},
      {"before 1970", [](Signal& s) { s.occur_micros = -5; }},
      {"no payload", [](Signal& s) { s.kind = SignalKind::kUnspecified; }},
      {"usage window",
       [](Signal& s) {
         s.kind = SignalKind::kUsage;
         s.usage.window_days = 91;
       }},
      {"usage negative",
       [](Signal& s) {
         s.kind = SignalKind::kUsage;
         s.usage.active_users = -1;
       }},
      {"usage feature",
       [](Signal& s) {
         s.kind = SignalKind::kUsage;
         s.usage.feature_users["f"] = -2;
       }},
      {"usage feature key",
       [](Signal& s) {
         s.kind = SignalKind::kUsage;
         s.usage.feature_users[std::string(129, 'f')] = 2;
       }},
      {"ticket id",
       [](Signal& s) {
         s.kind = SignalKind::kTicket;
         s.ticket.status = sdk::ticket_status::kClosed;
       }},
      {"ticket status",
       [](Signal& s) {
         s.kind = SignalKind::kTicket;
         s.ticket.ticket_id = "t";
       }},
      {"ticket severity",
       [](Signal& s) {
         s.kind = SignalKind::kTicket;
         s.ticket.ticket_id = "t";
         s.ticket.status = sdk::ticket_status::kOpened;
       }},
      {"ticket subject",
       [](Signal& s) {
         s.kind = SignalKind::kTicket;
         s.ticket.ticket_id = "t";
         s.ticket.status = sdk::ticket_status::kClosed;
         s.ticket.subject = std::string(4097, 's');
       }},
      {"nps",
       [](Signal& s) {
         s.kind = SignalKind::kSurvey;
         s.survey.kind = sdk::survey_kind::kNps;
         s.survey.score = 11;
       }},
      {"csat",
       [](Signal& s) {
         s.kind = SignalKind::kSurvey;
         s.survey.kind = sdk::survey_kind::kCsat;
       }},
      {"ces",
       [](Signal& s) {
         s.kind = SignalKind::kSurvey;
         s.survey.kind = sdk::survey_kind::kCes;
         s.survey.score = 8;
       }},
      {"survey kind", [](Signal& s) { s.kind = SignalKind::kSurvey; }},
      {"respondent",
       [](Signal& s) {
         s.kind = SignalKind::kSurvey;
         s.survey.kind = sdk::survey_kind::kNps;
         s.survey.respondent = std::string(257, 'r');
       }},
      {"channel", [](Signal& s) { s.touchpoint.channel = 9; }},
      {"notes", [](Signal& s) { s.touchpoint.notes = std::string(4097, 'n'); }},
      {"new logo",
       [](Signal& s) {
         s.kind = SignalKind::kCommercial;
         s.commercial.kind = sdk::commercial_kind::kNewLogo;
         s.commercial.arr_delta = -1;
       }},
      {"contraction sign",
       [](Signal& s) {
         s.kind = SignalKind::kCommercial;
         s.commercial.kind = sdk::commercial_kind::kContraction;
         s.commercial.arr_delta = 5;
       }},
      {"contraction past zero",
       [](Signal& s) {
         s.kind = SignalKind::kCommercial;
         s.commercial.kind = sdk::commercial_kind::kContraction;
         s.commercial.arr_delta = -2500.5;
       }},
      {"expansion bound",
       [](Signal& s) {
         s.kind = SignalKind::kCommercial;
         s.commercial.kind = sdk::commercial_kind::kExpansion;
         s.commercial.arr_delta = 1e12;
       }},
      {"arr bound",
       [](Signal& s) {
         s.kind = SignalKind::kCommercial;
         s.commercial.kind = sdk::commercial_kind::kRenewal;
         s.commercial.arr_delta = 3e12;
       }},
      {"reference too long",
       [](Signal& s) {
         s.kind = SignalKind::kCommercial;
         s.commercial.kind = sdk::commercial_kind::kExpansion;
         s.commercial.arr_delta = 10;
         s.commercial.reference = std::string(129, 'r');
       }},
      {"reference not printable",
       [](Signal& s) {
         s.kind = SignalKind::kCommercial;
         s.commercial.kind = sdk::commercial_kind::kExpansion;
         s.commercial.arr_delta = 10;
         s.commercial.reference = "inv\n1";
       }},
      {"commercial kind", [](Signal& s) { s.kind = SignalKind::kCommercial; }},
      {"stage", [](Signal& s) { s.kind = SignalKind::kLifecycle; }},
      {"custom type", [](Signal& s) { s.kind = SignalKind::kCustom; }},
      {"reserved type",
       [](Signal& s) {
         s.kind = SignalKind::kCustom;
         s.custom.type = "retain.x";
       }},
      {"type not printable",
       [](Signal& s) {
         s.kind = SignalKind::kCustom;
         s.custom.type = "a\x01";
       }},
      {"attributes",
       [](Signal& s) {
         s.kind = SignalKind::kCustom;
         s.custom.type = "x";
         for (int i = 0; i < 65; ++i) s.custom.attributes[std::to_string(i)];
       }},
      {"attribute key",
       [](Signal& s) {
         s.kind = SignalKind::kCustom;
         s.custom.type = "x";
         s.custom.attributes[std::string(129, 'k')] = "v";
       }},
      {"attribute value",
       [](Signal& s) {
         s.kind = SignalKind::kCustom;
         s.custom.type = "x";
         s.custom.attributes["k"] = std::string(4097, 'v');
       }},
      {"too big",
       [](Signal& s) {
         s.kind = SignalKind::kCustom;
         s.custom.type = "x";
         s.custom.attributes["a"] = std::string(3500, 'v');
         s.custom.attributes["b"] = std::string(3500, 'v');
       }},
  };
  for (const auto& [what, change] : cases) {
    Signal s = Valid(now);
    change(s);
    Answer a = Both(&retain_host_api::retain_host_callback_record_signals,
                    "default", Record({Valid(now), s}), what);
    EXPECT_EQ(a.code, 3) << what << ": " << a.bytes;
  }
  EXPECT_EQ(Both(&retain_host_api::retain_host_callback_record_signals,
                 "default", "", "empty batch")
                .code,
            3);
  // Time in the future: the same rule (the server prints the time in its
  // own zone, so only the rule is compared).
  Signal future = Valid(now);
  future.occur_micros = now + 2 * sdk::kMicrosPerDay;
  Answer server = Server(&retain_host_api::retain_host_callback_record_signals,
                         "default", Record({future}));
  Answer fake = Fake(&retain_host_api::retain_host_callback_record_signals,
                     "default", Record({future}));
  EXPECT_EQ(server.code, fake.code);
  const std::string rule =
      "signals[0].occur_time: must not be more than 1 day in the future";
  EXPECT_EQ(server.bytes.substr(0, rule.size()), rule);
  EXPECT_EQ(fake.bytes.substr(0, rule.size()), rule);
  // A valid batch, a duplicate in it, and its replay: accepted by both.
  Signal other = Valid(now);
  other.signal_id = "s2";
  for (int i = 0; i < 2; ++i) {
    Answer ok =
        Both(&retain_host_api::retain_host_callback_record_signals, "default",
             Record({Valid(now), other, Valid(now)}), "valid batch");
    EXPECT_EQ(ok.code, 0) << ok.bytes;
  }
}

TEST(FakeHostConfigParityTest, PluginConfigIsTheServers) {
  for (const char* text : {
           R"({})",
           R"({"b": 1, "a": {"y": [1, "x", true, false, null], "x": {}}})",
           R"({"n": [0, -0, 7, -12, 1.0, 2.50, 1E3, 0.1, 1e21, 1.5e-7,
                     123456789012345678, 100000000000000000000,
                     -9223372036854775808, 18446744073709551615,
                     18446744073709551616, 0.30000000000000004, 1e-5]})",
           R"({"s": "caf\u00e9 \"q\" \\ \/ \n\t\u0001 \ud83d\ude00"})",
           R"({"dup": 1, "dup": 2, "arr": [[1, 2], [], [{"k": "v"}]]})",
           R"("just a string")",
           R"(3.25)",
       }) {
    auto fake = sdk::testing::JsonConfig::Parse(text);
    ASSERT_TRUE(fake.ok()) << text << ": " << fake.status();
    nlohmann::json j = nlohmann::json::parse(text);
    EXPECT_EQ(fake->json(), j.dump()) << text;
    EXPECT_EQ(fake->values(), plugin_host::FlattenConfig(j)) << text;
  }
}

RETAIN_PLUGIN(retain::testing::Probe, "probe", "1.0.0")

// ABI 1.4: the same relay library in the server's host and in the fake
// shows the same caller and gets the same answers from call_plugin.
TEST(FakeHostCallParityTest, CallerAndPluginCallsAreTheServers) {
  const std::string relay = "plugins/fixtures/librelay.so";
  auto env = PluginEnv::Start(
      {.plugins = {relay},
       .config_json = R"({"plugins": {"relay": {"workers": 8}}})"});
  ASSERT_NE(env, nullptr);
  FakeHost fake;
  auto loaded = sdk::testing::LoadLibrary(fake, Runfile(relay));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const std::string service = "/retain.plugins.relay.v1.RelayService/";
  for (const auto& [method, request] :
       std::vector<std::pair<std::string, std::string>>{
           {"GetCaller", ""},
           {"GetRelayed", "relay " + service + "GetCaller "},
           {"GetRelayed", "relay " + service + "Bump "},
           {"GetRelayed", "nobody /retain.plugins.nobody.v1.S/Get "},
           {"GetRelayed", "relay " + service + "Nope "},
           {"GetDeep", "4"},
           {"GetDeep", "5"}}) {
    std::string server_out;
    grpc::Status server = env->CallRaw(service + method, request, &server_out);
    auto fake_out = loaded->Call(service + method, request);
    const std::string what = method + " " + request;
    EXPECT_EQ(static_cast<int>(server.error_code()),
              static_cast<int>(fake_out.status().code()))
        << what << ": " << server.error_message();
    EXPECT_EQ(server.ok() ? server_out : server.error_message(),
              fake_out.ok() ? *fake_out : fake_out.status().message())
        << what;
  }
}

}  // namespace
}  // namespace retain::testing
