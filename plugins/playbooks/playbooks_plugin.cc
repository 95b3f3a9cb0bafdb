// Playbooks: risk turned into interventions (see playbooks.proto,
// README.md and docs/decisions/0023-playbooks.md).
//
// State (host KV, per tenant):
//   "tenant"                          -> "1", so ListTenants lists it
//   "playbook/<playbook_id>"          -> Playbook created or updated by API
//   "task/<playbook>/<account>/<n>"   -> Task (task_id is the key's rest)
//   "account/<account_id>"            -> AccountState (edges already fired)
//   "plan/<account_id>"               -> SuccessPlan
// The playbooks in force: the defaults, then the config's, then the API's,
// a later one replacing an earlier one of the same id.
//
// Triggers: custom signals and QBR touchpoints (OnSignal); bands entering
// red or yellow and other plugins' alerts (OnHealthEvent, the host's
// health-event feed, ABI 1.3); on every tick, renewal windows, missed
// QBR/EBR cadences, escalations, missed success plans and, only on a host
// older than 1.3 (no feed), bands read from every account's health.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "google/protobuf/util/json_util.h"
#include "plugins/common/plugin_util.h"
#include "plugins/playbooks/default_playbooks.h"
#include "plugins/playbooks/effectiveness_evidence.h"
#include "plugins/playbooks/effectiveness_stats.h"
#include "plugins/playbooks/linked_milestones.h"
#include "plugins/playbooks/playbook_rules.h"
#include "plugins/playbooks/success_plan_status.h"
#include "plugins/playbooks/task_state.h"
#include "plugins/playbooks/transition_actor.h"
#include "plugins/playbooks/trigger_match.h"
#include "retain/plugins/playbooks/v1/playbooks.pb.h"
#include "retain_plugin.h"

namespace retain::plugins::playbooks {
namespace {

using sdk::Call;
using sdk::Signal;
using sdk::SignalKind;

constexpr char kService[] = "/retain.plugins.playbooks.v1.PlaybookService/";
constexpr char kPluginName[] = "playbooks";

// Of this plugin's own alerts only a missed success-plan objective fires
// playbooks: no task raises it, so a playbook's task can never re-trigger
// itself. A task's own playbooks.task_escalated never fires a playbook
// (an escalated task re-opening itself, or another playbook's task
// escalating it back, would loop).
bool TriggersOnOwnAlert(const std::string& code) {
  return code == "playbooks.objective_missed";
}

std::string TaskKey(const std::string& task_id) { return "task/" + task_id; }

// Applies `move` (a task_state transition taking the actor) as the call's
// authenticated caller, the request's actor kept as "on behalf of".
template <typename F>
auto AsCaller(const Call& c, const std::string& requested, F move) {
  return [who = ActorOf(c.caller(), requested), move](v1::Task* t) {
    const int before = t->history_size();
    Status s = move(t, who.actor);
    if (s.ok()) StampTransitions(t, before, who);
    return s;
  };
}

// How PlaybooksPlugin::Fire applies one trigger.
struct FireOptions {
  std::string only{};        // this playbook alone
  int64_t position = 0;      // the feed event's position; 0: not the feed
  double health_score = -1;  // the health at the trigger; <0: the current
};

class PlaybooksPlugin : public sdk::Plugin {
 public:
  Status Init(sdk::Setup& setup) override {
    v1::PlaybooksConfig config;
    google::protobuf::util::JsonParseOptions options;
    auto parsed = google::protobuf::util::JsonStringToMessage(
        setup.config().json(), &config, options);
    if (!parsed.ok())
      return sdk::InvalidArgument("config: " + parsed.ToString());
    if (!config.disable_defaults()) {
      for (auto& p : DefaultPlaybooks()) base_[p.playbook_id()] = p;
    }
    for (int i = 0; i < config.playbooks_size(); ++i) {
      v1::Playbook p = config.playbooks(i);
      Status s =
          ValidatePlaybook(p, "config.playbooks[" + std::to_string(i) + "]");
      if (!s.ok()) return s;
      p.set_source(v1::PLAYBOOK_SOURCE_CONFIG);
      base_[p.playbook_id()] = p;
    }
    poll_health_ = !config.disable_health_polling();

    setup.Subscribe(SignalKind::kCustom);
    setup.Subscribe(SignalKind::kTouchpoint);
    setup.Subscribe(SignalKind::kCommercial);
    setup.Subscribe(SignalKind::kLifecycle);
    // An older host ignores these; the tick then polls bands instead.
    setup.SubscribeHealthEvents(sdk::HealthEvent::Kind::kBandChanged);
    setup.SubscribeHealthEvents(sdk::HealthEvent::Kind::kIndicatorAppeared);
    // Its own alerts too, for playbooks on playbooks.objective_missed (see
    // TriggersOnOwnAlert for why no loop follows).
    setup.SubscribeHealthEvents(sdk::HealthEvent::Kind::kAlert,
                                /*own_alerts=*/true);
    ServePlaybooks(setup);
    ServeTasks(setup);
    ServePlans(setup);
    setup.HandleProto<v1::GetEffectivenessRequest, v1::Effectiveness>(
        std::string(kService) + "GetEffectiveness",
        [this](const Call& c, const auto& req, auto* resp) {
          return GetEffectiveness(c.tenant, req, resp);
        });
    setup.ProvideReportSection();
    setup.WantTicks();
    return Status();
  }

  Status OnSignal(const Signal& s) override {
    if (Status m = MarkTenant(s.tenant); !m.ok()) return m;
    if (s.kind == SignalKind::kTouchpoint &&
        s.touchpoint.channel == sdk::touchpoint_channel::kQbr) {
      const std::string key = "account/" + s.account_id;
      return host().Update(s.tenant, {key}, [&](sdk::KvUpdate& u) {
        auto state = LoadState(u, s.account_id);
        if (!state.ok()) return state.status();
        if (MicrosOf(state->last_qbr_time()) >= s.occur_micros) return Status();
        *state->mutable_last_qbr_time() = TimestampOf(s.occur_micros);
        u.Apply(Put(key, *state));
        return Status();
      });
    }
    if (s.kind == SignalKind::kCustom) {
      TriggerEvent e;
      e.kind = v1::TRIGGER_KIND_CUSTOM_SIGNAL;
      e.at_micros = s.occur_micros;
      e.signal_type = s.custom.type;
      return Fire(s.tenant, s.account_id, e, host().NowMicros());
    }
    return Status();
  }

  // A band entering red or yellow, a leading indicator appearing, or
  // another plugin's alert (e.g. onboarding.milestone_overdue), fires the
  // playbooks it matches. The feed is at least once: each task records the
  // event's position it applied (AccountState.feed_positions), so a
  // redelivery changes nothing.
  Status OnHealthEvent(const sdk::HealthEvent& event) override {
    if (event.account_id.empty()) return Status();  // tenant-wide
    TriggerEvent e;
    e.at_micros = event.occur_micros;
    switch (event.kind) {
      case sdk::HealthEvent::Kind::kBandChanged:
        if (event.band == event.previous_band ||
            (event.band != sdk::band::kRed && event.band != sdk::band::kYellow))
          return Status();
        e.kind = v1::TRIGGER_KIND_BAND_ENTERED;
        e.band = static_cast<v1::Band>(event.band);
        break;
      case sdk::HealthEvent::Kind::kIndicatorAppeared:
        e.kind = v1::TRIGGER_KIND_INDICATOR_APPEARED;
        e.indicator = event.indicator;
        break;
      case sdk::HealthEvent::Kind::kAlert:
        if (event.source == kPluginName && !TriggersOnOwnAlert(event.code))
          return Status();
        e.kind = v1::TRIGGER_KIND_PLUGIN_ALERT;
        e.alert_code = event.code;
        break;
      default:
        return Status();
    }
    if (Status m = MarkTenant(event.tenant); !m.ok()) return m;
    FireOptions options;
    options.position = event.position;
    // The health the band change was scored with, not today's.
    if (event.kind == sdk::HealthEvent::Kind::kBandChanged)
      options.health_score = event.score;
    return Fire(event.tenant, event.account_id, e, host().NowMicros(), options);
  }

  Status OnTick(const sdk::Tick& tick) override {
    auto tenants = host().ListTenants();
    if (!tenants.ok()) return tenants.status();
    Status first;
    auto keep = [&first](Status s) {
      if (!s.ok() && first.ok()) first = s;
    };
    for (const auto& tenant : *tenants) {
      std::string token;
      do {
        std::string next;
        auto accounts = host().ListAccounts(tenant, 1000, token, &next);
        if (!accounts.ok()) {
          keep(accounts.status());
          break;
        }
        // One account's trouble does not hold up the others.
        for (const auto& a : *accounts) keep(TickAccount(tenant, a, tick));
        token = next;
      } while (!token.empty());
      keep(TickTasks(tenant, tick.now_micros));
      keep(TickPlans(tenant, tick.now_micros));
    }
    return first;
  }

  std::optional<sdk::Section> ReportSection(
      const std::string& tenant, const std::string& account_id) override {
    auto tasks = LoadAll<v1::Task>(host(), tenant, "task/");
    if (!tasks.ok()) return std::nullopt;
    const int64_t now = host().NowMicros();
    sdk::Section section;
    section.title = "Playbooks";
    int open = 0, overdue = 0;
    std::vector<sdk::Field> lines;
    for (const auto& t : *tasks) {
      if (t.account_id() != account_id || t.status() == v1::TASK_STATUS_DONE)
        continue;
      ++open;
      if (IsOverdue(t, now)) ++overdue;
      lines.push_back({"task", t.title() + " (" +
                                   v1::TaskStatus_Name(t.status()) + ", " +
                                   t.owner() + ", due " +
                                   FormatDate(MicrosOf(t.due_time())) +
                                   (t.escalated() ? ", escalated" : "") + ")"});
    }
    auto plan =
        LoadMessage<v1::SuccessPlan>(host(), tenant, "plan/" + account_id);
    if (open == 0 && (!plan.ok() || !*plan)) return std::nullopt;
    section.fields.push_back({"open_tasks", std::to_string(open)});
    section.fields.push_back({"overdue_tasks", std::to_string(overdue)});
    for (auto& l : lines) section.fields.push_back(std::move(l));
    if (plan.ok() && *plan) {
      v1::SuccessPlan p = **plan;
      EvaluatePlan(&p, now, {});
      section.fields.push_back(
          {"success_plan", v1::ObjectiveStatus_Name(p.status())});
    }
    return section;
  }

 private:
  // ---- Playbooks.
  void ServePlaybooks(sdk::Setup& setup) {
    std::string s = kService;
    setup.HandleProto<v1::ListPlaybooksRequest, v1::ListPlaybooksResponse>(
        s + "ListPlaybooks", [this](const Call& c, const auto& req, auto* r) {
          auto size = PageSize(req.page_size());
          if (!size.ok()) return size.status();
          auto all = Playbooks(c.tenant);
          if (!all.ok()) return all.status();
          for (auto it = all->upper_bound(req.page_token()); it != all->end();
               ++it) {
            if (r->playbooks_size() >= *size) {
              r->set_next_page_token(r->playbooks().rbegin()->playbook_id());
              break;
            }
            *r->add_playbooks() = it->second;
          }
          return Status();
        });
    setup.HandleProto<v1::GetPlaybookRequest, v1::Playbook>(
        s + "GetPlaybook", [this](const Call& c, const auto& req, auto* r) {
          auto all = Playbooks(c.tenant);
          if (!all.ok()) return all.status();
          auto it = all->find(req.playbook_id());
          if (it == all->end())
            return sdk::NotFound("no playbook " + req.playbook_id());
          *r = it->second;
          return Status();
        });
    setup.HandleProto<v1::CreatePlaybookRequest, v1::Playbook>(
        s + "CreatePlaybook", [this](const Call& c, const auto& req, auto* r) {
          return SavePlaybook(c.tenant, req.playbook(), /*create=*/true, r);
        });
    setup.HandleProto<v1::UpdatePlaybookRequest, v1::Playbook>(
        s + "UpdatePlaybook", [this](const Call& c, const auto& req, auto* r) {
          return SavePlaybook(c.tenant, req.playbook(), /*create=*/false, r);
        });
  }

  // Every playbook in force for the tenant, by id.
  sdk::Result<std::map<std::string, v1::Playbook>> Playbooks(
      const std::string& tenant) {
    std::map<std::string, v1::Playbook> all = base_;
    auto api = LoadAll<v1::Playbook>(host(), tenant, "playbook/");
    if (!api.ok()) return api.status();
    for (auto& p : *api) all[p.playbook_id()] = std::move(p);
    return all;
  }

  Status SavePlaybook(const std::string& tenant, v1::Playbook p, bool create,
                      v1::Playbook* out) {
    if (Status s = ValidatePlaybook(p); !s.ok()) return s;
    p.set_source(v1::PLAYBOOK_SOURCE_API);
    const std::string key = "playbook/" + p.playbook_id();
    Status s = host().Update(tenant, {key}, [&](sdk::KvUpdate& u) {
      auto stored = u.Get(key);
      if (!stored.ok()) return stored.status();
      const bool exists =
          stored->has_value() || base_.count(p.playbook_id()) > 0;
      if (create && exists)
        return sdk::AlreadyExists("playbook " + p.playbook_id() + " exists");
      if (!create && !exists)
        return sdk::NotFound("no playbook " + p.playbook_id());
      u.Apply(Put(key, p));
      u.Put("tenant", "1");
      return Status();
    });
    if (!s.ok()) return s;
    *out = p;
    return Status();
  }

  // ---- Triggers.
  Status MarkTenant(const std::string& tenant) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (marked_.count(tenant)) return Status();
    }
    Status s = host().KvPut(tenant, "tenant", "1");
    if (!s.ok()) return s;
    std::lock_guard<std::mutex> lock(mu_);
    marked_.insert(tenant);
    return Status();
  }

  // The account's state as one Update attempt reads it (fresh if absent).
  static sdk::Result<v1::AccountState> LoadState(
      sdk::KvUpdate& u, const std::string& account_id) {
    auto st = LoadMessage<v1::AccountState>(u, "account/" + account_id);
    if (!st.ok()) return st.status();
    if (*st) return **st;
    v1::AccountState fresh;
    fresh.set_account_id(account_id);
    return fresh;
  }

  static AccountFacts FactsOf(const sdk::Account& a, const sdk::Health& h) {
    AccountFacts f;
    f.account_id = a.id;
    f.segment = a.segment;
    f.arr = a.arr;
    f.lifecycle_stage = a.lifecycle_stage;
    f.csm = a.csm_owner;
    f.band = static_cast<v1::Band>(h.band);
    f.health_score = h.score;
    return f;
  }

  // The account's profile and health in one call (ABI 1.3, with the other
  // plugins' components); on an older host, its profile and core health.
  // NOT_FOUND for an unknown account.
  sdk::Result<AccountFacts> Facts(const std::string& tenant,
                                  const std::string& account_id) {
    auto ah = host().GetAccountHealth(tenant, account_id);
    if (ah.ok()) return FactsOf(ah->account, ah->health);
    if (ah.status().code() != sdk::Code::kUnimplemented) return ah.status();
    auto account = host().GetAccount(tenant, account_id);
    if (!account.ok()) return account.status();
    return FactsOf(*account, LegacyHealth(tenant, *account));
  }

  // The core health (GetHealth), or the one the profile carries.
  sdk::Health LegacyHealth(const std::string& tenant, const sdk::Account& a) {
    auto h = host().GetHealth(tenant, a.id);
    if (h.ok()) return *h;
    sdk::Health from_profile;
    from_profile.band = a.health_band;
    from_profile.score = a.health_score;
    return from_profile;
  }

  // Whether the host feeds health events (ABI 1.3), which its answering
  // GetAccountHealth tells; asked once. Without the feed the tick polls
  // bands.
  bool HostFeedsHealth(const std::string& tenant,
                       const std::string& account_id) {
    const int known = host_feeds_health_.load();
    if (known != kUnknown) return known == kYes;
    auto h = host().GetAccountHealth(tenant, account_id);
    const bool feeds = h.ok() || h.status().code() != sdk::Code::kUnimplemented;
    host_feeds_health_.store(feeds ? kYes : kNo);
    return feeds;
  }

  // Opens (or updates) the task of every playbook the event matches.
  // Caller holds no lock.
  Status Fire(const std::string& tenant, const std::string& account_id,
              const TriggerEvent& e, int64_t now,
              const FireOptions& options = {}) {
    auto facts = Facts(tenant, account_id);
    if (!facts.ok()) {
      // A signal or event for an account that was removed triggers nothing.
      return facts.status().code() == sdk::Code::kNotFound ? Status()
                                                           : facts.status();
    }
    if (options.health_score >= 0) facts->health_score = options.health_score;
    auto all = Playbooks(tenant);
    if (!all.ok()) return all.status();
    for (const auto& [id, p] : *all) {
      if (!options.only.empty() && id != options.only) continue;
      if (!Match(e, *facts, p)) continue;
      if (Status s = OpenOrUpdate(tenant, p, *facts, e, now, options.position);
          !s.ok())
        return s;
    }
    return Status();
  }

  // One open task per playbook and account: a re-trigger updates it. The
  // scan of the pair's tasks is no precondition, so every open also bumps
  // "opened/<playbook>/<account>", which each attempt reads before the
  // scan: two triggers racing to open cannot both commit, and the loser's
  // retry finds the winner's task and counts on it. A feed event
  // (`position` > 0) applies once per playbook and account: its position is
  // written with the task, and one not past the last applied is skipped.
  Status OpenOrUpdate(const std::string& tenant, const v1::Playbook& p,
                      const AccountFacts& f, const TriggerEvent& e, int64_t now,
                      int64_t position) {
    const std::string pair = p.playbook_id() + "/" + f.account_id;
    const std::string guard = "opened/" + pair;
    const std::string state_key = "account/" + f.account_id;
    v1::Task task;
    bool opened = false;
    Status s = host().Update(tenant, {guard}, [&](sdk::KvUpdate& u) {
      opened = false;
      if (position > 0) {
        auto state = LoadState(u, f.account_id);
        if (!state.ok()) return state.status();
        auto applied = state->feed_positions().find(p.playbook_id());
        if (applied != state->feed_positions().end() &&
            applied->second >= position)
          return Status();  // a redelivery
        (*state->mutable_feed_positions())[p.playbook_id()] = position;
        u.Apply(Put(state_key, *state));
      }
      auto tasks = LoadAll<v1::Task>(host(), tenant, "task/" + pair + "/");
      if (!tasks.ok()) return tasks.status();
      const v1::Task* open = FindOpen(*tasks);
      if (open != nullptr) {
        // The task's own version guards against a concurrent transition.
        auto fresh = LoadMessage<v1::Task>(u, TaskKey(open->task_id()));
        if (!fresh.ok()) return fresh.status();
        if (*fresh && (*fresh)->status() != v1::TASK_STATUS_DONE) {
          task = **fresh;
          Retrigger(&task, e, now);
          u.Apply(Put(TaskKey(task.task_id()), task));
          return Status();
        }
      }
      auto n = TakeNext(u, guard);
      if (!n.ok()) return n.status();
      task =
          OpenTask(p, f, e, now,
                   std::max<int>(NextTaskNumber(*tasks), static_cast<int>(*n)));
      opened = true;
      u.Apply(Put(TaskKey(task.task_id()), task));
      u.Put("tenant", "1");
      return Status();
    });
    if (s.ok() && opened)
      host().Info("playbook " + p.playbook_id() + " opened " + task.task_id() +
                  ": " + task.trigger_reason());
    return s;
  }

  Status TickAccount(const std::string& tenant, const sdk::Account& a,
                     const sdk::Tick& tick) {
    const int64_t now = tick.now_micros;
    auto st = LoadMessage<v1::AccountState>(host(), tenant, "account/" + a.id);
    if (!st.ok()) return st.status();
    v1::AccountState state;
    if (*st) {
      state = **st;
    } else {
      state.set_account_id(a.id);
    }
    const v1::AccountState before = state;
    auto all = Playbooks(tenant);
    if (!all.ok()) return all.status();

    // Fallback for a host older than ABI 1.3, which feeds no health
    // events: compare the band now with the one the last tick saw. It sees
    // only what is true at tick time and costs a call per account.
    if (poll_health_ && !HostFeedsHealth(tenant, a.id)) {
      auto h = host().GetHealth(tenant, a.id);
      if (h.ok()) {
        auto band = static_cast<v1::Band>(h->band);
        if (band != state.last_band() &&
            (band == v1::BAND_RED || band == v1::BAND_YELLOW)) {
          TriggerEvent e;
          e.kind = v1::TRIGGER_KIND_BAND_ENTERED;
          e.at_micros = now;
          e.band = band;
          if (Status s = Fire(tenant, a.id, e, now); !s.ok()) return s;
        }
        state.set_last_band(band);
      }
    }
    // Renewal windows and QBR cadences fire once per renewal date and per
    // last QBR (fired_for), not on every tick.
    std::optional<AccountFacts> facts;  // read once, when a window is open
    const int64_t last_qbr = state.has_last_qbr_time()
                                 ? MicrosOf(state.last_qbr_time())
                                 : a.contract_start_micros;
    for (const auto& [id, p] : *all) {
      TriggerEvent e;
      e.at_micros = now;
      int64_t fired_for = 0;
      if (p.trigger().kind() == v1::TRIGGER_KIND_RENEWAL_WINDOW &&
          a.renewal_micros > now) {
        e.kind = v1::TRIGGER_KIND_RENEWAL_WINDOW;
        e.days_to_renewal =
            static_cast<int>((a.renewal_micros - now) / sdk::kMicrosPerDay);
        fired_for = a.renewal_micros;
      } else if (p.trigger().kind() == v1::TRIGGER_KIND_CADENCE_MISSED &&
                 last_qbr > 0) {
        e.kind = v1::TRIGGER_KIND_CADENCE_MISSED;
        e.days_since_cadence =
            static_cast<int>((now - last_qbr) / sdk::kMicrosPerDay);
        fired_for = last_qbr;
      } else {
        continue;
      }
      auto it = state.fired_for().find(id);
      if (it != state.fired_for().end() && it->second == fired_for) continue;
      if (!facts) {
        auto f = Facts(tenant, a.id);
        if (!f.ok()) return f.status();
        facts = *f;
      }
      if (!Match(e, *facts, p)) continue;
      FireOptions only;
      only.only = id;
      if (Status s = Fire(tenant, a.id, e, now, only); !s.ok()) return s;
      (*state.mutable_fired_for())[id] = fired_for;
    }
    if (state.SerializeAsString() == before.SerializeAsString())
      return Status();
    // Only ticks write the band and fired_for; keep a QBR that OnSignal
    // recorded meanwhile.
    const std::string key = "account/" + a.id;
    return host().Update(tenant, {key}, [&](sdk::KvUpdate& u) {
      auto latest = LoadState(u, a.id);
      if (!latest.ok()) return latest.status();
      latest->set_last_band(state.last_band());
      for (const auto& [id, at] : state.fired_for())
        (*latest->mutable_fired_for())[id] = at;
      u.Apply(Put(key, *latest));
      return Status();
    });
  }

  // Wakes snoozed tasks and escalates overdue ones, alerting once each:
  // the escalated flag is stored with the task, and a claim keeps two
  // passes from alerting for the same task at once (an alert cannot be
  // taken back by a compare-and-set retry).
  Status TickTasks(const std::string& tenant, int64_t now) {
    auto all = Playbooks(tenant);
    if (!all.ok()) return all.status();
    auto tasks = LoadAll<v1::Task>(host(), tenant, "task/");
    if (!tasks.ok()) return tasks.status();
    for (const auto& scanned : *tasks) {
      if (scanned.status() == v1::TASK_STATUS_DONE) continue;
      const std::string key = TaskKey(scanned.task_id());
      const Claims::Claim claim(&alerting_, tenant + "/" + key);
      if (!claim.held()) continue;
      auto p = all->find(scanned.playbook_id());
      const v1::Escalation rule =
          p == all->end() ? v1::Escalation() : p->second.task().escalation();
      // Read again under the claim: an earlier pass may have escalated.
      auto t = LoadMessage<v1::Task>(host(), tenant, key);
      if (!t.ok()) return t.status();
      if (!*t) continue;
      v1::Task woken = **t;
      WakeIfDue(&woken, now);
      const bool escalate = EscalationDue(woken, rule, now);
      if (escalate) {
        Status s = host().PublishAlert(
            tenant, woken.account_id(), "playbooks.task_escalated",
            "task '" + woken.title() + "' (" + woken.task_id() +
                ") overdue since " + FormatDate(MicrosOf(woken.due_time())) +
                ", escalated to " + rule.escalate_to(),
            sdk::AlertSeverity::kCritical);
        if (!s.ok()) return s;
      }
      Status s = host().Update(tenant, {key}, [&](sdk::KvUpdate& u) {
        auto loaded = LoadMessage<v1::Task>(u, key);
        if (!loaded.ok()) return loaded.status();
        if (!*loaded || (*loaded)->status() == v1::TASK_STATUS_DONE)
          return Status();
        v1::Task task = **loaded;
        bool changed = WakeIfDue(&task, now);
        if (escalate && !task.escalated()) {
          if (Status e =
                  EscalateTask(&task, rule.escalate_to(), kSystemActor, now);
              !e.ok())
            return e;
          changed = true;
        }
        if (changed) u.Apply(Put(key, task));
        return Status();
      });
      if (!s.ok()) return s;
    }
    return Status();
  }

  // A success plan that misses an objective's date raises an alert, once
  // (alerted_objective_ids, under a claim like TickTasks').
  Status TickPlans(const std::string& tenant, int64_t now) {
    auto plans = LoadAll<v1::SuccessPlan>(host(), tenant, "plan/");
    if (!plans.ok()) return plans.status();
    for (const auto& scanned : *plans) {
      const std::string key = "plan/" + scanned.account_id();
      const Claims::Claim claim(&alerting_, tenant + "/" + key);
      if (!claim.held()) continue;
      auto loaded = LoadMessage<v1::SuccessPlan>(host(), tenant, key);
      if (!loaded.ok()) return loaded.status();
      if (!*loaded) continue;
      v1::SuccessPlan plan = **loaded;
      // A background hook reads onboarding as a reader of the tenant.
      ResolveAndEvaluate(tenant, &plan, now);
      auto missed = UnalertedMissed(plan);
      if (missed.empty()) continue;
      std::vector<std::string> alerted;
      Status failed;
      for (const auto& id : missed) {
        Status s = host().PublishAlert(
            tenant, plan.account_id(), "playbooks.objective_missed",
            "success plan objective " + id + " missed its target date",
            sdk::AlertSeverity::kWarning);
        if (!s.ok()) {
          failed = s;  // keep the alerts that went out; retry the rest later
          break;
        }
        alerted.push_back(id);
      }
      Status s = host().Update(tenant, {key}, [&](sdk::KvUpdate& u) {
        auto latest = LoadMessage<v1::SuccessPlan>(u, key);
        if (!latest.ok()) return latest.status();
        if (!*latest) return Status();  // deleted meanwhile
        v1::SuccessPlan p = **latest;
        std::set<std::string> have(p.alerted_objective_ids().begin(),
                                   p.alerted_objective_ids().end());
        for (const auto& id : alerted) {
          if (have.insert(id).second) p.add_alerted_objective_ids(id);
        }
        u.Apply(Put(key, p));
        return Status();
      });
      if (!s.ok()) return s;
      if (!failed.ok()) return failed;
    }
    return Status();
  }

  // ---- Tasks.
  void ServeTasks(sdk::Setup& setup) {
    std::string s = kService;
    setup.HandleProto<v1::ListTasksRequest, v1::ListTasksResponse>(
        s + "ListTasks", [this](const Call& c, const auto& req, auto* r) {
          auto size = PageSize(req.page_size());
          if (!size.ok()) return size.status();
          const int64_t now = host().NowMicros();
          std::vector<v1::Task> page;
          std::string next;
          Status st = LoadPage<v1::Task>(
              host(), c.tenant, "task/", *size, req.page_token(),
              [&](const v1::Task& t) {
                return (req.owner().empty() || t.owner() == req.owner()) &&
                       (req.account_id().empty() ||
                        t.account_id() == req.account_id()) &&
                       (req.playbook_id().empty() ||
                        t.playbook_id() == req.playbook_id()) &&
                       (req.status() == v1::TASK_STATUS_UNSPECIFIED ||
                        t.status() == req.status()) &&
                       (!req.overdue_only() || IsOverdue(t, now));
              },
              &page, &next);
          if (!st.ok()) return st;
          for (auto& t : page) {
            t.set_overdue(IsOverdue(t, now));
            *r->add_tasks() = std::move(t);
          }
          r->set_next_page_token(next);
          return Status();
        });
    setup.HandleProto<v1::GetTaskRequest, v1::Task>(
        s + "GetTask", [this](const Call& c, const auto& req, auto* r) {
          return Mutate(c.tenant, req.task_id(), r, nullptr);
        });
    setup.HandleProto<v1::StartTaskRequest, v1::Task>(
        s + "StartTask", [this](const Call& c, const auto& req, auto* r) {
          return Mutate(c.tenant, req.task_id(), r,
                        AsCaller(c, req.actor(),
                                 [&](v1::Task* t, const std::string& actor) {
                                   return StartTask(t, actor,
                                                    host().NowMicros());
                                 }));
        });
    setup.HandleProto<v1::CompleteTaskRequest, v1::Task>(
        s + "CompleteTask", [this](const Call& c, const auto& req, auto* r) {
          return Mutate(c.tenant, req.task_id(), r,
                        AsCaller(c, req.actor(),
                                 [&](v1::Task* t, const std::string& actor) {
                                   return CompleteTask(t, req.outcome(), actor,
                                                       host().NowMicros());
                                 }));
        });
    setup.HandleProto<v1::SnoozeTaskRequest, v1::Task>(
        s + "SnoozeTask", [this](const Call& c, const auto& req, auto* r) {
          return Mutate(c.tenant, req.task_id(), r,
                        AsCaller(c, req.actor(),
                                 [&](v1::Task* t, const std::string& actor) {
                                   return SnoozeTask(t,
                                                     MicrosOf(req.until_time()),
                                                     actor, host().NowMicros());
                                 }));
        });
    setup.HandleProto<v1::EscalateTaskRequest, v1::Task>(
        s + "EscalateTask", [this](const Call& c, const auto& req, auto* r) {
          std::string to = req.escalate_to();
          if (to.empty()) {
            auto all = Playbooks(c.tenant);
            if (!all.ok()) return all.status();
            auto it =
                all->find(req.task_id().substr(0, req.task_id().find('/')));
            if (it != all->end())
              to = it->second.task().escalation().escalate_to();
          }
          return Mutate(c.tenant, req.task_id(), r,
                        AsCaller(c, req.actor(),
                                 [&](v1::Task* t, const std::string& actor) {
                                   return EscalateTask(t, to, actor,
                                                       host().NowMicros());
                                 }));
        });
    setup.HandleProto<v1::CheckStepRequest, v1::Task>(
        s + "CheckStep", [this](const Call& c, const auto& req, auto* r) {
          return Mutate(c.tenant, req.task_id(), r,
                        AsCaller(c, req.actor(),
                                 [&](v1::Task* t, const std::string& actor) {
                                   return CheckStep(t, req.step_index(),
                                                    req.checked(), actor,
                                                    host().NowMicros());
                                 }));
        });
  }

  // Loads a task, applies `change` (none: a read) and stores it by
  // compare-and-set: a concurrent transition makes this one run again on
  // the task it left, so neither is lost.
  template <typename F>
  Status Mutate(const std::string& tenant, const std::string& task_id,
                v1::Task* out, F change) {
    if (task_id.empty()) return sdk::InvalidArgument("task_id: is required");
    const std::string key = TaskKey(task_id);
    v1::Task task;
    Status s = host().Update(tenant, {key}, [&](sdk::KvUpdate& u) {
      auto t = LoadMessage<v1::Task>(u, key);
      if (!t.ok()) return t.status();
      if (!*t) return sdk::NotFound("no task " + task_id);
      task = **t;
      if constexpr (!std::is_same_v<F, std::nullptr_t>) {
        if (Status c = change(&task); !c.ok()) return c;
        u.Apply(Put(key, task));
      }
      return Status();
    });
    if (!s.ok()) return s;
    task.set_overdue(IsOverdue(task, host().NowMicros()));
    *out = std::move(task);
    return Status();
  }

  // ---- Success plans (one per account, "plan/<account_id>").
  void ServePlans(sdk::Setup& setup) {
    std::string s = kService;
    setup.HandleProto<v1::CreateSuccessPlanRequest, v1::SuccessPlan>(
        s + "CreateSuccessPlan",
        [this](const Call& c, const auto& req, auto* r) {
          v1::SuccessPlan plan = req.plan();
          if (Status v = ValidatePlan(plan); !v.ok()) return v;
          ClearOutputs(&plan);
          auto account = host().GetAccount(c.tenant, plan.account_id());
          if (!account.ok()) return account.status();
          const std::string key = "plan/" + plan.account_id();
          const int64_t now = host().NowMicros();
          plan.clear_alerted_objective_ids();
          *plan.mutable_create_time() = TimestampOf(now);
          *plan.mutable_update_time() = TimestampOf(now);
          Status st = host().Update(c.tenant, {key}, [&](sdk::KvUpdate& u) {
            auto existing = u.Get(key);
            if (!existing.ok()) return existing.status();
            if (existing->has_value())
              return sdk::AlreadyExists("a success plan exists for " +
                                        plan.account_id());
            u.Apply(Put(key, plan));
            u.Put("tenant", "1");
            return Status();
          });
          if (!st.ok()) return st;
          ResolveAndEvaluate(c.tenant, &plan, now);
          *r = plan;
          return Status();
        });
    setup.HandleProto<v1::GetSuccessPlanRequest, v1::SuccessPlan>(
        s + "GetSuccessPlan", [this](const Call& c, const auto& req, auto* r) {
          auto plan = LoadMessage<v1::SuccessPlan>(host(), c.tenant,
                                                   "plan/" + req.account_id());
          if (!plan.ok()) return plan.status();
          if (!*plan)
            return sdk::NotFound("no success plan for " + req.account_id());
          *r = **plan;
          ResolveAndEvaluate(c.tenant, r, host().NowMicros());
          return Status();
        });
    setup
        .HandleProto<v1::ListSuccessPlansRequest, v1::ListSuccessPlansResponse>(
            s + "ListSuccessPlans",
            [this](const Call& c, const auto& req, auto* r) {
              auto size = PageSize(req.page_size());
              if (!size.ok()) return size.status();
              std::vector<v1::SuccessPlan> page;
              std::string next;
              Status st = LoadPage<v1::SuccessPlan>(
                  host(), c.tenant, "plan/", *size, req.page_token(),
                  [](const v1::SuccessPlan&) { return true; }, &page, &next);
              if (!st.ok()) return st;
              const int64_t now = host().NowMicros();
              for (auto& p : page) {
                ResolveAndEvaluate(c.tenant, &p, now);
                *r->add_plans() = std::move(p);
              }
              r->set_next_page_token(next);
              return Status();
            });
    setup.HandleProto<v1::UpdateSuccessPlanRequest, v1::SuccessPlan>(
        s + "UpdateSuccessPlan",
        [this](const Call& c, const auto& req, auto* r) {
          if (Status v = ValidatePlan(req.plan()); !v.ok()) return v;
          return ChangePlan(c.tenant, req.plan().account_id(), r,
                            [&](v1::SuccessPlan* plan) {
                              ReplacePlan(plan, req.plan());
                              ClearOutputs(plan);
                            });
        });
    setup.HandleProto<v1::DeleteSuccessPlanRequest,
                      v1::DeleteSuccessPlanResponse>(
        s + "DeleteSuccessPlan", [this](const Call& c, const auto& req, auto*) {
          if (req.account_id().empty())
            return sdk::InvalidArgument("account_id: is required");
          const std::string key = "plan/" + req.account_id();
          return host().Update(c.tenant, {key}, [&](sdk::KvUpdate& u) {
            auto existing = u.Get(key);
            if (!existing.ok()) return existing.status();
            if (!existing->has_value())
              return sdk::NotFound("no success plan for " + req.account_id());
            u.Delete(key);
            return Status();
          });
        });
    setup.HandleProto<v1::UpsertObjectiveRequest, v1::SuccessPlan>(
        s + "UpsertObjective", [this](const Call& c, const auto& req, auto* r) {
          if (Status v = ValidateObjective(req.objective(), "objective");
              !v.ok())
            return v;
          return ChangePlan(
              c.tenant, req.account_id(), r, [&](v1::SuccessPlan* plan) {
                v1::Objective objective = req.objective();
                ClearOutputs(&objective);
                bool replaced = false;
                for (auto& o : *plan->mutable_objectives()) {
                  if (o.objective_id() != objective.objective_id()) continue;
                  o = objective;
                  replaced = true;
                }
                if (!replaced) *plan->add_objectives() = objective;
              });
        });
  }

  // An update replaces what the caller owns (objectives, notes, ...) and
  // keeps what the plugin owns: when it was created, which objectives were
  // already alerted (for the objectives that are still there).
  static void ReplacePlan(v1::SuccessPlan* plan, const v1::SuccessPlan& with) {
    const auto created = plan->create_time();
    std::set<std::string> alerted(plan->alerted_objective_ids().begin(),
                                  plan->alerted_objective_ids().end());
    *plan = with;
    *plan->mutable_create_time() = created;
    plan->clear_alerted_objective_ids();
    for (const auto& o : plan->objectives()) {
      if (alerted.count(o.objective_id()))
        plan->add_alerted_objective_ids(o.objective_id());
    }
  }

  // Loads the account's plan, applies `change` and stores it by
  // compare-and-set; NOT_FOUND when the account has none.
  template <typename F>
  Status ChangePlan(const std::string& tenant, const std::string& account_id,
                    v1::SuccessPlan* out, F change) {
    const std::string key = "plan/" + account_id;
    const int64_t now = host().NowMicros();
    v1::SuccessPlan plan;
    Status st = host().Update(tenant, {key}, [&](sdk::KvUpdate& u) {
      auto loaded = LoadMessage<v1::SuccessPlan>(u, key);
      if (!loaded.ok()) return loaded.status();
      if (!*loaded) return sdk::NotFound("no success plan for " + account_id);
      plan = **loaded;
      change(&plan);
      *plan.mutable_update_time() = TimestampOf(now);
      u.Apply(Put(key, plan));
      return Status();
    });
    if (!st.ok()) return st;
    ResolveAndEvaluate(tenant, &plan, now);
    *out = plan;
    return Status();
  }

  // Reads the account's onboarding plan live (as the caller from a method
  // handler, as a tenant reader from the tick) when an objective links it,
  // then fills the statuses. A plan that cannot be read shows its links
  // unavailable, with the reason, and the call goes on.
  void ResolveAndEvaluate(const std::string& tenant, v1::SuccessPlan* plan,
                          int64_t now) {
    if (HasLinks(*plan)) {
      auto bytes =
          host().CallPlugin(tenant, kOnboardingPlugin, kOnboardingGetPlan,
                            EncodeGetPlanRequest(plan->account_id()));
      ResolveLinks(plan,
                   bytes.ok() ? DecodeOnboardingPlan(*bytes)
                              : UnavailablePlan(bytes.status()),
                   now);
    }
    EvaluatePlan(plan, now, {});
  }

  // ---- Effectiveness.
  Status GetEffectiveness(const std::string& tenant,
                          const v1::GetEffectivenessRequest& req,
                          v1::Effectiveness* out) {
    const int64_t as_of =
        req.has_as_of_time() ? MicrosOf(req.as_of_time()) : host().NowMicros();
    auto tasks = LoadAll<v1::Task>(host(), tenant, "task/");
    if (!tasks.ok()) return tasks.status();
    std::vector<v1::Task> chosen;
    for (const auto& t : *tasks) {
      if (!req.playbook_id().empty() && t.playbook_id() != req.playbook_id())
        continue;
      if (req.segment() != 0 && t.segment() != req.segment()) continue;
      chosen.push_back(t);
    }
    auto evidence = GatherEvidence(host(), tenant, chosen, *tasks, as_of);
    if (!evidence.ok()) return evidence.status();
    *out->mutable_as_of_time() = TimestampOf(as_of);
    for (auto& row : Effectiveness(chosen, as_of, *evidence))
      *out->add_rows() = std::move(row);
    return Status();
  }

  std::mutex mu_;    // guards marked_ only, never a host call
  Claims alerting_;  // tasks and plans a tick pass is alerting for
  std::map<std::string, v1::Playbook> base_;  // defaults + config
  bool poll_health_ = true;                   // only on a host without the feed
  static constexpr int kUnknown = 0, kYes = 1, kNo = 2;
  std::atomic<int> host_feeds_health_{kUnknown};
  std::set<std::string> marked_;  // tenants whose "tenant" key is written
};

}  // namespace
}  // namespace retain::plugins::playbooks

RETAIN_PLUGIN(retain::plugins::playbooks::PlaybooksPlugin, "playbooks", "0.1.0")
