// referrals champions|ask|reference|references|case-study|create|update|
// list|flywheel — the advocacy plugin's verbs
// (retain.plugins.advocacy.v1.AdvocacyService). When the plugin is not loaded,
// retaind answers UNIMPLEMENTED and retainctl exits 8.
#include <cstdint>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "clients/cli/args.h"
#include "clients/cli/commands.h"
#include "clients/cli/format.h"
#include "clients/cli/table.h"
#include "retain/plugins/advocacy/v1/advocacy.grpc.pb.h"

namespace retain::cli {
namespace {

namespace ad = ::retain::plugins::advocacy::v1;

constexpr char kPlugin[] = "advocacy";

std::unique_ptr<ad::AdvocacyService::Stub> Stub(const Connection& conn) {
  return ad::AdvocacyService::NewStub(conn.channel());
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

void PrintReference(const Globals& g, const ad::ReferenceRequest& r) {
  if (g.format() == OutputFormat::kJson) {
    PrintJson(std::cout, r);
    return;
  }
  PrintFields(
      std::cout,
      {{"reference request", r.reference_id()},
       {"account", r.account_id()},
       {"contact", OrDash(r.contact())},
       {"purpose", OrDash(r.purpose())},
       {"requested by", OrDash(r.requested_by())},
       {"status", EnumShortName(ad::ReferenceStatus_descriptor(), r.status())},
       {"requested", FormatDateTime(r.request_time())}});
}

void PrintCaseStudy(const Globals& g, const ad::CaseStudy& c) {
  if (g.format() == OutputFormat::kJson) {
    PrintJson(std::cout, c);
    return;
  }
  PrintFields(
      std::cout,
      {{"case study", c.case_study_id()},
       {"account", c.account_id()},
       {"title", c.title()},
       {"stage", EnumShortName(ad::CaseStudyStage_descriptor(), c.stage())},
       {"created", FormatDateTime(c.create_time())},
       {"published", FormatDate(c.publish_time())}});
}

void PrintReferral(const Globals& g, const ad::Referral& r) {
  if (g.format() == OutputFormat::kJson) {
    PrintJson(std::cout, r);
    return;
  }
  const std::string status =
      EnumShortName(ad::ReferralStatus_descriptor(), r.status());
  PrintFields(
      std::cout,
      {{"referral", r.referral_id()},
       {"advocate account", r.account_id()},
       {"advocate", OrDash(r.advocate_contact())},
       {"prospect", r.prospect()},
       {"estimated ARR", FormatMoney(r.estimated_arr())},
       {"status",
        Colorize(status,
                 r.status() == ad::REFERRAL_STATUS_CONVERTED ? "green" : "",
                 g.color())},
       {"attributed ARR", r.attributed_arr() > 0
                              ? FormatMoney(r.attributed_arr())
                              : std::string("-")},
       {"created", FormatDateTime(r.create_time())},
       {"converted", FormatDate(r.convert_time())}});
}

// Options shared by the list verbs.
struct ListOpts {
  std::string account, status;
  int64_t limit = 0;
  int page_size = 200;
};

void AddListOptions(CLI::App* cmd, ListOpts* o, const std::string& what,
                    const std::string& status_flag,
                    const google::protobuf::EnumDescriptor* status) {
  cmd->add_option("--account", o->account, "only this account's");
  cmd->add_option(status_flag, o->status,
                  "only in this " + status_flag.substr(2) + ": one of " +
                      EnumChoices(status));
  cmd->add_option("--limit", o->limit, "stop after N " + what + " (0: all)");
  cmd->add_option("--page-size", o->page_size, what + " per request")
      ->check(CLI::Range(1, 1000));
}

template <typename Req>
Req ListRequest(const ListOpts& o) {
  Req req;
  if (!o.account.empty()) req.set_account_id(AccountIdArg(o.account));
  req.set_page_size(o.page_size);
  return req;
}

}  // namespace

void AddAdvocacyCommands(CLI::App& app, Globals& g) {
  CLI::App* adv = app.add_subcommand(
      "referrals",
      "Advocacy: champions, reference requests, case studies, referrals and "
      "flywheel metrics (the advocacy plugin)");
  adv->require_subcommand(1);

  {
    auto account = std::make_shared<std::string>();
    CLI::App* cmd = adv->add_subcommand(
        "champions",
        "Promoters and named champions on green accounts; columns: ACCOUNT "
        "CONTACT SOURCE NPS SINCE");
    cmd->add_option("account", *account, "only this account's");
    cmd->callback([&g, account] {
      ad::ListChampionsRequest req;
      if (!account->empty()) req.set_account_id(AccountIdArg(*account));
      Connection conn(g);
      ad::ListChampionsResponse resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->ListChampions(ctx.get(), req, &resp),
                  "listing champions", kPlugin);
      if (g.format() == OutputFormat::kJson) {
        for (const auto& c : resp.champions()) PrintJson(std::cout, c);
        return;
      }
      Table t({{"ACCOUNT"},
               {"CONTACT"},
               {"SOURCE"},
               {"NPS", Align::kRight},
               {"SINCE"}});
      for (const auto& c : resp.champions()) {
        t.AddRow({c.account_id(), OrDash(c.contact()), c.source(),
                  c.source() == "nps" ? absl::StrCat(c.nps_score()) : "-",
                  FormatDate(c.since_time())});
      }
      t.Print(std::cout);
      std::cout << "\n" << resp.champions_size() << " champions\n";
    });
  }
  {
    struct Opts {
      std::string account, contact, purpose, by;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = adv->add_subcommand(
        "ask",
        "Request a reference from an account; refused (exit 4) over the "
        "yearly ask limit, within the cool-down, or when the account is red");
    cmd->add_option("account", o->account, "account id")->required();
    cmd->add_option("--contact", o->contact, "who to ask");
    cmd->add_option("--purpose", o->purpose,
                    "e.g. \"sales call with Initech\"");
    cmd->add_option("--by", o->by, "who is asking");
    cmd->callback([&g, o] {
      ad::RequestReferenceRequest req;
      req.set_account_id(AccountIdArg(o->account));
      req.set_contact(o->contact);
      req.set_purpose(o->purpose);
      req.set_requested_by(o->by);
      Connection conn(g);
      ad::ReferenceRequest resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->RequestReference(ctx.get(), req, &resp),
                  "requesting a reference", kPlugin);
      PrintReference(g, resp);
    });
  }
  {
    struct Opts {
      std::string id, status;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd =
        adv->add_subcommand("reference", "Set a reference request's status");
    cmd->add_option("reference", o->id, "reference request id")->required();
    cmd->add_option("status", o->status,
                    "one of " + EnumChoices(ad::ReferenceStatus_descriptor()))
        ->required();
    cmd->callback([&g, o] {
      ad::UpdateReferenceRequest req;
      req.set_reference_id(o->id);
      req.set_status(static_cast<ad::ReferenceStatus>(
          EnumArg(ad::ReferenceStatus_descriptor(), o->status)));
      Connection conn(g);
      ad::ReferenceRequest resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->UpdateReference(ctx.get(), req, &resp),
                  "updating reference " + o->id, kPlugin);
      PrintReference(g, resp);
    });
  }
  {
    auto o = std::make_shared<ListOpts>();
    CLI::App* cmd = adv->add_subcommand(
        "references",
        "Reference requests, every page unless --limit; columns: REFERENCE "
        "ACCOUNT CONTACT PURPOSE STATUS REQUESTED-BY REQUESTED");
    AddListOptions(cmd, o.get(), "reference requests", "--status",
                   ad::ReferenceStatus_descriptor());
    cmd->callback([&g, o] {
      auto req = ListRequest<ad::ListReferenceRequestsRequest>(*o);
      if (!o->status.empty()) {
        req.set_status(static_cast<ad::ReferenceStatus>(
            EnumArg(ad::ReferenceStatus_descriptor(), o->status)));
      }
      const bool json = g.format() == OutputFormat::kJson;
      Table t({{"REFERENCE"},
               {"ACCOUNT"},
               {"CONTACT"},
               {"PURPOSE"},
               {"STATUS"},
               {"REQUESTED-BY"},
               {"REQUESTED"}});
      Connection conn(g);
      auto stub = Stub(conn);
      const int64_t n = ForEachPage<ad::ListReferenceRequestsResponse>(
          req, o->limit,
          [&](const auto& r, auto* resp) {
            auto ctx = conn.Context();
            CheckPlugin(stub->ListReferenceRequests(ctx.get(), r, resp),
                        "listing reference requests", kPlugin);
          },
          [](const auto& resp) -> const auto& {
            return resp.reference_requests();
          },
          [&](const ad::ReferenceRequest& r) {
            if (json) {
              PrintJson(std::cout, r);
              return;
            }
            t.AddRow(
                {r.reference_id(), r.account_id(), OrDash(r.contact()),
                 OrDash(r.purpose()),
                 EnumShortName(ad::ReferenceStatus_descriptor(), r.status()),
                 OrDash(r.requested_by()), FormatDate(r.request_time())});
          });
      if (json) return;
      t.Print(std::cout);
      std::cout << "\n" << n << " reference requests\n";
    });
  }
  {
    CLI::App* cs = adv->add_subcommand(
        "case-study",
        "Case-study pipeline: proposed -> approved -> drafting -> published "
        "(declined from any open stage)");
    cs->require_subcommand(1);
    {
      auto o = std::make_shared<ListOpts>();
      CLI::App* cmd = cs->add_subcommand(
          "list",
          "Case studies, every page unless --limit; columns: CASE-STUDY "
          "ACCOUNT STAGE CREATED PUBLISHED TITLE");
      AddListOptions(cmd, o.get(), "case studies", "--stage",
                     ad::CaseStudyStage_descriptor());
      cmd->callback([&g, o] {
        auto req = ListRequest<ad::ListCaseStudiesRequest>(*o);
        if (!o->status.empty()) {
          req.set_stage(static_cast<ad::CaseStudyStage>(
              EnumArg(ad::CaseStudyStage_descriptor(), o->status)));
        }
        const bool json = g.format() == OutputFormat::kJson;
        Table t({{"CASE-STUDY"},
                 {"ACCOUNT"},
                 {"STAGE"},
                 {"CREATED"},
                 {"PUBLISHED"},
                 {"TITLE"}});
        Connection conn(g);
        auto stub = Stub(conn);
        const int64_t n = ForEachPage<ad::ListCaseStudiesResponse>(
            req, o->limit,
            [&](const auto& r, auto* resp) {
              auto ctx = conn.Context();
              CheckPlugin(stub->ListCaseStudies(ctx.get(), r, resp),
                          "listing case studies", kPlugin);
            },
            [](const auto& resp) -> const auto& { return resp.case_studies(); },
            [&](const ad::CaseStudy& c) {
              if (json) {
                PrintJson(std::cout, c);
                return;
              }
              t.AddRow(
                  {c.case_study_id(), c.account_id(),
                   EnumShortName(ad::CaseStudyStage_descriptor(), c.stage()),
                   FormatDate(c.create_time()), FormatDate(c.publish_time()),
                   c.title()});
            });
        if (json) return;
        t.Print(std::cout);
        std::cout << "\n" << n << " case studies\n";
      });
    }
    {
      struct Opts {
        std::string account, title;
      };
      auto o = std::make_shared<Opts>();
      CLI::App* cmd = cs->add_subcommand("create", "Propose a case study");
      cmd->add_option("account", o->account, "account id")->required();
      cmd->add_option("title", o->title, "working title")->required();
      cmd->callback([&g, o] {
        ad::CreateCaseStudyRequest req;
        req.set_account_id(AccountIdArg(o->account));
        req.set_title(o->title);
        Connection conn(g);
        ad::CaseStudy resp;
        auto ctx = conn.Context();
        CheckPlugin(Stub(conn)->CreateCaseStudy(ctx.get(), req, &resp),
                    "creating case study", kPlugin);
        PrintCaseStudy(g, resp);
      });
    }
    {
      struct Opts {
        std::string id, stage;
      };
      auto o = std::make_shared<Opts>();
      CLI::App* cmd =
          cs->add_subcommand("advance", "Move a case study to a stage");
      cmd->add_option("case_study", o->id, "case study id")->required();
      cmd->add_option("stage", o->stage,
                      "one of " + EnumChoices(ad::CaseStudyStage_descriptor()))
          ->required();
      cmd->callback([&g, o] {
        ad::AdvanceCaseStudyRequest req;
        req.set_case_study_id(o->id);
        req.set_stage(static_cast<ad::CaseStudyStage>(
            EnumArg(ad::CaseStudyStage_descriptor(), o->stage)));
        Connection conn(g);
        ad::CaseStudy resp;
        auto ctx = conn.Context();
        CheckPlugin(Stub(conn)->AdvanceCaseStudy(ctx.get(), req, &resp),
                    "advancing case study " + o->id, kPlugin);
        PrintCaseStudy(g, resp);
      });
    }
  }
  {
    struct Opts {
      std::string account, prospect, advocate;
      double estimated_arr = 0;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = adv->add_subcommand(
        "create", "Record a referral from an advocate's account");
    cmd->add_option("account", o->account, "the advocate's account id")
        ->required();
    cmd->add_option("prospect", o->prospect, "the referred company")
        ->required();
    cmd->add_option("--advocate", o->advocate, "the advocate (contact)");
    cmd->add_option("--estimated-arr", o->estimated_arr,
                    "the prospect's expected ARR");
    cmd->callback([&g, o] {
      ad::CreateReferralRequest req;
      req.set_account_id(AccountIdArg(o->account));
      req.set_prospect(o->prospect);
      req.set_advocate_contact(o->advocate);
      req.set_estimated_arr(o->estimated_arr);
      Connection conn(g);
      ad::Referral resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->CreateReferral(ctx.get(), req, &resp),
                  "creating referral", kPlugin);
      PrintReferral(g, resp);
    });
  }
  {
    struct Opts {
      std::string id, status;
      double arr = 0;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = adv->add_subcommand(
        "update",
        "Set a referral's status; \"converted\" needs --arr and attributes it "
        "to the advocate");
    cmd->add_option("referral", o->id, "referral id")->required();
    cmd->add_option("status", o->status,
                    "one of " + EnumChoices(ad::ReferralStatus_descriptor()))
        ->required();
    cmd->add_option("--arr", o->arr, "the converted prospect's ARR (> 0)");
    cmd->callback([&g, o] {
      ad::UpdateReferralRequest req;
      req.set_referral_id(o->id);
      req.set_status(static_cast<ad::ReferralStatus>(
          EnumArg(ad::ReferralStatus_descriptor(), o->status)));
      req.set_converted_arr(o->arr);
      Connection conn(g);
      ad::Referral resp;
      auto ctx = conn.Context();
      CheckPlugin(Stub(conn)->UpdateReferral(ctx.get(), req, &resp),
                  "updating referral " + o->id, kPlugin);
      PrintReferral(g, resp);
    });
  }
  {
    auto o = std::make_shared<ListOpts>();
    CLI::App* cmd = adv->add_subcommand(
        "list",
        "Referrals, every page unless --limit; columns: REFERRAL ACCOUNT "
        "ADVOCATE PROSPECT STATUS EST-ARR ATTRIBUTED CREATED");
    AddListOptions(cmd, o.get(), "referrals", "--status",
                   ad::ReferralStatus_descriptor());
    cmd->callback([&g, o] {
      auto req = ListRequest<ad::ListReferralsRequest>(*o);
      if (!o->status.empty()) {
        req.set_status(static_cast<ad::ReferralStatus>(
            EnumArg(ad::ReferralStatus_descriptor(), o->status)));
      }
      const bool json = g.format() == OutputFormat::kJson;
      const bool color = g.color();
      Table t({{"REFERRAL"},
               {"ACCOUNT"},
               {"ADVOCATE"},
               {"PROSPECT"},
               {"STATUS"},
               {"EST-ARR", Align::kRight},
               {"ATTRIBUTED", Align::kRight},
               {"CREATED"}});
      double attributed = 0;
      Connection conn(g);
      auto stub = Stub(conn);
      const int64_t n = ForEachPage<ad::ListReferralsResponse>(
          req, o->limit,
          [&](const auto& r, auto* resp) {
            auto ctx = conn.Context();
            CheckPlugin(stub->ListReferrals(ctx.get(), r, resp),
                        "listing referrals", kPlugin);
          },
          [](const auto& resp) -> const auto& { return resp.referrals(); },
          [&](const ad::Referral& r) {
            if (json) {
              PrintJson(std::cout, r);
              return;
            }
            attributed += r.attributed_arr();
            t.AddRow(
                {r.referral_id(), r.account_id(), OrDash(r.advocate_contact()),
                 r.prospect(),
                 Colorize(
                     EnumShortName(ad::ReferralStatus_descriptor(), r.status()),
                     r.status() == ad::REFERRAL_STATUS_CONVERTED ? "green" : "",
                     color),
                 r.estimated_arr() > 0 ? FormatMoney(r.estimated_arr()) : "-",
                 r.attributed_arr() > 0 ? FormatMoney(r.attributed_arr()) : "-",
                 FormatDate(r.create_time())});
          });
      if (json) return;
      t.Print(std::cout);
      std::cout << "\n"
                << n << " referrals; attributed " << FormatMoney(attributed)
                << "\n";
    });
  }
  adv->add_subcommand("flywheel",
                      "Advocacy flywheel: promoters, champions, references, "
                      "case studies, referrals and attributed ARR")
      ->callback([&g] {
        Connection conn(g);
        ad::Flywheel f;
        auto ctx = conn.Context();
        CheckPlugin(Stub(conn)->GetFlywheel(ctx.get(), {}, &f),
                    "advocacy flywheel", kPlugin);
        if (g.format() == OutputFormat::kJson) {
          PrintJson(std::cout, f);
          return;
        }
        PrintFields(
            std::cout,
            {{"promoters", FormatCount(f.promoters())},
             {"champions", FormatCount(f.champions())},
             {"references",
              absl::StrCat(f.references_requested(), " requested, ",
                           f.references_completed(), " completed, ",
                           f.references_declined(), " declined")},
             {"case studies",
              absl::StrCat(f.case_studies_in_pipeline(), " in pipeline, ",
                           f.case_studies_published(), " published")},
             {"referrals",
              absl::StrCat(f.referrals(), " (", f.referrals_converted(),
                           " converted, ",
                           FormatPercent(f.referral_conversion_rate()), ")")},
             {"attributed ARR", FormatMoney(f.attributed_arr())}});
      });
}

}  // namespace retain::cli
