// The facade: owns the parts (see plugin_host.h) and wires them together.
#include "core/plugin_host/plugin_host.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/common/log.h"
#include "core/plugin_host/component_refresher.h"
#include "core/plugin_host/grpc_services.h"
#include "core/plugin_host/hook_runner.h"
#include "core/plugin_host/host_callbacks.h"
#include "core/plugin_host/loader.h"
#include "core/plugin_host/plugin.h"
#include "core/plugin_host/plugin_config.h"
#include "core/plugin_host/signal_delivery.h"
#include "core/plugin_host/ticker.h"
#include "grpcpp/health_check_service_interface.h"

namespace retain::plugin_host {
namespace {

using common::Log;
using plugin::v1::PluginState;

retain_str Str(const std::string& s) { return {s.data(), s.size()}; }

// Library paths: plugin_dir's "*.so" in name order, then the explicit ones,
// each once.
std::vector<std::string> PluginPaths(const PluginHostOptions& o) {
  std::vector<std::string> paths;
  if (!o.plugin_dir.empty()) {
    std::error_code ec;
    std::vector<std::string> found;
    for (const auto& entry :
         std::filesystem::directory_iterator(o.plugin_dir, ec)) {
      if (entry.path().extension() == ".so") found.push_back(entry.path());
    }
    if (ec) {
      Log("error", "cannot list the plugin directory",
          {{"plugin_dir", o.plugin_dir}, {"error", ec.message()}});
    }
    std::sort(found.begin(), found.end());
    paths = std::move(found);
  }
  paths.insert(paths.end(), o.plugin_paths.begin(), o.plugin_paths.end());
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (const auto& path : paths) {
    std::error_code ec;
    std::string canonical = std::filesystem::weakly_canonical(path, ec);
    if (ec) canonical = path;
    if (seen.insert(canonical).second) unique.push_back(path);
  }
  return unique;
}

}  // namespace

class PluginHost::Impl {
 public:
  Impl(PluginHost* facade, PluginHostOptions options, store::Store* store,
       HostServices* services)
      : facade_(facade),
        options_(std::move(options)),
        services_(services),
        refresher_(&runner_, services) {
    if (!options_.clock) options_.clock = [] { return absl::Now(); };
    env_.store = store;
    env_.services = services;
    env_.clock = options_.clock;
    env_.on_plugin_signals = [this](const std::string& plugin,
                                    const std::string& tenant,
                                    const std::vector<std::string>& ids) {
      auto it = by_name_.find(plugin);
      if (it == by_name_.end()) return;
      std::vector<ComponentRefresher::AccountKey> keys;
      for (const auto& id : ids) keys.emplace_back(tenant, id);
      refresher_.Refresh(it->second, keys);
    };
  }

  absl::Status LoadAll();
  void LoadOne(const std::string& path, const PluginConfig& config);
  void Start(const std::shared_ptr<Plugin>& p);
  void OnStateChange(Plugin* p, PluginState state, const std::string& error);
  void PublishHealth(Plugin* p);
  void Shutdown();

  PluginHost* facade_;
  PluginHostOptions options_;
  HostServices* services_;
  HostEnv env_;

  std::vector<std::shared_ptr<Plugin>> plugins_;  // load order
  std::map<std::string, std::shared_ptr<Plugin>> by_name_;
  std::map<std::string, std::shared_ptr<Plugin>> methods_;
  std::map<std::string, std::unique_ptr<SignalDelivery>> deliveries_;
  std::map<std::string, std::unique_ptr<Ticker>> tickers_;
  std::atomic<int64_t> durable_seq_{0};
  std::atomic<grpc::Server*> server_{nullptr};
  std::unique_ptr<grpc::CallbackGenericService> method_service_;
  std::unique_ptr<plugin::v1::PluginService::CallbackService> plugin_service_;
  bool loaded_ = false;
  bool shut_down_ = false;

  // Declared last, destroyed first: no hook completion (which may reach the
  // refresher) runs once the runner is gone.
  ComponentRefresher refresher_;
  HookRunner runner_;
};

absl::Status PluginHost::Impl::LoadAll() {
  if (loaded_) return absl::FailedPreconditionError("LoadAll called twice");
  loaded_ = true;
  PluginSettings defaults;
  defaults.call_timeout = options_.call_timeout;
  defaults.report_timeout = options_.report_timeout;
  defaults.max_consecutive_failures = options_.max_consecutive_failures;
  defaults.workers = options_.workers;
  defaults.max_queue = options_.max_queue;
  defaults.tick_interval = options_.tick_interval;
  auto config = PluginConfig::Load(options_.config_path, defaults);
  if (!config.ok()) return config.status();

  for (const auto& path : PluginPaths(options_)) LoadOne(path, *config);
  for (const auto& name : config->Named()) {
    if (!by_name_.count(name)) {
      Log("warn", "the plugin config has a block for a plugin not loaded",
          {{"plugin", name}});
    }
  }
  // A plugin no longer loaded (or no longer scoring) stops counting.
  std::set<std::string> scoring;
  for (const auto& p : plugins_) {
    if (p->harness.ready() && p->has_health_component()) {
      scoring.insert(p->name());
    }
  }
  if (absl::Status s = services_->KeepHealthComponentSources(scoring);
      !s.ok()) {
    Log("error", "cannot drop stale plugin health components",
        {{"error", s.ToString()}});
  }
  if (auto last = env_.store->LastSignalSeq(); last.ok()) {
    durable_seq_ = *last;
  }
  for (auto& p : plugins_) {
    if (p->harness.ready()) Start(p);
  }
  return absl::OkStatus();
}

void PluginHost::Impl::LoadOne(const std::string& path,
                               const PluginConfig& config) {
  auto p = std::make_shared<Plugin>();
  p->path = path;
  p->env = &env_;
  p->harness.set_observer(
      [this, raw = p.get()](PluginState state, const std::string& error) {
        OnStateChange(raw, state, error);
      });
  plugins_.push_back(p);
  auto fail = [&](PluginState state, const std::string& why) {
    p->harness.Transition(state, why).IgnoreError();
  };

  if (absl::Status s = LoadModule(path, HostApi(), &p->loaded); !s.ok()) {
    p->loaded.name.clear();  // not loaded: no name of its own
    return fail(plugin::v1::PLUGIN_STATE_REFUSED, std::string(s.message()));
  }
  const std::string& name = p->name();
  if (by_name_.count(name)) {
    return fail(
        plugin::v1::PLUGIN_STATE_REFUSED,
        absl::StrCat("refused ", path, ": a plugin named '", name,
                     "' is already loaded from ", by_name_[name]->path));
  }
  by_name_[name] = p;
  p->settings = config.For(name);
  p->harness.set_max_consecutive_failures(p->settings.max_consecutive_failures);
  if (!p->settings.enabled) {
    return fail(plugin::v1::PLUGIN_STATE_DISABLED,
                "disabled in the plugin config");
  }

  plugin::v1::PluginConfig plugin_config;
  plugin_config.set_json(p->settings.config.dump());
  auto flat = FlattenConfig(p->settings.config);
  plugin_config.mutable_values()->insert(flat.begin(), flat.end());
  const std::string config_bytes = plugin_config.SerializeAsString();
  const retain_plugin_module* m = p->module();

  p->EnableCallbacks(true);
  std::string err;
  retain_sink err_sink{&err, &AppendToString};
  void* instance = nullptr;
  int32_t code = m->retain_plugin_on_init(HostApi(), p.get(), Str(config_bytes),
                                          &instance, &err_sink);
  if (code != 0 || instance == nullptr) {
    p->EnableCallbacks(false);
    return fail(plugin::v1::PLUGIN_STATE_INIT_FAILED,
                absl::StrCat("init failed (", code,
                             "): ", err.empty() ? "no reason given" : err));
  }
  p->instance = instance;

  std::string desc;
  retain_sink desc_sink{&desc, &AppendToString};
  code = m->retain_plugin_on_describe(instance, &desc_sink);
  std::string problem;
  if (code != 0) {
    problem = absl::StrCat("describe failed (", code, "): ", desc);
  } else if (!p->descriptor.ParseFromString(desc)) {
    problem = "malformed plugin descriptor";
  }
  const std::string prefix = absl::StrCat("/retain.plugins.", name, ".v1.");
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
    p->EnableCallbacks(false);
    return fail(plugin::v1::PLUGIN_STATE_INIT_FAILED, problem);
  }
  for (const auto& method : p->descriptor.methods()) methods_[method] = p;
  p->services.assign(services.begin(), services.end());
  p->kinds.insert(p->descriptor.signal_kinds().begin(),
                  p->descriptor.signal_kinds().end());
  if (p->settings.health_weight < 0) {
    p->settings.health_weight = p->descriptor.health_component().weight();
  }
  const bool has_tick_hook = HasTickHook(m);
  if (p->descriptor.ticks() && !has_tick_hook) {
    Log("warn", "plugin asks for ticks but has no on_tick hook; no ticks",
        {{"plugin", name}});
  }
  p->ticks = p->descriptor.ticks() && has_tick_hook &&
             p->settings.tick_interval > absl::ZeroDuration();
  p->harness.Transition(plugin::v1::PLUGIN_STATE_READY).IgnoreError();
  Log("info", "plugin loaded",
      {{"plugin", name},
       {"version", p->loaded.version},
       {"abi", absl::StrCat(p->loaded.abi_major, ".", p->loaded.abi_minor)},
       {"path", path},
       {"methods", p->descriptor.methods_size()},
       {"signal_kinds", p->kinds.size()},
       {"tick_seconds",
        p->ticks ? absl::ToDoubleSeconds(p->settings.tick_interval) : 0}});
}

void PluginHost::Impl::Start(const std::shared_ptr<Plugin>& p) {
  p->executor = std::make_unique<Executor>(p->name(), p->settings.workers,
                                           p->settings.max_queue);
  if (p->ticks) {
    auto ticker = std::make_unique<Ticker>(
        p, &runner_, [this, p] { refresher_.RefreshScored(p); });
    ticker->Start();
    tickers_[p->name()] = std::move(ticker);
  }
  if (p->kinds.empty()) return;
  DeliveryOptions d;
  d.batch = options_.delivery_batch;
  d.retry = options_.delivery_retry;
  auto delivery = std::make_unique<SignalDelivery>(
      p, &runner_, &durable_seq_, d,
      [this, p](const std::vector<std::pair<std::string, std::string>>& acc) {
        refresher_.Refresh(p, acc);
      });
  delivery->Start(durable_seq_.load());
  deliveries_[p->name()] = std::move(delivery);
}

void PluginHost::Impl::OnStateChange(Plugin* p, PluginState state,
                                     const std::string& error) {
  common::LogFields fields = {
      {"plugin", p->name().empty() ? p->path : p->name()},
      {"state", plugin::v1::PluginState_Name(state)}};
  if (!error.empty()) fields["reason"] = error;
  const bool bad = state == plugin::v1::PLUGIN_STATE_PARKED ||
                   state == plugin::v1::PLUGIN_STATE_REFUSED ||
                   state == plugin::v1::PLUGIN_STATE_INIT_FAILED;
  Log(bad ? "error" : "info", "plugin state", fields);
  PublishHealth(p);
  if (state == plugin::v1::PLUGIN_STATE_READY) {
    // A resumed plugin picks delivery up where it stopped.
    auto it = deliveries_.find(p->name());
    if (it != deliveries_.end()) {
      // One that could not start (an unreadable cursor) tries again.
      if (!it->second->running()) it->second->Start(durable_seq_.load());
      it->second->Wake();
    }
  }
}

void PluginHost::Impl::PublishHealth(Plugin* p) {
  grpc::Server* server = server_.load();
  if (server == nullptr || p->name().empty()) return;
  auto* health = server->GetHealthCheckService();
  if (health == nullptr) return;
  const bool serving = p->harness.ready();
  health->SetServingStatus(p->name(), serving);
  for (const auto& s : p->services) health->SetServingStatus(s, serving);
}

void PluginHost::Impl::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  refresher_.Stop();
  for (auto& [name, t] : tickers_) t->Stop();
  for (auto& [name, d] : deliveries_) d->Stop();
  for (auto& p : plugins_) {
    bool idle = true;
    if (p->executor) idle = p->executor->Stop(absl::Seconds(2));
    const bool had_instance = p->instance != nullptr;
    if (had_instance && !idle) {
      Log("warn", "plugin still runs a handler at shutdown; left in place",
          {{"plugin", p->name()}});
    }
    // Waits for callbacks in flight; later ones get UNAVAILABLE.
    p->EnableCallbacks(false);
    if (had_instance && idle) {
      p->module()->retain_plugin_on_destroy(p->instance);
      p->instance = nullptr;
    }
    if (had_instance) {
      p->harness.Transition(plugin::v1::PLUGIN_STATE_STOPPED).IgnoreError();
    }
  }
  server_.store(nullptr);
}

// ---------------------------------------------------------------------------

PluginHost::PluginHost(PluginHostOptions options, store::Store* store,
                       HostServices* services)
    : impl_(std::make_unique<Impl>(this, std::move(options), store, services)) {
}

PluginHost::~PluginHost() { Shutdown(); }

absl::Status PluginHost::LoadAll() { return impl_->LoadAll(); }

void PluginHost::RegisterServices(grpc::ServerBuilder& builder) {
  impl_->method_service_ = MakePluginMethodService(this, impl_->services_);
  impl_->plugin_service_ = MakePluginService(this);
  builder.RegisterCallbackGenericService(impl_->method_service_.get());
  builder.RegisterService(impl_->plugin_service_.get());
}

void PluginHost::OnServerStarted(grpc::Server* server) {
  impl_->server_.store(server);
  for (auto& p : impl_->plugins_) impl_->PublishHealth(p.get());
}

void PluginHost::NotifySignalsDurable(int64_t last_seq) {
  int64_t cur = impl_->durable_seq_.load();
  while (last_seq > cur &&
         !impl_->durable_seq_.compare_exchange_weak(cur, last_seq)) {
  }
  for (auto& [name, d] : impl_->deliveries_) d->Wake();
}

void PluginHost::AccountContributions(const std::string& tenant,
                                      const std::string& account_id,
                                      ContributionsDone done) {
  Impl* impl = impl_.get();
  CollectContributions(
      impl->plugins_, &impl->runner_, tenant, account_id,
      [impl, tenant, account_id, done = std::move(done)](Contributions c) {
        impl->refresher_.Apply(tenant, account_id, c);
        done(std::move(c));
      });
}

namespace {

Contributions WaitFor(PluginHost* host, const std::string& tenant,
                      const std::string& account_id) {
  struct Wait {
    absl::Mutex mu;
    bool done = false;
    Contributions got;
  };
  auto w = std::make_shared<Wait>();
  host->AccountContributions(tenant, account_id, [w](Contributions c) {
    absl::MutexLock lock(&w->mu);
    w->got = std::move(c);
    w->done = true;
  });
  absl::MutexLock lock(&w->mu);
  w->mu.Await(absl::Condition(&w->done));
  return std::move(w->got);
}

}  // namespace

std::vector<report::v1::ReportSection> PluginHost::AccountSections(
    const std::string& tenant, const std::string& account_id) {
  return WaitFor(this, tenant, account_id).sections;
}

std::vector<report::v1::HealthComponent> PluginHost::HealthComponents(
    const std::string& tenant, const std::string& account_id) {
  return WaitFor(this, tenant, account_id).components;
}

bool PluginHost::ServesMethod(const std::string& method) const {
  return impl_->methods_.count(method) > 0;
}

void PluginHost::CallAsync(const std::string& tenant, const std::string& method,
                           std::string request, absl::Time deadline,
                           std::function<void(int32_t, std::string)> done) {
  auto it = impl_->methods_.find(method);
  if (it == impl_->methods_.end()) {
    done(static_cast<int32_t>(absl::StatusCode::kUnimplemented),
         absl::StrCat("unknown method ", method));
    return;
  }
  std::shared_ptr<Plugin> p = it->second;
  absl::Duration timeout =
      std::max(absl::ZeroDuration(),
               std::min(p->settings.call_timeout, deadline - absl::Now()));
  const retain_plugin_module* m = p->module();
  void* instance = p->instance;
  impl_->runner_.RunAsync(
      p,
      [m, instance, tenant, method,
       request = std::move(request)](retain_sink* out) {
        return m->retain_plugin_on_call(instance, Str(tenant), Str(method),
                                        Str(request), out);
      },
      timeout, HookKind::kCall,
      [done = std::move(done)](Outcome o) {
        done(o.code, std::move(o.output));
      });
}

void PluginHost::RunTicks() {
  struct Wait {
    absl::Mutex mu;
    int pending = 0;
  };
  auto w = std::make_shared<Wait>();
  w->pending = static_cast<int>(impl_->tickers_.size());
  for (auto& [name, t] : impl_->tickers_) {
    t->TickNow([w] {
      absl::MutexLock lock(&w->mu);
      --w->pending;
    });
  }
  absl::MutexLock lock(&w->mu);
  w->mu.Await(absl::Condition(
      +[](Wait* x) { return x->pending == 0; }, w.get()));
}

std::vector<PluginInfo> PluginHost::ListPlugins() const {
  std::vector<PluginInfo> out;
  for (const auto& p : impl_->plugins_) out.push_back(p->Info());
  return out;
}

absl::StatusOr<PluginInfo> PluginHost::GetPlugin(
    const std::string& name) const {
  auto it = impl_->by_name_.find(name);
  if (it == impl_->by_name_.end()) {
    return absl::NotFoundError(absl::StrCat("no plugin named '", name, "'"));
  }
  return it->second->Info();
}

absl::StatusOr<PluginInfo> PluginHost::ResumePlugin(const std::string& name) {
  auto it = impl_->by_name_.find(name);
  if (it == impl_->by_name_.end()) {
    return absl::NotFoundError(absl::StrCat("no plugin named '", name, "'"));
  }
  if (absl::Status s = it->second->harness.Resume(); !s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("plugin '", name, "': ", s.message()));
  }
  return it->second->Info();
}

void PluginHost::Shutdown() { impl_->Shutdown(); }

}  // namespace retain::plugin_host
