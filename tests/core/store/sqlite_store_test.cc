// The SQLite backend on a real file: append order, reopen, key-value batches
// and scans, idempotent-create lookups, account deletion with its signals;
// versioned key-value entries, conditional batches, snapshot reads and the
// upgrade of a store written before versions.
#include "core/store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"

namespace retain::store {
namespace {

std::string TempPath() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ = absl::StrCat(base ? base : "/tmp", "/store-XXXXXX");
  return absl::StrCat(mkdtemp(templ.data()), "/retain.db");
}

StoredSignal Sig(const std::string& id, const std::string& account) {
  StoredSignal s;
  s.tenant = "t";
  s.signal_id = id;
  s.account_id = account;
  s.kind = 1;
  s.occur_time = absl::FromUnixSeconds(1700000000);
  s.record_time = absl::FromUnixSeconds(1700000100);
  s.payload = "payload-" + id;
  return s;
}

TEST(SqliteStoreTest, SignalsKeepCommitOrderAcrossReopen) {
  const std::string path = TempPath();
  {
    auto store = SqliteStore::Open(path, Durability::kFull);
    ASSERT_TRUE(store.ok()) << store.status();
    std::vector<StoredSignal> batch = {Sig("a", "x"), Sig("b", "y"),
                                       Sig("c", "x")};
    AlertAppend no_alerts;
    ASSERT_TRUE((*store)->AppendSignals(batch, {}, no_alerts).ok());
    EXPECT_LT(batch[0].seq, batch[1].seq);
    EXPECT_LT(batch[1].seq, batch[2].seq);
  }
  auto store = SqliteStore::Open(path, Durability::kNormal);
  ASSERT_TRUE(store.ok());
  std::vector<std::string> ids;
  ASSERT_TRUE(
      (*store)
          ->ForEachSignal(0,
                          [&](const StoredSignal& s) {
                            ids.push_back(s.signal_id);
                            EXPECT_EQ(s.payload, "payload-" + s.signal_id);
                            EXPECT_EQ(s.occur_time,
                                      absl::FromUnixSeconds(1700000000));
                            return true;
                          })
          .ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(*(*store)->LastSignalSeq(), 3);
  auto got = (*store)->GetSignals({3, 1, 99});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].signal_id, "c");
  EXPECT_EQ((*got)[1].signal_id, "a");

  auto removed = (*store)->DeleteAccount("t", "x");
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2);
  ids.clear();
  ASSERT_TRUE((*store)
                  ->ForEachSignal(0,
                                  [&](const StoredSignal& s) {
                                    ids.push_back(s.signal_id);
                                    return true;
                                  })
                  .ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"b"}));
}

TEST(SqliteStoreTest, KeyValueBatchesAndPrefixScans) {
  auto store = SqliteStore::Open(TempPath(), Durability::kFull);
  ASSERT_TRUE(store.ok());
  Store& s = **store;
  ASSERT_TRUE(
      s.KvApply(
           "plug",
           {{"m/1", "one"}, {"m/2", "two"}, {"m", "root"}, {"n/1", "other"}})
          .ok());
  ASSERT_TRUE(s.KvApply("other", {{"m/1", "elsewhere"}}).ok());
  auto scan = s.KvScan("plug", "m/", "", 10);
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(scan->size(), 2u);
  EXPECT_EQ((*scan)[0], std::make_pair(std::string("m/1"), std::string("one")));
  auto page2 = s.KvScan("plug", "m/", "m/1", 10);
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_EQ((*page2)[0].first, "m/2");
  auto exact = s.KvScan("plug", "m", "", 10);
  EXPECT_EQ(exact->size(), 3u);  // "m", "m/1", "m/2"
  ASSERT_TRUE(
      s.KvApply("plug", {{"m/1", std::nullopt}, {"m/3", "three"}}).ok());
  EXPECT_FALSE(s.KvGet("plug", "m/1")->has_value());
  EXPECT_EQ(**s.KvGet("plug", "m/3"), "three");
  EXPECT_EQ(**s.KvGet("other", "m/1"), "elsewhere");
}

// Prefixes compare as bytes: a non-ASCII prefix (a plugin keying by an
// account name such as "café") finds its keys, and a prefix ending in 0xff
// bytes (no successor string) still stops at its own keys.
TEST(SqliteStoreTest, PrefixScansCompareBytes) {
  auto store = SqliteStore::Open(TempPath(), Durability::kFull);
  ASSERT_TRUE(store.ok());
  Store& s = **store;
  const std::string cafe = "acct/caf\xc3\xa9/";
  const std::string ff = "z\xff\xff";
  ASSERT_TRUE(s.KvApply("plug", {{cafe + "1", "a"},
                                 {cafe + "2", "b"},
                                 {"acct/cafe/1", "ascii"},
                                 {"acct/caf\xc3\xa9x", "sibling"},
                                 {ff + "1", "c"},
                                 {"z\xff", "shorter"}})
                  .ok());
  auto scan = s.KvScan("plug", cafe, "", 10);
  ASSERT_TRUE(scan.ok()) << scan.status();
  ASSERT_EQ(scan->size(), 2u);
  EXPECT_EQ((*scan)[0].second, "a");
  EXPECT_EQ((*scan)[1].second, "b");
  auto paged = s.KvScan("plug", cafe, cafe + "1", 10);
  ASSERT_EQ(paged->size(), 1u);
  EXPECT_EQ((*paged)[0].second, "b");
  auto tail = s.KvScan("plug", ff, "", 10);
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ((*tail)[0].second, "c");
}

TEST(SqliteStoreTest, AccountsAndCreateRequests) {
  const std::string path = TempPath();
  {
    auto store = SqliteStore::Open(path, Durability::kFull);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->PutAccount({"t", "acme", "v1"}, "req-1").ok());
    ASSERT_TRUE((*store)->PutAccount({"t", "acme", "v2"}, "").ok());
    ASSERT_TRUE((*store)->PutAccount({"u", "acme", "other tenant"}, "").ok());
  }
  auto store = SqliteStore::Open(path, Durability::kFull);
  ASSERT_TRUE(store.ok());
  std::vector<std::string> seen;
  ASSERT_TRUE((*store)
                  ->ForEachAccount([&](const StoredAccount& a) {
                    seen.push_back(a.tenant + "/" + a.account_id + "=" +
                                   a.payload);
                  })
                  .ok());
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen,
            (std::vector<std::string>{"t/acme=v2", "u/acme=other tenant"}));
  EXPECT_EQ(**(*store)->LookupRequest("t", "req-1"), "acme");
  EXPECT_FALSE((*store)->LookupRequest("u", "req-1")->has_value());
}

// Version of `key` as KvRead sees it (0: missing).
int64_t VersionOf(Store& s, const std::string& ns, const std::string& key) {
  auto snap = s.KvRead(ns, {key}, std::nullopt);
  EXPECT_TRUE(snap.ok()) << snap.status();
  return snap.ok() ? snap->values[0].version : -1;
}

TEST(SqliteStoreTest, KvVersionsIncreasePerCommitAndSurviveReopen) {
  const std::string path = TempPath();
  int64_t a = 0, b = 0;
  {
    auto store = SqliteStore::Open(path, Durability::kFull);
    ASSERT_TRUE(store.ok()) << store.status();
    Store& s = **store;
    EXPECT_EQ(VersionOf(s, "plug", "a"), 0);
    auto v1 = s.KvApplyIf("plug", {}, {{"a", "1"}, {"b", "1"}}, nullptr);
    ASSERT_TRUE(v1.ok()) << v1.status();
    EXPECT_GT(*v1, 0);
    // One commit, one version for every key it wrote.
    EXPECT_EQ(VersionOf(s, "plug", "a"), *v1);
    EXPECT_EQ(VersionOf(s, "plug", "b"), *v1);
    // Plain KvApply (the pre-1.2 callback, the host's own bookkeeping)
    // versions its writes too.
    ASSERT_TRUE(s.KvApply("plug", {{"a", "2"}}).ok());
    a = VersionOf(s, "plug", "a");
    b = VersionOf(s, "plug", "b");
    EXPECT_GT(a, *v1);
    EXPECT_EQ(b, *v1);
    // Another namespace shares the counter.
    ASSERT_TRUE(s.KvApply("other", {{"a", "x"}}).ok());
    EXPECT_GT(VersionOf(s, "other", "a"), a);
  }
  auto store = SqliteStore::Open(path, Durability::kFull);
  ASSERT_TRUE(store.ok()) << store.status();
  Store& s = **store;
  EXPECT_EQ(VersionOf(s, "plug", "a"), a);
  EXPECT_EQ(VersionOf(s, "plug", "b"), b);
  // A key deleted and written again after the restart never gets a version
  // it had before (no ABA for a compare-and-set).
  ASSERT_TRUE(s.KvApply("plug", {{"a", std::nullopt}}).ok());
  EXPECT_EQ(VersionOf(s, "plug", "a"), 0);
  auto again = s.KvApplyIf("plug", {{"a", 0}}, {{"a", "3"}}, nullptr);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_GT(*again, VersionOf(s, "other", "a"));
}

TEST(SqliteStoreTest, FailedPreconditionAppliesNothing) {
  auto store = SqliteStore::Open(TempPath(), Durability::kFull);
  ASSERT_TRUE(store.ok());
  Store& s = **store;
  auto v = s.KvApplyIf("plug", {{"counter", 0}}, {{"counter", "1"}}, nullptr);
  ASSERT_TRUE(v.ok()) << v.status();
  // "Must not exist" now fails, and so does a stale version.
  KvConflict conflict;
  auto created =
      s.KvApplyIf("plug", {{"counter", 0}}, {{"counter", "9"}}, &conflict);
  EXPECT_EQ(created.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(conflict.index, 0u);
  EXPECT_EQ(conflict.actual_version, *v);

  // The second precondition fails: none of the three writes lands.
  conflict = {};
  auto stale = s.KvApplyIf("plug", {{"counter", *v}, {"other", 5}},
                           {{"counter", "2"}, {"log/2", "x"}, {"other", "y"}},
                           &conflict);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted)
      << stale.status();
  EXPECT_EQ(conflict.index, 1u);
  EXPECT_EQ(conflict.actual_version, 0);
  auto snap = s.KvRead("plug", {"counter", "other"}, KvRange{"log/", "", 0});
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->values[0].value, "1");
  EXPECT_EQ(snap->values[0].version, *v);
  EXPECT_EQ(snap->values[1].version, 0);
  EXPECT_TRUE(snap->range.empty());

  // With every precondition holding, it applies, deletes included.
  auto ok = s.KvApplyIf("plug", {{"counter", *v}, {"other", 0}},
                        {{"counter", "2"}, {"log/2", "x"}}, nullptr);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_GT(*ok, *v);
  auto del =
      s.KvApplyIf("plug", {{"log/2", *ok}}, {{"log/2", std::nullopt}}, nullptr);
  ASSERT_TRUE(del.ok()) << del.status();
  EXPECT_EQ(VersionOf(s, "plug", "log/2"), 0);
  EXPECT_EQ(**s.KvGet("plug", "counter"), "2");
}

TEST(SqliteStoreTest, KvReadSeesOneCommitWhileBatchesLand) {
  auto store = SqliteStore::Open(TempPath(), Durability::kNormal);
  ASSERT_TRUE(store.ok());
  Store& s = **store;
  // Every batch writes the same number to "a", "b" and two range keys, so a
  // read that saw two commits would see two numbers.
  constexpr int kBatches = 2000;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 1; i <= kBatches; ++i) {
      std::string n = std::to_string(i);
      ASSERT_TRUE(
          s.KvApply("plug", {{"a", n}, {"r/1", n}, {"r/2", n}, {"b", n}}).ok());
    }
    done = true;
  });
  int reads = 0;
  int torn = 0;
  while (!done.load() || reads == 0) {
    auto snap = s.KvRead("plug", {"a", "b"}, KvRange{"r/", "", 0});
    ASSERT_TRUE(snap.ok()) << snap.status();
    ++reads;
    std::set<std::string> values;
    std::set<int64_t> versions;
    for (const auto& e : snap->values) {
      values.insert(e.value);
      versions.insert(e.version);
    }
    for (const auto& e : snap->range) {
      values.insert(e.value);
      versions.insert(e.version);
    }
    if (snap->values[0].version == 0) {
      // Before the first batch: nothing anywhere.
      torn += !(snap->range.empty() && snap->values[1].version == 0);
      continue;
    }
    torn +=
        values.size() != 1 || versions.size() != 1 || snap->range.size() != 2;
  }
  writer.join();
  EXPECT_EQ(torn, 0) << "of " << reads << " reads";
  auto last = s.KvRead("plug", {"a", "b"}, std::nullopt);
  EXPECT_EQ(last->values[0].value, std::to_string(kBatches));
}

TEST(SqliteStoreTest, StoreFromBeforeVersionsIsUpgraded) {
  const std::string path = TempPath();
  {
    // A schema-1 store as the previous retaind wrote it.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, R"sql(
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)
          WITHOUT ROWID;
      INSERT INTO meta VALUES ('schema_version', '1');
      CREATE TABLE kv (ns TEXT NOT NULL, key TEXT NOT NULL,
          value BLOB NOT NULL, PRIMARY KEY (ns, key)) WITHOUT ROWID;
      INSERT INTO kv VALUES ('plug', 'old', 'before');
    )sql",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  {
    auto store = SqliteStore::Open(path, Durability::kFull);
    ASSERT_TRUE(store.ok()) << store.status();
    Store& s = **store;
    EXPECT_EQ(**s.KvGet("plug", "old"), "before");
    EXPECT_EQ(VersionOf(s, "plug", "old"), 1);
    auto v = s.KvApplyIf("plug", {{"old", 1}}, {{"old", "after"}}, nullptr);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(*v, 2);
  }
  // Upgraded once: reopening keeps the versions and the counter.
  auto store = SqliteStore::Open(path, Durability::kFull);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(VersionOf(**store, "plug", "old"), 2);
  EXPECT_EQ(*(*store)->KvApplyIf("plug", {}, {{"new", "x"}}, nullptr), 3);
}

}  // namespace
}  // namespace retain::store
