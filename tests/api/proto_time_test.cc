#include "api/proto_time.h"

#include "gtest/gtest.h"

namespace retain::api {
namespace {

google::protobuf::Timestamp Ts(int64_t seconds, int32_t nanos) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  ts.set_nanos(nanos);
  return ts;
}

TEST(ProtoTimeTest, FromProtoAddsTheNanos) {
  EXPECT_EQ(FromProto(Ts(0, 0)), absl::UnixEpoch());
  EXPECT_EQ(FromProto(Ts(1700000000, 250)),
            absl::FromUnixSeconds(1700000000) + absl::Nanoseconds(250));
  EXPECT_EQ(FromProto(Ts(-1, 500000000)), absl::FromUnixMillis(-500));
}

TEST(ProtoTimeTest, ToProtoKeepsNanosInRange) {
  google::protobuf::Timestamp ts =
      ToProto(absl::FromUnixSeconds(1700000000) + absl::Nanoseconds(7));
  EXPECT_EQ(ts.seconds(), 1700000000);
  EXPECT_EQ(ts.nanos(), 7);
  // Before the epoch the seconds round towards the past, nanos stay >= 0.
  ts = ToProto(absl::FromUnixMillis(-1500));
  EXPECT_EQ(ts.seconds(), -2);
  EXPECT_EQ(ts.nanos(), 500000000);
}

TEST(ProtoTimeTest, RoundTrips) {
  for (absl::Time t :
       {absl::UnixEpoch(), absl::FromUnixNanos(1), absl::FromUnixNanos(-1),
        absl::FromUnixSeconds(1764547200) + absl::Nanoseconds(999999999),
        absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0),
                        absl::UTCTimeZone()),
        absl::FromCivil(absl::CivilSecond(9999, 12, 31, 23, 59, 59),
                        absl::UTCTimeZone())}) {
    EXPECT_EQ(FromProto(ToProto(t)), t) << t;
  }
}

TEST(ProtoTimeTest, InfiniteTimesBecomeTheEndsOfTheRange) {
  google::protobuf::Timestamp past = ToProto(absl::InfinitePast());
  EXPECT_EQ(past.seconds(), -62135596800);
  EXPECT_EQ(past.nanos(), 0);
  google::protobuf::Timestamp future = ToProto(absl::InfiniteFuture());
  EXPECT_EQ(future.seconds(), 253402300799);
  EXPECT_EQ(future.nanos(), 999999999);
}

}  // namespace
}  // namespace retain::api
