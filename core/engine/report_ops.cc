// Portfolio-wide reports: request checks and paging here, the computation in
// core/reports over the tenant's accounts under the shared lock.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "api/proto_time.h"
#include "core/engine/engine.h"
#include "core/engine/page_budget.h"
#include "core/reports/at_risk.h"
#include "core/reports/breakdowns.h"
#include "core/reports/csm_book.h"
#include "core/reports/health_validation.h"
#include "core/reports/portfolio_report.h"

namespace retain::engine {
namespace {

using api::FromProto;

struct Period {
  absl::Time start;
  absl::Time as_of;
};

absl::StatusOr<Period> PeriodOf(bool has_as_of,
                                const google::protobuf::Timestamp& as_of,
                                bool has_start,
                                const google::protobuf::Timestamp& start) {
  Period p;
  p.as_of = has_as_of ? FromProto(as_of) : absl::Now();
  p.start = has_start ? FromProto(start) : p.as_of - absl::Hours(24 * 365);
  if (p.start >= p.as_of) {
    return absl::InvalidArgumentError(
        "period_start_time: must be before as_of_time");
  }
  return p;
}

}  // namespace

absl::StatusOr<report::v1::ListAtRiskAccountsResponse> Engine::ListAtRisk(
    const std::string& tenant,
    const report::v1::ListAtRiskAccountsRequest& req) {
  if (req.page_size() < 0 || req.page_size() > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 0-1000, got ", req.page_size()));
  }
  const int page_size = req.page_size() == 0 ? 100 : req.page_size();
  int offset = 0;
  if (!req.page_token().empty() &&
      (req.page_token().rfind("r:", 0) != 0 ||
       !absl::SimpleAtoi(req.page_token().substr(2), &offset) || offset < 0)) {
    return absl::InvalidArgumentError(
        "page_token: not a token from a previous response");
  }
  const absl::Time as_of =
      req.has_as_of_time() ? FromProto(req.as_of_time()) : absl::Now();
  report::v1::ListAtRiskAccountsResponse all;
  {
    absl::ReaderMutexLock lock(&mu_);
    all = reports::ListAtRiskAccounts(TenantAccounts(tenant), options_.health,
                                      as_of, req.segment());
  }
  report::v1::ListAtRiskAccountsResponse page;
  page.set_total_size(all.accounts_size());
  page.set_total_arr(all.total_arr());
  // A page ends at page_size or at the byte budget, whichever comes first.
  PageBudget budget;
  int next = offset;
  for (; next < all.accounts_size() && next < offset + page_size; ++next) {
    if (!budget.Take(all.accounts(next).ByteSizeLong())) break;
    *page.add_accounts() = std::move(*all.mutable_accounts(next));
  }
  if (next < all.accounts_size()) {
    page.set_next_page_token(absl::StrCat("r:", next));
  }
  return page;
}

absl::StatusOr<report::v1::PortfolioReport> Engine::GetPortfolioReport(
    const std::string& tenant,
    const report::v1::GetPortfolioReportRequest& req) {
  auto period = PeriodOf(req.has_as_of_time(), req.as_of_time(),
                         req.has_period_start_time(), req.period_start_time());
  if (!period.ok()) return period.status();
  absl::ReaderMutexLock lock(&mu_);
  return reports::BuildPortfolioReport(TenantAccounts(tenant), options_.health,
                                       period->start, period->as_of);
}

absl::StatusOr<report::v1::HealthModelValidation> Engine::ValidateHealthModel(
    const std::string& tenant,
    const report::v1::ValidateHealthModelRequest& req) {
  auto period = PeriodOf(req.has_as_of_time(), req.as_of_time(),
                         req.has_period_start_time(), req.period_start_time());
  if (!period.ok()) return period.status();
  if (req.lead_days() < 0 || req.lead_days() > 365) {
    return absl::InvalidArgumentError(absl::StrCat(
        "lead_days: must be 0-365 (0 means 60), got ", req.lead_days()));
  }
  absl::ReaderMutexLock lock(&mu_);
  return reports::ValidateHealthModel(
      TenantAccounts(tenant), options_.health, period->start, period->as_of,
      req.lead_days() == 0 ? 60 : req.lead_days());
}

absl::StatusOr<report::v1::Breakdown> Engine::GetBreakdown(
    const std::string& tenant, const report::v1::GetBreakdownRequest& req) {
  auto period = PeriodOf(req.has_as_of_time(), req.as_of_time(),
                         req.has_period_start_time(), req.period_start_time());
  if (!period.ok()) return period.status();
  if (req.dimension() == report::v1::BREAKDOWN_DIMENSION_UNSPECIFIED ||
      !report::v1::BreakdownDimension_IsValid(req.dimension())) {
    return absl::InvalidArgumentError(
        absl::StrCat("dimension: must be segment, csm, stage or cohort, got ",
                     req.dimension()));
  }
  absl::ReaderMutexLock lock(&mu_);
  return reports::ComputeBreakdown(TenantAccounts(tenant), options_.health,
                                   req.dimension(), period->start,
                                   period->as_of);
}

absl::StatusOr<report::v1::CsmBook> Engine::GetCsmBook(
    const std::string& tenant, const report::v1::GetCsmBookRequest& req) {
  const absl::Time as_of =
      req.has_as_of_time() ? FromProto(req.as_of_time()) : absl::Now();
  absl::ReaderMutexLock lock(&mu_);
  return reports::ComputeCsmBook(TenantAccounts(tenant), options_.health,
                                 as_of);
}

}  // namespace retain::engine
