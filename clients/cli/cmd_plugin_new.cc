// plugins new NAME: writes a plugin skeleton (clients/cli/scaffold). Needs
// no server: everything it writes is compiled into retainctl.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/scaffold/scaffold.h"

namespace retain::cli {

void AddPluginNewCommand(CLI::App& plugins) {
  auto name = std::make_shared<std::string>();
  auto dir = std::make_shared<std::string>(".");
  CLI::App* cmd = plugins.add_subcommand(
      "new",
      "Write a new plugin's skeleton: source, proto, fake-host test, "
      "Makefile, SDK");
  cmd->add_option("name", *name,
                  "The plugin's name: [a-z][a-z0-9_]{0,62}; also its gRPC "
                  "package retain.plugins.<name>.v1")
      ->required();
  cmd->add_option("--dir", *dir, "Where to create <name>/ (default: .)");
  cmd->footer(
      "Writes <dir>/<name>/: <name>_plugin.cc (the template plugin, account "
      "notes, renamed), <name>_plugin_test.cc (its unit tests on the SDK's "
      "fake host), proto/retain/plugins/<name>/v1/<name>.proto, a Makefile "
      "(`make check`: tests, then lib<name>.so with only the entry point "
      "exported and the schema embedded for server reflection), README.md "
      "and sdk/ (the plugin SDK headers). Needs g++, protoc and libgtest-dev "
      "to build. Exit 4 for a bad name, 5 when <dir>/<name> exists and is not "
      "empty.");
  cmd->callback([name, dir] {
    auto written = scaffold::WriteSkeleton(*name, *dir);
    if (!written.ok()) {
      const absl::StatusCode code = written.status().code();
      throw CliError(code == absl::StatusCode::kInvalidArgument ? kExitInvalid
                     : code == absl::StatusCode::kAlreadyExists ? kExitConflict
                                                                : kExitError,
                     std::string(written.status().message()));
    }
    const std::string root = absl::StrCat(*dir, "/", *name);
    std::cout << "wrote " << written->size() << " files under " << root
              << "\nnext:\n  cd " << root
              << "\n  make check                      # fake-host tests, "
                 "then lib"
              << *name << ".so\n  retaind --plugins=$PWD/lib" << *name
              << ".so\n";
  });
}

}  // namespace retain::cli
