// Reading import files row by row: CSV (RFC 4180: quoted fields, doubled
// quotes, newlines inside quotes, CRLF) with a header row, or JSON Lines.
// Each row carries the line number it starts on, for error reports.
#ifndef RETAIN_CLIENTS_CLI_INPUT_H_
#define RETAIN_CLIENTS_CLI_INPUT_H_

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/cli/records.h"

namespace retain::cli {

enum class InputFormat { kCsv, kJsonl };

// "csv", "jsonl"/"ndjson"/"json", or "auto" (from the file extension; CSV
// unless it ends in .jsonl, .ndjson or .json).
absl::StatusOr<InputFormat> ResolveFormat(const std::string& flag,
                                          const std::string& path);

struct InputRow {
  int64_t line = 0;
  // Set when the row could not be read (e.g. too many fields).
  std::string error;
  Fields fields;     // CSV
  std::string json;  // JSON Lines
};

class RowReader {
 public:
  virtual ~RowReader() = default;
  // False at the end of the input.
  virtual bool Next(InputRow& row) = 0;
  // Bytes consumed so far (for progress).
  virtual int64_t bytes() const = 0;
  // CSV header (normalised names); empty for JSON Lines.
  virtual const std::vector<std::string>& headers() const = 0;
};

// Reads from `in`, which must outlive the reader. For CSV the header row is
// read immediately; an empty input yields no rows.
std::unique_ptr<RowReader> MakeRowReader(InputFormat format, std::istream& in);

// Splits CSV text into records (exposed for tests).
class CsvParser {
 public:
  explicit CsvParser(std::istream& in) : in_(in) {}
  // Next record; false at end of input. `line` is where it started.
  bool Next(std::vector<std::string>& fields, int64_t& line,
            std::string& error);
  int64_t bytes() const { return bytes_; }

 private:
  int Get();
  std::istream& in_;
  int64_t bytes_ = 0;
  int64_t line_ = 1;
};

}  // namespace retain::cli

#endif  // RETAIN_CLIENTS_CLI_INPUT_H_
