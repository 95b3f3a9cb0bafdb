// retaind's --testing_clock_offset: a testing aid that moves the plugins'
// "now" ahead, so what waits on time passing (a task falling overdue and
// escalating) can be checked on a real server without waiting
// (docs/decisions/0028-testing-clock-offset.md).
#ifndef RETAIN_CORE_SERVER_CLOCK_FLAGS_H_
#define RETAIN_CORE_SERVER_CLOCK_FLAGS_H_

#include <functional>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

ABSL_DECLARE_FLAG(absl::Duration, testing_clock_offset);

namespace retain::server {

// The offset the flag asks for; INVALID_ARGUMENT naming the flag for a
// negative one (time never runs backwards for a plugin: its state would
// hold times after "now").
absl::StatusOr<absl::Duration> TestingClockOffsetFromFlag();

// The plugin host's clock for an offset: empty (the host's own, absl::Now)
// for zero, so an ordinary server runs no extra code.
std::function<absl::Time()> OffsetClock(absl::Duration offset);

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_CLOCK_FLAGS_H_
