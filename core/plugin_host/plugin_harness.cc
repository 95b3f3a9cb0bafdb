#include "core/plugin_host/plugin_harness.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/support/status_code_enum.h"

namespace retain::plugin_host {
namespace {

using plugin::v1::PluginState_Name;

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  int64_t us = absl::ToUnixMicros(t);
  out->set_seconds(us / 1000000);
  out->set_nanos(static_cast<int32_t>((us % 1000000) * 1000));
}

// Hooks of a durable feed: any non-zero code fails the item (it is retried,
// then set aside), whatever the code.
bool Delivered(HookKind kind) {
  return kind == HookKind::kSignal || kind == HookKind::kHealthEvent;
}

}  // namespace

bool IsFailureCode(int32_t code) {
  return code == static_cast<int32_t>(grpc::StatusCode::UNKNOWN) ||
         code == static_cast<int32_t>(grpc::StatusCode::INTERNAL) ||
         code == static_cast<int32_t>(grpc::StatusCode::DATA_LOSS);
}

bool PluginHarness::IsLegal(PluginState from, PluginState to) {
  using namespace plugin::v1;  // NOLINT: the state names read better bare
  switch (from) {
    case PLUGIN_STATE_UNSPECIFIED:
      return to == PLUGIN_STATE_READY || to == PLUGIN_STATE_REFUSED ||
             to == PLUGIN_STATE_INIT_FAILED || to == PLUGIN_STATE_DISABLED;
    case PLUGIN_STATE_READY:
      return to == PLUGIN_STATE_PARKED || to == PLUGIN_STATE_STOPPED;
    case PLUGIN_STATE_PARKED:
      return to == PLUGIN_STATE_READY || to == PLUGIN_STATE_STOPPED;
    default:
      return false;
  }
}

PluginState PluginHarness::state() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

absl::Status PluginHarness::Transition(PluginState to,
                                       const std::string& error) {
  {
    absl::MutexLock lock(&mu_);
    if (!IsLegal(state_, to)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the plugin is ", PluginState_Name(state_), ", not ",
          to == plugin::v1::PLUGIN_STATE_READY
              ? "parked"
              : absl::StrCat("able to become ", PluginState_Name(to))));
    }
    state_ = to;
    state_time_ = absl::Now();
    if (!error.empty()) {
      last_error_ = error;
      last_error_time_ = state_time_;
    }
  }
  if (observer_) observer_(to, error);
  return absl::OkStatus();
}

absl::Status PluginHarness::Resume() {
  {
    absl::MutexLock lock(&mu_);
    if (state_ != plugin::v1::PLUGIN_STATE_PARKED) {
      return absl::FailedPreconditionError(
          absl::StrCat("it is ", PluginState_Name(state_), ", not parked"));
    }
    counters_.set_consecutive_failures(0);
  }
  return Transition(plugin::v1::PLUGIN_STATE_READY);
}

bool PluginHarness::Account(HookKind kind, const Outcome& o,
                            const std::string& label) {
  const bool failure =
      o.timed_out || (!o.rejected && (IsFailureCode(o.code) ||
                                      (Delivered(kind) && o.code != 0)));
  std::string park;
  {
    absl::MutexLock lock(&mu_);
    auto& c = counters_;
    switch (kind) {
      case HookKind::kCall:
        c.set_calls(c.calls() + 1);
        if (o.rejected) {
          c.set_calls_rejected(c.calls_rejected() + 1);
        } else if (failure) {
          c.set_call_failures(c.call_failures() + 1);
        } else if (o.code != 0) {
          c.set_call_errors(c.call_errors() + 1);
        }
        if (o.timed_out) c.set_call_timeouts(c.call_timeouts() + 1);
        break;
      case HookKind::kSignal:
        if (o.rejected) break;
        if (failure) {
          c.set_signal_failures(c.signal_failures() + 1);
        } else {
          c.set_signals_delivered(c.signals_delivered() + 1);
        }
        break;
      case HookKind::kTick:
        if (o.rejected) break;
        c.set_ticks(c.ticks() + 1);
        if (failure) c.set_tick_failures(c.tick_failures() + 1);
        break;
      case HookKind::kReport:
      case HookKind::kHealthEvent:
        break;
    }
    if (o.rejected) return false;
    if (!failure) {
      // A report contribution that answered says nothing about the hooks
      // that failed; calls, signals and ticks that succeed end a streak.
      if (kind != HookKind::kReport) c.set_consecutive_failures(0);
      return false;
    }
    last_error_ =
        label.empty() ? o.output : absl::StrCat(label, ": ", o.output);
    last_error_time_ = absl::Now();
    // A signal's or health event's plain error waits for DeadLettered.
    if (!Delivered(kind) || o.timed_out) park = StreakGrewLocked();
  }
  if (!park.empty()) {
    Transition(plugin::v1::PLUGIN_STATE_PARKED, park).IgnoreError();
  }
  return true;
}

void PluginHarness::DeadLettered(const std::string& what) {
  std::string park;
  {
    absl::MutexLock lock(&mu_);
    counters_.set_signals_dead_lettered(counters_.signals_dead_lettered() + 1);
    last_error_ = what;
    last_error_time_ = absl::Now();
    park = StreakGrewLocked();
  }
  if (!park.empty()) {
    Transition(plugin::v1::PLUGIN_STATE_PARKED, park).IgnoreError();
  }
}

std::string PluginHarness::StreakGrewLocked() {
  auto& c = counters_;
  c.set_consecutive_failures(c.consecutive_failures() + 1);
  if (state_ != plugin::v1::PLUGIN_STATE_READY ||
      c.consecutive_failures() < max_failures_) {
    return "";
  }
  return absl::StrCat(c.consecutive_failures(),
                      " consecutive failures, last: ", last_error_);
}

void PluginHarness::SetDelivery(int64_t cursor, int64_t lag) {
  absl::MutexLock lock(&mu_);
  counters_.set_delivery_cursor(cursor);
  counters_.set_delivery_lag(lag);
}

std::string PluginHarness::last_error() const {
  absl::MutexLock lock(&mu_);
  return last_error_;
}

void PluginHarness::Fill(plugin::v1::Plugin* info) const {
  absl::MutexLock lock(&mu_);
  info->set_state(state_);
  *info->mutable_counters() = counters_;
  info->set_last_error(last_error_);
  if (last_error_time_ != absl::InfinitePast()) {
    SetTime(last_error_time_, info->mutable_last_error_time());
  }
  if (state_time_ != absl::InfinitePast()) {
    SetTime(state_time_, info->mutable_state_time());
  }
}

}  // namespace retain::plugin_host
