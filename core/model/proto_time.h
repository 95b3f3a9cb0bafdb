// Conversions between google.protobuf.Timestamp and absl::Time.
#ifndef RETAIN_CORE_MODEL_PROTO_TIME_H_
#define RETAIN_CORE_MODEL_PROTO_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace retain::model {

inline absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

inline google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t nanos = absl::ToUnixNanos(t);
  int64_t secs = nanos / 1000000000;
  int64_t rem = nanos % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    --secs;
  }
  ts.set_seconds(secs);
  ts.set_nanos(static_cast<int32_t>(rem));
  return ts;
}

}  // namespace retain::model

#endif  // RETAIN_CORE_MODEL_PROTO_TIME_H_
