// Archive, restore and erase: an account leaves the live book without
// rewriting the past, or leaves it for good with its personal data.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "api/names.h"
#include "api/proto_time.h"
#include "core/engine/engine.h"
#include "core/health/health_model.h"
#include "core/model/apply_signal.h"

namespace retain::engine {
namespace {

using account::v1::Account;
using api::FromProto;
using api::ToProto;

constexpr char kErasedDisplayName[] = "Erased account";

// The part of a signal an erased account keeps: commercial events without
// their free text, and profile changes (which carry no personal data).
std::optional<signal::v1::Signal> Anonymized(const signal::v1::Signal& s) {
  if (s.has_commercial()) {
    signal::v1::Signal kept = s;
    kept.mutable_commercial()->clear_reason();
    return kept;
  }
  if (s.has_custom() && s.custom().type() == model::kProfileChangedType) {
    return s;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<Account> Engine::SetArchived(const std::string& tenant,
                                            const std::string& name,
                                            bool archived) {
  std::string id;
  if (auto s = api::ParseAccountName(name, "name", &id); !s.ok()) return s;
  const absl::Time now = absl::Now();
  {
    absl::ReaderMutexLock lock(&mu_);
    AccountEntry* e = FindAccount(tenant, id);
    if (!e) {
      return absl::NotFoundError(absl::StrCat("no account \"", name, "\""));
    }
    if (e->state.profile.erased() && !archived) {
      return absl::FailedPreconditionError(absl::StrCat(
          "name: ", name, " is an erased account and cannot be restored"));
    }
    if (model::ArchivedAt(e->state, absl::InfiniteFuture()) == archived) {
      return View(*e);  // already so: nothing to record
    }
  }
  signal::v1::Signal change;
  change.set_signal_id(
      absl::StrCat("retain:", id, ":", archived ? "archive" : "restore", ":",
                   absl::ToUnixMicros(now), ":", system_signal_counter_++));
  change.set_account(name);
  *change.mutable_occur_time() = ToProto(now);
  change.mutable_custom()->set_type(model::kProfileChangedType);
  (*change.mutable_custom()->mutable_attributes())["archived"] =
      archived ? "true" : "false";
  if (absl::Status s = RecordSystemSignals(tenant, {change}); !s.ok()) {
    return s;
  }
  // A restored account is scored again (and may alert); an archived one
  // keeps its last score and is no longer re-scored.
  if (!archived) Rescore({{tenant, id}}, absl::Now());
  absl::ReaderMutexLock lock(&mu_);
  AccountEntry* e = FindAccount(tenant, id);
  if (!e) return absl::NotFoundError("account deleted during archiving");
  return View(*e);
}

absl::StatusOr<Account> Engine::ArchiveAccount(const std::string& tenant,
                                               const std::string& name) {
  return SetArchived(tenant, name, true);
}

absl::StatusOr<Account> Engine::RestoreAccount(const std::string& tenant,
                                               const std::string& name) {
  return SetArchived(tenant, name, false);
}

absl::StatusOr<account::v1::EraseAccountResponse> Engine::EraseAccount(
    const std::string& tenant, const std::string& name) {
  std::string id;
  if (auto s = api::ParseAccountName(name, "name", &id); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  AccountEntry* old = FindAccount(tenant, id);
  if (!old)
    return absl::NotFoundError(absl::StrCat("no account \"", name, "\""));
  if (old->state.profile.erased()) {
    return absl::FailedPreconditionError(
        absl::StrCat("name: ", name, " is already erased"));
  }
  const std::string new_id =
      absl::StrCat("erased-", absl::ToUnixMicros(absl::Now()), "-",
                   system_signal_counter_++);
  const std::string new_name = api::AccountName(new_id);

  std::vector<int64_t> candidates;
  for (const SignalRef& r : old->refs) {
    if (r.kind == signal::v1::SIGNAL_KIND_COMMERCIAL ||
        r.kind == signal::v1::SIGNAL_KIND_CUSTOM) {
      candidates.push_back(r.seq);
    }
  }
  // Re-applied in commit order, as a replay would: a renewal's new date
  // depends on the changes committed before it.
  std::sort(candidates.begin(), candidates.end());
  absl::StatusOr<std::vector<store::StoredSignal>> rows =
      store_->GetSignals(candidates);
  if (!rows.ok()) return rows.status();
  std::vector<store::StoredSignal> kept;
  std::vector<signal::v1::Signal> kept_signals;
  for (store::StoredSignal& row : *rows) {
    signal::v1::Signal s;
    if (!s.ParseFromString(row.payload)) {
      return absl::DataLossError(
          absl::StrCat("store: signal seq ", row.seq, " is corrupt"));
    }
    std::optional<signal::v1::Signal> a = Anonymized(s);
    if (!a) continue;
    // The client's signal id may name the customer: replaced too.
    a->set_signal_id(absl::StrCat("erased:", new_id, ":", row.seq));
    a->set_account(new_name);
    row.signal_id = a->signal_id();
    row.account_id = new_id;
    a->SerializeToString(&row.payload);
    kept.push_back(std::move(row));
    kept_signals.push_back(*std::move(a));
  }

  auto successor = std::make_unique<AccountEntry>();
  successor->state.tenant = tenant;
  successor->state.id = new_id;
  Account& p = successor->state.profile;
  p = old->state.profile;
  p.set_name(new_name);
  p.set_display_name(kErasedDisplayName);
  p.clear_contacts();
  // Erased and archived from now, in the one transaction below: a crash
  // leaves the account whole or erased, never half.
  const absl::Time now = absl::Now();
  p.set_erased(true);
  *p.mutable_archive_time() = ToProto(now);
  *p.mutable_update_time() = ToProto(now);
  store::StoredAccount row{tenant, new_id, ""};
  p.SerializeToString(&row.payload);

  absl::StatusOr<int64_t> deleted =
      store_->ReplaceAccount(tenant, id, row, kept);
  if (!deleted.ok()) return deleted.status();
  if (absl::Status s = ForgetPluginComponents(tenant, *old); !s.ok()) return s;

  model::SeedTimelineFromProfile(successor->state);
  successor->stored_bytes = static_cast<int64_t>(row.payload.size());
  TenantState& ts = Tenant(tenant);
  const int64_t freed = old->stored_bytes;
  ts.by_id.erase(id);
  ts.accounts.erase(id);
  AccountEntry* e = successor.get();
  AddAccount(ts, std::move(successor));
  for (size_t i = 0; i < kept.size(); ++i) {
    ApplyStored(tenant, new_id, kept[i].seq, kept_signals[i],
                static_cast<int64_t>(kept[i].payload.size()));
  }
  quotas_.Settle(tenant, 0, e->stored_bytes - freed);
  // Scored once for the cache; archived, so never alerted on.
  StoreHealth(*e, health::ComputeHealthScore(options_.health, e->state, now),
              now);

  account::v1::EraseAccountResponse resp;
  resp.set_deleted_signals(*deleted);
  resp.set_kept_signals(static_cast<int64_t>(kept.size()));
  resp.set_anonymous_account(new_name);
  return resp;
}

}  // namespace retain::engine
