// The files a plugin skeleton is made from, compiled into retainctl (by
// embed_files.sh) so `retainctl plugins new` works anywhere: the SDK
// headers, the template plugin and its test, the version script, and the
// skeleton's own Makefile and README.
#ifndef RETAIN_CLIENTS_CLI_SCAFFOLD_EMBEDDED_FILES_H_
#define RETAIN_CLIENTS_CLI_SCAFFOLD_EMBEDDED_FILES_H_

#include <string_view>
#include <vector>

namespace retain::cli::scaffold {

struct EmbeddedFile {
  // "sdk/retain_plugin.h", "template/notes_plugin.cc", "plugin.lds",
  // "Makefile.in", ...
  std::string_view path;
  std::string_view contents;
};

const std::vector<EmbeddedFile>& EmbeddedFiles();

}  // namespace retain::cli::scaffold

#endif  // RETAIN_CLIENTS_CLI_SCAFFOLD_EMBEDDED_FILES_H_
