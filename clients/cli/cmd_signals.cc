// signals record|import|list, and the import summary shared with accounts.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "clients/cli/commands.h"
#include "clients/cli/format.h"
#include "clients/cli/importer.h"
#include "clients/cli/records.h"
#include "clients/cli/table.h"
#include "nlohmann/json.hpp"
#include "retain/signal/v1/signal.grpc.pb.h"

namespace retain::cli {
namespace {

using signal::v1::Signal;
using signal::v1::SignalService;

template <typename E>
std::string Name(const google::protobuf::EnumDescriptor* d, E v) {
  return EnumShortName(d, static_cast<int>(v));
}

// One line describing a signal's payload.
std::string Describe(const Signal& s) {
  switch (s.payload_case()) {
    case Signal::kUsage:
      return absl::StrCat(s.usage().active_users(), " active users / ",
                          s.usage().window_days() ? s.usage().window_days() : 7,
                          "d");
    case Signal::kTicket: {
      std::string d = absl::StrCat(
          s.ticket().ticket_id(), " ",
          Name(signal::v1::TicketStatus_descriptor(), s.ticket().status()));
      if (s.ticket().severity()) {
        d += " " + Name(signal::v1::TicketSeverity_descriptor(),
                        s.ticket().severity());
      }
      if (s.ticket().escalated()) d += " escalated";
      if (!s.ticket().subject().empty()) d += ": " + s.ticket().subject();
      return d;
    }
    case Signal::kSurvey: {
      std::string d = absl::StrCat(
          Name(signal::v1::SurveyKind_descriptor(), s.survey().kind()), " ",
          s.survey().score());
      if (!s.survey().comment().empty())
        d += " \"" + s.survey().comment() + "\"";
      return d;
    }
    case Signal::kTouchpoint: {
      std::string d = Name(signal::v1::TouchpointChannel_descriptor(),
                           s.touchpoint().channel());
      if (!s.touchpoint().with_contact().empty()) {
        d += " with " + s.touchpoint().with_contact();
      }
      if (s.touchpoint().exec_involved()) d += " (exec)";
      if (!s.touchpoint().csm().empty()) d += " by " + s.touchpoint().csm();
      return d;
    }
    case Signal::kCommercial: {
      std::string d = Name(signal::v1::CommercialEventKind_descriptor(),
                           s.commercial().kind());
      if (s.commercial().arr_delta() != 0) {
        d += " " + std::string(s.commercial().arr_delta() > 0 ? "+" : "") +
             FormatMoney(s.commercial().arr_delta());
      }
      if (!s.commercial().reason().empty()) d += ": " + s.commercial().reason();
      return d;
    }
    case Signal::kLifecycle:
      return "-> " + Name(account::v1::LifecycleStage_descriptor(),
                          s.lifecycle().stage());
    case Signal::kCustom: {
      std::vector<std::string> attrs;
      for (const auto& [k, v] : s.custom().attributes()) {
        attrs.push_back(k + "=" + v);
      }
      std::sort(attrs.begin(), attrs.end());
      return s.custom().type() +
             (attrs.empty() ? "" : " " + absl::StrJoin(attrs, " "));
    }
    default:
      return "";
  }
}

}  // namespace

int ReportImport(const Globals& g, const std::string& what,
                 const ImportSummary& s, bool accounts) {
  if (g.format() == OutputFormat::kJson) {
    nlohmann::json j = {{"rows", s.rows}};
    if (accounts) {
      j["created"] = s.created;
      j["updated"] = s.updated;
      j["unchanged"] = s.unchanged;
    } else {
      j["recorded"] = s.recorded;
      j["duplicates"] = s.duplicates;
      j["batches"] = s.batches;
      j["skipped"] = s.skipped;
      j["uncertain"] = s.uncertain;
    }
    j["rejected"] = s.rejected.size();
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : s.rejected) {
      rows.push_back({{"line", r.line}, {"reason", r.reason}});
    }
    j["rejected_rows"] = rows;
    std::cout << j.dump() << "\n";
  } else if (accounts) {
    std::cout << absl::StrFormat(
        "%s: %s rows: %s created, %s updated, %s already present, %s "
        "rejected\n",
        what, FormatCount(s.rows), FormatCount(s.created),
        FormatCount(s.updated), FormatCount(s.unchanged),
        FormatCount(s.rejected.size()));
  } else {
    std::cout << absl::StrFormat(
        "%s: %s rows: %s recorded, %s already present, %s rejected (%s "
        "batches)\n",
        what, FormatCount(s.rows), FormatCount(s.recorded),
        FormatCount(s.duplicates), FormatCount(s.rejected.size()),
        FormatCount(s.batches));
    if (s.skipped > 0) {
      std::cout << absl::StrFormat(
          "skipped %s server-generated signals (custom type retain.*)\n",
          FormatCount(s.skipped));
    }
    if (s.uncertain > 0) {
      std::cout << absl::StrFormat(
          "note: a batch was rejected mid-stream; %s of the rows counted as "
          "already present were in that stream and may have been recorded "
          "by this run\n",
          FormatCount(s.uncertain));
    }
  }
  return s.rejected.empty() ? kExitOk : kExitPartial;
}

void AddSignalCommands(CLI::App& app, Globals& g) {
  CLI::App* signals = app.add_subcommand(
      "signals",
      "Signals: usage, tickets, surveys, touchpoints, commercial "
      "events, lifecycle changes");
  signals->require_subcommand(1);

  const std::string columns =
      "Fields (CSV columns, or FIELD=VALUE for record): signal_id, account, "
      "occur_time, kind,\nthen by kind --\n"
      "  usage:      active_users, window_days, feature_users (a=3;b=5)\n"
      "  ticket:     ticket_id, status, severity, escalated, subject\n"
      "  survey:     survey_kind (nps, csat, ces), score, comment, "
      "respondent\n"
      "  touchpoint: channel, with_contact, exec_involved, csm, notes\n"
      "  commercial: commercial_kind (new_logo, renewal, expansion, "
      "contraction, churn, payment_overdue, payment_received, win_back), "
      "arr_delta, reason, reason_code, next_renewal_time, reference\n"
      "  lifecycle:  stage, reason\n"
      "  custom:     type, attributes (k=v;k=v)\n"
      "A missing signal_id is derived from the row's content, so re-running "
      "is safe.\n";

  // record
  {
    struct Opts {
      std::string account, kind, id, at = "now", reason_code;
      std::vector<std::string> fields;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = signals->add_subcommand("record", "Record one signal");
    cmd->add_option("account", o->account, "account id")->required();
    cmd->add_option("kind", o->kind,
                    "usage, ticket, survey, touchpoint, commercial, lifecycle "
                    "or custom")
        ->required();
    cmd->add_option("fields", o->fields, "FIELD=VALUE pairs of the kind");
    cmd->add_option("--id", o->id, "signal id (derived from content if unset)");
    cmd->add_option("--at", o->at, "when it happened")->capture_default_str();
    cmd->add_option("--reason-code", o->reason_code,
                    "why a churn or contraction happened: a code of the "
                    "server's churn_reasons (e.g. price, competitor)");
    cmd->footer(columns +
                "\nExample: retainctl signals record acme survey "
                "survey_kind=nps score=9 --at 2024-05-01\n\n" +
                std::string(ExitCodesHelp()));
    cmd->callback([&g, o] {
      Fields fields = {{"account", o->account},
                       {"kind", o->kind},
                       {"occur_time", o->at},
                       {"signal_id", o->id}};
      if (!o->reason_code.empty()) {
        fields.emplace_back("reason_code", o->reason_code);
      }
      for (const auto& kv : o->fields) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) {
          throw CliError(kExitUsage,
                         "expected FIELD=VALUE, got \"" + kv + "\"");
        }
        fields.emplace_back(NormalizeColumn(kv.substr(0, eq)),
                            kv.substr(eq + 1));
        std::vector<std::string> unknown =
            UnknownSignalColumns({fields.back().first});
        if (!unknown.empty()) {
          throw CliError(kExitUsage, "unknown field \"" + unknown[0] + "\"");
        }
      }
      auto s = SignalFromFields(fields);
      if (!s.ok())
        throw CliError(kExitUsage, std::string(s.status().message()));
      EnsureSignalId(*s);
      if (auto st = ValidateSignal(*s, absl::Now()); !st.ok()) {
        throw CliError(kExitUsage, std::string(st.message()));
      }
      signal::v1::RecordSignalsRequest req;
      *req.add_signals() = *s;
      signal::v1::RecordSignalsResponse resp;
      Connection conn(g);
      auto stub = SignalService::NewStub(conn.channel());
      auto ctx = conn.Context();
      Check(stub->RecordSignals(ctx.get(), req, &resp), "recording signal");
      if (g.format() == OutputFormat::kJson) {
        nlohmann::json j = {{"signal_id", s->signal_id()},
                            {"recorded", resp.recorded()},
                            {"duplicates", resp.duplicates()}};
        std::cout << j.dump() << "\n";
      } else {
        std::cout << (resp.recorded() ? "recorded " : "already recorded ")
                  << s->signal_id() << "\n";
      }
    });
  }

  // import
  {
    auto o = std::make_shared<ImportOptions>();
    CLI::App* cmd = signals->add_subcommand(
        "import",
        "Stream signals from a CSV or JSON Lines file in batches (re-running "
        "is safe)");
    cmd->add_option("file", o->path, "CSV or JSON Lines file, - for stdin")
        ->required();
    cmd->add_option("--format", o->format, "csv, jsonl or auto (by extension)")
        ->capture_default_str();
    cmd->add_option("--batch-size", o->batch_size, "signals per batch")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    cmd->add_option("--progress", o->progress,
                    "auto (bar on a terminal, plain lines otherwise), bar, "
                    "plain or none")
        ->capture_default_str();
    cmd->footer(columns +
                "JSON Lines: one Signal per line in proto JSON (what `signals "
                "list -o json` prints).\nRejected rows are reported on stderr "
                "as \"line N: rejected: reason\" and the import goes on\n"
                "(exit 10 at the end).\n\n" +
                std::string(ExitCodesHelp()));
    cmd->callback([&g, o] {
      Connection conn(g);
      ImportSummary s = ImportSignals(conn, *o, std::cerr);
      int code = ReportImport(g, "signals import", s, false);
      if (code != kExitOk) throw CliError(code, "");
    });
  }

  // list
  {
    struct Opts {
      std::string account, kind, since, until;
      int limit = 0;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = signals->add_subcommand(
        "list", "List an account's signals in time order");
    cmd->add_option("account", o->account, "account id")->required();
    cmd->add_option("--kind", o->kind, "only this kind");
    cmd->add_option("--since", o->since, "from this time (inclusive)");
    cmd->add_option("--until", o->until, "before this time");
    cmd->add_option("--limit", o->limit, "stop after N signals (0: all)");
    cmd->callback([&g, o] {
      signal::v1::ListSignalsRequest req;
      auto name = AccountResourceName(o->account);
      if (!name.ok())
        throw CliError(kExitUsage, std::string(name.status().message()));
      req.set_account(*name);
      if (!o->kind.empty()) {
        auto k = ParseEnum(signal::v1::SignalKind_descriptor(), o->kind);
        if (!k.ok())
          throw CliError(kExitUsage, std::string(k.status().message()));
        req.set_kind(static_cast<signal::v1::SignalKind>(*k));
      }
      for (auto [text, ts] : {std::pair{&o->since, req.mutable_start_time()},
                              std::pair{&o->until, req.mutable_end_time()}}) {
        if (text->empty()) continue;
        auto t = ParseTime(*text);
        if (!t.ok())
          throw CliError(kExitUsage, std::string(t.status().message()));
        *ts = ToProto(*t);
      }
      if (o->since.empty()) req.clear_start_time();
      if (o->until.empty()) req.clear_end_time();
      req.set_page_size(1000);
      Connection conn(g);
      auto stub = SignalService::NewStub(conn.channel());
      const bool json = g.format() == OutputFormat::kJson;
      Table table({{"TIME"}, {"KIND"}, {"SIGNAL"}, {"DETAILS"}});
      int64_t count = 0;
      do {
        signal::v1::ListSignalsResponse resp;
        auto ctx = conn.Context();
        Check(stub->ListSignals(ctx.get(), req, &resp), "listing signals");
        for (const auto& s : resp.signals()) {
          if (o->limit > 0 && count >= o->limit) break;
          ++count;
          if (json) {
            PrintJson(std::cout, s);
          } else {
            table.AddRow({FormatDateTime(s.occur_time()),
                          Name(signal::v1::SignalKind_descriptor(), s.kind()),
                          s.signal_id(), Describe(s)});
          }
        }
        req.set_page_token(resp.next_page_token());
      } while (!req.page_token().empty() &&
               (o->limit == 0 || count < o->limit));
      if (!json) {
        table.Print(std::cout);
        std::cout << "\n" << FormatCount(count) << " signals\n";
      }
    });
  }
}

}  // namespace retain::cli
