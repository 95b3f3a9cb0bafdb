// The rules every stored account satisfies, and which of its fields a client
// may write: checks that need no server state, so retaind applies them to
// every create and update and a client can apply them before it sends.
// Errors are INVALID_ARGUMENT naming the field and the rule, e.g.
// "account.arr: must be a number >= 0, got -5".
#ifndef RETAIN_API_ACCOUNT_VALIDATION_H_
#define RETAIN_API_ACCOUNT_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "retain/account/v1/account.pb.h"

namespace retain::api {

// Checks an account as it would be stored (after a create or an update has
// been applied), field paths prefixed with "account.". The size and range
// limits are in api/limits.h.
absl::Status ValidateAccount(const account::v1::Account& account);

// CreateAccount's idempotency key: at most kMaxRequestIdBytes.
absl::Status ValidateRequestId(const std::string& request_id);

// The free-form fields of a list request (the csm_owner filter and the page
// token) are bounded like any other string.
absl::Status ValidateListAccountsRequest(
    const account::v1::ListAccountsRequest& req);

// The update_mask paths a client may write; the other fields are output
// only. An empty mask means all of them.
const std::vector<std::string>& WritableAccountPaths();

// Every path must be writable: "update_mask: \"name\" is not a writable
// field (display_name, arr, ...)".
absl::Status ValidateAccountUpdatePaths(const std::vector<std::string>& paths);

}  // namespace retain::api

#endif  // RETAIN_API_ACCOUNT_VALIDATION_H_
