// Small RAII helpers over the SQLite C API, so every statement is finalized
// and every error becomes an absl::Status naming what failed.
#ifndef RETAIN_CORE_STORE_SQLITE_UTIL_H_
#define RETAIN_CORE_STORE_SQLITE_UTIL_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace retain::store {

absl::Status SqliteError(sqlite3* db, absl::string_view what);

absl::Status Exec(sqlite3* db, const char* sql);

class Statement {
 public:
  static absl::StatusOr<Statement> Prepare(sqlite3* db, const char* sql);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  void Bind(int i, absl::string_view text);
  void BindBlob(int i, absl::string_view blob);
  void Bind(int i, int64_t v);
  // SQLITE_ROW -> true, SQLITE_DONE -> false, else an error.
  absl::StatusOr<bool> Step();
  absl::Status Run();  // Step() expecting SQLITE_DONE
  void Reset();

  int64_t Int(int col) const;
  std::string Text(int col) const;

 private:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Rolls back unless Commit() succeeded.
class Transaction {
 public:
  static absl::StatusOr<Transaction> Begin(sqlite3* db);
  // A read transaction: every statement in it sees one snapshot.
  static absl::StatusOr<Transaction> BeginRead(sqlite3* db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) {
    other.db_ = nullptr;
  }
  ~Transaction();
  absl::Status Commit();

 private:
  explicit Transaction(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace retain::store

#endif  // RETAIN_CORE_STORE_SQLITE_UTIL_H_
