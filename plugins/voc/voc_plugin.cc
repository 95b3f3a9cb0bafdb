// Voice of the customer, loop closure (see voc.proto, plugins/README.md).
//
// State (host KV, per tenant): "fb/<id>" -> Feedback, "action/<id>" ->
// Action, "next/fb", "next/action" counters.
// Config: follow_up_days (7), themes.<theme>: comma-separated keywords
// matched (case-insensitively) in feedback text.
// Survey answers with a comment become feedback, and so do detractors'
// answers without one (text "NPS 3, no comment"), so they get a follow-up.
// Detractor follow-ups past their deadline raise an alert once per
// feedback ("follow_up_alerted" persisted), on every periodic tick (so it
// also fires for customers who go quiet) and from CheckFollowUps.
// Concurrency: handlers, ticks and signals run at once and take no lock
// over the KV: each change is a Host::Update (compare-and-set, retried
// when another writer came first); the "next/..." counters number what is
// created.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "plugins/common/plugin_util.h"
#include "retain/plugins/voc/v1/voc.pb.h"
#include "retain_plugin.h"

namespace retain::plugins::voc {
namespace {

namespace pb = ::retain::plugins::voc::v1;
using sdk::Call;
using sdk::Signal;
using sdk::SignalKind;

constexpr char kService[] = "/retain.plugins.voc.v1.VocService/";

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsOpen(pb::ActionStatus s) {
  return s != pb::ACTION_STATUS_SHIPPED && s != pb::ACTION_STATUS_WONT_DO;
}

class VocPlugin : public sdk::Plugin {
 public:
  static constexpr uint32_t kRequiredHostFeatures =
      sdk::host_feature::kVersionedKv | sdk::host_feature::kListTenants;

  Status Init(sdk::Setup& setup) override {
    const auto& cfg = setup.config();
    follow_up_days_ = cfg.GetInt("follow_up_days", 7);
    for (const auto& theme : cfg.Children("themes")) {
      std::string list = cfg.GetString("themes." + theme);
      size_t start = 0;
      while (start <= list.size()) {
        size_t comma = list.find(',', start);
        std::string kw = Lower(list.substr(start, comma == std::string::npos
                                                      ? std::string::npos
                                                      : comma - start));
        kw.erase(0, kw.find_first_not_of(' '));
        kw.erase(kw.find_last_not_of(' ') + 1);
        if (!kw.empty()) keywords_[theme].push_back(kw);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    setup.Subscribe(SignalKind::kSurvey);
    setup.Subscribe(SignalKind::kTicket);
    std::string s = kService;
    setup.HandleProto<pb::CreateFeedbackRequest, pb::Feedback>(
        s + "CreateFeedback",
        [this](const Call& c, const auto& req, auto* resp) {
          if (req.account_id().empty() || req.text().empty()) {
            return sdk::InvalidArgument("account_id and text are required");
          }
          auto account = host().GetAccount(c.tenant, req.account_id());
          if (!account.ok()) return account.status();
          pb::Feedback f;
          f.set_account_id(req.account_id());
          f.set_source(pb::SOURCE_MANUAL);
          f.set_text(req.text());
          f.set_respondent(req.respondent());
          f.set_detractor(req.detractor());
          for (const auto& t : req.themes()) f.add_themes(t);
          return Add(c.tenant, "", f, host().NowMicros(), resp);
        });
    setup.HandleProto<pb::ListFeedbackRequest, pb::ListFeedbackResponse>(
        s + "ListFeedback", [this](const Call& c, const auto& req, auto* resp) {
          auto all = LoadAll<pb::Feedback>(host(), c.tenant, "fb/");
          if (!all.ok()) return all.status();
          for (const auto& f : *all) {
            if (!req.account_id().empty() && f.account_id() != req.account_id())
              continue;
            if (!req.theme().empty() &&
                std::find(f.themes().begin(), f.themes().end(), req.theme()) ==
                    f.themes().end()) {
              continue;
            }
            if (req.open_only() && f.has_loop_closed_time()) continue;
            *resp->add_feedback() = f;
          }
          return Status();
        });
    setup.HandleProto<pb::CreateActionRequest, pb::Action>(
        s + "CreateAction", [this](const Call& c, const auto& req, auto* resp) {
          if (req.title().empty())
            return sdk::InvalidArgument("title is required");
          const std::vector<std::string> ids(req.feedback_ids().begin(),
                                             req.feedback_ids().end());
          std::vector<std::string> keys = {"next/action"};
          for (const auto& id : ids) keys.push_back("fb/" + id);
          return host().Update(c.tenant, keys, [&](sdk::KvUpdate& u) {
            auto n = TakeNext(u, "next/action");
            if (!n.ok()) return n.status();
            pb::Action a;
            a.set_action_id("a" + std::to_string(*n));
            a.set_title(req.title());
            a.set_theme(req.theme());
            a.set_status(pb::ACTION_STATUS_NEW);
            *a.mutable_create_time() = TimestampOf(host().NowMicros());
            Status st = Link(u, &a, ids);
            if (!st.ok()) return st;
            u.Apply(Put("action/" + a.action_id(), a));
            *resp = a;
            return Status();
          });
        });
    setup.HandleProto<pb::LinkFeedbackRequest, pb::Action>(
        s + "LinkFeedback", [this](const Call& c, const auto& req, auto* resp) {
          const std::string key = "action/" + req.action_id();
          const std::vector<std::string> ids(req.feedback_ids().begin(),
                                             req.feedback_ids().end());
          std::vector<std::string> keys = {key};
          for (const auto& id : ids) keys.push_back("fb/" + id);
          return host().Update(c.tenant, keys, [&](sdk::KvUpdate& u) {
            auto a = LoadMessage<pb::Action>(u, key);
            if (!a.ok()) return a.status();
            if (!*a) return sdk::NotFound("no action " + req.action_id());
            if (!IsOpen((*a)->status()))
              return sdk::FailedPrecondition("action is closed");
            Status st = Link(u, &**a, ids);
            if (!st.ok()) return st;
            u.Apply(Put(key, **a));
            *resp = **a;
            return Status();
          });
        });
    setup.HandleProto<pb::UpdateActionStatusRequest, pb::Action>(
        s + "UpdateActionStatus",
        [this](const Call& c, const auto& req, auto* resp) {
          return UpdateStatus(c.tenant, req, resp);
        });
    setup.HandleProto<pb::RecordFollowUpRequest, pb::Feedback>(
        s + "RecordFollowUp",
        [this](const Call& c, const auto& req, auto* resp) {
          const std::string key = "fb/" + req.feedback_id();
          return host().Update(c.tenant, {key}, [&](sdk::KvUpdate& u) {
            auto f = LoadMessage<pb::Feedback>(u, key);
            if (!f.ok()) return f.status();
            if (!*f) return sdk::NotFound("no feedback " + req.feedback_id());
            if (!(*f)->has_follow_up_time())
              *(*f)->mutable_follow_up_time() = TimestampOf(host().NowMicros());
            (*f)->set_follow_up_note(req.note());
            u.Apply(Put(key, **f));
            *resp = **f;
            return Status();
          });
        });
    setup.HandleProto<pb::CheckFollowUpsRequest, pb::ListFeedbackResponse>(
        s + "CheckFollowUps", [this](const Call& c, const auto&, auto* resp) {
          return CheckFollowUps(c.tenant, resp);
        });
    setup.HandleProto<pb::GetMetricsRequest, pb::VocMetrics>(
        s + "GetMetrics", [this](const Call& c, const auto&, auto* resp) {
          return Metrics(c.tenant, "", resp);
        });
    setup.HandleProto<pb::ListActionsRequest, pb::ListActionsResponse>(
        s + "ListActions", [this](const Call& c, const auto& req, auto* resp) {
          return ListActions(c.tenant, req, resp);
        });
    setup.ProvideReportSection();
    setup.WantTicks();
    return Status();
  }

  Status OnTick(const sdk::Tick& tick) override {
    auto tenants = host().ListTenants();
    if (!tenants.ok()) return tenants.status();
    Status first;
    for (const auto& tenant : *tenants) {
      pb::ListFeedbackResponse overdue;
      Status s = CheckFollowUps(tenant, &overdue, tick.now_micros);
      if (!s.ok() && first.ok()) first = s;
    }
    return first;
  }

  // Survey comments and opened tickets become feedback; ids derive from
  // the signal, so redelivery is a no-op.
  Status OnSignal(const Signal& s) override {
    pb::Feedback f;
    f.set_account_id(s.account_id);
    std::string id;
    if (s.kind == SignalKind::kSurvey) {
      const bool detractor =
          (s.survey.kind == sdk::survey_kind::kNps && s.survey.score <= 6) ||
          (s.survey.kind == sdk::survey_kind::kCsat && s.survey.score <= 2);
      // A detractor who writes nothing is still owed a follow-up (often
      // the least engaged); a silent happy answer is no feedback.
      if (s.survey.comment.empty() && !detractor) return Status();
      id = "s-" + s.signal_id;
      f.set_source(pb::SOURCE_SURVEY);
      f.set_text(s.survey.comment.empty()
                     ? std::string(s.survey.kind == sdk::survey_kind::kNps
                                       ? "NPS "
                                       : "CSAT ") +
                           std::to_string(s.survey.score) + ", no comment"
                     : s.survey.comment);
      f.set_respondent(s.survey.respondent);
      f.set_score(s.survey.score);
      f.set_detractor(detractor);
    } else if (s.kind == SignalKind::kTicket) {
      if (s.ticket.status != sdk::ticket_status::kOpened ||
          s.ticket.subject.empty())
        return Status();
      id = "t-" + s.ticket.ticket_id;
      f.set_source(pb::SOURCE_TICKET);
      f.set_text(s.ticket.subject);
    } else {
      return Status();
    }
    pb::Feedback out;
    return Add(s.tenant, id, f, s.occur_micros, &out);
  }

  std::optional<sdk::Section> ReportSection(
      const std::string& tenant, const std::string& account_id) override {
    pb::VocMetrics m;
    if (!Metrics(tenant, account_id, &m).ok() || m.feedback() == 0)
      return std::nullopt;
    sdk::Section section;
    section.title = "Voice of the customer";
    int closed = static_cast<int>(m.closed_share() * m.feedback() + 0.5);
    section.fields = {
        {"feedback", std::to_string(m.feedback())},
        {"loops_closed", std::to_string(closed)},
        {"open", std::to_string(m.feedback() - closed)},
        {"detractors", std::to_string(m.detractors())},
        {"follow_ups_overdue", std::to_string(m.follow_ups_overdue())}};
    return section;
  }

 private:
  // Actions in key order; with account_id, those linked to any of that
  // account's feedback (the feedback's action_id).
  Status ListActions(const std::string& tenant,
                     const pb::ListActionsRequest& req,
                     pb::ListActionsResponse* resp) {
    auto size = PageSize(req.page_size());
    if (!size.ok()) return size.status();
    std::set<std::string> linked;
    if (!req.account_id().empty()) {
      auto all = LoadAll<pb::Feedback>(host(), tenant, "fb/");
      if (!all.ok()) return all.status();
      for (const auto& f : *all) {
        if (f.account_id() == req.account_id() && !f.action_id().empty())
          linked.insert(f.action_id());
      }
      if (linked.empty()) return Status();
    }
    std::vector<pb::Action> page;
    Status st = LoadPage<pb::Action>(
        host(), tenant, "action/", *size, req.page_token(),
        [&](const pb::Action& a) {
          return (req.status() == pb::ACTION_STATUS_UNSPECIFIED ||
                  a.status() == req.status()) &&
                 (!req.open_only() || IsOpen(a.status())) &&
                 (req.theme().empty() || a.theme() == req.theme()) &&
                 (req.account_id().empty() || linked.count(a.action_id()));
        },
        &page, resp->mutable_next_page_token());
    if (!st.ok()) return st;
    for (auto& a : page) *resp->add_actions() = std::move(a);
    return Status();
  }

  // Numbered by "next/fb" when `id` is empty; else a no-op answering the
  // feedback when it exists (a redelivered signal).
  Status Add(const std::string& tenant, const std::string& id,
             const pb::Feedback& f, int64_t at, pb::Feedback* out) {
    const std::string read = id.empty() ? "next/fb" : "fb/" + id;
    return host().Update(tenant, {read}, [&](sdk::KvUpdate& u) {
      std::string fid = id;
      if (fid.empty()) {
        auto n = TakeNext(u, "next/fb");
        if (!n.ok()) return n.status();
        fid = "f" + std::to_string(*n);
      } else {
        auto existing = LoadMessage<pb::Feedback>(u, read);
        if (!existing.ok()) return existing.status();
        if (*existing) {
          *out = **existing;
          return Status();
        }
      }
      *out = Themed(f, fid, at);
      u.Apply(Put("fb/" + fid, *out));
      return Status();
    });
  }

  // The feedback as stored: its id, time, themes (given, and those its
  // text matches), follow-up deadline for a detractor.
  pb::Feedback Themed(pb::Feedback f, const std::string& id, int64_t at) {
    f.set_feedback_id(id);
    *f.mutable_create_time() = TimestampOf(at);
    std::string text = Lower(f.text());
    for (const auto& [theme, kws] : keywords_) {
      if (std::find(f.themes().begin(), f.themes().end(), theme) !=
          f.themes().end())
        continue;
      for (const auto& kw : kws) {
        if (text.find(kw) != std::string::npos) {
          f.add_themes(theme);
          break;
        }
      }
    }
    if (f.detractor())
      *f.mutable_follow_up_due_time() =
          TimestampOf(at + follow_up_days_ * sdk::kMicrosPerDay);
    return f;
  }

  // Links feedback to the action, in the update that writes the action.
  Status Link(sdk::KvUpdate& u, pb::Action* a,
              const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      auto f = LoadMessage<pb::Feedback>(u, "fb/" + id);
      if (!f.ok()) return f.status();
      if (!*f) return sdk::NotFound("no feedback " + id);
      if (!(*f)->action_id().empty() && (*f)->action_id() != a->action_id()) {
        return sdk::FailedPrecondition(
            "feedback " + id + " is linked to action " + (*f)->action_id());
      }
      (*f)->set_action_id(a->action_id());
      u.Apply(Put("fb/" + id, **f));
      if (std::find(a->feedback_ids().begin(), a->feedback_ids().end(), id) ==
          a->feedback_ids().end()) {
        a->add_feedback_ids(id);
      }
    }
    return Status();
  }

  Status UpdateStatus(const std::string& tenant,
                      const pb::UpdateActionStatusRequest& req,
                      pb::Action* out) {
    const std::string key = "action/" + req.action_id();
    std::vector<pb::Feedback> closed;
    pb::Action a;
    bool unchanged = false;
    Status st = host().Update(tenant, {key}, [&](sdk::KvUpdate& u) {
      closed.clear();
      auto loaded = LoadMessage<pb::Action>(u, key);
      if (!loaded.ok()) return loaded.status();
      if (!*loaded) return sdk::NotFound("no action " + req.action_id());
      a = **loaded;
      pb::ActionStatus from = a.status(), to = req.status();
      unchanged = from == to;
      if (unchanged) return Status();
      bool allowed = IsOpen(from) && (to == pb::ACTION_STATUS_WONT_DO ||
                                      static_cast<int>(to) == from + 1);
      if (!allowed) {
        return sdk::FailedPrecondition("cannot move an action from " +
                                       pb::ActionStatus_Name(from) + " to " +
                                       pb::ActionStatus_Name(to));
      }
      a.set_status(to);
      if (to == pb::ACTION_STATUS_SHIPPED) {
        int64_t now = host().NowMicros();
        *a.mutable_shipped_time() = TimestampOf(now);
        // The action's feedback, read in this update: a follow-up recorded
        // on one meanwhile makes the update read it again.
        for (const auto& id : a.feedback_ids()) {
          auto f = LoadMessage<pb::Feedback>(u, "fb/" + id);
          if (!f.ok()) return f.status();
          if (!*f || (*f)->has_loop_closed_time()) continue;
          *(*f)->mutable_loop_closed_time() = TimestampOf(now);
          u.Apply(Put("fb/" + id, **f));
          closed.push_back(**f);
        }
        a.set_loops_closed(static_cast<int32_t>(closed.size()));
      }
      u.Apply(Put(key, a));
      return Status();
    });
    if (!st.ok()) return st;
    if (unchanged) {
      *out = a;
      return Status();
    }
    // Outbound notifications: one signal per closed loop (deterministic ids,
    // so a retry notifies nobody twice).
    std::vector<Signal> signals;
    for (const auto& f : closed) {
      Signal s;
      s.signal_id = "voc-" + a.action_id() + "-" + f.feedback_id();
      s.account_id = f.account_id();
      s.occur_micros = host().NowMicros();
      s.kind = SignalKind::kCustom;
      s.custom.type = "voc.loop_closed";
      s.custom.attributes = {{"action_id", a.action_id()},
                             {"action", a.title()},
                             {"feedback_id", f.feedback_id()},
                             {"respondent", f.respondent()}};
      signals.push_back(std::move(s));
    }
    if (!signals.empty()) {
      Status st = host().RecordSignals(tenant, signals);
      if (!st.ok()) return st;
    }
    *out = a;
    return Status();
  }

  // Overdue detractor follow-ups to `out`; alerts each one once (the alert
  // goes out, then "alerted" is persisted: a crash in between may repeat
  // it, a restart never does). An alert cannot be taken back by a retry,
  // so one pass per tenant alerts at a time (a claim in memory; a pass
  // that finds the tenant claimed only lists). `now` = 0: the host clock.
  Status CheckFollowUps(const std::string& tenant,
                        pb::ListFeedbackResponse* out, int64_t now = 0) {
    // Claimed before the read, so the read sees what an earlier pass
    // alerted.
    const Claims::Claim alerting(&alerting_, tenant);
    auto all = LoadAll<pb::Feedback>(host(), tenant, "fb/");
    if (!all.ok()) return all.status();
    if (now == 0) now = host().NowMicros();
    for (const auto& f : *all) {
      if (!f.detractor() || f.has_follow_up_time() ||
          now <= MicrosOf(f.follow_up_due_time()))
        continue;
      *out->add_feedback() = f;
      if (!alerting.held() || f.follow_up_alerted()) continue;
      Status st = host().PublishAlert(
          tenant, f.account_id(), "voc.detractor_follow_up_overdue",
          "detractor feedback " + f.feedback_id() + " from " +
              (f.respondent().empty() ? "a customer" : f.respondent()) +
              " was due a follow-up on " +
              FormatDate(MicrosOf(f.follow_up_due_time())),
          sdk::AlertSeverity::kWarning);
      if (!st.ok()) return st;
      // Marked on the feedback as it is now (linked or followed up
      // meanwhile: kept).
      const std::string key = "fb/" + f.feedback_id();
      st = host().Update(tenant, {key}, [&](sdk::KvUpdate& u) {
        auto current = LoadMessage<pb::Feedback>(u, key);
        if (!current.ok()) return current.status();
        if (!*current) return Status();
        (*current)->set_follow_up_alerted(true);
        u.Apply(Put(key, **current));
        return Status();
      });
      if (!st.ok()) return st;
    }
    return Status();
  }

  Status Metrics(const std::string& tenant, const std::string& account_id,
                 pb::VocMetrics* m) {
    auto all = LoadAll<pb::Feedback>(host(), tenant, "fb/");
    if (!all.ok()) return all.status();
    auto actions = LoadAll<pb::Action>(host(), tenant, "action/");
    if (!actions.ok()) return actions.status();
    std::map<std::string, pb::ActionStatus> status;
    for (const auto& a : *actions) {
      status[a.action_id()] = a.status();
      if (account_id.empty()) {
        m->set_actions(m->actions() + 1);
        if (a.status() == pb::ACTION_STATUS_SHIPPED)
          m->set_actions_shipped(m->actions_shipped() + 1);
      }
    }
    int64_t now = host().NowMicros();
    int actioned = 0, closed = 0;
    double close_days = 0;
    for (const auto& f : *all) {
      if (!account_id.empty() && f.account_id() != account_id) continue;
      m->set_feedback(m->feedback() + 1);
      auto it = status.find(f.action_id());
      if (it != status.end() && it->second >= pb::ACTION_STATUS_PLANNED)
        ++actioned;
      if (f.has_loop_closed_time()) {
        ++closed;
        close_days +=
            Days(MicrosOf(f.loop_closed_time()) - MicrosOf(f.create_time()));
      }
      if (f.detractor()) {
        m->set_detractors(m->detractors() + 1);
        int64_t due = MicrosOf(f.follow_up_due_time());
        if (f.has_follow_up_time() && MicrosOf(f.follow_up_time()) <= due) {
          m->set_detractors_followed_up_on_time(
              m->detractors_followed_up_on_time() + 1);
        } else if (!f.has_follow_up_time() && now > due) {
          m->set_follow_ups_overdue(m->follow_ups_overdue() + 1);
        }
      }
    }
    if (m->feedback() > 0) {
      m->set_actioned_share(static_cast<double>(actioned) / m->feedback());
      m->set_closed_share(static_cast<double>(closed) / m->feedback());
    }
    if (closed > 0) m->set_avg_days_to_close(close_days / closed);
    return Status();
  }

  Claims alerting_;  // tenants a pass is alerting for
  int64_t follow_up_days_ = 7;
  std::map<std::string, std::vector<std::string>> keywords_;
};

}  // namespace
}  // namespace retain::plugins::voc

RETAIN_PLUGIN(retain::plugins::voc::VocPlugin, "voc", "1.0.0")
