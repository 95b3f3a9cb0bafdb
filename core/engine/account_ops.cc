// Account create/get/list/update/delete.
#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "api/account_validation.h"
#include "api/names.h"
#include "api/proto_time.h"
#include "core/engine/engine.h"
#include "core/engine/page_budget.h"
#include "core/health/health_model.h"
#include "core/health/segments.h"
#include "core/model/apply_signal.h"

namespace retain::engine {
namespace {

using account::v1::Account;
using api::FromProto;
using api::ToProto;

absl::Status Invalid(const std::string& field, const std::string& rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

bool HasExecSponsor(const Account& a) {
  for (const auto& c : a.contacts()) {
    if (c.exec_sponsor()) return true;
  }
  return false;
}

// The fields a client may write; the rest are output only.
void CopyWritable(const Account& from, Account* to) {
  Account copy = from;
  copy.clear_name();
  copy.clear_segment_overridden();
  copy.clear_lifecycle_stage_time();
  copy.clear_create_time();
  copy.clear_update_time();
  copy.clear_health_score();
  copy.clear_health_band();
  copy.clear_initial_arr();
  copy.clear_archived();
  copy.clear_archive_time();
  copy.clear_erased();
  *to = copy;
}

// The versioned fields (docs/decisions/0030-true-history.md).
void CopyVersioned(const Account& from, Account* to) {
  to->set_licensed_seats(from.licensed_seats());
  if (from.has_renewal_time()) {
    *to->mutable_renewal_time() = from.renewal_time();
  } else {
    to->clear_renewal_time();
  }
  to->set_csm_owner(from.csm_owner());
  to->set_segment_overridden(from.segment_overridden());
  to->set_segment(from.segment_overridden() ? from.segment()
                                            : account::v1::SEGMENT_UNSPECIFIED);
  to->set_contract_term_months(from.contract_term_months());
}

// The profile change an update makes to the versioned fields, if any.
std::optional<signal::v1::CustomSignal> ProfileChangeSignal(
    const Account& before, const Account& after) {
  signal::v1::CustomSignal c;
  c.set_type(model::kProfileChangedType);
  auto& attrs = *c.mutable_attributes();
  if (after.licensed_seats() != before.licensed_seats()) {
    attrs["licensed_seats"] = absl::StrCat(after.licensed_seats());
  }
  if (after.renewal_time().SerializeAsString() !=
          before.renewal_time().SerializeAsString() ||
      after.has_renewal_time() != before.has_renewal_time()) {
    attrs["renewal_time"] =
        after.has_renewal_time()
            ? absl::FormatTime(absl::RFC3339_full,
                               FromProto(after.renewal_time()),
                               absl::UTCTimeZone())
            : "";
  }
  if (after.csm_owner() != before.csm_owner()) {
    attrs["csm_owner"] = after.csm_owner();
  }
  const auto override_of = [](const Account& a) {
    return a.segment_overridden() ? a.segment()
                                  : account::v1::SEGMENT_UNSPECIFIED;
  };
  if (override_of(after) != override_of(before)) {
    attrs["segment"] = account::v1::Segment_Name(override_of(after));
  }
  const auto term_of = [](const Account& a) {
    return a.contract_term_months() > 0 ? a.contract_term_months() : 12;
  };
  if (term_of(after) != term_of(before)) {
    attrs["contract_term_months"] = absl::StrCat(after.contract_term_months());
  }
  if (attrs.empty()) return std::nullopt;
  return c;
}

}  // namespace

absl::Status Engine::PersistProfile(const model::AccountState& state,
                                    const std::string& request_id) {
  store::StoredAccount row{state.tenant, state.id, ""};
  state.profile.SerializeToString(&row.payload);
  return store_->PutAccount(row, request_id);
}

Account Engine::View(const AccountEntry& entry) const {
  Account a = entry.state.profile;
  const model::AccountTimeline& tl = entry.state.timeline;
  a.set_name(health::AccountName(entry.state));
  // Versioned fields show their latest value; the stored profile keeps
  // the values given at creation.
  const model::AccountState& st = entry.state;
  const absl::Time latest = absl::InfiniteFuture();
  a.set_arr(model::ArrAt(tl, latest));
  a.set_licensed_seats(model::SeatsAt(st, latest));
  if (const auto renewal = model::RenewalAt(st, latest)) {
    *a.mutable_renewal_time() = ToProto(*renewal);
  } else {
    a.clear_renewal_time();
  }
  a.set_csm_owner(model::OwnerAt(st, latest));
  a.set_contract_term_months(model::TermMonthsAt(st, latest));
  const account::v1::Segment set = model::SegmentOverrideAt(st, latest);
  a.set_segment_overridden(set != account::v1::SEGMENT_UNSPECIFIED);
  a.set_segment(a.segment_overridden()
                    ? set
                    : health::SegmentForArr(options_.health, a.arr()));
  if (const auto archived = model::ArchiveTimeAt(st, latest)) {
    a.set_archived(true);
    *a.mutable_archive_time() = ToProto(*archived);
  }
  if (!tl.lifecycle.empty()) {
    a.set_lifecycle_stage(tl.lifecycle.back().stage);
    *a.mutable_lifecycle_stage_time() = ToProto(tl.lifecycle.back().time);
  }
  a.set_health_score(entry.health.score);
  a.set_health_band(entry.health.band);
  return a;
}

absl::StatusOr<Account> Engine::CreateAccount(const std::string& tenant,
                                              const std::string& account_id,
                                              const Account& input,
                                              const std::string& request_id) {
  if (absl::Status s = api::ValidateRequestId(request_id); !s.ok()) return s;
  if (!request_id.empty()) {
    auto prior = store_->LookupRequest(tenant, request_id);
    if (!prior.ok()) return prior.status();
    if (prior->has_value()) {
      absl::ReaderMutexLock lock(&mu_);
      if (AccountEntry* e = FindAccount(tenant, **prior)) return View(*e);
    }
  }
  std::string id = account_id;
  if (id.empty()) {
    id = absl::StrCat("a", absl::ToUnixMicros(absl::Now()),
                      system_signal_counter_++);
  } else if (absl::Status s = api::ValidateAccountId(id, "account_id");
             !s.ok()) {
    return s;
  }
  Account profile;
  CopyWritable(input, &profile);
  if (absl::Status s = api::ValidateAccount(profile); !s.ok()) return s;
  const absl::Time now = absl::Now();
  profile.set_name(api::AccountName(id));
  profile.set_initial_arr(profile.arr());
  profile.set_segment_overridden(profile.segment() !=
                                 account::v1::SEGMENT_UNSPECIFIED);
  *profile.mutable_create_time() = ToProto(now);
  *profile.mutable_update_time() = ToProto(now);
  {
    absl::MutexLock lock(&mu_);
    TenantState& ts = Tenant(tenant);
    if (ts.accounts.count(id)) {
      return absl::AlreadyExistsError(absl::StrCat(
          "account_id: ", api::AccountName(id), " already exists"));
    }
    if (absl::Status s =
            quotas_.CheckAccounts(tenant, ts.accounts.size() - ts.erased);
        !s.ok()) {
      return s;
    }
    auto entry = std::make_unique<AccountEntry>();
    entry->state.tenant = tenant;
    entry->state.id = id;
    entry->state.profile = profile;
    model::SeedTimelineFromProfile(entry->state);
    const int64_t bytes = static_cast<int64_t>(profile.ByteSizeLong());
    if (absl::Status s = quotas_.ReserveBytes(tenant, bytes); !s.ok()) {
      return s;
    }
    if (absl::Status s = PersistProfile(entry->state, request_id); !s.ok()) {
      quotas_.Settle(tenant, bytes, 0);
      return s;
    }
    quotas_.Settle(tenant, bytes, bytes);
    entry->stored_bytes = bytes;
    AddAccount(ts, std::move(entry));
  }
  // The first points of the sponsor and lifecycle history, as signals so
  // point-in-time reports see them after a restart too. They hold from the
  // contract start when that is earlier: an account created today with a
  // backfilled history (its churn last spring, say) must not look as if it
  // re-entered its initial stage after that history.
  const absl::Time initial_time =
      profile.has_contract_start_time()
          ? std::min(now, FromProto(profile.contract_start_time()))
          : now;
  std::vector<signal::v1::Signal> history;
  signal::v1::Signal contacts;
  contacts.set_signal_id(absl::StrCat(
      "retain:", id, ":created:contacts:", absl::ToUnixMicros(now)));
  contacts.set_account(profile.name());
  *contacts.mutable_occur_time() = ToProto(initial_time);
  contacts.mutable_custom()->set_type(model::kContactsChangedType);
  (*contacts.mutable_custom()->mutable_attributes())["exec_sponsor"] =
      HasExecSponsor(profile) ? "true" : "false";
  history.push_back(contacts);
  if (profile.lifecycle_stage() != account::v1::LIFECYCLE_STAGE_UNSPECIFIED) {
    signal::v1::Signal stage;
    stage.set_signal_id(absl::StrCat(
        "retain:", id, ":created:stage:", absl::ToUnixMicros(now)));
    stage.set_account(profile.name());
    *stage.mutable_occur_time() = ToProto(initial_time);
    stage.mutable_lifecycle()->set_stage(profile.lifecycle_stage());
    stage.mutable_lifecycle()->set_reason("account created");
    history.push_back(stage);
  }
  if (absl::Status s = RecordSystemSignals(tenant, std::move(history));
      !s.ok()) {
    return s;
  }
  absl::MutexLock lock(&mu_);
  AccountEntry* e = FindAccount(tenant, id);
  if (!e) return absl::NotFoundError("account deleted during creation");
  // A new account's first score is not a band change: no alert.
  StoreHealth(
      *e, health::ComputeHealthScore(options_.health, e->state, absl::Now()),
      absl::Now());
  return View(*e);
}

absl::StatusOr<Account> Engine::GetAccount(const std::string& tenant,
                                           const std::string& name) {
  std::string id;
  if (auto s = api::ParseAccountName(name, "name", &id); !s.ok()) return s;
  absl::ReaderMutexLock lock(&mu_);
  AccountEntry* e = FindAccount(tenant, id);
  if (!e) return absl::NotFoundError(absl::StrCat("no account \"", name, "\""));
  return View(*e);
}

absl::StatusOr<account::v1::ListAccountsResponse> Engine::ListAccounts(
    const std::string& tenant, const account::v1::ListAccountsRequest& req) {
  if (absl::Status s = api::ValidateListAccountsRequest(req); !s.ok()) {
    return s;
  }
  if (req.page_size() < 0 || req.page_size() > 1000) {
    return Invalid("page_size",
                   absl::StrCat("must be 0-1000, got ", req.page_size()));
  }
  const int page_size = req.page_size() == 0 ? 50 : req.page_size();
  std::string after;
  if (!req.page_token().empty()) {
    if (req.page_token().rfind("a:", 0) != 0) {
      return Invalid("page_token", "not a token from a previous response");
    }
    after = req.page_token().substr(2);
  }
  account::v1::ListAccountsResponse resp;
  absl::ReaderMutexLock lock(&mu_);
  const TenantState* ts = FindTenant(tenant);
  if (!ts) return resp;
  int total = 0;
  std::string last;
  PageBudget budget;
  bool page_full = false;
  for (const auto& [id, entry] : ts->accounts) {
    // Filters read the model directly; only the page is rendered.
    const model::AccountState& st = entry->state;
    const absl::Time latest = absl::InfiniteFuture();
    if (!req.show_archived() && model::ArchivedAt(st, latest)) continue;
    if (req.segment()) {
      const account::v1::Segment set = model::SegmentOverrideAt(st, latest);
      const account::v1::Segment seg =
          set != account::v1::SEGMENT_UNSPECIFIED
              ? set
              : health::SegmentForArr(options_.health,
                                      model::ArrAt(st.timeline, latest));
      if (seg != req.segment()) continue;
    }
    if (!req.csm_owner().empty() &&
        model::OwnerAt(st, latest) != req.csm_owner()) {
      continue;
    }
    if (req.lifecycle_stage()) {
      const auto stage = st.timeline.lifecycle.empty()
                             ? st.profile.lifecycle_stage()
                             : st.timeline.lifecycle.back().stage;
      if (stage != req.lifecycle_stage()) continue;
    }
    if (req.health_band() && entry->health.band != req.health_band()) continue;
    ++total;
    if (!after.empty() && id <= after) continue;
    if (!page_full && resp.accounts_size() < page_size) {
      account::v1::Account view = View(*entry);
      if (budget.Take(view.ByteSizeLong())) {
        *resp.add_accounts() = std::move(view);
        last = id;
        continue;
      }
      page_full = true;  // by bytes: this one starts the next page
    }
    if (resp.next_page_token().empty()) {
      resp.set_next_page_token(absl::StrCat("a:", last));
    }
  }
  resp.set_total_size(total);
  return resp;
}

absl::StatusOr<Account> Engine::UpdateAccount(
    const std::string& tenant, const Account& input,
    const google::protobuf::FieldMask& mask) {
  std::string id;
  if (auto s = api::ParseAccountName(input.name(), "account.name", &id);
      !s.ok()) {
    return s;
  }
  std::vector<std::string> paths(mask.paths().begin(), mask.paths().end());
  if (paths.empty()) paths = api::WritableAccountPaths();
  if (absl::Status s = api::ValidateAccountUpdatePaths(paths); !s.ok()) {
    return s;
  }
  const absl::Time now = absl::Now();
  std::vector<signal::v1::Signal> history;
  Account updated;
  store::StoredAccount row;
  int64_t growth = 0;
  auto system_signal = [&](const std::string& what) {
    signal::v1::Signal s;
    s.set_signal_id(absl::StrCat("retain:", id, ":update:", what, ":",
                                 absl::ToUnixMicros(now), ":",
                                 system_signal_counter_++));
    s.set_account(input.name());
    *s.mutable_occur_time() = ToProto(now);
    return s;
  };
  {
    absl::MutexLock lock(&mu_);
    AccountEntry* e = FindAccount(tenant, id);
    if (!e) {
      return absl::NotFoundError(
          absl::StrCat("no account \"", input.name(), "\""));
    }
    updated = e->state.profile;
    const Account current = View(*e);
    updated.set_arr(current.arr());
    updated.set_lifecycle_stage(current.lifecycle_stage());
    CopyVersioned(current, &updated);
    for (const std::string& p : paths) {
      if (p == "display_name") updated.set_display_name(input.display_name());
      if (p == "arr") updated.set_arr(input.arr());
      if (p == "licensed_seats")
        updated.set_licensed_seats(input.licensed_seats());
      if (p == "contract_start_time") {
        if (input.has_contract_start_time()) {
          *updated.mutable_contract_start_time() = input.contract_start_time();
        } else {
          updated.clear_contract_start_time();
        }
      }
      if (p == "renewal_time") {
        if (input.has_renewal_time()) {
          *updated.mutable_renewal_time() = input.renewal_time();
        } else {
          updated.clear_renewal_time();
        }
      }
      if (p == "segment") {
        updated.set_segment(input.segment());
        updated.set_segment_overridden(input.segment() !=
                                       account::v1::SEGMENT_UNSPECIFIED);
      }
      if (p == "lifecycle_stage")
        updated.set_lifecycle_stage(input.lifecycle_stage());
      if (p == "csm_owner") updated.set_csm_owner(input.csm_owner());
      if (p == "contract_term_months") {
        updated.set_contract_term_months(input.contract_term_months());
      }
      if (p == "contacts") *updated.mutable_contacts() = input.contacts();
    }
    if (absl::Status s = api::ValidateAccount(updated); !s.ok()) return s;

    // Changes that point-in-time reports must see become signals.
    if (updated.arr() != current.arr()) {
      signal::v1::Signal s = system_signal("arr");
      auto* c = s.mutable_commercial();
      c->set_reason("account update");
      if (updated.arr() == 0) {
        c->set_kind(signal::v1::COMMERCIAL_EVENT_KIND_CHURN);
      } else if (current.arr() == 0) {
        c->set_kind(signal::v1::COMMERCIAL_EVENT_KIND_NEW_LOGO);
        c->set_arr_delta(updated.arr());
      } else {
        c->set_kind(updated.arr() > current.arr()
                        ? signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION
                        : signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION);
        c->set_arr_delta(updated.arr() - current.arr());
      }
      history.push_back(std::move(s));
    }
    if (updated.lifecycle_stage() != current.lifecycle_stage() &&
        updated.lifecycle_stage() != account::v1::LIFECYCLE_STAGE_UNSPECIFIED) {
      signal::v1::Signal s = system_signal("stage");
      s.mutable_lifecycle()->set_stage(updated.lifecycle_stage());
      s.mutable_lifecycle()->set_reason("account update");
      history.push_back(std::move(s));
    }
    if (HasExecSponsor(updated) != HasExecSponsor(current)) {
      signal::v1::Signal s = system_signal("contacts");
      s.mutable_custom()->set_type(model::kContactsChangedType);
      (*s.mutable_custom()->mutable_attributes())["exec_sponsor"] =
          HasExecSponsor(updated) ? "true" : "false";
      history.push_back(std::move(s));
    }
    if (auto change = ProfileChangeSignal(current, updated)) {
      signal::v1::Signal s = system_signal("profile");
      *s.mutable_custom() = *std::move(change);
      history.push_back(std::move(s));
    }
    // ARR, stage and the versioned fields live in the timeline; the stored
    // profile keeps the values given at creation.
    updated.set_arr(e->state.profile.arr());
    updated.set_lifecycle_stage(e->state.profile.lifecycle_stage());
    CopyVersioned(e->state.profile, &updated);
    *updated.mutable_update_time() = ToProto(now);
    row = store::StoredAccount{tenant, id, ""};
    updated.SerializeToString(&row.payload);
    // Only growth needs room under the stored-bytes quota.
    growth = static_cast<int64_t>(row.payload.size()) -
             static_cast<int64_t>(e->state.profile.ByteSizeLong());
    if (growth > 0) {
      if (absl::Status s = quotas_.ReserveBytes(tenant, growth); !s.ok()) {
        return s;
      }
    }
  }
  const int64_t reserved = std::max<int64_t>(growth, 0);
  // The profile and the history it implies commit in one transaction, so a
  // crash keeps the whole update or none of it.
  if (auto r = RecordAndWait(tenant, std::move(history),
                             /*allow_reserved=*/true, {row});
      !r.ok()) {
    quotas_.Settle(tenant, reserved, 0);
    return r.status();
  }
  {
    absl::MutexLock lock(&mu_);
    AccountEntry* e = FindAccount(tenant, id);
    if (!e) {
      quotas_.Settle(tenant, reserved, 0);
      return absl::NotFoundError("account deleted during update");
    }
    const int64_t delta = static_cast<int64_t>(row.payload.size()) -
                          static_cast<int64_t>(e->state.profile.ByteSizeLong());
    e->stored_bytes += delta;
    quotas_.Settle(tenant, reserved, delta);
    const bool start_moved =
        updated.contract_start_time().SerializeAsString() !=
        e->state.profile.contract_start_time().SerializeAsString();
    e->state.profile = updated;
    if (start_moved) {
      auto& changes = e->state.timeline.arr_changes;
      changes.erase(
          std::remove_if(changes.begin(), changes.end(),
                         [](const model::ArrChange& c) {
                           return c.kind ==
                                  signal::v1::COMMERCIAL_EVENT_KIND_UNSPECIFIED;
                         }),
          changes.end());
      model::SeedTimelineFromProfile(e->state);
    }
  }
  // An update can move the band (ARR, contacts): re-score and alert like
  // any other change, publishing outside the lock.
  Rescore({{tenant, id}}, absl::Now());
  absl::ReaderMutexLock lock(&mu_);
  AccountEntry* e = FindAccount(tenant, id);
  if (!e) return absl::NotFoundError("account deleted during update");
  return View(*e);
}

absl::StatusOr<int64_t> Engine::DeleteAccount(const std::string& tenant,
                                              const std::string& name) {
  // Deleting used to remove the revenue history too, so past reports
  // changed; it is now an erase (docs/decisions/0030-true-history.md).
  absl::StatusOr<account::v1::EraseAccountResponse> erased =
      EraseAccount(tenant, name);
  if (!erased.ok()) return erased.status();
  return erased->deleted_signals();
}

}  // namespace retain::engine
