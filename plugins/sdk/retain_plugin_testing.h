// Unit-test a plugin without a server: a fake host, header-only C++17
// (like the SDK), usable with GoogleTest or any other framework.
//
// FakeHost implements the real retain_host_api table in memory, so the
// plugin runs unchanged: its entry point, the SDK's glue and codec, its
// hooks. What the server knows is in memory too: a clock that moves only
// when told, accounts and health as the test sets them, the signal log,
// each plugin's key-value store (with the server's semantics: KvApply all
// or nothing, KvScan's prefix, paging and limit rules, versions from one
// commit counter, KvApplyIf's preconditions), and what plugins emit
// (alerts, signals, log lines) for the test to check. It checks what
// the server checks, with the server's messages: the module and descriptor
// at load (method names in the plugin's own package, no method served
// twice), each recorded signal (the ingestion rules; the account must
// exist), paging arguments; and it accounts hook failures the same way
// (UNKNOWN / INTERNAL / DATA_LOSS, an exception or an overrun; five in a
// row park the plugin; a signal that keeps failing is set aside as a dead
// letter and counts once). Each hook runs with its call context and a
// deadline on the fake clock (so AdvanceMicros passes it; SetCancelled
// cancels hooks); a declining entry point's reason and on_refused work as
// in the server. So a plugin that passes here does not fail in the server
// for a reason a test could have caught.
//
//   #include "gtest/gtest.h"
//   #include "retain_plugin_testing.h"
//
//   using retain::sdk::testing::FakeHost;
//
//   TEST(NotesPlugin, CountsTouchpoints) {
//     FakeHost host;
//     ASSERT_TRUE(host.PutAccount({.id = "acme"}).ok());
//     auto plugin = host.Load(&retain_plugin_on_load,
//                             {.config_json = R"({"max_text_bytes": 100})"});
//     ASSERT_TRUE(plugin.ok()) << plugin.status();
//     retain::sdk::Signal s;  // what a client records
//     s.signal_id = "t1";
//     s.account_id = "acme";
//     s.occur_micros = host.NowMicros();
//     s.kind = retain::sdk::SignalKind::kTouchpoint;
//     ASSERT_TRUE(plugin->Deliver(s).ok());
//     auto out =
//     plugin->Call("/retain.plugins.notes.v1.NotesService/ListNotes",
//                             request_bytes);
//     auto section = plugin->ReportSection("default", "acme");
//     host.AdvanceDays(30);
//     ASSERT_TRUE(plugin->Tick().ok());
//     EXPECT_EQ(host.alerts().size(), 1u);
//   }
//
// Loading: link the plugin's source or object into the test binary and
// pass &retain_plugin_on_load (declared below, defined by RETAIN_PLUGIN:
// one plugin per test binary), or load its built library with
// LoadLibrary (retain/sdk/testing/load_library.h, POSIX dlopen).
//   g++ -std=c++17 -I<sdk> my_plugin.cc my_plugin_test.cc -lgtest
//       -lgtest_main -pthread -o my_plugin_test
//
// Callers and plugin-to-plugin calls (ABI 1.4): Call runs a method as the
// tenant's operator "dev" (a server with authentication off); CallAs runs
// it as the caller a test gives (an API key of some role, say). A
// Host::CallPlugin reaches the other plugins loaded into the same FakeHost
// (LoadLibrary them next to the plugin under test), by the server's
// rules: as the caller, roles checked, at most 4 deep.
//
// Not the server: hooks run on the test's thread, and nothing abandons one
// past its deadline (it is answered DEADLINE_EXCEEDED when it returns);
// delivery happens right after each action instead of in the background
// (FakeHost::Options::deliver_automatically); the health the plugin reads
// is what the test set, not computed from signals; a failed hook's message
// reaches the test as the plugin wrote it. The server's own tests cover
// those parts (tests/plugins/).
#ifndef RETAIN_PLUGIN_TESTING_H_
#define RETAIN_PLUGIN_TESTING_H_

#include <ostream>

#include "retain/sdk/status.h"
#include "retain/sdk/testing/fake_host.h"
#include "retain/sdk/testing/fake_world.h"
#include "retain_plugin.h"
#include "retain_plugin_abi.h"

// The entry point RETAIN_PLUGIN defines, for a plugin linked into the test.
extern "C" RETAIN_PLUGIN_EXPORT const retain_plugin_module*
retain_plugin_on_load(const retain_host_api* host);

namespace retain::sdk {

// So a test can write `ASSERT_TRUE(s.ok()) << s;`.
inline std::ostream& operator<<(std::ostream& os, const Status& s) {
  if (s.ok()) return os << "OK";
  return os << "code " << static_cast<int32_t>(s.code()) << ": " << s.message();
}

}  // namespace retain::sdk

#endif  // RETAIN_PLUGIN_TESTING_H_
