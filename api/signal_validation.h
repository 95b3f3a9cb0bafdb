// Checks a signal before anything is written: the rules that need no server
// state, shared by retaind (before a batch is queued) and retainctl (before
// a row is sent). Errors are INVALID_ARGUMENT and name the field path and
// the rule, e.g. "signals[3].survey.score: an NPS answer must be 0-10, got
// 11". Rules that need the server's state (the account exists, a
// contraction leaves ARR above 0) stay in the engine.
#ifndef RETAIN_API_SIGNAL_VALIDATION_H_
#define RETAIN_API_SIGNAL_VALIDATION_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "api/limits.h"
#include "retain/signal/v1/signal.pb.h"

namespace retain::api {

// A batch holds 1 to kMaxBatchSignals signals.
absl::Status ValidateSignalCount(size_t count);

// Validates the fields of one signal, the size limits of api/limits.h
// among them (each field, then the whole signal's kMaxSignalBytes). `path` is
// the field path prefix used in messages (e.g. "signals[3]"); `now` bounds
// occur_time (at most one day ahead); custom types starting with "retain." are
// the server's own unless `allow_reserved_types`.
absl::Status ValidateSignal(const signal::v1::Signal& signal,
                            const std::string& path, absl::Time now,
                            bool allow_reserved_types = false);

// The free-form field of a list request (the page token) is bounded like any
// other string; the account name is checked where it is parsed.
absl::Status ValidateListSignalsRequest(
    const signal::v1::ListSignalsRequest& req);

}  // namespace retain::api

#endif  // RETAIN_API_SIGNAL_VALIDATION_H_
