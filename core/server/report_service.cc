#include "core/server/report_service.h"

#include "api/alert_validation.h"
#include "api/names.h"
#include "api/proto_time.h"
#include "core/server/authorize.h"
#include "core/server/grpc_status.h"
#include "core/server/unary.h"
#include "core/server/watch_reactor.h"

namespace retain::server {
namespace {

using report::v1::HealthAlert;

std::optional<absl::Time> AsOf(bool has, const google::protobuf::Timestamp& t) {
  if (!has) return std::nullopt;
  return api::FromProto(t);
}

}  // namespace

grpc::ServerUnaryReactor* ReportServiceImpl::GetAccountHealth(
    grpc::CallbackServerContext* ctx,
    const report::v1::GetAccountHealthRequest* req,
    report::v1::AccountHealth* resp) {
  auto who = auth_->Authorize(
      *ctx, "/retain.report.v1.ReportService/GetAccountHealth");
  if (!who.ok()) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(ToGrpcStatus(who.status()));
    return reactor;
  }
  const std::string tenant = who->tenant;
  std::string id;
  // Plugins score only the present; the past is the model's alone.
  if (!contribute_ || req->has_as_of_time() ||
      !api::ParseAccountName(req->account(), "account", &id).ok()) {
    return Reply(ctx,
                 engine_->GetAccountHealth(
                     tenant, req->account(),
                     AsOf(req->has_as_of_time(), req->as_of_time())),
                 resp);
  }
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  contribute_(tenant, id,
              [this, reactor, resp, tenant, name = req->account()](
                  std::vector<report::v1::ReportSection> sections) {
                auto result =
                    engine_->GetAccountHealth(tenant, name, std::nullopt);
                if (!result.ok()) {
                  reactor->Finish(ToGrpcStatus(result.status()));
                  return;
                }
                *resp = std::move(*result);
                for (auto& s : sections) *resp->add_sections() = std::move(s);
                reactor->Finish(grpc::Status::OK);
              });
  return reactor;
}

grpc::ServerUnaryReactor* ReportServiceImpl::ListAtRiskAccounts(
    grpc::CallbackServerContext* ctx,
    const report::v1::ListAtRiskAccountsRequest* req,
    report::v1::ListAtRiskAccountsResponse* resp) {
  return Authorized(ctx, *auth_,
                    "/retain.report.v1.ReportService/ListAtRiskAccounts", resp,
                    [&](const auth::Identity& id) {
                      return engine_->ListAtRisk(id.tenant, *req);
                    });
}

grpc::ServerWriteReactor<HealthAlert>* ReportServiceImpl::WatchHealth(
    grpc::CallbackServerContext* ctx,
    const report::v1::WatchHealthRequest* req) {
  auto id =
      auth_->Authorize(*ctx, "/retain.report.v1.ReportService/WatchHealth");
  if (!id.ok()) return new RefusedWriteReactor<HealthAlert>(id.status());
  if (absl::Status s = api::ValidateWatchHealthRequest(*req); !s.ok()) {
    return new RefusedWriteReactor<HealthAlert>(s);
  }
  auto lease = streams_->AcquireLease(id->principal);
  if (!lease.ok()) return new RefusedWriteReactor<HealthAlert>(lease.status());
  return new WatchReactor(engine_, id->tenant, *req, std::move(*lease));
}

grpc::ServerUnaryReactor* ReportServiceImpl::ListAlerts(
    grpc::CallbackServerContext* ctx, const report::v1::ListAlertsRequest* req,
    report::v1::ListAlertsResponse* resp) {
  return Authorized(ctx, *auth_, "/retain.report.v1.ReportService/ListAlerts",
                    resp, [&](const auth::Identity& id) {
                      return engine_->ListAlerts(id.tenant, *req);
                    });
}

grpc::ServerUnaryReactor* ReportServiceImpl::GetPortfolioReport(
    grpc::CallbackServerContext* ctx,
    const report::v1::GetPortfolioReportRequest* req,
    report::v1::PortfolioReport* resp) {
  return Authorized(ctx, *auth_,
                    "/retain.report.v1.ReportService/GetPortfolioReport", resp,
                    [&](const auth::Identity& id) {
                      return engine_->GetPortfolioReport(id.tenant, *req);
                    });
}

grpc::ServerUnaryReactor* ReportServiceImpl::ValidateHealthModel(
    grpc::CallbackServerContext* ctx,
    const report::v1::ValidateHealthModelRequest* req,
    report::v1::HealthModelValidation* resp) {
  return Authorized(ctx, *auth_,
                    "/retain.report.v1.ReportService/ValidateHealthModel", resp,
                    [&](const auth::Identity& id) {
                      return engine_->ValidateHealthModel(id.tenant, *req);
                    });
}

grpc::ServerUnaryReactor* ReportServiceImpl::GetBreakdown(
    grpc::CallbackServerContext* ctx,
    const report::v1::GetBreakdownRequest* req, report::v1::Breakdown* resp) {
  return Authorized(ctx, *auth_, "/retain.report.v1.ReportService/GetBreakdown",
                    resp, [&](const auth::Identity& id) {
                      return engine_->GetBreakdown(id.tenant, *req);
                    });
}

grpc::ServerUnaryReactor* ReportServiceImpl::GetCsmBook(
    grpc::CallbackServerContext* ctx, const report::v1::GetCsmBookRequest* req,
    report::v1::CsmBook* resp) {
  return Authorized(ctx, *auth_, "/retain.report.v1.ReportService/GetCsmBook",
                    resp, [&](const auth::Identity& id) {
                      return engine_->GetCsmBook(id.tenant, *req);
                    });
}

}  // namespace retain::server
