// Read paths: signal listing and reports, all under the shared lock.
#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/names.h"
#include "api/proto_time.h"
#include "api/signal_validation.h"
#include "core/engine/engine.h"
#include "core/engine/page_budget.h"
#include "core/health/health_model.h"
#include "core/health/health_proto.h"
#include "core/health/segments.h"

namespace retain::engine {
namespace {

using api::FromProto;
using api::ToProto;

absl::Status Invalid(const std::string& field, const std::string& rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

absl::StatusOr<int> PageSize(int requested, int fallback) {
  if (requested < 0 || requested > 1000) {
    return Invalid("page_size",
                   absl::StrCat("must be 0-1000, got ", requested));
  }
  return requested == 0 ? fallback : requested;
}

}  // namespace

absl::StatusOr<signal::v1::ListSignalsResponse> Engine::ListSignals(
    const std::string& tenant, const signal::v1::ListSignalsRequest& req) {
  std::string id;
  if (auto s = api::ParseAccountName(req.account(), "account", &id); !s.ok()) {
    return s;
  }
  if (auto s = api::ValidateListSignalsRequest(req); !s.ok()) return s;
  absl::StatusOr<int> page_size = PageSize(req.page_size(), 100);
  if (!page_size.ok()) return page_size.status();
  // The token is the (time, seq) of the last signal returned, so pages stay
  // stable while new signals arrive.
  bool has_after = false;
  int64_t after_us = 0, after_seq = 0;
  if (!req.page_token().empty()) {
    std::vector<std::string> parts = absl::StrSplit(req.page_token(), ':');
    if (parts.size() != 3 || parts[0] != "s" ||
        !absl::SimpleAtoi(parts[1], &after_us) ||
        !absl::SimpleAtoi(parts[2], &after_seq)) {
      return Invalid("page_token", "not a token from a previous response");
    }
    has_after = true;
  }
  const absl::Time start =
      req.has_start_time() ? FromProto(req.start_time()) : absl::InfinitePast();
  const absl::Time end =
      req.has_end_time() ? FromProto(req.end_time()) : absl::InfiniteFuture();
  std::vector<int64_t> seqs;
  bool more = false;
  {
    absl::ReaderMutexLock lock(&mu_);
    AccountEntry* e = FindAccount(tenant, id);
    if (!e) {
      return absl::NotFoundError(
          absl::StrCat("no account \"", req.account(), "\""));
    }
    for (const SignalRef& r : e->refs) {
      if (r.time < start || r.time >= end) continue;
      if (req.kind() && r.kind != req.kind()) continue;
      if (has_after) {
        const int64_t us = absl::ToUnixMicros(r.time);
        if (us < after_us || (us == after_us && r.seq <= after_seq)) continue;
      }
      if (static_cast<int>(seqs.size()) == *page_size) {
        more = true;
        break;
      }
      seqs.push_back(r.seq);
    }
  }
  signal::v1::ListSignalsResponse resp;
  auto rows = store_->GetSignals(seqs);
  if (!rows.ok()) return rows.status();
  // The page also ends by bytes; the stored payload is the signal as it is
  // sent back.
  PageBudget budget;
  const store::StoredSignal* last = nullptr;
  for (const store::StoredSignal& row : *rows) {
    if (!budget.Take(row.payload.size())) {
      more = true;
      break;
    }
    if (!resp.add_signals()->ParseFromString(row.payload)) {
      return absl::DataLossError(
          absl::StrCat("store: signal seq ", row.seq, " is corrupt"));
    }
    last = &row;
  }
  if (more && last != nullptr) {
    resp.set_next_page_token(absl::StrCat(
        "s:", absl::ToUnixMicros(last->occur_time), ":", last->seq));
  }
  return resp;
}

absl::StatusOr<report::v1::AccountHealth> Engine::GetAccountHealth(
    const std::string& tenant, const std::string& account_name,
    std::optional<absl::Time> as_of, const std::string& without_source) {
  std::string id;
  if (auto s = api::ParseAccountName(account_name, "account", &id); !s.ok()) {
    return s;
  }
  absl::ReaderMutexLock lock(&mu_);
  AccountEntry* e = FindAccount(tenant, id);
  if (!e) {
    return absl::NotFoundError(
        absl::StrCat("no account \"", account_name, "\""));
  }
  if (without_source.empty()) {
    return health::AccountHealthProto(options_.health, e->state,
                                      as_of.value_or(absl::Now()));
  }
  model::AccountState state = e->state;
  auto& components = state.plugin_components;
  components.erase(std::remove_if(components.begin(), components.end(),
                                  [&](const model::PluginComponent& c) {
                                    return c.source == without_source;
                                  }),
                   components.end());
  return health::AccountHealthProto(options_.health, state,
                                    as_of.value_or(absl::Now()));
}

std::vector<std::string> Engine::TenantNames() {
  std::vector<std::string> out;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [tenant, ts] : tenants_) out.push_back(tenant);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<report::v1::HealthAlert> Engine::CurrentRedAlerts(
    const std::string& tenant) {
  std::vector<report::v1::HealthAlert> out;
  absl::ReaderMutexLock lock(&mu_);
  const TenantState* ts = FindTenant(tenant);
  if (!ts) return out;
  const absl::Time now = absl::Now();
  for (const auto& [id, entry] : ts->accounts) {
    if (entry->health.band != account::v1::HEALTH_BAND_RED) continue;
    if (model::ArchivedAt(entry->state, absl::InfiniteFuture())) continue;
    report::v1::HealthAlert a;
    a.set_account(health::AccountName(entry->state));
    a.set_display_name(entry->state.profile.display_name());
    a.set_band(entry->health.band);
    a.set_score(entry->health.score);
    a.set_arr(model::ArrAt(entry->state.timeline, now));
    a.set_source("core");
    a.set_code("health.currently_red");
    a.set_severity("critical");
    *a.mutable_alert_time() = ToProto(now);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace retain::engine
