#include "core/store/sqlite_store.h"

#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "core/store/sqlite_util.h"

namespace retain::store {
namespace {

// 2: kv entries carry a version (the KV commit number of their write).
constexpr int kSchemaVersion = 2;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS accounts (
  tenant TEXT NOT NULL,
  account_id TEXT NOT NULL,
  payload BLOB NOT NULL,
  PRIMARY KEY (tenant, account_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS create_requests (
  tenant TEXT NOT NULL,
  request_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  PRIMARY KEY (tenant, request_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS signals (
  seq INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  signal_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  kind INTEGER NOT NULL,
  occur_us INTEGER NOT NULL,
  record_us INTEGER NOT NULL,
  payload BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
  tenant TEXT NOT NULL,
  position INTEGER NOT NULL,
  alert_us INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  source TEXT NOT NULL,
  code TEXT NOT NULL,
  severity TEXT NOT NULL,
  payload BLOB NOT NULL,
  PRIMARY KEY (tenant, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS alert_heads (
  tenant TEXT PRIMARY KEY,
  last_position INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kv (
  ns TEXT NOT NULL,
  key TEXT NOT NULL,
  value BLOB NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (ns, key)
) WITHOUT ROWID;
)sql";

// Schema 1 -> 2. Entries written before versions existed get version 1
// and the commit counter starts there, so the next write gets 2: a
// precondition taken before the upgrade still matches, and nothing
// written later can look unchanged to one.
constexpr const char* kKvVersions = R"sql(
ALTER TABLE kv ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
INSERT OR REPLACE INTO meta VALUES ('kv_version', '1');
UPDATE meta SET value = '2' WHERE key = 'schema_version';
)sql";

absl::StatusOr<sqlite3*> OpenConnection(const std::string& path,
                                        Durability durability) {
  sqlite3* db = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    absl::Status s = absl::UnavailableError(
        absl::StrCat("store: cannot open ", path, ": ",
                     db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, 5000);
  const char* sync = durability == Durability::kFull
                         ? "PRAGMA synchronous=FULL"
                         : "PRAGMA synchronous=NORMAL";
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", sync, "PRAGMA cache_size=-65536",
        "PRAGMA wal_autocheckpoint=20000", "PRAGMA temp_store=MEMORY"}) {
    if (absl::Status s = Exec(db, pragma); !s.ok()) {
      sqlite3_close(db);
      return s;
    }
  }
  return db;
}

StoredSignal ReadSignalRow(const Statement& st) {
  StoredSignal s;
  s.seq = st.Int(0);
  s.tenant = st.Text(1);
  s.signal_id = st.Text(2);
  s.account_id = st.Text(3);
  s.kind = static_cast<int32_t>(st.Int(4));
  s.occur_time = absl::FromUnixMicros(st.Int(5));
  s.record_time = absl::FromUnixMicros(st.Int(6));
  s.payload = st.Text(7);
  return s;
}

// The smallest string greater than every string starting with `prefix`,
// or "" when there is none (empty, or every byte 0xff).
std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last != 0xff) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

// The entries of `range` in namespace `ns`, read through `db`.
absl::StatusOr<std::vector<KvEntry>> ScanRange(sqlite3* db,
                                               const std::string& ns,
                                               const KvRange& range) {
  const int limit = range.limit <= 0 ? 1000 : range.limit;
  std::vector<KvEntry> out;
  // "key > prefix" skips a key equal to the prefix itself; handle it.
  if (range.start_after.empty()) {
    absl::StatusOr<Statement> exact = Statement::Prepare(
        db, "SELECT key, value, version FROM kv WHERE ns = ? AND key = ?");
    if (!exact.ok()) return exact.status();
    exact->Bind(1, ns);
    exact->Bind(2, range.prefix);
    absl::StatusOr<bool> row = exact->Step();
    if (!row.ok()) return row.status();
    if (*row) out.push_back({exact->Text(0), exact->Text(1), exact->Int(2)});
  }
  // A byte range, not substr(): substr counts UTF-8 characters, so a
  // prefix with non-ASCII bytes matched nothing, and a filter after the
  // range kept reading every later key of the namespace when the prefix
  // had fewer than `limit` entries. Keys compare as bytes (BINARY).
  const std::string upper = PrefixSuccessor(range.prefix);
  absl::StatusOr<Statement> st = Statement::Prepare(
      db, upper.empty() ? "SELECT key, value, version FROM kv WHERE ns = ? "
                          "AND key > ? ORDER BY key LIMIT ?"
                        : "SELECT key, value, version FROM kv WHERE ns = ? "
                          "AND key > ? AND key < ? ORDER BY key LIMIT ?");
  if (!st.ok()) return st.status();
  int arg = 1;
  st->Bind(arg++, ns);
  st->Bind(arg++,
           range.start_after > range.prefix ? range.start_after : range.prefix);
  if (!upper.empty()) st->Bind(arg++, upper);
  st->Bind(arg++, static_cast<int64_t>(limit));
  while (static_cast<int>(out.size()) < limit) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({st->Text(0), st->Text(1), st->Int(2)});
  }
  return out;
}

constexpr const char* kSignalColumns =
    "seq, tenant, signal_id, account_id, kind, occur_us, record_us, payload";

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(
    const std::string& path, Durability durability) {
  std::unique_ptr<SqliteStore> store(new SqliteStore());
  if (absl::Status s = store->Init(path, durability); !s.ok()) return s;
  return store;
}

absl::Status SqliteStore::Init(const std::string& path, Durability durability) {
  absl::MutexLock w(&write_mu_);
  absl::MutexLock r(&read_mu_);
  absl::StatusOr<sqlite3*> writer = OpenConnection(path, durability);
  if (!writer.ok()) return writer.status();
  writer_ = *writer;
  if (absl::Status s = Exec(writer_, kSchema); !s.ok()) return s;

  absl::StatusOr<Statement> get = Statement::Prepare(
      writer_, "SELECT value FROM meta WHERE key = 'schema_version'");
  if (!get.ok()) return get.status();
  absl::StatusOr<bool> row = get->Step();
  if (!row.ok()) return row.status();
  if (*row) {
    const int64_t version = std::stoll(get->Text(0));
    get->Reset();  // a pending read would block the upgrade's ALTER TABLE
    if (version > kSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          "store: ", path, " has schema version ", version,
          ", newer than this retaind understands (", kSchemaVersion, ")"));
    }
    if (version < kSchemaVersion) {
      if (absl::Status s = Migrate(version); !s.ok()) return s;
    }
  } else {
    absl::Status s = Exec(
        writer_, absl::StrCat("INSERT INTO meta VALUES ('schema_version', '",
                              kSchemaVersion, "')")
                     .c_str());
    if (!s.ok()) return s;
  }
  absl::StatusOr<Statement> kv_version = Statement::Prepare(
      writer_, "SELECT value FROM meta WHERE key = 'kv_version'");
  if (!kv_version.ok()) return kv_version.status();
  row = kv_version->Step();
  if (!row.ok()) return row.status();
  kv_version_ = *row ? std::stoll(kv_version->Text(0)) : 0;
  kv_version->Reset();

  absl::StatusOr<sqlite3*> reader = OpenConnection(path, durability);
  if (!reader.ok()) return reader.status();
  reader_ = *reader;
  return absl::OkStatus();
}

absl::Status SqliteStore::Migrate(int64_t from) {
  if (from != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("store: no upgrade from schema version ", from));
  }
  absl::StatusOr<Transaction> tx = Transaction::Begin(writer_);
  if (!tx.ok()) return tx.status();
  if (absl::Status s = Exec(writer_, kKvVersions); !s.ok()) return s;
  return tx->Commit();
}

SqliteStore::~SqliteStore() {
  absl::MutexLock w(&write_mu_);
  absl::MutexLock r(&read_mu_);
  sqlite3_close(reader_);
  sqlite3_close(writer_);
}

absl::Status SqliteStore::PutAccount(const StoredAccount& account,
                                     const std::string& request_id) {
  absl::MutexLock lock(&write_mu_);
  absl::StatusOr<Transaction> tx = Transaction::Begin(writer_);
  if (!tx.ok()) return tx.status();
  absl::StatusOr<Statement> put = Statement::Prepare(
      writer_, "INSERT OR REPLACE INTO accounts VALUES (?, ?, ?)");
  if (!put.ok()) return put.status();
  put->Bind(1, account.tenant);
  put->Bind(2, account.account_id);
  put->BindBlob(3, account.payload);
  if (absl::Status s = put->Run(); !s.ok()) return s;
  if (!request_id.empty()) {
    absl::StatusOr<Statement> req = Statement::Prepare(
        writer_, "INSERT OR REPLACE INTO create_requests VALUES (?, ?, ?)");
    if (!req.ok()) return req.status();
    req->Bind(1, account.tenant);
    req->Bind(2, request_id);
    req->Bind(3, account.account_id);
    if (absl::Status s = req->Run(); !s.ok()) return s;
  }
  return tx->Commit();
}

absl::StatusOr<int64_t> SqliteStore::DeleteAccount(const std::string& tenant,
                                                   const std::string& id) {
  absl::MutexLock lock(&write_mu_);
  absl::StatusOr<Transaction> tx = Transaction::Begin(writer_);
  if (!tx.ok()) return tx.status();
  absl::StatusOr<Statement> del = Statement::Prepare(
      writer_, "DELETE FROM accounts WHERE tenant = ? AND account_id = ?");
  if (!del.ok()) return del.status();
  del->Bind(1, tenant);
  del->Bind(2, id);
  if (absl::Status s = del->Run(); !s.ok()) return s;
  // Deleting is rare, so a scan of the signal log is accepted here rather
  // than an index that would slow every append.
  absl::StatusOr<Statement> sig = Statement::Prepare(
      writer_, "DELETE FROM signals WHERE tenant = ? AND account_id = ?");
  if (!sig.ok()) return sig.status();
  sig->Bind(1, tenant);
  sig->Bind(2, id);
  if (absl::Status s = sig->Run(); !s.ok()) return s;
  const int64_t removed = sqlite3_changes(writer_);
  // Else a new account with this id would inherit them; a scan of the
  // tenant's alerts only, bounded by the retention.
  absl::StatusOr<Statement> alerts = Statement::Prepare(
      writer_, "DELETE FROM alerts WHERE tenant = ? AND account_id = ?");
  if (!alerts.ok()) return alerts.status();
  alerts->Bind(1, tenant);
  alerts->Bind(2, id);
  if (absl::Status s = alerts->Run(); !s.ok()) return s;
  if (absl::Status s = tx->Commit(); !s.ok()) return s;
  return removed;
}

absl::Status SqliteStore::ForEachAccount(
    const std::function<void(const StoredAccount&)>& fn) {
  absl::MutexLock lock(&read_mu_);
  absl::StatusOr<Statement> st = Statement::Prepare(
      reader_, "SELECT tenant, account_id, payload FROM accounts");
  if (!st.ok()) return st.status();
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
    fn(StoredAccount{st->Text(0), st->Text(1), st->Text(2)});
  }
}

absl::StatusOr<std::optional<std::string>> SqliteStore::LookupRequest(
    const std::string& tenant, const std::string& request_id) {
  absl::MutexLock lock(&read_mu_);
  absl::StatusOr<Statement> st = Statement::Prepare(
      reader_,
      "SELECT account_id FROM create_requests WHERE tenant = ? AND "
      "request_id = ?");
  if (!st.ok()) return st.status();
  st->Bind(1, tenant);
  st->Bind(2, request_id);
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(st->Text(0));
}

absl::Status SqliteStore::AppendSignals(
    std::vector<StoredSignal>& signals,
    const std::vector<StoredAccount>& accounts, AlertAppend& alerts) {
  if (signals.empty() && accounts.empty() && alerts.alerts.empty()) {
    return absl::OkStatus();
  }
  absl::MutexLock lock(&write_mu_);
  absl::StatusOr<Transaction> tx = Transaction::Begin(writer_);
  if (!tx.ok()) return tx.status();
  if (!accounts.empty()) {
    absl::StatusOr<Statement> put = Statement::Prepare(
        writer_, "INSERT OR REPLACE INTO accounts VALUES (?, ?, ?)");
    if (!put.ok()) return put.status();
    for (const StoredAccount& a : accounts) {
      put->Bind(1, a.tenant);
      put->Bind(2, a.account_id);
      put->BindBlob(3, a.payload);
      if (absl::Status s = put->Run(); !s.ok()) return s;
    }
  }
  absl::StatusOr<Statement> ins = Statement::Prepare(
      writer_,
      "INSERT INTO signals (tenant, signal_id, account_id, kind, occur_us, "
      "record_us, payload) VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  for (StoredSignal& s : signals) {
    ins->Bind(1, s.tenant);
    ins->Bind(2, s.signal_id);
    ins->Bind(3, s.account_id);
    ins->Bind(4, static_cast<int64_t>(s.kind));
    ins->Bind(5, absl::ToUnixMicros(s.occur_time));
    ins->Bind(6, absl::ToUnixMicros(s.record_time));
    ins->BindBlob(7, s.payload);
    if (absl::Status st = ins->Run(); !st.ok()) return st;
    s.seq = sqlite3_last_insert_rowid(writer_);
  }
  if (absl::Status s = AppendAlertRows(alerts); !s.ok()) return s;
  return tx->Commit();
}

absl::Status SqliteStore::ForEachSignal(
    int64_t after_seq, const std::function<bool(const StoredSignal&)>& fn) {
  absl::MutexLock lock(&read_mu_);
  absl::StatusOr<Statement> st = Statement::Prepare(
      reader_, absl::StrCat("SELECT ", kSignalColumns,
                            " FROM signals WHERE seq > ? ORDER BY seq")
                   .c_str());
  if (!st.ok()) return st.status();
  st->Bind(1, after_seq);
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row || !fn(ReadSignalRow(*st))) return absl::OkStatus();
  }
}

absl::StatusOr<std::vector<StoredSignal>> SqliteStore::GetSignals(
    const std::vector<int64_t>& seqs) {
  std::vector<StoredSignal> out;
  out.reserve(seqs.size());
  absl::MutexLock lock(&read_mu_);
  absl::StatusOr<Statement> st = Statement::Prepare(
      reader_,
      absl::StrCat("SELECT ", kSignalColumns, " FROM signals WHERE seq = ?")
          .c_str());
  if (!st.ok()) return st.status();
  for (int64_t seq : seqs) {
    st->Bind(1, seq);
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (*row) out.push_back(ReadSignalRow(*st));
    st->Reset();
  }
  return out;
}

absl::StatusOr<int64_t> SqliteStore::LastSignalSeq() {
  absl::MutexLock lock(&read_mu_);
  absl::StatusOr<Statement> st =
      Statement::Prepare(reader_, "SELECT COALESCE(MAX(seq), 0) FROM signals");
  if (!st.ok()) return st.status();
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return st->Int(0);
}

absl::StatusOr<std::optional<std::string>> SqliteStore::KvGet(
    const std::string& ns, const std::string& key) {
  absl::MutexLock lock(&read_mu_);
  absl::StatusOr<Statement> st = Statement::Prepare(
      reader_, "SELECT value FROM kv WHERE ns = ? AND key = ?");
  if (!st.ok()) return st.status();
  st->Bind(1, ns);
  st->Bind(2, key);
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(st->Text(0));
}

absl::Status SqliteStore::KvApply(const std::string& ns,
                                  const std::vector<KvOp>& batch) {
  return KvApplyIf(ns, {}, batch, nullptr).status();
}

absl::StatusOr<int64_t> SqliteStore::KvApplyIf(
    const std::string& ns, const std::vector<KvPrecondition>& preconditions,
    const std::vector<KvOp>& batch, KvConflict* conflict) {
  absl::MutexLock lock(&write_mu_);
  // The checks run inside the batch's write transaction: no other commit
  // can land between a check and the writes.
  absl::StatusOr<Transaction> tx = Transaction::Begin(writer_);
  if (!tx.ok()) return tx.status();
  if (!preconditions.empty()) {
    absl::StatusOr<Statement> get = Statement::Prepare(
        writer_, "SELECT version FROM kv WHERE ns = ? AND key = ?");
    if (!get.ok()) return get.status();
    for (size_t i = 0; i < preconditions.size(); ++i) {
      const KvPrecondition& want = preconditions[i];
      get->Bind(1, ns);
      get->Bind(2, want.key);
      absl::StatusOr<bool> row = get->Step();
      if (!row.ok()) return row.status();
      const int64_t actual = *row ? get->Int(0) : 0;
      get->Reset();
      if (actual != want.version) {
        if (conflict != nullptr) *conflict = {i, actual};
        return absl::AbortedError(
            absl::StrCat("store: precondition ", i, " failed: key has version ",
                         actual, ", expected ", want.version));
      }
    }
  }
  if (batch.empty()) return 0;
  const int64_t version = kv_version_ + 1;
  absl::StatusOr<Statement> put =
      Statement::Prepare(writer_,
                         "INSERT OR REPLACE INTO kv (ns, key, value, version) "
                         "VALUES (?, ?, ?, ?)");
  if (!put.ok()) return put.status();
  absl::StatusOr<Statement> del =
      Statement::Prepare(writer_, "DELETE FROM kv WHERE ns = ? AND key = ?");
  if (!del.ok()) return del.status();
  for (const KvOp& op : batch) {
    Statement& st = op.value ? *put : *del;
    st.Bind(1, ns);
    st.Bind(2, op.key);
    if (op.value) {
      st.BindBlob(3, *op.value);
      st.Bind(4, version);
    }
    if (absl::Status s = st.Run(); !s.ok()) return s;
  }
  absl::StatusOr<Statement> counter = Statement::Prepare(
      writer_, "INSERT OR REPLACE INTO meta VALUES ('kv_version', ?)");
  if (!counter.ok()) return counter.status();
  counter->Bind(1, absl::StrCat(version));
  if (absl::Status s = counter->Run(); !s.ok()) return s;
  if (absl::Status s = tx->Commit(); !s.ok()) return s;
  kv_version_ = version;
  return version;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
SqliteStore::KvScan(const std::string& ns, const std::string& prefix,
                    const std::string& start_after, int limit) {
  absl::MutexLock lock(&read_mu_);
  auto entries = ScanRange(reader_, ns, {prefix, start_after, limit});
  if (!entries.ok()) return entries.status();
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(entries->size());
  for (KvEntry& e : *entries) {
    out.emplace_back(std::move(e.key), std::move(e.value));
  }
  return out;
}

absl::StatusOr<KvSnapshot> SqliteStore::KvRead(
    const std::string& ns, const std::vector<std::string>& keys,
    const std::optional<KvRange>& range) {
  absl::MutexLock lock(&read_mu_);
  // One read transaction: WAL gives it the snapshot of the first read for
  // every statement that follows, whatever commits meanwhile.
  absl::StatusOr<Transaction> tx = Transaction::BeginRead(reader_);
  if (!tx.ok()) return tx.status();
  KvSnapshot out;
  if (!keys.empty()) {
    absl::StatusOr<Statement> get = Statement::Prepare(
        reader_, "SELECT value, version FROM kv WHERE ns = ? AND key = ?");
    if (!get.ok()) return get.status();
    for (const std::string& key : keys) {
      get->Bind(1, ns);
      get->Bind(2, key);
      absl::StatusOr<bool> row = get->Step();
      if (!row.ok()) return row.status();
      KvEntry e{key, "", 0};
      if (*row) {
        e.value = get->Text(0);
        e.version = get->Int(1);
      }
      out.values.push_back(std::move(e));
      get->Reset();
    }
  }
  if (range) {
    auto entries = ScanRange(reader_, ns, *range);
    if (!entries.ok()) return entries.status();
    out.range = std::move(*entries);
  }
  if (absl::Status s = tx->Commit(); !s.ok()) return s;
  return out;
}

}  // namespace retain::store
