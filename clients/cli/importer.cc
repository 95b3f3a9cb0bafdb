#include "clients/cli/importer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "api/names.h"
#include "clients/cli/format.h"
#include "clients/cli/input.h"
#include "clients/cli/progress.h"
#include "clients/cli/records.h"
#include "google/protobuf/field_mask.pb.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"

namespace retain::cli {
namespace {

using signal::v1::Signal;

// Errors that are about the data (skip the row), as opposed to the server
// or the connection (stop).
bool IsDataError(grpc::StatusCode code) {
  return code == grpc::StatusCode::INVALID_ARGUMENT ||
         code == grpc::StatusCode::FAILED_PRECONDITION ||
         code == grpc::StatusCode::NOT_FOUND ||
         code == grpc::StatusCode::OUT_OF_RANGE;
}

struct Input {
  std::ifstream file;
  std::istream* in = nullptr;
  int64_t size = -1;
  std::string label;
};

void OpenInput(const std::string& path, Input& input) {
  if (path == "-") {
    input.in = &std::cin;
    input.label = "stdin";
    return;
  }
  input.file.open(path, std::ios::binary);
  if (!input.file) {
    throw CliError(kExitUsage, absl::StrCat("cannot open ", path));
  }
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    input.size = st.st_size;
  }
  input.in = &input.file;
  input.label = path.substr(path.find_last_of('/') + 1);
}

std::unique_ptr<Progress> MakeProgress(const ImportOptions& opts,
                                       const std::string& label, int64_t size,
                                       std::ostream& log) {
  if (opts.progress == "none") return nullptr;
  bool tty = opts.progress == "bar" ||
             (opts.progress == "auto" && IsTerminal(STDERR_FILENO));
  return std::make_unique<Progress>(label, size, tty, log);
}

class Reporter {
 public:
  Reporter(Progress* progress, std::ostream& log, ImportSummary& summary)
      : progress_(progress), log_(log), summary_(summary) {}
  void Reject(int64_t line, const std::string& reason) {
    summary_.rejected.push_back({line, reason});
    Say(absl::StrCat("line ", line, ": rejected: ", reason));
  }
  void Say(const std::string& msg) {
    if (progress_ != nullptr) {
      progress_->Message(msg);
    } else {
      log_ << msg << "\n";
    }
  }

 private:
  Progress* progress_;
  std::ostream& log_;
  ImportSummary& summary_;
};

struct PendingRow {
  int64_t line;
  Signal signal;
};
using Batch = std::vector<PendingRow>;

class SignalSender {
 public:
  SignalSender(const Connection& conn, const ImportOptions& opts,
               ImportSummary& summary, Reporter& reporter)
      : conn_(conn),
        opts_(opts),
        stub_(signal::v1::SignalService::NewStub(conn.channel())),
        summary_(summary),
        reporter_(reporter) {}

  void Send(Batch batch) {
    if (batch.empty()) return;
    if (writer_ == nullptr) Open();
    signal::v1::StreamSignalsRequest req;
    for (const auto& row : batch) *req.add_signals() = row.signal;
    ++summary_.batches;
    const bool written = writer_->Write(req);
    window_.push_back(std::move(batch));
    if (!written ||
        static_cast<int>(window_.size()) >= opts_.batches_per_stream) {
      Close();
    }
  }

  // Ends the current stream and settles its batches.
  void Close() {
    if (writer_ == nullptr) return;
    writer_->WritesDone();
    grpc::Status status = writer_->Finish();
    writer_.reset();
    ctx_.reset();
    std::vector<Batch> window = std::move(window_);
    window_.clear();
    if (status.ok()) {
      summary_.recorded += response_.recorded();
      summary_.duplicates += response_.duplicates();
      return;
    }
    if (!IsDataError(status.error_code())) {
      Fail(status, window.empty() ? 0 : window.front().front().line);
    }
    // Some batch of the window was rejected; batches before it are stored.
    // Replaying them all with RecordSignals is safe (ids make stored ones
    // duplicates) and finds the bad rows.
    const int64_t before = summary_.duplicates;
    for (auto& batch : window) Replay(batch, 0, batch.size());
    summary_.uncertain += summary_.duplicates - before;
  }

 private:
  void Open() {
    ctx_ = conn_.StreamContext();
    response_.Clear();
    writer_ = stub_->StreamSignals(ctx_.get(), &response_);
  }

  void Replay(const Batch& batch, size_t begin, size_t end) {
    signal::v1::RecordSignalsRequest req;
    for (size_t i = begin; i < end; ++i) *req.add_signals() = batch[i].signal;
    signal::v1::RecordSignalsResponse resp;
    auto ctx = conn_.Context();
    grpc::Status status = stub_->RecordSignals(ctx.get(), req, &resp);
    if (status.ok()) {
      summary_.recorded += resp.recorded();
      summary_.duplicates += resp.duplicates();
      return;
    }
    if (!IsDataError(status.error_code())) Fail(status, batch[begin].line);
    if (end - begin == 1) {
      reporter_.Reject(batch[begin].line, status.error_message());
      return;
    }
    const size_t mid = begin + (end - begin) / 2;
    Replay(batch, begin, mid);
    Replay(batch, mid, end);
  }

  [[noreturn]] void Fail(const grpc::Status& status, int64_t line) {
    Check(status, absl::StrCat("signals import stopped at line ", line,
                               " (rows before it are recorded; re-run the "
                               "same import to resume: signal ids make it "
                               "safe)"));
    throw CliError(kExitError, "unreachable");
  }

  const Connection& conn_;
  const ImportOptions& opts_;
  std::unique_ptr<signal::v1::SignalService::Stub> stub_;
  ImportSummary& summary_;
  Reporter& reporter_;
  std::unique_ptr<grpc::ClientContext> ctx_;
  std::unique_ptr<grpc::ClientWriter<signal::v1::StreamSignalsRequest>> writer_;
  signal::v1::StreamSignalsResponse response_;
  std::vector<Batch> window_;
};

// Whether each referenced account exists, asked once per account.
class AccountCache {
 public:
  explicit AccountCache(const Connection& conn)
      : conn_(conn),
        stub_(account::v1::AccountService::NewStub(conn.channel())) {}

  bool Exists(const std::string& name) {
    auto it = known_.find(name);
    if (it != known_.end()) return it->second;
    account::v1::GetAccountRequest req;
    req.set_name(name);
    account::v1::Account resp;
    auto ctx = conn_.Context();
    grpc::Status st = stub_->GetAccount(ctx.get(), req, &resp);
    if (!st.ok() && st.error_code() != grpc::StatusCode::NOT_FOUND) {
      Check(st, "looking up " + name);
    }
    known_[name] = st.ok();
    return st.ok();
  }

 private:
  const Connection& conn_;
  std::unique_ptr<account::v1::AccountService::Stub> stub_;
  std::map<std::string, bool> known_;
};

void WarnUnknownColumns(const std::vector<std::string>& unknown,
                        std::ostream& log) {
  if (unknown.empty()) return;
  log << "warning: ignoring unknown column(s): " << absl::StrJoin(unknown, ", ")
      << "\n";
}

}  // namespace

ImportSummary ImportSignals(const Connection& conn, const ImportOptions& opts,
                            std::ostream& log) {
  if (opts.batch_size < 1 || opts.batch_size > 10000) {
    throw CliError(kExitUsage, "--batch-size must be 1..10000");
  }
  auto format = ResolveFormat(opts.format, opts.path);
  if (!format.ok())
    throw CliError(kExitUsage, std::string(format.status().message()));
  Input input;
  OpenInput(opts.path, input);
  auto reader = MakeRowReader(*format, *input.in);
  if (*format == InputFormat::kCsv) {
    WarnUnknownColumns(UnknownSignalColumns(reader->headers()), log);
  }
  ImportSummary summary;
  auto progress = MakeProgress(opts, "signals " + input.label, input.size, log);
  Reporter reporter(progress.get(), log, summary);
  SignalSender sender(conn, opts, summary, reporter);
  AccountCache accounts(conn);
  const absl::Time now = absl::Now();

  Batch batch;
  InputRow row;
  while (reader->Next(row)) {
    ++summary.rows;
    if (progress) progress->Update(summary.rows, reader->bytes());
    if (!row.error.empty()) {
      reporter.Reject(row.line, row.error);
      continue;
    }
    auto signal = *format == InputFormat::kCsv ? SignalFromFields(row.fields)
                                               : SignalFromJson(row.json);
    if (!signal.ok()) {
      reporter.Reject(row.line, std::string(signal.status().message()));
      continue;
    }
    if (signal->has_custom() &&
        absl::StartsWith(signal->custom().type(), "retain.")) {
      ++summary.skipped;  // server-generated (e.g. from an export)
      continue;
    }
    EnsureSignalId(*signal);
    if (auto st = ValidateSignal(*signal, now); !st.ok()) {
      reporter.Reject(row.line, std::string(st.message()));
      continue;
    }
    if (!accounts.Exists(signal->account())) {
      reporter.Reject(row.line, absl::StrCat("account: ", signal->account(),
                                             " does not exist"));
      continue;
    }
    batch.push_back({row.line, *std::move(signal)});
    if (static_cast<int>(batch.size()) >= opts.batch_size) {
      sender.Send(std::move(batch));
      batch.clear();
    }
  }
  sender.Send(std::move(batch));
  sender.Close();
  if (progress) progress->Finish(summary.rows, reader->bytes());
  return summary;
}

ImportSummary ImportAccounts(const Connection& conn, const ImportOptions& opts,
                             std::ostream& log) {
  auto format = ResolveFormat(opts.format, opts.path);
  if (!format.ok())
    throw CliError(kExitUsage, std::string(format.status().message()));
  Input input;
  OpenInput(opts.path, input);
  auto reader = MakeRowReader(*format, *input.in);
  if (*format == InputFormat::kCsv) {
    WarnUnknownColumns(UnknownAccountColumns(reader->headers()), log);
  }
  ImportSummary summary;
  auto progress =
      MakeProgress(opts, "accounts " + input.label, input.size, log);
  Reporter reporter(progress.get(), log, summary);
  auto stub = account::v1::AccountService::NewStub(conn.channel());
  // Accounts created before this import began were already there.
  const absl::Time started = absl::Now() - absl::Seconds(1);

  InputRow row;
  while (reader->Next(row)) {
    ++summary.rows;
    if (progress) progress->Update(summary.rows, reader->bytes());
    if (!row.error.empty()) {
      reporter.Reject(row.line, row.error);
      continue;
    }
    auto parsed = *format == InputFormat::kCsv ? AccountFromFields(row.fields)
                                               : AccountFromJson(row.json);
    if (!parsed.ok()) {
      reporter.Reject(row.line, std::string(parsed.status().message()));
      continue;
    }
    if (parsed->account.display_name().empty()) {
      reporter.Reject(row.line, "display_name: is required");
      continue;
    }
    if (!parsed->account_id.empty()) {
      account::v1::GetAccountRequest get;
      get.set_name(api::AccountName(parsed->account_id));
      account::v1::Account existing;
      auto gctx = conn.Context();
      grpc::Status gs = stub->GetAccount(gctx.get(), get, &existing);
      if (gs.ok() && !opts.update_existing) {
        ++summary.unchanged;
        continue;
      }
      if (!gs.ok() && gs.error_code() != grpc::StatusCode::NOT_FOUND) {
        Check(gs, absl::StrCat("accounts import stopped at line ", row.line,
                               " (rows before it are stored; re-run to "
                               "resume)"));
      }
    }
    account::v1::CreateAccountRequest req;
    req.set_account_id(parsed->account_id);
    *req.mutable_account() = parsed->account;
    // Derived from the row, so a re-run (even of rows without an id) returns
    // the account the first run created instead of creating another.
    req.set_request_id("import-" +
                       HexDigest(parsed->account_id + "\n" +
                                 parsed->account.SerializeAsString()));
    account::v1::Account created;
    auto ctx = conn.Context();
    grpc::Status st = stub->CreateAccount(ctx.get(), req, &created);
    if (st.ok()) {
      // A replayed request_id (a re-run of a row without an id) returns the
      // account the first run created.
      if (parsed->account_id.empty() &&
          FromProto(created.create_time()) < started) {
        ++summary.unchanged;
      } else {
        ++summary.created;
      }
      continue;
    }
    if (st.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      if (!opts.update_existing) {
        ++summary.unchanged;
        continue;
      }
      account::v1::UpdateAccountRequest upd;
      *upd.mutable_account() = parsed->account;
      upd.mutable_account()->set_name(api::AccountName(parsed->account_id));
      for (const auto& p : parsed->paths)
        upd.mutable_update_mask()->add_paths(p);
      account::v1::Account updated;
      auto uctx = conn.Context();
      st = stub->UpdateAccount(uctx.get(), upd, &updated);
      if (st.ok()) {
        ++summary.updated;
        continue;
      }
    }
    if (IsDataError(st.error_code()) ||
        st.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      reporter.Reject(row.line, st.error_message());
      continue;
    }
    Check(st, absl::StrCat("accounts import stopped at line ", row.line,
                           " (rows before it are stored; re-run to resume)"));
  }
  if (progress) progress->Finish(summary.rows, reader->bytes());
  return summary;
}

}  // namespace retain::cli
