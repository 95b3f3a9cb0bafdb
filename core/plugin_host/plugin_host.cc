// The facade: owns the parts (see plugin_host.h) and wires them together.
#include "core/plugin_host/plugin_host.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/common/log.h"
#include "core/plugin_host/grpc_services.h"
#include "core/plugin_host/plugin_host_impl.h"
#include "grpcpp/health_check_service_interface.h"

namespace retain::plugin_host {
namespace {

using common::Log;

retain_str Str(const std::string& s) { return {s.data(), s.size()}; }

}  // namespace

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
    auto feed = health_feeds_.find(p->name());
    if (feed != health_feeds_.end()) {
      if (!feed->second->running()) feed->second->Start();
      feed->second->Wake("");
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
  // First, so hooks still running (or about to) see themselves cancelled
  // during the grace period below.
  facade_->BeginShutdown();
  refresher_.Stop();
  for (auto& [name, t] : tickers_) t->Stop();
  for (auto& [name, d] : deliveries_) d->Stop();
  for (auto& [name, f] : health_feeds_) f->Stop();
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
  impl_->plugin_service_ = MakePluginService(this, impl_->services_);
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

void PluginHost::NotifyAlertStored(const std::string& tenant) {
  for (auto& [name, f] : impl_->health_feeds_) f->Wake(tenant);
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
                           std::function<void(int32_t, std::string)> done,
                           std::shared_ptr<const std::atomic<bool>> cancelled,
                           std::shared_ptr<const plugin::v1::Caller> caller) {
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
  HookScope scope;
  scope.method = method;
  scope.deadline = deadline;
  scope.cancelled = std::move(cancelled);
  scope.caller = std::move(caller);
  impl_->runner_.RunAsync(
      p,
      [m, instance, tenant, method,
       request = std::move(request)](retain_sink* out) {
        return m->retain_plugin_on_call(instance, Str(tenant), Str(method),
                                        Str(request), out);
      },
      timeout, HookKind::kCall,
      [done = std::move(done), name = p->name()](Outcome o) {
        if (!o.error_id.empty() && !o.timed_out) {
          // A plugin's own failure text (an exception's what(), say) may
          // hold anything: the caller gets where to look, the log the text.
          done(o.code,
               absl::StrCat("plugin ", name, " failed (error id ", o.error_id,
                            "); the server log has the details"));
          return;
        }
        done(o.code, std::move(o.output));
      },
      "", std::move(scope));
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

const google::protobuf::DescriptorPool& PluginHost::ReflectionPool() const {
  return impl_->schemas_.pool();
}

std::vector<std::string> PluginHost::ReflectedServices() const {
  return impl_->schemas_.services();
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

void PluginHost::BeginShutdown() {
  for (auto& p : impl_->plugins_) p->stopping = true;
}

void PluginHost::Shutdown() { impl_->Shutdown(); }

}  // namespace retain::plugin_host
