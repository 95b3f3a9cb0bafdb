// One plugin's life as the host sees it: its state, with the legal
// transitions written down and enforced (after TensorFlow Serving's
// LoaderHarness), and the accounting of what its hooks did: counters, the
// last error, and the decision to park it after repeated failures. Every
// hook outcome (calls, signals, ticks, report contributions) is accounted
// here and nowhere else.
//
//   UNSPECIFIED (loading) -> READY | REFUSED | INIT_FAILED | DISABLED
//   READY  -> PARKED (repeated failures) | STOPPED (shutdown)
//   PARKED -> READY (an operator resumed it) | STOPPED
//   REFUSED, INIT_FAILED, DISABLED, STOPPED: final.
#ifndef RETAIN_CORE_PLUGIN_HOST_PLUGIN_HARNESS_H_
#define RETAIN_CORE_PLUGIN_HOST_PLUGIN_HARNESS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "retain/plugin/v1/plugin_service.pb.h"

namespace retain::plugin_host {

using plugin::v1::PluginState;

// Which hook ran.
enum class HookKind { kCall, kSignal, kReport, kTick, kHealthEvent };

// What running a hook produced.
struct Outcome {
  int32_t code = 0;
  std::string output;  // result, or error message when code != 0
  bool timed_out = false;
  bool rejected = false;  // not run: parked, stopped or queue full
  // Set on a failure: names the log line that holds the plugin's own error
  // text, which callers outside the server are not shown.
  std::string error_id;
};

// Codes that mean "the plugin broke" rather than "the plugin answered".
bool IsFailureCode(int32_t code);

class PluginHarness {
 public:
  // Told of every state change (outside the harness lock), e.g. to publish
  // grpc.health.v1 status and log it.
  using Observer =
      std::function<void(PluginState state, const std::string& error)>;

  static bool IsLegal(PluginState from, PluginState to);

  void set_observer(Observer observer) { observer_ = std::move(observer); }
  void set_max_consecutive_failures(int n) { max_failures_ = n; }

  PluginState state() const;
  bool ready() const { return state() == plugin::v1::PLUGIN_STATE_READY; }
  // Moves to `to` and records `error` (if any) as the last error;
  // FAILED_PRECONDITION, changing nothing, when the transition is illegal.
  absl::Status Transition(PluginState to, const std::string& error = "");
  // PARKED -> READY with the failure streak reset.
  absl::Status Resume();

  // Accounts one hook outcome; parks the plugin when it reaches its
  // consecutive-failure limit. A failure is a crash code, an overrun, or,
  // for a signal (which must be handled), any error. `label` prefixes the
  // last error (e.g. "signal 42").
  //
  // A signal's failed attempt joins the streak only when it overran (its
  // worker may still be stuck: the plugin is in trouble, not the signal).
  // Other signal failures are retried and, when delivery gives up, count
  // once, through DeadLettered: one poison signal does not park a plugin,
  // a plugin that fails every signal parks after that many dead letters.
  // Returns whether the outcome was a failure.
  bool Account(HookKind kind, const Outcome& outcome,
               const std::string& label = "");
  // Delivery set a signal aside after its last failed attempt (already
  // accounted): one more failure in the streak, which may park the plugin.
  // `what` becomes the last error.
  void DeadLettered(const std::string& what);
  // Delivery position, for the PluginService view.
  void SetDelivery(int64_t cursor, int64_t lag);

  std::string last_error() const;
  // Fills state, counters, last error and their times.
  void Fill(plugin::v1::Plugin* info) const;

 private:
  // Adds one to the streak; the reason to park when it reached the limit.
  std::string StreakGrewLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  PluginState state_ ABSL_GUARDED_BY(mu_) =
      plugin::v1::PLUGIN_STATE_UNSPECIFIED;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  absl::Time last_error_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time state_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  plugin::v1::PluginCounters counters_ ABSL_GUARDED_BY(mu_);
  int max_failures_ = 5;
  Observer observer_;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_PLUGIN_HARNESS_H_
