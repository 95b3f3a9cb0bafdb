#include "api/account_validation.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/proto_time.h"

namespace retain::api {
namespace {

using account::v1::Account;

absl::Status Invalid(const std::string& field, const std::string& rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

}  // namespace

absl::Status ValidateAccount(const Account& a) {
  if (a.display_name().empty()) {
    return Invalid("account.display_name", "is required");
  }
  if (a.display_name().size() > 256) {
    return Invalid("account.display_name", "must be at most 256 bytes");
  }
  if (!std::isfinite(a.arr()) || a.arr() < 0) {
    return Invalid("account.arr",
                   absl::StrCat("must be a number >= 0, got ", a.arr()));
  }
  if (a.licensed_seats() < 0) {
    return Invalid("account.licensed_seats",
                   absl::StrCat("must be >= 0, got ", a.licensed_seats()));
  }
  if (a.has_contract_start_time() && a.has_renewal_time() &&
      FromProto(a.renewal_time()) < FromProto(a.contract_start_time())) {
    return Invalid("account.renewal_time",
                   "must not be before contract_start_time");
  }
  if (!account::v1::Segment_IsValid(a.segment())) {
    return Invalid("account.segment", "unknown segment");
  }
  if (!account::v1::LifecycleStage_IsValid(a.lifecycle_stage())) {
    return Invalid("account.lifecycle_stage", "unknown lifecycle stage");
  }
  if (a.csm_owner().size() > 256) {
    return Invalid("account.csm_owner", "must be at most 256 bytes");
  }
  if (a.contacts_size() > 200) {
    return Invalid("account.contacts", "at most 200 contacts");
  }
  for (int i = 0; i < a.contacts_size(); ++i) {
    if (a.contacts(i).display_name().empty() && a.contacts(i).email().empty()) {
      return Invalid(absl::StrCat("account.contacts[", i, "]"),
                     "needs a display_name or an email");
    }
  }
  return absl::OkStatus();
}

const std::vector<std::string>& WritableAccountPaths() {
  static const auto* paths = new std::vector<std::string>{
      "display_name",        "arr",          "licensed_seats",
      "contract_start_time", "renewal_time", "segment",
      "lifecycle_stage",     "csm_owner",    "contacts"};
  return *paths;
}

absl::Status ValidateAccountUpdatePaths(const std::vector<std::string>& paths) {
  const std::vector<std::string>& writable = WritableAccountPaths();
  for (const std::string& p : paths) {
    if (std::find(writable.begin(), writable.end(), p) == writable.end()) {
      return Invalid("update_mask",
                     absl::StrCat("\"", p, "\" is not a writable field (",
                                  absl::StrJoin(writable, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace retain::api
