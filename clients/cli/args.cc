#include "clients/cli/args.h"

#include "absl/strings/str_cat.h"
#include "api/names.h"
#include "clients/cli/format.h"
#include "clients/cli/records.h"

namespace retain::cli {

std::string AccountIdArg(const std::string& ref) {
  auto name = AccountResourceName(ref);
  if (!name.ok()) {
    throw CliError(kExitUsage, std::string(name.status().message()));
  }
  return api::AccountIdOf(*name);
}

google::protobuf::Timestamp TimeArg(const std::string& text) {
  auto t = ParseTime(text);
  if (!t.ok()) throw CliError(kExitUsage, std::string(t.status().message()));
  return ToProto(*t);
}

int EnumArg(const google::protobuf::EnumDescriptor* type,
            const std::string& text) {
  auto v = ParseEnum(type, text);
  if (!v.ok()) throw CliError(kExitUsage, std::string(v.status().message()));
  return *v;
}

void CheckPlugin(const grpc::Status& status, const std::string& what,
                 const std::string& plugin) {
  if (status.error_code() != grpc::StatusCode::UNIMPLEMENTED) {
    Check(status, what);
    return;
  }
  try {
    Check(status, what);
  } catch (const CliError& e) {
    throw CliError(e.code(), absl::StrCat(e.what(), " (is the ", plugin,
                                          " plugin loaded? see `retainctl "
                                          "plugins list`)"));
  }
}

}  // namespace retain::cli
