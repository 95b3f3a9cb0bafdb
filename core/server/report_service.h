#ifndef RETAIN_CORE_SERVER_REPORT_SERVICE_H_
#define RETAIN_CORE_SERVER_REPORT_SERVICE_H_

#include <functional>
#include <string>
#include <vector>

#include "core/auth/authorizer.h"
#include "core/engine/engine.h"
#include "core/server/stream_limiter.h"
#include "retain/report/v1/report.grpc.pb.h"

namespace retain::server {

// Asks the plugins for an account's contributions: stores their health
// components in the model (so the explained view and every other view
// combine the same components) and hands back their report sections.
// Never blocks; `done` runs on another thread. Empty without plugins.
using AccountContributor = std::function<void(
    const std::string& tenant, const std::string& account_id,
    std::function<void(std::vector<report::v1::ReportSection>)> done)>;

class ReportServiceImpl final
    : public report::v1::ReportService::CallbackService {
 public:
  ReportServiceImpl(engine::Engine* engine, const auth::Authorizer* auth,
                    StreamLimiter* streams, AccountContributor contribute)
      : engine_(engine),
        auth_(auth),
        streams_(streams),
        contribute_(std::move(contribute)) {}

  grpc::ServerUnaryReactor* GetAccountHealth(
      grpc::CallbackServerContext* ctx,
      const report::v1::GetAccountHealthRequest* req,
      report::v1::AccountHealth* resp) override;
  grpc::ServerUnaryReactor* ListAtRiskAccounts(
      grpc::CallbackServerContext* ctx,
      const report::v1::ListAtRiskAccountsRequest* req,
      report::v1::ListAtRiskAccountsResponse* resp) override;
  grpc::ServerWriteReactor<report::v1::HealthAlert>* WatchHealth(
      grpc::CallbackServerContext* ctx,
      const report::v1::WatchHealthRequest* req) override;
  grpc::ServerUnaryReactor* GetPortfolioReport(
      grpc::CallbackServerContext* ctx,
      const report::v1::GetPortfolioReportRequest* req,
      report::v1::PortfolioReport* resp) override;
  grpc::ServerUnaryReactor* ValidateHealthModel(
      grpc::CallbackServerContext* ctx,
      const report::v1::ValidateHealthModelRequest* req,
      report::v1::HealthModelValidation* resp) override;
  grpc::ServerUnaryReactor* GetBreakdown(
      grpc::CallbackServerContext* ctx,
      const report::v1::GetBreakdownRequest* req,
      report::v1::Breakdown* resp) override;
  grpc::ServerUnaryReactor* GetCsmBook(grpc::CallbackServerContext* ctx,
                                       const report::v1::GetCsmBookRequest* req,
                                       report::v1::CsmBook* resp) override;
  grpc::ServerUnaryReactor* ListAlerts(
      grpc::CallbackServerContext* ctx,
      const report::v1::ListAlertsRequest* req,
      report::v1::ListAlertsResponse* resp) override;

 private:
  engine::Engine* engine_;
  const auth::Authorizer* auth_;
  StreamLimiter* streams_;
  AccountContributor contribute_;
};

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_REPORT_SERVICE_H_
