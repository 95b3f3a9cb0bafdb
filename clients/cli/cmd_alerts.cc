// alerts: the stored alert history (ListAlerts); with --follow the alerts
// raised from now on, with --resume-from those after a position, stored
// then live (WatchHealth).
#include <iostream>
#include <optional>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "api/alert_validation.h"
#include "api/names.h"
#include "clients/cli/commands.h"
#include "clients/cli/format.h"
#include "clients/cli/records.h"
#include "clients/cli/table.h"
#include "retain/report/v1/report.grpc.pb.h"

namespace retain::cli {
namespace {

using report::v1::HealthAlert;
using report::v1::ListAlertsRequest;
using report::v1::ReportService;

struct Opts {
  std::string account, source, code, severity, since, until, format;
  int64_t after = 0;
  // 100 for a listing, none for a watch, unless given.
  std::optional<int64_t> limit;
  bool oldest_first = false;
  bool follow = false;
  std::optional<int64_t> resume_from;
};

std::string Severity(const std::string& s, bool color) {
  return Colorize(s,
                  s == "critical"  ? "red"
                  : s == "warning" ? "yellow"
                                   : "",
                  color);
}

std::vector<std::string> Row(const HealthAlert& a, bool color) {
  return {absl::StrCat(a.position()),
          FormatDateTime(a.alert_time()),
          Severity(a.severity(), color),
          a.source(),
          a.code(),
          a.account().empty() ? "-" : api::AccountIdOf(a.account()),
          a.message()};
}

// The request the flags describe, checked as the server would check it.
ListAlertsRequest Request(const Opts& o) {
  ListAlertsRequest req;
  if (!o.account.empty()) {
    auto name = AccountResourceName(o.account);
    if (!name.ok()) {
      throw CliError(kExitUsage, std::string(name.status().message()));
    }
    req.set_account(*name);
  }
  req.set_source(o.source);
  req.set_code(o.code);
  req.set_severity(o.severity);
  for (auto [flag, text, ts] :
       {std::tuple{"--since", &o.since, req.mutable_start_time()},
        std::tuple{"--until", &o.until, req.mutable_end_time()}}) {
    if (text->empty()) continue;
    auto t = ParseTime(*text);
    if (!t.ok()) {
      throw CliError(kExitUsage,
                     absl::StrCat(flag, ": ", t.status().message()));
    }
    *ts = ToProto(*t);
  }
  if (o.since.empty()) req.clear_start_time();
  if (o.until.empty()) req.clear_end_time();
  req.set_after_position(o.after);
  req.set_oldest_first(o.oldest_first);
  req.set_page_size(1000);
  if (absl::Status s = api::ValidateListAlertsRequest(req); !s.ok()) {
    throw CliError(kExitUsage, std::string(s.message()));
  }
  return req;
}

// The filters ListAlerts applies on the server, for the live stream.
bool Matches(const ListAlertsRequest& req, const HealthAlert& a) {
  if (!req.account().empty() && a.account() != req.account()) return false;
  if (!req.source().empty() && a.source() != req.source()) return false;
  if (!req.code().empty() && a.code() != req.code()) return false;
  if (!req.severity().empty() && a.severity() != req.severity()) return false;
  const absl::Time t = FromProto(a.alert_time());
  if (req.has_start_time() && t < FromProto(req.start_time())) return false;
  if (req.has_end_time() && t >= FromProto(req.end_time())) return false;
  return true;
}

void List(const Connection& conn, ListAlertsRequest req, int64_t limit,
          bool json, bool color) {
  auto stub = ReportService::NewStub(conn.channel());
  Table table({{"POSITION", Align::kRight},
               {"TIME"},
               {"SEVERITY"},
               {"SOURCE"},
               {"CODE"},
               {"ACCOUNT"},
               {"MESSAGE"}});
  int64_t count = 0;
  report::v1::ListAlertsResponse resp;
  do {
    resp.Clear();
    auto ctx = conn.Context();
    Check(stub->ListAlerts(ctx.get(), req, &resp), "listing alerts");
    for (const auto& a : resp.alerts()) {
      if (limit > 0 && count >= limit) break;
      ++count;
      if (json) {
        PrintJson(std::cout, a);
      } else {
        table.AddRow(Row(a, color));
      }
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty() && (limit == 0 || count < limit));
  if (json) return;
  table.Print(std::cout);
  std::cout << "\n"
            << FormatCount(count) << " alerts (history holds positions "
            << resp.oldest_position() << "-" << resp.newest_position() << ")\n";
}

// Streams alerts after `after` (the history first, then live) until the
// server ends the stream or `limit` alerts were printed.
void Follow(const Connection& conn, const ListAlertsRequest& req, int64_t after,
            int64_t limit, bool json, bool color) {
  auto stub = ReportService::NewStub(conn.channel());
  report::v1::WatchHealthRequest watch;
  watch.set_after_position(after);
  auto ctx = conn.StreamContext();
  auto reader = stub->WatchHealth(ctx.get(), watch);
  HealthAlert a;
  int64_t count = 0;
  while ((limit == 0 || count < limit) && reader->Read(&a)) {
    if (!Matches(req, a)) continue;
    ++count;
    if (json) {
      PrintJson(std::cout, a);
    } else {
      std::vector<std::string> cells = Row(a, color);
      std::cout << cells[0];
      for (size_t i = 1; i < cells.size(); ++i) std::cout << "  " << cells[i];
      std::cout << "\n";
    }
    std::cout.flush();
  }
  if (limit > 0 && count >= limit) {
    ctx->TryCancel();
    reader->Finish().IgnoreError();
    return;
  }
  Check(reader->Finish(), "watching alerts");
}

}  // namespace

void AddAlertCommands(CLI::App& app, Globals& g) {
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "alerts",
      "The alert history: band changes and plugin alerts, newest first; "
      "with --follow or --resume-from, then the live ones");
  cmd->add_option("--account", o->account, "only this account");
  cmd->add_option("--source", o->source, "only this source: core or a plugin");
  cmd->add_option("--code", o->code,
                  "only this code, e.g. health.band_changed");
  cmd->add_option("--severity", o->severity, "only info, warning or critical");
  cmd->add_option("--since", o->since, "raised at or after this time");
  cmd->add_option("--until", o->until, "raised before this time");
  cmd->add_option("--after", o->after, "only positions after N");
  cmd->add_flag("--oldest-first", o->oldest_first, "oldest first");
  cmd->add_option("--limit", o->limit,
                  "stop after N alerts (0: all); default 100 for a listing, "
                  "none for --follow and --resume-from");
  cmd->add_option("--format", o->format,
                  "table or json (one object per line); default: --output")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_flag("--follow", o->follow,
                "print alerts as they are raised from now on, until "
                "interrupted (or --limit)");
  cmd->add_option("--resume-from", o->resume_from,
                  "print the alerts after position N, stored then live, "
                  "with no gap (a watch that resumes)");
  cmd->callback([&g, o] {
    const bool json = o->format.empty() ? g.format() == OutputFormat::kJson
                                        : o->format == "json";
    const bool color = g.color();
    ListAlertsRequest req = Request(*o);
    Connection conn(g);
    if (!o->follow && !o->resume_from) {
      List(conn, req, o->limit.value_or(100), json, color);
      return;
    }
    int64_t after = o->resume_from.value_or(0);
    if (!o->resume_from) {
      // From the newest stored position, so nothing raised while the watch
      // starts is missed.
      auto stub = ReportService::NewStub(conn.channel());
      ListAlertsRequest head;
      head.set_page_size(1);
      report::v1::ListAlertsResponse resp;
      auto ctx = conn.Context();
      Check(stub->ListAlerts(ctx.get(), head, &resp), "listing alerts");
      after = resp.newest_position();
    }
    Follow(conn, req, after, o->limit.value_or(0), json, color);
  });
}

}  // namespace retain::cli
