#include "core/reports/report_util.h"

#include "absl/time/civil_time.h"

namespace retain::reports {

int WholeMonthsBetween(absl::Time from, absl::Time to) {
  if (to <= from) return 0;
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilSecond a = absl::ToCivilSecond(from, utc);
  const absl::CivilSecond b = absl::ToCivilSecond(to, utc);
  int months =
      static_cast<int>((b.year() - a.year()) * 12 + (b.month() - a.month()));
  // Not a whole month yet if the day/time within the month is earlier.
  const auto within = [](const absl::CivilSecond& c) {
    return ((c.day() * 24 + c.hour()) * 60 + c.minute()) * 60 + c.second();
  };
  if (within(b) < within(a)) --months;
  return months < 0 ? 0 : months;
}

Accounts LiveAt(const Accounts& accounts, absl::Time t) {
  Accounts live;
  live.reserve(accounts.size());
  for (const model::AccountState* a : accounts) {
    if (!model::ArchivedAt(*a, t)) live.push_back(a);
  }
  return live;
}

double InitialArr(const model::AccountTimeline& timeline, absl::Time until) {
  double first = 0;
  ForEachArrStep(timeline, until,
                 [&first](const model::ArrChange&, double, double after) {
                   if (first == 0 && after > 0) first = after;
                 });
  return first;
}

}  // namespace retain::reports
