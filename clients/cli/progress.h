// A small progress display for long imports. On a terminal: one line redrawn
// in place (at most 10 times a second) with a bar, percentage, rows, rate and
// ETA. Otherwise: a plain line at every 10% of the input (or every 10,000
// rows when the size is unknown) and a final summary line — readable in CI
// logs and by scripts. Percentage and ETA come from bytes read against the
// file's size, so no pre-scan of the file is needed.
#ifndef RETAIN_CLIENTS_CLI_PROGRESS_H_
#define RETAIN_CLIENTS_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace retain::cli {

class Progress {
 public:
  // total_bytes < 0: unknown (stdin): no bar, percentage or ETA.
  Progress(std::string label, int64_t total_bytes, bool tty, std::ostream& out);

  // Reports rows processed and bytes consumed so far.
  void Update(int64_t rows, int64_t bytes);
  // Prints a message (e.g. a rejected row) without garbling the bar.
  void Message(const std::string& line);
  // Final line: rows, elapsed, average rate.
  void Finish(int64_t rows, int64_t bytes);

  // The text of the line for these numbers (exposed for tests).
  static std::string Render(const std::string& label, int64_t rows,
                            int64_t bytes, int64_t total_bytes,
                            double elapsed_seconds, bool with_bar);

 private:
  double Elapsed() const;
  void Draw(int64_t rows, int64_t bytes);
  void Clear();

  std::string label_;
  int64_t total_bytes_;
  bool tty_;
  std::ostream& out_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool drawn_ = false;
  int next_decile_ = 1;
  int64_t next_row_mark_ = 10000;
  int64_t rows_ = 0;
  int64_t bytes_ = 0;
};

// "1:05" or "1:02:05".
std::string FormatEta(double seconds);

}  // namespace retain::cli

#endif  // RETAIN_CLIENTS_CLI_PROGRESS_H_
