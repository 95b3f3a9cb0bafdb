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
  if (!problem.empty()) {
    p.harness.Transition(plugin::v1::PLUGIN_STATE_PARKED, problem)
        .IgnoreError();
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    cursor_ = cursor;
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

bool SignalDelivery::DeliverOne(const store::StoredSignal& sig,
                                absl::Duration* retry) {
  Plugin& p = *plugin_;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return false;
    }
    if (!p.harness.ready()) return false;
    const retain_plugin_module* module = p.module();
    void* instance = p.instance;
    Outcome o = runner_->RunSync(
        plugin_,
        // By value: a hook that overruns its deadline keeps running on its
        // worker after RunSync returned and the batch is gone.
        [module, instance, sig](retain_sink* out) {
          return module->retain_plugin_on_signal(instance, Str(sig.tenant),
                                                 Str(sig.account_id), sig.seq,
                                                 Str(sig.payload), out);
        },
        p.settings.call_timeout, HookKind::kSignal,
        absl::StrCat("signal ", sig.seq));
    if (o.code == 0 && !o.timed_out) {
      *retry = options_.retry;
      return true;
    }
    if (o.rejected) return false;
    // Failed (and accounted, maybe parked): wait, then try the same signal.
    absl::MutexLock lock(&mu_);
    const uint64_t seen = wake_generation_;
    auto woken = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_ || wake_generation_ != seen;
    };
    mu_.AwaitWithTimeout(absl::Condition(&woken), *retry);
    *retry = std::min(*retry * 2, options_.retry * 32);
  }
}

void SignalDelivery::Loop() {
  Plugin& p = *plugin_;
  absl::Duration retry = options_.retry;
  for (;;) {
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
      if (!DeliverOne(sig, &retry)) {
        stalled = true;
        break;
      }
      position = sig.seq;
      handled.emplace_back(sig.tenant, sig.account_id);
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
      return stopping_ || wake_generation_ != generation;
    };
    // Woken by Wake (new signals, a resume) or Stop; polls now and then as
    // well in case a notification was missed.
    mu_.AwaitWithTimeout(absl::Condition(&woken), absl::Seconds(2));
  }
}

}  // namespace retain::plugin_host
