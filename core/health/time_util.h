// Small time helpers shared by the health rules and the reports.
#ifndef RETAIN_CORE_HEALTH_TIME_UTIL_H_
#define RETAIN_CORE_HEALTH_TIME_UTIL_H_

#include <string>

#include "absl/time/time.h"
#include "api/proto_time.h"
#include "google/protobuf/timestamp.pb.h"

namespace retain::health {

inline absl::Duration Days(double n) { return absl::Hours(24 * n); }

// Fractional days from `from` to `to` (negative when `to` is earlier).
inline double DaysBetween(absl::Time from, absl::Time to) {
  return absl::FDivDuration(to - from, absl::Hours(24));
}

// Whether `t` lies in the window of `days` days ending at `as_of`, i.e. in
// (as_of − days, as_of]. Every "in the last N days" rule uses this one
// definition so window edges agree across rules.
inline bool InLastDays(absl::Time t, absl::Time as_of, double days) {
  return t <= as_of && t > as_of - Days(days);
}

// The conversions of api/proto_time.h, in the out-parameter form the
// report builders use.
using api::FromProto;
inline void ToProto(absl::Time t, google::protobuf::Timestamp* ts) {
  *ts = api::ToProto(t);
}

// RFC 3339 in UTC, for explanation inputs.
inline std::string TimeString(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace retain::health

#endif  // RETAIN_CORE_HEALTH_TIME_UTIL_H_
