// Loading: the config, each library through the loader, init and describe,
// then starting each ready plugin's workers, delivery and ticks.
#include <algorithm>
#include <filesystem>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/common/log.h"
#include "core/plugin_host/host_callbacks.h"
#include "core/plugin_host/loader.h"
#include "core/plugin_host/plugin_host_impl.h"

namespace retain::plugin_host {
namespace {

using common::Log;

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
  defaults.signal_retry_backoff = options_.delivery_retry;
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
  // Every way a plugin is not started: the state, the message (naming the
  // plugin and both ABI versions), and the plugin told why (ABI 1.2
  // on_refused), after on_destroy if it had an instance.
  auto fail = [&](PluginState state, const std::string& why) {
    p->harness.Transition(state, why).IgnoreError();
    if (p->loaded.on_refused != nullptr) {
      p->loaded.on_refused(p.get(), Str(why));
    }
  };
  auto not_started = [&](const char* what, const std::string& why) {
    return absl::StrCat(what, " ", Describe(path, p->loaded), ": ", why);
  };

  if (absl::Status s = LoadModule(path, HostApi(), &p->loaded); !s.ok()) {
    p->loaded.name.clear();  // not loaded: no name of its own
    return fail(plugin::v1::PLUGIN_STATE_REFUSED, std::string(s.message()));
  }
  const std::string& name = p->name();
  if (by_name_.count(name)) {
    return fail(plugin::v1::PLUGIN_STATE_REFUSED,
                not_started("refused", absl::StrCat("a plugin named '", name,
                                                    "' is already loaded from ",
                                                    by_name_[name]->path)));
  }
  by_name_[name] = p;
  p->dead_letters = std::make_unique<DeadLetters>(env_.store, name);
  p->set_aside = std::make_unique<SetAsideEvents>(env_.store, name);
  p->settings = config.For(name);
  p->harness.set_max_consecutive_failures(p->settings.max_consecutive_failures);
  if (!p->settings.enabled) {
    return fail(plugin::v1::PLUGIN_STATE_DISABLED,
                not_started("not started", "disabled in the plugin config"));
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
                not_started("could not start",
                            absl::StrCat(
                                "init failed (", code,
                                "): ", err.empty() ? "no reason given" : err)));
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
    return fail(plugin::v1::PLUGIN_STATE_INIT_FAILED,
                not_started("could not start", problem));
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
  if (p->descriptor.health_events_size() > 0) {
    if (HasHealthEventHook(m)) {
      p->health_kinds.insert(p->descriptor.health_events().begin(),
                             p->descriptor.health_events().end());
      p->health_own_alerts = p->descriptor.health_events_own_alerts();
    } else {
      Log("warn",
          "plugin asks for health events but has no on_health_event hook; "
          "no health events",
          {{"plugin", name}});
    }
  }
  // A schema the host refuses costs the plugin its reflection, not its load
  // (docs/decisions/0019-plugin-reflection.md).
  std::string schema = "none";
  if (!p->descriptor.file_descriptor_set().empty()) {
    const std::vector<std::string> methods(p->descriptor.methods().begin(),
                                           p->descriptor.methods().end());
    absl::Status s =
        schemas_.Add(name, p->descriptor.file_descriptor_set(), methods);
    schema = s.ok() ? "served" : "refused";
    p->descriptor.clear_file_descriptor_set();  // the pool has what it took
    if (!s.ok()) {
      Log("warn",
          "plugin schema refused: its methods are served, not listed "
          "in server reflection",
          {{"plugin", name}, {"reason", std::string(s.message())}});
    }
  }
  p->harness.Transition(plugin::v1::PLUGIN_STATE_READY).IgnoreError();
  Log("info", "plugin loaded",
      {{"plugin", name},
       {"version", p->loaded.version},
       {"abi", absl::StrCat(p->loaded.abi_major, ".", p->loaded.abi_minor)},
       {"path", path},
       {"methods", p->descriptor.methods_size()},
       {"signal_kinds", p->kinds.size()},
       {"health_event_kinds", p->health_kinds.size()},
       {"schema", schema},
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
  DeliveryOptions d;
  d.batch = options_.delivery_batch;
  d.retry = p->settings.signal_retry_backoff;
  d.retry_limit = p->settings.signal_retry_limit;
  d.full_poll = options_.health_feed_full_poll;
  if (!p->health_kinds.empty()) {
    auto feed = std::make_unique<HealthEventDelivery>(p, &runner_, d);
    feed->Start();
    health_feeds_[p->name()] = std::move(feed);
  }
  if (p->kinds.empty()) return;
  auto delivery = std::make_unique<SignalDelivery>(
      p, &runner_, &durable_seq_, d,
      [this, p](const std::vector<std::pair<std::string, std::string>>& acc) {
        refresher_.Refresh(p, acc);
      });
  delivery->Start(durable_seq_.load());
  deliveries_[p->name()] = std::move(delivery);
}

}  // namespace retain::plugin_host
