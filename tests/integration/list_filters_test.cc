// ListAccounts filters (segment, CSM owner, lifecycle stage, health band,
// combined) with total_size across pages, and ListSignals time bounds
// (start inclusive, end exclusive) with kind and paging, on a real retaind.
#include <string>
#include <vector>

#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ListFiltersTest : public ServerTest {
 protected:
  void SetUp() override { StartServer(); }

  void Create(const std::string& id, double arr, const std::string& csm,
              account::v1::LifecycleStage stage, absl::Time start) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    auto* a = req.mutable_account();
    a->set_display_name(id);
    a->set_arr(arr);
    a->set_licensed_seats(100);
    *a->mutable_contract_start_time() = Ts(start);
    *a->mutable_renewal_time() = Ts(start + absl::Hours(24 * 365 * 3));
    a->set_csm_owner(csm);
    a->set_lifecycle_stage(stage);
    account::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(Ctx().get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Every page's account ids; total_size must be the same on each page.
  std::vector<std::string> List(account::v1::ListAccountsRequest req,
                                int* total = nullptr, int* pages = nullptr) {
    std::vector<std::string> ids;
    int n = 0, seen_total = -1;
    while (true) {
      account::v1::ListAccountsResponse page;
      grpc::Status s = accounts_->ListAccounts(Ctx().get(), req, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      ++n;
      if (seen_total >= 0) {
        EXPECT_EQ(page.total_size(), seen_total);
      }
      seen_total = page.total_size();
      for (const auto& a : page.accounts()) ids.push_back(a.name().substr(9));
      if (page.next_page_token().empty()) break;
      req.set_page_token(page.next_page_token());
    }
    if (total) *total = seen_total;
    if (pages) *pages = n;
    return ids;
  }

  std::vector<std::string> Ids(signal::v1::ListSignalsRequest req,
                               int* pages = nullptr) {
    std::vector<std::string> ids;
    int n = 0;
    while (true) {
      signal::v1::ListSignalsResponse page;
      grpc::Status s = signals_->ListSignals(Ctx().get(), req, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      ++n;
      for (const auto& sig : page.signals()) ids.push_back(sig.signal_id());
      if (page.next_page_token().empty()) break;
      req.set_page_token(page.next_page_token());
    }
    if (pages) *pages = n;
    return ids;
  }
};

TEST_F(ListFiltersTest, AccountFiltersAndTotalSize) {
  using account::v1::LIFECYCLE_STAGE_ADOPTION;
  // Segments by ARR (config/health.json): < 5,000 digital, < 20,000 pooled,
  // 20,000-75,000 named, above dedicated.
  Create("a1", 3000, "ana", account::v1::LIFECYCLE_STAGE_ONBOARDING,
         DaysAgo(10));
  Create("a2", 12000, "ana", LIFECYCLE_STAGE_ADOPTION, DaysAgo(10));
  Create("a3", 50000, "bo", LIFECYCLE_STAGE_ADOPTION, DaysAgo(300));
  Create("a4", 100000, "bo", account::v1::LIFECYCLE_STAGE_RENEWAL,
         DaysAgo(200));
  Create("a5", 20000, "ana", LIFECYCLE_STAGE_ADOPTION, DaysAgo(10));
  // Bands (no sponsor anywhere; commercial 10 for all, renewal years away):
  // a3: 90 of 100 seats active (10), contacted 2 days ago (6):
  //     (4 + 1.8 + 1) / 0.8 = 8.5, green.
  // a4: 5 of 100 seats (1), never contacted since 200 days ago (1):
  //     (0.4 + 0.3 + 1) / 0.8 = 2.125, red.
  // a1, a2, a5: no usage (engagement has no data), signed 10 days ago (6):
  //     (1.8 + 1) / 0.4 = 7, yellow.
  signal::v1::RecordSignalsResponse r;
  ASSERT_TRUE(Record({Usage("a3-u", "accounts/a3", DaysAgo(1), 90),
                      Touch("a3-t", "accounts/a3", DaysAgo(2)),
                      Usage("a4-u", "accounts/a4", DaysAgo(1), 5)},
                     &r)
                  .ok());

  account::v1::ListAccountsRequest req;
  int total = 0, pages = 0;
  EXPECT_THAT(List(req, &total), ElementsAre("a1", "a2", "a3", "a4", "a5"));
  EXPECT_EQ(total, 5);

  req.set_segment(account::v1::SEGMENT_NAMED);
  EXPECT_THAT(List(req, &total), ElementsAre("a3", "a5"));
  EXPECT_EQ(total, 2);
  req.set_segment(account::v1::SEGMENT_DIGITAL);
  EXPECT_THAT(List(req, &total), ElementsAre("a1"));
  req.clear_segment();

  req.set_csm_owner("ana");
  EXPECT_THAT(List(req, &total), ElementsAre("a1", "a2", "a5"));
  EXPECT_EQ(total, 3);
  // One per page: three pages, each saying 3 in all.
  req.set_page_size(1);
  EXPECT_THAT(List(req, &total, &pages), ElementsAre("a1", "a2", "a5"));
  EXPECT_EQ(total, 3);
  EXPECT_EQ(pages, 3);
  req.set_page_size(2);
  EXPECT_THAT(List(req, &total, &pages), ElementsAre("a1", "a2", "a5"));
  EXPECT_EQ(pages, 2);
  req.clear_page_size();

  // Combined filters are ANDed.
  req.set_lifecycle_stage(LIFECYCLE_STAGE_ADOPTION);
  EXPECT_THAT(List(req, &total), ElementsAre("a2", "a5"));
  EXPECT_EQ(total, 2);
  req.clear_csm_owner();
  EXPECT_THAT(List(req, &total), ElementsAre("a2", "a3", "a5"));
  EXPECT_EQ(total, 3);
  req.clear_lifecycle_stage();

  req.set_health_band(account::v1::HEALTH_BAND_GREEN);
  EXPECT_THAT(List(req, &total), ElementsAre("a3"));
  EXPECT_EQ(total, 1);
  req.set_health_band(account::v1::HEALTH_BAND_RED);
  EXPECT_THAT(List(req, &total), ElementsAre("a4"));
  req.set_health_band(account::v1::HEALTH_BAND_YELLOW);
  EXPECT_THAT(List(req, &total), ElementsAre("a1", "a2", "a5"));
  EXPECT_EQ(total, 3);
  req.set_csm_owner("bo");
  EXPECT_THAT(List(req, &total), IsEmpty());
  EXPECT_EQ(total, 0);
  req.clear_health_band();
  req.set_csm_owner("nobody");
  EXPECT_THAT(List(req, &total), IsEmpty());
  EXPECT_EQ(total, 0);
}

TEST_F(ListFiltersTest, SignalTimeBoundsKindAndPaging) {
  const std::string acct =
      CreateAccount("timed", 30000, 50, DaysAgo(100)).name();
  // Usage u0..u9 at exact seconds, one day apart from t0 = 60 days ago; a
  // touchpoint at t4 too. The account's own creation signals lie outside.
  const absl::Time t0 = absl::FromUnixSeconds(absl::ToUnixSeconds(DaysAgo(60)));
  auto t = [&](int i) { return t0 + absl::Hours(24 * i); };
  std::vector<signal::v1::Signal> batch;
  for (int i = 0; i < 10; ++i) {
    batch.push_back(Usage(absl::StrCat("u", i), acct, t(i), 10 + i));
  }
  batch.push_back(Touch("tp4", acct, t(4)));
  signal::v1::RecordSignalsResponse r;
  ASSERT_TRUE(Record(std::move(batch), &r).ok());
  ASSERT_EQ(r.recorded(), 11);

  signal::v1::ListSignalsRequest req;
  req.set_account(acct);
  // [t3, t6): start inclusive, end exclusive; time order, then the order
  // of recording (u4 before tp4).
  *req.mutable_start_time() = Ts(t(3));
  *req.mutable_end_time() = Ts(t(6));
  EXPECT_THAT(Ids(req), ElementsAre("u3", "u4", "tp4", "u5"));
  req.set_kind(signal::v1::SIGNAL_KIND_USAGE);
  EXPECT_THAT(Ids(req), ElementsAre("u3", "u4", "u5"));
  req.set_kind(signal::v1::SIGNAL_KIND_TOUCHPOINT);
  EXPECT_THAT(Ids(req), ElementsAre("tp4"));
  req.set_kind(signal::v1::SIGNAL_KIND_SURVEY);
  EXPECT_THAT(Ids(req), IsEmpty());

  // One second either side moves the bounds by one signal.
  req.set_kind(signal::v1::SIGNAL_KIND_USAGE);
  *req.mutable_start_time() = Ts(t(3) + absl::Seconds(1));
  *req.mutable_end_time() = Ts(t(6) + absl::Seconds(1));
  EXPECT_THAT(Ids(req), ElementsAre("u4", "u5", "u6"));

  // Only a start; only an end; an empty window.
  req.clear_end_time();
  *req.mutable_start_time() = Ts(t(7));
  EXPECT_THAT(Ids(req), ElementsAre("u7", "u8", "u9"));
  req.clear_start_time();
  *req.mutable_end_time() = Ts(t(2));
  EXPECT_THAT(Ids(req), ElementsAre("u0", "u1"));
  *req.mutable_start_time() = Ts(t(5));
  *req.mutable_end_time() = Ts(t(5));
  EXPECT_THAT(Ids(req), IsEmpty());

  // Paging inside a window: 2 + 2 + 1.
  *req.mutable_start_time() = Ts(t(2));
  *req.mutable_end_time() = Ts(t(7));
  req.set_page_size(2);
  int pages = 0;
  EXPECT_THAT(Ids(req, &pages), ElementsAre("u2", "u3", "u4", "u5", "u6"));
  EXPECT_EQ(pages, 3);
}

}  // namespace
}  // namespace retain::testing
