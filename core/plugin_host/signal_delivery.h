// Durable, ordered, at-least-once delivery of signals to one plugin: a
// thread reads the log from the plugin's persisted cursor, hands each
// signal of a subscribed kind to on_signal (retrying a failed one, never
// skipping it), and advances the cursor after each batch.
#ifndef RETAIN_CORE_PLUGIN_HOST_SIGNAL_DELIVERY_H_
#define RETAIN_CORE_PLUGIN_HOST_SIGNAL_DELIVERY_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/plugin_host/hook_runner.h"
#include "core/plugin_host/plugin.h"

namespace retain::plugin_host {

struct DeliveryOptions {
  int batch = 256;  // signals read from the log at a time
  // Delay before retrying a failed signal; doubles up to 32x.
  absl::Duration retry = absl::Milliseconds(100);
};

class SignalDelivery {
 public:
  // Told, after each batch, of the (tenant, account) pairs whose signals
  // the plugin handled.
  using Delivered = std::function<void(
      const std::vector<std::pair<std::string, std::string>>& accounts)>;

  // `durable_seq` is the host's highest durable seq (shared by every
  // plugin's delivery).
  SignalDelivery(std::shared_ptr<Plugin> plugin, HookRunner* runner,
                 const std::atomic<int64_t>* durable_seq,
                 DeliveryOptions options, Delivered delivered);
  ~SignalDelivery();  // Stop()

  // Reads (or, with deliver_from "now", sets) the persisted cursor and
  // starts the thread. A cursor that cannot be read or parsed parks the
  // plugin with the reason and starts nothing: start-up goes on.
  void Start(int64_t durable_now);
  // More signals are durable, or the plugin was resumed. Never blocks.
  void Wake();
  void Stop();
  // Whether the thread runs (Start succeeded and Stop was not called).
  bool running() const { return thread_.joinable(); }

  // The store namespace of every plugin's cursor (key: plugin name).
  static constexpr char kCursorNamespace[] = "_host/cursors";

 private:
  void Loop();
  // Delivers one signal, retrying until it is handled; false when delivery
  // must stop for now (stopping, parked, or rejected).
  bool DeliverOne(const store::StoredSignal& sig, absl::Duration* retry);
  void Persist(int64_t position);

  std::shared_ptr<Plugin> plugin_;
  HookRunner* runner_;
  const std::atomic<int64_t>* durable_seq_;
  DeliveryOptions options_;
  Delivered delivered_;
  std::thread thread_;

  absl::Mutex mu_;
  int64_t cursor_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t wake_generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_SIGNAL_DELIVERY_H_
