// The SQLite backend on a real file: append order, reopen, key-value batches
// and scans, idempotent-create lookups, account deletion with its signals.
#include "core/store/sqlite_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

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

}  // namespace
}  // namespace retain::store
