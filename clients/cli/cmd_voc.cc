// feedback list|add|follow-up|overdue|action (list|create|link|status)|
// metrics — the voice-of-the-
// customer plugin's verbs (retain.plugins.voc.v1.VocService). When the
// plugin is not loaded, retaind answers UNIMPLEMENTED and retainctl exits 8.
#include <cstdint>
#include <iostream>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "clients/cli/args.h"
#include "clients/cli/commands.h"
#include "clients/cli/format.h"
#include "clients/cli/table.h"
#include "retain/plugins/voc/v1/voc.grpc.pb.h"

namespace retain::cli {
namespace {

namespace vc = ::retain::plugins::voc::v1;

constexpr char kPlugin[] = "voc";

std::unique_ptr<vc::VocService::Stub> Stub(const Connection& conn) {
  return vc::VocService::NewStub(conn.channel());
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

// "closed 2025-07-01", "follow-up overdue since ...", "action a1", "open".
std::string FeedbackState(const vc::Feedback& f, bool color) {
  if (f.has_loop_closed_time()) {
    return Colorize("loop closed " + FormatDate(f.loop_closed_time()), "green",
                    color);
  }
  if (!f.action_id().empty()) return "action " + f.action_id();
  return "open";
}

std::string FollowUp(const vc::Feedback& f, bool color) {
  if (!f.detractor()) return "-";
  if (f.has_follow_up_time()) return "done " + FormatDate(f.follow_up_time());
  return Colorize("due " + FormatDate(f.follow_up_due_time()),
                  f.follow_up_alerted() ? "red" : "yellow", color);
}

void PrintFeedbackList(const Globals& g, const vc::ListFeedbackResponse& r,
                       const std::string& what) {
  if (g.format() == OutputFormat::kJson) {
    for (const auto& f : r.feedback()) PrintJson(std::cout, f);
    return;
  }
  const bool color = g.color();
  Table t({{"FEEDBACK"},
           {"ACCOUNT"},
           {"SOURCE"},
           {"SCORE", Align::kRight},
           {"THEMES"},
           {"FOLLOW-UP"},
           {"STATE"},
           {"TEXT"}});
  for (const auto& f : r.feedback()) {
    std::string text = f.text();
    for (char& c : text) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    t.AddRow({f.feedback_id(), f.account_id(),
              EnumShortName(vc::Source_descriptor(), f.source()),
              f.source() == vc::SOURCE_SURVEY ? absl::StrCat(f.score()) : "-",
              f.themes().empty() ? "-" : absl::StrJoin(f.themes(), ","),
              FollowUp(f, color), FeedbackState(f, color), text});
  }
  t.Print(std::cout);
  std::cout << "\n" << r.feedback_size() << " " << what << "\n";
}

void PrintFeedback(const Globals& g, const vc::Feedback& f) {
  if (g.format() == OutputFormat::kJson) {
    PrintJson(std::cout, f);
    return;
  }
  const bool color = g.color();
  std::vector<std::pair<std::string, std::string>> kv = {
      {"feedback", f.feedback_id()},
      {"account", f.account_id()},
      {"source", EnumShortName(vc::Source_descriptor(), f.source())},
      {"respondent", OrDash(f.respondent())},
      {"text", f.text()},
      {"themes", f.themes().empty() ? "-" : absl::StrJoin(f.themes(), ", ")},
      {"detractor", f.detractor() ? Colorize("yes", "red", color) : "no"},
      {"follow-up", FollowUp(f, color)},
      {"state", FeedbackState(f, color)},
      {"created", FormatDateTime(f.create_time())}};
  if (f.source() == vc::SOURCE_SURVEY) {
    kv.insert(kv.begin() + 4, {"score", absl::StrCat(f.score())});
  }
  if (!f.follow_up_note().empty()) {
    kv.push_back({"follow-up note", f.follow_up_note()});
  }
  PrintFields(std::cout, kv);
}

void PrintAction(const Globals& g, const vc::Action& a) {
  if (g.format() == OutputFormat::kJson) {
    PrintJson(std::cout, a);
    return;
  }
  const std::string status =
      EnumShortName(vc::ActionStatus_descriptor(), a.status());
  PrintFields(
      std::cout,
      {{"action", a.action_id()},
       {"title", a.title()},
       {"theme", OrDash(a.theme())},
       {"status",
        Colorize(status, a.status() == vc::ACTION_STATUS_SHIPPED ? "green" : "",
                 g.color())},
       {"feedback",
        a.feedback_ids().empty()
            ? std::string("-")
            : absl::StrCat(a.feedback_ids_size(), " (",
                           absl::StrJoin(a.feedback_ids(), ", "), ")")},
       {"created", FormatDateTime(a.create_time())},
       {"shipped", FormatDate(a.shipped_time())},
       {"loops closed", absl::StrCat(a.loops_closed())}});
}

}  // namespace

void AddVocCommands(CLI::App& app, Globals& g) {
  CLI::App* fb = app.add_subcommand(
      "feedback",
      "Voice of the customer: feedback, actions, closing the loop (the voc "
      "plugin)");
  fb->require_subcommand(1);

  {
    struct Opts {
      std::string account, theme;
      bool open = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = fb->add_subcommand(
        "list",
        "Feedback items; columns: FEEDBACK ACCOUNT SOURCE SCORE THEMES "
        "FOLLOW-UP STATE TEXT");
    cmd->add_option("--account", o->account, "only this account's");
    cmd->add_option("--theme", o->theme, "only feedback with this theme");
    cmd->add_flag("--open", o->open, "only feedback whose loop is not closed");
    cmd->callback([&g, o] {
      vc::ListFeedbackRequest req;
      if (!o->account.empty()) req.set_account_id(AccountIdArg(o->account));
      req.set_theme(o->theme);
      req.set_open_only(o->open);
      Connection conn(g);
      vc::ListFeedbackResponse resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->ListFeedback(ctx.get(), req, &resp),
                  "listing feedback", kPlugin);
      PrintFeedbackList(g, resp, "feedback items");
    });
  }
  {
    struct Opts {
      std::string account, text, respondent;
      std::vector<std::string> themes;
      bool detractor = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = fb->add_subcommand(
        "add",
        "Record feedback by hand (survey comments and tickets arrive as "
        "signals)");
    cmd->add_option("account", o->account, "account id")->required();
    cmd->add_option("text", o->text, "what the customer said")->required();
    cmd->add_option("--respondent", o->respondent, "who said it");
    cmd->add_option("--theme", o->themes, "a theme (repeatable)")
        ->delimiter(',');
    cmd->add_flag("--detractor", o->detractor,
                  "a detractor: needs a follow-up before its deadline");
    cmd->callback([&g, o] {
      vc::CreateFeedbackRequest req;
      req.set_account_id(AccountIdArg(o->account));
      req.set_text(o->text);
      req.set_respondent(o->respondent);
      for (const auto& t : o->themes) req.add_themes(t);
      req.set_detractor(o->detractor);
      Connection conn(g);
      vc::Feedback resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->CreateFeedback(ctx.get(), req, &resp),
                  "recording feedback", kPlugin);
      PrintFeedback(g, resp);
    });
  }
  {
    struct Opts {
      std::string id, note;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = fb->add_subcommand("follow-up",
                                       "Record the follow-up with a detractor");
    cmd->add_option("feedback", o->id, "feedback id")->required();
    cmd->add_option("note", o->note, "what was done")->required();
    cmd->callback([&g, o] {
      vc::RecordFollowUpRequest req;
      req.set_feedback_id(o->id);
      req.set_note(o->note);
      Connection conn(g);
      vc::Feedback resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->RecordFollowUp(ctx.get(), req, &resp),
                  "recording follow-up", kPlugin);
      PrintFeedback(g, resp);
    });
  }
  fb->add_subcommand("overdue",
                     "Detractor feedback past its follow-up deadline (the "
                     "plugin raises one alert per item)")
      ->callback([&g] {
        Connection conn(g);
        vc::ListFeedbackResponse resp;
        auto ctx = conn.Context();
        CheckPlugin(Stub(conn)->CheckFollowUps(ctx.get(), {}, &resp),
                    "checking follow-ups", kPlugin);
        PrintFeedbackList(g, resp, "follow-ups overdue");
      });
  {
    CLI::App* act = fb->add_subcommand(
        "action",
        "Actions on feedback: new -> triaged -> planned -> shipped (or "
        "wont_do); shipping closes the loop with every linked customer");
    act->require_subcommand(1);
    {
      struct Opts {
        std::string status, theme, account;
        bool open = false;
        int64_t limit = 0;
        int page_size = 200;
      };
      auto o = std::make_shared<Opts>();
      CLI::App* cmd = act->add_subcommand(
          "list",
          "Actions, every page unless --limit; columns: ACTION STATUS THEME "
          "FEEDBACK LOOPS CREATED SHIPPED TITLE");
      cmd->add_option("--status", o->status,
                      "only in this status: one of " +
                          EnumChoices(vc::ActionStatus_descriptor()));
      cmd->add_option("--theme", o->theme, "only actions on this theme");
      cmd->add_option("--account", o->account,
                      "only actions linked to this account's feedback");
      cmd->add_flag("--open", o->open,
                    "only open actions (not shipped, not wont_do)");
      cmd->add_option("--limit", o->limit, "stop after N actions (0: all)");
      cmd->add_option("--page-size", o->page_size, "actions per request")
          ->check(CLI::Range(1, 1000));
      cmd->callback([&g, o] {
        vc::ListActionsRequest req;
        if (!o->status.empty()) {
          req.set_status(static_cast<vc::ActionStatus>(
              EnumArg(vc::ActionStatus_descriptor(), o->status)));
        }
        req.set_theme(o->theme);
        if (!o->account.empty()) req.set_account_id(AccountIdArg(o->account));
        req.set_open_only(o->open);
        req.set_page_size(o->page_size);
        const bool json = g.format() == OutputFormat::kJson;
        const bool color = g.color();
        Table t({{"ACTION"},
                 {"STATUS"},
                 {"THEME"},
                 {"FEEDBACK", Align::kRight},
                 {"LOOPS", Align::kRight},
                 {"CREATED"},
                 {"SHIPPED"},
                 {"TITLE"}});
        Connection conn(g);
        auto stub = Stub(conn);
        const int64_t n = ForEachPage<vc::ListActionsResponse>(
            req, o->limit,
            [&](const vc::ListActionsRequest& r,
                vc::ListActionsResponse* resp) {
              auto ctx = conn.Context();
              CheckPlugin(stub->ListActions(ctx.get(), r, resp),
                          "listing actions", kPlugin);
            },
            [](const vc::ListActionsResponse& r) -> const auto& {
              return r.actions();
            },
            [&](const vc::Action& a) {
              if (json) {
                PrintJson(std::cout, a);
                return;
              }
              t.AddRow(
                  {a.action_id(),
                   Colorize(
                       EnumShortName(vc::ActionStatus_descriptor(), a.status()),
                       a.status() == vc::ACTION_STATUS_SHIPPED ? "green" : "",
                       color),
                   OrDash(a.theme()), absl::StrCat(a.feedback_ids_size()),
                   absl::StrCat(a.loops_closed()), FormatDate(a.create_time()),
                   FormatDate(a.shipped_time()), a.title()});
            });
        if (json) return;
        t.Print(std::cout);
        std::cout << "\n" << n << " actions\n";
      });
    }
    {
      struct Opts {
        std::string title, theme;
        std::vector<std::string> feedback;
      };
      auto o = std::make_shared<Opts>();
      CLI::App* cmd = act->add_subcommand("create", "Open an action");
      cmd->add_option("title", o->title, "what will be done")->required();
      cmd->add_option("--theme", o->theme, "the theme it answers");
      cmd->add_option("--feedback", o->feedback,
                      "feedback ids to link (repeatable or comma-separated)")
          ->delimiter(',');
      cmd->callback([&g, o] {
        vc::CreateActionRequest req;
        req.set_title(o->title);
        req.set_theme(o->theme);
        for (const auto& f : o->feedback) req.add_feedback_ids(f);
        Connection conn(g);
        vc::Action resp;
        auto ctx = conn.Context();
        CheckPlugin(Stub(conn)->CreateAction(ctx.get(), req, &resp),
                    "creating action", kPlugin);
        PrintAction(g, resp);
      });
    }
    {
      struct Opts {
        std::string id;
        std::vector<std::string> feedback;
      };
      auto o = std::make_shared<Opts>();
      CLI::App* cmd =
          act->add_subcommand("link", "Link feedback items to an action");
      cmd->add_option("action", o->id, "action id")->required();
      cmd->add_option("feedback", o->feedback, "feedback ids")->required();
      cmd->callback([&g, o] {
        vc::LinkFeedbackRequest req;
        req.set_action_id(o->id);
        for (const auto& f : o->feedback) req.add_feedback_ids(f);
        Connection conn(g);
        vc::Action resp;
        auto ctx = conn.Context();
        CheckPlugin(Stub(conn)->LinkFeedback(ctx.get(), req, &resp),
                    "linking feedback to " + o->id, kPlugin);
        PrintAction(g, resp);
      });
    }
    {
      struct Opts {
        std::string id, status;
      };
      auto o = std::make_shared<Opts>();
      CLI::App* cmd = act->add_subcommand(
          "status",
          "Move an action; \"shipped\" closes the loop with every linked "
          "customer");
      cmd->add_option("action", o->id, "action id")->required();
      cmd->add_option("status", o->status,
                      "one of " + EnumChoices(vc::ActionStatus_descriptor()))
          ->required();
      cmd->callback([&g, o] {
        vc::UpdateActionStatusRequest req;
        req.set_action_id(o->id);
        req.set_status(static_cast<vc::ActionStatus>(
            EnumArg(vc::ActionStatus_descriptor(), o->status)));
        Connection conn(g);
        vc::Action resp;
        auto ctx = conn.Context();
        CheckPlugin(Stub(conn)->UpdateActionStatus(ctx.get(), req, &resp),
                    "moving action " + o->id, kPlugin);
        PrintAction(g, resp);
      });
    }
  }
  fb->add_subcommand(
        "metrics",
        "Loop closure: share actioned, share closed, time to close, detractor "
        "follow-ups")
      ->callback([&g] {
        Connection conn(g);
        vc::VocMetrics m;
        auto ctx = conn.Context();
        CheckPlugin(Stub(conn)->GetMetrics(ctx.get(), {}, &m),
                    "voice-of-the-customer metrics", kPlugin);
        if (g.format() == OutputFormat::kJson) {
          PrintJson(std::cout, m);
          return;
        }
        PrintFields(
            std::cout,
            {{"feedback", FormatCount(m.feedback())},
             {"actioned", FormatPercent(m.actioned_share())},
             {"loop closed", FormatPercent(m.closed_share())},
             {"avg time to close",
              absl::StrFormat("%.1f days", m.avg_days_to_close())},
             {"detractors", absl::StrCat(m.detractors(), " (",
                                         m.detractors_followed_up_on_time(),
                                         " followed up on time, ",
                                         m.follow_ups_overdue(), " overdue)")},
             {"actions", absl::StrCat(m.actions(), " (", m.actions_shipped(),
                                      " shipped)")}});
      });
}

}  // namespace retain::cli
