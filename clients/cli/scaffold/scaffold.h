// Writes a new plugin's skeleton: the template plugin (account notes) and
// its fake-host test renamed to the new plugin, its proto under the
// conventional path, the SDK headers, a Makefile with the version script,
// and a README. The result builds, tests and loads as written.
#ifndef RETAIN_CLIENTS_CLI_SCAFFOLD_SCAFFOLD_H_
#define RETAIN_CLIENTS_CLI_SCAFFOLD_SCAFFOLD_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace retain::cli::scaffold {

// The server's rule for plugin names: [a-z][a-z0-9_]{0,62}.
bool IsValidPluginName(const std::string& name);

// "churn_radar" -> "ChurnRadar".
std::string CamelCase(const std::string& name);

// One file of the skeleton: its path relative to the plugin's directory.
struct SkeletonFile {
  std::string path;
  std::string contents;
};

// The skeleton of plugin `name`, in memory. INVALID_ARGUMENT for a bad
// name; INTERNAL when the template no longer has what is renamed (a build
// of retainctl whose template changed shape).
absl::StatusOr<std::vector<SkeletonFile>> Skeleton(const std::string& name);

// Writes the skeleton into `dir`/`name` (created; it must not exist, or be
// empty). Returns the paths written.
absl::StatusOr<std::vector<std::string>> WriteSkeleton(const std::string& name,
                                                       const std::string& dir);

}  // namespace retain::cli::scaffold

#endif  // RETAIN_CLIENTS_CLI_SCAFFOLD_SCAFFOLD_H_
