// Commercial references (docs/decisions/0031-one-source-per-arr-event.md):
// per account, the first commercial signal with a reference moves ARR, a
// later one quoting it is stored but changes nothing, in batches, across
// batches and after a restart; applying a signal without a reference
// allocates nothing more than before.
#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "api/proto_time.h"
#include "core/engine/engine.h"
#include "core/health/health_config.h"
#include "core/model/apply_signal.h"
#include "gtest/gtest.h"

namespace {
// Heap allocations made by this process, for the allocation check below.
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace retain::engine {
namespace {

using signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION;
using signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION;
using signal::v1::CommercialEventKind;
using signal::v1::Signal;

Signal Commercial(const std::string& id, const std::string& account,
                  CommercialEventKind kind, double delta,
                  const std::string& reference, absl::Time at = absl::Now()) {
  Signal s;
  s.set_signal_id(id);
  s.set_account("accounts/" + account);
  *s.mutable_occur_time() = api::ToProto(at);
  s.mutable_commercial()->set_kind(kind);
  s.mutable_commercial()->set_arr_delta(delta);
  s.mutable_commercial()->set_reference(reference);
  return s;
}

class CommercialReferenceTest : public ::testing::Test {
 protected:
  void Open() {
    EngineOptions o;
    o.data_dir = dir_;
    o.durability = store::Durability::kNormal;
    o.health = health::DefaultHealthConfig();
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
  }
  void Reopen() {
    engine_->Shutdown();
    engine_.reset();
    Open();
  }
  void Create(const std::string& id, double arr) {
    account::v1::Account a;
    a.set_display_name(id);
    a.set_arr(arr);
    ASSERT_TRUE(engine_->CreateAccount("t", id, a, "").ok());
  }
  double Arr(const std::string& id) {
    auto a = engine_->GetAccount("t", "accounts/" + id);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? a->arr() : -1;
  }

  std::string dir_ =
      ::testing::TempDir() + "/commercial_reference_" +
      std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
      ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::unique_ptr<Engine> engine_;
};

TEST_F(CommercialReferenceTest, TheFirstSignalOfAReferenceCountsPerAccount) {
  Open();
  Create("acme", 100000);
  Create("beta", 50000);
  // One batch: the won opportunity's expansion, billing's invoice of it,
  // and beta's own expansion under the same reference string.
  auto counts = engine_->RecordSignals(
      "t", {Commercial("won", "acme", COMMERCIAL_EVENT_KIND_EXPANSION, 20000,
                       "expansion/opp-1"),
            Commercial("inv-1", "acme", COMMERCIAL_EVENT_KIND_EXPANSION, 20000,
                       "expansion/opp-1"),
            Commercial("b-1", "beta", COMMERCIAL_EVENT_KIND_EXPANSION, 5000,
                       "expansion/opp-1")});
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->recorded, 3);
  EXPECT_EQ(counts->reference_duplicates, 1);
  EXPECT_EQ(counts->reference_duplicate_ids, std::vector<std::string>{"inv-1"});
  EXPECT_DOUBLE_EQ(Arr("acme"), 120000);  // 100,000 + 20,000 once
  EXPECT_DOUBLE_EQ(Arr("beta"), 55000);   // another account's event

  // A later batch: a contraction quoting the applied reference is the same
  // event too; one without a reference always applies.
  counts = engine_->RecordSignals(
      "t", {Commercial("inv-2", "acme", COMMERCIAL_EVENT_KIND_CONTRACTION,
                       -3000, "expansion/opp-1"),
            Commercial("inv-3", "acme", COMMERCIAL_EVENT_KIND_CONTRACTION,
                       -3000, ""),
            Commercial("inv-4", "acme", COMMERCIAL_EVENT_KIND_CONTRACTION,
                       -3000, "")});
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->reference_duplicates, 1);
  EXPECT_EQ(counts->reference_duplicate_ids, std::vector<std::string>{"inv-2"});
  EXPECT_DOUBLE_EQ(Arr("acme"), 114000);  // 120,000 − 2 × 3,000

  // Every signal is stored and listed, the ignored ones too.
  signal::v1::ListSignalsRequest list;
  list.set_account("accounts/acme");
  auto listed = engine_->ListSignals("t", list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  std::vector<std::string> ids;
  for (const Signal& s : listed->signals()) {
    if (s.has_commercial()) ids.push_back(s.signal_id());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"won", "inv-1", "inv-2", "inv-3",
                                           "inv-4"}));

  // The replay at start-up decides as the live engine did.
  Reopen();
  EXPECT_DOUBLE_EQ(Arr("acme"), 114000);
  EXPECT_DOUBLE_EQ(Arr("beta"), 55000);
}

// Folding a commercial signal without a reference into an account (whose
// history has room for it) touches the heap not at all; the reference set
// is only grown by signals that carry one.
TEST(CommercialReferenceModelTest, NoReferenceNoAllocation) {
  model::AccountState account;
  account.timeline.arr_changes.reserve(8);
  const Signal plain = Commercial("s1", "a", COMMERCIAL_EVENT_KIND_EXPANSION,
                                  10, "", absl::FromUnixSeconds(1000));
  const long before = g_allocations.load();
  EXPECT_TRUE(model::ApplySignal(plain, account));
  EXPECT_EQ(g_allocations.load() - before, 0);

  const Signal referenced =
      Commercial("s2", "a", COMMERCIAL_EVENT_KIND_EXPANSION, 10,
                 "invoice/a-long-reference-beyond-any-small-string",
                 absl::FromUnixSeconds(2000));
  EXPECT_TRUE(model::ApplySignal(referenced, account));
  EXPECT_FALSE(model::ApplySignal(referenced, account));
  EXPECT_EQ(account.timeline.arr_changes.size(), 2u);
  EXPECT_EQ(account.timeline.signal_count, 3);
}

}  // namespace
}  // namespace retain::engine
