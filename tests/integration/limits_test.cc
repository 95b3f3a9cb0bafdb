// Limits and quotas as a hostile client meets them, against a real retaind
// (docs/decisions/0014-limits-and-quotas.md): every kind of field limit
// named word for word, the 4 MiB attribute refused, a full batch at the
// per-signal cap accepted and listed back in pages a default client can
// read, a message over the receive limit refused, and each per-tenant quota
// answered with RESOURCE_EXHAUSTED while writing nothing. No timing: the
// rate quota refills one token every 1,000 s.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "tests/integration/client_fixture.h"

namespace retain::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class LimitsTest : public ServerTest {
 protected:
  signal::v1::Signal Custom(const std::string& id, const std::string& account) {
    signal::v1::Signal s;
    s.set_signal_id(id);
    s.set_account(account);
    *s.mutable_occur_time() = Ts(DaysAgo(1));
    s.mutable_custom()->set_type("crm.note");
    return s;
  }

  // Signals of `account` whose id starts with `prefix`, read page by page
  // with a default client (4 MiB receive limit); the pages' sizes in *pages.
  int CountListed(const std::string& account, const std::string& prefix,
                  std::vector<int>* pages = nullptr) {
    signal::v1::ListSignalsRequest req;
    req.set_account(account);
    req.set_page_size(1000);
    int n = 0;
    do {
      signal::v1::ListSignalsResponse resp;
      grpc::Status s = signals_->ListSignals(Ctx().get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) return -1;
      for (const auto& sig : resp.signals()) {
        if (absl::StartsWith(sig.signal_id(), prefix)) ++n;
      }
      if (pages) pages->push_back(resp.signals_size());
      req.set_page_token(resp.next_page_token());
    } while (!req.page_token().empty());
    return n;
  }

  grpc::Status CreateWith(const std::string& id, double arr, int seats) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    req.mutable_account()->set_display_name(id);
    req.mutable_account()->set_arr(arr);
    req.mutable_account()->set_licensed_seats(seats);
    account::v1::Account out;
    return accounts_->CreateAccount(Ctx().get(), req, &out);
  }

  int AccountsListed() {
    account::v1::ListAccountsRequest req;
    account::v1::ListAccountsResponse resp;
    EXPECT_TRUE(accounts_->ListAccounts(Ctx().get(), req, &resp).ok());
    return resp.total_size();
  }

  // Restarts on the same store with these flags.
  void Restart(std::vector<std::string> flags) {
    const std::string dir = server_->data_dir();
    ASSERT_TRUE(server_->Stop().ok());
    StartServer(dir, std::move(flags));
  }
};

TEST_F(LimitsTest, TheFourMiBAttributeIsRefusedAndTheBatchWritesNothing) {
  StartServer();
  const std::string acct =
      CreateAccount("acme", 48000, 100, DaysAgo(90)).name();
  signal::v1::Signal hostile = Custom("c-1", acct);
  (*hostile.mutable_custom()->mutable_attributes())["k"] =
      std::string(4 << 20, 'x');
  signal::v1::RecordSignalsResponse resp;
  grpc::Status s = Record({Usage("u-1", acct, DaysAgo(1), 5), hostile}, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "signals[1].custom.attributes[\"k\"]: at most 4096 bytes, got "
            "4194304");
  // Nothing of the batch, and the account's signals still list for anyone.
  EXPECT_EQ(CountListed(acct, "u-"), 0);
  EXPECT_EQ(CountListed(acct, "c-"), 0);
}

TEST_F(LimitsTest, EveryKindOfLimitIsNamedWordForWord) {
  StartServer();
  const std::string acct =
      CreateAccount("acme", 48000, 100, DaysAgo(90)).name();
  signal::v1::RecordSignalsResponse resp;
  auto reject = [&](signal::v1::Signal bad) {
    grpc::Status s = Record({Usage("ok-1", acct, DaysAgo(1), 5), bad}, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    return s.error_message();
  };
  // A string.
  signal::v1::Signal touch = Touch("t-1", acct, DaysAgo(1));
  touch.mutable_touchpoint()->set_csm(std::string(300, 'c'));
  EXPECT_EQ(reject(touch),
            "signals[1].touchpoint.csm: must be at most 256 bytes, got 300");
  // A map's size.
  signal::v1::Signal usage = Usage("u-1", acct, DaysAgo(1), 5);
  for (int i = 0; i < 257; ++i) {
    (*usage.mutable_usage()->mutable_feature_users())[absl::StrCat("f", i)] = 1;
  }
  EXPECT_EQ(reject(usage),
            "signals[1].usage.feature_users: at most 256 features, got 257");
  // A map's key and a map's entry.
  signal::v1::Signal key = Custom("c-1", acct);
  (*key.mutable_custom()->mutable_attributes())[std::string(129, 'k')] = "v";
  EXPECT_EQ(reject(key),
            "signals[1].custom.attributes: a key is at most 128 bytes, got "
            "129");
  signal::v1::Signal entry = Custom("c-2", acct);
  (*entry.mutable_custom()->mutable_attributes())["plan"] =
      std::string(4097, 'v');
  EXPECT_EQ(reject(entry),
            "signals[1].custom.attributes[\"plan\"]: at most 4096 bytes, got "
            "4097");
  // The whole signal.
  signal::v1::Signal whole = Custom("c-3", acct);
  (*whole.mutable_custom()->mutable_attributes())["a"] = std::string(4000, 'a');
  (*whole.mutable_custom()->mutable_attributes())["b"] = std::string(4000, 'b');
  EXPECT_THAT(reject(whole),
              StartsWith("signals[1]: must be at most 6144 bytes serialized, "
                         "got 80"));
  // The ARR bound, on a delta and on an account.
  signal::v1::Signal delta = Custom("m-1", acct);
  delta.mutable_commercial()->set_kind(
      signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
  delta.mutable_commercial()->set_arr_delta(1e308);
  EXPECT_EQ(reject(delta),
            "signals[1].commercial.arr_delta: must be between -1e+12 and "
            "1e+12, got 1e+308");
  EXPECT_EQ(CountListed(acct, "ok-"), 0);

  grpc::Status s = CreateWith("rich", 1e308, 10);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "account.arr: must be at most 1e+12, got 1e+308");
  // The seats bound.
  s = CreateWith("crowded", 1000, 20000000);
  EXPECT_EQ(s.error_message(),
            "account.licensed_seats: must be at most 10000000, got 20000000");
  // A contact's field.
  account::v1::CreateAccountRequest req;
  req.set_account_id("contacts");
  req.mutable_account()->set_display_name("Contacts");
  req.mutable_account()->add_contacts()->set_email(std::string(1 << 20, 'e'));
  account::v1::Account out;
  s = accounts_->CreateAccount(Ctx().get(), req, &out);
  EXPECT_EQ(s.error_message(),
            "account.contacts[0].email: must be at most 256 bytes, got "
            "1048576");
  // An update to ARR 1e308 is refused like a create.
  account::v1::UpdateAccountRequest update;
  update.mutable_account()->set_name(acct);
  update.mutable_account()->set_arr(1e308);
  update.mutable_update_mask()->add_paths("arr");
  s = accounts_->UpdateAccount(Ctx().get(), update, &out);
  EXPECT_EQ(s.error_message(),
            "account.arr: must be at most 1e+12, got 1e+308");
  EXPECT_EQ(AccountsListed(), 1);
  account::v1::GetAccountRequest get;
  get.set_name(acct);
  ASSERT_TRUE(accounts_->GetAccount(Ctx().get(), get, &out).ok());
  EXPECT_EQ(out.arr(), 48000);
}

TEST_F(LimitsTest, AFullBatchAtTheCapIsAcceptedAndListsInPages) {
  StartServer("", {"--durability=normal"});
  const std::string acct =
      CreateAccount("bulk", 48000, 100, DaysAgo(90)).name();
  signal::v1::RecordSignalsRequest req;
  for (int i = 0; i < 10000; ++i) {
    signal::v1::Signal s = Custom(absl::StrFormat("big-%05d", i), acct);
    auto& attributes = *s.mutable_custom()->mutable_attributes();
    attributes["a"] = std::string(4096, 'a');
    attributes["b"] = "";
    // Exactly the per-signal cap (6 KiB), each value within its own.
    attributes["b"] = std::string(6144 - s.ByteSizeLong(), 'b');
    // Longer lengths take longer varints: trim back to the cap.
    while (s.ByteSizeLong() > 6144) attributes["b"].pop_back();
    ASSERT_EQ(s.ByteSizeLong(), 6144u);
    *req.add_signals() = std::move(s);
  }
  EXPECT_GT(req.ByteSizeLong(), 61000000u);
  signal::v1::RecordSignalsResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
  grpc::Status s = signals_->RecordSignals(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.recorded(), 10000);

  // 60 MB of signals, far over a client's 4 MiB: every page is readable,
  // ends early by bytes, and together they hold every signal once.
  std::vector<int> pages;
  EXPECT_EQ(CountListed(acct, "big-", &pages), 10000);
  ASSERT_GT(pages.size(), 15u);
  EXPECT_LT(pages[0], 1000);
  EXPECT_GT(pages[0], 400);
}

TEST_F(LimitsTest, ListAccountsPagesByBytesToo) {
  StartServer("", {"--durability=normal"});
  // 200 contacts with every field at 256 bytes: about 160 KB an account,
  // so 30 of them are about 4.8 MB, over a default client's 4 MiB.
  for (int i = 0; i < 30; ++i) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(absl::StrFormat("wide-%02d", i));
    req.mutable_account()->set_display_name(std::string(256, 'n'));
    for (int c = 0; c < 200; ++c) {
      auto* contact = req.mutable_account()->add_contacts();
      contact->set_display_name(std::string(256, 'd'));
      contact->set_email(std::string(256, 'e'));
      contact->set_role(std::string(256, 'r'));
    }
    account::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(Ctx().get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  account::v1::ListAccountsRequest req;
  req.set_page_size(1000);
  std::vector<int> pages;
  std::vector<std::string> ids;
  do {
    account::v1::ListAccountsResponse resp;
    grpc::Status s = accounts_->ListAccounts(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    pages.push_back(resp.accounts_size());
    for (const auto& a : resp.accounts()) ids.push_back(a.name());
    EXPECT_EQ(resp.total_size(), 30);
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  EXPECT_EQ(ids.size(), 30u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  ASSERT_GE(pages.size(), 2u);
  EXPECT_LT(pages[0], 30);
}

TEST_F(LimitsTest, AMessageOverTheReceiveLimitIsRefusedUnread) {
  StartServer();
  const std::string acct =
      CreateAccount("acme", 48000, 100, DaysAgo(90)).name();
  signal::v1::Signal huge = Custom("c-1", acct);
  (*huge.mutable_custom()->mutable_attributes())["k"] =
      std::string(61 << 20, 'x');
  signal::v1::RecordSignalsResponse resp;
  grpc::Status s = Record({huge}, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  EXPECT_EQ(CountListed(acct, "c-"), 0);
  // The server is fine afterwards.
  EXPECT_TRUE(Record({Usage("u-1", acct, DaysAgo(1), 5)}, &resp).ok());
}

TEST_F(LimitsTest, AccountsQuota) {
  StartServer("", {"--quota_accounts=2"});
  ASSERT_TRUE(CreateWith("a1", 100, 1).ok());
  ASSERT_TRUE(CreateWith("a2", 100, 1).ok());
  grpc::Status s = CreateWith("a3", 100, 1);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(s.error_message(),
            "quota accounts: tenant \"default\" has 2 accounts, the most it "
            "may have; delete one to create another (retrying cannot succeed "
            "until then)");
  EXPECT_EQ(AccountsListed(), 2);
}

TEST_F(LimitsTest, RateQuotaRefusesWholeBatchesWithARetryHint) {
  // One token per 1,000 s: nothing refills while the test runs.
  StartServer("",
              {"--quota_signals_per_second=0.001", "--quota_signals_burst=5"});
  const std::string acct =
      CreateAccount("acme", 48000, 100, DaysAgo(90)).name();
  signal::v1::RecordSignalsResponse resp;
  std::vector<signal::v1::Signal> five;
  for (int i = 0; i < 5; ++i) {
    five.push_back(Usage(absl::StrCat("u-", i), acct, DaysAgo(1 + i), 5));
  }
  ASSERT_TRUE(Record(five, &resp).ok());

  grpc::Status s = Record(
      {Usage("u-5", acct, DaysAgo(1), 5), Usage("u-6", acct, DaysAgo(1), 5)},
      &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(),
              StartsWith("quota signals_per_second: tenant \"default\" may "
                         "record 0.001 signals per second in bursts of at "
                         "most 5; this batch of 2 must wait, retry after "));
  EXPECT_THAT(s.error_message(), ::testing::EndsWith(" ms"));

  std::vector<signal::v1::Signal> six;
  for (int i = 0; i < 6; ++i) {
    six.push_back(Usage(absl::StrCat("v-", i), acct, DaysAgo(1), 5));
  }
  s = Record(six, &resp);
  EXPECT_EQ(s.error_message(),
            "quota signals_per_second: a batch of 6 signals is more than "
            "tenant \"default\"'s burst of 5; send smaller batches (retrying "
            "this one cannot succeed)");

  // A stream's batch is refused the same way and ends the stream.
  grpc::ClientContext ctx;
  signal::v1::StreamSignalsResponse stream_resp;
  auto writer = signals_->StreamSignals(&ctx, &stream_resp);
  signal::v1::StreamSignalsRequest batch;
  *batch.add_signals() = Usage("w-1", acct, DaysAgo(1), 5);
  writer->Write(batch);
  writer->WritesDone();
  s = writer->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(),
              StartsWith("batch 0 rejected, nothing of it was recorded: "
                         "quota signals_per_second: "));
  EXPECT_THAT(s.error_message(), HasSubstr("retry after "));

  EXPECT_EQ(CountListed(acct, "u-"), 5);
  EXPECT_EQ(CountListed(acct, "v-"), 0);
  EXPECT_EQ(CountListed(acct, "w-"), 0);
}

TEST_F(LimitsTest, StoredBytesQuotaHoldsAcrossARestartAndFreesOnDelete) {
  const std::vector<std::string> flags = {"--quota_stored_bytes=40000"};
  StartServer("", flags);
  const std::string acct =
      CreateAccount("acme", 48000, 100, DaysAgo(90)).name();
  auto notes = [](const std::string& prefix, const std::string& account) {
    std::vector<signal::v1::Signal> batch;
    for (int i = 0; i < 5; ++i) {
      signal::v1::Signal s =
          Touch(absl::StrCat(prefix, i), account, DaysAgo(1 + i));
      s.mutable_touchpoint()->set_notes(std::string(4000, 'n'));
      batch.push_back(std::move(s));
    }
    return batch;  // about 20 KB
  };
  signal::v1::RecordSignalsResponse resp;
  ASSERT_TRUE(Record(notes("a-", acct), &resp).ok());
  grpc::Status s = Record(notes("b-", acct), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(),
              StartsWith("quota stored_bytes: tenant \"default\" stores "));
  EXPECT_THAT(s.error_message(),
              HasSubstr(" bytes of at most 40000 and this write needs "));
  EXPECT_EQ(CountListed(acct, "b-"), 0);

  // Counted again from the store at start-up: still full.
  Restart(flags);
  s = Record(notes("b-", acct), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(CountListed(acct, "a-"), 5);

  // Deleting the account gives its bytes back.
  account::v1::DeleteAccountRequest del;
  del.set_name(acct);
  account::v1::DeleteAccountResponse deleted;
  ASSERT_TRUE(accounts_->DeleteAccount(Ctx().get(), del, &deleted).ok());
  const std::string other =
      CreateAccount("other", 1000, 10, DaysAgo(90)).name();
  EXPECT_TRUE(Record(notes("c-", other), &resp).ok());
  EXPECT_EQ(CountListed(other, "c-"), 5);
}

}  // namespace
}  // namespace retain::testing
