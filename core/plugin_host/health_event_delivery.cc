#include "core/plugin_host/health_event_delivery.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "api/names.h"
#include "api/proto_time.h"
#include "core/common/log.h"

namespace retain::plugin_host {
namespace {

using plugin::v1::HealthEvent;

retain_str Str(const std::string& s) { return {s.data(), s.size()}; }

constexpr char kCursorPrefix[] = "cursor/";

}  // namespace

HealthEvent ToHealthEvent(const report::v1::HealthAlert& alert) {
  HealthEvent e;
  const bool core = alert.source() == "core";
  if (core && alert.code() == "health.band_changed") {
    e.set_kind(plugin::v1::HEALTH_EVENT_KIND_BAND_CHANGED);
  } else if (core && alert.code() == "health.indicator_appeared") {
    e.set_kind(plugin::v1::HEALTH_EVENT_KIND_INDICATOR_APPEARED);
  } else if (core && alert.code() == "health.indicator_cleared") {
    e.set_kind(plugin::v1::HEALTH_EVENT_KIND_INDICATOR_CLEARED);
  } else {
    e.set_kind(plugin::v1::HEALTH_EVENT_KIND_ALERT);
  }
  e.set_position(alert.position());
  e.set_account_id(api::AccountIdOf(alert.account()));
  if (alert.has_alert_time()) {
    e.set_occur_micros(absl::ToUnixMicros(api::FromProto(alert.alert_time())));
  }
  e.set_previous_band(alert.previous_band());
  e.set_band(alert.band());
  e.set_score(alert.score());
  if (e.kind() == plugin::v1::HEALTH_EVENT_KIND_INDICATOR_APPEARED ||
      e.kind() == plugin::v1::HEALTH_EVENT_KIND_INDICATOR_CLEARED) {
    // An indicator change names the one indicator first.
    if (alert.leading_indicators_size() > 0) {
      e.set_indicator(alert.leading_indicators(0).code());
    }
  }
  e.set_source(alert.source());
  e.set_code(alert.code());
  e.set_severity(alert.severity());
  e.set_message(alert.message());
  for (const auto& li : alert.leading_indicators()) e.add_indicators(li.code());
  return e;
}

HealthEventDelivery::HealthEventDelivery(std::shared_ptr<Plugin> plugin,
                                         HookRunner* runner,
                                         DeliveryOptions options)
    : plugin_(std::move(plugin)), runner_(runner), options_(options) {}

HealthEventDelivery::~HealthEventDelivery() { Stop(); }

std::string HealthEventDelivery::Namespace(const std::string& plugin) {
  return SetAsideEvents::Namespace(plugin);
}

std::string HealthEventDelivery::CursorKey(const std::string& tenant) {
  return SetAsideEvents::CursorKey(tenant);
}

std::string HealthEventDelivery::SetAsideKey(const std::string& tenant,
                                             int64_t position) {
  return SetAsideEvents::Key(tenant, position);
}

void HealthEventDelivery::Start() {
  Plugin& p = *plugin_;
  store::Store& store = *p.env->store;
  const std::string ns = Namespace(p.name());
  std::string problem;
  std::map<std::string, int64_t> cursors;
  std::string after;
  for (;;) {
    auto rows = store.KvScan(ns, kCursorPrefix, after, 1000);
    if (!rows.ok()) {
      problem = absl::StrCat("cannot read its health-event cursors: ",
                             rows.status().ToString());
      break;
    }
    for (const auto& [key, value] : *rows) {
      int64_t position = 0;
      if (!absl::SimpleAtoi(value, &position) || position < 0) {
        problem = absl::StrCat(
            "its stored health-event cursor \"", value.substr(0, 40),
            "\" is corrupt; fix or "
            "delete key '",
            key, "' in namespace ", ns, " and resume the plugin");
        break;
      }
      cursors[key.substr(sizeof(kCursorPrefix) - 1)] = position;
    }
    if (!problem.empty() || rows->size() < 1000) break;
    after = rows->back().first;
  }
  if (problem.empty()) {
    for (const std::string& tenant : p.env->services->AlertTenants()) {
      if (cursors.count(tenant)) continue;
      int64_t start = 0;
      if (p.settings.deliver_from_now) {
        auto newest = p.env->services->NewestAlertPosition(tenant);
        if (!newest.ok()) {
          problem = absl::StrCat("cannot read the alert history of tenant ",
                                 tenant, ": ", newest.status().ToString());
          break;
        }
        start = *newest;
      }
      cursors[tenant] = start;
      Persist(tenant, start);
    }
  }
  if (!problem.empty()) {
    p.harness.Transition(plugin::v1::PLUGIN_STATE_PARKED, problem)
        .IgnoreError();
    return;
  }
  cursors_ = std::move(cursors);
  {
    absl::MutexLock lock(&mu_);
    started_ = true;
  }
  thread_ = std::thread(&HealthEventDelivery::Loop, this);
}

void HealthEventDelivery::Wake(const std::string& tenant) {
  absl::MutexLock lock(&mu_);
  if (tenant.empty()) {
    wake_all_ = true;
  } else {
    woken_.insert(tenant);
  }
  ++wake_generation_;
}

void HealthEventDelivery::Stop() {
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

void HealthEventDelivery::Retry(std::vector<DeadLetter> letters,
                                RetryDone done) {
  {
    absl::MutexLock lock(&mu_);
    if (started_ && !stopping_) {
      retries_.push_back({std::move(letters), std::move(done)});
      return;
    }
  }
  done(absl::FailedPreconditionError(absl::StrCat(
      "plugin '", plugin_->name(), "' delivers no health events now")));
}

bool HealthEventDelivery::stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void HealthEventDelivery::Persist(const std::string& tenant, int64_t position) {
  absl::Status s = plugin_->env->store->KvApply(
      Namespace(plugin_->name()),
      {{CursorKey(tenant), std::to_string(position)}});
  if (!s.ok()) {
    // Delivery goes on from memory; a restart re-delivers from the last
    // persisted cursor (at least once).
    common::Log("error", "cannot persist a plugin's health-event cursor",
                {{"plugin", plugin_->name()},
                 {"tenant", tenant},
                 {"error", s.ToString()}});
  }
}

bool HealthEventDelivery::Wants(const HealthEvent& event) const {
  const Plugin& p = *plugin_;
  if (!p.health_kinds.count(event.kind())) return false;
  // A plugin does not hear its own alerts back (no loops) unless it asks.
  return p.health_own_alerts || event.source() != p.name();
}

Outcome HealthEventDelivery::Attempt(const std::string& tenant,
                                     const HealthEvent& event) {
  Plugin& p = *plugin_;
  const retain_plugin_module* module = p.module();
  void* instance = p.instance;
  std::string bytes = event.SerializeAsString();
  return runner_->RunSync(
      plugin_,
      // By value: a hook that overruns its deadline keeps running on its
      // worker after RunSync returned.
      [module, instance, tenant, account = event.account_id(),
       position = event.position(), bytes](retain_sink* out) {
        return module->retain_plugin_on_health_event(
            instance, Str(tenant), Str(account), position, Str(bytes), out);
      },
      p.settings.call_timeout, HookKind::kHealthEvent,
      absl::StrCat("health event ", tenant, "/", event.position()));
}

HealthEventDelivery::Fate HealthEventDelivery::DeliverOne(
    const std::string& tenant, const HealthEvent& event,
    absl::Duration* retry) {
  Plugin& p = *plugin_;
  const auto id = std::make_pair(tenant, event.position());
  if (failing_ != id) {
    failing_ = id;
    failure_ = DeliveryFailure();
  }
  for (;;) {
    ServeRetries();
    if (stopping() || !p.harness.ready()) return Fate::kStop;
    Outcome o = Attempt(tenant, event);
    if (o.code == 0 && !o.timed_out) {
      *retry = options_.retry;
      failing_ = {};
      return Fate::kHandled;
    }
    if (o.rejected) return Fate::kStop;
    const absl::Time now = absl::Now();
    if (failure_.attempts == 0) failure_.first = now;
    ++failure_.attempts;
    failure_.last = now;
    failure_.error = o.output;
    failure_.error_id = o.error_id;
    if (failure_.attempts >= options_.retry_limit) {
      // The record and the cursor past it in one batch.
      auto letter = p.set_aside->SetAside(tenant, event, failure_);
      if (letter.ok()) {
        common::Log("warn", "health event set aside",
                    {{"plugin", p.name()},
                     {"tenant", tenant},
                     {"position", event.position()},
                     {"code", event.code()},
                     {"attempts", letter->attempts()},
                     {"error_id", o.error_id}});
        p.harness.DeadLettered(absl::StrCat(
            "health event ", tenant, "/", event.position(), " set aside after ",
            failure_.attempts, " failed attempts, last: ", o.output));
        *retry = options_.retry;
        failing_ = {};
        return Fate::kSetAside;
      }
      // Skipping it unrecorded would lose it: keep trying the event.
      common::Log("error",
                  "cannot set a health event aside; the event is retried",
                  {{"plugin", p.name()},
                   {"tenant", tenant},
                   {"position", event.position()},
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

bool HealthEventDelivery::DeliverBatch(const std::string& tenant,
                                       bool* stalled) {
  Plugin& p = *plugin_;
  const int64_t cursor = cursors_[tenant];
  auto alerts =
      p.env->services->AlertsAfter(tenant, cursor, std::max(1, options_.batch));
  if (!alerts.ok()) {
    common::Log("error", "health-event delivery cannot read the alert history",
                {{"plugin", p.name()},
                 {"tenant", tenant},
                 {"error", alerts.status().ToString()}});
    return false;
  }
  absl::Duration retry = options_.retry;
  int64_t position = cursor;
  for (const auto& alert : *alerts) {
    const HealthEvent event = ToHealthEvent(alert);
    if (Wants(event)) {
      const Fate fate = DeliverOne(tenant, event, &retry);
      if (fate == Fate::kStop) {
        *stalled = true;
        break;
      }
      if (fate == Fate::kSetAside) {
        // Its batch already moved the persisted cursor.
        cursors_[tenant] = position = event.position();
        continue;
      }
    }
    position = alert.position();
  }
  if (position == cursor) return false;
  Persist(tenant, position);
  cursors_[tenant] = position;
  return true;
}

void HealthEventDelivery::ServeRetries() {
  for (;;) {
    RetryJob job;
    {
      absl::MutexLock lock(&mu_);
      if (retries_.empty()) return;
      job = std::move(retries_.front());
      retries_.pop_front();
    }
    absl::Status error;
    SignalDelivery::RetryResult result = RunRetry(job.letters, &error);
    if (!error.ok()) {
      job.done(error);
    } else {
      job.done(std::move(result));
    }
  }
}

SignalDelivery::RetryResult HealthEventDelivery::RunRetry(
    const std::vector<DeadLetter>& letters, absl::Status* error) {
  Plugin& p = *plugin_;
  SignalDelivery::RetryResult r;
  bool go_on = true;
  for (const auto& letter : letters) {
    if (go_on && (stopping() || !p.harness.ready())) go_on = false;
    if (!go_on) {
      r.not_tried.push_back(letter.seq());
      continue;
    }
    const std::string tenant(absl::StripPrefix(letter.tenant(), "tenants/"));
    auto found = p.env->services->AlertsAfter(tenant, letter.seq() - 1, 1);
    if (!found.ok()) {
      *error = found.status();
      break;
    }
    if (found->empty() || found->front().position() != letter.seq()) {
      // Retention pruned the alert: nothing is left to deliver.
      auto removed = p.set_aside->Remove({letter});
      if (!removed.ok()) {
        *error = removed.status();
        break;
      }
      r.gone.push_back(letter.seq());
      continue;
    }
    Outcome o = Attempt(tenant, ToHealthEvent(found->front()));
    if (o.rejected) {
      go_on = false;
      r.not_tried.push_back(letter.seq());
      continue;
    }
    if (o.code == 0 && !o.timed_out) {
      auto removed = p.set_aside->Remove({letter});
      if (!removed.ok()) {
        *error = removed.status();
        break;
      }
      r.delivered.push_back(letter.seq());
      continue;
    }
    DeliveryFailure f;
    f.attempts = 1;
    f.first = f.last = absl::Now();
    f.error = o.output;
    f.error_id = o.error_id;
    auto updated = p.set_aside->FailedAgain(letter, f);
    if (!updated.ok()) {
      *error = updated.status();
      break;
    }
    if (updated->has_value()) r.failed.push_back(std::move(**updated));
  }
  return r;
}

void HealthEventDelivery::Loop() {
  Plugin& p = *plugin_;
  for (;;) {
    ServeRetries();
    uint64_t generation;
    bool full = false;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      generation = wake_generation_;
      // A tenant first heard of now has seen nothing: from its start.
      for (const auto& t : woken_) {
        cursors_.emplace(t, 0);
        pending_.insert(t);
      }
      woken_.clear();
      full = wake_all_;
      wake_all_ = false;
    }
    const absl::Time now = absl::Now();
    if (full || now >= next_full_) {
      // The safety net: also the tenants the engine came to know, and any
      // whose wake-up did not reach us.
      for (const auto& t : p.env->services->AlertTenants()) {
        cursors_.emplace(t, 0);
      }
      for (const auto& [tenant, cursor] : cursors_) pending_.insert(tenant);
      next_full_ = now + options_.full_poll;
    }
    bool moved = false;
    if (p.harness.ready()) {
      std::set<std::string> round;
      round.swap(pending_);
      for (auto it = round.begin(); it != round.end(); ++it) {
        bool stalled = false;
        if (DeliverBatch(*it, &stalled)) {
          moved = true;
          pending_.insert(*it);  // more may be waiting
        }
        if (stalled) {
          // Unread for now: read at the next round that can deliver.
          pending_.insert(it, round.end());
          break;
        }
      }
    }
    if (moved) continue;
    absl::MutexLock lock(&mu_);
    auto woken = [this, generation]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_ || wake_generation_ != generation || !retries_.empty();
    };
    // Woken by Wake (an alert stored, a resume), Retry or Stop; otherwise
    // until the next full poll.
    mu_.AwaitWithTimeout(
        absl::Condition(&woken),
        std::max(next_full_ - absl::Now(), absl::ZeroDuration()));
  }
}

}  // namespace retain::plugin_host
