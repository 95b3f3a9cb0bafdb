// The playbooks plugin's rules without a host: definitions, defaults,
// trigger matching, the task state machine, success-plan status and
// onboarding milestone links, effectiveness statistics.
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugins/common/plugin_util.h"
#include "plugins/playbooks/default_playbooks.h"
#include "plugins/playbooks/effectiveness_stats.h"
#include "plugins/playbooks/linked_milestones.h"
#include "plugins/playbooks/playbook_rules.h"
#include "plugins/playbooks/success_plan_status.h"
#include "plugins/playbooks/task_state.h"
#include "plugins/playbooks/trigger_match.h"
#include "retain/plugins/onboarding/v1/onboarding.pb.h"

namespace retain::plugins::playbooks {
namespace {

constexpr int64_t kDay = sdk::kMicrosPerDay;
constexpr int64_t kT0 = 1700000000LL * sdk::kMicrosPerSecond;

v1::Playbook RedPlaybook() {
  v1::Playbook p;
  p.set_playbook_id("risk_red");
  p.mutable_trigger()->set_kind(v1::TRIGGER_KIND_BAND_ENTERED);
  p.mutable_trigger()->set_band(v1::BAND_RED);
  p.mutable_conditions()->add_segments(3);
  p.mutable_task()->set_title("Call");
  p.mutable_task()->set_priority(v1::PRIORITY_HIGH);
  p.mutable_task()->mutable_owner()->set_kind(v1::OWNER_KIND_ACCOUNT_CSM);
  p.mutable_task()->set_due_days(3);
  p.mutable_task()->add_steps("one");
  p.mutable_task()->add_steps("two");
  p.mutable_task()->mutable_escalation()->set_overdue_days(2);
  p.mutable_task()->mutable_escalation()->set_escalate_to("lead");
  return p;
}

AccountFacts Named() {
  return {.account_id = "acme",
          .segment = 3,
          .arr = 50000,
          .csm = "cara",
          .band = v1::BAND_RED,
          .health_score = 4};
}

TriggerEvent BandEntered(v1::Band b) {
  TriggerEvent e;
  e.kind = v1::TRIGGER_KIND_BAND_ENTERED;
  e.band = b;
  return e;
}

TEST(PlaybookRules, ErrorsNameTheField) {
  EXPECT_TRUE(ValidatePlaybook(RedPlaybook()).ok());
  struct Case {
    void (*breaks)(v1::Playbook*);
    std::string message;
  };
  std::vector<Case> cases = {
      {[](v1::Playbook* p) { p->set_playbook_id("Bad-Id"); },
       "playbook.playbook_id: must match [a-z][a-z0-9_]{0,62}"},
      {[](v1::Playbook* p) { p->mutable_trigger()->set_band(v1::BAND_GREEN); },
       "playbook.trigger.band: must be BAND_RED or BAND_YELLOW"},
      {[](v1::Playbook* p) { p->mutable_conditions()->set_segments(0, 9); },
       "playbook.conditions.segments[0]: must be a segment number 1-4"},
      {[](v1::Playbook* p) {
         p->mutable_conditions()->set_min_arr(10);
         p->mutable_conditions()->set_max_arr(5);
       },
       "playbook.conditions.max_arr: must be >= min_arr (or 0 for no bound)"},
      {[](v1::Playbook* p) { p->mutable_task()->clear_title(); },
       "playbook.task.title: is required"},
      {[](v1::Playbook* p) {
         p->mutable_task()->mutable_owner()->set_kind(v1::OWNER_KIND_NAMED);
       },
       "playbook.task.owner.name: is required for OWNER_KIND_NAMED"},
      {[](v1::Playbook* p) {
         p->mutable_task()->mutable_escalation()->clear_escalate_to();
       },
       "playbook.task.escalation.escalate_to: is required when overdue_days "
       "is set"},
      {[](v1::Playbook* p) {
         p->mutable_trigger()->set_kind(v1::TRIGGER_KIND_RENEWAL_WINDOW);
       },
       "playbook.trigger.within_days: must be 1-3650"},
  };
  for (const auto& c : cases) {
    v1::Playbook p = RedPlaybook();
    c.breaks(&p);
    sdk::Status s = ValidatePlaybook(p);
    EXPECT_EQ(s.code(), sdk::Code::kInvalidArgument);
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(DefaultPlaybooks, ValidUniqueAndCoverEverySegmentOnRed) {
  std::set<std::string> ids;
  std::map<int, std::vector<std::string>> red_by_segment;
  for (const auto& p : DefaultPlaybooks()) {
    EXPECT_TRUE(ValidatePlaybook(p).ok()) << p.playbook_id();
    EXPECT_TRUE(ids.insert(p.playbook_id()).second) << p.playbook_id();
    EXPECT_EQ(p.source(), v1::PLAYBOOK_SOURCE_DEFAULT);
    for (int seg = 1; seg <= 4; ++seg) {
      AccountFacts f = Named();
      f.segment = seg;
      if (Match(BandEntered(v1::BAND_RED), f, p))
        red_by_segment[seg].push_back(p.playbook_id() + "/" +
                                      std::to_string(p.task().due_days()));
    }
  }
  // Exactly one risk playbook per segment; high touch acts fastest.
  EXPECT_EQ(red_by_segment[1], std::vector<std::string>{"risk_red_digital/7"});
  EXPECT_EQ(red_by_segment[2], std::vector<std::string>{"risk_red_pooled/5"});
  EXPECT_EQ(red_by_segment[3],
            std::vector<std::string>{"risk_red_high_touch/3"});
  EXPECT_EQ(red_by_segment[4],
            std::vector<std::string>{"risk_red_high_touch/3"});
}

TEST(TriggerMatch, EachKindAndTheConditions) {
  v1::Playbook p = RedPlaybook();
  EXPECT_TRUE(Match(BandEntered(v1::BAND_RED), Named(), p));
  EXPECT_FALSE(Match(BandEntered(v1::BAND_YELLOW), Named(), p));
  AccountFacts pooled = Named();
  pooled.segment = 2;
  EXPECT_FALSE(Match(BandEntered(v1::BAND_RED), pooled, p));
  p.set_disabled(true);
  EXPECT_FALSE(Match(BandEntered(v1::BAND_RED), Named(), p));

  v1::Playbook renewal = RedPlaybook();
  renewal.mutable_trigger()->set_kind(v1::TRIGGER_KIND_RENEWAL_WINDOW);
  renewal.mutable_trigger()->set_within_days(90);
  TriggerEvent e;
  e.kind = v1::TRIGGER_KIND_RENEWAL_WINDOW;
  e.days_to_renewal = 80;
  EXPECT_TRUE(Match(e, Named(), renewal));
  e.days_to_renewal = 91;
  EXPECT_FALSE(Match(e, Named(), renewal));
  e.days_to_renewal = 80;
  AccountFacts green = Named();
  green.band = v1::BAND_GREEN;
  EXPECT_FALSE(Match(e, green, renewal));  // renewal only when not green

  v1::Playbook cadence = RedPlaybook();
  cadence.mutable_trigger()->set_kind(v1::TRIGGER_KIND_CADENCE_MISSED);
  cadence.mutable_trigger()->set_within_days(90);
  TriggerEvent c;
  c.kind = v1::TRIGGER_KIND_CADENCE_MISSED;
  c.days_since_cadence = 89;
  EXPECT_FALSE(Match(c, Named(), cadence));
  c.days_since_cadence = 90;
  EXPECT_TRUE(Match(c, Named(), cadence));

  for (auto [kind, field] : std::vector<std::pair<v1::TriggerKind, int>>{
           {v1::TRIGGER_KIND_PLUGIN_ALERT, 0},
           {v1::TRIGGER_KIND_CUSTOM_SIGNAL, 1},
           {v1::TRIGGER_KIND_INDICATOR_APPEARED, 2}}) {
    v1::Playbook q = RedPlaybook();
    q.mutable_trigger()->set_kind(kind);
    q.mutable_trigger()->set_alert_code("onboarding.milestone_overdue");
    q.mutable_trigger()->set_signal_type("sponsor.left");
    q.mutable_trigger()->set_indicator("usage_decline");
    TriggerEvent ev;
    ev.kind = kind;
    ev.alert_code = field == 0 ? "onboarding.milestone_overdue" : "x";
    ev.signal_type = field == 1 ? "sponsor.left" : "x";
    ev.indicator = field == 2 ? "usage_decline" : "x";
    EXPECT_TRUE(Match(ev, Named(), q)) << kind;
    ev.alert_code = ev.signal_type = ev.indicator = "other";
    EXPECT_FALSE(Match(ev, Named(), q)) << kind;
  }

  v1::Conditions arr;
  arr.set_min_arr(20000);
  arr.set_max_arr(75000);
  arr.add_csms("cara");
  arr.add_lifecycle_stages(2);
  AccountFacts f = Named();
  f.lifecycle_stage = 2;
  EXPECT_TRUE(ConditionsHold(arr, f));
  f.arr = 80000;
  EXPECT_FALSE(ConditionsHold(arr, f));
  f.arr = 50000;
  f.csm = "dan";
  EXPECT_FALSE(ConditionsHold(arr, f));
}

TEST(TaskState, TransitionsHistoryDedupAndEscalation) {
  v1::Playbook p = RedPlaybook();
  v1::Task t = OpenTask(p, Named(), BandEntered(v1::BAND_RED), kT0, 1);
  EXPECT_EQ(t.task_id(), "risk_red/acme/000001");
  EXPECT_EQ(t.owner(), "cara");
  EXPECT_EQ(MicrosOf(t.due_time()), kT0 + 3 * kDay);
  EXPECT_EQ(t.status(), v1::TASK_STATUS_OPEN);
  EXPECT_EQ(t.trigger_reason(), "band entered red");

  // Dedup: the open task is found, a re-trigger updates it.
  std::vector<v1::Task> tasks = {t};
  ASSERT_NE(FindOpen(tasks), nullptr);
  Retrigger(&tasks[0], BandEntered(v1::BAND_RED), kT0 + kDay);
  EXPECT_EQ(tasks[0].triggers(), 2);

  // Illegal moves are refused, naming both statuses.
  EXPECT_EQ(CompleteTask(&t, v1::OUTCOME_UNSPECIFIED, "cara", kT0).code(),
            sdk::Code::kInvalidArgument);
  EXPECT_TRUE(StartTask(&t, "cara", kT0 + 1).ok());
  EXPECT_EQ(SnoozeTask(&t, kT0, "cara", kT0 + 2).code(),
            sdk::Code::kInvalidArgument);
  EXPECT_TRUE(SnoozeTask(&t, kT0 + 2 * kDay, "cara", kT0 + 2).ok());
  EXPECT_FALSE(IsOverdue(t, kT0 + 10 * kDay));  // snoozed is not overdue
  EXPECT_FALSE(WakeIfDue(&t, kT0 + kDay));
  EXPECT_TRUE(WakeIfDue(&t, kT0 + 2 * kDay));
  EXPECT_EQ(t.status(), v1::TASK_STATUS_OPEN);
  EXPECT_EQ(CheckStep(&t, 2, true, "cara", kT0).code(),
            sdk::Code::kInvalidArgument);
  EXPECT_TRUE(CheckStep(&t, 1, true, "cara", kT0 + 3).ok());
  EXPECT_TRUE(t.steps(1).checked());

  // Escalation: overdue by 2 days (due + 2d), once.
  EXPECT_FALSE(EscalationDue(t, p.task().escalation(), kT0 + 4 * kDay));
  EXPECT_TRUE(EscalationDue(t, p.task().escalation(), kT0 + 5 * kDay));
  EXPECT_TRUE(EscalateTask(&t, "lead", kSystemActor, kT0 + 5 * kDay).ok());
  EXPECT_EQ(t.owner(), "lead");
  EXPECT_EQ(t.priority(), v1::PRIORITY_CRITICAL);
  EXPECT_FALSE(EscalationDue(t, p.task().escalation(), kT0 + 9 * kDay));

  EXPECT_TRUE(CompleteTask(&t, v1::OUTCOME_SAVED, "cara", kT0 + 6 * kDay).ok());
  sdk::Status again = StartTask(&t, "cara", kT0 + 7 * kDay);
  EXPECT_EQ(again.code(), sdk::Code::kFailedPrecondition);
  EXPECT_EQ(again.message(),
            "task risk_red/acme/000001 cannot go from TASK_STATUS_DONE to "
            "TASK_STATUS_IN_PROGRESS");

  std::vector<std::string> history;
  for (const auto& h : t.history())
    history.push_back(v1::TaskStatus_Name(h.to_status()).substr(12) + " by " +
                      h.actor() + ": " + h.note());
  EXPECT_EQ(history,
            (std::vector<std::string>{
                "OPEN by playbooks: opened: band entered red",
                "IN_PROGRESS by cara: started",
                "SNOOZED by cara: snoozed until " + FormatDate(kT0 + 2 * kDay),
                "OPEN by playbooks: snooze ended",
                "OPEN by playbooks: escalated to lead",
                "DONE by cara: done: OUTCOME_SAVED"}));

  // Done: no open task any more; the next one is number 2.
  tasks = {t};
  EXPECT_EQ(FindOpen(tasks), nullptr);
  EXPECT_EQ(NextTaskNumber(tasks), 2);
}

TEST(SuccessPlanStatus, ObjectivesAndPlan) {
  v1::SuccessPlan plan;
  plan.set_account_id("acme");
  auto add = [&](const std::string& id, int64_t target) {
    auto* o = plan.add_objectives();
    o->set_objective_id(id);
    o->set_title(id);
    *o->mutable_target_time() = TimestampOf(target);
    return o;
  };
  add("far", kT0 + 60 * kDay)->add_milestone_keys("go_live");
  add("near", kT0 + 10 * kDay);
  add("done", kT0 - kDay)->mutable_achieve_time()->set_seconds(1);
  ASSERT_TRUE(ValidatePlan(plan).ok());
  EvaluatePlan(&plan, kT0, {});
  EXPECT_EQ(plan.objectives(0).status(), v1::OBJECTIVE_STATUS_ON_TRACK);
  EXPECT_EQ(plan.objectives(1).status(), v1::OBJECTIVE_STATUS_AT_RISK);
  EXPECT_EQ(plan.objectives(2).status(), v1::OBJECTIVE_STATUS_ACHIEVED);
  EXPECT_EQ(plan.status(), v1::OBJECTIVE_STATUS_AT_RISK);
  EvaluatePlan(&plan, kT0, {"go_live"});  // a linked milestone is overdue
  EXPECT_EQ(plan.objectives(0).status(), v1::OBJECTIVE_STATUS_AT_RISK);
  EvaluatePlan(&plan, kT0 + 11 * kDay, {});
  EXPECT_EQ(plan.status(), v1::OBJECTIVE_STATUS_MISSED);
  EXPECT_EQ(UnalertedMissed(plan), std::vector<std::string>{"near"});
  plan.add_alerted_objective_ids("near");
  EXPECT_TRUE(UnalertedMissed(plan).empty());
  add("near", kT0);
  EXPECT_EQ(ValidatePlan(plan).message(),
            "plan.objectives[3].objective_id: is repeated");
}

namespace onboarding = ::retain::plugins::onboarding::v1;

// An onboarding plan as the onboarding plugin serializes it.
std::string OnboardingPlanBytes() {
  onboarding::Plan plan;
  plan.set_account_id("acme");
  auto add = [&](const std::string& key, int64_t due, int64_t done) {
    auto* m = plan.add_milestones();
    m->set_key(key);
    *m->mutable_due_time() = TimestampOf(due);
    if (done > 0) *m->mutable_complete_time() = TimestampOf(done);
    m->set_status(onboarding::MILESTONE_STATUS_PENDING);  // read, not trusted
  };
  add("kickoff", kT0 - 5 * kDay, kT0 - 6 * kDay);
  add("go_live", kT0 - kDay, 0);
  add("training", kT0 + 20 * kDay, 0);
  return plan.SerializeAsString();
}

v1::SuccessPlan LinkedPlan() {
  v1::SuccessPlan plan;
  plan.set_account_id("acme");
  auto add = [&](const std::string& id) {
    auto* o = plan.add_objectives();
    o->set_objective_id(id);
    o->set_title(id);
    *o->mutable_target_time() = TimestampOf(kT0 + 60 * kDay);
    return o;
  };
  add("kicked_off")->add_milestone_keys("kickoff");
  add("live")->add_milestone_keys("go_live");
  add("trained")->add_milestone_keys("training");
  add("whole")->set_link_onboarding_plan(true);
  add("typo")->add_milestone_keys("golive");
  return plan;
}

TEST(LinkedMilestones, ResolvedFromTheOnboardingPlanDecideStatus) {
  EXPECT_EQ(EncodeGetPlanRequest("acme"), [] {
    onboarding::GetPlanRequest r;
    r.set_account_id("acme");
    return r.SerializeAsString();
  }());
  auto read = DecodeOnboardingPlan(OnboardingPlanBytes());
  ASSERT_TRUE(read.available) << read.unavailable_reason;
  ASSERT_EQ(read.milestones.size(), 3u);

  v1::SuccessPlan plan = LinkedPlan();
  EXPECT_TRUE(HasLinks(plan));
  ResolveLinks(&plan, read, kT0);
  EvaluatePlan(&plan, kT0, {});
  const auto& kicked = plan.objectives(0);
  ASSERT_EQ(kicked.linked_milestones_size(), 1);
  EXPECT_EQ(kicked.linked_milestones(0).status(),
            v1::LINKED_MILESTONE_STATUS_COMPLETED);
  EXPECT_EQ(MicrosOf(kicked.linked_milestones(0).complete_time()),
            kT0 - 6 * kDay);
  // Completed milestones satisfy the objective.
  EXPECT_EQ(kicked.status(), v1::OBJECTIVE_STATUS_ACHIEVED);
  // Pending past its due time: overdue, so the objective is at risk.
  EXPECT_EQ(plan.objectives(1).linked_milestones(0).status(),
            v1::LINKED_MILESTONE_STATUS_OVERDUE);
  EXPECT_EQ(MicrosOf(plan.objectives(1).linked_milestones(0).due_time()),
            kT0 - kDay);
  EXPECT_EQ(plan.objectives(1).status(), v1::OBJECTIVE_STATUS_AT_RISK);
  EXPECT_EQ(plan.objectives(2).linked_milestones(0).status(),
            v1::LINKED_MILESTONE_STATUS_PENDING);
  EXPECT_EQ(plan.objectives(2).status(), v1::OBJECTIVE_STATUS_ON_TRACK);
  // The whole plan: every milestone, one overdue.
  ASSERT_EQ(plan.objectives(3).linked_milestones_size(), 3);
  EXPECT_EQ(plan.objectives(3).linked_milestones(1).milestone_key(), "go_live");
  EXPECT_EQ(plan.objectives(3).status(), v1::OBJECTIVE_STATUS_AT_RISK);
  // A key the plan lacks is unavailable, and decides nothing.
  EXPECT_EQ(plan.objectives(4).linked_milestones(0).status(),
            v1::LINKED_MILESTONE_STATUS_UNAVAILABLE);
  EXPECT_EQ(plan.objectives(4).linked_milestones(0).unavailable_reason(),
            "no milestone 'golive' in the account's onboarding plan");
  EXPECT_EQ(plan.objectives(4).status(), v1::OBJECTIVE_STATUS_ON_TRACK);
  EXPECT_EQ(plan.status(), v1::OBJECTIVE_STATUS_AT_RISK);

  // Resolving again replaces, never appends; a stored plan carries none.
  ResolveLinks(&plan, read, kT0);
  EXPECT_EQ(plan.objectives(3).linked_milestones_size(), 3);
  ClearOutputs(&plan);
  EXPECT_EQ(plan.objectives(3).linked_milestones_size(), 0);
  EXPECT_EQ(plan.objectives(3).status(), v1::OBJECTIVE_STATUS_UNSPECIFIED);
}

TEST(LinkedMilestones, UnavailableOnboardingShowsTheReason) {
  v1::SuccessPlan plan = LinkedPlan();
  ResolveLinks(&plan,
               UnavailablePlan(sdk::NotFound("no plugin onboarding loaded")),
               kT0);
  EvaluatePlan(&plan, kT0, {});
  for (const auto& o : plan.objectives()) {
    ASSERT_EQ(o.linked_milestones_size(), 1) << o.objective_id();
    EXPECT_EQ(o.linked_milestones(0).status(),
              v1::LINKED_MILESTONE_STATUS_UNAVAILABLE);
    EXPECT_EQ(o.linked_milestones(0).unavailable_reason(),
              "NOT_FOUND: no plugin onboarding loaded");
    EXPECT_EQ(o.status(), v1::OBJECTIVE_STATUS_ON_TRACK) << o.objective_id();
  }
  EXPECT_EQ(plan.objectives(3).linked_milestones(0).milestone_key(), "");
  EXPECT_FALSE(DecodeOnboardingPlan("\x22\x05junk").available);
}

TEST(LinkedMilestones, LinksAreValidated) {
  v1::SuccessPlan plan = LinkedPlan();
  ASSERT_TRUE(ValidatePlan(plan).ok());
  plan.mutable_objectives(1)->add_milestone_keys("go_live");
  EXPECT_EQ(ValidatePlan(plan).message(),
            "plan.objectives[1].milestone_keys[1]: is repeated");
  plan.mutable_objectives(1)->set_milestone_keys(1, "go live");
  EXPECT_EQ(ValidatePlan(plan).message(),
            "plan.objectives[1].milestone_keys[1]: only letters, digits, "
            "'_', '-' and '.'");
  plan.mutable_objectives(1)->set_milestone_keys(1, "");
  EXPECT_EQ(ValidatePlan(plan).code(), sdk::Code::kInvalidArgument);
  v1::Objective many;
  many.set_objective_id("o");
  many.set_title("o");
  *many.mutable_target_time() = TimestampOf(kT0);
  for (int i = 0; i <= kMaxMilestoneLinks; ++i)
    many.add_milestone_keys("m" + std::to_string(i));
  EXPECT_EQ(ValidateObjective(many, "objective").message(),
            "objective.milestone_keys: at most 50");
}

TEST(EffectivenessStats, RatesMedianAndHealthDelta) {
  auto task = [](const std::string& pb, int seg, int64_t created,
                 int64_t closed, v1::Outcome outcome) {
    v1::Task t;
    t.set_playbook_id(pb);
    t.set_segment(seg);
    *t.mutable_create_time() = TimestampOf(created);
    *t.mutable_due_time() = TimestampOf(created + 3 * kDay);
    if (closed) {
      *t.mutable_close_time() = TimestampOf(closed);
      t.set_outcome(outcome);
    }
    return t;
  };
  std::vector<v1::Task> tasks = {
      task("risk", 3, kT0, kT0 + 1 * kDay, v1::OUTCOME_SAVED),
      task("risk", 3, kT0, kT0 + 5 * kDay, v1::OUTCOME_LOST),
      task("risk", 3, kT0, kT0 + 2 * kDay, v1::OUTCOME_SAVED),
      task("risk", 3, kT0, 0, v1::OUTCOME_UNSPECIFIED),
      task("risk", 2, kT0, kT0 + 20 * kDay, v1::OUTCOME_NO_ACTION_NEEDED),
      task("risk", 3, kT0 + 30 * kDay, 0, v1::OUTCOME_UNSPECIFIED),
  };
  auto rows = Effectiveness(tasks, kT0 + 10 * kDay);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].segment(), 2);
  EXPECT_EQ(rows[0].triggered(), 1);
  EXPECT_EQ(rows[0].closed(), 0);  // closed after as_of
  const auto& named = rows[1];
  EXPECT_EQ(named.triggered(), 4);  // the one created after as_of is not in
  EXPECT_EQ(named.closed(), 3);
  EXPECT_DOUBLE_EQ(named.on_time_rate(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(named.median_days_to_close(), 2.0);
  // The CSMs' outcomes; without evidence no save is decided.
  EXPECT_EQ(named.outcome_saved(), 2);
  EXPECT_EQ(named.outcome_lost(), 1);
  EXPECT_EQ(rows[0].outcome_no_action_needed(), 0);  // closed after as_of
  EXPECT_DOUBLE_EQ(named.outcome_save_rate(), 2.0 / 3);
  EXPECT_EQ(named.save_undecided(), 4);
  EXPECT_DOUBLE_EQ(named.save_rate(), 0);
  EXPECT_FALSE(named.has_health_delta());
  EXPECT_DOUBLE_EQ(Median({4, 1, 3, 2}), 2.5);
}

TEST(EffectivenessStats, SaveJudgedAtTheNextRenewalOr180Days) {
  // No renewal in (trigger, trigger + 180 d]: judged 180 days on.
  EXPECT_EQ(SaveDecisionTime(kT0, {}), kT0 + 180 * kDay);
  EXPECT_EQ(SaveDecisionTime(kT0, {kT0, kT0 - 5 * kDay, kT0 + 200 * kDay}),
            kT0 + 180 * kDay);
  // The earliest renewal after the trigger.
  EXPECT_EQ(SaveDecisionTime(
                kT0, {kT0 + 200 * kDay, kT0 + 90 * kDay, kT0 + 60 * kDay}),
            kT0 + 60 * kDay);

  const int64_t at = kT0 + 60 * kDay;
  EXPECT_EQ(JudgeSave(10000, 10000, at, at), SaveVerdict::kSaved);
  EXPECT_EQ(JudgeSave(10000, 12000, at, at + kDay), SaveVerdict::kSaved);
  EXPECT_EQ(JudgeSave(10000, 9999, at, at), SaveVerdict::kLost);  // shrank
  EXPECT_EQ(JudgeSave(10000, 0, at, at), SaveVerdict::kLost);     // churned
  EXPECT_EQ(JudgeSave(0, 0, at, at), SaveVerdict::kLost);  // not a customer
  EXPECT_EQ(JudgeSave(10000, 0, at, at - 1), SaveVerdict::kUndecided);
}

TEST(EffectivenessStats, SaveRateAndMatchedHealthDeltas) {
  auto task = [](const std::string& id, const std::string& account,
                 int64_t created, v1::Outcome outcome) {
    v1::Task t;
    t.set_task_id(id);
    t.set_playbook_id("risk");
    t.set_account_id(account);
    t.set_segment(2);
    *t.mutable_create_time() = TimestampOf(created);
    *t.mutable_due_time() = TimestampOf(created + 5 * kDay);
    if (outcome != v1::OUTCOME_UNSPECIFIED) {
      *t.mutable_close_time() = TimestampOf(created + kDay);
      t.set_outcome(outcome);
    }
    return t;
  };
  const int64_t t2 = kT0 + 10 * kDay;
  const int64_t as_of = kT0 + 65 * kDay;
  std::vector<v1::Task> tasks = {
      task("risk/a/1", "a", kT0, v1::OUTCOME_SAVED),
      task("risk/b/1", "b", t2, v1::OUTCOME_SAVED),  // the CSM thought so
      task("risk/c/1", "c", kT0, v1::OUTCOME_UNSPECIFIED),
      task("risk/d/1", "d", kT0, v1::OUTCOME_LOST),
  };
  Evidence evidence;
  evidence.saves = {{"risk/a/1", SaveVerdict::kSaved},
                    {"risk/b/1", SaveVerdict::kLost},
                    {"risk/c/1", SaveVerdict::kUndecided}};  // d: none
  evidence.comparisons = {{"risk/a/1", {"x", "y"}}, {"risk/b/1", {"z"}}};
  evidence.samples = {
      // a: +3 at 30 d, +2 at 60 d; x: +1, 0; y: 0, +1.
      {"a", kT0, 4},
      {"a", kT0 + 30 * kDay, 7},
      {"a", kT0 + 60 * kDay, 6},
      {"x", kT0, 4},
      {"x", kT0 + 30 * kDay, 5},
      {"x", kT0 + 60 * kDay, 4},
      {"y", kT0, 4},
      {"y", kT0 + 30 * kDay, 4},
      {"y", kT0 + 60 * kDay, 5},
      // b: -1 at 30 d; z: +2; their 60 days end after as_of.
      {"b", t2, 5},
      {"b", t2 + 30 * kDay, 4},
      {"z", t2, 5},
      {"z", t2 + 30 * kDay, 7},
  };
  auto rows = Effectiveness(tasks, as_of, evidence);
  ASSERT_EQ(rows.size(), 1u);
  const auto& r = rows[0];
  EXPECT_EQ(r.triggered(), 4);
  EXPECT_EQ(r.saved(), 1);
  EXPECT_EQ(r.lost(), 1);
  EXPECT_EQ(r.save_undecided(), 2);
  EXPECT_DOUBLE_EQ(r.save_rate(), 0.5);
  EXPECT_EQ(r.outcome_saved(), 2);
  EXPECT_EQ(r.outcome_lost(), 1);
  EXPECT_DOUBLE_EQ(r.outcome_save_rate(), 2.0 / 3);
  // 30 d: a +3 - (1 + 0) / 2 = 2.5; b -1 - 2 = -3; mean -0.25.
  EXPECT_TRUE(r.has_health_delta());
  EXPECT_EQ(r.health_compared_30d(), 2);
  EXPECT_DOUBLE_EQ(r.health_delta_30d(), -0.25);
  // 60 d: only a's has passed: +2 - (0 + 1) / 2 = 1.5.
  EXPECT_EQ(r.health_compared_60d(), 1);
  EXPECT_DOUBLE_EQ(r.health_delta_60d(), 1.5);
  EXPECT_EQ(r.health_compared_90d(), 0);
  EXPECT_DOUBLE_EQ(r.health_delta_90d(), 0);

  // Before any 30 days have passed there is nothing to compare.
  auto early = Effectiveness(tasks, kT0 + 20 * kDay, evidence);
  ASSERT_EQ(early.size(), 1u);
  EXPECT_FALSE(early[0].has_health_delta());
  EXPECT_EQ(early[0].health_compared_30d(), 0);
}

}  // namespace
}  // namespace retain::plugins::playbooks
