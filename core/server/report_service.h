#ifndef RETAIN_CORE_SERVER_REPORT_SERVICE_H_
#define RETAIN_CORE_SERVER_REPORT_SERVICE_H_

#include <functional>

#include "core/engine/engine.h"
#include "retain/report/v1/report.grpc.pb.h"

namespace retain::server {

// Adds plugin contributions (report sections, health components) to an
// account's health; empty when no plugins are loaded.
using HealthDecorator = std::function<void(
    const std::string& tenant, const std::string& account_id,
    report::v1::AccountHealth* health)>;

class ReportServiceImpl final
    : public report::v1::ReportService::CallbackService {
 public:
  ReportServiceImpl(engine::Engine* engine, HealthDecorator decorate)
      : engine_(engine), decorate_(std::move(decorate)) {}

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

 private:
  engine::Engine* engine_;
  HealthDecorator decorate_;
};

}  // namespace retain::server

#endif  // RETAIN_CORE_SERVER_REPORT_SERVICE_H_
