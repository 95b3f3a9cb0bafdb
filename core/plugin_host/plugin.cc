#include "core/plugin_host/plugin.h"

namespace retain::plugin_host {

plugin::v1::Plugin Plugin::Info() const {
  plugin::v1::Plugin info;
  info.set_name(loaded.name);
  info.set_version(loaded.version);
  info.set_abi_major(loaded.abi_major);
  info.set_abi_minor(loaded.abi_minor);
  info.set_path(path);
  for (const auto& s : services) info.add_services(s);
  for (int32_t k : kinds) info.add_signal_kinds(k);
  info.set_report_section(descriptor.report_section());
  if (ticks) {
    info.set_tick_seconds(absl::ToDoubleSeconds(settings.tick_interval));
  }
  info.set_health_component(descriptor.health_component().name());
  if (!descriptor.health_component().name().empty()) {
    info.set_health_weight(settings.health_weight);
  }
  harness.Fill(&info);
  return info;
}

}  // namespace retain::plugin_host
