// The audit trail: append-only and durable, in the store (namespace
// "_audit"), per tenant, listed newest first. Failed authentications are
// recorded at most 50 a second so a flood of bad keys cannot turn into a
// flood of writes (the rest are counted).
#ifndef RETAIN_CORE_AUTH_AUDIT_LOG_H_
#define RETAIN_CORE_AUTH_AUDIT_LOG_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/store/store.h"
#include "retain/auth/v1/audit.pb.h"

namespace retain::auth {

class AuditLog {
 public:
  explicit AuditLog(store::Store* store) : store_(store) {}

  // Appends (event_time is set when empty). Failures are returned; callers
  // log them (an audited action is not undone because its record failed).
  absl::Status Record(const std::string& tenant, v1::AuditEvent event);
  // A failed authentication; the tenant is unknown, so it goes to the
  // operators' trail under tenant "" and is rate-limited.
  void RecordFailedAuthentication(v1::AuditEvent event);

  absl::StatusOr<v1::ListAuditEventsResponse> List(
      const std::string& tenant, const v1::ListAuditEventsRequest& req) const;

  int64_t dropped() const { return dropped_.load(); }

 private:
  store::Store* store_;
  absl::Mutex mu_;
  uint64_t counter_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time window_start_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int in_window_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<int64_t> dropped_{0};
};

}  // namespace retain::auth

#endif  // RETAIN_CORE_AUTH_AUDIT_LOG_H_
