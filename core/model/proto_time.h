// Transitional: the conversions moved to api/proto_time.h (one definition
// for the server, the CLI and the reports). This alias keeps the files
// still including it compiling; include "api/proto_time.h" instead.
#ifndef RETAIN_CORE_MODEL_PROTO_TIME_H_
#define RETAIN_CORE_MODEL_PROTO_TIME_H_

#include "api/proto_time.h"

namespace retain::model {

using api::FromProto;
using api::ToProto;

}  // namespace retain::model

#endif  // RETAIN_CORE_MODEL_PROTO_TIME_H_
