// What a plugin is: a subclass of Plugin that declares itself in Init
// (Setup) and overrides the hooks it needs; RETAIN_PLUGIN(Class, "name",
// "version") defines the library's one exported entry point.
//
// Threads: the host calls OnCall handlers, ReportSection,
// AccountHealthComponent and OnTick concurrently from several of its worker
// threads (never two OnTicks at once), OnSignal from one delivery thread,
// one signal at a time, in log order, and OnHealthEvent from another, one
// event at a time, possibly concurrently with the others. So a plugin guards
// the state it keeps in members (a mutex), or keeps its state in the host's KV,
// where Host::Update changes it by compare-and-set without a lock. Init runs
// once, before any other hook; the instance is destroyed after every hook
// returned. A hook that may run long asks host().Cancelled() now and then
// (ABI 1.2).
#ifndef RETAIN_SDK_PLUGIN_H_
#define RETAIN_SDK_PLUGIN_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "retain/sdk/config.h"
#include "retain/sdk/host.h"
#include "retain/sdk/status.h"
#include "retain/sdk/types.h"
#include "retain/sdk/wire.h"
#include "retain_plugin_abi.h"

namespace retain::sdk {

// What a plugin may require of the host beyond ABI 1.0, for
// Plugin::kRequiredHostFeatures (or them together).
namespace host_feature {
// Host::ListTenants (ABI 1.1).
constexpr uint32_t kListTenants = 1u << 0;
// Host::KvRead, KvApplyIf and Update (ABI 1.2).
constexpr uint32_t kVersionedKv = 1u << 1;
// Host::CallContext and Cancelled (ABI 1.2).
constexpr uint32_t kCallContext = 1u << 2;
// Call::caller, Host::Caller and Host::CallPlugin (ABI 1.4).
constexpr uint32_t kPluginCalls = 1u << 3;
}  // namespace host_feature

// One unary call to a plugin method.
struct Call {
  std::string tenant;
  std::string method;          // "/retain.plugins.x.v1.XService/Method"
  std::string_view request;    // serialized request message
  const Host* host = nullptr;  // the plugin's, set by the SDK

  // Who called (ABI 1.4; Host::Caller): the authenticated key, certificate
  // or plugin chain. Only while the handler runs, on its thread.
  Result<Caller> caller() const {
    if (host == nullptr) return Status(Code::kNotFound, "no host");
    return host->Caller();
  }
};

using Handler = std::function<Status(const Call& call, std::string* response)>;

// One periodic tick (see Setup::WantTicks).
struct Tick {
  int64_t now_micros = 0;  // the host clock when the tick started
};

// The schema embedded at build time (plugins/README.md, "Schemas"), when
// the source retain_embed_schema.sh writes is linked into the plugin; null
// otherwise. A weak reference of default visibility: a weak hidden one
// resolves to the image base, not null, in a plugin built without a schema.
extern "C" __attribute__((weak)) const char* retain_plugin_embedded_schema(
    size_t* size);

// What Init declares.
class Setup {
 public:
  explicit Setup(Config config) : config_(std::move(config)) {}

  const Config& config() const { return config_; }

  // Signal kinds delivered to OnSignal.
  void Subscribe(SignalKind kind) { kinds_.insert(static_cast<int32_t>(kind)); }
  // Serves a unary method (full name "/package.Service/Method") with raw
  // bytes in and out. The host serves only methods of the plugin's own
  // package, "/retain.plugins.<name>.v1.<Service>/<Method>", and refuses
  // the plugin (INIT_FAILED) for any other. Callers need the reader role
  // for a method named Get*, List* or Watch*, the writer role otherwise.
  void Handle(const std::string& full_method, Handler handler) {
    handlers_[full_method] = std::move(handler);
  }
  // Serves a unary method with protobuf message types (needs the protobuf
  // runtime and the plugin's own generated code).
  template <typename Request, typename Response, typename F>
  void HandleProto(const std::string& full_method, F f) {
    Handle(full_method, [f](const Call& call, std::string* out) -> Status {
      Request req;
      if (!req.ParseFromArray(call.request.data(),
                              static_cast<int>(call.request.size()))) {
        return InvalidArgument("malformed request");
      }
      Response resp;
      Status s = f(call, req, &resp);
      if (s.ok()) resp.SerializeToString(out);
      return s;
    });
  }
  // The plugin contributes a section to the account report (ReportSection).
  void ProvideReportSection() { report_section_ = true; }
  // The plugin contributes a health component (AccountHealthComponent,
  // score 0-10) with this weight relative to the core weights (which sum
  // to 1); the config's health_weight overrides it.
  void ProvideHealthComponent(const std::string& name, double weight) {
    component_name_ = name;
    component_weight_ = weight;
  }
  // The host calls OnTick periodically (every "tick_seconds" of the
  // plugin's block in the server's plugin config; 60 by default, 0
  // disables). Plugins that do not ask cost the host nothing.
  void WantTicks() { ticks_ = true; }
  // Health events of `kind` delivered to OnHealthEvent (ABI 1.3; an older
  // host delivers none). `own_alerts`: also the alerts this plugin raised
  // (by default a plugin never hears its own alerts back, so no loops).
  void SubscribeHealthEvents(HealthEvent::Kind kind, bool own_alerts = false) {
    health_kinds_.insert(static_cast<int32_t>(kind));
    own_alerts_ = own_alerts_ || own_alerts;
  }
  // The plugin's schema, for server reflection: a serialized
  // google.protobuf.FileDescriptorSet of its service's files and all they
  // import (protoc --include_imports). Without a call, the one embedded at
  // build time, if any.
  void ServeSchema(std::string file_descriptor_set) {
    schema_ = std::move(file_descriptor_set);
  }

  // Encodes a retain.plugin.v1.PluginDescriptor.
  std::string EncodeDescriptor() const {
    wire::Writer w;
    for (const auto& [m, h] : handlers_) w.Bytes(1, m);
    for (int32_t k : kinds_) w.Varint(2, static_cast<uint64_t>(k));
    w.Bool(3, report_section_);
    if (!component_name_.empty()) {
      wire::Writer c;
      c.String(1, component_name_);
      c.Double(2, component_weight_);
      w.Message(4, c);
    }
    w.Bool(5, ticks_);
    std::string schema = schema_;
    if (schema.empty() && retain_plugin_embedded_schema != nullptr) {
      size_t size = 0;
      const char* bytes = retain_plugin_embedded_schema(&size);
      schema.assign(bytes, size);
    }
    if (!schema.empty()) w.Bytes(6, schema);
    for (int32_t k : health_kinds_) w.Varint(7, static_cast<uint64_t>(k));
    w.Bool(8, own_alerts_);
    return w.Take();
  }
  std::map<std::string, Handler>& handlers() { return handlers_; }

 private:
  Config config_;
  std::set<int32_t> kinds_;
  std::map<std::string, Handler> handlers_;
  bool report_section_ = false;
  std::string component_name_;
  double component_weight_ = 0;
  bool ticks_ = false;
  std::string schema_;
  std::set<int32_t> health_kinds_;
  bool own_alerts_ = false;
};

class Plugin {
 public:
  // What the plugin cannot work without (host_feature::...). A host that
  // lacks one is declined at load, with the reason in the host's refusal
  // message, instead of failing call by call. Declare it in your class:
  //   static constexpr uint32_t kRequiredHostFeatures =
  //       retain::sdk::host_feature::kVersionedKv;
  static constexpr uint32_t kRequiredHostFeatures = 0;

  virtual ~Plugin() = default;

  // Declares what the plugin does and reads its config. host() is usable.
  // A non-OK status refuses the load (state INIT_FAILED).
  virtual Status Init(Setup& setup) = 0;
  // One durable signal of a subscribed kind, in log order. A non-OK status
  // (or exception) makes the host retry the same signal; make handling
  // idempotent (a signal may come again after a crash, never be skipped).
  virtual Status OnSignal(const Signal& /*signal*/) { return Status(); }
  // The account report section, or nullopt for none.
  virtual std::optional<Section> ReportSection(
      const std::string& /*tenant*/, const std::string& /*account_id*/) {
    return std::nullopt;
  }
  // The account's health component, or nullopt when the plugin has none
  // for it. Fill score (0 = worst to 10 = best, the scale of every health
  // component; the host clamps anything outside), has_data, explanation and
  // inputs; the host sets name and weight as declared and source. Asked
  // after the plugin handled signals of the account or recorded some for
  // it, after each tick, and when someone opens the account's health.
  virtual std::optional<HealthComponent> AccountHealthComponent(
      const std::string& /*tenant*/, const std::string& /*account_id*/) {
    return std::nullopt;
  }
  // Periodic work, when Init called setup.WantTicks(): on a host worker,
  // never concurrently with another tick, under the call deadline; an
  // exception or INTERNAL/UNKNOWN counts towards parking like a failed
  // call. Not tenant-scoped: walk host().ListTenants(). Timing is
  // best-effort (a tick may be skipped or late), so compare against
  // tick.now_micros and persist what was done (e.g. "alerted") in the KV.
  virtual Status OnTick(const Tick& /*tick*/) { return Status(); }
  // One health event of a kind Init subscribed to (ABI 1.3): a band change,
  // an indicator appearing or clearing, an alert. In position order per
  // tenant, on one delivery thread (concurrently with the other hooks),
  // like OnSignal: a non-OK status (or exception) makes the host retry the
  // same event, then set it aside; one may come again after a crash, so
  // make handling idempotent (event.position says which).
  virtual Status OnHealthEvent(const HealthEvent& /*event*/) {
    return Status();
  }

  // The host refused the plugin after loading it (ABI 1.2): a duplicate
  // name, disabled in the config, Init failed, ... `reason` is the host's
  // message; the SDK has already logged it. Called once, on a fresh
  // instance made for this call only (Init never ran on it) and only when
  // a class overrides it; host() offers Log and NowMicros alone.
  virtual void OnRefused(const std::string& /*reason*/) {}

  // The host's services; thread-safe, usable from Init on, and from
  // threads the plugin owns until it is destroyed.
  const Host& host() const { return host_; }

 private:
  template <typename T>
  friend struct Glue;
  Host host_;
};

}  // namespace retain::sdk

// The glue needs Plugin complete; RETAIN_PLUGIN expands to it.
#include "retain/sdk/detail/glue.h"

#define RETAIN_PLUGIN_EXPORT __attribute__((visibility("default")))

// Defines the plugin's one exported entry point. NAME and VERSION are string
// literals; NAME is [a-z][a-z0-9_]{0,62}. It declines a host of another
// ABI major, and one that lacks a feature CLASS::kRequiredHostFeatures
// names (telling a 1.2 host why).
#define RETAIN_PLUGIN(CLASS, NAME, VERSION)                       \
  extern "C" RETAIN_PLUGIN_EXPORT const retain_plugin_module*     \
  retain_plugin_on_load(const retain_host_api* host) {            \
    return ::retain::sdk::Glue<CLASS>::Load(host, NAME, VERSION); \
  }

#endif  // RETAIN_SDK_PLUGIN_H_
