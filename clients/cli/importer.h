// Bulk imports of signals and accounts from CSV or JSON Lines.
//
// Signals are validated row by row (a bad row is reported with its line and
// reason, and the rest go on), then streamed in batches over StreamSignals,
// a window of batches per stream. If the server rejects a batch, the
// window's batches are replayed with RecordSignals, bisecting to the
// offending rows, which are reported and skipped. Every signal has an id
// (from the file, or derived from its content), so re-running an import is
// safe: rows already stored count as duplicates. A connection failure stops
// the import with the line to resume from.
#ifndef RETAIN_CLIENTS_CLI_IMPORTER_H_
#define RETAIN_CLIENTS_CLI_IMPORTER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "clients/cli/common.h"

namespace retain::cli {

struct ImportOptions {
  std::string path;  // "-" for stdin
  std::string format = "auto";
  int batch_size = 500;
  int batches_per_stream = 20;
  // "auto" (a bar on a terminal, plain lines otherwise), "bar", "plain",
  // "none".
  std::string progress = "auto";
  // Accounts: update accounts that already exist with the row's fields.
  bool update_existing = false;
};

struct RejectedRow {
  int64_t line = 0;
  std::string reason;
};

struct ImportSummary {
  int64_t rows = 0;
  // Signals: newly recorded / already stored.
  int64_t recorded = 0;
  int64_t duplicates = 0;
  // Accounts: created / updated / already present and left alone.
  int64_t created = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t batches = 0;
  // Signals: server-generated ones (custom type "retain.*") in an export,
  // which only the server may record.
  int64_t skipped = 0;
  // Signals counted as duplicates after a batch was rejected mid-stream:
  // the server does not say which of the stream's earlier rows it had just
  // recorded, so some of these may be new.
  int64_t uncertain = 0;
  std::vector<RejectedRow> rejected;
};

ImportSummary ImportSignals(const Connection& conn, const ImportOptions& opts,
                            std::ostream& log);
ImportSummary ImportAccounts(const Connection& conn, const ImportOptions& opts,
                             std::ostream& log);

}  // namespace retain::cli

#endif  // RETAIN_CLIENTS_CLI_IMPORTER_H_
