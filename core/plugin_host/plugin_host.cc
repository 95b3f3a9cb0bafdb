#include "core/plugin_host/plugin_host.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/dll/shared_library.hpp"
#include "core/plugin_host/executor.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/support/byte_buffer.h"
#include "nlohmann/json.hpp"
#include "plugins/sdk/retain_plugin_abi.h"
#include "retain/plugin/v1/abi.pb.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"

namespace retain::plugin_host {
namespace {

using plugin::v1::PluginState;
using Json = nlohmann::json;

// KV namespace of the host's own bookkeeping: name -> last delivered seq.
constexpr char kCursorNamespace[] = "_host/cursors";

// Codes that mean "the plugin broke" rather than "the plugin answered".
bool IsFailureCode(int32_t code) {
  return code == static_cast<int32_t>(grpc::StatusCode::UNKNOWN) ||
         code == static_cast<int32_t>(grpc::StatusCode::INTERNAL) ||
         code == static_cast<int32_t>(grpc::StatusCode::DATA_LOSS);
}

void Log(const std::string& line) {
  std::fprintf(stderr, "plugin_host: %s\n", line.c_str());
}

std::string StateName(PluginState s) { return plugin::v1::PluginState_Name(s); }

retain_str Str(const std::string& s) { return {s.data(), s.size()}; }
std::string ToString(retain_str s) {
  return s.size ? std::string(s.data, s.size) : std::string();
}

void AppendSink(void* ctx, const char* data, size_t size) {
  static_cast<std::string*>(ctx)->append(data, size);
}

// Plugin KV keys are scoped to a tenant inside the plugin's namespace:
// "<len(tenant)>:<tenant><key>" is unambiguous and keeps prefix scans.
std::string TenantKey(const std::string& tenant, const std::string& key) {
  return absl::StrCat(tenant.size(), ":", tenant, key);
}

// Flattens a JSON value into "a.b" / "a.0" keys with scalar text values.
void Flatten(const Json& j, const std::string& prefix,
             std::map<std::string, std::string>* out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      Flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(),
              out);
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      Flatten(
          j[i],
          prefix.empty() ? std::to_string(i) : prefix + "." + std::to_string(i),
          out);
    }
  } else if (j.is_string()) {
    (*out)[prefix] = j.get<std::string>();
  } else if (!j.is_null()) {
    (*out)[prefix] = j.dump();
  }
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

// Per-plugin settings after merging options, "host" and the plugin block.
struct Settings {
  bool enabled = true;
  absl::Duration call_timeout;
  absl::Duration report_timeout;
  int max_consecutive_failures;
  int workers;
  int max_queue;
  double health_weight = -1;  // < 0: the plugin's declared weight
  bool deliver_from_now = false;
  // Between periodic ticks; zero disables them.
  absl::Duration tick_interval;
  Json config = Json::object();
};

void ApplySettings(const Json& block, Settings* s) {
  if (!block.is_object()) return;
  if (block.contains("enabled")) s->enabled = block["enabled"].get<bool>();
  if (block.contains("call_timeout_ms")) {
    s->call_timeout =
        absl::Milliseconds(block["call_timeout_ms"].get<int64_t>());
  }
  if (block.contains("report_timeout_ms")) {
    s->report_timeout =
        absl::Milliseconds(block["report_timeout_ms"].get<int64_t>());
  }
  if (block.contains("max_consecutive_failures")) {
    s->max_consecutive_failures = block["max_consecutive_failures"].get<int>();
  }
  if (block.contains("workers")) s->workers = block["workers"].get<int>();
  if (block.contains("max_queue")) s->max_queue = block["max_queue"].get<int>();
  if (block.contains("health_weight")) {
    s->health_weight = block["health_weight"].get<double>();
  }
  if (block.contains("deliver_from")) {
    s->deliver_from_now = block["deliver_from"].get<std::string>() == "now";
  }
  if (block.contains("tick_seconds")) {
    double seconds = block["tick_seconds"].get<double>();
    if (!(seconds >= 0)) {
      throw std::invalid_argument("tick_seconds must be >= 0 (0 disables)");
    }
    s->tick_interval = absl::Seconds(seconds);
  }
  if (block.contains("config")) s->config = block["config"];
}

// Which hook ran, for counters and failure accounting.
enum class HookKind { kCall, kSignal, kReport, kTick };

// What running a hook produced.
struct Outcome {
  int32_t code = 0;
  std::string output;  // result, or error message when code != 0
  bool timed_out = false;
  bool rejected = false;  // not run: parked, stopped or queue full
};

}  // namespace

// ---------------------------------------------------------------------------

class PluginHost::Impl {
 public:
  struct Plugin;
  Impl(PluginHostOptions options, store::Store* store, HostServices* services)
      : options_(std::move(options)), store_(store), services_(services) {
    if (!options_.clock) options_.clock = [] { return absl::Now(); };
  }

  absl::Status LoadAll();
  void RegisterServices(grpc::ServerBuilder& builder);
  void OnServerStarted(grpc::Server* server);
  void NotifySignalsDurable(int64_t last_seq);
  std::vector<report::v1::ReportSection> AccountSections(
      const std::string& tenant, const std::string& account_id);
  std::vector<report::v1::HealthComponent> HealthComponents(
      const std::string& tenant, const std::string& account_id);
  // Asks every ready plugin `wants` selects for one message through `hook`,
  // in parallel, each within its report timeout; `finish` completes a parsed
  // answer. Answers come back in load order; failures are left out.
  template <typename Message>
  std::vector<Message> AskReadyPlugins(
      const std::function<bool(const Plugin&)>& wants,
      const std::function<int32_t(const Plugin&, retain_sink*)>& hook,
      const std::function<void(const Plugin&, Message&)>& finish,
      const char* what);
  std::vector<PluginInfo> ListPlugins() const;
  absl::StatusOr<PluginInfo> GetPlugin(const std::string& name) const;
  absl::StatusOr<PluginInfo> ResumePlugin(const std::string& name);
  void Shutdown();

  // The routing table of the generic service (immutable after LoadAll).
  std::shared_ptr<Plugin> FindByMethod(const std::string& method) const {
    auto it = methods_.find(method);
    return it == methods_.end() ? nullptr : it->second;
  }
  HostServices* services() { return services_; }

  // Runs `hook` on the plugin's workers; `done` is called exactly once with
  // the outcome, or with timed_out when `timeout` passes first.
  void RunAsync(const std::shared_ptr<Plugin>& p,
                std::function<int32_t(retain_sink*)> hook,
                absl::Duration timeout, HookKind kind,
                std::function<void(Outcome)> done);
  Outcome RunSync(const std::shared_ptr<Plugin>& p,
                  std::function<int32_t(retain_sink*)> hook,
                  absl::Duration timeout, HookKind kind);

  // Ticks every ready plugin that gets ticks, now; waits for the outcomes.
  void RunTicks();
  // Tenants with KV state in the plugin's namespace, in order.
  absl::StatusOr<std::vector<std::string>> TenantsOf(const Plugin& p);

  // The host callback table given to every plugin.
  static const retain_host_api kHostApi;

 private:
  void LoadOne(const std::string& path, const Json& host_block,
               const Json& plugins_block);
  void StartPlugin(const std::shared_ptr<Plugin>& p);
  void DeliveryLoop(std::shared_ptr<Plugin> p);
  void SetState(Plugin* p, PluginState state, const std::string& error);
  void RecordOutcome(Plugin* p, const Outcome& o, HookKind kind);
  // Starts one tick of p unless the previous one still runs; `done` (may
  // be null) is called once the tick's outcome is known or it was skipped.
  void StartTick(const std::shared_ptr<Plugin>& p, std::function<void()> done);
  // The periodic ticker of p (on the timer thread; reschedules itself).
  void ScheduleTick(const std::shared_ptr<Plugin>& p);
  void PublishHealth(Plugin* p);
  PluginInfo Info(const Plugin& p) const;

  PluginHostOptions options_;
  store::Store* store_;
  HostServices* services_;

  std::vector<std::shared_ptr<Plugin>> plugins_;  // load order
  std::map<std::string, std::shared_ptr<Plugin>> by_name_;
  std::map<std::string, std::shared_ptr<Plugin>> methods_;

  std::atomic<int64_t> durable_seq_{0};
  std::atomic<grpc::Server*> server_{nullptr};
  std::unique_ptr<grpc::CallbackGenericService> generic_;
  std::unique_ptr<plugin::v1::PluginService::CallbackService> plugin_service_;
  bool loaded_ = false;
  bool shut_down_ = false;
  // Completions of hooks that outlive the host (a hung handler returning
  // at exit) check this before touching the host.
  struct Alive {
    absl::Mutex mu;
    bool alive = true;
  };
  std::shared_ptr<Alive> alive_ = std::make_shared<Alive>();
  // Last: destroyed (and its thread joined) first.
  Timer timer_;

 public:
  ~Impl() {
    absl::MutexLock lock(&alive_->mu);
    alive_->alive = false;
  }

 private:
  friend struct HostCallbacks;
};

struct PluginHost::Impl::Plugin {
  // Set at load, then read-only.
  std::string path;
  std::string name;
  std::string version;
  int abi_major = 0;
  int abi_minor = 0;
  Settings settings;
  boost::dll::shared_library library;  // never unloaded
  const retain_plugin_module* module = nullptr;
  void* instance = nullptr;
  plugin::v1::PluginDescriptor descriptor;
  std::set<int32_t> kinds;
  std::vector<std::string> services;
  Impl* host = nullptr;
  std::unique_ptr<Executor> executor;
  std::thread delivery;
  // Whether the host ticks this plugin: ABI >= 1.1 with on_tick, the
  // descriptor asks for ticks, and tick_interval > 0.
  bool ticks = false;

  // One tick in flight. state: queued -> running -> done, or queued ->
  // abandoned (timed out before it started; it never runs).
  struct TickRun {
    enum { kQueued, kRunning, kDone, kAbandoned };
    std::atomic<int> state{kQueued};
    std::atomic<bool> finished{false};  // the outcome was recorded
    std::atomic<bool> timed_out{false};
  };

  // Host callbacks run under a reader lock and only while enabled, so
  // Shutdown can turn them off before the store and services go away.
  absl::Mutex callbacks_mu;
  bool callbacks_enabled = false;

  mutable absl::Mutex mu;
  PluginState state ABSL_GUARDED_BY(mu) = plugin::v1::PLUGIN_STATE_UNSPECIFIED;
  std::string last_error ABSL_GUARDED_BY(mu);
  absl::Time last_error_time ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  absl::Time state_time ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  plugin::v1::PluginCounters counters ABSL_GUARDED_BY(mu);
  // Delivery: the last seq handled (persisted), woken by Notify/Resume.
  int64_t cursor ABSL_GUARDED_BY(mu) = 0;
  uint64_t wake_generation ABSL_GUARDED_BY(mu) = 0;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  // The last tick started (null before the first).
  std::shared_ptr<TickRun> tick ABSL_GUARDED_BY(mu);

  PluginState GetState() const {
    absl::MutexLock lock(&mu);
    return state;
  }
};

// ---------------------------------------------------------------------------
// Host callbacks (the C side of retain_host_api).

struct HostCallbacks {
  using Plugin = PluginHost::Impl::Plugin;

  static int32_t Write(retain_sink* out, int32_t code, const std::string& s) {
    if (out != nullptr && !s.empty()) out->write(out->ctx, s.data(), s.size());
    return code;
  }
  static int32_t Write(retain_sink* out, const absl::Status& st) {
    return Write(out, static_cast<int32_t>(st.code()),
                 std::string(st.message()));
  }
  static int32_t Invalid(retain_sink* out, const char* what) {
    return Write(out, static_cast<int32_t>(grpc::StatusCode::INVALID_ARGUMENT),
                 absl::StrCat("malformed ", what));
  }

  // Runs fn(plugin) while callbacks are enabled.
  template <typename F>
  static int32_t Guarded(void* ctx, retain_sink* out, F fn) {
    auto* p = static_cast<Plugin*>(ctx);
    absl::ReaderMutexLock lock(&p->callbacks_mu);
    if (!p->callbacks_enabled) {
      return Write(out, static_cast<int32_t>(grpc::StatusCode::UNAVAILABLE),
                   "the plugin host is not serving this plugin");
    }
    try {
      return fn(p);
    } catch (const std::exception& e) {
      return Write(out, static_cast<int32_t>(grpc::StatusCode::INTERNAL),
                   absl::StrCat("host callback failed: ", e.what()));
    }
  }

  static void LogCb(void* ctx, int32_t level, retain_str message) {
    auto* p = static_cast<Plugin*>(ctx);
    static const char* kLevels[] = {"DEBUG", "INFO", "WARNING", "ERROR"};
    const char* l = (level >= 0 && level <= 3) ? kLevels[level] : "INFO";
    Log(absl::StrCat("[", p->name, "] ", l, ": ", ToString(message)));
  }
  static int64_t NowCb(void* ctx) {
    auto* p = static_cast<Plugin*>(ctx);
    return absl::ToUnixMicros(p->host->options_.clock());
  }

  static int32_t KvGet(void* ctx, retain_str tenant, retain_str request,
                       retain_sink* out) {
    return Guarded(ctx, out, [&](Plugin* p) {
      plugin::v1::KvGetRequest req;
      if (!req.ParseFromArray(request.data, request.size)) {
        return Invalid(out, "KvGetRequest");
      }
      auto v = p->host->store_->KvGet(p->name,
                                      TenantKey(ToString(tenant), req.key()));
      if (!v.ok()) return Write(out, v.status());
      plugin::v1::KvGetResponse resp;
      if (v->has_value()) {
        resp.set_found(true);
        resp.set_value(**v);
      }
      return Write(out, 0, resp.SerializeAsString());
    });
  }
  static int32_t KvApply(void* ctx, retain_str tenant, retain_str request,
                         retain_sink* out) {
    return Guarded(ctx, out, [&](Plugin* p) {
      plugin::v1::KvBatch batch;
      if (!batch.ParseFromArray(request.data, request.size)) {
        return Invalid(out, "KvBatch");
      }
      std::string t = ToString(tenant);
      std::vector<store::KvOp> ops;
      for (const auto& op : batch.ops()) {
        store::KvOp o;
        o.key = TenantKey(t, op.key());
        if (!op.delete_()) o.value = op.value();
        ops.push_back(std::move(o));
      }
      return Write(out, p->host->store_->KvApply(p->name, ops));
    });
  }
  static int32_t KvScan(void* ctx, retain_str tenant, retain_str request,
                        retain_sink* out) {
    return Guarded(ctx, out, [&](Plugin* p) {
      plugin::v1::KvScanRequest req;
      if (!req.ParseFromArray(request.data, request.size)) {
        return Invalid(out, "KvScanRequest");
      }
      std::string t = ToString(tenant);
      int limit = req.limit() <= 0 ? 100 : std::min(req.limit(), 1000);
      std::string start_after =
          req.start_after().empty() ? "" : TenantKey(t, req.start_after());
      auto rows = p->host->store_->KvScan(p->name, TenantKey(t, req.prefix()),
                                          start_after, limit);
      if (!rows.ok()) return Write(out, rows.status());
      size_t strip = TenantKey(t, "").size();
      plugin::v1::KvScanResponse resp;
      for (auto& [k, v] : *rows) {
        auto* e = resp.add_entries();
        e->set_key(k.substr(strip));
        e->set_value(std::move(v));
      }
      return Write(out, 0, resp.SerializeAsString());
    });
  }

  static std::string AccountId(const std::string& name) {
    return absl::StartsWith(name, "accounts/") ? name.substr(9) : name;
  }

  // A host callback that answers one request message with one response
  // message: parse, call the host service, write the result or the status.
  template <typename Request, typename F>
  static int32_t Answer(void* ctx, retain_str request, retain_sink* out,
                        const char* request_name, F call) {
    return Guarded(ctx, out, [&](Plugin* p) {
      Request req;
      if (!req.ParseFromArray(request.data, request.size)) {
        return Invalid(out, request_name);
      }
      auto r = call(p->host->services_, req);
      if (!r.ok()) return Write(out, r.status());
      return Write(out, 0, r->SerializeAsString());
    });
  }
  static int32_t GetAccount(void* ctx, retain_str tenant, retain_str request,
                            retain_sink* out) {
    return Answer<account::v1::GetAccountRequest>(
        ctx, request, out, "GetAccountRequest", [&](auto* services, auto& req) {
          return services->GetAccount(ToString(tenant), AccountId(req.name()));
        });
  }
  static int32_t ListAccounts(void* ctx, retain_str tenant, retain_str request,
                              retain_sink* out) {
    return Answer<account::v1::ListAccountsRequest>(
        ctx, request, out, "ListAccountsRequest",
        [&](auto* services, auto& req) {
          return services->ListAccounts(ToString(tenant), req);
        });
  }
  static int32_t ListSignals(void* ctx, retain_str tenant, retain_str request,
                             retain_sink* out) {
    return Answer<signal::v1::ListSignalsRequest>(
        ctx, request, out, "ListSignalsRequest",
        [&](auto* services, auto& req) {
          return services->ListSignals(ToString(tenant), req);
        });
  }
  static int32_t GetHealth(void* ctx, retain_str tenant, retain_str request,
                           retain_sink* out) {
    return Answer<report::v1::GetAccountHealthRequest>(
        ctx, request, out, "GetAccountHealthRequest",
        [&](auto* services, auto& req) {
          return services->GetHealth(ToString(tenant),
                                     AccountId(req.account()));
        });
  }
  static int32_t RecordSignals(void* ctx, retain_str tenant, retain_str request,
                               retain_sink* out) {
    return Guarded(ctx, out, [&](Plugin* p) {
      signal::v1::RecordSignalsRequest req;
      if (!req.ParseFromArray(request.data, request.size)) {
        return Invalid(out, "RecordSignalsRequest");
      }
      std::vector<signal::v1::Signal> signals(req.signals().begin(),
                                              req.signals().end());
      return Write(out, p->host->services_->RecordSignals(ToString(tenant),
                                                          std::move(signals)));
    });
  }
  static int32_t ListTenants(void* ctx, retain_str /*tenant*/,
                             retain_str request, retain_sink* out) {
    return Guarded(ctx, out, [&](Plugin* p) {
      plugin::v1::ListTenantsRequest req;
      if (!req.ParseFromArray(request.data, request.size)) {
        return Invalid(out, "ListTenantsRequest");
      }
      auto tenants = p->host->TenantsOf(*p);
      if (!tenants.ok()) return Write(out, tenants.status());
      plugin::v1::ListTenantsResponse resp;
      for (auto& t : *tenants) resp.add_tenants(std::move(t));
      return Write(out, 0, resp.SerializeAsString());
    });
  }
  static int32_t PublishAlert(void* ctx, retain_str tenant, retain_str request,
                              retain_sink* out) {
    return Guarded(ctx, out, [&](Plugin* p) {
      plugin::v1::PluginAlert alert;
      if (!alert.ParseFromArray(request.data, request.size)) {
        return Invalid(out, "PluginAlert");
      }
      alert.set_plugin(p->name);
      return Write(out,
                   p->host->services_->PublishAlert(ToString(tenant), alert));
    });
  }
};

const retain_host_api PluginHost::Impl::kHostApi = {
    sizeof(retain_host_api),
    RETAIN_PLUGIN_ABI_MAJOR,
    RETAIN_PLUGIN_ABI_MINOR,
    &HostCallbacks::LogCb,
    &HostCallbacks::NowCb,
    &HostCallbacks::KvGet,
    &HostCallbacks::KvApply,
    &HostCallbacks::KvScan,
    &HostCallbacks::GetAccount,
    &HostCallbacks::ListAccounts,
    &HostCallbacks::ListSignals,
    &HostCallbacks::GetHealth,
    &HostCallbacks::RecordSignals,
    &HostCallbacks::PublishAlert,
    // ABI 1.1
    &HostCallbacks::ListTenants,
};

// ---------------------------------------------------------------------------
// Loading.

absl::Status PluginHost::Impl::LoadAll() {
  if (loaded_) return absl::FailedPreconditionError("LoadAll called twice");
  loaded_ = true;
  Json config = Json::object();
  if (!options_.config_path.empty()) {
    std::ifstream in(options_.config_path);
    if (!in) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot read plugin config ", options_.config_path));
    }
    try {
      in >> config;
    } catch (const std::exception& e) {
      return absl::InvalidArgumentError(absl::StrCat(
          "malformed plugin config ", options_.config_path, ": ", e.what()));
    }
    if (!config.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "plugin config ", options_.config_path, " is not a JSON object"));
    }
  }
  Json host_block =
      config.contains("host") ? config["host"] : Json(Json::object());
  Json plugins_block =
      config.contains("plugins") ? config["plugins"] : Json(Json::object());

  std::vector<std::string> paths;
  if (!options_.plugin_dir.empty()) {
    std::error_code ec;
    std::vector<std::string> found;
    for (const auto& entry :
         std::filesystem::directory_iterator(options_.plugin_dir, ec)) {
      if (entry.path().extension() == ".so") found.push_back(entry.path());
    }
    if (ec) {
      Log(absl::StrCat("cannot list plugin dir ", options_.plugin_dir, ": ",
                       ec.message()));
    }
    std::sort(found.begin(), found.end());
    paths.insert(paths.end(), found.begin(), found.end());
  }
  paths.insert(paths.end(), options_.plugin_paths.begin(),
               options_.plugin_paths.end());
  std::set<std::string> seen;
  for (const auto& path : paths) {
    std::error_code ec;
    std::string canonical = std::filesystem::weakly_canonical(path, ec);
    if (ec) canonical = path;
    if (!seen.insert(canonical).second) continue;
    try {
      LoadOne(path, host_block, plugins_block);
    } catch (const std::exception& e) {
      // A malformed config value (wrong JSON type) for this plugin.
      auto p = std::make_shared<Plugin>();
      p->path = path;
      p->host = this;
      plugins_.push_back(p);
      SetState(p.get(), plugin::v1::PLUGIN_STATE_REFUSED,
               absl::StrCat("cannot load ", path, ": ", e.what()));
    }
  }
  int64_t last = 0;
  if (auto s = store_->LastSignalSeq(); s.ok()) last = *s;
  NotifySignalsDurable(last);
  for (auto& p : plugins_) {
    if (p->GetState() == plugin::v1::PLUGIN_STATE_READY) StartPlugin(p);
  }
  return absl::OkStatus();
}

void PluginHost::Impl::LoadOne(const std::string& path, const Json& host_block,
                               const Json& plugins_block) {
  auto p = std::make_shared<Plugin>();
  p->path = path;
  p->host = this;
  p->settings.call_timeout = options_.call_timeout;
  p->settings.report_timeout = options_.report_timeout;
  p->settings.max_consecutive_failures = options_.max_consecutive_failures;
  p->settings.workers = options_.workers;
  p->settings.max_queue = options_.max_queue;
  p->settings.tick_interval = options_.tick_interval;
  ApplySettings(host_block, &p->settings);
  p->settings.config = Json::object();  // "host" has no plugin config
  plugins_.push_back(p);

  auto refuse = [&](const std::string& why) {
    SetState(p.get(), plugin::v1::PLUGIN_STATE_REFUSED,
             absl::StrCat("refused ", path, ": ", why));
  };

  // Loaded libraries are never unloaded: a plugin's static initialisers may
  // already have registered descriptors or threads (see 0005-plugin-abi.md).
  try {
    // RTLD_NODELETE: dlclose (e.g. when a host object goes away) never
    // unmaps the code.
    p->library.load(path, static_cast<boost::dll::load_mode::type>(
                              RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE));
  } catch (const std::exception& e) {
    return refuse(absl::StrCat("cannot load the library: ", e.what()));
  }
  if (!p->library.has(RETAIN_PLUGIN_ENTRY_SYMBOL)) {
    return refuse(
        absl::StrCat("no entry point '", RETAIN_PLUGIN_ENTRY_SYMBOL,
                     "' (define it with RETAIN_PLUGIN(...) and export it)"));
  }
  auto entry =
      p->library.get<const retain_plugin_module*(const retain_host_api*)>(
          RETAIN_PLUGIN_ENTRY_SYMBOL);
  const retain_plugin_module* m = entry(&kHostApi);
  if (m == nullptr) {
    return refuse(absl::StrCat("the plugin declined this host (plugin ABI ",
                               RETAIN_PLUGIN_ABI_MAJOR, ".",
                               RETAIN_PLUGIN_ABI_MINOR, ")"));
  }
  p->abi_major = m->abi_major;
  p->abi_minor = m->abi_minor;
  if (m->abi_major != RETAIN_PLUGIN_ABI_MAJOR) {
    return refuse(absl::StrCat(
        "built for plugin ABI ", m->abi_major, ".", m->abi_minor,
        "; this server speaks ", RETAIN_PLUGIN_ABI_MAJOR, ".",
        RETAIN_PLUGIN_ABI_MINOR, " (the major version must match)"));
  }
  if (m->struct_size < offsetof(retain_plugin_module, retain_plugin_on_signal) +
                           sizeof(m->retain_plugin_on_signal) ||
      m->name == nullptr || m->version == nullptr ||
      m->retain_plugin_on_init == nullptr ||
      m->retain_plugin_on_destroy == nullptr ||
      m->retain_plugin_on_describe == nullptr ||
      m->retain_plugin_on_call == nullptr ||
      m->retain_plugin_on_signal == nullptr) {
    return refuse("incomplete plugin module (required hooks missing)");
  }
  p->module = m;
  p->name = m->name;
  p->version = m->version;
  if (!ValidName(p->name)) {
    return refuse(absl::StrCat("invalid plugin name '", p->name,
                               "' (want [a-z][a-z0-9_]{0,62})"));
  }
  if (by_name_.count(p->name)) {
    return refuse(absl::StrCat("a plugin named '", p->name,
                               "' is already loaded from ",
                               by_name_[p->name]->path));
  }
  by_name_[p->name] = p;

  if (plugins_block.is_object() && plugins_block.contains(p->name)) {
    try {
      ApplySettings(plugins_block[p->name], &p->settings);
    } catch (const std::exception& e) {
      return refuse(absl::StrCat("bad config block: ", e.what()));
    }
  }
  if (!p->settings.enabled) {
    SetState(p.get(), plugin::v1::PLUGIN_STATE_DISABLED,
             "disabled in the plugin config");
    return;
  }

  plugin::v1::PluginConfig config;
  config.set_json(p->settings.config.dump());
  std::map<std::string, std::string> flat;
  Flatten(p->settings.config, "", &flat);
  config.mutable_values()->insert(flat.begin(), flat.end());
  std::string config_bytes = config.SerializeAsString();

  {
    absl::MutexLock lock(&p->callbacks_mu);
    p->callbacks_enabled = true;
  }
  std::string err;
  retain_sink err_sink{&err, &AppendSink};
  void* instance = nullptr;
  int32_t code = m->retain_plugin_on_init(&kHostApi, p.get(), Str(config_bytes),
                                          &instance, &err_sink);
  if (code != 0 || instance == nullptr) {
    {
      absl::MutexLock lock(&p->callbacks_mu);
      p->callbacks_enabled = false;
    }
    SetState(p.get(), plugin::v1::PLUGIN_STATE_INIT_FAILED,
             absl::StrCat("init failed (", code,
                          "): ", err.empty() ? "no reason given" : err));
    return;
  }
  p->instance = instance;

  std::string desc;
  retain_sink desc_sink{&desc, &AppendSink};
  code = m->retain_plugin_on_describe(instance, &desc_sink);
  std::string problem;
  if (code != 0) {
    problem = absl::StrCat("describe failed (", code, "): ", desc);
  } else if (!p->descriptor.ParseFromString(desc)) {
    problem = "malformed plugin descriptor";
  }
  std::string prefix = absl::StrCat("/retain.plugins.", p->name, ".v1.");
  std::set<std::string> services;
  for (const auto& method : p->descriptor.methods()) {
    if (!problem.empty()) break;
    size_t slash = method.rfind('/');
    if (!absl::StartsWith(method, prefix) || slash <= prefix.size() ||
        slash + 1 >= method.size()) {
      problem = absl::StrCat("method '", method, "' is not of the form ",
                             prefix, "<Service>/<Method>");
    } else if (methods_.count(method)) {
      problem = absl::StrCat("method '", method, "' is already served");
    } else {
      services.insert(method.substr(1, slash - 1));
    }
  }
  if (!problem.empty()) {
    m->retain_plugin_on_destroy(instance);
    p->instance = nullptr;
    {
      absl::MutexLock lock(&p->callbacks_mu);
      p->callbacks_enabled = false;
    }
    SetState(p.get(), plugin::v1::PLUGIN_STATE_INIT_FAILED, problem);
    return;
  }
  for (const auto& method : p->descriptor.methods()) methods_[method] = p;
  p->services.assign(services.begin(), services.end());
  p->kinds.insert(p->descriptor.signal_kinds().begin(),
                  p->descriptor.signal_kinds().end());
  if (p->settings.health_weight < 0) {
    p->settings.health_weight = p->descriptor.health_component().weight();
  }
  // The tick hook exists only in modules built for ABI >= 1.1: never read
  // past the plugin's struct_size.
  bool has_tick_hook =
      RETAIN_ABI_HAS_FIELD(m, retain_plugin_module, retain_plugin_on_tick) &&
      m->retain_plugin_on_tick != nullptr;
  if (p->descriptor.ticks() && !has_tick_hook) {
    Log(absl::StrCat("plugin ", p->name,
                     " asks for ticks but has no on_tick hook; no ticks"));
  }
  p->ticks = p->descriptor.ticks() && has_tick_hook &&
             p->settings.tick_interval > absl::ZeroDuration();
  SetState(p.get(), plugin::v1::PLUGIN_STATE_READY, "");
  Log(absl::StrCat(
      "loaded plugin ", p->name, " ", p->version, " (ABI ", p->abi_major, ".",
      p->abi_minor, ") from ", path, ": ", p->descriptor.methods_size(),
      " methods, ", p->kinds.size(), " signal kinds",
      p->ticks ? absl::StrCat(", ticks every ",
                              absl::FormatDuration(p->settings.tick_interval))
               : ""));
}

void PluginHost::Impl::StartPlugin(const std::shared_ptr<Plugin>& p) {
  p->executor = std::make_unique<Executor>(p->name, p->settings.workers,
                                           p->settings.max_queue);
  if (p->ticks) ScheduleTick(p);
  if (p->kinds.empty()) return;
  int64_t cursor = 0;
  auto stored = store_->KvGet(kCursorNamespace, p->name);
  if (stored.ok() && stored->has_value()) {
    cursor = std::stoll(**stored);
  } else if (stored.ok() && p->settings.deliver_from_now) {
    cursor = durable_seq_.load();
    store_->KvApply(kCursorNamespace, {{p->name, std::to_string(cursor)}})
        .IgnoreError();
  } else if (!stored.ok()) {
    SetState(p.get(), plugin::v1::PLUGIN_STATE_PARKED,
             absl::StrCat("cannot read delivery cursor: ",
                          stored.status().ToString()));
  }
  {
    absl::MutexLock lock(&p->mu);
    p->cursor = cursor;
    p->counters.set_delivery_cursor(cursor);
  }
  p->delivery = std::thread(&Impl::DeliveryLoop, this, p);
}

// ---------------------------------------------------------------------------
// Running hooks.

void PluginHost::Impl::RunAsync(const std::shared_ptr<Plugin>& p,
                                std::function<int32_t(retain_sink*)> hook,
                                absl::Duration timeout, HookKind kind,
                                std::function<void(Outcome)> done) {
  struct Pending {
    std::atomic<bool> fired{false};
    std::function<void(Outcome)> done;
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  std::shared_ptr<Alive> alive = alive_;
  auto finish = [this, pending, p, alive, kind](Outcome o) {
    if (pending->fired.exchange(true)) return;
    absl::ReaderMutexLock lock(&alive->mu);
    if (!alive->alive) return;
    if (o.code < 0 || o.code > 16) {
      o.output = absl::StrCat("invalid status code ", o.code, ": ", o.output);
      o.code = static_cast<int32_t>(grpc::StatusCode::UNKNOWN);
    }
    RecordOutcome(p.get(), o, kind);
    pending->done(std::move(o));
  };
  PluginState state = p->GetState();
  if (state != plugin::v1::PLUGIN_STATE_READY) {
    Outcome o;
    o.rejected = true;
    o.code = static_cast<int32_t>(grpc::StatusCode::UNAVAILABLE);
    std::string reason;
    {
      absl::MutexLock lock(&p->mu);
      reason = p->last_error;
    }
    o.output = absl::StrCat("plugin ", p->name, " is ", StateName(state),
                            reason.empty() ? "" : ": ", reason);
    finish(std::move(o));
    return;
  }
  // The task holds the plugin (in `finish`) while it runs, even past
  // Shutdown.
  bool queued = p->executor->Submit([pending, hook, finish] {
    if (pending->fired.load()) return;  // timed out while queued
    Outcome o;
    retain_sink sink{&o.output, &AppendSink};
    o.code = hook(&sink);
    finish(std::move(o));
  });
  if (!queued) {
    Outcome o;
    o.rejected = true;
    o.code = static_cast<int32_t>(grpc::StatusCode::RESOURCE_EXHAUSTED);
    o.output = absl::StrCat("plugin ", p->name, " is busy (queue full)");
    finish(std::move(o));
    return;
  }
  timer_.Schedule(absl::Now() + timeout, [finish, timeout, name = p->name] {
    Outcome o;
    o.timed_out = true;
    o.code = static_cast<int32_t>(grpc::StatusCode::DEADLINE_EXCEEDED);
    o.output = absl::StrCat("plugin ", name, " did not answer within ",
                            absl::FormatDuration(timeout));
    finish(std::move(o));
  });
}

Outcome PluginHost::Impl::RunSync(const std::shared_ptr<Plugin>& p,
                                  std::function<int32_t(retain_sink*)> hook,
                                  absl::Duration timeout, HookKind kind) {
  struct Wait {
    absl::Mutex mu;
    bool done = false;
    Outcome outcome;
  };
  auto w = std::make_shared<Wait>();
  RunAsync(p, std::move(hook), timeout, kind, [w](Outcome o) {
    absl::MutexLock lock(&w->mu);
    w->outcome = std::move(o);
    w->done = true;
  });
  absl::MutexLock lock(&w->mu);
  w->mu.Await(absl::Condition(&w->done));
  return w->outcome;
}

void PluginHost::Impl::RecordOutcome(Plugin* p, const Outcome& o,
                                     HookKind kind) {
  const bool is_call = kind == HookKind::kCall;
  bool failure = o.timed_out || (!o.rejected && IsFailureCode(o.code));
  bool park = false;
  std::string error;
  {
    absl::MutexLock lock(&p->mu);
    auto& c = p->counters;
    if (is_call) {
      c.set_calls(c.calls() + 1);
      if (o.rejected) {
        c.set_calls_rejected(c.calls_rejected() + 1);
      } else if (failure) {
        c.set_call_failures(c.call_failures() + 1);
      } else if (o.code != 0) {
        c.set_call_errors(c.call_errors() + 1);
      }
      if (o.timed_out) c.set_call_timeouts(c.call_timeouts() + 1);
    }
    if (kind == HookKind::kTick && !o.rejected) {
      c.set_ticks(c.ticks() + 1);
      if (failure) c.set_tick_failures(c.tick_failures() + 1);
    }
    if (o.rejected) return;
    if (failure) {
      c.set_consecutive_failures(c.consecutive_failures() + 1);
      p->last_error = o.output;
      p->last_error_time = absl::Now();
      if (p->state == plugin::v1::PLUGIN_STATE_READY &&
          c.consecutive_failures() >= p->settings.max_consecutive_failures) {
        park = true;
        error = absl::StrCat(c.consecutive_failures(),
                             " consecutive failures, last: ", o.output);
      }
    } else if (is_call || kind == HookKind::kTick) {
      c.set_consecutive_failures(0);
    }
  }
  if (failure) {
    Log(absl::StrCat("plugin ", p->name, " failed: ", o.output));
  }
  if (park) SetState(p, plugin::v1::PLUGIN_STATE_PARKED, error);
}

// ---------------------------------------------------------------------------
// Periodic ticks: one timer entry per ticking plugin; the tick itself runs
// on the plugin's workers under call_timeout, like a call.

void PluginHost::Impl::StartTick(const std::shared_ptr<Plugin>& p,
                                 std::function<void()> done) {
  using TickRun = Plugin::TickRun;
  auto skip = [&] {
    if (done) done();
  };
  if (!p->ticks || p->GetState() != plugin::v1::PLUGIN_STATE_READY) {
    return skip();
  }
  std::shared_ptr<TickRun> prev;
  {
    absl::MutexLock lock(&p->mu);
    if (p->stopping) return skip();
    prev = p->tick;
  }
  if (prev != nullptr) {
    int state = prev->state.load();
    if (state == TickRun::kQueued && prev->finished.load()) {
      // Timed out before a worker took it: make sure it never runs.
      if (prev->state.compare_exchange_strong(state, TickRun::kAbandoned)) {
        state = TickRun::kAbandoned;
      }
    }
    if (state == TickRun::kQueued || state == TickRun::kRunning) {
      if (state == TickRun::kRunning && prev->timed_out.load()) {
        // Hung past its deadline: every tick it holds up is another
        // overrun, as another call to a hung handler would be (without
        // tying up one more worker).
        Outcome o;
        o.timed_out = true;
        o.code = static_cast<int32_t>(grpc::StatusCode::DEADLINE_EXCEEDED);
        o.output = absl::StrCat("plugin ", p->name,
                                " tick still running past its deadline of ",
                                absl::FormatDuration(p->settings.call_timeout));
        RecordOutcome(p.get(), o, HookKind::kTick);
      }
      return skip();  // never two ticks of one plugin at once
    }
  }
  auto run = std::make_shared<TickRun>();
  {
    absl::MutexLock lock(&p->mu);
    p->tick = run;
  }
  auto* module = p->module;
  void* instance = p->instance;
  std::function<absl::Time()> clock = options_.clock;
  RunAsync(
      p,
      [module, instance, run, clock](retain_sink* out) -> int32_t {
        int expected = TickRun::kQueued;
        if (!run->state.compare_exchange_strong(expected, TickRun::kRunning)) {
          return 0;  // abandoned; its outcome was recorded already
        }
        int32_t code = module->retain_plugin_on_tick(
            instance, absl::ToUnixMicros(clock()), out);
        run->state.store(TickRun::kDone);
        return code;
      },
      p->settings.call_timeout, HookKind::kTick,
      [run, done](Outcome o) {
        run->timed_out.store(o.timed_out);
        run->finished.store(true);
        if (done) done();
      });
}

void PluginHost::Impl::ScheduleTick(const std::shared_ptr<Plugin>& p) {
  timer_.Schedule(absl::Now() + p->settings.tick_interval, [this, p] {
    {
      absl::MutexLock lock(&p->mu);
      if (p->stopping) return;
    }
    StartTick(p, nullptr);
    ScheduleTick(p);
  });
}

void PluginHost::Impl::RunTicks() {
  struct Wait {
    absl::Mutex mu;
    int pending = 0;
  };
  auto w = std::make_shared<Wait>();
  std::vector<std::shared_ptr<Plugin>> ticking;
  for (auto& p : plugins_) {
    if (p->ticks && p->executor != nullptr) ticking.push_back(p);
  }
  w->pending = static_cast<int>(ticking.size());
  for (auto& p : ticking) {
    StartTick(p, [w] {
      absl::MutexLock lock(&w->mu);
      --w->pending;
    });
  }
  absl::MutexLock lock(&w->mu);
  w->mu.Await(absl::Condition(
      +[](Wait* x) { return x->pending == 0; }, w.get()));
}

absl::StatusOr<std::vector<std::string>> PluginHost::Impl::TenantsOf(
    const Plugin& p) {
  // Keys are "<len>:<tenant><key>" (TenantKey): one indexed lookup per
  // tenant, skipping past each tenant's keys.
  std::vector<std::string> out;
  std::string after;
  for (;;) {
    auto rows = store_->KvScan(p.name, "", after, 1);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) break;
    const std::string& key = rows->front().first;
    size_t colon = key.find(':');
    size_t len = 0;
    if (colon == std::string::npos || colon == 0 || colon > 10 ||
        !absl::SimpleAtoi(key.substr(0, colon), &len) ||
        len > key.size() - colon - 1) {
      after = key;  // not a tenant key; step over it
      continue;
    }
    std::string tenant = key.substr(colon + 1, len);
    if (out.empty() || out.back() != tenant) out.push_back(tenant);
    // Every key with this tenant's prefix sorts before prefix + "\xff..."
    // (a key that does not is stepped over one at a time).
    std::string past = key.substr(0, colon + 1 + len) + std::string(16, '\xff');
    after = std::max(key, past);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void PluginHost::Impl::SetState(Plugin* p, PluginState state,
                                const std::string& error) {
  {
    absl::MutexLock lock(&p->mu);
    p->state = state;
    p->state_time = absl::Now();
    if (!error.empty()) {
      p->last_error = error;
      p->last_error_time = p->state_time;
    }
    ++p->wake_generation;
  }
  Log(absl::StrCat("plugin ", p->name.empty() ? p->path : p->name, " is ",
                   StateName(state), error.empty() ? "" : ": ", error));
  PublishHealth(p);
}

void PluginHost::Impl::PublishHealth(Plugin* p) {
  grpc::Server* server = server_.load();
  if (server == nullptr || p->name.empty()) return;
  auto* health = server->GetHealthCheckService();
  if (health == nullptr) return;
  bool serving = p->GetState() == plugin::v1::PLUGIN_STATE_READY;
  health->SetServingStatus(p->name, serving);
  for (const auto& s : p->services) health->SetServingStatus(s, serving);
}

// ---------------------------------------------------------------------------
// Signal delivery: one thread per subscribed plugin reads the durable log
// from its cursor, at most delivery_batch signals at a time.

void PluginHost::Impl::NotifySignalsDurable(int64_t last_seq) {
  int64_t cur = durable_seq_.load();
  while (last_seq > cur && !durable_seq_.compare_exchange_weak(cur, last_seq)) {
  }
  for (auto& p : plugins_) {
    if (p->kinds.empty()) continue;
    absl::MutexLock lock(&p->mu);
    ++p->wake_generation;
  }
}

void PluginHost::Impl::DeliveryLoop(std::shared_ptr<Plugin> p) {
  struct Wake {
    Plugin* p;
    Impl* host;
    uint64_t seen;
    static bool Ready(Wake* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->p->mu) {
      return w->p->stopping || w->p->wake_generation != w->seen;
    }
  };
  absl::Duration retry = options_.delivery_retry;
  for (;;) {
    int64_t cursor;
    uint64_t generation;
    {
      absl::MutexLock lock(&p->mu);
      if (p->stopping) return;
      cursor = p->cursor;
      generation = p->wake_generation;
      p->counters.set_delivery_lag(
          std::max<int64_t>(0, durable_seq_.load() - cursor));
    }
    bool ready = p->GetState() == plugin::v1::PLUGIN_STATE_READY;
    std::vector<store::StoredSignal> batch;
    int64_t scanned_to = cursor;
    if (ready && durable_seq_.load() > cursor) {
      int limit = std::max(1, options_.delivery_batch);
      absl::Status s =
          store_->ForEachSignal(cursor, [&](const store::StoredSignal& sig) {
            scanned_to = sig.seq;
            if (p->kinds.count(sig.kind)) batch.push_back(sig);
            return static_cast<int>(batch.size()) < limit;
          });
      if (!s.ok()) {
        Log(absl::StrCat("delivery to ", p->name,
                         " cannot read signals: ", s.ToString()));
        scanned_to = cursor;
        batch.clear();
      }
    }
    int64_t position = cursor;
    bool stalled = false;
    for (const auto& sig : batch) {
      for (;;) {
        {
          absl::MutexLock lock(&p->mu);
          if (p->stopping) return;
        }
        if (p->GetState() != plugin::v1::PLUGIN_STATE_READY) {
          stalled = true;
          break;
        }
        auto* module = p->module;
        void* instance = p->instance;
        Outcome o = RunSync(
            p,
            [module, instance, sig](retain_sink* out) {
              return module->retain_plugin_on_signal(
                  instance, Str(sig.tenant), Str(sig.account_id), sig.seq,
                  Str(sig.payload), out);
            },
            p->settings.call_timeout, HookKind::kSignal);
        absl::MutexLock lock(&p->mu);
        auto& c = p->counters;
        if (o.code == 0 && !o.timed_out) {
          c.set_signals_delivered(c.signals_delivered() + 1);
          c.set_consecutive_failures(0);
          retry = options_.delivery_retry;
          break;
        }
        if (o.rejected) {
          stalled = true;
          break;
        }
        c.set_signal_failures(c.signal_failures() + 1);
        if (!o.timed_out && !IsFailureCode(o.code)) {
          // RecordOutcome counted only crashes; every failed delivery
          // counts here, since the same signal is retried.
          c.set_consecutive_failures(c.consecutive_failures() + 1);
          p->last_error = absl::StrCat("signal ", sig.seq, ": ", o.output);
          p->last_error_time = absl::Now();
          if (c.consecutive_failures() >=
                  p->settings.max_consecutive_failures &&
              p->state == plugin::v1::PLUGIN_STATE_READY) {
            std::string why =
                absl::StrCat(c.consecutive_failures(),
                             " consecutive failures, last: ", p->last_error);
            p->mu.Unlock();
            SetState(p.get(), plugin::v1::PLUGIN_STATE_PARKED, why);
            p->mu.Lock();
          }
        }
        Wake w{p.get(), this, p->wake_generation};
        p->mu.AwaitWithTimeout(absl::Condition(&Wake::Ready, &w), retry);
        retry = std::min(retry * 2, options_.delivery_retry * 32);
      }
      if (stalled) break;
      position = sig.seq;
    }
    if (!stalled) position = std::max(position, scanned_to);
    if (position != cursor) {
      absl::Status s = store_->KvApply(kCursorNamespace,
                                       {{p->name, std::to_string(position)}});
      if (!s.ok()) {
        Log(absl::StrCat("cannot persist delivery cursor of ", p->name, ": ",
                         s.ToString()));
      }
      absl::MutexLock lock(&p->mu);
      p->cursor = position;
      p->counters.set_delivery_cursor(position);
      p->counters.set_delivery_lag(
          std::max<int64_t>(0, durable_seq_.load() - position));
      continue;  // more may be waiting
    }
    absl::MutexLock lock(&p->mu);
    Wake w{p.get(), this, generation};
    // Woken by NotifySignalsDurable, ResumePlugin or Shutdown; polls the
    // log now and then as well in case a notification was missed.
    p->mu.AwaitWithTimeout(absl::Condition(&Wake::Ready, &w), absl::Seconds(2));
  }
}

// ---------------------------------------------------------------------------
// Report sections and health components.

template <typename Message>
std::vector<Message> PluginHost::Impl::AskReadyPlugins(
    const std::function<bool(const Plugin&)>& wants,
    const std::function<int32_t(const Plugin&, retain_sink*)>& hook,
    const std::function<void(const Plugin&, Message&)>& finish,
    const char* what) {
  struct Slot {
    absl::Mutex mu;
    int pending = 0;
    std::vector<std::pair<size_t, Message>> got;
  };
  auto slot = std::make_shared<Slot>();
  std::vector<std::shared_ptr<Plugin>> asked;
  for (auto& p : plugins_) {
    if (wants(*p) && p->GetState() == plugin::v1::PLUGIN_STATE_READY) {
      asked.push_back(p);
    }
  }
  slot->pending = asked.size();
  for (size_t i = 0; i < asked.size(); ++i) {
    std::shared_ptr<Plugin> p = asked[i];
    RunAsync(
        p, [hook, p](retain_sink* out) { return hook(*p, out); },
        p->settings.report_timeout, HookKind::kReport,
        [slot, i, p, finish, what](Outcome o) {
          absl::MutexLock lock(&slot->mu);
          --slot->pending;
          if (o.code != 0) return;
          Message m;
          if (!m.ParseFromString(o.output)) {
            Log(absl::StrCat("plugin ", p->name, " wrote a malformed ", what));
            return;
          }
          finish(*p, m);
          slot->got.emplace_back(i, std::move(m));
        });
  }
  absl::MutexLock lock(&slot->mu);
  slot->mu.Await(absl::Condition(
      +[](Slot* s) { return s->pending == 0; }, slot.get()));
  // Load order, whatever order the plugins answered in.
  std::sort(slot->got.begin(), slot->got.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Message> out;
  for (auto& [i, m] : slot->got) out.push_back(std::move(m));
  return out;
}

std::vector<report::v1::ReportSection> PluginHost::Impl::AccountSections(
    const std::string& tenant, const std::string& account_id) {
  return AskReadyPlugins<report::v1::ReportSection>(
      [](const Plugin& p) {
        return p.descriptor.report_section() &&
               p.module->retain_plugin_on_report_section != nullptr;
      },
      [tenant, account_id](const Plugin& p, retain_sink* out) {
        return p.module->retain_plugin_on_report_section(
            p.instance, Str(tenant), Str(account_id), out);
      },
      [](const Plugin& p, report::v1::ReportSection& section) {
        section.set_plugin(p.name);
      },
      "section");
}

std::vector<report::v1::HealthComponent> PluginHost::Impl::HealthComponents(
    const std::string& tenant, const std::string& account_id) {
  return AskReadyPlugins<report::v1::HealthComponent>(
      [](const Plugin& p) {
        return !p.descriptor.health_component().name().empty() &&
               p.module->retain_plugin_on_health_component != nullptr;
      },
      [tenant, account_id](const Plugin& p, retain_sink* out) {
        return p.module->retain_plugin_on_health_component(
            p.instance, Str(tenant), Str(account_id), out);
      },
      [](const Plugin& p, report::v1::HealthComponent& c) {
        c.set_name(p.descriptor.health_component().name());
        c.set_weight(p.settings.health_weight);
        c.set_effective_weight(0);
        c.set_score(std::clamp(c.score(), 0.0, 10.0));
        c.set_source(p.name);
      },
      "health component");
}

// ---------------------------------------------------------------------------
// Status.

PluginInfo PluginHost::Impl::Info(const Plugin& p) const {
  PluginInfo info;
  info.set_name(p.name);
  info.set_version(p.version);
  info.set_abi_major(p.abi_major);
  info.set_abi_minor(p.abi_minor);
  info.set_path(p.path);
  for (const auto& s : p.services) info.add_services(s);
  for (int32_t k : p.kinds) info.add_signal_kinds(k);
  info.set_report_section(p.descriptor.report_section());
  if (p.ticks) {
    info.set_tick_seconds(absl::ToDoubleSeconds(p.settings.tick_interval));
  }
  info.set_health_component(p.descriptor.health_component().name());
  if (!p.descriptor.health_component().name().empty()) {
    info.set_health_weight(p.settings.health_weight);
  }
  absl::MutexLock lock(&p.mu);
  info.set_state(p.state);
  *info.mutable_counters() = p.counters;
  info.set_last_error(p.last_error);
  auto ts = [](absl::Time t, google::protobuf::Timestamp* out) {
    if (t == absl::InfinitePast()) return;
    int64_t us = absl::ToUnixMicros(t);
    out->set_seconds(us / 1000000);
    out->set_nanos((us % 1000000) * 1000);
  };
  if (p.last_error_time != absl::InfinitePast()) {
    ts(p.last_error_time, info.mutable_last_error_time());
  }
  if (p.state_time != absl::InfinitePast()) {
    ts(p.state_time, info.mutable_state_time());
  }
  return info;
}

std::vector<PluginInfo> PluginHost::Impl::ListPlugins() const {
  std::vector<PluginInfo> out;
  for (const auto& p : plugins_) out.push_back(Info(*p));
  return out;
}

absl::StatusOr<PluginInfo> PluginHost::Impl::GetPlugin(
    const std::string& name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) {
    return absl::NotFoundError(absl::StrCat("no plugin named '", name, "'"));
  }
  return Info(*it->second);
}

absl::StatusOr<PluginInfo> PluginHost::Impl::ResumePlugin(
    const std::string& name) {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) {
    return absl::NotFoundError(absl::StrCat("no plugin named '", name, "'"));
  }
  Plugin* p = it->second.get();
  {
    absl::MutexLock lock(&p->mu);
    if (p->state != plugin::v1::PLUGIN_STATE_PARKED) {
      return absl::FailedPreconditionError(absl::StrCat(
          "plugin '", name, "' is ", StateName(p->state), ", not parked"));
    }
    p->counters.set_consecutive_failures(0);
  }
  SetState(p, plugin::v1::PLUGIN_STATE_READY, "");
  return Info(*p);
}

// ---------------------------------------------------------------------------
// gRPC: the generic service for plugin methods, and PluginService.

namespace {

std::string BufferToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

class PluginCallReactor : public grpc::ServerGenericBidiReactor {
 public:
  PluginCallReactor(PluginHost::Impl* host,
                    grpc::GenericCallbackServerContext* ctx)
      : host_(host),
        ctx_(ctx),
        finished_(std::make_shared<std::atomic<bool>>()) {
    plugin_ = host_->FindByMethod(ctx->method());
    if (plugin_ == nullptr) {
      FinishOnce(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                              absl::StrCat("unknown method ", ctx->method())));
      return;
    }
    auto tenant = host_->services()->TenantForCall(*ctx);
    if (!tenant.ok()) {
      FinishOnce(
          grpc::Status(static_cast<grpc::StatusCode>(tenant.status().code()),
                       std::string(tenant.status().message())));
      return;
    }
    tenant_ = *tenant;
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      FinishOnce(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              "no request message"));
      return;
    }
    if (finished_->load()) return;
    auto* module = plugin_->module;
    void* instance = plugin_->instance;
    std::string tenant = tenant_;
    std::string method = ctx_->method();
    std::string request = BufferToString(request_);
    absl::Duration timeout = plugin_->settings.call_timeout;
    auto client_deadline = ctx_->deadline();
    if (client_deadline != std::chrono::system_clock::time_point::max()) {
      absl::Duration left = absl::FromChrono(client_deadline) - absl::Now();
      timeout = std::max(absl::ZeroDuration(), std::min(timeout, left));
    }
    std::shared_ptr<std::atomic<bool>> finished = finished_;
    host_->RunAsync(
        plugin_,
        [module, instance, tenant, method, request](retain_sink* out) {
          return module->retain_plugin_on_call(instance, Str(tenant),
                                               Str(method), Str(request), out);
        },
        timeout, HookKind::kCall,
        [this, finished](Outcome o) {
          // Touch `this` only when this completion wins: the reactor lives
          // until OnDone, which cannot run before Finish.
          if (finished->exchange(true)) return;
          if (o.code == 0) {
            grpc::Slice slice(o.output);
            response_ = grpc::ByteBuffer(&slice, 1);
            StartWriteAndFinish(&response_, grpc::WriteOptions(),
                                grpc::Status::OK);
          } else {
            Finish(
                grpc::Status(static_cast<grpc::StatusCode>(o.code), o.output));
          }
        });
  }

  void OnCancel() override {
    FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }
  void OnDone() override { delete this; }

 private:
  void FinishOnce(const grpc::Status& status) {
    if (finished_->exchange(true)) return;
    Finish(status);
  }

  PluginHost::Impl* host_;
  grpc::GenericCallbackServerContext* ctx_;
  std::shared_ptr<PluginHost::Impl::Plugin> plugin_;
  std::string tenant_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::shared_ptr<std::atomic<bool>> finished_;
};

class GenericService : public grpc::CallbackGenericService {
 public:
  explicit GenericService(PluginHost::Impl* host) : host_(host) {}
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* ctx) override {
    return new PluginCallReactor(host_, ctx);
  }

 private:
  PluginHost::Impl* host_;
};

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                      std::string(s.message()));
}

class PluginServiceImpl : public plugin::v1::PluginService::CallbackService {
 public:
  explicit PluginServiceImpl(PluginHost::Impl* host) : host_(host) {}

  grpc::ServerUnaryReactor* ListPlugins(
      grpc::CallbackServerContext* ctx,
      const plugin::v1::ListPluginsRequest* /*request*/,
      plugin::v1::ListPluginsResponse* response) override {
    for (auto& p : host_->ListPlugins()) *response->add_plugins() = p;
    response->set_host_abi_major(RETAIN_PLUGIN_ABI_MAJOR);
    response->set_host_abi_minor(RETAIN_PLUGIN_ABI_MINOR);
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  grpc::ServerUnaryReactor* GetPlugin(
      grpc::CallbackServerContext* ctx,
      const plugin::v1::GetPluginRequest* request,
      plugin::v1::Plugin* response) override {
    auto* reactor = ctx->DefaultReactor();
    auto p = host_->GetPlugin(request->name());
    if (p.ok()) *response = *p;
    reactor->Finish(ToGrpc(p.status()));
    return reactor;
  }
  grpc::ServerUnaryReactor* ResumePlugin(
      grpc::CallbackServerContext* ctx,
      const plugin::v1::ResumePluginRequest* request,
      plugin::v1::Plugin* response) override {
    auto* reactor = ctx->DefaultReactor();
    auto p = host_->ResumePlugin(request->name());
    if (p.ok()) *response = *p;
    reactor->Finish(ToGrpc(p.status()));
    return reactor;
  }

 private:
  PluginHost::Impl* host_;
};

}  // namespace

void PluginHost::Impl::RegisterServices(grpc::ServerBuilder& builder) {
  generic_ = std::make_unique<GenericService>(this);
  plugin_service_ = std::make_unique<PluginServiceImpl>(this);
  builder.RegisterCallbackGenericService(generic_.get());
  builder.RegisterService(plugin_service_.get());
}

void PluginHost::Impl::OnServerStarted(grpc::Server* server) {
  server_.store(server);
  for (auto& p : plugins_) PublishHealth(p.get());
}

void PluginHost::Impl::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  for (auto& p : plugins_) {
    absl::MutexLock lock(&p->mu);
    p->stopping = true;
  }
  for (auto& p : plugins_) {
    if (p->delivery.joinable()) p->delivery.join();
  }
  for (auto& p : plugins_) {
    bool idle = true;
    if (p->executor) idle = p->executor->Stop(absl::Seconds(2));
    bool had_instance = p->instance != nullptr;
    if (had_instance && !idle) {
      Log(absl::StrCat("plugin ", p->name,
                       " still runs a handler; leaving it in place"));
    }
    {
      // Waits for callbacks in flight; later ones get UNAVAILABLE.
      absl::MutexLock lock(&p->callbacks_mu);
      p->callbacks_enabled = false;
    }
    if (had_instance && idle) {
      p->module->retain_plugin_on_destroy(p->instance);
      p->instance = nullptr;
    }
    if (had_instance) {
      SetState(p.get(), plugin::v1::PLUGIN_STATE_STOPPED, "");
    }
  }
  server_.store(nullptr);
}

// ---------------------------------------------------------------------------

PluginHost::PluginHost(PluginHostOptions options, store::Store* store,
                       HostServices* services)
    : impl_(std::make_unique<Impl>(std::move(options), store, services)) {}
PluginHost::~PluginHost() { Shutdown(); }
absl::Status PluginHost::LoadAll() { return impl_->LoadAll(); }
void PluginHost::RegisterServices(grpc::ServerBuilder& builder) {
  impl_->RegisterServices(builder);
}
void PluginHost::OnServerStarted(grpc::Server* server) {
  impl_->OnServerStarted(server);
}
void PluginHost::NotifySignalsDurable(int64_t last_seq) {
  impl_->NotifySignalsDurable(last_seq);
}
std::vector<report::v1::ReportSection> PluginHost::AccountSections(
    const std::string& tenant, const std::string& account_id) {
  return impl_->AccountSections(tenant, account_id);
}
void PluginHost::RunTicks() { impl_->RunTicks(); }
std::vector<report::v1::HealthComponent> PluginHost::HealthComponents(
    const std::string& tenant, const std::string& account_id) {
  return impl_->HealthComponents(tenant, account_id);
}
std::vector<PluginInfo> PluginHost::ListPlugins() const {
  return impl_->ListPlugins();
}
absl::StatusOr<PluginInfo> PluginHost::GetPlugin(
    const std::string& name) const {
  return impl_->GetPlugin(name);
}
absl::StatusOr<PluginInfo> PluginHost::ResumePlugin(const std::string& name) {
  return impl_->ResumePlugin(name);
}
void PluginHost::Shutdown() { impl_->Shutdown(); }

}  // namespace retain::plugin_host
