// plugins list|get|resume — the server's plugin registry (PluginService).
//
// A bundled plugin's own verbs (milestones, opportunities, referrals,
// feedback) get a file like this one with an Add<Plugin>Commands function
// called from main.cc, talking to the plugin's gRPC service.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"
#include "clients/cli/format.h"
#include "clients/cli/table.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"
#include "retain/signal/v1/signal.pb.h"

namespace retain::cli {
namespace {

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
                    " failed, lag ", c.delivery_lag())},
  };
  if (!p.last_error().empty()) {
    kv.push_back({"last error", p.last_error() + " (" +
                                    FormatDateTime(p.last_error_time()) + ")"});
  }
  PrintFields(std::cout, kv);
}

}  // namespace

void AddPluginCommands(CLI::App& app, Globals& g) {
  CLI::App* plugins = app.add_subcommand(
      "plugins", "The plugins loaded into retaind and their state");
  plugins->require_subcommand(1);

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
}

}  // namespace retain::cli
