// Durable, ordered, at-least-once delivery of signals to one plugin: a
// thread reads the log from the plugin's persisted cursor, hands each
// signal of a subscribed kind to on_signal, retrying a failed one with
// backoff up to the plugin's signal_retry_limit, then sets it aside as a
// dead letter (dead_letters.h) and goes on; it advances the cursor after
// each batch. Retries of dead letters run on the same thread, between
// signals, so the plugin never sees two signals at once.
#ifndef RETAIN_CORE_PLUGIN_HOST_SIGNAL_DELIVERY_H_
#define RETAIN_CORE_PLUGIN_HOST_SIGNAL_DELIVERY_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/plugin_host/dead_letters.h"
#include "core/plugin_host/hook_runner.h"
#include "core/plugin_host/plugin.h"

namespace retain::plugin_host {

struct DeliveryOptions {
  int batch = 256;  // signals read from the log at a time
  // Delay before retrying a failed signal; doubles up to 32x.
  absl::Duration retry = absl::Milliseconds(100);
  // Failed attempts in a row at one signal before it becomes a dead letter.
  int retry_limit = 5;
  // Health-event feed: how often it reads every tenant's history in case a
  // wake-up was missed (a wake reads only the tenant it names).
  absl::Duration full_poll = absl::Seconds(30);
};

class SignalDelivery {
 public:
  // Told, after each batch, of the (tenant, account) pairs whose signals
  // the plugin handled.
  using Delivered = std::function<void(
      const std::vector<std::pair<std::string, std::string>>& accounts)>;

  // What one retry of dead letters came to.
  struct RetryResult {
    std::vector<int64_t> delivered;  // handled: no longer dead letters
    std::vector<DeadLetter> failed;  // failed again, as they now stand
    std::vector<int64_t> gone;       // the signal left the log: dropped
    std::vector<int64_t> not_tried;  // parked or stopping first
  };
  using RetryDone = std::function<void(absl::StatusOr<RetryResult>)>;

  // `durable_seq` is the host's highest durable seq (shared by every
  // plugin's delivery). The plugin's dead_letters must be set.
  SignalDelivery(std::shared_ptr<Plugin> plugin, HookRunner* runner,
                 const std::atomic<int64_t>* durable_seq,
                 DeliveryOptions options, Delivered delivered);
  ~SignalDelivery();  // Stop()

  // Reads (or, with deliver_from "now", sets) the persisted cursor, moves
  // it past the last dead letter, and starts the thread. A cursor that
  // cannot be read or parsed parks the plugin with the reason and starts
  // nothing: start-up goes on.
  void Start(int64_t durable_now);
  // More signals are durable, or the plugin was resumed. Never blocks.
  void Wake();
  void Stop();
  // Whether the thread runs (Start succeeded and Stop was not called).
  bool running() const { return thread_.joinable(); }

  // Hands `letters` to the plugin once each, in the order given, on the
  // delivery thread between two signals; `done` runs there, or at once
  // (FAILED_PRECONDITION) when delivery does not run. Retries still queued
  // at Stop get UNAVAILABLE. Never blocks.
  void Retry(std::vector<DeadLetter> letters, RetryDone done);

  // The store namespace of every plugin's cursor (key: plugin name).
  static constexpr char kCursorNamespace[] = "_host/cursors";

 private:
  struct RetryJob {
    std::vector<DeadLetter> letters;
    RetryDone done;
  };
  enum class Fate { kHandled, kSetAside, kStop };

  void Loop();
  // Delivers one signal, retrying it until it is handled or set aside;
  // kStop when delivery must stop for now (stopping, parked, or rejected).
  Fate DeliverOne(const store::StoredSignal& sig, absl::Duration* retry);
  // Runs the queued retries of dead letters (delivery thread only).
  void ServeRetries();
  RetryResult RunRetry(const std::vector<DeadLetter>& letters,
                       absl::Status* error);
  // Runs on_signal once for `sig`.
  Outcome Attempt(const store::StoredSignal& sig, const std::string& label);
  void Persist(int64_t position);
  bool stopping();

  std::shared_ptr<Plugin> plugin_;
  HookRunner* runner_;
  const std::atomic<int64_t>* durable_seq_;
  DeliveryOptions options_;
  Delivered delivered_;
  std::thread thread_;

  // The failed attempts so far at the signal delivery is stuck on; kept
  // across parking, so a resumed plugin does not start the count again.
  // Delivery thread only.
  int64_t failing_seq_ = 0;
  DeliveryFailure failing_;

  absl::Mutex mu_;
  int64_t cursor_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t wake_generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<RetryJob> retries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_SIGNAL_DELIVERY_H_
