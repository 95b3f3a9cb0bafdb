#include "core/server/plugin_wiring.h"

#include "api/names.h"
#include "api/proto_time.h"
#include "core/common/log.h"

namespace retain::server {
namespace {

using common::Log;

report::v1::HealthAlert ToHealthAlert(engine::Engine& engine,
                                      const std::string& tenant,
                                      const plugin::v1::PluginAlert& alert) {
  report::v1::HealthAlert out;
  out.set_source(alert.plugin());
  out.set_code(alert.code());
  out.set_message(alert.message());
  switch (alert.severity()) {
    case plugin::v1::ALERT_SEVERITY_CRITICAL:
      out.set_severity("critical");
      break;
    case plugin::v1::ALERT_SEVERITY_INFO:
      out.set_severity("info");
      break;
    default:
      out.set_severity("warning");
  }
  *out.mutable_alert_time() = api::ToProto(absl::Now());
  if (!alert.account_id().empty()) {
    out.set_account(api::AccountName(alert.account_id()));
    auto account = engine.GetAccount(tenant, out.account());
    if (account.ok()) {
      out.set_display_name(account->display_name());
      out.set_band(account->health_band());
      out.set_previous_band(account->health_band());
      out.set_score(account->health_score());
      out.set_arr(account->arr());
    }
  }
  return out;
}

}  // namespace

absl::Status PluginWiring::Start(engine::Engine* engine,
                                 const auth::Authorizer* auth,
                                 const PluginOptions& options) {
  services_ = std::make_unique<plugin_host::EngineHostServices>(
      engine,
      [auth](const grpc::ServerContextBase& ctx, const std::string& method,
             bool* sees_internals) -> absl::StatusOr<std::string> {
        auto id = auth->Authorize(ctx, method);
        if (!id.ok()) return id.status();
        *sees_internals = id->role == auth::v1::ROLE_OPERATOR;
        return id->tenant;
      },
      [engine](const std::string& tenant,
               const plugin::v1::PluginAlert& alert) {
        Log("info", "plugin alert",
            {{"tenant", tenant}, {"alert", alert.ShortDebugString()}});
        // Plugin alerts join the band changes in the alert history and on
        // WatchHealth, so a CS team watches (and looks back on) one stream.
        engine->RaiseAlert(tenant, ToHealthAlert(*engine, tenant, alert));
      });
  services_->set_audit(
      [auth](const grpc::ServerContextBase& ctx, const std::string& method,
             const std::string& target, const absl::Status& outcome) {
        auto id = auth->Authorize(ctx, method);
        if (id.ok()) auth->Audit(ctx, *id, method, target, outcome, "");
      });
  plugin_host::PluginHostOptions host_options;
  host_options.plugin_dir = options.plugin_dir;
  host_options.plugin_paths = options.plugin_paths;
  host_options.config_path = options.config_path;
  host_options.clock = options.clock;
  host_ = std::make_unique<plugin_host::PluginHost>(
      host_options, &engine->store(), services_.get());
  if (absl::Status s = host_->LoadAll(); !s.ok()) return s;
  for (const auto& p : host_->ListPlugins()) {
    Log("info", "plugin", {{"plugin", p.ShortDebugString()}});
  }
  live_ = host_.get();
  // Health-event feeds wake on every stored alert (ABI 1.3).
  engine_ = engine;
  engine->alerts().SetObserver(
      [this](const std::string& tenant, int64_t /*position*/) {
        if (plugin_host::PluginHost* h = live_.load()) {
          h->NotifyAlertStored(tenant);
        }
      });
  // Catch up with whatever was committed before and while loading.
  host_->NotifySignalsDurable(engine->last_durable_seq());
  return absl::OkStatus();
}

void PluginWiring::NotifyDurable(int64_t seq) {
  if (plugin_host::PluginHost* h = live_.load()) h->NotifySignalsDurable(seq);
}

void PluginWiring::Register(grpc::ServerBuilder& builder) {
  if (host_) host_->RegisterServices(builder);
}

const google::protobuf::DescriptorPool* PluginWiring::ReflectionPool() const {
  if (!host_) return google::protobuf::DescriptorPool::generated_pool();
  return &host_->ReflectionPool();
}

std::vector<std::string> PluginWiring::ReflectedServices() const {
  if (!host_) return {};
  return host_->ReflectedServices();
}

void PluginWiring::OnServerStarted(grpc::Server* server) {
  if (host_) host_->OnServerStarted(server);
}

AccountContributor PluginWiring::Contributor() {
  if (!host_) return nullptr;
  plugin_host::PluginHost* host = host_.get();
  return
      [host](const std::string& tenant, const std::string& account_id,
             std::function<void(std::vector<report::v1::ReportSection>)> done) {
        host->AccountContributions(
            tenant, account_id,
            [done = std::move(done)](plugin_host::Contributions c) {
              done(std::move(c.sections));
            });
      };
}

void PluginWiring::BeginShutdown() {
  if (host_) host_->BeginShutdown();
}

void PluginWiring::Shutdown() {
  live_ = nullptr;
  // Once this returns no observer call runs or will run.
  if (engine_) engine_->alerts().SetObserver(nullptr);
  if (host_) host_->Shutdown();
}

}  // namespace retain::server
