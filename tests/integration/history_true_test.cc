// History stays true and renewals do not vanish, over a real retaind and its
// store file: an owner change does not move past coverage, archiving and
// deleting (an erase) leave past retention as it was, an erase removes the
// name from every answer, an overdue renewal has its own bucket and a
// renewal moves the date on by the term; all of it survives a restart.
#include <string>

#include "absl/strings/ascii.h"
#include "absl/time/civil_time.h"
#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

class HistoryTrueTest : public ServerTest {
 protected:
  void SetUp() override { StartServer(); }

  void Create(const std::string& id, const std::string& display, double arr,
              absl::Time start, absl::Time renewal, const std::string& csm) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    auto* a = req.mutable_account();
    a->set_display_name(display);
    a->set_arr(arr);
    a->set_licensed_seats(50);
    *a->mutable_contract_start_time() = Ts(start);
    *a->mutable_renewal_time() = Ts(renewal);
    a->set_csm_owner(csm);
    auto* c = a->add_contacts();
    c->set_display_name(display + " Contact");
    c->set_email("contact@" + absl::AsciiStrToLower(display.substr(0, 5)) +
                 ".example");
    account::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(Ctx().get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // A report time after every change made so far: requests carry whole
  // seconds, and a change made within the current second is after its
  // start.
  static absl::Time AfterNow() { return absl::Now() + absl::Seconds(1); }

  report::v1::PortfolioReport Report(absl::Time as_of,
                                     absl::Time start = absl::InfinitePast()) {
    report::v1::GetPortfolioReportRequest req;
    *req.mutable_as_of_time() = Ts(as_of);
    if (start != absl::InfinitePast()) {
      *req.mutable_period_start_time() = Ts(start);
    }
    report::v1::PortfolioReport r;
    grpc::Status s = reports_->GetPortfolioReport(Ctx().get(), req, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r;
  }

  static int Book(const report::v1::PortfolioReport& r) {
    int n = 0;
    for (const auto& s : r.health_by_segment()) {
      n += s.green() + s.yellow() + s.red();
    }
    return n;
  }

  int ListedTotal(bool show_archived) {
    account::v1::ListAccountsRequest req;
    req.set_show_archived(show_archived);
    account::v1::ListAccountsResponse resp;
    grpc::Status s = accounts_->ListAccounts(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.total_size();
  }

  grpc::Status Commercial(const std::string& signal_id,
                          const std::string& account, absl::Time t,
                          signal::v1::CommercialEventKind kind, double delta,
                          const std::string& reason) {
    signal::v1::Signal s;
    s.set_signal_id(signal_id);
    s.set_account(account);
    *s.mutable_occur_time() = Ts(t);
    s.mutable_commercial()->set_kind(kind);
    s.mutable_commercial()->set_arr_delta(delta);
    s.mutable_commercial()->set_reason(reason);
    signal::v1::RecordSignalsResponse resp;
    return Record({s}, &resp);
  }

  account::v1::Account Get(const std::string& name, grpc::Status* status) {
    account::v1::GetAccountRequest req;
    req.set_name(name);
    account::v1::Account a;
    *status = accounts_->GetAccount(Ctx().get(), req, &a);
    return a;
  }
};

TEST_F(HistoryTrueTest, OwnerChangeLeavesPastCoverageWithTheOldOwner) {
  // Two named accounts (30,000 each), owned by alice and by bob.
  Create("north", "North", 30000, DaysAgo(200), DaysAgo(-200), "alice");
  Create("south", "South", 30000, DaysAgo(200), DaysAgo(-200), "bob");
  const absl::Time before = absl::Now() - absl::Seconds(1);
  account::v1::UpdateAccountRequest up;
  up.mutable_account()->set_name("accounts/south");
  up.mutable_account()->set_csm_owner("alice");
  up.mutable_update_mask()->add_paths("csm_owner");
  account::v1::Account updated;
  ASSERT_TRUE(accounts_->UpdateAccount(Ctx().get(), up, &updated).ok());
  EXPECT_EQ(updated.csm_owner(), "alice");

  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run == 0 ? "live" : "after restart");
    // Before the hand-over: alice and bob, 2 CSMs; after: alice only.
    EXPECT_EQ(Report(before).csms_assigned_total(), 2);
    EXPECT_EQ(Report(AfterNow()).csms_assigned_total(), 1);
    grpc::Status s;
    EXPECT_EQ(Get("accounts/south", &s).csm_owner(), "alice");
    RestartServer();
  }
}

TEST_F(HistoryTrueTest, ArchiveAndDeleteLeavePastRetentionAsItWas) {
  // ARR at the period start (365 days ago): 10,000 + 5,000 + 20,000 =
  // 35,000. "gone" churned 100 days ago: ARR at the end 30,000, so
  // NRR = GRR = 30,000 / 35,000.
  Create("stay", "Stay", 10000, DaysAgo(400), DaysAgo(-100), "alice");
  Create("gone", "Gone", 5000, DaysAgo(400), DaysAgo(-100), "alice");
  Create("paused", "Paused", 20000, DaysAgo(400), DaysAgo(-100), "alice");
  ASSERT_TRUE(Commercial("gone-churn", "accounts/gone", DaysAgo(100),
                         signal::v1::COMMERCIAL_EVENT_KIND_CHURN, 0,
                         "moved to a competitor")
                  .ok());
  const absl::Time start = DaysAgo(365);
  const absl::Time before = absl::Now() - absl::Seconds(1);
  const double nrr = 30000.0 / 35000.0;
  ASSERT_NEAR(Report(before, start).retention().nrr(), nrr, 1e-9);
  // The book: stay and paused (gone is churned).
  EXPECT_EQ(Book(Report(before, start)), 2);

  account::v1::ArchiveAccountRequest ar;
  ar.set_name("accounts/paused");
  account::v1::Account archived;
  ASSERT_TRUE(accounts_->ArchiveAccount(Ctx().get(), ar, &archived).ok());
  EXPECT_TRUE(archived.archived());
  account::v1::DeleteAccountRequest del;
  del.set_name("accounts/gone");
  account::v1::DeleteAccountResponse deleted;
  ASSERT_TRUE(accounts_->DeleteAccount(Ctx().get(), del, &deleted).ok());

  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run == 0 ? "live" : "after restart");
    EXPECT_NEAR(Report(before, start).retention().nrr(), nrr, 1e-9);
    EXPECT_NEAR(Report(before, start).retention().grr(), nrr, 1e-9);
    // Before the archive paused was in the book; now it is not.
    EXPECT_EQ(Book(Report(before, start)), 2);
    EXPECT_EQ(Book(Report(AfterNow())), 1);
    // Lists: stay only; with archived ones, also paused and gone's
    // anonymous remainder.
    EXPECT_EQ(ListedTotal(false), 1);
    EXPECT_EQ(ListedTotal(true), 3);
    grpc::Status s;
    Get("accounts/gone", &s);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
    RestartServer();
  }

  account::v1::RestoreAccountRequest rr;
  rr.set_name("accounts/paused");
  account::v1::Account restored;
  ASSERT_TRUE(accounts_->RestoreAccount(Ctx().get(), rr, &restored).ok());
  EXPECT_FALSE(restored.archived());
  EXPECT_EQ(Book(Report(AfterNow())), 2);
  EXPECT_EQ(ListedTotal(false), 2);
}

TEST_F(HistoryTrueTest, EraseRemovesTheNameFromEveryAnswer) {
  Create("zebra-corp", "Zebra Corp", 12000, DaysAgo(200), DaysAgo(-165),
         "alice");
  ASSERT_TRUE(Commercial("zebra-upsell", "accounts/zebra-corp", DaysAgo(50),
                         signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION, 3000,
                         "Zebra Corp bought the add-on")
                  .ok());
  signal::v1::RecordSignalsResponse rec;
  signal::v1::Signal touch =
      Touch("zebra-call", "accounts/zebra-corp", DaysAgo(10));
  touch.mutable_touchpoint()->set_notes("Zebra Corp wants a discount");
  ASSERT_TRUE(Record({touch}, &rec).ok());
  const absl::Time start = DaysAgo(365);
  const absl::Time as_of = absl::Now() - absl::Seconds(1);
  const std::string retention_before =
      Report(as_of, start).retention().SerializeAsString();

  account::v1::EraseAccountRequest er;
  er.set_name("accounts/zebra-corp");
  account::v1::EraseAccountResponse erased;
  ASSERT_TRUE(accounts_->EraseAccount(Ctx().get(), er, &erased).ok());
  // Kept: the expansion; deleted: the touchpoint and the contacts record of
  // the creation.
  EXPECT_EQ(erased.kept_signals(), 1);
  EXPECT_EQ(erased.deleted_signals(), 2);

  const auto no_zebra = [](const google::protobuf::Message& m) {
    return absl::AsciiStrToLower(m.DebugString()).find("zebra") ==
           std::string::npos;
  };
  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run == 0 ? "live" : "after restart");
    grpc::Status s;
    Get("accounts/zebra-corp", &s);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
    const account::v1::Account anon = Get(erased.anonymous_account(), &s);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(no_zebra(anon)) << anon.DebugString();
    EXPECT_TRUE(anon.erased());
    EXPECT_TRUE(anon.archived());
    EXPECT_EQ(anon.contacts_size(), 0);
    // 12,000 + 3,000: the revenue history is still there.
    EXPECT_DOUBLE_EQ(anon.arr(), 15000);

    account::v1::ListAccountsRequest lr;
    lr.set_show_archived(true);
    account::v1::ListAccountsResponse listed;
    ASSERT_TRUE(accounts_->ListAccounts(Ctx().get(), lr, &listed).ok());
    EXPECT_TRUE(no_zebra(listed));
    signal::v1::ListSignalsRequest sr;
    sr.set_account(erased.anonymous_account());
    signal::v1::ListSignalsResponse sigs;
    ASSERT_TRUE(signals_->ListSignals(Ctx().get(), sr, &sigs).ok());
    EXPECT_TRUE(no_zebra(sigs)) << sigs.DebugString();
    const report::v1::PortfolioReport r = Report(as_of, start);
    EXPECT_TRUE(no_zebra(r));
    EXPECT_EQ(r.retention().SerializeAsString(), retention_before);
    report::v1::ListAlertsRequest alr;
    report::v1::ListAlertsResponse alerts;
    ASSERT_TRUE(reports_->ListAlerts(Ctx().get(), alr, &alerts).ok());
    EXPECT_TRUE(no_zebra(alerts));
    RestartServer();
  }
}

TEST_F(HistoryTrueTest, OverdueRenewalsHaveABucketAndARenewalMovesTheDate) {
  // Due at midnight UTC of a day about 40 days ago (day <= 28, so twelve
  // months later is the same day of the month).
  absl::CivilDay d =
      absl::CivilDay(absl::ToCivilDay(DaysAgo(40), absl::UTCTimeZone()));
  if (d.day() > 28) d = absl::CivilDay(d.year(), d.month(), 28);
  const absl::Time due = absl::FromCivil(d, absl::UTCTimeZone());
  Create("late", "Late", 8000, due - absl::Hours(24 * 365), due, "alice");

  // 17 days after the date: overdue by 17 days, in no window.
  const absl::Time as_of = due + absl::Hours(24 * 17);
  report::v1::PortfolioReport r = Report(as_of);
  EXPECT_EQ(r.overdue_renewals().accounts(), 1);
  EXPECT_DOUBLE_EQ(r.overdue_renewals().arr(), 8000);
  ASSERT_EQ(r.overdue_renewals().renewals_size(), 1);
  EXPECT_DOUBLE_EQ(r.overdue_renewals().renewals(0).days_overdue(), 17);
  for (const auto& w : r.renewals()) EXPECT_EQ(w.accounts(), 0);

  // Renewed 20 days late, with no new date: due twelve months after the
  // date it renews.
  ASSERT_TRUE(Commercial("late-renewal", "accounts/late",
                         due + absl::Hours(24 * 20),
                         signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL, 0, "")
                  .ok());
  const absl::Time next = absl::FromCivil(
      absl::CivilDay(d.year() + 1, d.month(), d.day()), absl::UTCTimeZone());
  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run == 0 ? "live" : "after restart");
    grpc::Status s;
    const account::v1::Account a = Get("accounts/late", &s);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(a.renewal_time().seconds(), absl::ToUnixSeconds(next));
    EXPECT_EQ(a.contract_term_months(), 12);
    // As of 17 days after the date it was overdue, and stays so.
    EXPECT_EQ(Report(as_of).overdue_renewals().accounts(), 1);
    EXPECT_EQ(Report(AfterNow()).overdue_renewals().accounts(), 0);
    RestartServer();
  }
}

}  // namespace
}  // namespace retain::testing
