// Leading indicators appearing and clearing as stored alerts
// (docs/decisions/0026-indicator-changes.md): each rescore compares the
// indicators that hold with the set the account last reported, and stores
// one `health.indicator_appeared` / `health.indicator_cleared` alert per
// difference, so the health-event feed (0025) and every history reader see
// them. The set per account lives in memory and is rebuilt at start from
// the history itself: what was stored is never raised again.
#include "absl/strings/str_cat.h"
#include "api/proto_time.h"
#include "core/engine/engine.h"
#include "core/health/segments.h"

namespace retain::engine {
namespace {

constexpr char kAppeared[] = "health.indicator_appeared";
constexpr char kCleared[] = "health.indicator_cleared";
constexpr int kLoadPage = 10000;

const health::Indicator* Described(const health::HealthResult& r,
                                   const char* code) {
  for (const health::Indicator& ind : r.indicators) {
    if (ind.code == code) return &ind;
  }
  return nullptr;
}

}  // namespace

void Engine::AppendIndicatorChanges(const std::string& tenant,
                                    AccountEntry& entry,
                                    const health::HealthResult& r,
                                    health::IndicatorMask held, absl::Time now,
                                    std::vector<store::StoredAlert>* out) {
  const health::IndicatorMask before = entry.indicators;
  entry.indicators = held;
  if (before == held) return;
  for (int i = 0; i < health::kIndicatorCount; ++i) {
    const bool was = (before >> i & 1) != 0;
    const bool is = (held >> i & 1) != 0;
    if (was == is) continue;
    const char* code = health::kIndicatorCodes[i];
    report::v1::HealthAlert alert;
    alert.set_account(health::AccountName(entry.state));
    alert.set_display_name(entry.state.profile.display_name());
    alert.set_previous_band(r.band);
    alert.set_band(r.band);
    alert.set_score(r.score);
    alert.set_source("core");
    alert.set_arr(r.arr);
    *alert.mutable_alert_time() = api::ToProto(now);
    // The feed names the indicator from the first (here the only) entry.
    auto* li = alert.add_leading_indicators();
    li->set_code(code);
    if (is) {
      alert.set_code(kAppeared);
      alert.set_severity("warning");
      // Described unless another rescore remembered a different set
      // between this one's evaluation and now.
      const health::Indicator* d = Described(r, code);
      if (d) {
        li->set_description(d->description);
        *li->mutable_observed_time() = api::ToProto(d->observed_time);
      }
      alert.set_message(d ? absl::StrCat(code, ": ", d->description)
                          : absl::StrCat(code, " appeared"));
    } else {
      alert.set_code(kCleared);
      alert.set_severity("info");
      *li->mutable_observed_time() = api::ToProto(now);
      alert.set_message(absl::StrCat(code, " no longer holds"));
    }
    out->push_back(AlertRow(tenant, alert));
  }
}

absl::Status Engine::LoadIndicatorSets() {
  report::v1::HealthAlert alert;
  for (auto& [tenant, ts] : tenants_) {
    store::AlertQuery q;
    q.source = "core";
    q.newest_first = false;
    q.limit = kLoadPage;
    for (;;) {
      absl::StatusOr<std::vector<store::StoredAlert>> rows =
          store_->ListAlerts(tenant, q);
      if (!rows.ok()) return rows.status();
      for (const store::StoredAlert& row : *rows) {
        const bool appeared = row.code == kAppeared;
        if (!appeared && row.code != kCleared) continue;
        auto it = ts.by_id.find(row.account_id);
        if (it == ts.by_id.end()) continue;
        if (!alert.ParseFromString(row.payload) ||
            alert.leading_indicators_size() == 0) {
          return absl::DataLossError(absl::StrCat("store: alert at position ",
                                                  row.position, " is corrupt"));
        }
        const int i =
            health::IndicatorIndex(alert.leading_indicators(0).code());
        if (i < 0) continue;  // an indicator this version no longer has
        health::IndicatorMask& mask = it->second->indicators;
        const health::IndicatorMask bit = health::IndicatorMask{1} << i;
        mask = appeared ? (mask | bit) : (mask & ~bit);
      }
      if (static_cast<int>(rows->size()) < kLoadPage) break;
      q.after_position = rows->back().position;
    }
  }
  return absl::OkStatus();
}

}  // namespace retain::engine
