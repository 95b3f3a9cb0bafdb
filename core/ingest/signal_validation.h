// Checks a signal before anything is written. Errors are INVALID_ARGUMENT
// and name the field path and the rule, e.g.
// "signals[3].survey.score: an NPS answer must be 0-10, got 11".
#ifndef RETAIN_CORE_INGEST_SIGNAL_VALIDATION_H_
#define RETAIN_CORE_INGEST_SIGNAL_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "retain/signal/v1/signal.pb.h"

namespace retain::ingest {

inline constexpr int kMaxBatchSignals = 10000;

// Validates the fields of one signal that need no server state. `path` is
// the field path prefix used in messages (e.g. "signals[3]").
absl::Status ValidateSignal(const signal::v1::Signal& signal,
                            const std::string& path, absl::Time now,
                            bool allow_reserved_types = false);

// Parses "accounts/{id}" and checks the id's syntax.
absl::Status ParseAccountName(const std::string& name,
                              const std::string& field, std::string* id);

// 1-63 of [a-z0-9-_.], starting with a letter or digit.
bool IsValidAccountId(const std::string& id);

}  // namespace retain::ingest

#endif  // RETAIN_CORE_INGEST_SIGNAL_VALIDATION_H_
