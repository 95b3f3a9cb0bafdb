// The clock flag lives beside the one function that reads it, like the
// alert and quota flags.
#include "core/server/clock_flags.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

ABSL_FLAG(absl::Duration, testing_clock_offset, absl::ZeroDuration(),
          "TESTING ONLY. Moves the clock plugins read as now (ticks, "
          "NowMicros: due dates, escalations, snoozes) this far ahead, e.g. "
          "216h for 9 days; the engine, its health and the alert history "
          "keep the real time. Must be >= 0; logged at start.");

namespace retain::server {

absl::StatusOr<absl::Duration> TestingClockOffsetFromFlag() {
  const absl::Duration offset = absl::GetFlag(FLAGS_testing_clock_offset);
  if (offset < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--testing_clock_offset must be >= 0, got ",
                     absl::FormatDuration(offset)));
  }
  return offset;
}

std::function<absl::Time()> OffsetClock(absl::Duration offset) {
  if (offset == absl::ZeroDuration()) return nullptr;
  return [offset] { return absl::Now() + offset; };
}

}  // namespace retain::server
