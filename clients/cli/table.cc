#include "clients/cli/table.h"

#include <algorithm>

namespace retain::cli {

size_t DisplayWidth(const std::string& s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0x1b) {  // ESC [ ... m
      while (i < s.size() && s[i] != 'm') ++i;
      continue;
    }
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    widths[c] = DisplayWidth(columns_[c].header);
    for (const auto& row : rows_) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t c = 0; c < cells.size(); ++c) {
      const size_t pad = widths[c] - DisplayWidth(cells[c]);
      const bool last = c + 1 == cells.size();
      if (columns_[c].align == Align::kRight) {
        line += std::string(pad, ' ') + cells[c];
      } else {
        line += cells[c];
        if (!last) line += std::string(pad, ' ');
      }
      if (!last) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  std::vector<std::string> headers;
  for (const auto& col : columns_) headers.push_back(col.header);
  print_row(headers);
  for (const auto& row : rows_) print_row(row);
}

void PrintFields(std::ostream& out,
                 const std::vector<std::pair<std::string, std::string>>& kv) {
  size_t width = 0;
  for (const auto& [k, v] : kv) width = std::max(width, DisplayWidth(k));
  for (const auto& [k, v] : kv) {
    out << k << ":" << std::string(width - DisplayWidth(k) + 1, ' ') << v
        << "\n";
  }
}

std::string Colorize(const std::string& text, const std::string& color,
                     bool enabled) {
  if (!enabled) return text;
  const char* code = color == "green"    ? "32"
                     : color == "yellow" ? "33"
                     : color == "red"    ? "31"
                     : color == "bold"   ? "1"
                     : color == "dim"    ? "2"
                                         : nullptr;
  if (code == nullptr) return text;
  return std::string("\x1b[") + code + "m" + text + "\x1b[0m";
}

}  // namespace retain::cli
