// plugins list|get|resume|dead-letters|retry|drop — the server's plugin
// registry and dead letters (PluginService).
//
// A bundled plugin's own verbs (milestones, opportunities, referrals,
// feedback) get a file like this one with an Add<Plugin>Commands function
// called from main.cc, talking to the plugin's gRPC service.
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"
#include "clients/cli/format.h"
#include "clients/cli/table.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"
#include "retain/signal/v1/signal.pb.h"

namespace retain::cli {
namespace {

using plugin::v1::DeadLetter;
using plugin::v1::Plugin;
using plugin::v1::PluginService;

std::string State(const Plugin& p, bool color) {
  const std::string name =
      EnumShortName(plugin::v1::PluginState_descriptor(), p.state());
  const char* c = p.state() == plugin::v1::PLUGIN_STATE_READY ? "green"
                  : p.state() == plugin::v1::PLUGIN_STATE_PARKED ||
                          p.state() == plugin::v1::PLUGIN_STATE_DISABLED
                      ? "yellow"
                      : "red";
  return Colorize(name, c, color);
}

// A refused library has no name yet: show its file name instead.
std::string DisplayName(const Plugin& p) {
  if (!p.name().empty()) return p.name();
  const size_t slash = p.path().rfind('/');
  const std::string file =
      slash == std::string::npos ? p.path() : p.path().substr(slash + 1);
  return file.empty() ? "-" : "(" + file + ")";
}

void PrintPlugin(const Plugin& p, bool color) {
  std::vector<std::string> kinds;
  for (int k : p.signal_kinds()) {
    kinds.push_back(EnumShortName(signal::v1::SignalKind_descriptor(), k));
  }
  const auto& c = p.counters();
  std::vector<std::pair<std::string, std::string>> kv = {
      {"plugin", p.name()},
      {"version", p.version()},
      {"state", State(p, color) + " since " + FormatDateTime(p.state_time())},
      {"abi", absl::StrCat(p.abi_major(), ".", p.abi_minor())},
      {"library", p.path()},
      {"services",
       p.services().empty() ? "-" : absl::StrJoin(p.services(), ", ")},
      {"signal kinds", kinds.empty() ? "-" : absl::StrJoin(kinds, ", ")},
      {"health component", p.health_component().empty()
                               ? "-"
                               : p.health_component() + " (" +
                                     FormatPercent(p.health_weight(), 0) + ")"},
      {"calls",
       absl::StrCat(c.calls(), " (", c.call_errors(), " errors, ",
                    c.call_failures(), " failures, ", c.call_timeouts(),
                    " timeouts, ", c.calls_rejected(), " rejected)")},
      {"signals",
       absl::StrCat(c.signals_delivered(), " delivered, ", c.signal_failures(),
                    " failed, ", c.signals_dead_lettered(),
                    " dead-lettered, lag ", c.delivery_lag())},
  };
  if (!p.last_error().empty()) {
    kv.push_back({"last error", p.last_error() + " (" +
                                    FormatDateTime(p.last_error_time()) + ")"});
  }
  PrintFields(std::cout, kv);
}

// "acme" or "tenants/acme" -> "tenants/acme"; empty stays empty.
std::string TenantName(const std::string& tenant) {
  if (tenant.empty() || absl::StartsWith(tenant, "tenants/")) return tenant;
  return "tenants/" + tenant;
}

std::string After(const std::string& name, const std::string& prefix) {
  return absl::StartsWith(name, prefix) ? name.substr(prefix.size()) : name;
}

std::string SeqList(const google::protobuf::RepeatedField<int64_t>& seqs) {
  return seqs.empty() ? "-" : absl::StrJoin(seqs, ", ");
}

// A dead letter's error as the caller may see it: the plugin's text for
// operators, where to find it in the server log for everyone else.
std::string ErrorCell(const DeadLetter& d) {
  if (!d.last_error().empty()) return d.last_error();
  return d.last_error_id().empty() ? "-"
                                   : "(error id " + d.last_error_id() + ")";
}

// The --kind of a dead letter: the delivery that set it aside.
constexpr char kSignalKind[] = "signal";
constexpr char kHealthEventKind[] = "health_event";

plugin::v1::DeadLetterFeed FeedOf(const std::string& kind) {
  if (kind == kSignalKind) return plugin::v1::DEAD_LETTER_FEED_SIGNAL;
  if (kind == kHealthEventKind) {
    return plugin::v1::DEAD_LETTER_FEED_HEALTH_EVENT;
  }
  return plugin::v1::DEAD_LETTER_FEED_UNSPECIFIED;
}

bool IsHealthEvent(const plugin::v1::DeadLetter& d) {
  return d.feed() == plugin::v1::DEAD_LETTER_FEED_HEALTH_EVENT;
}

// What was set aside: a signal's kind and id, a health event's alert code.
std::string EventCell(const plugin::v1::DeadLetter& d) {
  if (IsHealthEvent(d)) return d.alert_code();
  return EnumShortName(signal::v1::SignalKind_descriptor(), d.signal_kind()) +
         " " + d.signal_id();
}

CLI::Option* AddKindOption(CLI::App* cmd, std::string* kind,
                           const std::string& help) {
  return cmd->add_option("--kind", *kind, help)
      ->check(CLI::IsMember({kSignalKind, kHealthEventKind}));
}

// Which dead letters a retry or drop acts on.
struct Selection {
  std::string plugin, tenant;
  std::vector<int64_t> seqs;
  bool all = false;
  std::string kind = kSignalKind;
};

std::shared_ptr<Selection> AddSelection(CLI::App* cmd) {
  auto sel = std::make_shared<Selection>();
  cmd->add_option("plugin", sel->plugin, "plugin name")->required();
  CLI::Option* seq = cmd->add_option(
      "--seq", sel->seqs, "dead letters by seq (repeat, or comma-separated)");
  seq->delimiter(',');
  cmd->add_flag("--all", sel->all, "every dead letter (of --tenant)")
      ->excludes(seq);
  cmd->add_option("--tenant", sel->tenant,
                  "only this tenant's (operators; others always act on "
                  "their own)");
  AddKindOption(cmd, &sel->kind,
                "signal (default) or health_event: which delivery's dead "
                "letters the seqs name (a health event's seq is its alert "
                "position, per tenant)");
  return sel;
}

void CheckSelection(const Selection& sel) {
  if (sel.seqs.empty() && !sel.all) {
    throw CliError(kExitUsage, "give --seq N... or --all");
  }
}

void AddDeadLetterCommands(CLI::App* plugins, Globals& g) {
  // dead-letters
  {
    struct Opts {
      std::string plugin, tenant, kind;
      int limit = 0;
      int page_size = 100;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = plugins->add_subcommand(
        "dead-letters",
        "Signals and health events a plugin failed too often and set aside "
        "(every page unless --limit)");
    cmd->add_option("plugin", o->plugin, "plugin name")->required();
    cmd->add_option("--tenant", o->tenant,
                    "only this tenant's (operators see every tenant's "
                    "otherwise; others only their own)");
    cmd->add_option("--limit", o->limit, "stop after N dead letters (0: all)");
    AddKindOption(cmd, &o->kind,
                  "only signal or health_event dead letters (default: both)");
    cmd->add_option("--page-size", o->page_size, "dead letters per request")
        ->check(CLI::Range(1, 1000));
    cmd->footer(
        "Columns: SEQ TENANT ACCOUNT KIND EVENT ATTEMPTS LAST-FAILURE "
        "LAST-ERROR. KIND is\nsignal (EVENT: its kind and id) or "
        "health_event (EVENT: its alert code; SEQ: the\nalert's position in "
        "the tenant's history). The plugin's error text is shown to\n"
        "operators; others get the id of the server log line that has it.\n"
        "Then `retainctl plugins retry` once the plugin is fixed, or "
        "`retainctl plugins\ndrop` (with --kind health_event for health "
        "events).\n\n" +
        std::string(ExitCodesHelp()));
    cmd->callback([&g, o] {
      plugin::v1::ListDeadLettersRequest req;
      req.set_name(o->plugin);
      req.set_tenant(TenantName(o->tenant));
      req.set_page_size(o->page_size);
      req.set_feed(FeedOf(o->kind));
      Connection conn(g);
      auto stub = PluginService::NewStub(conn.channel());
      Table table({{"SEQ", Align::kRight},
                   {"TENANT"},
                   {"ACCOUNT"},
                   {"KIND"},
                   {"EVENT"},
                   {"ATTEMPTS", Align::kRight},
                   {"LAST FAILURE"},
                   {"LAST ERROR"}});
      const bool json = g.format() == OutputFormat::kJson;
      int64_t count = 0;
      do {
        plugin::v1::ListDeadLettersResponse resp;
        auto ctx = conn.Context();
        Check(stub->ListDeadLetters(ctx.get(), req, &resp),
              "dead letters of " + o->plugin);
        for (const auto& d : resp.dead_letters()) {
          if (o->limit > 0 && count >= o->limit) break;
          ++count;
          if (json) {
            PrintJson(std::cout, d);
            continue;
          }
          table.AddRow({std::to_string(d.seq()), After(d.tenant(), "tenants/"),
                        After(d.account(), "accounts/"),
                        IsHealthEvent(d) ? kHealthEventKind : kSignalKind,
                        EventCell(d), std::to_string(d.attempts()),
                        FormatDateTime(d.last_failure_time()), ErrorCell(d)});
        }
        req.set_page_token(resp.next_page_token());
      } while (!req.page_token().empty() &&
               (o->limit == 0 || count < o->limit));
      if (!json) {
        table.Print(std::cout);
        std::cout << "\n"
                  << FormatCount(count) << " dead letters of " << o->plugin
                  << "\n";
      }
    });
  }

  // retry
  {
    CLI::App* cmd = plugins->add_subcommand(
        "retry",
        "Hand dead letters to the plugin again, once each (operators)");
    auto sel = AddSelection(cmd);
    cmd->footer(
        "Those the plugin handles leave the list; those it fails again stay, "
        "one attempt more.\n--all takes the oldest 1000 per call. Exit 10 "
        "when any failed again or was not tried.\n\n" +
        std::string(ExitCodesHelp()));
    cmd->callback([&g, sel] {
      CheckSelection(*sel);
      plugin::v1::RetryDeadLettersRequest req;
      req.set_name(sel->plugin);
      req.set_tenant(TenantName(sel->tenant));
      for (int64_t seq : sel->seqs) req.add_seqs(seq);
      req.set_all(sel->all);
      req.set_feed(FeedOf(sel->kind));
      plugin::v1::RetryDeadLettersResponse resp;
      Connection conn(g);
      auto stub = PluginService::NewStub(conn.channel());
      auto ctx = conn.Context();
      Check(stub->RetryDeadLetters(ctx.get(), req, &resp),
            "retrying dead letters of " + sel->plugin);
      if (g.format() == OutputFormat::kJson) {
        PrintJson(std::cout, resp);
      } else {
        PrintFields(
            std::cout,
            {{"delivered", SeqList(resp.delivered())},
             {"failed again",
              resp.failed().empty() ? "-" : std::to_string(resp.failed_size())},
             {"gone (signal deleted or alert pruned)", SeqList(resp.gone())},
             {"not tried", SeqList(resp.not_tried())}});
        for (const auto& d : resp.failed()) {
          std::cout << "  " << d.seq() << " "
                    << (IsHealthEvent(d) ? d.alert_code() : d.signal_id())
                    << ": " << d.attempts() << " attempts, " << ErrorCell(d)
                    << "\n";
        }
        if (resp.more()) {
          std::cout << "more dead letters remain: run it again\n";
        }
      }
      if (!resp.failed().empty() || !resp.not_tried().empty()) {
        throw CliError(kExitPartial, "");
      }
    });
  }

  // drop
  {
    CLI::App* cmd = plugins->add_subcommand(
        "drop", "Forget dead letters without delivering them (admins)");
    auto sel = AddSelection(cmd);
    cmd->callback([&g, sel] {
      CheckSelection(*sel);
      plugin::v1::DropDeadLettersRequest req;
      req.set_name(sel->plugin);
      req.set_tenant(TenantName(sel->tenant));
      for (int64_t seq : sel->seqs) req.add_seqs(seq);
      req.set_all(sel->all);
      req.set_feed(FeedOf(sel->kind));
      plugin::v1::DropDeadLettersResponse resp;
      Connection conn(g);
      auto stub = PluginService::NewStub(conn.channel());
      auto ctx = conn.Context();
      Check(stub->DropDeadLetters(ctx.get(), req, &resp),
            "dropping dead letters of " + sel->plugin);
      if (g.format() == OutputFormat::kJson) {
        PrintJson(std::cout, resp);
      } else {
        std::cout << "dropped " << resp.dropped() << " dead letters of "
                  << sel->plugin << "\n";
      }
    });
  }
}

}  // namespace

void AddPluginCommands(CLI::App& app, Globals& g) {
  CLI::App* plugins = app.add_subcommand(
      "plugins",
      "The plugins loaded into retaind and their state; a new plugin's "
      "skeleton");
  plugins->alias("plugin");
  plugins->require_subcommand(1);
  AddPluginNewCommand(*plugins);

  plugins->add_subcommand("list", "Every plugin the server tried to load")
      ->callback([&g] {
        Connection conn(g);
        auto stub = PluginService::NewStub(conn.channel());
        plugin::v1::ListPluginsResponse resp;
        auto ctx = conn.Context();
        Check(stub->ListPlugins(ctx.get(), {}, &resp), "listing plugins");
        if (g.format() == OutputFormat::kJson) {
          PrintJson(std::cout, resp);
          return;
        }
        const bool color = g.color();
        Table table({{"PLUGIN"},
                     {"VERSION"},
                     {"STATE"},
                     {"SERVICES"},
                     {"HEALTH"},
                     {"LAG", Align::kRight},
                     {"LAST ERROR"}});
        for (const auto& p : resp.plugins()) {
          table.AddRow(
              {DisplayName(p), p.version().empty() ? "-" : p.version(),
               State(p, color),
               p.services().empty() ? "-" : absl::StrJoin(p.services(), ", "),
               p.health_component().empty() ? "-" : p.health_component(),
               FormatCount(p.counters().delivery_lag()),
               p.last_error().empty() ? "-" : p.last_error()});
        }
        table.Print(std::cout);
        std::cout << "\n"
                  << resp.plugins_size() << " plugins (host ABI "
                  << resp.host_abi_major() << "." << resp.host_abi_minor()
                  << ")\n";
      });

  for (const char* verb : {"get", "resume"}) {
    auto name = std::make_shared<std::string>();
    const bool resume = std::string(verb) == "resume";
    CLI::App* cmd = plugins->add_subcommand(
        verb, resume ? "Take a parked plugin back into service"
                     : "One plugin's state and counters");
    cmd->add_option("plugin", *name, "plugin name")->required();
    cmd->callback([&g, name, resume] {
      Connection conn(g);
      auto stub = PluginService::NewStub(conn.channel());
      Plugin p;
      auto ctx = conn.Context();
      if (resume) {
        plugin::v1::ResumePluginRequest req;
        req.set_name(*name);
        Check(stub->ResumePlugin(ctx.get(), req, &p), "resuming " + *name);
      } else {
        plugin::v1::GetPluginRequest req;
        req.set_name(*name);
        Check(stub->GetPlugin(ctx.get(), req, &p), "plugin " + *name);
      }
      if (g.format() == OutputFormat::kJson) {
        PrintJson(std::cout, p);
      } else {
        PrintPlugin(p, g.color());
      }
    });
  }

  AddDeadLetterCommands(plugins, g);
}

}  // namespace retain::cli
