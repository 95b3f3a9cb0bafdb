// The ingest pipeline (docs/decisions/0006-ingest-group-commit.md):
//   caller's thread: validate the batch, serialize its rows, enqueue;
//   writer thread:   take every queued batch, drop replayed ids, append all
//                    rows and the queued alerts in one transaction (one
//                    fsync), record the ids, publish the alerts;
//   refresh thread:  apply the committed signals to the model, refresh the
//                    touched accounts' health, queue band changes for the
//                    writer's next commit, and have each batch acknowledged
//                    once they are published (at once when there are none).
// The writer starts the next transaction while the previous group is being
// applied, and a signal is acknowledged only once durable and visible.
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "api/limits.h"
#include "api/names.h"
#include "api/proto_time.h"
#include "api/signal_validation.h"
#include "core/common/log.h"
#include "core/engine/engine.h"
#include "core/health/churn_reason_check.h"
#include "core/health/health_model.h"
#include "core/model/apply_signal.h"
#include "core/model/arr_moves.h"

namespace retain::engine {

using health::CheckChurnReason;

using api::FromProto;
using api::ToProto;

absl::Status Engine::ValidateBatch(
    const std::string& tenant, const std::vector<signal::v1::Signal>& signals,
    bool allow_reserved) {
  if (absl::Status s = api::ValidateSignalCount(signals.size()); !s.ok()) {
    return s;
  }
  const absl::Time now = absl::Now();
  // Earliest CHURN per account in this batch, for the win-back rule.
  absl::flat_hash_map<std::string, absl::Time> batch_churns;
  for (size_t i = 0; i < signals.size(); ++i) {
    const signal::v1::Signal& sig = signals[i];
    // The field path is only built for the message of a rejected signal.
    if (!api::ValidateSignal(sig, "", now, allow_reserved).ok()) {
      return api::ValidateSignal(sig, absl::StrCat("signals[", i, "]"), now,
                                 allow_reserved);
    }
    AccountEntry* entry = FindAccount(tenant, api::AccountIdOf(sig.account()));
    if (!entry) {
      return absl::InvalidArgumentError(absl::StrCat(
          "signals[", i, "].account: no account \"", sig.account(), "\""));
    }
    if (sig.has_commercial()) {
      if (absl::Status s = CheckChurnReason(health_config(), sig.commercial(),
                                            absl::StrCat("signals[", i, "]"));
          !s.ok()) {
        return s;
      }
      const absl::Time t = FromProto(sig.occur_time());
      if (sig.commercial().kind() == signal::v1::COMMERCIAL_EVENT_KIND_CHURN) {
        auto [it, fresh] = batch_churns.try_emplace(sig.account(), t);
        if (!fresh && t < it->second) it->second = t;
      }
      // A win-back needs a churn to come back from: stored, or earlier in
      // this batch (an import sends both together).
      if (sig.commercial().kind() ==
              signal::v1::COMMERCIAL_EVENT_KIND_WIN_BACK &&
          !model::IsChurnedAt(entry->state.timeline, t)) {
        auto it = batch_churns.find(sig.account());
        if (it == batch_churns.end() || it->second > t) {
          return absl::InvalidArgumentError(absl::StrCat(
              "signals[", i,
              "].commercial.kind: a WIN_BACK needs an account churned at "
              "occur_time (ARR 0 after having been > 0); \"",
              sig.account(), "\" is not: record a NEW_LOGO or an EXPANSION"));
        }
      }
    }
    // Only a CHURN takes ARR to 0 (and marks the lifecycle churned): a
    // contraction, or a renewal at a lower ARR (a down-sell, counted as a
    // contraction everywhere), must leave some ARR.
    if (sig.has_commercial() && sig.commercial().arr_delta() < 0 &&
        (sig.commercial().kind() ==
             signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION ||
         sig.commercial().kind() ==
             signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL)) {
      const double arr =
          model::ArrAt(entry->state.timeline, FromProto(sig.occur_time()));
      if (arr + sig.commercial().arr_delta() <= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "signals[", i, "].commercial.arr_delta: ",
            sig.commercial().kind() == signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL
                ? "a renewal lowering ARR by "
                : "a contraction of ",
            -sig.commercial().arr_delta(), " would take ARR ", arr,
            " to 0 or below; record a CHURN instead"));
      }
    }
    // ARR stays within the bound an account may be created with, however
    // many expansions are recorded.
    if (sig.has_commercial() && sig.commercial().arr_delta() > 0 &&
        (sig.commercial().kind() ==
             signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION ||
         sig.commercial().kind() ==
             signal::v1::COMMERCIAL_EVENT_KIND_RENEWAL)) {
      const double arr =
          model::ArrAt(entry->state.timeline, FromProto(sig.occur_time()));
      if (arr + sig.commercial().arr_delta() > api::kMaxArr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "signals[", i, "].commercial.arr_delta: an increase of ",
            sig.commercial().arr_delta(), " would take ARR ", arr, " above ",
            api::kMaxArr));
      }
    }
  }
  return absl::OkStatus();
}

Engine::PendingBatch Engine::PrepareBatch(
    const std::string& tenant, std::vector<signal::v1::Signal> signals,
    IngestDone done) {
  PendingBatch batch{tenant, std::move(signals), {}, std::move(done)};
  const absl::Time now = absl::Now();
  const google::protobuf::Timestamp record_time = ToProto(now);
  batch.rows.resize(batch.signals.size());
  for (size_t i = 0; i < batch.signals.size(); ++i) {
    signal::v1::Signal& sig = batch.signals[i];
    sig.set_kind(model::KindOf(sig));
    *sig.mutable_record_time() = record_time;
    store::StoredSignal& row = batch.rows[i];
    row.tenant = tenant;
    row.signal_id = sig.signal_id();
    row.account_id = api::AccountIdOf(sig.account());
    row.kind = sig.kind();
    row.occur_time = FromProto(sig.occur_time());
    row.record_time = now;
    sig.SerializeToString(&row.payload);
  }
  return batch;
}

absl::Status Engine::Admit(PendingBatch& batch, bool rate_limited) {
  int64_t bytes = 0;
  for (const store::StoredSignal& row : batch.rows) bytes += row.payload.size();
  if (absl::Status s = quotas_.AdmitSignals(
          batch.tenant, static_cast<int64_t>(batch.rows.size()), bytes,
          rate_limited, absl::Now());
      !s.ok()) {
    return s;
  }
  batch.reserved_bytes = bytes;
  return absl::OkStatus();
}

absl::Status Engine::RecordSignalsAsync(const std::string& tenant,
                                        std::vector<signal::v1::Signal> signals,
                                        IngestDone done) {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (absl::Status s = ValidateBatch(tenant, signals, false); !s.ok()) {
      return s;
    }
  }
  // Quotas after the field rules, so a malformed batch costs no tokens; a
  // batch over a quota is refused whole, like an invalid one.
  PendingBatch batch =
      PrepareBatch(tenant, std::move(signals), std::move(done));
  if (absl::Status s = Admit(batch, /*rate_limited=*/true); !s.ok()) return s;
  Enqueue(std::move(batch));
  return absl::OkStatus();
}

void Engine::Enqueue(PendingBatch batch) {
  absl::MutexLock lock(&queue_mu_);
  if (stopping_) {
    quotas_.Settle(batch.tenant, batch.reserved_bytes, 0);
    IngestDone done = std::move(batch.done);
    queue_mu_.Unlock();
    done(absl::UnavailableError("server is shutting down"));
    queue_mu_.Lock();
    return;
  }
  queue_.push_back(std::move(batch));
}

absl::StatusOr<IngestCounts> Engine::RecordSignals(
    const std::string& tenant, std::vector<signal::v1::Signal> signals) {
  return RecordAndWait(tenant, std::move(signals), /*allow_reserved=*/false);
}

absl::Status Engine::RecordSystemSignals(
    const std::string& tenant, std::vector<signal::v1::Signal> signals) {
  if (signals.empty()) return absl::OkStatus();
  return RecordAndWait(tenant, std::move(signals), /*allow_reserved=*/true)
      .status();
}

absl::StatusOr<IngestCounts> Engine::RecordAndWait(
    const std::string& tenant, std::vector<signal::v1::Signal> signals,
    bool allow_reserved, std::vector<store::StoredAccount> accounts) {
  // A profile alone (an update that implies no history) needs no signal.
  if (!signals.empty() || accounts.empty()) {
    absl::ReaderMutexLock lock(&mu_);
    if (absl::Status s = ValidateBatch(tenant, signals, allow_reserved);
        !s.ok()) {
      return s;
    }
  }
  absl::Mutex mu;
  bool finished = false;
  absl::StatusOr<IngestCounts> result;
  PendingBatch batch = PrepareBatch(tenant, std::move(signals),
                                    [&](absl::StatusOr<IngestCounts> r) {
                                      absl::MutexLock lock(&mu);
                                      result = std::move(r);
                                      finished = true;
                                    });
  batch.accounts = std::move(accounts);
  // What the server records itself (allow_reserved) follows from a write
  // that was admitted already.
  if (!allow_reserved) {
    if (absl::Status s = Admit(batch, /*rate_limited=*/false); !s.ok()) {
      return s;
    }
  }
  Enqueue(std::move(batch));
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(&finished));
  return result;
}

void Engine::WriterLoop() {
  while (true) {
    std::vector<PendingBatch> group;
    std::vector<store::StoredAlert> alerts;
    std::vector<std::function<void()>> waiters;
    {
      absl::MutexLock lock(&queue_mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
        return !queue_.empty() || !alert_queue_.empty() || stopping_;
      };
      queue_mu_.Await(absl::Condition(&ready));
      if (queue_.empty() && alert_queue_.empty()) {  // stopping and drained
        writer_stopped_ = true;
        return;
      }
      size_t total = 0;
      while (!queue_.empty() &&
             (group.empty() ||
              total + queue_.front().signals.size() <=
                  static_cast<size_t>(options_.max_group_signals))) {
        total += queue_.front().signals.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      // Alerts ride along with whatever signals are committed next.
      alerts.swap(alert_queue_);
      waiters.swap(alert_waiters_);
    }
    CommitGroup(group, std::move(alerts));
    for (auto& w : waiters) w();
  }
}

void Engine::CommitGroup(std::vector<PendingBatch>& group,
                         std::vector<store::StoredAlert> alerts) {
  CommittedGroup committed;
  committed.counts.resize(group.size());
  committed.fresh.resize(group.size());
  std::vector<store::StoredSignal> rows;
  // Ids first seen in this group (views into its rows, which outlive it).
  absl::flat_hash_set<std::pair<absl::string_view, absl::string_view>> in_group;
  for (size_t b = 0; b < group.size(); ++b) {
    const auto ids = writer_ids_.find(group[b].tenant);
    std::vector<bool>& fresh = committed.fresh[b];
    fresh.assign(group[b].rows.size(), false);
    for (size_t i = 0; i < group[b].rows.size(); ++i) {
      const store::StoredSignal& row = group[b].rows[i];
      if ((ids != writer_ids_.end() && ids->second.contains(row.signal_id)) ||
          !in_group.emplace(row.tenant, row.signal_id).second) {
        ++committed.counts[b].duplicates;
        continue;
      }
      fresh[i] = true;
      ++committed.counts[b].recorded;
    }
  }
  for (size_t b = 0; b < group.size(); ++b) {
    for (size_t i = 0; i < group[b].rows.size(); ++i) {
      if (committed.fresh[b][i]) rows.push_back(std::move(group[b].rows[i]));
    }
  }
  in_group.clear();  // its views point into rows moved above
  std::vector<store::StoredAccount> accounts;
  for (PendingBatch& b : group) {
    for (auto& a : b.accounts) accounts.push_back(std::move(a));
  }

  store::AlertAppend alert_rows{std::move(alerts),
                                options_.alert_retention.max_per_tenant};
  if (absl::Status write = store_->AppendSignals(rows, accounts, alert_rows);
      !write.ok()) {
    for (PendingBatch& b : group) {
      quotas_.Settle(b.tenant, b.reserved_bytes, 0);
      b.done(write);
    }
    if (!alert_rows.alerts.empty()) {
      common::Log("error", "alerts not stored",
                  {{"alerts", static_cast<int64_t>(alert_rows.alerts.size())},
                   {"error", std::string(write.message())}});
      for (store::StoredAlert& a : alert_rows.alerts) a.position = 0;
      PublishAlertRows(alert_rows.alerts);
    }
    return;
  }
  PublishAlertRows(alert_rows.alerts);
  if (group.empty()) return;
  // The seqs the store assigned go back to the batches, for the apply stage.
  size_t r = 0;
  for (size_t b = 0; b < group.size(); ++b) {
    group[b].rows.clear();
    for (size_t i = 0; i < group[b].signals.size(); ++i) {
      if (!committed.fresh[b][i]) continue;
      writer_ids_[rows[r].tenant].insert(rows[r].signal_id);
      group[b].rows.push_back(std::move(rows[r++]));
    }
  }
  int64_t last_seq = 0;
  for (const PendingBatch& b : group) {
    if (!b.rows.empty()) last_seq = std::max(last_seq, b.rows.back().seq);
  }
  if (last_seq > 0) {
    last_seq_ = last_seq;
    commits_++;
    committed_signals_ += rows.size();
    stored_signals_ += rows.size();
    if (options_.on_durable) options_.on_durable(last_seq);
  }
  committed.batches = std::move(group);
  absl::MutexLock lock(&refresh_mu_);
  refresh_queue_.push_back(std::move(committed));
}

void Engine::RefreshLoop() {
  while (true) {
    std::vector<CommittedGroup> groups;
    {
      absl::MutexLock lock(&refresh_mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_) {
        return !refresh_queue_.empty() || refresh_stop_;
      };
      refresh_mu_.Await(absl::Condition(&ready));
      if (refresh_queue_.empty()) return;  // stopping and drained
      while (!refresh_queue_.empty()) {
        groups.push_back(std::move(refresh_queue_.front()));
        refresh_queue_.pop_front();
      }
    }
    ApplyRefreshAcknowledge(groups);
  }
}

void Engine::ApplyRefreshAcknowledge(std::vector<CommittedGroup>& groups) {
  // Groups that queued up meanwhile are applied together, in commit order,
  // and an account touched by several of them is scored once. Accounts are
  // named by (tenant, id) between the locks below: one may be deleted while
  // no lock is held.
  std::vector<AccountKey> touched;
  {
    absl::MutexLock lock(&mu_);
    absl::flat_hash_set<AccountEntry*> seen;
    for (CommittedGroup& g : groups) {
      for (size_t b = 0; b < g.batches.size(); ++b) {
        PendingBatch& batch = g.batches[b];
        size_t r = 0;
        int64_t applied_bytes = 0;
        for (size_t i = 0; i < batch.signals.size(); ++i) {
          if (!g.fresh[b][i]) continue;  // a replay: not written, not applied
          const store::StoredSignal& row = batch.rows[r++];
          const int64_t bytes = static_cast<int64_t>(row.payload.size());
          bool reference_duplicate = false;
          if (ApplyStored(row.tenant, row.account_id, row.seq, batch.signals[i],
                          bytes, &reference_duplicate)) {
            applied_bytes += bytes;
          }
          if (reference_duplicate) {
            ++g.counts[b].reference_duplicates;
            g.counts[b].reference_duplicate_ids.push_back(
                batch.signals[i].signal_id());
          }
          AccountEntry* e = FindAccount(row.tenant, row.account_id);
          if (e && seen.insert(e).second) {
            touched.emplace_back(row.tenant, row.account_id);
          }
        }
        // The reservation becomes stored bytes as the signals join their
        // accounts (whose deletion gives them back).
        quotas_.Settle(batch.tenant, batch.reserved_bytes, applied_bytes);
      }
    }
  }
  // A batch is acknowledged once the band changes it caused are stored and
  // published (with the writer's next commit), so a client that watches or
  // lists after its acknowledgement sees them as history, not as news. The
  // writer runs the acknowledgements; this thread goes on applying.
  std::vector<std::pair<IngestDone, IngestCounts>> acks;
  for (CommittedGroup& g : groups) {
    for (size_t b = 0; b < g.batches.size(); ++b) {
      acks.emplace_back(std::move(g.batches[b].done), std::move(g.counts[b]));
    }
  }
  QueueAlerts(ScoreChanges(touched, absl::Now()),
              [acks = std::move(acks)]() mutable {
                for (auto& [done, counts] : acks) done(counts);
              });
}

}  // namespace retain::engine
