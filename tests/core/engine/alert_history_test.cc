// The engine's alert history over a real store: band changes and raised
// alerts are stored with a position before they are published (so what a
// watcher sees live is in the history), listed per tenant with filters and
// pages in both orders, validated field by field, kept within the retention
// and across a restart.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "api/proto_time.h"
#include "core/engine/engine.h"
#include "core/health/health_config.h"
#include "gtest/gtest.h"

namespace retain::engine {
namespace {

using report::v1::HealthAlert;
using report::v1::ListAlertsRequest;
using report::v1::ListAlertsResponse;

// What the hub publishes to one tenant's watchers.
class Published {
 public:
  Published(AlertHub& hub, const std::string& tenant) : hub_(hub) {
    id_ = hub_.Subscribe(tenant, [this] { Drain(); });
  }
  ~Published() { hub_.Unsubscribe(id_); }

  // Waits (up to a minute) until n alerts were published; all of them.
  std::vector<HealthAlert> WaitFor(size_t n) {
    for (int i = 0; i < 1200; ++i) {
      Drain();
      absl::MutexLock lock(&mu_);
      auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return got_.size() >= n;
      };
      if (mu_.AwaitWithTimeout(absl::Condition(&enough),
                               absl::Milliseconds(50))) {
        break;
      }
    }
    absl::MutexLock lock(&mu_);
    return got_;
  }

 private:
  void Drain() {
    HealthAlert a;
    while (hub_.Pop(id_, &a)) {
      absl::MutexLock lock(&mu_);
      got_.push_back(a);
    }
  }

  AlertHub& hub_;
  int64_t id_ = 0;
  absl::Mutex mu_;
  std::vector<HealthAlert> got_ ABSL_GUARDED_BY(mu_);
};

class AlertHistoryTest : public ::testing::Test {
 protected:
  void Open(AlertRetention retention = {}) {
    retention_ = retention;
    EngineOptions o;
    o.data_dir = dir_;
    o.durability = store::Durability::kNormal;
    o.health = health::DefaultHealthConfig();
    o.alert_retention = retention;
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
  }
  void Reopen() {
    engine_->Shutdown();
    engine_.reset();
    Open(retention_);
  }
  static HealthAlert PluginAlert(const std::string& account,
                                 const std::string& code,
                                 const std::string& severity) {
    HealthAlert a;
    a.set_account(account);
    a.set_source("onboarding");
    a.set_code(code);
    a.set_severity(severity);
    a.set_message("milestone overdue");
    *a.mutable_alert_time() = api::ToProto(absl::Now());
    return a;
  }
  // Raises n plugin alerts on "t" and waits until they are published.
  void RaiseAndWait(int n) {
    Published published(engine_->alerts(), "t");
    for (int i = 0; i < n; ++i) {
      engine_->RaiseAlert("t", PluginAlert("accounts/a", "o.m", "warning"));
    }
    ASSERT_EQ(published.WaitFor(n).size(), static_cast<size_t>(n));
  }
  std::vector<int64_t> Positions(const std::string& tenant,
                                 const ListAlertsRequest& req,
                                 std::string* next = nullptr) {
    auto resp = engine_->ListAlerts(tenant, req);
    EXPECT_TRUE(resp.ok()) << resp.status();
    std::vector<int64_t> out;
    if (!resp.ok()) return out;
    for (const auto& a : resp->alerts()) out.push_back(a.position());
    if (next) *next = resp->next_page_token();
    return out;
  }
  absl::Status Invalid(const std::function<void(ListAlertsRequest&)>& set) {
    ListAlertsRequest req;
    set(req);
    return engine_->ListAlerts("t", req).status();
  }

  std::string dir_ =
      ::testing::TempDir() + "/alert_history_" +
      std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
      ::testing::UnitTest::GetInstance()->current_test_info()->name();
  AlertRetention retention_;
  std::unique_ptr<Engine> engine_;
};

using P = std::vector<int64_t>;

TEST_F(AlertHistoryTest, BandChangesAndRaisedAlertsAreStoredThenPublished) {
  Open();
  Published published(engine_->alerts(), "t");
  account::v1::Account a;
  a.set_display_name("Acme");
  a.set_arr(20000);
  a.set_licensed_seats(10);
  ASSERT_TRUE(engine_->CreateAccount("t", "acme", a, "").ok());
  // A new account's first score is a band change.
  std::vector<HealthAlert> live = published.WaitFor(1);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].source(), "core");
  EXPECT_EQ(live[0].code(), "health.band_changed");
  EXPECT_EQ(live[0].account(), "accounts/acme");
  EXPECT_EQ(live[0].position(), 1);

  engine_->RaiseAlert(
      "t",
      PluginAlert("accounts/acme", "onboarding.milestone_overdue", "critical"));
  live = published.WaitFor(2);
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[1].position(), 2);

  auto listed = engine_->ListAlerts("t", ListAlertsRequest());
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->alerts_size(), 2);
  // What the watcher saw live is what the history holds.
  EXPECT_EQ(listed->alerts(0).SerializeAsString(), live[1].SerializeAsString());
  EXPECT_EQ(listed->alerts(1).SerializeAsString(), live[0].SerializeAsString());
  EXPECT_EQ(listed->oldest_position(), 1);
  EXPECT_EQ(listed->newest_position(), 2);

  ListAlertsRequest only;
  only.set_source("core");
  EXPECT_EQ(Positions("t", only), (P{1}));
  only.Clear();
  only.set_severity("critical");
  only.set_account("accounts/acme");
  EXPECT_EQ(Positions("t", only), (P{2}));

  // Another tenant has a history of its own: empty.
  auto other = engine_->ListAlerts("u", ListAlertsRequest());
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->alerts_size(), 0);
  EXPECT_EQ(other->newest_position(), 0);
  auto after = engine_->AlertsAfter("t", 1, 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].code(), "onboarding.milestone_overdue");
}

TEST_F(AlertHistoryTest, PagesInBothOrdersAndNamesBadFields) {
  Open();
  RaiseAndWait(5);
  ListAlertsRequest req;
  req.set_page_size(2);
  std::string next;
  EXPECT_EQ(Positions("t", req, &next), (P{5, 4}));
  const std::string newest_first_token = next;
  req.set_page_token(next);
  EXPECT_EQ(Positions("t", req, &next), (P{3, 2}));
  req.set_page_token(next);
  EXPECT_EQ(Positions("t", req, &next), (P{1}));
  EXPECT_EQ(next, "");

  ListAlertsRequest up;
  up.set_oldest_first(true);
  up.set_page_size(2);
  up.set_after_position(1);
  EXPECT_EQ(Positions("t", up, &next), (P{2, 3}));
  up.set_page_token(next);
  EXPECT_EQ(Positions("t", up, &next), (P{4, 5}));
  EXPECT_EQ(next, "");

  auto expect_invalid = [&](const std::function<void(ListAlertsRequest&)>& set,
                            const std::string& message) {
    absl::Status s = Invalid(set);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_TRUE(absl::StartsWith(s.message(), message)) << s;
  };
  expect_invalid(
      [&](ListAlertsRequest& r) {
        r.set_oldest_first(true);
        r.set_page_token(newest_first_token);
      },
      "page_token: from a listing in the other order");
  expect_invalid([](ListAlertsRequest& r) { r.set_page_token("x"); },
                 "page_token: not a token from a previous response");
  expect_invalid([](ListAlertsRequest& r) { r.set_severity("high"); },
                 "severity: must be info, warning or critical, got \"high\"");
  expect_invalid([](ListAlertsRequest& r) { r.set_page_size(1001); },
                 "page_size: must be 0-1000, got 1001");
  expect_invalid([](ListAlertsRequest& r) { r.set_account("acme"); },
                 "account: ");
  expect_invalid([](ListAlertsRequest& r) { r.set_after_position(-1); },
                 "after_position: must be >= 0, got -1");
  expect_invalid(
      [](ListAlertsRequest& r) { r.set_code(std::string(300, 'c')); },
      "code: must be at most 256 bytes, got 300");
  expect_invalid(
      [](ListAlertsRequest& r) {
        *r.mutable_start_time() = api::ToProto(absl::FromUnixSeconds(2000));
        *r.mutable_end_time() = api::ToProto(absl::FromUnixSeconds(1000));
      },
      "end_time: must be after start_time");
}

TEST_F(AlertHistoryTest, RetentionKeepsTheNewestAcrossARestart) {
  AlertRetention retention;
  retention.max_per_tenant = 3;
  retention.max_age = absl::Hours(24);
  Open(retention);
  RaiseAndWait(5);
  EXPECT_EQ(Positions("t", ListAlertsRequest()), (P{5, 4, 3}));
  Reopen();
  EXPECT_EQ(Positions("t", ListAlertsRequest()), (P{5, 4, 3}));
  RaiseAndWait(1);
  EXPECT_EQ(Positions("t", ListAlertsRequest()), (P{6, 5, 4}));
  // Two days on, every alert is past the age limit.
  auto pruned = engine_->PruneAlerts(absl::Now() + absl::Hours(48));
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(*pruned, 3);
  auto range = engine_->AlertPositions("t");
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->oldest, 7);
  EXPECT_EQ(range->newest, 6);
  EXPECT_EQ(Positions("t", ListAlertsRequest()), P{});
}

}  // namespace
}  // namespace retain::engine
