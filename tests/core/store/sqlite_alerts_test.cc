// The alert history in the SQLite backend on a real file: positions per
// tenant that survive a reopen and are never reused, alerts deleted with
// their account, filters and both orders, the count limit applied in the
// appending transaction, pruning by age from the oldest (bounded per call), and
// tenants kept apart.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/store/sqlite_store.h"

namespace retain::store {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

std::string TempPath() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ = absl::StrCat(base ? base : "/tmp", "/alerts-XXXXXX");
  return absl::StrCat(mkdtemp(templ.data()), "/retain.db");
}

StoredAlert Alert(const std::string& tenant, const std::string& account,
                  const std::string& source, const std::string& code,
                  const std::string& severity, absl::Time t) {
  StoredAlert a;
  a.tenant = tenant;
  a.alert_time = t;
  a.account_id = account;
  a.source = source;
  a.code = code;
  a.severity = severity;
  a.payload = absl::StrCat(tenant, "|", account, "|", code);
  return a;
}

// Appends the alerts alone (no signals) in one commit; their positions.
std::vector<int64_t> Append(Store& store, std::vector<StoredAlert> alerts,
                            int64_t max_per_tenant = 0) {
  std::vector<StoredSignal> no_signals;
  AlertAppend batch{std::move(alerts), max_per_tenant};
  absl::Status s = store.AppendSignals(no_signals, {}, batch);
  EXPECT_TRUE(s.ok()) << s;
  std::vector<int64_t> out;
  for (const auto& a : batch.alerts) out.push_back(a.position);
  return out;
}

std::vector<int64_t> Positions(Store& store, const std::string& tenant,
                               AlertQuery q) {
  auto rows = store.ListAlerts(tenant, q);
  EXPECT_TRUE(rows.ok()) << rows.status();
  std::vector<int64_t> out;
  if (rows.ok()) {
    for (const auto& r : *rows) {
      EXPECT_EQ(r.tenant, tenant);
      out.push_back(r.position);
    }
  }
  return out;
}

using P = std::vector<int64_t>;

TEST(SqliteAlertsTest, PositionsPerTenantSurviveReopenWithSignals) {
  const std::string path = TempPath();
  {
    auto store = SqliteStore::Open(path, Durability::kFull);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ(Append(**store, {Alert("t", "a", "core", "c", "info", kT0),
                               Alert("u", "a", "core", "c", "info", kT0),
                               Alert("t", "b", "core", "c", "info", kT0)}),
              (P{1, 1, 2}));
    // Alerts commit with signals in one transaction.
    std::vector<StoredSignal> signals(1);
    signals[0].tenant = "t";
    signals[0].signal_id = "s1";
    signals[0].account_id = "a";
    signals[0].payload = "sig";
    AlertAppend alerts{{Alert("t", "a", "onboarding", "o", "warning", kT0)}, 0};
    ASSERT_TRUE((*store)->AppendSignals(signals, {}, alerts).ok());
    EXPECT_EQ(signals[0].seq, 1);
    EXPECT_EQ(alerts.alerts[0].position, 3);
  }
  auto store = SqliteStore::Open(path, Durability::kNormal);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(Append(**store, {Alert("t", "a", "core", "c", "info", kT0)}),
            (P{4}));
  auto rows = (*store)->ListAlerts("t", AlertQuery{});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[1].position, 3);  // newest first
  EXPECT_EQ((*rows)[1].source, "onboarding");
  EXPECT_EQ((*rows)[1].severity, "warning");
  EXPECT_EQ((*rows)[1].alert_time, kT0);
  EXPECT_EQ((*rows)[1].payload, "t|a|o");
  auto range = (*store)->AlertPositions("t");
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->oldest, 1);
  EXPECT_EQ(range->newest, 4);
  auto none = (*store)->AlertPositions("nobody");
  EXPECT_EQ(none->oldest, 0);
  EXPECT_EQ(none->newest, 0);

  // Deleting an account takes its alerts along (a new account with the id
  // starts clean); the tenant's positions go on.
  ASSERT_TRUE((*store)->DeleteAccount("t", "a").ok());
  EXPECT_EQ(Positions(**store, "t", AlertQuery{}), (P{2}));
  EXPECT_EQ(Positions(**store, "u", AlertQuery{}), (P{1}));
  EXPECT_EQ((*store)->AlertPositions("t")->newest, 4);
}

TEST(SqliteAlertsTest, FiltersOrdersAndPositionBounds) {
  auto opened = SqliteStore::Open(TempPath(), Durability::kNormal);
  ASSERT_TRUE(opened.ok());
  Store& s = **opened;
  Append(s, {Alert("t", "a", "core", "health.band_changed", "critical", kT0),
             Alert("t", "b", "core", "health.band_changed", "info",
                   kT0 + absl::Minutes(1)),
             Alert("t", "a", "onboarding", "onboarding.milestone_overdue",
                   "warning", kT0 + absl::Minutes(2)),
             Alert("t", "", "voc", "voc.detractor", "critical",
                   kT0 + absl::Minutes(3)),
             Alert("t", "a", "core", "health.band_changed", "warning",
                   kT0 + absl::Minutes(4))});
  AlertQuery q;
  EXPECT_EQ(Positions(s, "t", q), (P{5, 4, 3, 2, 1}));
  q.newest_first = false;
  EXPECT_EQ(Positions(s, "t", q), (P{1, 2, 3, 4, 5}));
  q.limit = 2;
  EXPECT_EQ(Positions(s, "t", q), (P{1, 2}));
  q.after_position = 2;
  EXPECT_EQ(Positions(s, "t", q), (P{3, 4}));

  AlertQuery by_account;
  by_account.account_id = "a";
  EXPECT_EQ(Positions(s, "t", by_account), (P{5, 3, 1}));
  by_account.source = "core";
  EXPECT_EQ(Positions(s, "t", by_account), (P{5, 1}));
  by_account.severity = "critical";
  EXPECT_EQ(Positions(s, "t", by_account), (P{1}));
  AlertQuery by_code;
  by_code.code = "health.band_changed";
  by_code.before_position = 5;
  EXPECT_EQ(Positions(s, "t", by_code), (P{2, 1}));
  AlertQuery by_time;  // [start, end)
  by_time.start = kT0 + absl::Minutes(1);
  by_time.end = kT0 + absl::Minutes(3);
  EXPECT_EQ(Positions(s, "t", by_time), (P{3, 2}));
  AlertQuery nothing;
  nothing.source = "no-such-plugin";
  EXPECT_EQ(Positions(s, "t", nothing), P{});
}

TEST(SqliteAlertsTest, CountLimitTrimsInTheAppendingCommit) {
  auto opened = SqliteStore::Open(TempPath(), Durability::kNormal);
  ASSERT_TRUE(opened.ok());
  Store& s = **opened;
  std::vector<StoredAlert> five;
  for (int i = 0; i < 5; ++i) {
    five.push_back(Alert("t", "a", "core", "c", "info", kT0));
  }
  Append(s, {Alert("u", "a", "core", "c", "info", kT0)}, 3);
  EXPECT_EQ(Append(s, five, 3), (P{1, 2, 3, 4, 5}));
  EXPECT_EQ(Positions(s, "t", AlertQuery{}), (P{5, 4, 3}));
  EXPECT_EQ(s.AlertPositions("t")->oldest, 3);
  EXPECT_EQ(s.AlertPositions("t")->newest, 5);
  // The other tenant's history is its own.
  EXPECT_EQ(Positions(s, "u", AlertQuery{}), (P{1}));
  // A lower limit later is applied by pruning.
  auto pruned = s.PruneAlerts(absl::InfinitePast(), 1, 100);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 2);
  EXPECT_EQ(Positions(s, "t", AlertQuery{}), (P{5}));
  EXPECT_EQ(Positions(s, "u", AlertQuery{}), (P{1}));
}

TEST(SqliteAlertsTest, PruneByAgeFromTheOldestBoundedAndNeverReused) {
  auto opened = SqliteStore::Open(TempPath(), Durability::kNormal);
  ASSERT_TRUE(opened.ok());
  Store& s = **opened;
  std::vector<StoredAlert> alerts;
  for (int day = 0; day < 6; ++day) {
    alerts.push_back(
        Alert("t", "a", "core", "c", "info", kT0 + absl::Hours(24 * day)));
  }
  alerts.push_back(
      Alert("u", "z", "core", "c", "info", kT0 + absl::Hours(24 * 5)));
  Append(s, alerts);
  // Days 0-3 are older than the cutoff; at most 2 a tenant per call.
  const absl::Time cutoff = kT0 + absl::Hours(24 * 4);
  auto first = s.PruneAlerts(cutoff, 0, 2);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 2);
  EXPECT_EQ(Positions(s, "t", AlertQuery{}), (P{6, 5, 4, 3}));
  EXPECT_EQ(*s.PruneAlerts(cutoff, 0, 2), 2);
  EXPECT_EQ(*s.PruneAlerts(cutoff, 0, 2), 0);  // day 4 stops it
  EXPECT_EQ(Positions(s, "t", AlertQuery{}), (P{6, 5}));
  EXPECT_EQ(Positions(s, "u", AlertQuery{}), (P{1}));

  // Everything expires: the history is empty but positions go on.
  EXPECT_EQ(*s.PruneAlerts(kT0 + absl::Hours(24 * 30), 0, 100), 3);
  EXPECT_EQ(Positions(s, "t", AlertQuery{}), P{});
  EXPECT_EQ(s.AlertPositions("t")->oldest, 7);
  EXPECT_EQ(s.AlertPositions("t")->newest, 6);
  EXPECT_EQ(Append(s, {Alert("t", "a", "core", "c", "info", kT0)}), (P{7}));
  EXPECT_EQ(s.AlertPositions("t")->oldest, 7);
}

}  // namespace
}  // namespace retain::store
