// Unit tests of the template plugin on the fake host: no server, no store,
// no network. Start your plugin's tests from a copy of this file. It builds
// with a plain compiler command next to the plugin:
//
//   g++ -std=c++17 -I plugins/sdk plugins/template/notes_plugin.cc
//       plugins/template/notes_plugin_test.cc -lgtest -lgtest_main -pthread
//
// The plugin runs unchanged: the fake host calls its entry point
// (retain_plugin_on_load, defined by RETAIN_PLUGIN) and its hooks through
// the same C table as the server, with the server's rules.
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "retain_plugin_testing.h"

namespace {

using retain::sdk::Code;
using retain::sdk::Signal;
using retain::sdk::SignalKind;
using retain::sdk::testing::FakeHost;
using retain::sdk::testing::LoadedPlugin;
using retain::sdk::testing::PluginOptions;
namespace wire = retain::sdk::wire;

constexpr char kAddNote[] = "/retain.plugins.notes.v1.NotesService/AddNote";
constexpr char kListNotes[] = "/retain.plugins.notes.v1.NotesService/ListNotes";

// notes.proto, encoded by hand as the plugin does.
std::string AddNoteRequest(const std::string& account_id,
                           const std::string& text) {
  wire::Writer w;
  w.String(1, account_id);
  w.String(2, text);
  w.String(3, "ada");
  return w.Take();
}

struct Note {
  std::string note_id;
  std::string text;
  int64_t create_micros = 0;
};

Note DecodeNote(std::string_view bytes) {
  Note n;
  wire::Reader r(bytes);
  while (r.Next()) {
    if (r.field() == 2) n.note_id = r.AsString();
    if (r.field() == 3) n.text = r.AsString();
    if (r.field() == 5) n.create_micros = r.AsTimestampMicros();
  }
  return n;
}

// ListNotesResponse: the notes and the touchpoints counted.
std::vector<Note> ListNotes(LoadedPlugin& plugin, const std::string& account,
                            int64_t* touchpoints = nullptr,
                            const std::string& tenant = "default") {
  wire::Writer w;
  w.String(1, account);
  auto out = plugin.Call(kListNotes, w.data(), tenant);
  EXPECT_TRUE(out.ok()) << out.status();
  std::vector<Note> notes;
  const std::string bytes = out.ok() ? *out : "";
  wire::Reader r(bytes);
  while (r.Next()) {
    if (r.field() == 1) notes.push_back(DecodeNote(r.AsBytes()));
    if (r.field() == 2 && touchpoints != nullptr) *touchpoints = r.AsInt64();
  }
  return notes;
}

// A touchpoint, as a client would record it.
Signal Meeting(const std::string& id, int64_t at) {
  Signal s;
  s.signal_id = id;
  s.account_id = "acme";
  s.occur_micros = at;
  s.kind = SignalKind::kTouchpoint;
  s.touchpoint.channel = retain::sdk::touchpoint_channel::kMeeting;
  return s;
}

class NotesPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The server's world, as this test needs it: one account.
    ASSERT_TRUE(host_.PutAccount({.id = "acme", .display_name = "Acme"}).ok());
    auto loaded = host_.Load(&retain_plugin_on_load);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    plugin_.emplace(*loaded);
  }

  FakeHost host_;
  std::optional<LoadedPlugin> plugin_;
};

TEST_F(NotesPluginTest, DeclaresWhatItDoes) {
  EXPECT_EQ(plugin_->name(), "notes");
  EXPECT_EQ(plugin_->methods(),
            (std::vector<std::string>{kAddNote, kListNotes}));
  EXPECT_TRUE(plugin_->subscribes(SignalKind::kTouchpoint));
  EXPECT_TRUE(plugin_->report_section());
  EXPECT_EQ(host_.logs().at(0).message, "notes plugin ready");
}

TEST_F(NotesPluginTest, AddsNotesAndListsThemInOrder) {
  auto first = plugin_->Call(kAddNote, AddNoteRequest("acme", "kickoff done"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(DecodeNote(*first).note_id, "n1");
  EXPECT_EQ(DecodeNote(*first).create_micros, host_.NowMicros());

  host_.AdvanceDays(1);  // the clock moves only when the test says so
  ASSERT_TRUE(plugin_->Call(kAddNote, AddNoteRequest("acme", "renewal?")).ok());

  std::vector<Note> notes = ListNotes(*plugin_, "acme");
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].text, "kickoff done");
  EXPECT_EQ(notes[1].text, "renewal?");
  EXPECT_EQ(notes[1].note_id, "n2");
  EXPECT_EQ(notes[1].create_micros - notes[0].create_micros,
            retain::sdk::kMicrosPerDay);
}

TEST_F(NotesPluginTest, RefusesBadRequests) {
  EXPECT_EQ(plugin_->Call(kAddNote, AddNoteRequest("", "x")).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(plugin_->Call(kAddNote, AddNoteRequest("acme", "")).status().code(),
            Code::kInvalidArgument);
  // The account must exist (the host answers NOT_FOUND).
  EXPECT_EQ(
      plugin_->Call(kAddNote, AddNoteRequest("nobody", "x")).status().code(),
      Code::kNotFound);
  EXPECT_EQ(plugin_->Call(kAddNote, "\xff").status().code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(host_.KvEntries("notes", "default").empty());
}

TEST(NotesPluginConfigTest, TheConfigLimitsNoteLength) {
  FakeHost host;
  ASSERT_TRUE(host.PutAccount({.id = "acme"}).ok());
  auto plugin =
      host.Load(&retain_plugin_on_load,
                PluginOptions{.config_json = R"({"max_text_bytes": 5})"});
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_TRUE(plugin->Call(kAddNote, AddNoteRequest("acme", "12345")).ok());
  auto s = plugin->Call(kAddNote, AddNoteRequest("acme", "123456"));
  EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(s.status().message(), "text is too long");
}

TEST_F(NotesPluginTest, CountsEachTouchpointOnceEvenWhenDeliveredTwice) {
  const int64_t now = host_.NowMicros();
  ASSERT_TRUE(plugin_->Deliver(Meeting("m1", now - 60)).ok());
  ASSERT_TRUE(plugin_->Deliver(Meeting("m2", now)).ok());
  // After a crash the server may deliver a signal again.
  ASSERT_TRUE(plugin_->Redeliver(1).ok());
  ASSERT_TRUE(plugin_->Redeliver(2).ok());
  int64_t touchpoints = 0;
  ListNotes(*plugin_, "acme", &touchpoints);
  EXPECT_EQ(touchpoints, 2);
}

TEST_F(NotesPluginTest, TheReportSectionSummarisesTheNotes) {
  auto none = plugin_->ReportSection("default", "acme");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());  // no notes, no section

  ASSERT_TRUE(plugin_->Deliver(Meeting("m1", host_.NowMicros())).ok());
  ASSERT_TRUE(plugin_->Call(kAddNote, AddNoteRequest("acme", "first")).ok());
  ASSERT_TRUE(plugin_->Call(kAddNote, AddNoteRequest("acme", "latest")).ok());
  auto section = plugin_->ReportSection("default", "acme");
  ASSERT_TRUE(section.ok() && section->has_value()) << section.status();
  EXPECT_EQ((*section)->title, "Notes");
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto& f : (*section)->fields) fields.emplace_back(f.name, f.value);
  EXPECT_EQ(
      fields,
      (std::vector<std::pair<std::string, std::string>>{
          {"notes", "2"}, {"latest", "latest"}, {"touchpoints_seen", "1"}}));
}

TEST_F(NotesPluginTest, EachTenantHasItsOwnNotes) {
  ASSERT_TRUE(host_.PutAccount({.id = "acme"}, "other").ok());
  ASSERT_TRUE(plugin_->Call(kAddNote, AddNoteRequest("acme", "ours")).ok());
  ASSERT_TRUE(
      plugin_->Call(kAddNote, AddNoteRequest("acme", "theirs"), "other").ok());
  EXPECT_EQ(ListNotes(*plugin_, "acme").at(0).text, "ours");
  EXPECT_EQ(ListNotes(*plugin_, "acme", nullptr, "other").at(0).text, "theirs");
  EXPECT_EQ(ListNotes(*plugin_, "acme", nullptr, "other").size(), 1u);
}

TEST_F(NotesPluginTest, NotesSurviveARestart) {
  ASSERT_TRUE(plugin_->Call(kAddNote, AddNoteRequest("acme", "kept")).ok());
  plugin_->Unload();  // the server stops; its store stays
  auto again = host_.Load(&retain_plugin_on_load);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(ListNotes(*again, "acme").at(0).text, "kept");
  auto next = again->Call(kAddNote, AddNoteRequest("acme", "after"));
  EXPECT_EQ(DecodeNote(*next).note_id, "n2");
}

// The server runs handlers on several workers at once; the plugin takes no
// lock, and still no two notes get one number and none is lost.
TEST_F(NotesPluginTest, ConcurrentAddNotesLoseNothing) {
  constexpr int kThreads = 8, kEach = 200;
  std::atomic<int> ready{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);  // all start together, so their calls overlap
      while (ready.load() < kThreads) std::this_thread::yield();
      for (int i = 0; i < kEach; ++i) {
        const std::string text = std::to_string(t) + "/" + std::to_string(i);
        if (!plugin_->Call(kAddNote, AddNoteRequest("acme", text)).ok()) {
          failed.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  std::set<std::string> ids, texts;
  for (const Note& n : ListNotes(*plugin_, "acme")) {
    ids.insert(n.note_id);
    texts.insert(n.text);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(texts.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(ids.count("n" + std::to_string(kThreads * kEach)), 1u);
}

}  // namespace
