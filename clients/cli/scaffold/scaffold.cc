#include "clients/cli/scaffold/scaffold.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "clients/cli/scaffold/embedded_files.h"

namespace retain::cli::scaffold {
namespace {

namespace fs = std::filesystem;

// What makes the template the notes plugin, each replaced by the new
// plugin's own. The service's messages (Note, AddNote...) stay: the
// skeleton is a working notes service under the new name, to change into
// the plugin's own. Every rename listed as required must occur in its file,
// so a template that changes shape fails here (and in the scaffold's test),
// not in a newcomer's build.
struct Rename {
  std::string from;
  std::string to;
  bool required = true;
};

std::vector<Rename> PluginRenames(const std::string& name,
                                  const std::string& camel) {
  return {
      {"RETAIN_PLUGIN(NotesPlugin, \"notes\", \"1.0.0\")",
       absl::StrCat("RETAIN_PLUGIN(", camel, "Plugin, \"", name,
                    "\", \"0.1.0\")")},
      {"retain.plugins.notes.v1", absl::StrCat("retain.plugins.", name, ".v1")},
      {"NotesService", camel + "Service"},
      {"NotesPlugin", camel + "Plugin"},
      {"\"notes plugin ready\"", absl::StrCat("\"", name, " plugin ready\"")},
  };
}

std::vector<Rename> TestRenames(const std::string& name,
                                const std::string& camel) {
  return {
      {"retain.plugins.notes.v1", absl::StrCat("retain.plugins.", name, ".v1")},
      {"NotesService", camel + "Service"},
      {"NotesPlugin", camel + "Plugin"},
      {"name(), \"notes\")", absl::StrCat("name(), \"", name, "\")")},
      {"\"notes plugin ready\"", absl::StrCat("\"", name, " plugin ready\"")},
      {"KvEntries(\"notes\"", absl::StrCat("KvEntries(\"", name, "\""), false},
  };
}

std::vector<Rename> ProtoRenames(const std::string& name,
                                 const std::string& camel) {
  return {
      {"retain.plugins.notes.v1", absl::StrCat("retain.plugins.", name, ".v1")},
      {"NotesService", camel + "Service"},
  };
}

absl::StatusOr<std::string> ApplyRenames(const std::string& file,
                                         std::string text,
                                         const std::vector<Rename>& renames) {
  // One pass over the text, so a replacement is never renamed again (the
  // plugin "churn_notes" names its class ChurnNotesPlugin, which contains
  // NotesPlugin).
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const Rename& r : renames) {
    if (r.required && !absl::StrContains(text, r.from)) {
      return absl::InternalError(absl::StrCat(
          "template ", file, " no longer contains ", r.from,
          ": this retainctl's template changed; rebuild it from a release"));
    }
    pairs.emplace_back(r.from, r.to);
  }
  absl::StrReplaceAll(pairs, &text);
  return text;
}

// The SDK's ABI version, from the embedded header.
std::string AbiVersion() {
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (f.path != "sdk/retain_plugin_abi.h") continue;
    std::string major, minor;
    for (const auto& [macro, out] :
         {std::pair{std::string("#define RETAIN_PLUGIN_ABI_MAJOR "), &major},
          std::pair{std::string("#define RETAIN_PLUGIN_ABI_MINOR "), &minor}}) {
      size_t at = f.contents.find(macro);
      if (at == std::string_view::npos) continue;
      at += macro.size();
      while (at < f.contents.size() && std::isdigit(f.contents[at])) {
        out->push_back(f.contents[at++]);
      }
    }
    if (!major.empty() && !minor.empty()) return major + "." + minor;
  }
  return "unknown";
}

}  // namespace

bool IsValidPluginName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

std::string CamelCase(const std::string& name) {
  std::string out;
  bool upper = true;
  for (char c : name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(c)) : c);
    upper = false;
  }
  return out;
}

absl::StatusOr<std::vector<SkeletonFile>> Skeleton(const std::string& name) {
  if (!IsValidPluginName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "name: must match [a-z][a-z0-9_]{0,62} (the server's rule for plugin "
        "names; it is also the gRPC package retain.plugins.<name>.v1), got \"",
        name, "\""));
  }
  const std::string camel = CamelCase(name);
  const std::vector<Rename> placeholders = {{"{{name}}", name, false},
                                            {"{{Camel}}", camel, false},
                                            {"{{abi}}", AbiVersion(), false}};

  std::vector<SkeletonFile> files;
  int template_files = 0;
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    const std::string path(f.path);
    const std::string text(f.contents);
    SkeletonFile out;
    if (absl::StartsWith(path, "sdk/") || path == "plugin.lds") {
      out = {path, text};
    } else if (path == "Makefile.in" || path == "README.md.in") {
      auto renamed = ApplyRenames(path, text, placeholders);
      if (!renamed.ok()) return renamed.status();
      out = {std::string(path.substr(0, path.size() - 3)), *renamed};
    } else if (path == "template/notes_plugin.cc" ||
               path == "template/notes_plugin_test.cc") {
      auto renamed = ApplyRenames(path, text,
                                  path == "template/notes_plugin.cc"
                                      ? PluginRenames(name, camel)
                                      : TestRenames(name, camel));
      if (!renamed.ok()) return renamed.status();
      std::string base(path.substr(std::strlen("template/notes")));
      out = {name + base, *renamed};
      ++template_files;
    } else if (path == "template/notes.proto") {
      auto renamed = ApplyRenames(path, text, ProtoRenames(name, camel));
      if (!renamed.ok()) return renamed.status();
      out = {
          absl::StrCat("proto/retain/plugins/", name, "/v1/", name, ".proto"),
          *renamed};
      ++template_files;
    } else {
      continue;
    }
    files.push_back(std::move(out));
  }
  if (template_files != 3) {
    return absl::InternalError(
        "this retainctl was built without the template plugin's files");
  }
  return files;
}

absl::StatusOr<std::vector<std::string>> WriteSkeleton(const std::string& name,
                                                       const std::string& dir) {
  auto files = Skeleton(name);
  if (!files.ok()) return files.status();
  const fs::path root = fs::path(dir.empty() ? "." : dir) / name;
  std::error_code ec;
  if (fs::exists(root, ec) && !fs::is_empty(root, ec)) {
    return absl::AlreadyExistsError(
        absl::StrCat(root.string(),
                     " already exists and is not empty; pick another "
                     "--dir or remove it"));
  }
  std::vector<std::string> written;
  for (const SkeletonFile& f : *files) {
    const fs::path path = root / f.path;
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
      return absl::PermissionDeniedError(absl::StrCat(
          "cannot create ", path.parent_path().string(), ": ", ec.message()));
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << f.contents;
    out.close();
    if (!out) {
      return absl::PermissionDeniedError(absl::StrCat(
          "cannot write ", path.string(), ": ", std::strerror(errno)));
    }
    written.push_back(path.string());
  }
  return written;
}

}  // namespace retain::cli::scaffold
