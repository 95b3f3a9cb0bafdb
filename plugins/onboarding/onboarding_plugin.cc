// Onboarding milestones (see onboarding.proto and plugins/README.md).
//
// State (host KV, per tenant): "plan/<account_id>" -> Plan (each
// milestone remembers whether its overdue alert went out).
// Overdue alerts: on every periodic tick (so an account that sends no
// signals still gets them), after every signal of the account, and from
// ListOverdue; once per milestone, also across restarts.
// Concurrency: handlers, ticks and signals run at once and take no lock
// over the KV: each change of a plan is a Host::Update (compare-and-set,
// retried when another writer came first).
// Config ("config" block of the plugin in the server's plugin config):
//   templates.<template>.<milestone>: due offset in days from the start
//     (templates: default, digital, pooled, named, dedicated);
//   match.<milestone>: a custom signal type that completes the milestone;
//   first_value_milestone: "go_live";  go_live_utilisation: 0.5.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "plugins/common/plugin_util.h"
#include "retain/plugins/onboarding/v1/onboarding.pb.h"
#include "retain_plugin.h"

namespace retain::plugins::onboarding {
namespace {

namespace pb = ::retain::plugins::onboarding::v1;
using sdk::Call;
using sdk::Signal;
using sdk::SignalKind;

constexpr char kService[] = "/retain.plugins.onboarding.v1.OnboardingService/";

const std::vector<std::string>& DefaultOrder() {
  static const std::vector<std::string> k = {"kickoff",     "technical_setup",
                                             "integration", "training",
                                             "go_live",     "value_validated"};
  return k;
}

std::map<std::string, std::vector<int>> DefaultTemplates() {
  return {
      {"default", {7, 21, 35, 45, 60, 90}},
      {"digital", {3, 7, 14, 14, 21, 45}},
      {"pooled", {5, 14, 28, 35, 45, 75}},
      {"named", {7, 21, 35, 45, 60, 90}},
      {"dedicated", {10, 30, 60, 75, 90, 120}},
  };
}

std::string TemplateForSegment(int32_t segment) {
  switch (segment) {
    case sdk::segment::kDigital:
      return "digital";
    case sdk::segment::kPooled:
      return "pooled";
    case sdk::segment::kNamed:
      return "named";
    case sdk::segment::kDedicated:
      return "dedicated";
  }
  return "default";
}

class OnboardingPlugin : public sdk::Plugin {
 public:
  static constexpr uint32_t kRequiredHostFeatures =
      sdk::host_feature::kVersionedKv | sdk::host_feature::kListTenants;

  Status Init(sdk::Setup& setup) override {
    const auto& cfg = setup.config();
    for (const auto& [name, days] : DefaultTemplates()) {
      for (size_t i = 0; i < DefaultOrder().size(); ++i) {
        templates_[name][DefaultOrder()[i]] = days[i];
      }
    }
    for (const auto& name : cfg.Children("templates")) {
      for (const auto& key : cfg.Children("templates." + name)) {
        int64_t days = cfg.GetInt("templates." + name + "." + key, -1);
        if (days < 0)
          return sdk::InvalidArgument("templates." + name + "." + key +
                                      ": want days >= 0");
        templates_[name][key] = static_cast<int>(days);
      }
    }
    for (const auto& key : cfg.Children("match"))
      custom_matches_[cfg.GetString("match." + key)] = key;
    first_value_ = cfg.GetString("first_value_milestone", "go_live");
    go_live_utilisation_ = cfg.GetDouble("go_live_utilisation", 0.5);

    setup.Subscribe(SignalKind::kUsage);
    setup.Subscribe(SignalKind::kTouchpoint);
    setup.Subscribe(SignalKind::kCustom);
    setup.Subscribe(SignalKind::kCommercial);
    setup.Subscribe(SignalKind::kLifecycle);
    std::string s = kService;
    setup.HandleProto<pb::StartOnboardingRequest, pb::Plan>(
        s + "StartOnboarding",
        [this](const Call& c, const auto& req, auto* resp) {
          return Start(c.tenant, req.account_id(), req.template_(),
                       req.has_start_time() ? MicrosOf(req.start_time())
                                            : host().NowMicros(),
                       resp);
        });
    setup.HandleProto<pb::GetPlanRequest, pb::Plan>(
        s + "GetPlan", [this](const Call& c, const auto& req, auto* resp) {
          auto plan = LoadMessage<pb::Plan>(host(), c.tenant,
                                            "plan/" + req.account_id());
          if (!plan.ok()) return plan.status();
          if (!*plan)
            return sdk::NotFound("no onboarding plan for " + req.account_id());
          *resp = Evaluate(**plan);
          return Status();
        });
    setup.HandleProto<pb::CompleteMilestoneRequest, pb::Plan>(
        s + "CompleteMilestone",
        [this](const Call& c, const auto& req, auto* resp) {
          int64_t at = req.has_complete_time() ? MicrosOf(req.complete_time())
                                               : host().NowMicros();
          return Complete(c.tenant, req.account_id(), req.milestone(), at,
                          "api", resp);
        });
    setup.HandleProto<pb::ListOverdueRequest, pb::ListOverdueResponse>(
        s + "ListOverdue", [this](const Call& c, const auto&, auto* resp) {
          return ListOverdue(c.tenant, resp);
        });
    setup.HandleProto<pb::GetMetricsRequest, pb::OnboardingMetrics>(
        s + "GetMetrics", [this](const Call& c, const auto&, auto* resp) {
          return Metrics(c.tenant, resp);
        });
    setup.ProvideReportSection();
    setup.ProvideHealthComponent("onboarding", 0.1);
    setup.WantTicks();
    return Status();
  }

  // Every tracked account of every tenant: milestones that became overdue
  // since the last check raise their alert (once; see AlertOverdue).
  Status OnTick(const sdk::Tick& tick) override {
    auto tenants = host().ListTenants();
    if (!tenants.ok()) return tenants.status();
    Status first;
    for (const auto& tenant : *tenants) {
      auto plans = LoadAll<pb::Plan>(host(), tenant, "plan/");
      if (!plans.ok()) {
        if (first.ok()) first = plans.status();
        continue;
      }
      for (const auto& raw : *plans) {
        if (!HasUnalertedOverdue(raw, tick.now_micros)) continue;
        Status s =
            AlertOverdue(tenant, raw.account_id(), nullptr, tick.now_micros);
        // One account's trouble does not hold up the others.
        if (!s.ok() && first.ok()) first = s;
      }
    }
    return first;
  }

  Status OnSignal(const Signal& s) override {
    switch (s.kind) {
      case SignalKind::kCommercial:
        if (s.commercial.kind == sdk::commercial_kind::kNewLogo) {
          pb::Plan plan;
          return Start(s.tenant, s.account_id, "", s.occur_micros, &plan);
        }
        return Status();
      case SignalKind::kLifecycle:
        if (s.lifecycle.stage == sdk::lifecycle_stage::kOnboarding) {
          pb::Plan plan;
          return Start(s.tenant, s.account_id, "", s.occur_micros, &plan);
        }
        return Status();
      default:
        break;
    }
    std::vector<std::string> keys = Matches(s);
    for (const auto& key : keys) {
      pb::Plan plan;
      Status st = Complete(s.tenant, s.account_id, key, s.occur_micros,
                           "signal:" + s.signal_id, &plan);
      // No plan, or not a milestone of this plan: nothing to complete.
      if (!st.ok() && st.code() != sdk::Code::kNotFound &&
          st.code() != sdk::Code::kInvalidArgument) {
        return st;
      }
    }
    return AlertOverdue(s.tenant, s.account_id);
  }

  std::optional<sdk::Section> ReportSection(
      const std::string& tenant, const std::string& account_id) override {
    auto loaded = LoadMessage<pb::Plan>(host(), tenant, "plan/" + account_id);
    if (!loaded.ok() || !*loaded) return std::nullopt;
    pb::Plan plan = Evaluate(**loaded);
    sdk::Section section;
    section.title = "Onboarding";
    section.fields.push_back({"template", plan.template_()});
    section.fields.push_back(
        {"started", FormatDate(MicrosOf(plan.start_time()))});
    section.fields.push_back(
        {"progress", std::to_string(plan.completed()) + "/" +
                         std::to_string(plan.milestones_size())});
    section.fields.push_back({"overdue", std::to_string(plan.overdue())});
    for (const auto& m : plan.milestones()) {
      if (m.status() == pb::MILESTONE_STATUS_COMPLETED) continue;
      section.fields.push_back(
          {"next", m.key() + " due " + FormatDate(MicrosOf(m.due_time()))});
      break;
    }
    if (FirstValueReached(plan)) {
      section.fields.push_back(
          {"time_to_first_value_days",
           FormatDouble(plan.time_to_first_value_days(), 1)});
    }
    return section;
  }

  std::optional<sdk::HealthComponent> AccountHealthComponent(
      const std::string& tenant, const std::string& account_id) override {
    auto loaded = LoadMessage<pb::Plan>(host(), tenant, "plan/" + account_id);
    if (!loaded.ok() || !*loaded) return std::nullopt;
    pb::Plan plan = Evaluate(**loaded);
    sdk::HealthComponent c;
    c.name = "onboarding";
    // Onboarding is a leading indicator only while it runs.
    c.has_data = !plan.complete();
    int due = plan.completed() + plan.overdue();
    c.score = due == 0
                  ? 10.0
                  : 10.0 * (1.0 - static_cast<double>(plan.overdue()) / due);
    c.explanation =
        plan.overdue() == 0
            ? "no onboarding milestone overdue"
            : std::to_string(plan.overdue()) + " of " + std::to_string(due) +
                  " due milestones overdue: score 10 x (1 - overdue / due)";
    c.inputs.push_back({"completed", std::to_string(plan.completed())});
    c.inputs.push_back({"overdue", std::to_string(plan.overdue())});
    return c;
  }

 private:
  // Milestones this signal completes.
  std::vector<std::string> Matches(const Signal& s) {
    std::vector<std::string> keys;
    switch (s.kind) {
      case SignalKind::kTouchpoint:
        if (s.touchpoint.channel == sdk::touchpoint_channel::kMeeting) {
          keys.push_back("kickoff");
        }
        if (s.touchpoint.channel == sdk::touchpoint_channel::kQbr &&
            s.touchpoint.exec_involved) {
          keys.push_back("value_validated");
        }
        break;
      case SignalKind::kUsage:
        if (s.usage.active_users > 0) {
          keys.push_back("technical_setup");
          auto account = host().GetAccount(s.tenant, s.account_id);
          if (account.ok() && account->licensed_seats > 0 &&
              s.usage.active_users >=
                  go_live_utilisation_ * account->licensed_seats) {
            keys.push_back("go_live");
          }
        }
        break;
      case SignalKind::kCustom: {
        const std::string& type = s.custom.type;
        if (type == "onboarding.milestone_completed") {
          auto it = s.custom.attributes.find("milestone");
          if (it != s.custom.attributes.end()) keys.push_back(it->second);
        } else if (type == "integration.connected") {
          keys.push_back("integration");
        } else if (type == "training.completed") {
          keys.push_back("training");
        } else if (type == "onboarding.value_validated") {
          keys.push_back("value_validated");
        }
        auto it = custom_matches_.find(type);
        if (it != custom_matches_.end()) keys.push_back(it->second);
        break;
      }
      default:
        break;
    }
    return keys;
  }

  // Whether the plan's first-value milestone is completed: its
  // time_to_first_value_days (0 for a same-day go-live) then counts.
  bool FirstValueReached(const pb::Plan& plan) const {
    for (const auto& m : plan.milestones()) {
      if (m.key() == first_value_) return m.has_complete_time();
    }
    return false;
  }

  // Recomputes statuses and totals as of now.
  pb::Plan Evaluate(pb::Plan plan) {
    return Evaluate(std::move(plan), host().NowMicros());
  }
  pb::Plan Evaluate(pb::Plan plan, int64_t now) {
    int completed = 0, overdue = 0;
    for (auto& m : *plan.mutable_milestones()) {
      if (m.has_complete_time()) {
        m.set_status(pb::MILESTONE_STATUS_COMPLETED);
        ++completed;
        if (m.key() == first_value_) {
          // A milestone backdated before the plan's start counts as
          // reached on the first day, not as negative time.
          plan.set_time_to_first_value_days(std::max(
              0.0,
              Days(MicrosOf(m.complete_time()) - MicrosOf(plan.start_time()))));
        }
      } else if (now > MicrosOf(m.due_time())) {
        m.set_status(pb::MILESTONE_STATUS_OVERDUE);
        ++overdue;
      } else {
        m.set_status(pb::MILESTONE_STATUS_PENDING);
      }
    }
    plan.set_completed(completed);
    plan.set_overdue(overdue);
    plan.set_complete(completed == plan.milestones_size());
    return plan;
  }

  Status Start(const std::string& tenant, const std::string& account_id,
               std::string tmpl, int64_t start, pb::Plan* out) {
    if (account_id.empty())
      return sdk::InvalidArgument("account_id is required");
    const std::string key = "plan/" + account_id;
    pb::Plan plan;
    bool created = false;
    // Two starts at once (a NEW_LOGO signal and an API call): one plan.
    Status st = host().Update(tenant, {key}, [&](sdk::KvUpdate& u) {
      auto existing = LoadMessage<pb::Plan>(u, key);
      if (!existing.ok()) return existing.status();
      created = !existing->has_value();
      if (!created) {
        plan = **existing;
        return Status();
      }
      auto made = NewPlan(tenant, account_id, tmpl, start);
      if (!made.ok()) return made.status();
      plan = *made;
      u.Apply(Put(key, plan));
      return Status();
    });
    if (!st.ok()) return st;
    if (created) {
      host().Info("onboarding started for " + account_id + " (" +
                  plan.template_() + ")");
    }
    *out = Evaluate(plan);
    return Status();
  }

  // A fresh plan from the template (by default the account's segment's).
  sdk::Result<pb::Plan> NewPlan(const std::string& tenant,
                                const std::string& account_id, std::string tmpl,
                                int64_t start) {
    auto account = host().GetAccount(tenant, account_id);
    if (!account.ok()) return account.status();
    if (tmpl.empty()) tmpl = TemplateForSegment(account->segment);
    auto it = templates_.find(tmpl);
    if (it == templates_.end())
      return sdk::InvalidArgument("unknown template " + tmpl);
    std::vector<std::pair<int, std::string>> order;
    for (const auto& [key, days] : it->second) order.emplace_back(days, key);
    std::stable_sort(
        order.begin(), order.end(), [](const auto& a, const auto& b) {
          if (a.first != b.first) return a.first < b.first;
          auto ia =
              std::find(DefaultOrder().begin(), DefaultOrder().end(), a.second);
          auto ib =
              std::find(DefaultOrder().begin(), DefaultOrder().end(), b.second);
          return ia < ib;
        });
    pb::Plan plan;
    plan.set_account_id(account_id);
    plan.set_template_(tmpl);
    *plan.mutable_start_time() = TimestampOf(start);
    for (const auto& [days, key] : order) {
      auto* m = plan.add_milestones();
      m->set_key(key);
      *m->mutable_due_time() = TimestampOf(start + days * sdk::kMicrosPerDay);
    }
    return plan;
  }

  Status Complete(const std::string& tenant, const std::string& account_id,
                  const std::string& key, int64_t at, const std::string& by,
                  pb::Plan* out) {
    const std::string plan_key = "plan/" + account_id;
    pb::Plan plan;
    bool changed = false;
    Status st = host().Update(tenant, {plan_key}, [&](sdk::KvUpdate& u) {
      auto loaded = LoadMessage<pb::Plan>(u, plan_key);
      if (!loaded.ok()) return loaded.status();
      if (!*loaded)
        return sdk::NotFound("no onboarding plan for " + account_id);
      plan = **loaded;
      pb::Milestone* m = nullptr;
      for (auto& x : *plan.mutable_milestones()) {
        if (x.key() == key) m = &x;
      }
      if (m == nullptr)
        return sdk::InvalidArgument("no milestone '" + key + "' in the plan");
      changed = !m->has_complete_time();
      if (changed) {
        *m->mutable_complete_time() = TimestampOf(at);
        m->set_completed_by(by);
        u.Apply(Put(plan_key, plan));
      }
      return Status();
    });
    if (!st.ok()) return st;
    if (changed) {
      // So the rest of Retain (and NRR-style analyses) see the milestone.
      Signal out_signal;
      out_signal.signal_id = "onboarding-" + account_id + "-" + key;
      out_signal.account_id = account_id;
      out_signal.occur_micros = std::min(at, host().NowMicros());
      out_signal.kind = SignalKind::kCustom;
      out_signal.custom.type = "onboarding.milestone_completed";
      out_signal.custom.attributes = {{"milestone", key},
                                      {"template", plan.template_()},
                                      {"completed_by", by}};
      Status s = host().RecordSignals(tenant, {out_signal});
      if (!s.ok())
        host().Warning("cannot record milestone signal: " + s.message());
    }
    *out = Evaluate(plan);
    return Status();
  }

  static bool HasUnalertedOverdue(const pb::Plan& plan, int64_t now) {
    for (const auto& m : plan.milestones()) {
      if (!m.has_complete_time() && !m.alerted() &&
          now > MicrosOf(m.due_time())) {
        return true;
      }
    }
    return false;
  }

  // Alerts once per overdue milestone of one account: the alert goes out,
  // then "alerted" is persisted (a crash in between may repeat it; a
  // restart never does). An alert cannot be taken back by a retry, so one
  // pass per account alerts at a time (a claim in memory; a pass that
  // finds the account claimed only lists). `now` = 0: the host clock.
  Status AlertOverdue(const std::string& tenant, const std::string& account_id,
                      pb::ListOverdueResponse* list = nullptr,
                      int64_t now = 0) {
    const std::string key = "plan/" + account_id;
    // Claimed before the read, so the read sees what an earlier pass
    // alerted.
    const Claims::Claim alerting(&alerting_, tenant + "/" + account_id);
    auto loaded = LoadMessage<pb::Plan>(host(), tenant, key);
    if (!loaded.ok()) return loaded.status();
    if (!*loaded) return Status();
    if (now == 0) now = host().NowMicros();
    const pb::Plan plan = Evaluate(**loaded, now);
    std::set<std::string> alerted;
    Status failed;
    for (const auto& m : plan.milestones()) {
      if (m.status() != pb::MILESTONE_STATUS_OVERDUE) continue;
      if (list != nullptr) {
        auto* o = list->add_milestones();
        o->set_account_id(account_id);
        o->set_milestone(m.key());
        *o->mutable_due_time() = m.due_time();
        o->set_days_overdue(Days(now - MicrosOf(m.due_time())));
      }
      if (!alerting.held() || m.alerted() || !failed.ok()) continue;
      Status s = host().PublishAlert(
          tenant, account_id, "onboarding.milestone_overdue",
          "onboarding milestone '" + m.key() + "' was due " +
              FormatDate(MicrosOf(m.due_time())),
          sdk::AlertSeverity::kWarning);
      if (!s.ok()) {
        failed = s;  // keep the alerts that went out; retry the rest later
        continue;
      }
      alerted.insert(m.key());
    }
    if (alerted.empty()) return failed;
    // Remember them on the plan as it is now (a milestone completed
    // meanwhile keeps its completion).
    Status st = host().Update(tenant, {key}, [&](sdk::KvUpdate& u) {
      auto current = LoadMessage<pb::Plan>(u, key);
      if (!current.ok()) return current.status();
      if (!*current) return Status();
      pb::Plan updated = **current;
      for (auto& m : *updated.mutable_milestones()) {
        if (alerted.count(m.key())) m.set_alerted(true);
      }
      u.Apply(Put(key, updated));
      return Status();
    });
    return st.ok() ? failed : st;
  }

  Status ListOverdue(const std::string& tenant, pb::ListOverdueResponse* out) {
    auto plans = LoadAll<pb::Plan>(host(), tenant, "plan/");
    if (!plans.ok()) return plans.status();
    for (const auto& p : *plans) {
      Status s = AlertOverdue(tenant, p.account_id(), out);
      if (!s.ok()) return s;
    }
    return Status();
  }

  Status Metrics(const std::string& tenant, pb::OnboardingMetrics* out) {
    auto plans = LoadAll<pb::Plan>(host(), tenant, "plan/");
    if (!plans.ok()) return plans.status();
    int due = 0, completed = 0, ttfv_n = 0;
    double ttfv = 0;
    for (const auto& raw : *plans) {
      pb::Plan p = Evaluate(raw);
      out->set_plans(out->plans() + 1);
      if (p.complete()) out->set_plans_complete(out->plans_complete() + 1);
      completed += p.completed();
      due += p.completed() + p.overdue();
      out->set_overdue_milestones(out->overdue_milestones() + p.overdue());
      if (p.overdue() > 0)
        out->set_accounts_with_overdue(out->accounts_with_overdue() + 1);
      // A same-day go-live is 0 days to first value, and counts.
      if (FirstValueReached(p)) {
        ttfv += p.time_to_first_value_days();
        ++ttfv_n;
      }
    }
    out->set_completion_rate(due == 0 ? 0
                                      : static_cast<double>(completed) / due);
    out->set_avg_time_to_first_value_days(ttfv_n == 0 ? 0 : ttfv / ttfv_n);
    return Status();
  }

  Claims alerting_;  // accounts a pass is alerting for (tenant/account)
  std::map<std::string, std::map<std::string, int>> templates_;
  std::map<std::string, std::string>
      custom_matches_;  // custom type -> milestone
  std::string first_value_;
  double go_live_utilisation_ = 0.5;
};

}  // namespace
}  // namespace retain::plugins::onboarding

RETAIN_PLUGIN(retain::plugins::onboarding::OnboardingPlugin, "onboarding",
              "1.0.0")
