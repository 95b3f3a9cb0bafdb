// The SDK's protobuf wire-format reader and writer; kept under this name so
// code that includes it keeps building. New code: "retain/sdk/wire.h" (or
// just "retain_plugin.h", which includes every layer of the SDK).
#ifndef RETAIN_PLUGIN_WIRE_H_
#define RETAIN_PLUGIN_WIRE_H_

#include "retain/sdk/wire.h"

#endif  // RETAIN_PLUGIN_WIRE_H_
