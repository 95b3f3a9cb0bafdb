// retainctl's command tree. Each resource adds its subcommands to the root
// app; a plugin's verbs are one more Add*Commands function listed in
// main.cc (see cmd_plugins.cc for the pattern).
#ifndef RETAIN_CLIENTS_CLI_COMMANDS_H_
#define RETAIN_CLIENTS_CLI_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "clients/cli/common.h"
#include "google/protobuf/timestamp.pb.h"

namespace retain::cli {

void AddAccountCommands(CLI::App& app, Globals& globals);
void AddSignalCommands(CLI::App& app, Globals& globals);
// health, at-risk, report portfolio, report health-model.
void AddReportCommands(CLI::App& app, Globals& globals);
// report breakdown, report book (after AddReportCommands: adds to `report`).
void AddBreakdownCommands(CLI::App& app, Globals& globals);
// The HTML report's Breakdowns (segment, CSM) and CSM book sections.
std::string BreakdownsHtmlSection(
    const Connection& conn, const google::protobuf::Timestamp& period_start,
    const google::protobuf::Timestamp& as_of);
// alerts (the alert history; --follow, --resume-from).
void AddAlertCommands(CLI::App& app, Globals& globals);
void AddPluginCommands(CLI::App& app, Globals& globals);
// plugins new NAME (the skeleton writer; needs no server).
void AddPluginNewCommand(CLI::App& plugins);
// tenants, keys, whoami, audit.
void AddAuthCommands(CLI::App& app, Globals& globals);
// Bundled plugins' verbs.
void AddOnboardingCommands(CLI::App& app, Globals& globals);  // milestones
void AddExpansionCommands(CLI::App& app, Globals& globals);   // opportunities
void AddAdvocacyCommands(CLI::App& app, Globals& globals);    // referrals
void AddVocCommands(CLI::App& app, Globals& globals);         // feedback
// tasks, playbooks, plans
void AddPlaybooksCommands(CLI::App& app, Globals& globals);

// Prints an import's outcome (stdout) and turns rejected rows into
// kExitPartial.
struct ImportSummary;
int ReportImport(const Globals& globals, const std::string& what,
                 const ImportSummary& summary, bool accounts);

}  // namespace retain::cli

#endif  // RETAIN_CLIENTS_CLI_COMMANDS_H_
