// Delivery's poison-signal path with a real plugin loaded from disk
// (plugins/fixtures/poison_signal.cc) over a real store: a signal that keeps
// failing is set aside after signal_retry_limit attempts while later ones
// are delivered; one poison signal does not park the plugin, failing every
// signal does; dead letters are retried and dropped through the host; they
// and the cursor survive a restart, and so does a crash between the two.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/plugins/plugin_env.h"

namespace retain::testing {
namespace {

constexpr char kPoison[] = "plugins/fixtures/libpoison_signal.so";
constexpr char kService[] = "/retain.plugins.poison_signal.v1.PoisonService/";

std::string Usage(const std::string& id, const std::string& account = "acme") {
  return absl::StrCat(
      "signal_id: '", id, "' account: 'accounts/", account,
      "' occur_time { seconds: ", absl::ToUnixSeconds(absl::Now()) - 3600,
      " } usage { active_users: 10 }");
}

// What the fixture's method answers ("error: ..." when the call fails).
std::string Ask(PluginEnv& env, const std::string& method) {
  std::string out;
  grpc::Status s = env.CallRaw(absl::StrCat(kService, method), "", &out);
  return s.ok() ? out : "error: " + s.error_message();
}

std::string Config(const std::string& settings) {
  return absl::StrCat(R"({"plugins": {"poison_signal": {)", settings, "}}}");
}

plugin::v1::Plugin Info(PluginEnv& env) {
  auto info = env.host().GetPlugin("poison_signal");
  EXPECT_TRUE(info.ok()) << info.status();
  return info.ok() ? *info : plugin::v1::Plugin();
}

std::vector<plugin::v1::DeadLetter> DeadLetters(
    PluginEnv& env, const std::string& tenant = "") {
  auto r = env.host().ListDeadLetters("poison_signal", tenant, 0, "");
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return {};
  return {r->dead_letters().begin(), r->dead_letters().end()};
}

absl::StatusOr<plugin::v1::RetryDeadLettersResponse> Retry(
    PluginEnv& env, const std::vector<int64_t>& seqs, bool all) {
  absl::Notification done;
  absl::StatusOr<plugin::v1::RetryDeadLettersResponse> out;
  env.host().RetryDeadLetters(
      "poison_signal", "", seqs, all,
      [&](absl::StatusOr<plugin::v1::RetryDeadLettersResponse> r) {
        out = std::move(r);
        done.Notify();
      });
  done.WaitForNotification();
  return out;
}

int64_t SeqOf(PluginEnv& env, const std::string& signal_id) {
  int64_t seq = 0;
  EXPECT_TRUE(env.engine()
                  .store()
                  .ForEachSignal(0,
                                 [&](const store::StoredSignal& s) {
                                   if (s.signal_id == signal_id) seq = s.seq;
                                   return seq == 0;
                                 })
                  .ok());
  return seq;
}

TEST(DeadLetterDeliveryTest, PoisonSignalIsSetAsideAndDeliveryGoesOn) {
  auto env = PluginEnv::Start(
      {.plugins = {kPoison}, .config_json = Config(R"("signal_retry_limit": 3,
                                "signal_retry_backoff_ms": 1,
                                "max_consecutive_failures": 2)")});
  ASSERT_NE(env, nullptr);
  env->CreateAccount("acme", 1000);
  env->Record({Usage("u1"), Usage("poison-u2"), Usage("u3")});
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    return Ask(*env, "Seen") == "u1,u3";
  })) << Ask(*env, "Seen");
  EXPECT_EQ(Ask(*env, "Attempts"), "poison-u2=3");
  // u3's outcome is accounted just after the plugin recorded it.
  ASSERT_TRUE(PluginEnv::Eventually(
      [&] { return Info(*env).counters().signals_delivered() == 2; }));
  plugin::v1::Plugin info = Info(*env);
  EXPECT_EQ(info.state(), plugin::v1::PLUGIN_STATE_READY);
  EXPECT_EQ(info.counters().signals_dead_lettered(), 1);
  EXPECT_EQ(info.counters().signal_failures(), 3);
  EXPECT_EQ(info.counters().consecutive_failures(), 0);  // u3 came after

  auto letters = DeadLetters(*env);
  ASSERT_EQ(letters.size(), 1u);
  const plugin::v1::DeadLetter& d = letters[0];
  EXPECT_EQ(d.seq(), SeqOf(*env, "poison-u2"));
  EXPECT_EQ(d.tenant(), "tenants/default");
  EXPECT_EQ(d.account(), "accounts/acme");
  EXPECT_EQ(d.signal_id(), "poison-u2");
  EXPECT_EQ(d.attempts(), 3);
  EXPECT_EQ(d.last_error(), "poison signal poison-u2 (fixture)");
  EXPECT_FALSE(d.last_error_id().empty());
  EXPECT_LE(d.first_failure_time().seconds(), d.last_failure_time().seconds());
  EXPECT_GT(d.first_failure_time().seconds(), 0);
  EXPECT_TRUE(DeadLetters(*env, "other").empty());

  // Still poisoned: the retry fails and the dead letter stays, one attempt
  // more.
  auto failed = Retry(*env, {d.seq()}, false);
  ASSERT_TRUE(failed.ok()) << failed.status();
  ASSERT_EQ(failed->failed_size(), 1);
  EXPECT_EQ(failed->failed(0).attempts(), 4);
  EXPECT_TRUE(failed->delivered().empty());
  EXPECT_EQ(DeadLetters(*env)[0].attempts(), 4);
  EXPECT_EQ(Info(*env).state(), plugin::v1::PLUGIN_STATE_READY);

  // Fixed: the retry delivers it and it leaves the list.
  EXPECT_EQ(Ask(*env, "Heal"), "");
  auto delivered = Retry(*env, {}, true);
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  EXPECT_EQ(std::vector<int64_t>(delivered->delivered().begin(),
                                 delivered->delivered().end()),
            std::vector<int64_t>{d.seq()});
  EXPECT_FALSE(delivered->more());
  EXPECT_TRUE(DeadLetters(*env).empty());
  EXPECT_EQ(Ask(*env, "Seen"), "u1,u3,poison-u2");

  EXPECT_EQ(Retry(*env, {12345}, false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(env->host().ListDeadLetters("nope", "", 0, "").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(DeadLetterDeliveryTest, APluginThatFailsEverySignalStillParks) {
  auto env = PluginEnv::Start(
      {.plugins = {kPoison}, .config_json = Config(R"("signal_retry_limit": 2,
                                "signal_retry_backoff_ms": 1,
                                "max_consecutive_failures": 2,
                                "config": {"marker": "u"})")});
  ASSERT_NE(env, nullptr);
  env->CreateAccount("acme", 1000);
  env->Record({Usage("u1"), Usage("u2"), Usage("u3")});
  ASSERT_TRUE(PluginEnv::Eventually(
      [&] { return Info(*env).state() == plugin::v1::PLUGIN_STATE_PARKED; }));
  // Two dead letters in a row parked it before u3 was tried.
  plugin::v1::Plugin info = Info(*env);
  EXPECT_EQ(
      info.last_error(),
      absl::StrCat("2 consecutive failures, last: signal ", SeqOf(*env, "u2"),
                   " set aside as a dead letter after 2 failed "
                   "attempts, last: poison signal u2 (fixture)"));
  EXPECT_EQ(info.counters().signals_dead_lettered(), 2);
  EXPECT_EQ(info.counters().signal_failures(), 4);
  EXPECT_EQ(DeadLetters(*env).size(), 2u);
  EXPECT_EQ(Retry(*env, {}, true).status().code(),
            absl::StatusCode::kFailedPrecondition);

  // Resumed: u3 fails its two attempts and is set aside; one dead letter
  // after a resume does not park it again.
  ASSERT_TRUE(env->host().ResumePlugin("poison_signal").ok());
  ASSERT_TRUE(
      PluginEnv::Eventually([&] { return DeadLetters(*env).size() == 3; }));
  EXPECT_EQ(Ask(*env, "Attempts"), "u1=2,u2=2,u3=2");
  EXPECT_EQ(Info(*env).state(), plugin::v1::PLUGIN_STATE_READY);

  // Drop one by seq, then the rest.
  auto dropped = env->host().DropDeadLetters("poison_signal", "",
                                             {SeqOf(*env, "u2")}, false);
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(dropped->dropped(), 1);
  std::vector<std::string> left;
  for (const auto& d : DeadLetters(*env)) left.push_back(d.signal_id());
  EXPECT_EQ(left, (std::vector<std::string>{"u1", "u3"}));
  EXPECT_EQ(
      env->host()
          .DropDeadLetters("poison_signal", "", {SeqOf(*env, "u2")}, false)
          .status()
          .code(),
      absl::StatusCode::kNotFound);
  // Another tenant has none to drop.
  EXPECT_EQ(env->host()
                .DropDeadLetters("poison_signal", "other", {}, true)
                ->dropped(),
            0);
  EXPECT_EQ(
      env->host().DropDeadLetters("poison_signal", "", {}, true)->dropped(), 2);
  EXPECT_TRUE(DeadLetters(*env).empty());
  // Nothing was delivered behind the operator's back.
  EXPECT_EQ(Ask(*env, "Seen"), "");
}

// An overrun may leave a worker stuck: it counts towards parking at once,
// before the signal reaches its retry limit.
TEST(DeadLetterDeliveryTest, OverrunsCountTowardsParkingEachTime) {
  auto env = PluginEnv::Start(
      {.plugins = {kPoison}, .config_json = Config(R"("signal_retry_limit": 5,
                                "signal_retry_backoff_ms": 1,
                                "max_consecutive_failures": 2,
                                "call_timeout_ms": 50,
                                "config": {"sleep_ms": 1000})")});
  ASSERT_NE(env, nullptr);
  env->CreateAccount("acme", 1000);
  env->Record({Usage("poison-1")});
  ASSERT_TRUE(PluginEnv::Eventually(
      [&] { return Info(*env).state() == plugin::v1::PLUGIN_STATE_PARKED; }));
  plugin::v1::Plugin info = Info(*env);
  EXPECT_EQ(info.counters().signal_failures(), 2);
  EXPECT_EQ(info.counters().signals_dead_lettered(), 0);
  EXPECT_NE(info.last_error().find("did not answer within"), std::string::npos)
      << info.last_error();
  EXPECT_TRUE(DeadLetters(*env).empty());
}

TEST(DeadLetterDeliveryTest, DeadLettersAndCursorSurviveRestartAndACrash) {
  const std::string dir = TempDir("dead_letters_restart");
  const std::string config = Config(R"("signal_retry_limit": 2,
                                       "signal_retry_backoff_ms": 1)");
  int64_t u1 = 0, u2 = 0;
  {
    auto env = PluginEnv::Start(
        {.plugins = {kPoison}, .config_json = config, .data_dir = dir});
    ASSERT_NE(env, nullptr);
    env->CreateAccount("acme", 1000);
    env->Record({Usage("u1"), Usage("poison-u2")});
    ASSERT_TRUE(
        PluginEnv::Eventually([&] { return DeadLetters(*env).size() == 1; }));
    u1 = SeqOf(*env, "u1");
    u2 = SeqOf(*env, "poison-u2");
    ASSERT_TRUE(PluginEnv::Eventually(
        [&] { return Info(*env).counters().delivery_cursor() == u2; }));
    env->Stop();
  }
  {
    // Restarted: the dead letter is still there and nothing is tried again
    // (the fixture, loaded afresh, counts no attempts).
    auto env = PluginEnv::Start(
        {.plugins = {kPoison}, .config_json = config, .data_dir = dir});
    ASSERT_NE(env, nullptr);
    EXPECT_EQ(Info(*env).counters().delivery_cursor(), u2);
    auto letters = DeadLetters(*env);
    ASSERT_EQ(letters.size(), 1u);
    EXPECT_EQ(letters[0].seq(), u2);
    EXPECT_EQ(letters[0].attempts(), 2);
    EXPECT_EQ(Ask(*env, "Attempts"), "");
    // A crash after the dead letter was written but before the cursor
    // moved past it: the cursor still says u1.
    ASSERT_TRUE(
        env->engine()
            .store()
            .KvApply("_host/cursors", {{"poison_signal", std::to_string(u1)}})
            .ok());
    env->Stop();
  }
  auto env = PluginEnv::Start(
      {.plugins = {kPoison}, .config_json = config, .data_dir = dir});
  ASSERT_NE(env, nullptr);
  // Delivery starts past the dead letter: neither tried nor duplicated.
  EXPECT_EQ(Info(*env).counters().delivery_cursor(), u2);
  env->Record({Usage("u3")});
  ASSERT_TRUE(PluginEnv::Eventually([&] {
    return Ask(*env, "Seen") == "u1,u3";
  })) << Ask(*env, "Seen");
  EXPECT_EQ(Ask(*env, "Attempts"), "");
  auto letters = DeadLetters(*env);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].attempts(), 2);
}

}  // namespace
}  // namespace retain::testing
