// Asks every ready plugin that contributes to an account's report — its
// report section and its health component — in parallel, each within its
// report timeout, and calls back once all have answered, failed or timed
// out. Nothing here waits: a gRPC callback thread hands over a callback and
// returns.
#ifndef RETAIN_CORE_PLUGIN_HOST_FAN_OUT_H_
#define RETAIN_CORE_PLUGIN_HOST_FAN_OUT_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/plugin_host/hook_runner.h"
#include "core/plugin_host/plugin.h"
#include "retain/report/v1/report.pb.h"

namespace retain::plugin_host {

// What the plugins contributed, in load order. `answered` lists the plugins
// with a health component that answered (with a component, or NOT_FOUND
// when they have none for the account); the others (parked, failed, timed
// out) say nothing new about it.
struct Contributions {
  std::vector<report::v1::ReportSection> sections;
  std::vector<report::v1::HealthComponent> components;
  std::vector<std::string> answered;
};

using ContributionsDone = std::function<void(Contributions)>;

// Called on a plugin worker or the timer thread: `done` must not block.
void CollectContributions(const std::vector<std::shared_ptr<Plugin>>& plugins,
                          HookRunner* runner, const std::string& tenant,
                          const std::string& account_id,
                          ContributionsDone done);

// A plugin's component answer completed with what the host owns: name and
// weight from its descriptor and config, the score clamped to 0-10, source
// = the plugin.
void CompleteComponent(const Plugin& p, report::v1::HealthComponent* c);

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_FAN_OUT_H_
