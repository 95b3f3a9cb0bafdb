// The quota pieces on an explicit clock (no sleeping, no timing): the token
// bucket, the tracker's messages and counters, the retry hint, and the page
// byte budget.
#include "core/engine/quotas.h"

#include <string>

#include "core/engine/page_budget.h"
#include "gtest/gtest.h"

namespace retain::engine {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1764547200);

TEST(TokenBucketTest, StartsFullRefillsAtTheRateAndCapsAtTheBurst) {
  TokenBucket b(/*rate_per_second=*/2, /*burst=*/10, kT0);
  EXPECT_EQ(b.Take(10, kT0), absl::ZeroDuration());
  // Empty: 4 tokens take 2 s at 2/s.
  EXPECT_EQ(b.Take(4, kT0), absl::Seconds(2));
  // A refusal takes nothing: after 1 s there are 2.
  EXPECT_EQ(b.Take(4, kT0 + absl::Seconds(1)), absl::Seconds(1));
  EXPECT_EQ(b.Take(4, kT0 + absl::Seconds(2)), absl::ZeroDuration());
  // A long quiet spell refills to the burst, no further.
  EXPECT_EQ(b.Take(10, kT0 + absl::Hours(1)), absl::ZeroDuration());
  EXPECT_EQ(b.Take(1, kT0 + absl::Hours(1)), absl::Milliseconds(500));
  // More than the burst can never be taken.
  EXPECT_EQ(b.Take(11, kT0 + absl::Hours(9)), absl::InfiniteDuration());
}

TEST(RetryDelayOfTest, ReadsTheHintBack) {
  EXPECT_EQ(RetryDelayOf("quota x: wait, retry after 250 ms"),
            absl::Milliseconds(250));
  EXPECT_EQ(RetryDelayOf("batch 3 rejected: quota x: retry after 7 ms (1 "
                         "signals of earlier batches were recorded)"),
            absl::Milliseconds(7));
  EXPECT_EQ(RetryDelayOf("quota accounts: retrying cannot succeed"),
            std::nullopt);
  EXPECT_EQ(RetryDelayOf("retry after soon ms"), std::nullopt);
}

TEST(QuotaTrackerTest, AccountsQuotaMessageAndCounter) {
  QuotaOptions o;
  o.max_accounts = 3;
  QuotaTracker q(o);
  EXPECT_TRUE(q.CheckAccounts("t", 2).ok());
  absl::Status s = q.CheckAccounts("t", 3);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "quota accounts: tenant \"t\" has 3 accounts, the most it may "
            "have; delete one to create another (retrying cannot succeed "
            "until then)");
  EXPECT_EQ(RetryDelayOf(s.message()), std::nullopt);
  ASSERT_EQ(q.Stats().size(), 1u);
  EXPECT_EQ(q.Stats()[0].accounts_rejections, 1);
  // 0 means no limit.
  QuotaTracker unlimited(QuotaOptions{0, 0, 0, 0});
  EXPECT_TRUE(unlimited.CheckAccounts("t", 1 << 30).ok());
}

TEST(QuotaTrackerTest, RateQuotaRefusesAWholeBatchWithARetryHint) {
  QuotaOptions o;
  o.signals_per_second = 0.5;
  o.signals_burst = 10;
  QuotaTracker q(o);
  EXPECT_TRUE(q.AdmitSignals("t", 7, 100, true, kT0).ok());
  absl::Status s = q.AdmitSignals("t", 4, 100, true, kT0);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "quota signals_per_second: tenant \"t\" may record 0.5 signals "
            "per second in bursts of at most 10; this batch of 4 must wait, "
            "retry after 2000 ms");
  EXPECT_EQ(RetryDelayOf(s.message()), absl::Seconds(2));
  // Nothing was taken or reserved by the refusal: 3 tokens are left.
  EXPECT_TRUE(q.AdmitSignals("t", 3, 100, true, kT0).ok());
  EXPECT_EQ(q.Stats()[0].reserved_bytes, 200);
  // Another tenant has its own bucket.
  EXPECT_TRUE(q.AdmitSignals("u", 10, 0, true, kT0).ok());
  // Batches the rate does not apply to (plugins', the server's own).
  EXPECT_TRUE(q.AdmitSignals("t", 1000, 0, false, kT0).ok());

  absl::Status big = q.AdmitSignals("t", 11, 0, true, kT0 + absl::Hours(1));
  EXPECT_EQ(big.message(),
            "quota signals_per_second: a batch of 11 signals is more than "
            "tenant \"t\"'s burst of 10; send smaller batches (retrying this "
            "one cannot succeed)");
  EXPECT_EQ(RetryDelayOf(big.message()), std::nullopt);
  EXPECT_EQ(q.Stats()[0].signals_per_second_rejections, 2);
}

TEST(QuotaTrackerTest, DefaultBurstIsASecondButAtLeastAFullBatch) {
  QuotaOptions o;
  o.signals_per_second = 5;
  EXPECT_EQ(QuotaTracker(o).signals_burst(), 10000);
  o.signals_per_second = 25000.5;
  EXPECT_EQ(QuotaTracker(o).signals_burst(), 25001);
  o.signals_burst = 7;
  EXPECT_EQ(QuotaTracker(o).signals_burst(), 7);
}

TEST(QuotaTrackerTest, StoredBytesCountReservationsUntilSettled) {
  QuotaOptions o;
  o.max_stored_bytes = 1000;
  QuotaTracker q(o);
  q.SetStored("t", 400);
  EXPECT_TRUE(q.AdmitSignals("t", 1, 500, false, kT0).ok());
  // 400 stored and 500 on their way: 200 more does not fit.
  absl::Status s = q.ReserveBytes("t", 200);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "quota stored_bytes: tenant \"t\" stores 900 bytes of at most "
            "1000 and this write needs 200 more; delete accounts to free "
            "space (retrying cannot succeed until then)");
  // A batch over the bytes takes no tokens either (both or neither).
  EXPECT_FALSE(q.AdmitSignals("t", 1, 200, true, kT0).ok());
  // The write stored less than reserved (duplicates were not written).
  q.Settle("t", 500, 300);
  EXPECT_EQ(q.Stats()[0].stored_bytes, 700);
  EXPECT_EQ(q.Stats()[0].reserved_bytes, 0);
  EXPECT_TRUE(q.ReserveBytes("t", 200).ok());
  q.Settle("t", 200, 0);  // a failed write
  // A deletion gives its bytes back.
  q.Settle("t", 0, -600);
  EXPECT_EQ(q.Stats()[0].stored_bytes, 100);
  EXPECT_EQ(q.Stats()[0].stored_bytes_rejections, 2);
}

TEST(PageBudgetTest, StopsAtTheBudgetButNeverBeforeTheFirstItem) {
  PageBudget b(100);
  EXPECT_TRUE(b.Take(50));  // 56 with framing
  EXPECT_TRUE(b.Take(38));  // 44: exactly full
  EXPECT_FALSE(b.Take(0));  // framing alone no longer fits
  PageBudget huge(100);
  EXPECT_TRUE(huge.Take(1000));  // one oversized item still makes a page
  EXPECT_FALSE(huge.Take(1));
  // The default budget fits under a default client's 4 MiB.
  PageBudget page;
  EXPECT_TRUE(page.Take((3u << 20) - 6));
  EXPECT_FALSE(page.Take(1));
}

}  // namespace
}  // namespace retain::engine
