// Status and Result: how every SDK call and every plugin hook says what
// went wrong. Codes are gRPC's canonical codes; a hook's status goes back to
// the host as is (see retain_plugin_abi.h for which codes count as plugin
// failures).
#ifndef RETAIN_SDK_STATUS_H_
#define RETAIN_SDK_STATUS_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

namespace retain::sdk {

// gRPC canonical codes.
enum class Code : int32_t {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
};

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message)
      : code_(code), message_(std::move(message)) {}
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return Status(Code::kInvalidArgument, std::move(m));
}
inline Status NotFound(std::string m) {
  return Status(Code::kNotFound, std::move(m));
}
inline Status FailedPrecondition(std::string m) {
  return Status(Code::kFailedPrecondition, std::move(m));
}
inline Status AlreadyExists(std::string m) {
  return Status(Code::kAlreadyExists, std::move(m));
}
inline Status Internal(std::string m) {
  return Status(Code::kInternal, std::move(m));
}

// A value or the status explaining its absence.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Internal("Result built from an OK status");
  }
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // On an error, value() aborts with the status's message (reading an
  // absent value is a bug; check ok() first).
  T& value() {
    CheckHasValue();
    return *value_;
  }
  const T& value() const {
    CheckHasValue();
    return *value_;
  }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  void CheckHasValue() const {
    if (value_) return;
    std::fprintf(stderr, "retain sdk: Result::value() on an error: %s\n",
                 status_.message().c_str());
    std::abort();
  }
  Status status_;
  std::optional<T> value_;
};

}  // namespace retain::sdk

#endif  // RETAIN_SDK_STATUS_H_
