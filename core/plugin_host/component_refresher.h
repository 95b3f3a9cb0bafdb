// Keeps the server's copy of each plugin's health components current, so
// every view combines the same components (decision 0012): a plugin's
// component of an account is asked again after the plugin handled signals
// of the account, after it recorded signals for it, after each of its ticks
// (for the accounts it scores), and whenever the explained view asks.
// Asks run one at a time per plugin on its workers, with repeated requests
// for one account coalesced; nothing waits for them.
#ifndef RETAIN_CORE_PLUGIN_HOST_COMPONENT_REFRESHER_H_
#define RETAIN_CORE_PLUGIN_HOST_COMPONENT_REFRESHER_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "core/plugin_host/fan_out.h"
#include "core/plugin_host/hook_runner.h"
#include "core/plugin_host/plugin.h"

namespace retain::plugin_host {

class ComponentRefresher {
 public:
  using AccountKey = std::pair<std::string, std::string>;  // tenant, id

  ComponentRefresher(HookRunner* runner, HostServices* services)
      : runner_(runner), services_(services) {}

  // Asks p again for these accounts' components (p must provide one).
  void Refresh(const std::shared_ptr<Plugin>& p,
               const std::vector<AccountKey>& accounts);
  // ... for every account p currently has a component for.
  void RefreshScored(const std::shared_ptr<Plugin>& p);
  // Stores what a fan-out brought back for one account: components of the
  // plugins that answered, cleared for those that answered NOT_FOUND.
  void Apply(const std::string& tenant, const std::string& account_id,
             const Contributions& contributions);
  // Stops asking (queued requests are dropped).
  void Stop();

 private:
  struct Queue {
    std::set<AccountKey> pending;
    bool running = false;
  };
  void Next(const std::shared_ptr<Plugin>& p);
  void Store(const std::string& plugin, const AccountKey& account,
             const Outcome& o, const Plugin& p);

  HookRunner* runner_;
  HostServices* services_;
  absl::Mutex mu_;
  std::map<std::string, Queue> queues_ ABSL_GUARDED_BY(mu_);  // by plugin
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_COMPONENT_REFRESHER_H_
