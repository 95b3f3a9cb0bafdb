// The plugin host with real plugins loaded from disk: the template plugin
// (notes) and one failure fixture per failure mode.
#include <string>

#include "absl/strings/str_cat.h"
#include "core/health/health_config.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "retain_plugin_abi.h"
#include "retain_plugin_wire.h"
#include "tests/plugins/plugin_env.h"

namespace retain::testing {
namespace {

using plugin::v1::PluginState;
namespace wire = sdk::wire;

constexpr char kNotes[] = "plugins/template/libnotes.so";
constexpr char kAddNote[] = "/retain.plugins.notes.v1.NotesService/AddNote";
constexpr char kListNotes[] = "/retain.plugins.notes.v1.NotesService/ListNotes";

std::string AddNoteRequest(const std::string& account,
                           const std::string& text) {
  wire::Writer w;
  w.String(1, account);
  w.String(2, text);
  w.String(3, "csm@example.com");
  return w.Take();
}

struct NotesList {
  std::vector<std::string> texts;
  int64_t touchpoints = 0;
};

NotesList ListNotes(PluginEnv& env, const std::string& account) {
  wire::Writer w;
  w.String(1, account);
  std::string out;
  grpc::Status s = env.CallRaw(kListNotes, w.Take(), &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  NotesList list;
  wire::Reader r(out);
  while (r.Next()) {
    if (r.field() == 1) {
      wire::Reader n(r.AsBytes());
      while (n.Next()) {
        if (n.field() == 3) list.texts.push_back(n.AsString());
      }
    }
    if (r.field() == 2) list.touchpoints = r.AsInt64();
  }
  return list;
}

std::string Touchpoint(const std::string& id, const std::string& account) {
  return absl::StrCat(
      "signal_id: '", id, "' account: 'accounts/", account,
      "' occur_time { seconds: ", absl::ToUnixSeconds(absl::Now()) - 3600,
      " } touchpoint { channel: TOUCHPOINT_CHANNEL_CALL csm: 'ann' }");
}

std::string Usage(const std::string& id, const std::string& account) {
  return absl::StrCat(
      "signal_id: '", id, "' account: 'accounts/", account,
      "' occur_time { seconds: ", absl::ToUnixSeconds(absl::Now()) - 3600,
      " } usage { active_users: 10 }");
}

// grpc.health.v1.Health/Check, encoded by hand (SERVING = 1).
bool Serving(PluginEnv& env, const std::string& service) {
  wire::Writer w;
  w.String(1, service);
  std::string out;
  if (!env.CallRaw("/grpc.health.v1.Health/Check", w.Take(), &out).ok())
    return false;
  wire::Reader r(out);
  int status = 0;
  while (r.Next()) {
    if (r.field() == 1) status = r.AsInt32();
  }
  return status == 1;
}

TEST(PluginHostTest, LoadsTemplatePluginAndServesItOverGrpc) {
  auto env = PluginEnv::Start({.plugins = {kNotes}});
  ASSERT_NE(env, nullptr);
  auto info = env->host().GetPlugin("notes");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->state(), plugin::v1::PLUGIN_STATE_READY);
  EXPECT_EQ(info->version(), "1.0.0");
  EXPECT_EQ(info->abi_major(), 1);
  ASSERT_EQ(info->services_size(), 1);
  EXPECT_EQ(info->services(0), "retain.plugins.notes.v1.NotesService");
  EXPECT_TRUE(info->report_section());

  env->CreateAccount("acme", 50000);
  std::string out;
  ASSERT_TRUE(
      env->CallRaw(kAddNote, AddNoteRequest("acme", "kickoff went well"), &out)
          .ok());
  ASSERT_TRUE(
      env->CallRaw(kAddNote, AddNoteRequest("acme", "sponsor changed"), &out)
          .ok());
  NotesList list = ListNotes(*env, "acme");
  EXPECT_EQ(list.texts,
            (std::vector<std::string>{"kickoff went well", "sponsor changed"}));

  // The plugin's own answers pass through unchanged and are not failures.
  grpc::Status s = env->CallRaw(kAddNote, AddNoteRequest("nobody", "x"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = env->CallRaw(kAddNote, AddNoteRequest("acme", ""), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  info = env->host().GetPlugin("notes");
  EXPECT_EQ(info->counters().call_errors(), 2);
  EXPECT_EQ(info->counters().call_failures(), 0);
  EXPECT_EQ(info->state(), plugin::v1::PLUGIN_STATE_READY);

  // Unknown methods are UNIMPLEMENTED, not routed anywhere.
  s = env->CallRaw("/retain.plugins.notes.v1.NotesService/Nope", "", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);

  // Report section.
  auto sections = env->host().AccountSections("default", "acme");
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].plugin(), "notes");
  EXPECT_EQ(sections[0].title(), "Notes");
  EXPECT_EQ(sections[0].fields(0).value(), "2");
  EXPECT_TRUE(env->host().AccountSections("default", "nobody").empty());
}

TEST(PluginHostTest, KvIsPerTenantAndSurvivesRestart) {
  std::string dir = TempDir("kv");
  {
    auto env = PluginEnv::Start({.plugins = {kNotes}, .data_dir = dir});
    env->CreateAccount("acme", 1000, 10, "default");
    env->CreateAccount("acme", 1000, 10, "other");
    std::string out;
    ASSERT_TRUE(
        env->CallRaw(kAddNote, AddNoteRequest("acme", "default's note"), &out)
            .ok());
  }
  auto env = PluginEnv::Start({.plugins = {kNotes}, .data_dir = dir});
  EXPECT_EQ(ListNotes(*env, "acme").texts,
            std::vector<std::string>{"default's note"});
  EXPECT_TRUE(env->host().AccountSections("other", "acme").empty());
  EXPECT_EQ(env->host().AccountSections("default", "acme").size(), 1u);
}

TEST(PluginHostTest, DeliversDurableSignalsInOrderAndResumesAfterRestart) {
  std::string dir = TempDir("delivery");
  {
    auto env = PluginEnv::Start({.plugins = {kNotes}, .data_dir = dir});
    env->CreateAccount("acme", 1000);
    env->Record({Touchpoint("t1", "acme"), Usage("u1", "acme"),
                 Touchpoint("t2", "acme")});
    ASSERT_TRUE(PluginEnv::Eventually(
        [&] { return ListNotes(*env, "acme").touchpoints == 2; }));
    auto info = env->host().GetPlugin("notes");
    EXPECT_EQ(info->counters().signals_delivered(), 2);  // usage not subscribed
    EXPECT_TRUE(PluginEnv::Eventually([&] {
      return env->host().GetPlugin("notes")->counters().delivery_cursor() ==
             env->engine().last_durable_seq();
    }));
  }
  {
    // Signals recorded while no plugin host runs.
    engine::EngineOptions eo;
    eo.data_dir = dir;
    eo.health = health::DefaultHealthConfig();
    auto engine = engine::Engine::Open(eo);
    ASSERT_TRUE(engine.ok());
    std::vector<signal::v1::Signal> signals(1);
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
        Touchpoint("t3", "acme"), &signals[0]));
    ASSERT_TRUE((*engine)->RecordSignals("default", signals).ok());
    (*engine)->Shutdown();
  }
  auto env = PluginEnv::Start({.plugins = {kNotes}, .data_dir = dir});
  // Nothing skipped, nothing counted twice.
  ASSERT_TRUE(PluginEnv::Eventually(
      [&] { return ListNotes(*env, "acme").touchpoints == 3; }));
  env->Record({Touchpoint("t4", "acme")});
  ASSERT_TRUE(PluginEnv::Eventually(
      [&] { return ListNotes(*env, "acme").touchpoints == 4; }));
  EXPECT_EQ(env->host().GetPlugin("notes")->counters().signals_delivered(), 2);
}

TEST(PluginHostTest, RefusesLibrariesItCannotServe) {
  auto env = PluginEnv::Start({.plugins = {
                                   "plugins/fixtures/libno_entry.so",
                                   "plugins/fixtures/libabi_mismatch.so",
                                   "plugins/fixtures/libinit_fails.so",
                                   "/nonexistent/libmissing.so",
                                   kNotes,
                               }});
  auto plugins = env->host().ListPlugins();
  ASSERT_EQ(plugins.size(), 5u);
  EXPECT_EQ(plugins[0].state(), plugin::v1::PLUGIN_STATE_REFUSED);
  EXPECT_NE(
      plugins[0].last_error().find("no entry point 'retain_plugin_on_load'"),
      std::string::npos)
      << plugins[0].last_error();
  EXPECT_EQ(plugins[1].state(), plugin::v1::PLUGIN_STATE_REFUSED);
  EXPECT_EQ(plugins[1].abi_major(), 2);
  EXPECT_NE(plugins[1].last_error().find(absl::StrCat(
                "built for plugin ABI 2.0; this server speaks ",
                RETAIN_PLUGIN_ABI_MAJOR, ".", RETAIN_PLUGIN_ABI_MINOR)),
            std::string::npos)
      << plugins[1].last_error();
  EXPECT_EQ(plugins[2].state(), plugin::v1::PLUGIN_STATE_INIT_FAILED);
  EXPECT_EQ(plugins[2].name(), "init_fails");
  EXPECT_NE(
      plugins[2].last_error().find("required config 'api_key' is missing"),
      std::string::npos)
      << plugins[2].last_error();
  EXPECT_EQ(plugins[3].state(), plugin::v1::PLUGIN_STATE_REFUSED);
  EXPECT_NE(plugins[3].last_error().find("cannot load the library"),
            std::string::npos);
  // The good one still serves.
  EXPECT_EQ(plugins[4].state(), plugin::v1::PLUGIN_STATE_READY);
  env->CreateAccount("acme", 1000);
  std::string out;
  EXPECT_TRUE(
      env->CallRaw(kAddNote, AddNoteRequest("acme", "still here"), &out).ok());
}

TEST(PluginHostTest, ThrowingHandlerIsParkedAndCanBeResumed) {
  auto env = PluginEnv::Start(
      {.plugins = {"plugins/fixtures/libhandler_throws.so", kNotes},
       .config_json =
           R"({"plugins": {"handler_throws": {"max_consecutive_failures": 3}}})"});
  const std::string kThrow =
      "/retain.plugins.handler_throws.v1.ThrowService/Throw";
  const std::string kPing =
      "/retain.plugins.handler_throws.v1.ThrowService/Ping";
  std::string out;
  ASSERT_TRUE(env->CallRaw(kPing, "hi", &out).ok());
  EXPECT_EQ(out, "hi");
  auto serving = [&](const std::string& service) {
    return Serving(*env, service);
  };
  EXPECT_TRUE(serving("handler_throws"));
  EXPECT_TRUE(serving("retain.plugins.handler_throws.v1.ThrowService"));

  for (int i = 0; i < 3; ++i) {
    grpc::Status s = env->CallRaw(kThrow, "", &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL);
    // The caller learns where to look, not what the plugin said.
    EXPECT_NE(s.error_message().find("plugin handler_throws failed (error id "),
              std::string::npos)
        << s.error_message();
    EXPECT_EQ(s.error_message().find("boom"), std::string::npos);
  }
  EXPECT_EQ(env->StateOf("handler_throws"), plugin::v1::PLUGIN_STATE_PARKED);
  grpc::Status s = env->CallRaw(kPing, "hi", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_FALSE(serving("handler_throws"));
  EXPECT_FALSE(serving("retain.plugins.handler_throws.v1.ThrowService"));
  auto info = env->host().GetPlugin("handler_throws");
  EXPECT_EQ(info->counters().call_failures(), 3);
  EXPECT_EQ(info->counters().calls_rejected(), 1);
  EXPECT_NE(info->last_error().find("3 consecutive failures"),
            std::string::npos);
  // The operator's view keeps the plugin's own text.
  EXPECT_NE(info->last_error().find("plugin threw: boom (fixture)"),
            std::string::npos);

  // The other plugin and the host are unaffected.
  EXPECT_TRUE(serving("notes"));
  env->CreateAccount("acme", 1000);
  EXPECT_TRUE(
      env->CallRaw(kAddNote, AddNoteRequest("acme", "fine"), &out).ok());

  // Resume: serving again.
  auto resumed = env->host().ResumePlugin("handler_throws");
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->state(), plugin::v1::PLUGIN_STATE_READY);
  EXPECT_TRUE(env->CallRaw(kPing, "again", &out).ok());
  EXPECT_TRUE(serving("handler_throws"));
  EXPECT_EQ(env->host().ResumePlugin("notes").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(PluginHostTest, HungHandlerTimesOutAndIsParked) {
  auto env = PluginEnv::Start(
      {.plugins = {"plugins/fixtures/libhandler_hangs.so", kNotes},
       .config_json = R"({"plugins": {"handler_hangs":
           {"max_consecutive_failures": 2, "call_timeout_ms": 200, "workers": 1}}})"});
  const std::string kHang = "/retain.plugins.handler_hangs.v1.HangService/Hang";
  std::string out;
  for (int i = 0; i < 2; ++i) {
    grpc::Status s = env->CallRaw(kHang, "", &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
        << s.error_message();
  }
  EXPECT_EQ(env->StateOf("handler_hangs"), plugin::v1::PLUGIN_STATE_PARKED);
  auto info = env->host().GetPlugin("handler_hangs");
  EXPECT_EQ(info->counters().call_timeouts(), 2);
  EXPECT_NE(info->last_error().find("did not answer within"),
            std::string::npos);
  grpc::Status s = env->CallRaw(
      "/retain.plugins.handler_hangs.v1.HangService/Ping", "", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  env->CreateAccount("acme", 1000);
  EXPECT_TRUE(
      env->CallRaw(kAddNote, AddNoteRequest("acme", "fine"), &out).ok());
  // Shutdown does not wait for the hung handler (the env's destructor).
}

// Within the retry limit a failed signal is retried, never skipped, and its
// failures alone do not park the plugin (dead_letter_delivery_test has what
// happens past the limit).
TEST(PluginHostTest, FailedSignalIsRetriedUntilHandledWithinTheLimit) {
  auto env =
      PluginEnv::Start({.plugins = {"plugins/fixtures/libflaky_signals.so"},
                        .config_json = R"({"plugins": {"flaky_signals":
           {"max_consecutive_failures": 2, "signal_retry_limit": 4,
            "signal_retry_backoff_ms": 1, "config": {"fail_first": 3}}}})"});
  env->CreateAccount("acme", 1000);
  env->Record({Usage("u1", "acme"), Usage("u2", "acme"), Usage("u3", "acme")});
  const std::string kSeen =
      "/retain.plugins.flaky_signals.v1.FlakyService/Seen";
  std::string seen;
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    return env->CallRaw(kSeen, "", &seen).ok() && seen == "u1,u2,u3";
  })) << seen;
  auto info = env->host().GetPlugin("flaky_signals");
  EXPECT_EQ(info->counters().signals_delivered(), 3);
  EXPECT_EQ(info->counters().signal_failures(), 3);
  EXPECT_EQ(info->counters().signals_dead_lettered(), 0);
  EXPECT_NE(info->last_error().find("not yet (fixture)"), std::string::npos);
  EXPECT_EQ(info->state(), plugin::v1::PLUGIN_STATE_READY);
  auto letters = env->host().ListDeadLetters("flaky_signals", "", 0, "");
  ASSERT_TRUE(letters.ok()) << letters.status();
  EXPECT_EQ(letters->dead_letters_size(), 0);
}

TEST(PluginHostTest, CorruptStoredCursorParksThePluginNotTheServer) {
  std::string dir = TempDir("corrupt_cursor");
  {
    auto env = PluginEnv::Start({.plugins = {kNotes}, .data_dir = dir});
    env->CreateAccount("acme", 1000);
    env->Record({Touchpoint("t1", "acme")});
    ASSERT_TRUE(PluginEnv::Eventually(
        [&] { return ListNotes(*env, "acme").touchpoints == 1; }));
    // The cursor is stored just after the hook returns: wait for it, or
    // its write could land after the damage below and undo it.
    ASSERT_TRUE(PluginEnv::Eventually([&] {
      return env->host().GetPlugin("notes")->counters().delivery_cursor() ==
             env->engine().last_durable_seq();
    }));
    // Damage the persisted cursor, as a bad restore or a hand edit would.
    ASSERT_TRUE(env->engine()
                    .store()
                    .KvApply("_host/cursors", {{"notes", "not-a-number"}})
                    .ok());
  }
  auto env = PluginEnv::Start({.plugins = {kNotes}, .data_dir = dir});
  ASSERT_NE(env, nullptr);  // start-up went on
  auto info = env->host().GetPlugin("notes");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state(), plugin::v1::PLUGIN_STATE_PARKED);
  EXPECT_NE(info->last_error().find(
                "its stored delivery cursor \"not-a-number\" is corrupt"),
            std::string::npos)
      << info->last_error();

  // Repaired and resumed, delivery picks up from the repaired cursor.
  ASSERT_TRUE(
      env->engine().store().KvApply("_host/cursors", {{"notes", "0"}}).ok());
  ASSERT_TRUE(env->host().ResumePlugin("notes").ok());
  env->Record({Touchpoint("t2", "acme")});
  EXPECT_TRUE(PluginEnv::Eventually(
      [&] { return ListNotes(*env, "acme").touchpoints == 2; }));
}

TEST(PluginHostTest, DisabledAndBadConfig) {
  auto env = PluginEnv::Start(
      {.plugins = {kNotes},
       .config_json = R"({"plugins": {"notes": {"enabled": false}}})"});
  EXPECT_EQ(env->StateOf("notes"), plugin::v1::PLUGIN_STATE_DISABLED);

  plugin_host::PluginHostOptions o;
  o.config_path = WriteFile(TempDir("bad") + "/plugins.json", "{not json");
  plugin_host::PluginHost host(o, &env->engine().store(), &env->services());
  EXPECT_EQ(host.LoadAll().code(), absl::StatusCode::kInvalidArgument);
}

// --- Periodic ticks (ABI 1.1).

constexpr char kTicks[] = "plugins/fixtures/libticks.so";
constexpr char kCount[] = "/retain.plugins.ticks.v1.TickService/Count";

// "<ticks>:<now_micros of the last tick>" from the ticks fixture.
std::string TickCount(PluginEnv& env) {
  std::string out;
  grpc::Status s = env.CallRaw(kCount, "", &out);
  return s.ok() ? out : "error: " + s.error_message();
}

// A fixed host clock: ticks must see it, not the wall clock.
const absl::Time kClock = absl::FromUnixSeconds(1700000000);

TEST(PluginTicksTest, TicksRunWithTheHostClockOnlyForPluginsThatAsk) {
  auto env = PluginEnv::Start(
      {.plugins = {kTicks, kNotes},
       .config_json = R"({"plugins": {"ticks": {"tick_seconds": 3600}}})",
       .clock = [] { return kClock; }});
  ASSERT_EQ(env->StateOf("ticks"), plugin::v1::PLUGIN_STATE_READY);
  auto info = env->host().GetPlugin("ticks");
  EXPECT_EQ(info->abi_major(), 1);
  EXPECT_EQ(info->abi_minor(), RETAIN_PLUGIN_ABI_MINOR);
  EXPECT_DOUBLE_EQ(info->tick_seconds(), 3600);
  // notes does not ask for ticks: nothing scheduled, nothing called.
  EXPECT_DOUBLE_EQ(env->host().GetPlugin("notes")->tick_seconds(), 0);
  EXPECT_EQ(TickCount(*env), "0:0");

  env->host().RunTicks();
  env->host().RunTicks();
  EXPECT_EQ(TickCount(*env), absl::StrCat("2:", absl::ToUnixMicros(kClock)));
  info = env->host().GetPlugin("ticks");
  EXPECT_EQ(info->counters().ticks(), 2);
  EXPECT_EQ(info->counters().tick_failures(), 0);
  EXPECT_EQ(info->counters().calls(), 2);  // the Count calls only
  EXPECT_EQ(env->host().GetPlugin("notes")->counters().ticks(), 0);
}

TEST(PluginTicksTest, TheTimerTicksEveryTickSeconds) {
  // No RunTicks: the host's own timer (host default overridden per plugin).
  auto env = PluginEnv::Start(
      {.plugins = {kTicks}, .config_json = R"({"host": {"tick_seconds": 3600},
                          "plugins": {"ticks": {"tick_seconds": 0.02}}})"});
  ASSERT_TRUE(PluginEnv::Eventually(
      [&] { return env->host().GetPlugin("ticks")->counters().ticks() >= 3; }));
  EXPECT_EQ(env->host().GetPlugin("ticks")->counters().tick_failures(), 0);
}

TEST(PluginTicksTest, ZeroTickSecondsDisablesTicks) {
  auto env = PluginEnv::Start(
      {.plugins = {kTicks},
       .config_json = R"({"plugins": {"ticks": {"tick_seconds": 0}}})"});
  ASSERT_EQ(env->StateOf("ticks"), plugin::v1::PLUGIN_STATE_READY);
  EXPECT_DOUBLE_EQ(env->host().GetPlugin("ticks")->tick_seconds(), 0);
  env->host().RunTicks();
  EXPECT_EQ(TickCount(*env), "0:0");
  EXPECT_EQ(env->host().GetPlugin("ticks")->counters().ticks(), 0);

  // A bad value stops loading altogether, naming the key.
  plugin_host::PluginHostOptions o;
  o.plugin_paths = {Runfile(kTicks)};
  o.config_path = WriteFile(TempDir("bad_ticks") + "/plugins.json",
                            R"({"plugins": {"ticks": {"tick_seconds": -1}}})");
  plugin_host::PluginHost host(o, &env->engine().store(), &env->services());
  absl::Status s = host.LoadAll();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("plugins.ticks.tick_seconds: must be >= 0"),
            std::string::npos)
      << s;
  EXPECT_TRUE(host.ListPlugins().empty());
  env->host().RunTicks();
  EXPECT_EQ(TickCount(*env), "0:0");
}

TEST(PluginTicksTest, ThrowingTickCountsTowardsParking) {
  auto env = PluginEnv::Start(
      {.plugins = {kTicks, kNotes},
       .config_json = R"({"plugins": {"ticks": {"tick_seconds": 3600,
           "max_consecutive_failures": 3, "config": {"mode": "throw"}}}})"});
  env->host().RunTicks();
  env->host().RunTicks();
  EXPECT_EQ(env->StateOf("ticks"), plugin::v1::PLUGIN_STATE_READY);
  // A successful call in between resets the count, as for calls.
  EXPECT_EQ(TickCount(*env).substr(0, 2), "2:");
  for (int i = 0; i < 3; ++i) env->host().RunTicks();
  EXPECT_EQ(env->StateOf("ticks"), plugin::v1::PLUGIN_STATE_PARKED);
  auto info = env->host().GetPlugin("ticks");
  EXPECT_EQ(info->counters().ticks(), 5);
  EXPECT_EQ(info->counters().tick_failures(), 5);
  EXPECT_NE(info->last_error().find("3 consecutive failures"),
            std::string::npos)
      << info->last_error();
  EXPECT_NE(info->last_error().find("plugin threw: tick boom (fixture)"),
            std::string::npos)
      << info->last_error();
  // Parked: no ticks, calls UNAVAILABLE; the host and notes keep serving.
  env->host().RunTicks();
  EXPECT_EQ(env->host().GetPlugin("ticks")->counters().ticks(), 5);
  std::string out;
  EXPECT_EQ(env->CallRaw(kCount, "", &out).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_FALSE(Serving(*env, "ticks"));
  env->CreateAccount("acme", 1000);
  EXPECT_TRUE(
      env->CallRaw(kAddNote, AddNoteRequest("acme", "fine"), &out).ok());
  // Resumed, it ticks again.
  ASSERT_TRUE(env->host().ResumePlugin("ticks").ok());
  env->host().RunTicks();
  EXPECT_EQ(env->host().GetPlugin("ticks")->counters().ticks(), 6);
}

TEST(PluginTicksTest, HungTickTimesOutAndIsParked) {
  auto env = PluginEnv::Start(
      {.plugins = {kTicks, kNotes},
       .config_json = R"({"plugins": {"ticks": {"tick_seconds": 3600,
           "call_timeout_ms": 200, "max_consecutive_failures": 2,
           "workers": 2, "config": {"mode": "hang"}}}})"});
  // The first tick overruns its deadline; RunTicks returns then.
  env->host().RunTicks();
  auto info = env->host().GetPlugin("ticks");
  EXPECT_EQ(info->state(), plugin::v1::PLUGIN_STATE_READY);
  EXPECT_EQ(info->counters().tick_failures(), 1);
  EXPECT_NE(info->last_error().find("did not answer within"), std::string::npos)
      << info->last_error();
  EXPECT_EQ(info->counters().ticks(), 1);
  // The hung tick still holds its worker: the next one is not started
  // (no second worker is tied up) but counts as another overrun.
  env->host().RunTicks();
  info = env->host().GetPlugin("ticks");
  EXPECT_EQ(info->state(), plugin::v1::PLUGIN_STATE_PARKED);
  EXPECT_EQ(info->counters().tick_failures(), 2);
  EXPECT_NE(info->last_error().find("tick still running past its deadline"),
            std::string::npos)
      << info->last_error();
  std::string out;
  EXPECT_EQ(env->CallRaw(kCount, "", &out).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  env->CreateAccount("acme", 1000);
  EXPECT_TRUE(
      env->CallRaw(kAddNote, AddNoteRequest("acme", "fine"), &out).ok());
  // Shutdown does not wait for the hung tick (the env's destructor).
}

TEST(PluginTicksTest, PluginsBuiltForAbi10KeepLoadingAndServing) {
  // The template built against the frozen SDK 1.0 headers.
  auto env =
      PluginEnv::Start({.plugins = {"plugins/fixtures/libnotes_abi_1_0.so",
                                    "plugins/fixtures/libold_minor.so"},
                        .config_json = R"({"host": {"tick_seconds": 0.01}})"});
  auto info = env->host().GetPlugin("notes");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->state(), plugin::v1::PLUGIN_STATE_READY);
  EXPECT_EQ(info->abi_major(), 1);
  EXPECT_EQ(info->abi_minor(), 0);
  EXPECT_DOUBLE_EQ(info->tick_seconds(), 0);
  env->CreateAccount("acme", 1000);
  std::string out;
  ASSERT_TRUE(
      env->CallRaw(kAddNote, AddNoteRequest("acme", "still works"), &out).ok());
  env->Record({Touchpoint("t1", "acme")});
  ASSERT_TRUE(PluginEnv::Eventually(
      [&] { return ListNotes(*env, "acme").touchpoints == 1; }));
  EXPECT_EQ(ListNotes(*env, "acme").texts,
            std::vector<std::string>{"still works"});
  auto sections = env->host().AccountSections("default", "acme");
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].title(), "Notes");

  // A 1.0-sized module whose descriptor asks for ticks, with a hook that
  // aborts sitting past its struct_size: loaded, served, never ticked.
  info = env->host().GetPlugin("old_minor");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->state(), plugin::v1::PLUGIN_STATE_READY);
  EXPECT_EQ(info->abi_minor(), 0);
  EXPECT_DOUBLE_EQ(info->tick_seconds(), 0);
  env->host().RunTicks();
  ASSERT_TRUE(
      env->CallRaw("/retain.plugins.old_minor.v1.OldService/Ping", "ping", &out)
          .ok());
  EXPECT_EQ(out, "ping");
  EXPECT_EQ(env->host().GetPlugin("old_minor")->counters().ticks(), 0);
  EXPECT_EQ(env->host().GetPlugin("notes")->counters().ticks(), 0);
}

}  // namespace
}  // namespace retain::testing
