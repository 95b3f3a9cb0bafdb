// The message-size limits of retaind's gRPC server, derived from the request
// limits in api/limits.h (docs/decisions/0014-limits-and-quotas.md).
//
// Receive: a full RecordSignals or StreamSignals batch (10,000 signals of
// at most 6 KiB each, 61,470,000 bytes with framing) must fit, and nothing
// much larger should: 60 MiB. Responses are kept under the 4 MiB a default
// gRPC client accepts by the engine's list pages (kMaxPageBytes), so no
// client needs to raise its own receive limit.
#ifndef RETAIN_CORE_SERVER_LIMITS_H_
#define RETAIN_CORE_SERVER_LIMITS_H_

#include <grpcpp/grpcpp.h>

#include "api/limits.h"

namespace retain::server {

inline constexpr int kMaxReceiveMessageBytes =
    static_cast<int>(api::kMaxRequestBytes);
static_assert(api::kMaxBatchBytes <= kMaxReceiveMessageBytes,
              "a full batch at the per-signal cap must be receivable");

// Sets the server's receive limit (call before BuildAndStart). A larger
// message is refused by gRPC with RESOURCE_EXHAUSTED before any of it is
// parsed, so it writes nothing.
void ApplyMessageLimits(grpc::ServerBuilder& builder);

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_LIMITS_H_
