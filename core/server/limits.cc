#include "core/server/limits.h"

namespace retain::server {

void ApplyMessageLimits(grpc::ServerBuilder& builder) {
  builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
}

}  // namespace retain::server
