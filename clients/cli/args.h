// Command-line arguments turned into request fields, shared by the plugin
// verbs (milestones, opportunities, referrals, feedback). Every helper
// throws CliError(kExitUsage) with the reason on bad input.
#ifndef RETAIN_CLIENTS_CLI_ARGS_H_
#define RETAIN_CLIENTS_CLI_ARGS_H_

#include <cstdint>
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

// Pages through a plugin's List method: `call(req, &resp)` (which throws
// CliError on failure, e.g. through CheckPlugin), then each item of
// `items(resp)` goes to `each`, following next_page_token until the last
// page or `limit` items (0: every page). Returns how many went to `each`.
template <typename Resp, typename Req, typename Call, typename Items,
          typename Each>
int64_t ForEachPage(Req req, int64_t limit, Call call, Items items, Each each) {
  int64_t count = 0;
  do {
    Resp resp;
    call(req, &resp);
    for (const auto& item : items(resp)) {
      if (limit > 0 && count >= limit) return count;
      ++count;
      each(item);
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty() && (limit <= 0 || count < limit));
  return count;
}

}  // namespace retain::cli

#endif  // RETAIN_CLIENTS_CLI_ARGS_H_
