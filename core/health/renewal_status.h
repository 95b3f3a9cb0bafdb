// Where an account's renewal stands at a time: due ahead, or overdue (the
// date passed, nothing renewed it, the account still has ARR). The
// commercial rule and the renewals report share it so a renewal is never
// "lapsed" in one and missing from the other.
#ifndef RETAIN_CORE_HEALTH_RENEWAL_STATUS_H_
#define RETAIN_CORE_HEALTH_RENEWAL_STATUS_H_

#include <optional>

#include "absl/time/time.h"
#include "core/model/account_state.h"

namespace retain::health {

struct RenewalStatus {
  // The renewal date in force at as_of, if the account has one.
  std::optional<absl::Time> renewal;
  // The date is at or before as_of, no RENEWAL or NEW_LOGO was recorded on
  // or after it, and ARR at as_of is > 0 (a churned account is lost, not
  // overdue).
  bool overdue = false;
  // Days from the renewal date to as_of when overdue, else 0.
  double days_overdue = 0;
};

RenewalStatus RenewalStatusAt(const model::AccountState& account,
                              absl::Time as_of);

}  // namespace retain::health

#endif  // RETAIN_CORE_HEALTH_RENEWAL_STATUS_H_
