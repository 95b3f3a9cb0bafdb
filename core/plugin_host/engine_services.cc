#include "core/plugin_host/engine_services.h"

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace retain::plugin_host {

absl::StatusOr<std::string> EngineHostServices::TenantForCall(
    const grpc::CallbackServerContext& context) {
  return tenant_of_(context);
}

absl::StatusOr<account::v1::Account> EngineHostServices::GetAccount(
    const std::string& tenant, const std::string& account_id) {
  return engine_->GetAccount(tenant, absl::StrCat("accounts/", account_id));
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
  return engine_->GetAccountHealth(
      tenant, absl::StrCat("accounts/", account_id), std::nullopt);
}

absl::Status EngineHostServices::PublishAlert(
    const std::string& tenant, const plugin::v1::PluginAlert& alert) {
  {
    absl::MutexLock lock(&mu_);
    alerts_.emplace_back(tenant, alert);
    if (alerts_.size() > 1000) alerts_.pop_front();
  }
  std::fprintf(
      stderr, "plugin_host: alert tenant=%s plugin=%s account=%s %s: %s\n",
      tenant.c_str(), alert.plugin().c_str(), alert.account_id().c_str(),
      alert.code().c_str(), alert.message().c_str());
  if (on_alert_) on_alert_(tenant, alert);
  return absl::OkStatus();
}

std::vector<std::pair<std::string, plugin::v1::PluginAlert>>
EngineHostServices::RecentAlerts() const {
  absl::MutexLock lock(&mu_);
  return {alerts_.begin(), alerts_.end()};
}

}  // namespace retain::plugin_host
