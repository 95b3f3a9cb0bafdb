#include "core/plugin_host/signal_delivery.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/common/log.h"

namespace retain::plugin_host {
namespace {

retain_str Str(const std::string& s) { return {s.data(), s.size()}; }

}  // namespace

SignalDelivery::SignalDelivery(std::shared_ptr<Plugin> plugin,
                               HookRunner* runner,
                               const std::atomic<int64_t>* durable_seq,
                               DeliveryOptions options, Delivered delivered)
    : plugin_(std::move(plugin)),
      runner_(runner),
      durable_seq_(durable_seq),
      options_(options),
      delivered_(std::move(delivered)) {}

SignalDelivery::~SignalDelivery() { Stop(); }

void SignalDelivery::Start(int64_t durable_now) {
  Plugin& p = *plugin_;
  store::Store& store = *p.env->store;
  auto stored = store.KvGet(kCursorNamespace, p.name());
  int64_t cursor = 0;
  std::string problem;
  if (!stored.ok()) {
    problem = absl::StrCat("cannot read its delivery cursor: ",
                           stored.status().ToString());
  } else if (stored->has_value()) {
    if (!absl::SimpleAtoi(**stored, &cursor) || cursor < 0) {
      problem = absl::StrCat(
          "its stored delivery cursor \"", stored->value().substr(0, 40),
          "\" is corrupt; fix or delete key '", p.name(), "' in namespace ",
          kCursorNamespace, " and resume the plugin");
    }
  } else if (p.settings.deliver_from_now) {
    cursor = durable_now;
    Persist(cursor);
  }
  if (problem.empty()) {
    // A signal set aside just before a crash was dealt with, though the
    // cursor did not say so yet.
    auto watermark = p.dead_letters->Watermark();
    if (!watermark.ok()) {
      problem =
          absl::StrCat(watermark.status().message(), " and resume the plugin");
    } else if (*watermark > cursor) {
      cursor = *watermark;
      Persist(cursor);
    }
  }
  if (!problem.empty()) {
    p.harness.Transition(plugin::v1::PLUGIN_STATE_PARKED, problem)
        .IgnoreError();
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    cursor_ = cursor;
    started_ = true;
  }
  p.harness.SetDelivery(cursor, std::max<int64_t>(0, durable_now - cursor));
  thread_ = std::thread(&SignalDelivery::Loop, this);
}

void SignalDelivery::Wake() {
  absl::MutexLock lock(&mu_);
  ++wake_generation_;
}

void SignalDelivery::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  std::deque<RetryJob> left;
  {
    absl::MutexLock lock(&mu_);
    left.swap(retries_);
  }
  for (auto& job : left) {
    job.done(absl::UnavailableError("the server is stopping"));
  }
}

bool SignalDelivery::stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void SignalDelivery::Retry(std::vector<DeadLetter> letters, RetryDone done) {
  {
    absl::MutexLock lock(&mu_);
    if (started_ && !stopping_) {
      retries_.push_back({std::move(letters), std::move(done)});
      return;
    }
  }
  done(absl::FailedPreconditionError(
      absl::StrCat("plugin '", plugin_->name(), "' delivers no signals now")));
}

void SignalDelivery::Persist(int64_t position) {
  absl::Status s = plugin_->env->store->KvApply(
      kCursorNamespace, {{plugin_->name(), std::to_string(position)}});
  if (!s.ok()) {
    // Delivery goes on from memory; a restart re-delivers from the last
    // persisted cursor (at least once).
    common::Log("error", "cannot persist a plugin's delivery cursor",
                {{"plugin", plugin_->name()}, {"error", s.ToString()}});
  }
}

Outcome SignalDelivery::Attempt(const store::StoredSignal& sig,
                                const std::string& label) {
  Plugin& p = *plugin_;
  const retain_plugin_module* module = p.module();
  void* instance = p.instance;
  return runner_->RunSync(
      plugin_,
      // By value: a hook that overruns its deadline keeps running on its
      // worker after RunSync returned and the batch is gone.
      [module, instance, sig](retain_sink* out) {
        return module->retain_plugin_on_signal(instance, Str(sig.tenant),
                                               Str(sig.account_id), sig.seq,
                                               Str(sig.payload), out);
      },
      p.settings.call_timeout, HookKind::kSignal, label);
}

SignalDelivery::Fate SignalDelivery::DeliverOne(const store::StoredSignal& sig,
                                                absl::Duration* retry) {
  Plugin& p = *plugin_;
  if (failing_seq_ != sig.seq) {
    failing_seq_ = sig.seq;
    failing_ = DeliveryFailure();
  }
  for (;;) {
    ServeRetries();
    if (stopping() || !p.harness.ready()) return Fate::kStop;
    Outcome o = Attempt(sig, absl::StrCat("signal ", sig.seq));
    if (o.code == 0 && !o.timed_out) {
      *retry = options_.retry;
      failing_seq_ = 0;
      return Fate::kHandled;
    }
    if (o.rejected) return Fate::kStop;
    // Failed (and accounted; an overrun may have parked the plugin).
    const absl::Time now = absl::Now();
    if (failing_.attempts == 0) failing_.first = now;
    ++failing_.attempts;
    failing_.last = now;
    failing_.error = o.output;
    failing_.error_id = o.error_id;
    if (failing_.attempts >= options_.retry_limit) {
      auto letter = p.dead_letters->SetAside(sig, failing_);
      if (letter.ok()) {
        const std::string what = absl::StrCat(
            "signal ", sig.seq, " set aside as a dead letter after ",
            failing_.attempts, " failed attempts, last: ", o.output);
        common::Log("warn", "signal set aside as a dead letter",
                    {{"plugin", p.name()},
                     {"tenant", sig.tenant},
                     {"seq", sig.seq},
                     {"signal_id", sig.signal_id},
                     {"attempts", letter->attempts()},
                     {"error_id", o.error_id}});
        p.harness.DeadLettered(what);
        *retry = options_.retry;
        failing_seq_ = 0;
        return Fate::kSetAside;
      }
      // Skipping it unrecorded would lose it: keep trying the signal.
      common::Log("error", "cannot store a dead letter; the signal is retried",
                  {{"plugin", p.name()},
                   {"seq", sig.seq},
                   {"error", letter.status().ToString()}});
    }
    {
      absl::MutexLock lock(&mu_);
      const uint64_t seen = wake_generation_;
      auto woken = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || wake_generation_ != seen || !retries_.empty();
      };
      mu_.AwaitWithTimeout(absl::Condition(&woken), *retry);
    }
    *retry = std::min(*retry * 2, options_.retry * 32);
  }
}

void SignalDelivery::ServeRetries() {
  for (;;) {
    RetryJob job;
    {
      absl::MutexLock lock(&mu_);
      if (retries_.empty()) return;
      job = std::move(retries_.front());
      retries_.pop_front();
    }
    absl::Status error;
    RetryResult result = RunRetry(job.letters, &error);
    if (!error.ok()) {
      job.done(error);
    } else {
      job.done(std::move(result));
    }
  }
}

SignalDelivery::RetryResult SignalDelivery::RunRetry(
    const std::vector<DeadLetter>& letters, absl::Status* error) {
  Plugin& p = *plugin_;
  RetryResult r;
  std::vector<std::pair<std::string, std::string>> handled;
  bool go_on = true;
  for (const auto& letter : letters) {
    if (go_on && (stopping() || !p.harness.ready())) go_on = false;
    if (!go_on) {
      r.not_tried.push_back(letter.seq());
      continue;
    }
    auto found = p.env->store->GetSignals({letter.seq()});
    if (!found.ok()) {
      *error = found.status();
      break;
    }
    if (found->empty()) {
      auto removed = p.dead_letters->Remove({letter});
      if (!removed.ok()) {
        *error = removed.status();
        break;
      }
      r.gone.push_back(letter.seq());
      continue;
    }
    const store::StoredSignal& sig = found->front();
    Outcome o = Attempt(sig, absl::StrCat("dead letter ", sig.seq));
    if (o.rejected) {
      go_on = false;
      r.not_tried.push_back(letter.seq());
      continue;
    }
    if (o.code == 0 && !o.timed_out) {
      auto removed = p.dead_letters->Remove({letter});
      if (!removed.ok()) {
        *error = removed.status();
        break;
      }
      r.delivered.push_back(letter.seq());
      handled.emplace_back(sig.tenant, sig.account_id);
      continue;
    }
    DeliveryFailure f;
    f.attempts = 1;
    f.first = f.last = absl::Now();
    f.error = o.output;
    f.error_id = o.error_id;
    auto updated = p.dead_letters->FailedAgain(letter, f);
    if (!updated.ok()) {
      *error = updated.status();
      break;
    }
    if (updated->has_value()) r.failed.push_back(std::move(**updated));
  }
  if (!handled.empty() && delivered_) {
    std::sort(handled.begin(), handled.end());
    handled.erase(std::unique(handled.begin(), handled.end()), handled.end());
    delivered_(handled);
  }
  return r;
}

void SignalDelivery::Loop() {
  Plugin& p = *plugin_;
  absl::Duration retry = options_.retry;
  for (;;) {
    ServeRetries();
    int64_t cursor;
    uint64_t generation;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      cursor = cursor_;
      generation = wake_generation_;
    }
    const int64_t durable = durable_seq_->load();
    std::vector<store::StoredSignal> batch;
    int64_t scanned_to = cursor;
    if (p.harness.ready() && durable > cursor) {
      const int limit = std::max(1, options_.batch);
      absl::Status s = p.env->store->ForEachSignal(
          cursor, [&](const store::StoredSignal& sig) {
            scanned_to = sig.seq;
            if (p.kinds.count(sig.kind)) batch.push_back(sig);
            return static_cast<int>(batch.size()) < limit;
          });
      if (!s.ok()) {
        common::Log("error", "plugin delivery cannot read the signal log",
                    {{"plugin", p.name()}, {"error", s.ToString()}});
        scanned_to = cursor;
        batch.clear();
      }
    }
    int64_t position = cursor;
    bool stalled = false;
    std::vector<std::pair<std::string, std::string>> handled;
    for (const auto& sig : batch) {
      const Fate fate = DeliverOne(sig, &retry);
      if (fate == Fate::kStop) {
        stalled = true;
        break;
      }
      position = sig.seq;
      if (fate == Fate::kHandled) {
        handled.emplace_back(sig.tenant, sig.account_id);
      }
    }
    if (!stalled) position = std::max(position, scanned_to);
    if (!handled.empty() && delivered_) {
      std::sort(handled.begin(), handled.end());
      handled.erase(std::unique(handled.begin(), handled.end()), handled.end());
      delivered_(handled);
    }
    if (position != cursor) {
      Persist(position);
      {
        absl::MutexLock lock(&mu_);
        cursor_ = position;
      }
      p.harness.SetDelivery(
          position, std::max<int64_t>(0, durable_seq_->load() - position));
      continue;  // more may be waiting
    }
    p.harness.SetDelivery(cursor, std::max<int64_t>(0, durable - cursor));
    absl::MutexLock lock(&mu_);
    auto woken = [this, generation]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_ || wake_generation_ != generation || !retries_.empty();
    };
    // Woken by Wake (new signals, a resume), Retry or Stop; polls now and
    // then as well in case a notification was missed.
    mu_.AwaitWithTimeout(absl::Condition(&woken), absl::Seconds(2));
  }
}

}  // namespace retain::plugin_host
