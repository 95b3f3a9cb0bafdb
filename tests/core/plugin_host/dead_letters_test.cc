// A plugin's dead letters over a real SQLite store: set aside with the
// watermark in one batch, merged by seq (never duplicated), listed per
// tenant or across tenants in pages, found, dropped, kept across a reopen.
#include "core/plugin_host/dead_letters.h"

#include <filesystem>

#include "api/proto_time.h"
#include "core/store/sqlite_store.h"
#include "gtest/gtest.h"

namespace retain::plugin_host {
namespace {

class DeadLettersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/dead_letters_test_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Reopen();
  }
  void Reopen() {
    store_.reset();
    auto s = store::SqliteStore::Open(dir_ + "/retain.db",
                                      store::Durability::kNormal);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  static store::StoredSignal Signal(int64_t seq, const std::string& tenant) {
    store::StoredSignal sig;
    sig.seq = seq;
    sig.tenant = tenant;
    sig.signal_id = "s" + std::to_string(seq);
    sig.account_id = "acme";
    sig.kind = 3;
    return sig;
  }
  static DeliveryFailure Failure(int attempts, const std::string& error,
                                 absl::Time first, absl::Time last) {
    DeliveryFailure f;
    f.attempts = attempts;
    f.error = error;
    f.error_id = "id-" + error;
    f.first = first;
    f.last = last;
    return f;
  }
  // The seqs of a list, in the order listed.
  static std::vector<int64_t> Seqs(const std::vector<DeadLetter>& letters) {
    std::vector<int64_t> out;
    for (const auto& d : letters) out.push_back(d.seq());
    return out;
  }

  std::string dir_;
  std::unique_ptr<store::SqliteStore> store_;
};

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

TEST_F(DeadLettersTest, SetAsideMovesTheWatermarkAndMergesBySeq) {
  DeadLetters letters(store_.get(), "notes");
  EXPECT_EQ(*letters.Watermark(), 0);
  auto d = letters.SetAside(Signal(7, "acme-co"),
                            Failure(3, "boom", kT0, kT0 + absl::Seconds(2)));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->seq(), 7);
  EXPECT_EQ(d->tenant(), "tenants/acme-co");
  EXPECT_EQ(d->account(), "accounts/acme");
  EXPECT_EQ(d->signal_kind(), 3);
  EXPECT_EQ(d->signal_id(), "s7");
  EXPECT_EQ(d->attempts(), 3);
  EXPECT_EQ(d->last_error(), "boom");
  EXPECT_EQ(d->last_error_id(), "id-boom");
  EXPECT_EQ(api::FromProto(d->first_failure_time()), kT0);
  EXPECT_EQ(*letters.Watermark(), 7);

  // Delivery tried seq 7 again (a crash came before the cursor moved):
  // still one dead letter, the attempts added up, the first time kept.
  const absl::Time later = kT0 + absl::Minutes(5);
  d = letters.SetAside(Signal(7, "acme-co"), Failure(2, "bang", later, later));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->attempts(), 5);
  EXPECT_EQ(d->last_error(), "bang");
  EXPECT_EQ(api::FromProto(d->first_failure_time()), kT0);
  EXPECT_EQ(api::FromProto(d->last_failure_time()), later);

  // Only delivery moves the watermark; a failed retry does not.
  ASSERT_TRUE(
      letters.SetAside(Signal(9, "other"), Failure(1, "x", kT0, kT0)).ok());
  auto again = letters.FailedAgain(*d, Failure(1, "still", later, later));
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->attempts(), 6);
  EXPECT_EQ(*letters.Watermark(), 9);

  Reopen();
  DeadLetters reopened(store_.get(), "notes");
  EXPECT_EQ(*reopened.Watermark(), 9);
  EXPECT_EQ(reopened.List("", 0, "")->letters.size(), 2u);
  auto page = reopened.List("acme-co", 0, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->letters.size(), 1u);
  EXPECT_EQ(page->letters[0].attempts(), 6);
  EXPECT_EQ(page->letters[0].last_error(), "still");
  // Another plugin's are its own.
  EXPECT_TRUE(
      DeadLetters(store_.get(), "voc").List("", 0, "")->letters.empty());
}

TEST_F(DeadLettersTest, ListsOneTenantOrAllInPages) {
  DeadLetters letters(store_.get(), "notes");
  for (int64_t seq : {12, 3, 10}) {
    ASSERT_TRUE(
        letters.SetAside(Signal(seq, "acme"), Failure(1, "e", kT0, kT0)).ok());
  }
  ASSERT_TRUE(
      letters.SetAside(Signal(5, "zeta"), Failure(1, "e", kT0, kT0)).ok());

  auto first = letters.List("acme", 2, "");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(Seqs(first->letters), (std::vector<int64_t>{3, 10}));
  ASSERT_FALSE(first->next_token.empty());
  auto second = letters.List("acme", 2, first->next_token);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(Seqs(second->letters), (std::vector<int64_t>{12}));
  EXPECT_TRUE(second->next_token.empty());

  // Every tenant's, one tenant after another.
  std::vector<int64_t> all;
  std::string token;
  do {
    auto page = letters.List("", 1, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& d : page->letters) all.push_back(d.seq());
    token = page->next_token;
  } while (!token.empty());
  EXPECT_EQ(all, (std::vector<int64_t>{3, 10, 12, 5}));
  EXPECT_EQ(Seqs(letters.List("zeta", 0, "")->letters),
            std::vector<int64_t>{5});
  EXPECT_TRUE(letters.List("nobody", 0, "")->letters.empty());

  // One tenant's token does not open another's list.
  EXPECT_EQ(letters.List("zeta", 2, first->next_token).status().message(),
            "page_token: not a token from a previous response");
  EXPECT_EQ(letters.List("acme", 0, "garbage").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(letters.List("acme", 1001, "").status().message(),
            "page_size: must be 0-1000, got 1001");
}

TEST_F(DeadLettersTest, FindFirstRemoveAndRemoveAll) {
  DeadLetters letters(store_.get(), "notes");
  for (int64_t seq : {4, 8}) {
    ASSERT_TRUE(
        letters.SetAside(Signal(seq, "acme"), Failure(1, "e", kT0, kT0)).ok());
  }
  ASSERT_TRUE(
      letters.SetAside(Signal(6, "zeta"), Failure(1, "e", kT0, kT0)).ok());

  auto found = letters.Find("", {8, 6, 8});
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(Seqs(*found), (std::vector<int64_t>{6, 8}));
  // Another tenant's dead letter is no dead letter of this one.
  EXPECT_EQ(letters.Find("acme", {6}).status().message(),
            "no dead letter with seq 6");
  EXPECT_EQ(letters.Find("", {5}).status().code(), absl::StatusCode::kNotFound);

  bool more = false;
  auto first = letters.First("", 2, &more);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(more);
  EXPECT_EQ(first->size(), 2u);
  first = letters.First("", 10, &more);
  EXPECT_FALSE(more);
  EXPECT_EQ(Seqs(*first), (std::vector<int64_t>{4, 6, 8}));  // seq order

  auto removed = letters.Remove(*letters.Find("acme", {4}));
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 1);
  // Dropped while being retried: the failure writes nothing back.
  DeadLetter gone;
  gone.set_seq(4);
  gone.set_tenant("tenants/acme");
  auto after = letters.FailedAgain(gone, Failure(1, "late", kT0, kT0));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_FALSE(after->has_value());
  EXPECT_EQ(*letters.Remove({gone}), 0);

  EXPECT_EQ(*letters.RemoveAll("zeta"), 1);
  EXPECT_EQ(Seqs(letters.List("", 0, "")->letters), std::vector<int64_t>{8});
  EXPECT_EQ(*letters.RemoveAll(""), 1);
  EXPECT_TRUE(letters.List("", 0, "")->letters.empty());
  // Dropping forgets the letters, not how far delivery got.
  EXPECT_EQ(*letters.Watermark(), 8);
}

}  // namespace
}  // namespace retain::plugin_host
