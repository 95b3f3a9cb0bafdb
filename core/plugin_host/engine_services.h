// HostServices over the engine: what the server hands the plugin host.
#ifndef RETAIN_CORE_PLUGIN_HOST_ENGINE_SERVICES_H_
#define RETAIN_CORE_PLUGIN_HOST_ENGINE_SERVICES_H_

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "core/engine/engine.h"
#include "core/plugin_host/host_services.h"

namespace retain::plugin_host {

class EngineHostServices : public HostServices {
 public:
  using CallerFn = std::function<absl::StatusOr<plugin::v1::Caller>(
      const grpc::ServerContextBase&, const std::string& method,
      bool* sees_internals)>;
  using AuditFn = std::function<void(
      const grpc::ServerContextBase&, const std::string& method,
      const std::string& target, const absl::Status& outcome)>;
  using AlertFn = std::function<void(const std::string& tenant,
                                     const plugin::v1::PluginAlert& alert)>;

  // `caller_of` authenticates and authorizes a plugin call exactly as core
  // services do, answering who called (the tenant among it); `on_alert`
  // (optional) is told of every plugin alert.
  EngineHostServices(engine::Engine* engine, CallerFn caller_of,
                     AlertFn on_alert = nullptr)
      : engine_(engine),
        caller_of_(std::move(caller_of)),
        on_alert_(std::move(on_alert)) {}

  absl::StatusOr<std::string> TenantForCall(
      const grpc::ServerContextBase& context, const std::string& method,
      bool* sees_internals) override;
  absl::StatusOr<plugin::v1::Caller> CallerForCall(
      const grpc::ServerContextBase& context, const std::string& method,
      bool* sees_internals) override;
  void AuditCall(const grpc::ServerContextBase& context,
                 const std::string& method, const std::string& target,
                 const absl::Status& outcome) override;
  void set_audit(AuditFn audit) { audit_ = std::move(audit); }
  absl::StatusOr<account::v1::Account> GetAccount(
      const std::string& tenant, const std::string& account_id) override;
  absl::StatusOr<account::v1::ListAccountsResponse> ListAccounts(
      const std::string& tenant,
      const account::v1::ListAccountsRequest& request) override;
  absl::StatusOr<signal::v1::ListSignalsResponse> ListSignals(
      const std::string& tenant,
      const signal::v1::ListSignalsRequest& request) override;
  absl::Status RecordSignals(const std::string& tenant,
                             std::vector<signal::v1::Signal> signals) override;
  absl::StatusOr<report::v1::AccountHealth> GetHealth(
      const std::string& tenant, const std::string& account_id) override;
  absl::StatusOr<report::v1::AccountHealth> GetHealthWithout(
      const std::string& tenant, const std::string& account_id,
      const std::string& without_source,
      std::optional<absl::Time> as_of) override;
  std::vector<std::string> AlertTenants() override;
  absl::StatusOr<std::vector<report::v1::HealthAlert>> AlertsAfter(
      const std::string& tenant, int64_t after_position, int limit) override;
  absl::StatusOr<int64_t> NewestAlertPosition(
      const std::string& tenant) override;
  absl::Status PublishAlert(const std::string& tenant,
                            const plugin::v1::PluginAlert& alert) override;
  absl::Status SetHealthComponent(
      const std::string& tenant, const std::string& account_id,
      const report::v1::HealthComponent& component) override;
  absl::Status ClearHealthComponent(const std::string& tenant,
                                    const std::string& account_id,
                                    const std::string& source) override;
  std::vector<std::pair<std::string, std::string>> AccountsWithHealthComponent(
      const std::string& source) override;
  absl::Status KeepHealthComponentSources(
      const std::set<std::string>& sources) override;

  // The last 1000 plugin alerts, oldest first (with their tenant).
  std::vector<std::pair<std::string, plugin::v1::PluginAlert>> RecentAlerts()
      const;

 private:
  engine::Engine* engine_;
  CallerFn caller_of_;
  AuditFn audit_;
  AlertFn on_alert_;
  mutable absl::Mutex mu_;
  std::deque<std::pair<std::string, plugin::v1::PluginAlert>> alerts_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_ENGINE_SERVICES_H_
