// The hook's call context: present on the thread that runs the hook and
// nowhere else, and why it is cancelled.
#include "core/plugin_host/call_context.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace retain::plugin_host {
namespace {

using plugin::v1::CallContext;

TEST(CallContextTest, OnlyTheHooksThreadAndPluginSeeIt) {
  int plugin = 0, other = 0;
  EXPECT_EQ(CurrentHookCall(&plugin), nullptr);
  HookCall outer{&plugin, CallContext::HOOK_TICK};
  {
    ScopedHookCall in_outer(&outer);
    EXPECT_EQ(CurrentHookCall(&plugin), &outer);
    EXPECT_EQ(CurrentHookCall(&other), nullptr);
    const HookCall* elsewhere = &outer;
    std::thread([&] { elsewhere = CurrentHookCall(&plugin); }).join();
    EXPECT_EQ(elsewhere, nullptr);
    HookCall inner{&other, CallContext::HOOK_CALL};
    {
      ScopedHookCall in_inner(&inner);
      EXPECT_EQ(CurrentHookCall(&other), &inner);
    }
    EXPECT_EQ(CurrentHookCall(&plugin), &outer);
  }
  EXPECT_EQ(CurrentHookCall(&plugin), nullptr);
}

TEST(CallContextTest, CancelledByDeadlineThenShutdownThenClient) {
  std::atomic<bool> abandoned{false}, client{false}, stopping{false};
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  HookCall call{nullptr,    CallContext::HOOK_CALL,
                nullptr,    now + absl::Seconds(5),
                &abandoned, &client,
                &stopping};
  EXPECT_EQ(WhyCancelled(call, now), CallContext::CANCEL_REASON_UNSPECIFIED);
  client = true;
  EXPECT_EQ(WhyCancelled(call, now),
            CallContext::CANCEL_REASON_CLIENT_CANCELLED);
  stopping = true;
  EXPECT_EQ(WhyCancelled(call, now), CallContext::CANCEL_REASON_SHUTTING_DOWN);
  // A client's deadline arrives as a cancel too: the deadline names it.
  EXPECT_EQ(WhyCancelled(call, now + absl::Seconds(5)),
            CallContext::CANCEL_REASON_DEADLINE_EXCEEDED);
  client = false;
  stopping = false;
  abandoned = true;  // the runner's timer fired
  EXPECT_EQ(WhyCancelled(call, now),
            CallContext::CANCEL_REASON_DEADLINE_EXCEEDED);
  // Flags the hook has none of are never set.
  HookCall bare{nullptr, CallContext::HOOK_SIGNAL};
  EXPECT_EQ(WhyCancelled(bare, now), CallContext::CANCEL_REASON_UNSPECIFIED);
}

TEST(CallContextTest, ProtoSaysDeadlineRemainingAndReason) {
  std::atomic<bool> abandoned{false};
  const std::string method = "/retain.plugins.x.v1.S/M";
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  HookCall call{nullptr, CallContext::HOOK_CALL, &method,
                now + absl::Milliseconds(250), &abandoned};
  CallContext c = ToProto(call, now);
  EXPECT_EQ(c.hook(), CallContext::HOOK_CALL);
  EXPECT_EQ(c.method(), method);
  EXPECT_EQ(c.deadline_micros(), absl::ToUnixMicros(now) + 250000);
  EXPECT_EQ(c.remaining_micros(), 250000);
  EXPECT_FALSE(c.cancelled());
  c = ToProto(call, now + absl::Seconds(1));
  EXPECT_EQ(c.remaining_micros(), -750000);
  EXPECT_TRUE(c.cancelled());
  EXPECT_EQ(c.cancel_reason(), CallContext::CANCEL_REASON_DEADLINE_EXCEEDED);
  // No deadline: none reported.
  HookCall open{nullptr, CallContext::HOOK_TICK};
  EXPECT_EQ(ToProto(open, now).deadline_micros(), 0);
}

}  // namespace
}  // namespace retain::plugin_host
