// The per-key concurrent-stream seam: slots per opaque key, refusals with
// the quota message and a retry hint, leases that give their slot back.
#include "core/server/stream_limiter.h"

#include <utility>

#include "gtest/gtest.h"

namespace retain::server {
namespace {

TEST(StreamLimiterTest, RefusesTheStreamOverTheLimitPerKey) {
  StreamLimiter limiter(2);
  EXPECT_TRUE(limiter.Acquire("key-a").ok());
  EXPECT_TRUE(limiter.Acquire("key-a").ok());
  absl::Status s = limiter.Acquire("key-a");
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "quota streams_per_key: this key has 2 streams open, the most it "
            "may; close one or retry after 1000 ms");
  // Keys are independent.
  EXPECT_TRUE(limiter.Acquire("key-b").ok());
  EXPECT_EQ(limiter.open("key-a"), 2);
  EXPECT_EQ(limiter.rejections("key-a"), 1);
  // A released slot can be taken again.
  limiter.Release("key-a");
  EXPECT_TRUE(limiter.Acquire("key-a").ok());
  EXPECT_EQ(limiter.rejections("key-b"), 0);
}

TEST(StreamLimiterTest, LeasesGiveTheirSlotBack) {
  StreamLimiter limiter(1);
  {
    absl::StatusOr<StreamLimiter::Lease> lease = limiter.AcquireLease("k");
    ASSERT_TRUE(lease.ok());
    EXPECT_FALSE(limiter.AcquireLease("k").ok());
    // Moving a lease keeps one slot, released once.
    StreamLimiter::Lease moved = std::move(*lease);
    EXPECT_EQ(limiter.open("k"), 1);
  }
  EXPECT_EQ(limiter.open("k"), 0);
  EXPECT_TRUE(limiter.AcquireLease("k").ok());
  // Releasing an unknown key is harmless.
  limiter.Release("never-acquired");
  EXPECT_EQ(limiter.open("never-acquired"), 0);
}

TEST(StreamLimiterTest, ZeroMeansNoLimitAndStatsListEveryKey) {
  StreamLimiter unlimited(0);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(unlimited.Acquire("k").ok());
  EXPECT_EQ(unlimited.open("k"), 1000);

  StreamLimiter limiter(1);
  ASSERT_TRUE(limiter.Acquire("b").ok());
  ASSERT_FALSE(limiter.Acquire("b").ok());
  ASSERT_TRUE(limiter.Acquire("a").ok());
  limiter.Release("a");
  ASSERT_TRUE(limiter.Acquire("c").ok());
  ASSERT_FALSE(limiter.Acquire("c").ok());
  limiter.Release("c");
  const auto stats = limiter.Stats();
  ASSERT_EQ(stats.size(), 2u);  // "a" has nothing open and no refusal
  EXPECT_EQ(stats[0].key, "b");
  EXPECT_EQ(stats[0].open, 1);
  EXPECT_EQ(stats[0].rejections, 1);
  EXPECT_EQ(stats[1].key, "c");
  EXPECT_EQ(stats[1].open, 0);
  EXPECT_EQ(stats[1].rejections, 1);
}

}  // namespace
}  // namespace retain::server
