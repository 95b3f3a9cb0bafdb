// The engine's per-tenant quotas over a real store: a write over a quota is
// refused with RESOURCE_EXHAUSTED and writes nothing, the stored bytes the
// quota counts survive a restart (counted in the one replay) and come back
// when an account is deleted, and every refusal is counted.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "api/proto_time.h"
#include "core/engine/engine.h"
#include "core/health/health_config.h"
#include "gtest/gtest.h"

namespace retain::engine {
namespace {

class EngineQuotasTest : public ::testing::Test {
 protected:
  void Open(QuotaOptions quotas) {
    quotas_ = quotas;
    EngineOptions o;
    o.data_dir = dir_;
    o.durability = store::Durability::kNormal;
    o.health = health::DefaultHealthConfig();
    o.quotas = quotas;
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
  }
  void Reopen() {
    engine_->Shutdown();
    engine_.reset();
    Open(quotas_);
  }
  absl::Status Create(const std::string& id) {
    account::v1::Account a;
    a.set_display_name(id);
    a.set_arr(20000);
    a.set_licensed_seats(10);
    return engine_->CreateAccount("t", id, a, "").status();
  }
  static signal::v1::Signal Note(const std::string& id,
                                 const std::string& account, int bytes) {
    signal::v1::Signal s;
    s.set_signal_id(id);
    s.set_account("accounts/" + account);
    *s.mutable_occur_time() = api::ToProto(absl::Now() - absl::Hours(1));
    s.mutable_touchpoint()->set_channel(signal::v1::TOUCHPOINT_CHANNEL_CALL);
    s.mutable_touchpoint()->set_notes(std::string(bytes, 'n'));
    return s;
  }
  // The account's touchpoints (the notes these tests record).
  int Listed(const std::string& account) {
    signal::v1::ListSignalsRequest req;
    req.set_account("accounts/" + account);
    req.set_kind(signal::v1::SIGNAL_KIND_TOUCHPOINT);  // not the server's own
    req.set_page_size(1000);
    auto r = engine_->ListSignals("t", req);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->signals_size() : -1;
  }
  TenantQuotaStats Stats() {
    for (const TenantQuotaStats& s : engine_->QuotaStats()) {
      if (s.tenant == "t") return s;
    }
    return {};
  }
  // Records through the API's path (rate limited), waiting for the answer.
  absl::Status RecordAsync(std::vector<signal::v1::Signal> batch) {
    absl::Notification done;
    absl::Status result;
    absl::Status s = engine_->RecordSignalsAsync(
        "t", std::move(batch), [&](absl::StatusOr<IngestCounts> r) {
          result = r.status();
          done.Notify();
        });
    if (!s.ok()) return s;
    done.WaitForNotification();
    return result;
  }

  std::string dir_ =
      ::testing::TempDir() + "/engine_quotas_" +
      std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
      ::testing::UnitTest::GetInstance()->current_test_info()->name();
  QuotaOptions quotas_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineQuotasTest, AccountsQuotaRefusesTheNextCreate) {
  QuotaOptions q;
  q.max_accounts = 2;
  Open(q);
  ASSERT_TRUE(Create("a1").ok());
  ASSERT_TRUE(Create("a2").ok());
  absl::Status s = Create("a3");
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "quota accounts: tenant \"t\" has 2 accounts, the most it may "
            "have; delete one to create another (retrying cannot succeed "
            "until then)");
  EXPECT_EQ(engine_->stats().accounts, 2);
  EXPECT_EQ(Stats().accounts_rejections, 1);
  // Another tenant has its own count.
  account::v1::Account a;
  a.set_display_name("other");
  EXPECT_TRUE(engine_->CreateAccount("u", "a3", a, "").ok());
  // Deleting one makes room.
  ASSERT_TRUE(engine_->DeleteAccount("t", "accounts/a1").ok());
  EXPECT_TRUE(Create("a3").ok());
}

TEST_F(EngineQuotasTest, StoredBytesSurviveARestartAndComeBackOnDelete) {
  Open(QuotaOptions{});
  ASSERT_TRUE(Create("a1").ok());
  ASSERT_TRUE(Create("a2").ok());
  const int64_t two_accounts = Stats().stored_bytes;
  EXPECT_GT(two_accounts, 0);
  ASSERT_TRUE(
      engine_
          ->RecordSignals("t", {Note("n1", "a1", 3000), Note("n2", "a1", 3000),
                                Note("n3", "a2", 10)})
          .ok());
  // A replay is not stored twice.
  ASSERT_TRUE(engine_->RecordSignals("t", {Note("n1", "a1", 3000)}).ok());
  // An update grows the profile and records a contacts signal.
  account::v1::Account update;
  update.set_name("accounts/a2");
  update.add_contacts()->set_display_name("Kim");
  update.mutable_contacts(0)->set_exec_sponsor(true);
  google::protobuf::FieldMask mask;
  mask.add_paths("contacts");
  ASSERT_TRUE(engine_->UpdateAccount("t", update, mask).ok());
  const int64_t counted = Stats().stored_bytes;
  EXPECT_GT(counted, two_accounts + 6000);
  EXPECT_EQ(Stats().reserved_bytes, 0);

  Reopen();
  EXPECT_EQ(Stats().stored_bytes, counted)
      << "the count kept while writing equals the one made at start-up";

  ASSERT_TRUE(engine_->DeleteAccount("t", "accounts/a1").ok());
  const int64_t after_delete = Stats().stored_bytes;
  EXPECT_LT(after_delete, counted - 6000);
  Reopen();
  EXPECT_EQ(Stats().stored_bytes, after_delete);
}

TEST_F(EngineQuotasTest, StoredBytesQuotaRefusesAWholeBatch) {
  QuotaOptions q;
  q.max_stored_bytes = 8000;
  Open(q);
  ASSERT_TRUE(Create("a1").ok());
  ASSERT_TRUE(engine_->RecordSignals("t", {Note("n1", "a1", 4000)}).ok());
  // Two more small ones and one large: over the quota, so none is written.
  absl::StatusOr<IngestCounts> r = engine_->RecordSignals(
      "t",
      {Note("n2", "a1", 10), Note("n3", "a1", 10), Note("n4", "a1", 4000)});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StartsWith(r.status().message(),
                               "quota stored_bytes: tenant \"t\" stores "))
      << r.status();
  EXPECT_EQ(Listed("a1"), 1);
  EXPECT_EQ(Stats().stored_bytes_rejections, 1);
  // The API path too, and an account create once the tenant is full.
  EXPECT_EQ(RecordAsync({Note("n5", "a1", 4000)}).code(),
            absl::StatusCode::kResourceExhausted);
  // Fill the tenant to within a few dozen bytes (a note costs its text and
  // about 55 bytes of ids, times and framing): no account profile fits.
  const int room = static_cast<int>(q.max_stored_bytes - Stats().stored_bytes);
  ASSERT_TRUE(engine_->RecordSignals("t", {Note("n6", "a1", room - 90)}).ok());
  EXPECT_EQ(Create("a2").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(engine_->stats().accounts, 1);
  EXPECT_EQ(Listed("a1"), 2);
}

TEST_F(EngineQuotasTest, RateQuotaAppliesToTheApiNotToPlugins) {
  QuotaOptions q;
  // A token every 1,000 s: nothing refills while the test runs.
  q.signals_per_second = 0.001;
  q.signals_burst = 3;
  Open(q);
  ASSERT_TRUE(Create("a1").ok());
  ASSERT_TRUE(RecordAsync({Note("r1", "a1", 1), Note("r2", "a1", 1)}).ok());
  absl::Status s = RecordAsync({Note("r3", "a1", 1), Note("r4", "a1", 1)});
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StartsWith(
      s.message(),
      "quota signals_per_second: tenant \"t\" may record 0.001 signals per "
      "second in bursts of at most 3; this batch of 2 must wait, retry "
      "after "))
      << s;
  ASSERT_TRUE(RetryDelayOf(s.message()).has_value());
  EXPECT_GT(*RetryDelayOf(s.message()), absl::Seconds(900));
  EXPECT_EQ(Listed("a1"), 2);
  // Plugins record through the blocking call, which the rate does not limit.
  EXPECT_TRUE(engine_->RecordSignals("t", {Note("p1", "a1", 1)}).ok());
  EXPECT_EQ(Listed("a1"), 3);
  EXPECT_EQ(Stats().signals_per_second_rejections, 1);
}

TEST_F(EngineQuotasTest, ExpansionsCannotTakeArrAboveTheBound) {
  Open(QuotaOptions{});
  ASSERT_TRUE(Create("a1").ok());  // ARR 20,000
  signal::v1::Signal s = Note("e1", "a1", 0);
  // After the account's creation, when its ARR is 20,000.
  *s.mutable_occur_time() = api::ToProto(absl::Now() + absl::Hours(1));
  s.mutable_commercial()->set_kind(signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
  s.mutable_commercial()->set_arr_delta(1e12);
  absl::StatusOr<IngestCounts> r = engine_->RecordSignals("t", {s});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "signals[0].commercial.arr_delta: an increase of 1e+12 would take "
            "ARR 20000 above 1e+12");
  s.mutable_commercial()->set_arr_delta(1e12 - 20000);
  EXPECT_TRUE(engine_->RecordSignals("t", {s}).ok());
}

}  // namespace
}  // namespace retain::engine
