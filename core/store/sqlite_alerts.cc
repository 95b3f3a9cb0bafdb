// The alert history in SQLite: the `alerts` table keyed by (tenant,
// position) and `alert_heads`, each tenant's last assigned position.
#include <sqlite3.h>

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "core/store/sqlite_store.h"
#include "core/store/sqlite_util.h"

namespace retain::store {
namespace {

constexpr const char* kAlertColumns =
    "tenant, position, alert_us, account_id, source, code, severity, payload";

StoredAlert ReadAlertRow(const Statement& st) {
  StoredAlert a;
  a.tenant = st.Text(0);
  a.position = st.Int(1);
  a.alert_time = absl::FromUnixMicros(st.Int(2));
  a.account_id = st.Text(3);
  a.source = st.Text(4);
  a.code = st.Text(5);
  a.severity = st.Text(6);
  a.payload = st.Text(7);
  return a;
}

// Deletes the tenant's alerts up to and including `upto`; adds the count.
absl::Status DeleteThrough(Statement& del, const std::string& tenant,
                           int64_t upto, sqlite3* db, int64_t* deleted) {
  del.Bind(1, tenant);
  del.Bind(2, upto);
  if (absl::Status s = del.Run(); !s.ok()) return s;
  *deleted += sqlite3_changes(db);
  return absl::OkStatus();
}

}  // namespace

absl::Status SqliteStore::AppendAlertRows(AlertAppend& batch) {
  if (batch.alerts.empty()) return absl::OkStatus();
  absl::StatusOr<Statement> head = Statement::Prepare(
      writer_, "SELECT last_position FROM alert_heads WHERE tenant = ?");
  if (!head.ok()) return head.status();
  absl::StatusOr<Statement> put_head = Statement::Prepare(
      writer_, "INSERT OR REPLACE INTO alert_heads VALUES (?, ?)");
  if (!put_head.ok()) return put_head.status();
  absl::StatusOr<Statement> ins = Statement::Prepare(
      writer_, absl::StrCat("INSERT INTO alerts (", kAlertColumns,
                            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                   .c_str());
  if (!ins.ok()) return ins.status();
  absl::StatusOr<Statement> trim = Statement::Prepare(
      writer_, "DELETE FROM alerts WHERE tenant = ? AND position <= ?");
  if (!trim.ok()) return trim.status();

  std::map<std::string, int64_t> heads;  // tenant -> last position assigned
  for (StoredAlert& a : batch.alerts) {
    auto it = heads.find(a.tenant);
    if (it == heads.end()) {
      head->Bind(1, a.tenant);
      absl::StatusOr<bool> row = head->Step();
      if (!row.ok()) return row.status();
      it = heads.emplace(a.tenant, *row ? head->Int(0) : 0).first;
      head->Reset();
    }
    a.position = ++it->second;
    ins->Bind(1, a.tenant);
    ins->Bind(2, a.position);
    ins->Bind(3, absl::ToUnixMicros(a.alert_time));
    ins->Bind(4, a.account_id);
    ins->Bind(5, a.source);
    ins->Bind(6, a.code);
    ins->Bind(7, a.severity);
    ins->BindBlob(8, a.payload);
    if (absl::Status s = ins->Run(); !s.ok()) return s;
  }
  for (const auto& [tenant, last] : heads) {
    put_head->Bind(1, tenant);
    put_head->Bind(2, last);
    if (absl::Status s = put_head->Run(); !s.ok()) return s;
    // The count limit costs one range delete on the key, in this
    // transaction: the table never holds more than the limit.
    if (batch.max_per_tenant > 0 && last > batch.max_per_tenant) {
      int64_t ignored = 0;
      if (absl::Status s = DeleteThrough(
              *trim, tenant, last - batch.max_per_tenant, writer_, &ignored);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredAlert>> SqliteStore::ListAlerts(
    const std::string& tenant, const AlertQuery& q) {
  // Filters are plain columns scanned within the tenant's key range: the
  // range is bounded by retention, and an index per filter would slow every
  // append for a read that is rare.
  std::string sql = absl::StrCat("SELECT ", kAlertColumns,
                                 " FROM alerts WHERE tenant = ? AND position "
                                 "> ? AND position < ?");
  const std::pair<const char*, const std::string*> filters[] = {
      {"account_id", &q.account_id},
      {"source", &q.source},
      {"code", &q.code},
      {"severity", &q.severity}};
  for (const auto& [column, value] : filters) {
    if (!value->empty()) absl::StrAppend(&sql, " AND ", column, " = ?");
  }
  const bool has_start = q.start != absl::InfinitePast();
  const bool has_end = q.end != absl::InfiniteFuture();
  if (has_start) absl::StrAppend(&sql, " AND alert_us >= ?");
  if (has_end) absl::StrAppend(&sql, " AND alert_us < ?");
  absl::StrAppend(&sql, " ORDER BY position", q.newest_first ? " DESC" : "",
                  " LIMIT ?");

  std::vector<StoredAlert> out;
  absl::MutexLock lock(&read_mu_);
  absl::StatusOr<Statement> st = Statement::Prepare(reader_, sql.c_str());
  if (!st.ok()) return st.status();
  int i = 1;
  st->Bind(i++, tenant);
  st->Bind(i++, q.after_position);
  st->Bind(i++, q.before_position);
  for (const auto& [column, value] : filters) {
    if (!value->empty()) st->Bind(i++, *value);
  }
  if (has_start) st->Bind(i++, absl::ToUnixMicros(q.start));
  if (has_end) st->Bind(i++, absl::ToUnixMicros(q.end));
  st->Bind(i++, static_cast<int64_t>(std::max(q.limit, 0)));
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(ReadAlertRow(*st));
  }
}

absl::StatusOr<AlertRange> SqliteStore::AlertPositions(
    const std::string& tenant) {
  absl::MutexLock lock(&read_mu_);
  // One statement, so both numbers come from one snapshot.
  absl::StatusOr<Statement> st = Statement::Prepare(
      reader_,
      "SELECT (SELECT last_position FROM alert_heads WHERE tenant = ?1), "
      "(SELECT MIN(position) FROM alerts WHERE tenant = ?1)");
  if (!st.ok()) return st.status();
  st->Bind(1, tenant);
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  AlertRange range;
  range.newest = st->Int(0);  // NULL reads as 0
  const int64_t min = st->Int(1);
  range.oldest = min > 0 ? min : (range.newest > 0 ? range.newest + 1 : 0);
  return range;
}

absl::StatusOr<int64_t> SqliteStore::PruneAlerts(absl::Time cutoff,
                                                 int64_t max_per_tenant,
                                                 int max_rows) {
  absl::MutexLock lock(&write_mu_);
  absl::StatusOr<Transaction> tx = Transaction::Begin(writer_);
  if (!tx.ok()) return tx.status();
  absl::StatusOr<Statement> heads = Statement::Prepare(
      writer_, "SELECT tenant, last_position FROM alert_heads");
  if (!heads.ok()) return heads.status();
  std::vector<std::pair<std::string, int64_t>> tenants;
  while (true) {
    absl::StatusOr<bool> row = heads->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    tenants.emplace_back(heads->Text(0), heads->Int(1));
  }
  // The oldest alerts of the tenant, from its first kept position: only
  // the rows about to be deleted (and one more) are read.
  absl::StatusOr<Statement> oldest = Statement::Prepare(
      writer_,
      "SELECT position, alert_us FROM alerts WHERE tenant = ? ORDER BY "
      "position LIMIT ?");
  if (!oldest.ok()) return oldest.status();
  absl::StatusOr<Statement> del = Statement::Prepare(
      writer_, "DELETE FROM alerts WHERE tenant = ? AND position <= ?");
  if (!del.ok()) return del.status();

  const bool by_age = cutoff != absl::InfinitePast();
  const int64_t cutoff_us = by_age ? absl::ToUnixMicros(cutoff) : 0;
  int64_t deleted = 0;
  for (const auto& [tenant, last] : tenants) {
    oldest->Bind(1, tenant);
    oldest->Bind(2, static_cast<int64_t>(std::max(max_rows, 1)));
    int64_t upto = 0;
    const int64_t over_count = max_per_tenant > 0 ? last - max_per_tenant : 0;
    while (true) {
      absl::StatusOr<bool> row = oldest->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const int64_t position = oldest->Int(0);
      // Positions follow commit order, which is alert-time order but for
      // alerts raised within one commit of each other: stopping at the
      // first one to keep keeps the history one contiguous range.
      const bool expired = by_age && oldest->Int(1) < cutoff_us;
      if (!expired && position > over_count) break;
      upto = position;
    }
    oldest->Reset();
    if (upto > 0) {
      if (absl::Status s = DeleteThrough(*del, tenant, upto, writer_, &deleted);
          !s.ok()) {
        return s;
      }
    }
  }
  if (absl::Status s = tx->Commit(); !s.ok()) return s;
  return deleted;
}

}  // namespace retain::store
