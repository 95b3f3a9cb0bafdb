#include "api/account_validation.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/limit_checks.h"
#include "api/limits.h"
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
  if (auto s =
          CheckBytes("account.display_name", a.display_name(), kMaxNameBytes);
      !s.ok()) {
    return s;
  }
  if (!std::isfinite(a.arr()) || a.arr() < 0) {
    return Invalid("account.arr",
                   absl::StrCat("must be a number >= 0, got ", a.arr()));
  }
  if (a.arr() > kMaxArr) {
    return Invalid("account.arr", absl::StrCat("must be at most ", kMaxArr,
                                               ", got ", a.arr()));
  }
  if (a.licensed_seats() < 0) {
    return Invalid("account.licensed_seats",
                   absl::StrCat("must be >= 0, got ", a.licensed_seats()));
  }
  if (a.licensed_seats() > kMaxLicensedSeats) {
    return Invalid("account.licensed_seats",
                   absl::StrCat("must be at most ", kMaxLicensedSeats, ", got ",
                                a.licensed_seats()));
  }
  if (a.has_contract_start_time() && a.has_renewal_time() &&
      FromProto(a.renewal_time()) < FromProto(a.contract_start_time())) {
    return Invalid("account.renewal_time",
                   "must not be before contract_start_time");
  }
  if (a.contract_term_months() < 0 ||
      a.contract_term_months() > kMaxContractTermMonths) {
    return Invalid(
        "account.contract_term_months",
        absl::StrCat("must be 0-", kMaxContractTermMonths,
                     " (0 means 12), got ", a.contract_term_months()));
  }
  if (!account::v1::Segment_IsValid(a.segment())) {
    return Invalid("account.segment", "unknown segment");
  }
  if (!account::v1::LifecycleStage_IsValid(a.lifecycle_stage())) {
    return Invalid("account.lifecycle_stage", "unknown lifecycle stage");
  }
  if (auto s = CheckBytes("account.csm_owner", a.csm_owner(), kMaxNameBytes);
      !s.ok()) {
    return s;
  }
  if (auto s = CheckCount("account.contacts", a.contacts_size(), kMaxContacts,
                          "contacts");
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < a.contacts_size(); ++i) {
    const account::v1::Contact& c = a.contacts(i);
    const std::string path = absl::StrCat("account.contacts[", i, "]");
    if (c.display_name().empty() && c.email().empty()) {
      return Invalid(path, "needs a display_name or an email");
    }
    const std::pair<const char*, const std::string*> fields[] = {
        {"display_name", &c.display_name()},
        {"email", &c.email()},
        {"role", &c.role()}};
    for (const auto& [field, value] : fields) {
      if (auto s =
              CheckBytes(absl::StrCat(path, ".", field), *value, kMaxNameBytes);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRequestId(const std::string& request_id) {
  return CheckBytes("request_id", request_id, kMaxRequestIdBytes);
}

absl::Status ValidateListAccountsRequest(
    const account::v1::ListAccountsRequest& req) {
  if (auto s = CheckBytes("csm_owner", req.csm_owner(), kMaxNameBytes);
      !s.ok()) {
    return s;
  }
  return CheckBytes("page_token", req.page_token(), kMaxPageTokenBytes);
}

const std::vector<std::string>& WritableAccountPaths() {
  static const auto* paths = new std::vector<std::string>{
      "display_name",        "arr",          "licensed_seats",
      "contract_start_time", "renewal_time", "segment",
      "lifecycle_stage",     "csm_owner",    "contacts",
      "contract_term_months"};
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
