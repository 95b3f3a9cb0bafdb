#include "plugins/playbooks/trigger_match.h"

#include <algorithm>

namespace retain::plugins::playbooks {

namespace {

template <typename List, typename T>
bool AnyOrContains(const List& list, const T& value) {
  return list.empty() ||
         std::find(list.begin(), list.end(), value) != list.end();
}

std::string BandName(v1::Band b) {
  switch (b) {
    case v1::BAND_GREEN:
      return "green";
    case v1::BAND_YELLOW:
      return "yellow";
    case v1::BAND_RED:
      return "red";
    default:
      return "unknown";
  }
}

}  // namespace

bool ConditionsHold(const v1::Conditions& c, const AccountFacts& f) {
  if (!AnyOrContains(c.segments(), f.segment)) return false;
  if (f.arr < c.min_arr()) return false;
  if (c.max_arr() > 0 && f.arr > c.max_arr()) return false;
  if (!AnyOrContains(c.lifecycle_stages(), f.lifecycle_stage)) return false;
  return AnyOrContains(c.csms(), f.csm);
}

bool Match(const TriggerEvent& e, const AccountFacts& f,
           const v1::Playbook& p) {
  const v1::Trigger& t = p.trigger();
  if (p.disabled() || e.kind != t.kind()) return false;
  bool details = false;
  switch (e.kind) {
    case v1::TRIGGER_KIND_BAND_ENTERED:
      details = e.band == t.band();
      break;
    case v1::TRIGGER_KIND_INDICATOR_APPEARED:
      details = e.indicator == t.indicator();
      break;
    case v1::TRIGGER_KIND_RENEWAL_WINDOW:
      details = e.days_to_renewal >= 0 &&
                e.days_to_renewal <= t.within_days() &&
                f.band != v1::BAND_GREEN;
      break;
    case v1::TRIGGER_KIND_PLUGIN_ALERT:
      details = e.alert_code == t.alert_code();
      break;
    case v1::TRIGGER_KIND_CUSTOM_SIGNAL:
      details = e.signal_type == t.signal_type();
      break;
    case v1::TRIGGER_KIND_CADENCE_MISSED:
      details = e.days_since_cadence >= t.within_days();
      break;
    default:
      return false;
  }
  return details && ConditionsHold(p.conditions(), f);
}

std::string Describe(const TriggerEvent& e) {
  switch (e.kind) {
    case v1::TRIGGER_KIND_BAND_ENTERED:
      return "band entered " + BandName(e.band);
    case v1::TRIGGER_KIND_INDICATOR_APPEARED:
      return "leading indicator " + e.indicator + " appeared";
    case v1::TRIGGER_KIND_RENEWAL_WINDOW:
      return "renewal in " + std::to_string(e.days_to_renewal) + " days";
    case v1::TRIGGER_KIND_PLUGIN_ALERT:
      return "alert " + e.alert_code;
    case v1::TRIGGER_KIND_CUSTOM_SIGNAL:
      return "signal " + e.signal_type;
    case v1::TRIGGER_KIND_CADENCE_MISSED:
      return "no QBR/EBR for " + std::to_string(e.days_since_cadence) + " days";
    default:
      return "unknown trigger";
  }
}

}  // namespace retain::plugins::playbooks
