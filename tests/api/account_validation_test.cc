// Every rule of api::ValidateAccount and the update-mask check, with its
// message word for word.
#include "api/account_validation.h"

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "api/limits.h"
#include "api/proto_time.h"
#include "gtest/gtest.h"

namespace retain::api {
namespace {

using account::v1::Account;

Account Valid() {
  Account a;
  a.set_display_name("Acme");
  a.set_arr(48000);
  a.set_licensed_seats(120);
  *a.mutable_contract_start_time() = ToProto(absl::FromUnixSeconds(1748736000));
  *a.mutable_renewal_time() = ToProto(absl::FromUnixSeconds(1780272000));
  a.set_csm_owner("ana@example.com");
  a.add_contacts()->set_display_name("Kim");
  a.add_contacts()->set_email("lee@example.com");
  return a;
}

struct Case {
  std::string rule;
  std::function<void(Account&)> change;
  std::string message;
};

TEST(ValidateAccountTest, EachRuleNamesTheFieldAndTheRule) {
  ASSERT_TRUE(ValidateAccount(Valid()).ok());
  const std::vector<Case> cases = {
      {"display_name required", [](Account& a) { a.clear_display_name(); },
       "account.display_name: is required"},
      {"display_name too long",
       [](Account& a) { a.set_display_name(std::string(257, 'n')); },
       "account.display_name: must be at most 256 bytes, got 257"},
      {"arr negative", [](Account& a) { a.set_arr(-1); },
       "account.arr: must be a number >= 0, got -1"},
      {"arr not a number", [](Account& a) { a.set_arr(std::nan("")); },
       "account.arr: must be a number >= 0, got nan"},
      {"arr infinite", [](Account& a) { a.set_arr(INFINITY); },
       "account.arr: must be a number >= 0, got inf"},
      {"licensed_seats", [](Account& a) { a.set_licensed_seats(-3); },
       "account.licensed_seats: must be >= 0, got -3"},
      {"renewal before start",
       [](Account& a) {
         *a.mutable_renewal_time() = ToProto(absl::FromUnixSeconds(1700000000));
       },
       "account.renewal_time: must not be before contract_start_time"},
      {"segment",
       [](Account& a) { a.set_segment(static_cast<account::v1::Segment>(99)); },
       "account.segment: unknown segment"},
      {"lifecycle_stage",
       [](Account& a) {
         a.set_lifecycle_stage(static_cast<account::v1::LifecycleStage>(99));
       },
       "account.lifecycle_stage: unknown lifecycle stage"},
      {"csm_owner too long",
       [](Account& a) { a.set_csm_owner(std::string(257, 'o')); },
       "account.csm_owner: must be at most 256 bytes, got 257"},
      {"too many contacts",
       [](Account& a) {
         while (a.contacts_size() <= 200) a.add_contacts()->set_email("x@y.z");
       },
       "account.contacts: at most 200 contacts, got 201"},
      {"contact needs a name or an email",
       [](Account& a) { a.add_contacts()->set_role("cfo"); },
       "account.contacts[2]: needs a display_name or an email"},
  };
  for (const Case& c : cases) {
    Account a = Valid();
    c.change(a);
    absl::Status st = ValidateAccount(a);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.rule;
    EXPECT_EQ(st.message(), c.message) << c.rule;
  }
}

// The size and range limits of api/limits.h (decision 0014).
TEST(ValidateAccountTest, EachLimitNamesTheFieldTheLimitAndTheValue) {
  const std::vector<Case> cases = {
      {"arr above the bound", [](Account& a) { a.set_arr(1e308); },
       "account.arr: must be at most 1e+12, got 1e+308"},
      {"arr just above the bound", [](Account& a) { a.set_arr(1.5e12); },
       "account.arr: must be at most 1e+12, got 1.5e+12"},
      {"licensed_seats above the bound",
       [](Account& a) { a.set_licensed_seats(10000001); },
       "account.licensed_seats: must be at most 10000000, got 10000001"},
      {"contact display_name",
       [](Account& a) {
         a.mutable_contacts(1)->set_display_name(std::string(257, 'd'));
       },
       "account.contacts[1].display_name: must be at most 256 bytes, got 257"},
      {"contact email",
       [](Account& a) {
         a.mutable_contacts(0)->set_email(std::string(300, 'e'));
       },
       "account.contacts[0].email: must be at most 256 bytes, got 300"},
      {"contact role",
       [](Account& a) {
         a.mutable_contacts(1)->set_role(std::string(1 << 20, 'r'));
       },
       "account.contacts[1].role: must be at most 256 bytes, got 1048576"},
  };
  for (const Case& c : cases) {
    Account a = Valid();
    c.change(a);
    absl::Status st = ValidateAccount(a);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.rule;
    EXPECT_EQ(st.message(), c.message) << c.rule;
  }
}

TEST(ValidateAccountTest, EveryLimitIsInclusive) {
  Account a = Valid();
  a.set_arr(kMaxArr);
  a.set_licensed_seats(kMaxLicensedSeats);
  a.set_display_name(std::string(kMaxNameBytes, 'n'));
  a.set_csm_owner(std::string(kMaxNameBytes, 'o'));
  a.clear_contacts();
  while (a.contacts_size() < static_cast<int>(kMaxContacts)) {
    auto* c = a.add_contacts();
    c->set_display_name(std::string(kMaxNameBytes, 'd'));
    c->set_email(std::string(kMaxNameBytes, 'e'));
    c->set_role(std::string(kMaxNameBytes, 'r'));
  }
  EXPECT_TRUE(ValidateAccount(a).ok()) << ValidateAccount(a);
}

TEST(ValidateRequestIdTest, AtMost128Bytes) {
  EXPECT_TRUE(ValidateRequestId(std::string(128, 'q')).ok());
  EXPECT_EQ(ValidateRequestId(std::string(129, 'q')).message(),
            "request_id: must be at most 128 bytes, got 129");
}

TEST(ValidateListAccountsRequestTest, FilterAndTokenAreBounded) {
  account::v1::ListAccountsRequest req;
  req.set_csm_owner(std::string(256, 'c'));
  req.set_page_token(std::string(256, 't'));
  EXPECT_TRUE(ValidateListAccountsRequest(req).ok());
  req.set_csm_owner(std::string(257, 'c'));
  EXPECT_EQ(ValidateListAccountsRequest(req).message(),
            "csm_owner: must be at most 256 bytes, got 257");
  req.set_csm_owner("");
  req.set_page_token(std::string(4 << 20, 't'));
  EXPECT_EQ(ValidateListAccountsRequest(req).message(),
            "page_token: must be at most 256 bytes, got 4194304");
}

TEST(ValidateAccountTest, RenewalWithoutStartIsFine) {
  Account a = Valid();
  a.clear_contract_start_time();
  *a.mutable_renewal_time() = ToProto(absl::FromUnixSeconds(1));
  EXPECT_TRUE(ValidateAccount(a).ok());
}

TEST(ValidateAccountUpdatePathsTest, OnlyWritableFields) {
  EXPECT_TRUE(ValidateAccountUpdatePaths(WritableAccountPaths()).ok());
  EXPECT_TRUE(ValidateAccountUpdatePaths({}).ok());
  absl::Status st = ValidateAccountUpdatePaths({"arr", "health_score"});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "update_mask: \"health_score\" is not a writable field "
            "(display_name, arr, licensed_seats, contract_start_time, "
            "renewal_time, segment, lifecycle_stage, csm_owner, contacts, "
            "contract_term_months)");
}

}  // namespace
}  // namespace retain::api
