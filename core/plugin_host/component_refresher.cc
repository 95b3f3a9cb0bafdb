#include "core/plugin_host/component_refresher.h"

#include "core/common/log.h"

namespace retain::plugin_host {
namespace {

constexpr int32_t kNotFound = 5;

retain_str Str(const std::string& s) { return {s.data(), s.size()}; }

}  // namespace

void ComponentRefresher::Refresh(const std::shared_ptr<Plugin>& p,
                                 const std::vector<AccountKey>& accounts) {
  if (!p->has_health_component() || accounts.empty()) return;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    Queue& q = queues_[p->name()];
    q.pending.insert(accounts.begin(), accounts.end());
    if (q.running) return;  // the running chain picks them up
    q.running = true;
  }
  Next(p);
}

void ComponentRefresher::RefreshScored(const std::shared_ptr<Plugin>& p) {
  if (!p->has_health_component()) return;
  Refresh(p, services_->AccountsWithHealthComponent(p->name()));
}

void ComponentRefresher::Stop() {
  absl::MutexLock lock(&mu_);
  stopped_ = true;
  queues_.clear();
}

void ComponentRefresher::Next(const std::shared_ptr<Plugin>& p) {
  AccountKey account;
  {
    absl::MutexLock lock(&mu_);
    auto it = queues_.find(p->name());
    if (stopped_ || it == queues_.end()) return;
    Queue& q = it->second;
    if (q.pending.empty() || !p->harness.ready()) {
      // A parked plugin's requests wait for the next refresh after resume.
      q.pending.clear();
      q.running = false;
      return;
    }
    account = *q.pending.begin();
    q.pending.erase(q.pending.begin());
  }
  const retain_plugin_module* m = p->module();
  void* instance = p->instance;
  runner_->RunAsync(
      p,
      [m, instance, account](retain_sink* out) {
        return m->retain_plugin_on_health_component(
            instance, Str(account.first), Str(account.second), out);
      },
      p->settings.report_timeout, HookKind::kReport,
      [this, p, account](Outcome o) {
        // On a timeout this runs on the timer thread: hand the next ask to
        // the plugin's workers without storing anything.
        if (!o.timed_out) Store(p->name(), account, o, *p);
        Next(p);
      },
      "", {plugin::v1::CallContext::HOOK_HEALTH_COMPONENT});
}

void ComponentRefresher::Store(const std::string& plugin,
                               const AccountKey& account, const Outcome& o,
                               const Plugin& p) {
  absl::Status s;
  if (o.code == 0) {
    report::v1::HealthComponent c;
    if (!c.ParseFromString(o.output)) {
      common::Log("warn", "plugin wrote a malformed health component",
                  {{"plugin", plugin}});
      return;
    }
    CompleteComponent(p, &c);
    s = services_->SetHealthComponent(account.first, account.second, c);
  } else if (o.code == kNotFound) {
    s = services_->ClearHealthComponent(account.first, account.second, plugin);
  } else {
    return;  // an error says nothing new about the account
  }
  if (!s.ok() && s.code() != absl::StatusCode::kNotFound) {
    common::Log("error", "cannot store a plugin's health component",
                {{"plugin", plugin},
                 {"tenant", account.first},
                 {"account", account.second},
                 {"error", s.ToString()}});
  }
}

void ComponentRefresher::Apply(const std::string& tenant,
                               const std::string& account_id,
                               const Contributions& contributions) {
  std::set<std::string> with_component;
  for (const auto& c : contributions.components) {
    with_component.insert(c.source());
    absl::Status s = services_->SetHealthComponent(tenant, account_id, c);
    if (!s.ok() && s.code() != absl::StatusCode::kNotFound) {
      common::Log("error", "cannot store a plugin's health component",
                  {{"plugin", c.source()}, {"error", s.ToString()}});
    }
  }
  for (const auto& plugin : contributions.answered) {
    if (with_component.count(plugin)) continue;
    services_->ClearHealthComponent(tenant, account_id, plugin).IgnoreError();
  }
}

}  // namespace retain::plugin_host
