// retaind's --quota_* flags: defaults are the engine's, values reach the
// quota options, and a negative value is refused naming the flag. Also the
// server's receive limit against the batch it must carry.
#include "core/server/quota_flags.h"

#include "absl/flags/flag.h"
#include "core/server/limits.h"
#include "gtest/gtest.h"

namespace retain::server {
namespace {

class QuotaFlagsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    const engine::QuotaOptions d;
    absl::SetFlag(&FLAGS_quota_accounts, d.max_accounts);
    absl::SetFlag(&FLAGS_quota_signals_per_second, d.signals_per_second);
    absl::SetFlag(&FLAGS_quota_signals_burst, d.signals_burst);
    absl::SetFlag(&FLAGS_quota_stored_bytes, d.max_stored_bytes);
  }
};

TEST_F(QuotaFlagsTest, DefaultsAreTheEnginesGenerousOnes) {
  absl::StatusOr<engine::QuotaOptions> q = QuotaOptionsFromFlags();
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->max_accounts, 1000000);
  EXPECT_EQ(q->signals_per_second, 0);
  EXPECT_EQ(q->signals_burst, 0);
  EXPECT_EQ(q->max_stored_bytes, int64_t{16} << 30);
}

TEST_F(QuotaFlagsTest, ValuesReachTheOptions) {
  absl::SetFlag(&FLAGS_quota_accounts, 5);
  absl::SetFlag(&FLAGS_quota_signals_per_second, 0.25);
  absl::SetFlag(&FLAGS_quota_signals_burst, 40);
  absl::SetFlag(&FLAGS_quota_stored_bytes, 1 << 20);
  engine::EngineOptions options;
  ASSERT_TRUE(ApplyQuotaFlags(options));
  EXPECT_EQ(options.quotas.max_accounts, 5);
  EXPECT_EQ(options.quotas.signals_per_second, 0.25);
  EXPECT_EQ(options.quotas.signals_burst, 40);
  EXPECT_EQ(options.quotas.max_stored_bytes, 1 << 20);
}

TEST_F(QuotaFlagsTest, NegativeValuesAreRefusedNamingTheFlag) {
  absl::SetFlag(&FLAGS_quota_signals_per_second, -1);
  absl::StatusOr<engine::QuotaOptions> q = QuotaOptionsFromFlags();
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(q.status().message(),
            "--quota_signals_per_second must be >= 0 (0 for no limit), got -1");
  engine::EngineOptions options;
  EXPECT_FALSE(ApplyQuotaFlags(options));
  absl::SetFlag(&FLAGS_quota_signals_per_second, 0);
  absl::SetFlag(&FLAGS_quota_stored_bytes, -5);
  EXPECT_EQ(QuotaOptionsFromFlags().status().message(),
            "--quota_stored_bytes must be >= 0 (0 for no limit), got -5");
}

TEST(MessageLimitsTest, AFullBatchAtTheCapFitsTheReceiveLimit) {
  // 10,000 signals of 6 KiB with 3 bytes of framing each: 61,470,000.
  EXPECT_EQ(api::kMaxBatchBytes, 61470000u);
  EXPECT_EQ(kMaxReceiveMessageBytes, 60 << 20);
  EXPECT_GE(static_cast<size_t>(kMaxReceiveMessageBytes), api::kMaxBatchBytes);
  // And below what retaind used to accept.
  EXPECT_LT(kMaxReceiveMessageBytes, 64 << 20);
}

}  // namespace
}  // namespace retain::server
