#include "core/auth/audit_log.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/proto_time.h"
#include "core/store/tenant_key.h"

namespace retain::auth {
namespace {

constexpr char kNamespace[] = "_audit";
constexpr int kFailedPerSecond = 50;

}  // namespace

absl::Status AuditLog::Record(const std::string& tenant, v1::AuditEvent event) {
  if (!event.has_event_time()) {
    *event.mutable_event_time() = api::ToProto(absl::Now());
  }
  const int64_t us = absl::ToUnixMicros(api::FromProto(event.event_time()));
  uint64_t n;
  {
    absl::MutexLock lock(&mu_);
    n = counter_++;
  }
  // Newest first in key order: the time counts down; the counter breaks
  // ties within a microsecond (and counts down too).
  const std::string key =
      absl::StrFormat("%019d%020d", std::numeric_limits<int64_t>::max() - us,
                      std::numeric_limits<uint64_t>::max() / 2 - n);
  return store_->KvApply(
      kNamespace, {{store::TenantKey(tenant, key), event.SerializeAsString()}});
}

void AuditLog::RecordFailedAuthentication(v1::AuditEvent event) {
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    if (now - window_start_ >= absl::Seconds(1)) {
      window_start_ = now;
      in_window_ = 0;
    }
    if (++in_window_ > kFailedPerSecond) {
      dropped_.fetch_add(1);
      return;
    }
  }
  Record("", std::move(event)).IgnoreError();
}

absl::StatusOr<v1::ListAuditEventsResponse> AuditLog::List(
    const std::string& tenant, const v1::ListAuditEventsRequest& req) const {
  if (req.page_size() < 0 || req.page_size() > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 0-1000, got ", req.page_size()));
  }
  const int size = req.page_size() == 0 ? 100 : req.page_size();
  const std::string prefix = store::TenantKey(tenant, "");
  std::string after;
  if (!req.page_token().empty()) {
    if (req.page_token().size() != 39) {
      return absl::InvalidArgumentError(
          "page_token: not a token from a previous response");
    }
    after = prefix + req.page_token();
  }
  auto rows = store_->KvScan(kNamespace, prefix, after, size + 1);
  if (!rows.ok()) return rows.status();
  v1::ListAuditEventsResponse out;
  for (size_t i = 0; i < rows->size() && static_cast<int>(i) < size; ++i) {
    if (!out.add_events()->ParseFromString((*rows)[i].second)) {
      return absl::DataLossError("store: an audit event is corrupt");
    }
  }
  if (static_cast<int>(rows->size()) > size) {
    out.set_next_page_token((*rows)[size - 1].first.substr(prefix.size()));
  }
  return out;
}

}  // namespace retain::auth
