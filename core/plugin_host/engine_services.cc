#include "core/plugin_host/engine_services.h"

#include "absl/strings/str_cat.h"
#include "api/names.h"

namespace retain::plugin_host {

absl::StatusOr<std::string> EngineHostServices::TenantForCall(
    const grpc::ServerContextBase& context, const std::string& method,
    bool* sees_internals) {
  auto caller = caller_of_(context, method, sees_internals);
  if (!caller.ok()) return caller.status();
  return caller->tenant();
}

absl::StatusOr<plugin::v1::Caller> EngineHostServices::CallerForCall(
    const grpc::ServerContextBase& context, const std::string& method,
    bool* sees_internals) {
  return caller_of_(context, method, sees_internals);
}

void EngineHostServices::AuditCall(const grpc::ServerContextBase& context,
                                   const std::string& method,
                                   const std::string& target,
                                   const absl::Status& outcome) {
  if (audit_) audit_(context, method, target, outcome);
}

absl::StatusOr<account::v1::Account> EngineHostServices::GetAccount(
    const std::string& tenant, const std::string& account_id) {
  return engine_->GetAccount(tenant, api::AccountName(account_id));
}

absl::StatusOr<account::v1::ListAccountsResponse>
EngineHostServices::ListAccounts(
    const std::string& tenant,
    const account::v1::ListAccountsRequest& request) {
  return engine_->ListAccounts(tenant, request);
}

absl::StatusOr<signal::v1::ListSignalsResponse> EngineHostServices::ListSignals(
    const std::string& tenant, const signal::v1::ListSignalsRequest& request) {
  return engine_->ListSignals(tenant, request);
}

absl::Status EngineHostServices::RecordSignals(
    const std::string& tenant, std::vector<signal::v1::Signal> signals) {
  return engine_->RecordSignals(tenant, std::move(signals)).status();
}

absl::StatusOr<report::v1::AccountHealth> EngineHostServices::GetHealth(
    const std::string& tenant, const std::string& account_id) {
  return engine_->GetAccountHealth(tenant, api::AccountName(account_id),
                                   std::nullopt);
}

absl::StatusOr<report::v1::AccountHealth> EngineHostServices::GetHealthWithout(
    const std::string& tenant, const std::string& account_id,
    const std::string& without_source, std::optional<absl::Time> as_of) {
  return engine_->GetAccountHealth(tenant, api::AccountName(account_id), as_of,
                                   without_source);
}

std::vector<std::string> EngineHostServices::AlertTenants() {
  return engine_->TenantNames();
}

absl::StatusOr<std::vector<report::v1::HealthAlert>>
EngineHostServices::AlertsAfter(const std::string& tenant,
                                int64_t after_position, int limit) {
  return engine_->AlertsAfter(tenant, after_position, limit);
}

absl::StatusOr<int64_t> EngineHostServices::NewestAlertPosition(
    const std::string& tenant) {
  auto range = engine_->AlertPositions(tenant);
  if (!range.ok()) return range.status();
  return range->newest;
}

absl::Status EngineHostServices::PublishAlert(
    const std::string& tenant, const plugin::v1::PluginAlert& alert) {
  {
    absl::MutexLock lock(&mu_);
    alerts_.emplace_back(tenant, alert);
    if (alerts_.size() > 1000) alerts_.pop_front();
  }
  if (on_alert_) on_alert_(tenant, alert);
  return absl::OkStatus();
}

absl::Status EngineHostServices::SetHealthComponent(
    const std::string& tenant, const std::string& account_id,
    const report::v1::HealthComponent& c) {
  model::PluginComponent m;
  m.source = c.source();
  m.name = c.name();
  m.weight = c.weight();
  m.score = c.score();
  m.has_data = c.has_data();
  m.explanation = c.explanation();
  for (const auto& in : c.inputs())
    m.inputs.emplace_back(in.name(), in.value());
  m.observed_time = absl::Now();
  return engine_->SetPluginComponent(tenant, account_id, std::move(m));
}

absl::Status EngineHostServices::ClearHealthComponent(
    const std::string& tenant, const std::string& account_id,
    const std::string& source) {
  return engine_->ClearPluginComponent(tenant, account_id, source);
}

std::vector<std::pair<std::string, std::string>>
EngineHostServices::AccountsWithHealthComponent(const std::string& source) {
  return engine_->AccountsWithPluginComponent(source);
}

absl::Status EngineHostServices::KeepHealthComponentSources(
    const std::set<std::string>& sources) {
  return engine_->KeepPluginComponentSources(sources);
}

std::vector<std::pair<std::string, plugin::v1::PluginAlert>>
EngineHostServices::RecentAlerts() const {
  absl::MutexLock lock(&mu_);
  return {alerts_.begin(), alerts_.end()};
}

}  // namespace retain::plugin_host
