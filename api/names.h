// Account resource names ("accounts/{account_id}") for retaind and
// retainctl. The syntax itself is defined once, dependency-free, in the
// plugin SDK's retain_account_name.h so plugins share it; this header adds
// the INVALID_ARGUMENT messages the server and the CLI answer with.
#ifndef RETAIN_API_NAMES_H_
#define RETAIN_API_NAMES_H_

#include <string>

#include "absl/status/status.h"
#include "plugins/sdk/retain_account_name.h"

namespace retain::api {

// "acme" -> "accounts/acme" (the id is not checked).
using names::AccountName;
// Lenient: "accounts/acme" or "acme" -> "acme", for inputs that take either.
using names::AccountIdOf;
// 1-63 of [a-z0-9-_.], starting with a letter or digit.
using names::IsValidAccountId;

// Parses "accounts/{id}" and checks the id's syntax. `field` names the field
// in the message, e.g. `name: must be "accounts/{account_id}" ...`.
absl::Status ParseAccountName(const std::string& name, const std::string& field,
                              std::string* id);

// Checks a bare account id (CreateAccount's account_id).
absl::Status ValidateAccountId(const std::string& id, const std::string& field);

}  // namespace retain::api

#endif  // RETAIN_API_NAMES_H_
