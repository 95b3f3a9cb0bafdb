#include "clients/cli/progress.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"
#include "clients/cli/format.h"

namespace retain::cli {

std::string FormatEta(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  int64_t s = std::llround(seconds);
  if (s >= 3600) {
    return absl::StrFormat("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
  return absl::StrFormat("%d:%02d", s / 60, s % 60);
}

Progress::Progress(std::string label, int64_t total_bytes, bool tty,
                   std::ostream& out)
    : label_(std::move(label)),
      total_bytes_(total_bytes),
      tty_(tty),
      out_(out),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double Progress::Elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start_)
      .count();
}

std::string Progress::Render(const std::string& label, int64_t rows,
                             int64_t bytes, int64_t total_bytes, double elapsed,
                             bool with_bar) {
  const double rate = elapsed > 0 ? rows / elapsed : 0;
  std::string line = label;
  if (total_bytes > 0) {
    const double fraction =
        std::clamp(static_cast<double>(bytes) / total_bytes, 0.0, 1.0);
    if (with_bar) {
      constexpr int kWidth = 24;
      const int filled = static_cast<int>(fraction * kWidth);
      line += " [" + std::string(filled, '#') +
              std::string(kWidth - filled, '-') + "]";
    }
    line += absl::StrFormat(" %3.0f%%", fraction * 100);
  }
  line += absl::StrFormat("  %s rows  %s rows/s", FormatCount(rows),
                          FormatCount(std::llround(rate)));
  if (total_bytes > 0) {
    const double byte_rate = elapsed > 0 ? bytes / elapsed : 0;
    const double eta = byte_rate > 0 ? (total_bytes - bytes) / byte_rate : NAN;
    line += "  ETA " + FormatEta(bytes >= total_bytes ? 0 : eta);
  }
  return line;
}

void Progress::Draw(int64_t rows, int64_t bytes) {
  out_ << "\r" << Render(label_, rows, bytes, total_bytes_, Elapsed(), true)
       << "\x1b[K" << std::flush;
  drawn_ = true;
  last_draw_ = std::chrono::steady_clock::now();
}

void Progress::Clear() {
  if (tty_ && drawn_) out_ << "\r\x1b[K" << std::flush;
}

void Progress::Update(int64_t rows, int64_t bytes) {
  rows_ = rows;
  bytes_ = bytes;
  if (tty_) {
    if (!drawn_ || std::chrono::steady_clock::now() - last_draw_ >=
                       std::chrono::milliseconds(100)) {
      Draw(rows, bytes);
    }
    return;
  }
  bool report = false;
  if (total_bytes_ > 0) {
    while (next_decile_ < 10 &&
           bytes * 10 >= total_bytes_ * static_cast<int64_t>(next_decile_)) {
      ++next_decile_;
      report = true;
    }
  } else if (rows >= next_row_mark_) {
    next_row_mark_ += 10000;
    report = true;
  }
  if (report) {
    out_ << Render(label_, rows, bytes, total_bytes_, Elapsed(), false) << "\n"
         << std::flush;
  }
}

void Progress::Message(const std::string& line) {
  Clear();
  out_ << line << "\n";
  if (tty_ && drawn_) {
    Draw(rows_, bytes_);
  } else {
    out_ << std::flush;
  }
}

void Progress::Finish(int64_t rows, int64_t bytes) {
  const double elapsed = Elapsed();
  if (tty_) {
    out_ << "\r" << Render(label_, rows, bytes, total_bytes_, elapsed, true)
         << "\x1b[K\n";
  }
  out_ << absl::StrFormat(
              "%s: %s rows in %.1fs (%s rows/s)\n", label_, FormatCount(rows),
              elapsed,
              FormatCount(elapsed > 0 ? std::llround(rows / elapsed) : rows))
       << std::flush;
}

}  // namespace retain::cli
