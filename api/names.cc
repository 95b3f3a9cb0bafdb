#include "api/names.h"

#include "absl/strings/str_cat.h"

namespace retain::api {

absl::Status ParseAccountName(const std::string& name, const std::string& field,
                              std::string* id) {
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": is required (\"accounts/{account_id}\")"));
  }
  if (!names::SplitAccountName(name, id)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field,
                     ": must be \"accounts/{account_id}\" with an id of 1-63 "
                     "characters [a-z0-9-_.], got \"",
                     name.substr(0, 100), "\""));
  }
  return absl::OkStatus();
}

absl::Status ValidateAccountId(const std::string& id,
                               const std::string& field) {
  if (IsValidAccountId(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field,
                   ": must be 1-63 characters of [a-z0-9-_.] starting with a "
                   "letter or digit"));
}

}  // namespace retain::api
