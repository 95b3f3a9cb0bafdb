#include "core/server/report_service.h"

#include "absl/synchronization/mutex.h"
#include "api/names.h"
#include "api/proto_time.h"
#include "core/server/authorize.h"
#include "core/server/grpc_status.h"
#include "core/server/unary.h"

namespace retain::server {
namespace {

using report::v1::HealthAlert;

// Streams alerts from the engine's hub. Writes one at a time (gRPC allows
// one outstanding write); the hub's bounded queue absorbs bursts.
class WatchReactor final : public grpc::ServerWriteReactor<HealthAlert> {
 public:
  WatchReactor(engine::Engine* engine, const std::string& tenant,
               bool include_current_red, StreamLimiter::Lease lease)
      : engine_(engine), lease_(std::move(lease)) {
    absl::MutexLock lock(&mu_);
    if (include_current_red) {
      for (auto& a : engine_->CurrentRedAlerts(tenant)) {
        initial_.push_back(std::move(a));
      }
    }
    sub_ = engine_->alerts().Subscribe(tenant, [this] { Pump(); });
    // Headers now, so a client knows the watch is established (and holds
    // its stream slot) before the first alert.
    if (initial_.empty()) StartSendInitialMetadata();
    PumpLocked();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status::OK);
      return;
    }
    PumpLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    engine_->alerts().Unsubscribe(sub_);
    delete this;
  }

 private:
  void Pump() {
    absl::MutexLock lock(&mu_);
    PumpLocked();
  }

  void PumpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || finished_) return;
    if (!initial_.empty()) {
      current_ = std::move(initial_.front());
      initial_.pop_front();
    } else if (!engine_->alerts().Pop(sub_, &current_)) {
      if (engine_->alerts().closed()) FinishLocked(grpc::Status::OK);
      return;
    }
    writing_ = true;
    StartWrite(&current_);
  }

  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  engine::Engine* engine_;
  StreamLimiter::Lease lease_;  // the caller's stream slot, until OnDone
  absl::Mutex mu_;
  int64_t sub_ = 0;
  std::deque<HealthAlert> initial_ ABSL_GUARDED_BY(mu_);
  HealthAlert current_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

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
  auto lease = streams_->AcquireLease(id->principal);
  if (!lease.ok()) return new RefusedWriteReactor<HealthAlert>(lease.status());
  return new WatchReactor(engine_, id->tenant, req->include_current_red(),
                          std::move(*lease));
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

}  // namespace retain::server
