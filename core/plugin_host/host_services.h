// What plugins may ask of the server's in-memory model. The server
// implements this interface; PluginHost turns plugin callbacks (see
// plugins/sdk/retain_plugin_abi.h) into calls on it.
//
// Every method may be called concurrently from plugin worker and delivery
// threads (never from a gRPC thread of the plugin host), and must not call
// back into PluginHost (GetHealth reads stored plugin components, it asks
// no plugin), so a plugin asking for something can never wait on itself.
#ifndef RETAIN_CORE_PLUGIN_HOST_HOST_SERVICES_H_
#define RETAIN_CORE_PLUGIN_HOST_HOST_SERVICES_H_

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "retain/account/v1/account.pb.h"
#include "retain/plugin/v1/abi.pb.h"
#include "retain/report/v1/report.pb.h"
#include "retain/signal/v1/signal.pb.h"

namespace retain::plugin_host {

class HostServices {
 public:
  virtual ~HostServices() = default;

  // The tenant a gRPC call to `method` (a plugin's method or a
  // PluginService method) runs for, from the caller's authenticated
  // identity exactly as for core services; an error status (UNAUTHENTICATED,
  // PERMISSION_DENIED) is returned to the caller as is. `sees_internals` is
  // set when the caller may see plugin internals shared by every tenant
  // (last errors): operators only.
  virtual absl::StatusOr<std::string> TenantForCall(
      const grpc::ServerContextBase& context, const std::string& method,
      bool* sees_internals) = 0;
  // The same check, answering the whole identity (ABI 1.4): what a plugin's
  // handler sees as its caller. The default knows the tenant only.
  virtual absl::StatusOr<plugin::v1::Caller> CallerForCall(
      const grpc::ServerContextBase& context, const std::string& method,
      bool* sees_internals) {
    auto tenant = TenantForCall(context, method, sees_internals);
    if (!tenant.ok()) return tenant.status();
    plugin::v1::Caller caller;
    caller.set_tenant(*tenant);
    return caller;
  }
  // Records an audited action taken through the plugin host (a resume).
  virtual void AuditCall(const grpc::ServerContextBase& context,
                         const std::string& method, const std::string& target,
                         const absl::Status& outcome) = 0;

  // The account, with output-only fields current (health score and band);
  // NOT_FOUND when the tenant has no such account.
  virtual absl::StatusOr<account::v1::Account> GetAccount(
      const std::string& tenant, const std::string& account_id) = 0;

  // Accounts in name order, filtered and paged exactly like
  // AccountService.ListAccounts.
  virtual absl::StatusOr<account::v1::ListAccountsResponse> ListAccounts(
      const std::string& tenant,
      const account::v1::ListAccountsRequest& request) = 0;

  // One account's signals in time order: request.account names it; kind,
  // [start_time, end_time) and page_size (<= 1000) filter and limit, exactly
  // like SignalService.ListSignals.
  virtual absl::StatusOr<signal::v1::ListSignalsResponse> ListSignals(
      const std::string& tenant,
      const signal::v1::ListSignalsRequest& request) = 0;

  // Records signals through normal ingestion (validation, dedup by
  // signal_id, all or nothing). Returns once they are durable; the server
  // then calls PluginHost::NotifySignalsDurable as for any other batch.
  virtual absl::Status RecordSignals(
      const std::string& tenant, std::vector<signal::v1::Signal> signals) = 0;

  // The account's current explained health, plugin components as last
  // stored (SetHealthComponent) included: no plugin is asked, so a plugin
  // asking never waits on itself.
  virtual absl::StatusOr<report::v1::AccountHealth> GetHealth(
      const std::string& tenant, const std::string& account_id) = 0;

  // The server's copy of plugin health components, which every view
  // combines with the core components (decision 0012). component.source
  // names the plugin. NOT_FOUND when the account does not exist.
  virtual absl::Status SetHealthComponent(
      const std::string& tenant, const std::string& account_id,
      const report::v1::HealthComponent& component) = 0;
  virtual absl::Status ClearHealthComponent(const std::string& tenant,
                                            const std::string& account_id,
                                            const std::string& source) = 0;
  // (tenant, account id) of every account `source` has a component for.
  virtual std::vector<std::pair<std::string, std::string>>
  AccountsWithHealthComponent(const std::string& source) = 0;
  // Forgets the components of every other source (plugins that are no
  // longer loaded with a health component).
  virtual absl::Status KeepHealthComponentSources(
      const std::set<std::string>& sources) = 0;

  // The account's explained health as GetHealth has it, but without the
  // component of `without_source` (the plugin asking), as of `as_of` when
  // set.
  virtual absl::StatusOr<report::v1::AccountHealth> GetHealthWithout(
      const std::string& tenant, const std::string& account_id,
      const std::string& without_source, std::optional<absl::Time> as_of) = 0;

  // The stored alert history (decision 0020), what the health-event feed
  // reads: the tenants that may have one, in order; up to `limit` alerts of
  // `tenant` with a position > after_position, in position order, each
  // with its position; and the newest position the tenant assigned.
  virtual std::vector<std::string> AlertTenants() = 0;
  virtual absl::StatusOr<std::vector<report::v1::HealthAlert>> AlertsAfter(
      const std::string& tenant, int64_t after_position, int limit) = 0;
  virtual absl::StatusOr<int64_t> NewestAlertPosition(
      const std::string& tenant) = 0;

  // An alert raised by a plugin (alert.plugin is set by the host). How it
  // reaches people (log, WatchHealth, ...) is the server's choice.
  virtual absl::Status PublishAlert(const std::string& tenant,
                                    const plugin::v1::PluginAlert& alert) = 0;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_HOST_SERVICES_H_
