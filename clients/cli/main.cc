// retainctl: the command-line client of Retain.
#include <cstdlib>
#include <iostream>

#include "CLI/CLI.hpp"
#include "clients/cli/commands.h"
#include "clients/cli/common.h"

int main(int argc, char** argv) {
  using namespace retain::cli;
  Globals g;
  CLI::App app{
      "retainctl: customer success from the terminal. Talks to a retaind "
      "server over gRPC.",
      "retainctl"};
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(ExitCodesHelp());
  app.set_version_flag("--version", "retainctl 0.1.0");
  app.add_option("-s,--server", g.server,
                 "retaind address host:port; https://host:port for TLS "
                 "(trusting the system's CAs unless --ca_file)")
      ->envname("RETAIN_SERVER")
      ->capture_default_str();
  app.add_option("--token", g.token,
                 "credential, sent as \"authorization: Bearer <token>\"")
      ->envname("RETAIN_TOKEN");
  app.add_option("--ca_file", g.ca_file,
                 "PEM CA certificate(s) that signed retaind's certificate; "
                 "connects over TLS")
      ->envname("RETAIN_CA_FILE");
  app.add_option("--cert_file", g.cert_file,
                 "PEM client certificate for mTLS (with --key_file); connects "
                 "over TLS")
      ->envname("RETAIN_CERT_FILE");
  app.add_option("--key_file", g.key_file, "PEM private key of --cert_file")
      ->envname("RETAIN_KEY_FILE");
  app.add_option("-o,--output", g.output, "table or json (one object per line)")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_option("--timeout", g.timeout_seconds, "seconds per call")
      ->capture_default_str();
  app.add_flag("--no-color", g.no_color, "never colour the output");

  AddAccountCommands(app, g);
  AddSignalCommands(app, g);
  AddReportCommands(app, g);
  AddBreakdownCommands(app, g);
  AddAlertCommands(app, g);
  AddPluginCommands(app, g);
  AddAuthCommands(app, g);
  // Bundled plugins' verbs (exit 8 when the plugin is not loaded).
  AddOnboardingCommands(app, g);
  AddExpansionCommands(app, g);
  AddAdvocacyCommands(app, g);
  AddVocCommands(app, g);
  AddPlaybooksCommands(app, g);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0.
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const CliError& e) {
    if (e.what()[0] != '\0') std::cerr << "retainctl: " << e.what() << "\n";
    return e.code();
  } catch (const std::exception& e) {
    std::cerr << "retainctl: " << e.what() << "\n";
    return kExitError;
  }
  return kExitOk;
}
