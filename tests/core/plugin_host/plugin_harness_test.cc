// The per-plugin state machine and the one place hook outcomes are counted.
#include "core/plugin_host/plugin_harness.h"

#include <vector>

#include "gtest/gtest.h"

namespace retain::plugin_host {
namespace {

using namespace plugin::v1;  // NOLINT: state names

constexpr PluginState kAll[] = {PLUGIN_STATE_UNSPECIFIED, PLUGIN_STATE_READY,
                                PLUGIN_STATE_PARKED,      PLUGIN_STATE_REFUSED,
                                PLUGIN_STATE_INIT_FAILED, PLUGIN_STATE_DISABLED,
                                PLUGIN_STATE_STOPPED};

TEST(PluginHarnessTest, OnlyTheListedTransitionsAreLegal) {
  const std::vector<std::pair<PluginState, PluginState>> legal = {
      {PLUGIN_STATE_UNSPECIFIED, PLUGIN_STATE_READY},
      {PLUGIN_STATE_UNSPECIFIED, PLUGIN_STATE_REFUSED},
      {PLUGIN_STATE_UNSPECIFIED, PLUGIN_STATE_INIT_FAILED},
      {PLUGIN_STATE_UNSPECIFIED, PLUGIN_STATE_DISABLED},
      {PLUGIN_STATE_READY, PLUGIN_STATE_PARKED},
      {PLUGIN_STATE_READY, PLUGIN_STATE_STOPPED},
      {PLUGIN_STATE_PARKED, PLUGIN_STATE_READY},
      {PLUGIN_STATE_PARKED, PLUGIN_STATE_STOPPED},
  };
  int count = 0;
  for (PluginState from : kAll) {
    for (PluginState to : kAll) {
      bool expected = false;
      for (const auto& [f, t] : legal) expected |= (f == from && t == to);
      EXPECT_EQ(PluginHarness::IsLegal(from, to), expected)
          << PluginState_Name(from) << " -> " << PluginState_Name(to);
      count += expected;
    }
  }
  EXPECT_EQ(count, 8);
}

TEST(PluginHarnessTest, IllegalTransitionChangesNothing) {
  PluginHarness h;
  std::vector<PluginState> seen;
  h.set_observer([&](PluginState s, const std::string&) { seen.push_back(s); });
  ASSERT_TRUE(h.Transition(PLUGIN_STATE_REFUSED, "no entry point").ok());
  absl::Status s = h.Transition(PLUGIN_STATE_READY);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(h.state(), PLUGIN_STATE_REFUSED);
  EXPECT_EQ(h.last_error(), "no entry point");
  EXPECT_EQ(seen, std::vector<PluginState>{PLUGIN_STATE_REFUSED});
  EXPECT_EQ(h.Resume().code(), absl::StatusCode::kFailedPrecondition);
}

Outcome Failed(const std::string& why) {
  Outcome o;
  o.code = 13;  // INTERNAL
  o.output = why;
  return o;
}

TEST(PluginHarnessTest, ConsecutiveFailuresParkAndResumeResetsTheStreak) {
  PluginHarness h;
  h.set_max_consecutive_failures(3);
  ASSERT_TRUE(h.Transition(PLUGIN_STATE_READY).ok());
  EXPECT_TRUE(h.Account(HookKind::kCall, Failed("boom 1")));
  EXPECT_TRUE(h.Account(HookKind::kTick, Failed("boom 2")));
  Outcome ok;
  EXPECT_FALSE(h.Account(HookKind::kCall, ok));  // ends the streak
  for (int i = 0; i < 2; ++i) h.Account(HookKind::kCall, Failed("again"));
  EXPECT_EQ(h.state(), PLUGIN_STATE_READY);
  h.Account(HookKind::kTick, Failed("bad tick"), "tick");
  EXPECT_EQ(h.state(), PLUGIN_STATE_PARKED);
  EXPECT_EQ(h.last_error(), "3 consecutive failures, last: tick: bad tick");
  ASSERT_TRUE(h.Resume().ok());
  plugin::v1::Plugin info;
  h.Fill(&info);
  EXPECT_EQ(info.state(), PLUGIN_STATE_READY);
  EXPECT_EQ(info.counters().consecutive_failures(), 0);
  EXPECT_EQ(info.counters().calls(), 4);
  EXPECT_EQ(info.counters().call_failures(), 3);
  EXPECT_EQ(info.counters().ticks(), 2);
  EXPECT_EQ(info.counters().tick_failures(), 2);
}

// A signal is retried until delivery gives up on it: its failed attempts
// join the streak once, as a dead letter, unless they overran.
TEST(PluginHarnessTest, ASignalCountsOnceWhenSetAsideOverrunsEachTime) {
  PluginHarness h;
  h.set_max_consecutive_failures(2);
  ASSERT_TRUE(h.Transition(PLUGIN_STATE_READY).ok());
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(h.Account(HookKind::kSignal, Failed("poison"), "signal 7"));
  }
  EXPECT_EQ(h.state(), PLUGIN_STATE_READY);
  EXPECT_EQ(h.last_error(), "signal 7: poison");
  h.DeadLettered(
      "signal 7 set aside as a dead letter after 10 failed attempts");
  EXPECT_EQ(h.state(), PLUGIN_STATE_READY);
  Outcome ok;
  EXPECT_FALSE(h.Account(HookKind::kSignal, ok));  // the next one: streak ends
  h.DeadLettered("signal 9 set aside");
  EXPECT_EQ(h.state(), PLUGIN_STATE_READY);
  h.DeadLettered("signal 10 set aside");
  EXPECT_EQ(h.state(), PLUGIN_STATE_PARKED);
  EXPECT_EQ(h.last_error(),
            "2 consecutive failures, last: signal 10 set aside");
  plugin::v1::Plugin info;
  h.Fill(&info);
  EXPECT_EQ(info.counters().signal_failures(), 10);
  EXPECT_EQ(info.counters().signals_delivered(), 1);
  EXPECT_EQ(info.counters().signals_dead_lettered(), 3);

  ASSERT_TRUE(h.Resume().ok());
  Outcome late;
  late.timed_out = true;
  late.code = 4;
  h.Account(HookKind::kSignal, late, "signal 11");
  EXPECT_EQ(h.state(), PLUGIN_STATE_READY);
  h.Account(HookKind::kSignal, late, "signal 11");
  EXPECT_EQ(h.state(), PLUGIN_STATE_PARKED);
}

TEST(PluginHarnessTest, WhatCountsAsAFailure) {
  PluginHarness h;
  ASSERT_TRUE(h.Transition(PLUGIN_STATE_READY).ok());
  Outcome not_found;
  not_found.code = 5;
  // An answer the plugin chose is not a failure for a call...
  EXPECT_FALSE(h.Account(HookKind::kCall, not_found));
  // ...but a signal must be handled, so any error is (counted in the
  // streak only if it is set aside; see below).
  EXPECT_TRUE(h.Account(HookKind::kSignal, not_found));
  Outcome late;
  late.timed_out = true;
  late.code = 4;
  EXPECT_TRUE(h.Account(HookKind::kReport, late));
  Outcome rejected;
  rejected.rejected = true;
  rejected.code = 14;
  EXPECT_FALSE(h.Account(HookKind::kCall, rejected));
  plugin::v1::Plugin info;
  h.Fill(&info);
  EXPECT_EQ(info.counters().call_errors(), 1);
  EXPECT_EQ(info.counters().calls_rejected(), 1);
  EXPECT_EQ(info.counters().signal_failures(), 1);
  EXPECT_EQ(info.counters().consecutive_failures(), 1);
}

}  // namespace
}  // namespace retain::plugin_host
