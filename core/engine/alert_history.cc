// The alert history (docs/decisions/0020-alert-history.md): every alert,
// band change or plugin alert, is stored per tenant with a position before
// it is published, so a watcher can resume where it left off and a listing
// shows what happened while nobody watched. Alerts are written by the
// group-commit writer with the next signals (ingest_pipeline.cc): they never
// cost a commit of their own under load.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/alert_validation.h"
#include "api/names.h"
#include "api/proto_time.h"
#include "core/common/log.h"
#include "core/engine/engine.h"
#include "core/engine/page_budget.h"

namespace retain::engine {
namespace {

using api::FromProto;

constexpr int kPruneRowsPerTenant = 10000;

absl::Status InvalidToken(const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("page_token: ", why));
}

// "a:<n|o>:<position>": the order it was made for and the last position
// returned, so a page is stable while new alerts arrive.
std::string PageToken(bool newest_first, int64_t position) {
  return absl::StrCat("a:", newest_first ? "n" : "o", ":", position);
}

absl::StatusOr<int64_t> ParsePageToken(const std::string& token,
                                       bool newest_first) {
  std::vector<std::string> parts = absl::StrSplit(token, ':');
  int64_t position = 0;
  if (parts.size() != 3 || parts[0] != "a" ||
      (parts[1] != "n" && parts[1] != "o") ||
      !absl::SimpleAtoi(parts[2], &position) || position < 0) {
    return InvalidToken("not a token from a previous response");
  }
  if ((parts[1] == "n") != newest_first) {
    return InvalidToken(
        "from a listing in the other order (oldest_first differs)");
  }
  return position;
}

absl::Status Corrupt(int64_t position) {
  return absl::DataLossError(
      absl::StrCat("store: alert at position ", position, " is corrupt"));
}

}  // namespace

store::StoredAlert Engine::AlertRow(const std::string& tenant,
                                    const report::v1::HealthAlert& alert) {
  store::StoredAlert row;
  row.tenant = tenant;
  row.alert_time = FromProto(alert.alert_time());
  row.account_id = api::AccountIdOf(alert.account());
  row.source = alert.source();
  row.code = alert.code();
  row.severity = alert.severity();
  alert.SerializeToString(&row.payload);
  return row;
}

void Engine::RaiseAlert(const std::string& tenant,
                        report::v1::HealthAlert alert) {
  alert.clear_position();  // the store assigns it
  std::vector<store::StoredAlert> rows;
  rows.push_back(AlertRow(tenant, alert));
  QueueAlerts(std::move(rows));
}

void Engine::QueueAlerts(std::vector<store::StoredAlert> rows,
                         std::function<void()> then) {
  if (rows.empty()) {
    if (then) then();
    return;
  }
  {
    absl::MutexLock lock(&queue_mu_);
    if (!writer_stopped_) {
      for (auto& r : rows) alert_queue_.push_back(std::move(r));
      if (then) alert_waiters_.push_back(std::move(then));
      return;
    }
  }
  // Shutting down, the writer gone: the alerts a last health refresh or
  // sweep raised are committed here, one caller at a time so positions are
  // published in order.
  {
    absl::MutexLock lock(&late_alerts_mu_);
    std::vector<PendingBatch> no_signals;
    CommitGroup(no_signals, std::move(rows));
  }
  if (then) then();
}

void Engine::PublishAlertRows(const std::vector<store::StoredAlert>& rows) {
  report::v1::HealthAlert alert;
  for (const store::StoredAlert& row : rows) {
    if (!alert.ParseFromString(row.payload)) continue;  // we serialized it
    alert.set_position(row.position);
    alerts_.Publish(row.tenant, alert);
  }
}

absl::StatusOr<report::v1::ListAlertsResponse> Engine::ListAlerts(
    const std::string& tenant, const report::v1::ListAlertsRequest& req) {
  if (absl::Status s = api::ValidateListAlertsRequest(req); !s.ok()) return s;
  const int page_size = req.page_size() == 0 ? 100 : req.page_size();
  store::AlertQuery q;
  q.newest_first = !req.oldest_first();
  q.after_position = req.after_position();
  q.account_id = api::AccountIdOf(req.account());
  q.source = req.source();
  q.code = req.code();
  q.severity = req.severity();
  if (req.has_start_time()) q.start = FromProto(req.start_time());
  if (req.has_end_time()) q.end = FromProto(req.end_time());
  if (!req.page_token().empty()) {
    absl::StatusOr<int64_t> last =
        ParsePageToken(req.page_token(), q.newest_first);
    if (!last.ok()) return last.status();
    if (q.newest_first) {
      q.before_position = *last;
    } else {
      q.after_position = std::max(q.after_position, *last);
    }
  }
  q.limit = page_size + 1;  // one more says whether there is a next page
  absl::StatusOr<std::vector<store::StoredAlert>> rows =
      store_->ListAlerts(tenant, q);
  if (!rows.ok()) return rows.status();
  absl::StatusOr<store::AlertRange> range = store_->AlertPositions(tenant);
  if (!range.ok()) return range.status();

  report::v1::ListAlertsResponse resp;
  resp.set_oldest_position(range->oldest);
  resp.set_newest_position(range->newest);
  bool more = static_cast<int>(rows->size()) > page_size;
  PageBudget budget;
  int64_t last = 0;
  for (int i = 0; i < static_cast<int>(rows->size()) && i < page_size; ++i) {
    const store::StoredAlert& row = (*rows)[i];
    if (!budget.Take(row.payload.size())) {
      more = true;
      break;
    }
    report::v1::HealthAlert* a = resp.add_alerts();
    if (!a->ParseFromString(row.payload)) return Corrupt(row.position);
    a->set_position(row.position);
    last = row.position;
  }
  if (more && last > 0) {
    resp.set_next_page_token(PageToken(q.newest_first, last));
  }
  return resp;
}

absl::StatusOr<std::vector<report::v1::HealthAlert>> Engine::AlertsAfter(
    const std::string& tenant, int64_t after_position, int limit) {
  store::AlertQuery q;
  q.after_position = after_position;
  q.newest_first = false;
  q.limit = limit;
  absl::StatusOr<std::vector<store::StoredAlert>> rows =
      store_->ListAlerts(tenant, q);
  if (!rows.ok()) return rows.status();
  std::vector<report::v1::HealthAlert> out(rows->size());
  for (size_t i = 0; i < rows->size(); ++i) {
    if (!out[i].ParseFromString((*rows)[i].payload)) {
      return Corrupt((*rows)[i].position);
    }
    out[i].set_position((*rows)[i].position);
  }
  return out;
}

absl::StatusOr<store::AlertRange> Engine::AlertPositions(
    const std::string& tenant) {
  return store_->AlertPositions(tenant);
}

absl::StatusOr<int64_t> Engine::PruneAlerts(absl::Time now) {
  const AlertRetention& r = options_.alert_retention;
  if (r.max_age <= absl::ZeroDuration() && r.max_per_tenant <= 0) return 0;
  const absl::Time cutoff =
      r.max_age > absl::ZeroDuration() ? now - r.max_age : absl::InfinitePast();
  absl::StatusOr<int64_t> pruned =
      store_->PruneAlerts(cutoff, r.max_per_tenant, kPruneRowsPerTenant);
  if (!pruned.ok()) {
    common::Log("error", "alert retention failed",
                {{"error", std::string(pruned.status().message())}});
  } else if (*pruned > 0) {
    common::Log("info", "alerts pruned", {{"alerts", *pruned}});
  }
  return pruned;
}

}  // namespace retain::engine
