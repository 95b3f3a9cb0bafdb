#include "core/health/renewal_status.h"

#include "core/health/time_util.h"

namespace retain::health {

RenewalStatus RenewalStatusAt(const model::AccountState& account,
                              absl::Time as_of) {
  RenewalStatus r;
  r.renewal = model::RenewalAt(account, as_of);
  if (!r.renewal || *r.renewal > as_of) return r;
  const model::AccountTimeline& tl = account.timeline;
  if (model::ArrAt(tl, as_of) <= 0) return r;
  // A renewal (or a fresh contract) on or after the date settles it, also
  // one that carried no new date.
  for (size_t i = model::EndAsOf(tl.arr_changes, as_of); i > 0; --i) {
    const model::ArrChange& ch = tl.arr_changes[i - 1];
    if (ch.time < *r.renewal) break;
    if (ch.kind == signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL ||
        ch.kind == signal::v1::COMMERCIAL_EVENT_KIND_NEW_LOGO) {
      return r;
    }
  }
  r.overdue = true;
  r.days_overdue = DaysBetween(*r.renewal, as_of);
  return r;
}

}  // namespace retain::health
