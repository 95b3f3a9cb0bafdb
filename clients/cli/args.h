// Command-line arguments turned into request fields, shared by the plugin
// verbs (milestones, opportunities, referrals, feedback). Every helper
// throws CliError(kExitUsage) with the reason on bad input.
#ifndef RETAIN_CLIENTS_CLI_ARGS_H_
#define RETAIN_CLIENTS_CLI_ARGS_H_

#include <string>

#include "clients/cli/common.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/grpcpp.h"

namespace retain::cli {

// "acme" or "accounts/acme" -> "acme" (plugins take bare account ids).
std::string AccountIdArg(const std::string& ref);

// A time as ParseTime reads it ("2025-06-30", RFC 3339, "now").
google::protobuf::Timestamp TimeArg(const std::string& text);

// An enum value by short name ("cross-sell"), full name or number.
int EnumArg(const google::protobuf::EnumDescriptor* type,
            const std::string& text);

// Like Check, but an UNIMPLEMENTED answer says which plugin serves the call:
// "<what>: UNIMPLEMENTED: ... (is the <plugin> plugin loaded? see
// `retainctl plugins list`)", exit 8.
void CheckPlugin(const grpc::Status& status, const std::string& what,
                 const std::string& plugin);

}  // namespace retain::cli

#endif  // RETAIN_CLIENTS_CLI_ARGS_H_
