// `retainctl plugins dead-letters | retry | drop` end to end: the real
// retainctl against a real retaind that loads the poison-signal fixture,
// whose poisoned signals become dead letters.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/clients/retainctl_runner.h"
#include "tests/support/generic_unary.h"
#include "tests/support/retaind_process.h"

namespace retain {
namespace {

using Result = ::retain::testing::CtlResult;
using ::retain::testing::Retainctl;
using ::retain::testing::RetaindProcess;
using ::retain::testing::Runfile;

// The table line whose first cell is `first_cell` (after right-alignment
// padding), or "".
std::string Row(const std::string& table, const std::string& first_cell) {
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(line),
                         first_cell + " ")) {
      return std::string(line);
    }
  }
  return "";
}

// The number after "field": in one line of proto JSON ("" when absent);
// int64 fields print as strings.
std::string JsonField(const std::string& json, const std::string& field) {
  const std::string key = absl::StrCat("\"", field, "\":");
  const size_t at = json.find(key);
  if (at == std::string::npos) return "";
  size_t start = at + key.size();
  if (json[start] == '"') ++start;
  const size_t end = json.find_first_of("\",}", start);
  return json.substr(start, end - start);
}

class RetainctlDeadLettersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string config =
        RetaindProcess::MakeTempDir("ctl-dead-letters") + "/plugins.json";
    FILE* f = std::fopen(config.c_str(), "w");
    std::fputs(R"({"plugins": {"poison_signal": {"signal_retry_limit": 2,
                 "signal_retry_backoff_ms": 1}}})",
               f);
    std::fclose(f);
    auto p = RetaindProcess::Start(
        {.extra_flags = {
             "--plugins=" + Runfile("plugins/fixtures/libpoison_signal.so"),
             "--plugin_config=" + config}});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    Result acme = Ctl({"accounts", "create", "acme", "--name", "Acme", "--arr",
                       "1000", "--seats", "10"});
    ASSERT_EQ(acme.exit_code, 0) << acme;
  }
  void TearDown() override {
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->Stop().ok());
    }
  }
  Result Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server_->address()});
    return Retainctl(args);
  }
  // The dead letters' JSON lines, once there are `n`.
  std::vector<std::string> WaitForDeadLetters(size_t n) {
    std::vector<std::string> lines;
    for (int i = 0; i < 600; ++i) {
      Result r =
          Ctl({"-o", "json", "plugins", "dead-letters", "poison_signal"});
      EXPECT_EQ(r.exit_code, 0) << r;
      lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
      if (lines.size() >= n) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return lines;
  }
  std::unique_ptr<RetaindProcess> server_;
};

TEST(RetainctlDeadLettersHelp, VerbsHaveHelpAndCheckTheirSelection) {
  for (const char* verb : {"dead-letters", "retry", "drop"}) {
    Result r = Retainctl({"plugins", verb, "--help"});
    EXPECT_EQ(r.exit_code, 0) << verb << "\n" << r;
    EXPECT_TRUE(absl::StrContains(r.out, "Usage: retainctl plugins")) << r;
    EXPECT_TRUE(absl::StrContains(r.out, "Exit codes:")) << r;
  }
  // Neither --seq nor --all, or both: usage errors before any call.
  Result none =
      Retainctl({"--server", "127.0.0.1:1", "plugins", "retry", "notes"});
  EXPECT_EQ(none.exit_code, 2) << none;
  EXPECT_TRUE(absl::StrContains(none.err, "give --seq N... or --all")) << none;
  Result both = Retainctl({"--server", "127.0.0.1:1", "plugins", "drop",
                           "notes", "--seq", "3", "--all"});
  EXPECT_EQ(both.exit_code, 2) << both;
}

TEST_F(RetainctlDeadLettersTest, ListRetryAndDrop) {
  for (const char* id : {"u1", "poison-a", "poison-b", "u2"}) {
    Result r = Ctl(
        {"signals", "record", "acme", "usage", "active_users=3", "--id", id});
    ASSERT_EQ(r.exit_code, 0) << r;
  }
  std::vector<std::string> json = WaitForDeadLetters(2);
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(JsonField(json[0], "signal_id"), "poison-a") << json[0];
  EXPECT_EQ(JsonField(json[0], "attempts"), "2") << json[0];
  EXPECT_EQ(JsonField(json[0], "feed"), "DEAD_LETTER_FEED_SIGNAL") << json[0];
  const std::string a = JsonField(json[0], "seq");
  const std::string b = JsonField(json[1], "seq");
  ASSERT_FALSE(a.empty());

  Result table = Ctl({"plugins", "dead-letters", "poison_signal"});
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_TRUE(absl::StartsWith(absl::StripLeadingAsciiWhitespace(table.out),
                               "SEQ  TENANT"))
      << table;
  EXPECT_TRUE(absl::StrContains(table.out, "ACCOUNT  KIND    EVENT")) << table;
  const std::string row = Row(table.out, a);
  for (const char* cell : {"default", "acme", " signal ", "usage poison-a",
                           "poison signal poison-a (fixture)"}) {
    EXPECT_TRUE(absl::StrContains(row, cell)) << cell << "\n" << table;
  }
  // The plugin has no health-event feed: none of that kind.
  Result events = Ctl(
      {"plugins", "dead-letters", "poison_signal", "--kind", "health_event"});
  ASSERT_EQ(events.exit_code, 0) << events;
  EXPECT_TRUE(
      absl::StrContains(events.out, "\n0 dead letters of poison_signal"))
      << events;
  EXPECT_EQ(Ctl({"plugins", "dead-letters", "poison_signal", "--kind", "x"})
                .exit_code,
            2);
  EXPECT_TRUE(absl::StrContains(table.out, "\n2 dead letters of poison_signal"))
      << table;
  Result limited = Ctl({"-o", "json", "plugins", "dead-letters",
                        "poison_signal", "--limit", "1", "--page-size", "1"});
  ASSERT_EQ(limited.exit_code, 0) << limited;
  const std::vector<std::string> one =
      absl::StrSplit(limited.out, '\n', absl::SkipEmpty());
  EXPECT_EQ(one.size(), 1u) << limited;

  // u2 follows the second dead letter.
  const std::string kCounts = "2 delivered, 4 failed, 2 dead-lettered";
  Result get;
  for (int i = 0; i < 600; ++i) {
    get = Ctl({"plugins", "get", "poison_signal"});
    ASSERT_EQ(get.exit_code, 0) << get;
    if (absl::StrContains(get.out, kCounts)) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(absl::StrContains(get.out, kCounts)) << get;

  // Still poisoned: the retry reports it failing again (exit 10).
  Result again = Ctl({"plugins", "retry", "poison_signal", "--seq", a});
  EXPECT_EQ(again.exit_code, 10) << again;
  EXPECT_TRUE(absl::StrContains(
      again.out, absl::StrCat(a,
                              " poison-a: 3 attempts, poison signal "
                              "poison-a (fixture)")))
      << again;

  Result dropped = Ctl({"plugins", "drop", "poison_signal", "--seq", b});
  ASSERT_EQ(dropped.exit_code, 0) << dropped;
  EXPECT_EQ(dropped.out, "dropped 1 dead letters of poison_signal\n");
  Result missing = Ctl({"plugins", "drop", "poison_signal", "--seq", b});
  EXPECT_EQ(missing.exit_code, 3) << missing;

  // Fixed: the retry delivers it and the list is empty.
  auto channel = grpc::CreateChannel(server_->address(),
                                     grpc::InsecureChannelCredentials());
  std::string out;
  ASSERT_TRUE(
      testing::UnaryBytes(channel,
                          "/retain.plugins.poison_signal.v1.PoisonService/Heal",
                          "", &out)
          .ok());
  Result delivered = Ctl({"plugins", "retry", "poison_signal", "--all"});
  ASSERT_EQ(delivered.exit_code, 0) << delivered;
  EXPECT_TRUE(absl::StrContains(Row(delivered.out, "delivered:"), a))
      << delivered;
  Result empty = Ctl({"plugins", "dead-letters", "poison_signal"});
  ASSERT_EQ(empty.exit_code, 0) << empty;
  EXPECT_TRUE(absl::StrContains(empty.out, "\n0 dead letters of poison_signal"))
      << empty;

  EXPECT_EQ(Ctl({"plugins", "dead-letters", "nope"}).exit_code, 3);
  Result all = Ctl({"-o", "json", "plugins", "drop", "poison_signal", "--all"});
  ASSERT_EQ(all.exit_code, 0) << all;
  EXPECT_EQ(JsonField(all.out, "dropped"), "0") << all;
}

}  // namespace
}  // namespace retain
