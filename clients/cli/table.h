// Aligned plain-text tables for retainctl's default output.
#ifndef RETAIN_CLIENTS_CLI_TABLE_H_
#define RETAIN_CLIENTS_CLI_TABLE_H_

#include <ostream>
#include <string>
#include <vector>

namespace retain::cli {

enum class Align { kLeft, kRight };

struct Column {
  std::string header;
  Align align = Align::kLeft;
};

class Table {
 public:
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  size_t size() const { return rows_.size(); }
  // Header, then one line per row; columns separated by two spaces, the last
  // column not padded. Widths ignore ANSI colour codes and count UTF-8 code
  // points.
  void Print(std::ostream& out) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Visible width of a cell: UTF-8 code points outside ANSI escape sequences.
size_t DisplayWidth(const std::string& s);

// Key/value block: "key:   value" lines aligned on the values.
void PrintFields(std::ostream& out,
                 const std::vector<std::pair<std::string, std::string>>& kv);

// Wraps text in an ANSI colour ("green", "yellow", "red", "bold", "dim")
// when enabled.
std::string Colorize(const std::string& text, const std::string& color,
                     bool enabled);

}  // namespace retain::cli

#endif  // RETAIN_CLIENTS_CLI_TABLE_H_
