#include "clients/cli/input.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace retain::cli {

absl::StatusOr<InputFormat> ResolveFormat(const std::string& flag,
                                          const std::string& path) {
  const std::string f = absl::AsciiStrToLower(flag);
  if (f == "csv") return InputFormat::kCsv;
  if (f == "jsonl" || f == "ndjson" || f == "json") return InputFormat::kJsonl;
  if (f != "auto" && !f.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown format \"", flag, "\" (csv, jsonl or auto)"));
  }
  const std::string p = absl::AsciiStrToLower(path);
  if (absl::EndsWith(p, ".jsonl") || absl::EndsWith(p, ".ndjson") ||
      absl::EndsWith(p, ".json")) {
    return InputFormat::kJsonl;
  }
  return InputFormat::kCsv;
}

int CsvParser::Get() {
  int c = in_.get();
  if (c != EOF) ++bytes_;
  return c;
}

bool CsvParser::Next(std::vector<std::string>& fields, int64_t& line,
                     std::string& error) {
  fields.clear();
  error.clear();
  // Skip blank lines between records.
  int c = Get();
  while (c == '\n' || c == '\r') {
    if (c == '\n') ++line_;
    c = Get();
  }
  if (c == EOF) return false;
  line = line_;
  std::string field;
  bool quoted = false;      // inside quotes
  bool was_quoted = false;  // the field started with a quote
  for (;; c = Get()) {
    if (quoted) {
      if (c == EOF) {
        error = "unterminated quoted field";
        fields.push_back(field);
        return true;
      }
      if (c == '"') {
        if (in_.peek() == '"') {
          Get();
          field += '"';
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line_;
        field += static_cast<char>(c);
      }
      continue;
    }
    if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.push_back(field);
      field.clear();
      was_quoted = false;
    } else if (c == '\r' && in_.peek() == '\n') {
      continue;
    } else if (c == '\n' || c == EOF) {
      if (c == '\n') ++line_;
      fields.push_back(field);
      return true;
    } else {
      field += static_cast<char>(c);
    }
  }
}

namespace {

class CsvRowReader : public RowReader {
 public:
  explicit CsvRowReader(std::istream& in) : parser_(in) {
    std::vector<std::string> header;
    int64_t line = 0;
    std::string error;
    if (parser_.Next(header, line, error)) {
      for (const auto& h : header) headers_.push_back(NormalizeColumn(h));
    }
  }

  bool Next(InputRow& row) override {
    std::vector<std::string> values;
    row = InputRow();
    if (!parser_.Next(values, row.line, row.error)) return false;
    if (row.error.empty() && values.size() > headers_.size()) {
      row.error = absl::StrCat("has ", values.size(), " fields, the header ",
                               headers_.size());
    }
    for (size_t i = 0; i < values.size() && i < headers_.size(); ++i) {
      row.fields.emplace_back(headers_[i], values[i]);
    }
    return true;
  }
  int64_t bytes() const override { return parser_.bytes(); }
  const std::vector<std::string>& headers() const override { return headers_; }

 private:
  CsvParser parser_;
  std::vector<std::string> headers_;
};

class JsonlRowReader : public RowReader {
 public:
  explicit JsonlRowReader(std::istream& in) : in_(in) {}
  bool Next(InputRow& row) override {
    std::string line;
    while (std::getline(in_, line)) {
      ++line_;
      bytes_ += static_cast<int64_t>(line.size()) + 1;
      if (absl::StripAsciiWhitespace(line).empty()) continue;
      row = InputRow();
      row.line = line_;
      row.json = std::move(line);
      return true;
    }
    return false;
  }
  int64_t bytes() const override { return bytes_; }
  const std::vector<std::string>& headers() const override { return none_; }

 private:
  std::istream& in_;
  int64_t line_ = 0;
  int64_t bytes_ = 0;
  std::vector<std::string> none_;
};

}  // namespace

std::unique_ptr<RowReader> MakeRowReader(InputFormat format, std::istream& in) {
  if (format == InputFormat::kCsv) return std::make_unique<CsvRowReader>(in);
  return std::make_unique<JsonlRowReader>(in);
}

}  // namespace retain::cli
