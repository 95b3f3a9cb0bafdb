#include "core/auth/method_roles.h"

#include <map>

#include "absl/strings/match.h"

namespace retain::auth {
namespace {

using auth::v1::ROLE_ADMIN;
using auth::v1::ROLE_OPERATOR;
using auth::v1::ROLE_READER;
using auth::v1::ROLE_WRITER;

const std::map<std::string, Role>& Table() {
  static const auto* table = new std::map<std::string, Role>{
      {"/retain.account.v1.AccountService/CreateAccount", ROLE_WRITER},
      {"/retain.account.v1.AccountService/GetAccount", ROLE_READER},
      {"/retain.account.v1.AccountService/ListAccounts", ROLE_READER},
      {"/retain.account.v1.AccountService/UpdateAccount", ROLE_WRITER},
      {"/retain.account.v1.AccountService/DeleteAccount", ROLE_ADMIN},
      {"/retain.account.v1.AccountService/ArchiveAccount", ROLE_WRITER},
      {"/retain.account.v1.AccountService/RestoreAccount", ROLE_WRITER},
      {"/retain.account.v1.AccountService/EraseAccount", ROLE_ADMIN},
      {"/retain.signal.v1.SignalService/RecordSignals", ROLE_WRITER},
      {"/retain.signal.v1.SignalService/StreamSignals", ROLE_WRITER},
      {"/retain.signal.v1.SignalService/ListSignals", ROLE_READER},
      {"/retain.report.v1.ReportService/GetAccountHealth", ROLE_READER},
      {"/retain.report.v1.ReportService/ListAtRiskAccounts", ROLE_READER},
      {"/retain.report.v1.ReportService/WatchHealth", ROLE_READER},
      {"/retain.report.v1.ReportService/GetPortfolioReport", ROLE_READER},
      {"/retain.report.v1.ReportService/ValidateHealthModel", ROLE_READER},
      {"/retain.report.v1.ReportService/GetBreakdown", ROLE_READER},
      {"/retain.report.v1.ReportService/GetCsmBook", ROLE_READER},
      {"/retain.report.v1.ReportService/ListAlerts", ROLE_READER},
      {"/retain.plugin.v1.PluginService/ListPlugins", ROLE_READER},
      {"/retain.plugin.v1.PluginService/GetPlugin", ROLE_READER},
      {"/retain.plugin.v1.PluginService/ResumePlugin", ROLE_OPERATOR},
      {"/retain.plugin.v1.PluginService/ListDeadLetters", ROLE_READER},
      // Runs the plugin every tenant shares, like a resume.
      {"/retain.plugin.v1.PluginService/RetryDeadLetters", ROLE_OPERATOR},
      {"/retain.plugin.v1.PluginService/DropDeadLetters", ROLE_ADMIN},
      {"/retain.auth.v1.AuthService/CreateTenant", ROLE_OPERATOR},
      {"/retain.auth.v1.AuthService/ListTenants", ROLE_OPERATOR},
      {"/retain.auth.v1.AuthService/CreateApiKey", ROLE_ADMIN},
      {"/retain.auth.v1.AuthService/ListApiKeys", ROLE_ADMIN},
      {"/retain.auth.v1.AuthService/RevokeApiKey", ROLE_ADMIN},
      {"/retain.auth.v1.AuthService/GetCaller", ROLE_READER},
      {"/retain.auth.v1.AuditService/ListAuditEvents", ROLE_ADMIN},
  };
  return *table;
}

}  // namespace

std::optional<Role> RequiredRole(const std::string& method) {
  const auto& t = Table();
  if (auto it = t.find(method); it != t.end()) return it->second;
  if (absl::StartsWith(method, "/retain.plugins.")) {
    const size_t slash = method.rfind('/');
    const std::string verb = method.substr(slash + 1);
    for (const char* read : {"Get", "List", "Watch"}) {
      if (absl::StartsWith(verb, read)) return ROLE_READER;
    }
    return ROLE_WRITER;
  }
  return std::nullopt;
}

}  // namespace retain::auth
