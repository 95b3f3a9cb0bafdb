// Conversions between google.protobuf.Timestamp and absl::Time, the one
// definition for the server, the CLI and the reports.
#ifndef RETAIN_API_PROTO_TIME_H_
#define RETAIN_API_PROTO_TIME_H_

#include <cstdint>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace retain::api {

inline absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// Exact for every finite time (nanos always in [0, 1e9), seconds rounded
// towards the past). The infinite times have no Timestamp: they become the
// ends of Timestamp's range, 0001-01-01 and 9999-12-31T23:59:59.999999999Z.
inline google::protobuf::Timestamp ToProto(absl::Time t) {
  constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
  google::protobuf::Timestamp ts;
  if (t == absl::InfinitePast()) {
    ts.set_seconds(kMinSeconds);
    return ts;
  }
  if (t == absl::InfiniteFuture()) {
    ts.set_seconds(kMaxSeconds);
    ts.set_nanos(999999999);
    return ts;
  }
  const int64_t seconds = absl::ToUnixSeconds(t);  // rounds towards the past
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return ts;
}

}  // namespace retain::api

#endif  // RETAIN_API_PROTO_TIME_H_
