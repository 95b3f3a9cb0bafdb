// Durable, ordered, at-least-once delivery of health events to one plugin
// (ABI 1.3, docs/decisions/0025-health-events.md). The source of truth is
// the stored alert history (decision 0020): band changes, indicator changes
// and plugin alerts, each with a position per tenant. A thread reads each
// tenant's history from the plugin's persisted cursor for that tenant,
// hands each alert of a subscribed kind to on_health_event, retrying a
// failed one with backoff up to the plugin's signal_retry_limit, then sets
// it aside and goes on. The same parts and rules as signal delivery
// (signal_delivery.h): the hook runner, the harness (an overrun parks the
// plugin, a resume picks up where it stopped), the same options.
//
// Namespace "_host/health_feed/<plugin>" holds "cursor/<tenant>" (the last
// position dealt with) and the set-aside events (set_aside_events.h),
// which PluginService lists, retries (on this thread, between two events)
// and drops like signal dead letters.
//
// What it reads: a wake names the tenant whose alert was stored, and only
// woken tenants (and those a batch left more in) are read; every tenant the
// engine knows is read at start, on a resume, and every `full_poll` as a
// safety net for a missed wake.
#ifndef RETAIN_CORE_PLUGIN_HOST_HEALTH_EVENT_DELIVERY_H_
#define RETAIN_CORE_PLUGIN_HOST_HEALTH_EVENT_DELIVERY_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "core/plugin_host/hook_runner.h"
#include "core/plugin_host/plugin.h"
#include "core/plugin_host/set_aside_events.h"
#include "core/plugin_host/signal_delivery.h"
#include "retain/plugin/v1/abi.pb.h"
#include "retain/report/v1/report.pb.h"

namespace retain::plugin_host {

// The event a stored alert is for a plugin: its kind from its source and
// code ("core" "health.band_changed", "health.indicator_appeared",
// "health.indicator_cleared"; anything else is an ALERT).
plugin::v1::HealthEvent ToHealthEvent(const report::v1::HealthAlert& alert);

class HealthEventDelivery {
 public:
  HealthEventDelivery(std::shared_ptr<Plugin> plugin, HookRunner* runner,
                      DeliveryOptions options);
  ~HealthEventDelivery();  // Stop()

  // Reads the persisted cursors; a tenant the history knows and the plugin
  // has no cursor for starts at 0, or at its newest position with
  // deliver_from "now"; then starts the thread. A cursor that cannot be
  // read parks the plugin with the reason and starts nothing.
  void Start();
  // An alert of `tenant` was stored: read that tenant's history. Empty:
  // read every tenant's (e.g. after a resume). Never blocks.
  void Wake(const std::string& tenant);
  void Stop();
  bool running() const { return thread_.joinable(); }

  // Hands set-aside events to the plugin once each, in the order given, on
  // the delivery thread between two events; `done` runs there, or at once
  // (FAILED_PRECONDITION) when delivery does not run. Those handled leave
  // the list; those that fail again stay with attempts + 1; one whose alert
  // left the history (pruned) is dropped. Never blocks.
  using RetryDone = SignalDelivery::RetryDone;
  void Retry(std::vector<DeadLetter> letters, RetryDone done);

  static std::string Namespace(const std::string& plugin);
  static std::string CursorKey(const std::string& tenant);
  static std::string SetAsideKey(const std::string& tenant, int64_t position);

 private:
  enum class Fate { kHandled, kSetAside, kStop };
  struct RetryJob {
    std::vector<DeadLetter> letters;
    RetryDone done;
  };

  void Loop();
  void ServeRetries();
  SignalDelivery::RetryResult RunRetry(const std::vector<DeadLetter>& letters,
                                       absl::Status* error);
  // Delivers the tenant's events after its cursor, one batch; true when the
  // cursor moved. Sets *stalled when delivery must stop for now.
  bool DeliverBatch(const std::string& tenant, bool* stalled);
  Fate DeliverOne(const std::string& tenant,
                  const plugin::v1::HealthEvent& event, absl::Duration* retry);
  Outcome Attempt(const std::string& tenant,
                  const plugin::v1::HealthEvent& event);
  bool Wants(const plugin::v1::HealthEvent& event) const;
  void Persist(const std::string& tenant, int64_t position);
  bool stopping();

  std::shared_ptr<Plugin> plugin_;
  HookRunner* runner_;
  DeliveryOptions options_;
  std::thread thread_;

  // Delivery thread only (after Start): each tenant's cursor, and the
  // failed attempts at the event delivery is stuck on.
  std::map<std::string, int64_t> cursors_;
  std::pair<std::string, int64_t> failing_;
  DeliveryFailure failure_;
  // Tenants to read in the next round without a wake: a batch left more,
  // or a stall left them unread.
  std::set<std::string> pending_;
  absl::Time next_full_ = absl::InfinitePast();

  absl::Mutex mu_;
  std::set<std::string> woken_ ABSL_GUARDED_BY(mu_);  // since the last round
  bool wake_all_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t wake_generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<RetryJob> retries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_HEALTH_EVENT_DELIVERY_H_
