// The Retain plugin SDK: header-only C++17 on top of the C ABI in
// retain_plugin_abi.h. A plugin is an ordinary class:
//
//   #include "retain_plugin.h"
//
//   class Hello : public retain::sdk::Plugin {
//    public:
//     retain::sdk::Status Init(retain::sdk::Setup& setup) override {
//       setup.Subscribe(retain::sdk::SignalKind::kSurvey);
//       setup.Handle("/retain.plugins.hello.v1.HelloService/Greet",
//                    [this](const retain::sdk::Call& call, std::string* out) {
//                      ...; return retain::sdk::Status();
//                    });
//       return {};
//     }
//     retain::sdk::Status OnSignal(const retain::sdk::Signal& s) override;
//   };
//   RETAIN_PLUGIN(Hello, "hello", "1.0.0")
//
// Build: g++ -std=c++17 -fPIC -shared -fvisibility=hidden -I<sdk> x.cc -o
// libhello.so. Only the entry point is exported. Every exception thrown by
// plugin code is caught here, at the boundary, and becomes an INTERNAL
// status (which counts towards parking the plugin).
//
// Needs nothing but the C++17 standard library: core messages are decoded
// with the tiny wire codec in retain/sdk/wire.h. A plugin may use the
// protobuf runtime for its own service messages (Setup::HandleProto) but
// must never link the core's generated code.
//
// This header includes every layer of the SDK; each has one job:
//   retain/sdk/status.h  Status, Result
//   retain/sdk/types.h   Account, Signal, HealthComponent, Section, ... and
//                        named constants for the core enums
//   retain/sdk/config.h  Config (the plugin's config block)
//   retain/sdk/host.h    Host: KV, accounts, signals, health, alerts, log,
//                        the call context
//   retain/sdk/kv_update.h  KvUpdate: one attempt of Host::Update
//                        (compare-and-set)
//   retain/sdk/plugin.h  Plugin, Setup, Call, Tick, RETAIN_PLUGIN
//   retain/sdk/wire.h    protobuf wire Reader/Writer for your own messages
//   retain/sdk/detail/   codec, C ABI glue: not API, may change any time
// Unit-test a plugin without a server: retain_plugin_testing.h.
//
// ABI versions (retain_plugin_abi.h): a plugin built with this SDK is an
// ABI 1.2 plugin and loads in any 1.x host; what an older host lacks
// answers UNIMPLEMENTED (1.1: Host::ListTenants and on_tick; 1.2:
// KvRead, KvApplyIf, Update, CallContext, Cancelled, declining with a
// reason, OnRefused), unless the plugin requires it
// (Plugin::kRequiredHostFeatures) and so declines such a host at load.
#ifndef RETAIN_PLUGIN_H_
#define RETAIN_PLUGIN_H_

// What this header included when it was one file, so plugins that relied
// on it keep building.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "retain/sdk/config.h"
#include "retain/sdk/host.h"
#include "retain/sdk/kv_update.h"
#include "retain/sdk/plugin.h"
#include "retain/sdk/status.h"
#include "retain/sdk/types.h"
#include "retain/sdk/wire.h"
#include "retain_account_name.h"
#include "retain_plugin_abi.h"

#endif  // RETAIN_PLUGIN_H_
