#include "api/names.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace retain::api {
namespace {

TEST(AccountNameTest, FormatsTheResourceName) {
  EXPECT_EQ(AccountName("acme"), "accounts/acme");
  EXPECT_EQ(AccountName("demo-03"), "accounts/demo-03");
}

TEST(AccountIdOfTest, AcceptsANameOrABareId) {
  EXPECT_EQ(AccountIdOf("accounts/acme"), "acme");
  EXPECT_EQ(AccountIdOf("acme"), "acme");
  EXPECT_EQ(AccountIdOf("accounts/"), "");
  // Only the exact prefix is stripped; anything else is left as given.
  EXPECT_EQ(AccountIdOf("account/acme"), "account/acme");
  EXPECT_EQ(AccountIdOf("Accounts/acme"), "Accounts/acme");
}

TEST(IsValidAccountIdTest, OneToSixtyThreeOfTheAllowedCharacters) {
  EXPECT_TRUE(IsValidAccountId("a"));
  EXPECT_TRUE(IsValidAccountId("0"));
  EXPECT_TRUE(IsValidAccountId("acme-corp_2.eu"));
  EXPECT_TRUE(IsValidAccountId(std::string(63, 'a')));
  EXPECT_FALSE(IsValidAccountId(""));
  EXPECT_FALSE(IsValidAccountId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidAccountId("Acme"));
  EXPECT_FALSE(IsValidAccountId("-acme"));
  EXPECT_FALSE(IsValidAccountId("_acme"));
  EXPECT_FALSE(IsValidAccountId(".acme"));
  EXPECT_FALSE(IsValidAccountId("ac me"));
  EXPECT_FALSE(IsValidAccountId("ac/me"));
}

TEST(ParseAccountNameTest, GivesTheId) {
  std::string id;
  ASSERT_TRUE(ParseAccountName("accounts/acme", "name", &id).ok());
  EXPECT_EQ(id, "acme");
}

TEST(ParseAccountNameTest, EmptyIsRequired) {
  std::string id = "untouched";
  absl::Status s = ParseAccountName("", "name", &id);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "name: is required (\"accounts/{account_id}\")");
  EXPECT_EQ(id, "untouched");
}

TEST(ParseAccountNameTest, RejectsWhatIsNotAnAccountName) {
  const std::vector<std::string> bad_names = {
      "acme",
      "accounts/",
      "accounts/Acme",
      "accounts/-acme",
      "account/acme",
      "accounts/acme/x",
      "accounts/" + std::string(64, 'a')};
  for (const std::string& bad : bad_names) {
    std::string id = "untouched";
    absl::Status s = ParseAccountName(bad, "signals[2].account", &id);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.message(),
              "signals[2].account: must be \"accounts/{account_id}\" with an "
              "id of 1-63 characters [a-z0-9-_.], got \"" +
                  bad + "\"")
        << bad;
    EXPECT_EQ(id, "untouched") << bad;
  }
}

TEST(ParseAccountNameTest, QuotesAtMostOneHundredCharacters) {
  const std::string long_name = "accounts/" + std::string(200, 'A');
  std::string id;
  absl::Status s = ParseAccountName(long_name, "name", &id);
  EXPECT_EQ(s.message(),
            "name: must be \"accounts/{account_id}\" with an id of 1-63 "
            "characters [a-z0-9-_.], got \"" +
                long_name.substr(0, 100) + "\"");
}

TEST(ValidateAccountIdTest, NamesTheFieldAndTheRule) {
  EXPECT_TRUE(ValidateAccountId("acme", "account_id").ok());
  absl::Status s = ValidateAccountId("Acme!", "account_id");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "account_id: must be 1-63 characters of [a-z0-9-_.] starting with "
            "a letter or digit");
}

}  // namespace
}  // namespace retain::api
