#include "core/plugin_host/fan_out.h"

#include <algorithm>
#include <map>

#include "absl/synchronization/mutex.h"
#include "core/common/log.h"

namespace retain::plugin_host {
namespace {

retain_str Str(const std::string& s) { return {s.data(), s.size()}; }

constexpr int32_t kNotFound = 5;

// Shared by the answers of one fan-out; the last one calls `done`.
struct Gather {
  absl::Mutex mu;
  int pending = 0;
  // Keyed by (load index, 0 = section / 1 = component), for load order.
  std::map<std::pair<size_t, int>, std::string> sections_and_components;
  std::map<size_t, std::string> answered;
  ContributionsDone done;
};

void Finish(const std::shared_ptr<Gather>& g,
            const std::vector<std::shared_ptr<Plugin>>& asked) {
  Contributions out;
  for (auto& [key, bytes] : g->sections_and_components) {
    const Plugin& p = *asked[key.first];
    if (key.second == 0) {
      report::v1::ReportSection s;
      if (!s.ParseFromString(bytes)) {
        common::Log("warn", "plugin wrote a malformed report section",
                    {{"plugin", p.name()}});
        continue;
      }
      s.set_plugin(p.name());
      out.sections.push_back(std::move(s));
    } else {
      report::v1::HealthComponent c;
      if (!c.ParseFromString(bytes)) {
        common::Log("warn", "plugin wrote a malformed health component",
                    {{"plugin", p.name()}});
        continue;
      }
      CompleteComponent(p, &c);
      out.components.push_back(std::move(c));
    }
  }
  for (auto& [i, name] : g->answered) out.answered.push_back(name);
  g->done(std::move(out));
}

}  // namespace

void CompleteComponent(const Plugin& p, report::v1::HealthComponent* c) {
  c->set_name(p.descriptor.health_component().name());
  c->set_weight(p.settings.health_weight);
  c->set_effective_weight(0);
  c->set_score(std::clamp(c->score(), 0.0, 10.0));
  c->set_source(p.name());
}

void CollectContributions(const std::vector<std::shared_ptr<Plugin>>& plugins,
                          HookRunner* runner, const std::string& tenant,
                          const std::string& account_id,
                          ContributionsDone done) {
  struct Ask {
    size_t index;
    bool component;
  };
  std::vector<std::shared_ptr<Plugin>> asked;
  std::vector<Ask> asks;
  for (const auto& p : plugins) {
    if (!p->harness.ready()) continue;
    bool section = p->has_report_section();
    bool component = p->has_health_component();
    if (!section && !component) continue;
    asked.push_back(p);
    if (section) asks.push_back({asked.size() - 1, false});
    if (component) asks.push_back({asked.size() - 1, true});
  }
  auto g = std::make_shared<Gather>();
  g->done = std::move(done);
  g->pending = static_cast<int>(asks.size());
  if (asks.empty()) {
    g->done(Contributions());
    return;
  }
  for (const Ask& ask : asks) {
    std::shared_ptr<Plugin> p = asked[ask.index];
    const retain_plugin_module* m = p->module();
    void* instance = p->instance;
    HookRunner::Hook hook =
        ask.component ? HookRunner::Hook([m, instance, tenant,
                                          account_id](retain_sink* out) {
          return m->retain_plugin_on_health_component(instance, Str(tenant),
                                                      Str(account_id), out);
        })
                      : HookRunner::Hook([m, instance, tenant,
                                          account_id](retain_sink* out) {
                          return m->retain_plugin_on_report_section(
                              instance, Str(tenant), Str(account_id), out);
                        });
    runner->RunAsync(
        p, std::move(hook), p->settings.report_timeout, HookKind::kReport,
        [g, asked, ask](Outcome o) {
          bool last;
          {
            absl::MutexLock lock(&g->mu);
            if (o.code == 0) {
              g->sections_and_components[{ask.index, ask.component ? 1 : 0}] =
                  std::move(o.output);
            }
            if (ask.component && (o.code == 0 || o.code == kNotFound) &&
                !o.timed_out) {
              g->answered[ask.index] = asked[ask.index]->name();
            }
            last = --g->pending == 0;
          }
          if (last) Finish(g, asked);
        },
        "",
        {ask.component ? plugin::v1::CallContext::HOOK_HEALTH_COMPONENT
                       : plugin::v1::CallContext::HOOK_REPORT_SECTION});
  }
}

}  // namespace retain::plugin_host
