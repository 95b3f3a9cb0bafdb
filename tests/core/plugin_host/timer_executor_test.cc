// The threads plugin hooks run on: the worker pool and the deadline timer.
#include <atomic>
#include <memory>

#include "absl/synchronization/notification.h"
#include "core/plugin_host/executor.h"
#include "core/plugin_host/timer.h"
#include "gtest/gtest.h"

namespace retain::plugin_host {
namespace {

TEST(TimerTest, RunsEntriesInTimeOrder) {
  Timer timer;
  absl::Mutex mu;
  std::vector<int> order;
  absl::Notification done;
  const absl::Time now = absl::Now();
  timer.Schedule(now + absl::Milliseconds(60), [&] {
    absl::MutexLock lock(&mu);
    order.push_back(2);
    done.Notify();
  });
  timer.Schedule(now + absl::Milliseconds(20), [&] {
    absl::MutexLock lock(&mu);
    order.push_back(1);
  });
  done.WaitForNotification();
  absl::MutexLock lock(&mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(TimerTest, CancelReleasesTheEntryAtOnce) {
  Timer timer;
  auto held = std::make_shared<int>(7);
  std::atomic<bool> ran{false};
  Timer::Id id = timer.Schedule(absl::Now() + absl::Hours(1),
                                [held, &ran] { ran = true; });
  EXPECT_EQ(held.use_count(), 2);
  EXPECT_EQ(timer.pending(), 1u);
  EXPECT_TRUE(timer.Cancel(id));
  // What the callback captured is gone now, not in an hour.
  EXPECT_EQ(held.use_count(), 1);
  EXPECT_EQ(timer.pending(), 0u);
  EXPECT_FALSE(timer.Cancel(id));
  EXPECT_FALSE(ran);
}

TEST(TimerTest, CancelAfterRunningIsANoOp) {
  Timer timer;
  absl::Notification ran;
  Timer::Id id = timer.Schedule(absl::Now(), [&] { ran.Notify(); });
  ran.WaitForNotification();
  EXPECT_FALSE(timer.Cancel(id));
}

TEST(ExecutorTest, RunsTasksAndRefusesPastItsQueue) {
  Executor ex("test", 1, 2);
  absl::Notification release, started;
  ASSERT_TRUE(ex.Submit([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();  // the one worker is busy
  std::atomic<int> ran{0};
  absl::Notification both;
  EXPECT_TRUE(ex.Submit([&] { ++ran; }));
  EXPECT_TRUE(ex.Submit([&] {
    ++ran;
    both.Notify();
  }));
  EXPECT_FALSE(ex.Submit([&] { ++ran; }));  // queue of 2 is full
  release.Notify();
  both.WaitForNotification();
  EXPECT_EQ(ran.load(), 2);
  EXPECT_TRUE(ex.Stop(absl::Seconds(30)));
}

TEST(ExecutorTest, StopLeavesAHungTaskDetached) {
  auto ex = std::make_unique<Executor>("test", 1, 4);
  auto release = std::make_shared<absl::Notification>();
  absl::Notification started;
  ASSERT_TRUE(ex->Submit([release, &started] {
    started.Notify();
    release->WaitForNotification();
  }));
  started.WaitForNotification();
  EXPECT_FALSE(ex->Stop(absl::Milliseconds(50)));
  EXPECT_FALSE(ex->Submit([] {}));
  ex.reset();
  release->Notify();  // the detached worker finishes on its own
}

}  // namespace
}  // namespace retain::plugin_host
