// accounts list|get|create|update|archive|restore|erase|delete|import
#include <iostream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/names.h"
#include "clients/cli/commands.h"
#include "clients/cli/format.h"
#include "clients/cli/importer.h"
#include "clients/cli/records.h"
#include "clients/cli/table.h"
#include "retain/account/v1/account.grpc.pb.h"

namespace retain::cli {
namespace {

using account::v1::Account;
using account::v1::AccountService;

std::string BandCell(account::v1::HealthBand band, bool color) {
  const std::string name =
      EnumShortName(account::v1::HealthBand_descriptor(), band);
  const char* c = band == account::v1::HEALTH_BAND_GREEN    ? "green"
                  : band == account::v1::HEALTH_BAND_YELLOW ? "yellow"
                  : band == account::v1::HEALTH_BAND_RED    ? "red"
                                                            : "";
  return Colorize(name, c, color);
}

// A churned account has no score: its 0 is not a health reading.
std::string ScoreCell(const Account& a) {
  return a.health_band() == account::v1::HEALTH_BAND_CHURNED
             ? "-"
             : FormatScore(a.health_score());
}

std::string Seg(int s) {
  return EnumShortName(account::v1::Segment_descriptor(), s);
}
std::string Stage(int s) {
  return EnumShortName(account::v1::LifecycleStage_descriptor(), s);
}

void PrintAccountDetail(const Account& a, bool color) {
  std::vector<std::pair<std::string, std::string>> kv = {
      {"account", api::AccountIdOf(a.name())},
      {"name", a.display_name()},
      {"arr", FormatMoney(a.arr())},
      {"licensed seats", FormatCount(a.licensed_seats())},
      {"segment",
       Seg(a.segment()) + (a.segment_overridden() ? " (set)" : " (from ARR)")},
      {"lifecycle stage",
       Stage(a.lifecycle_stage()) +
           (a.has_lifecycle_stage_time()
                ? " since " + FormatDate(a.lifecycle_stage_time())
                : "")},
      {"health", ScoreCell(a) + " " + BandCell(a.health_band(), color)},
      {"csm owner", a.csm_owner().empty() ? "-" : a.csm_owner()},
      {"contract start", FormatDate(a.contract_start_time())},
      {"renewal", FormatDate(a.renewal_time())},
      {"contract term", absl::StrCat(a.contract_term_months(), " months")},
      {"created", FormatDateTime(a.create_time())},
      {"updated", FormatDateTime(a.update_time())},
  };
  if (a.archived()) {
    kv.push_back({"archived", FormatDateTime(a.archive_time())});
  }
  if (a.erased()) {
    kv.push_back({"erased", "personal data removed; revenue history kept"});
  }
  for (const auto& c : a.contacts()) {
    std::vector<std::string> roles;
    if (c.exec_sponsor()) roles.push_back("exec sponsor");
    if (c.champion()) roles.push_back("champion");
    if (!c.role().empty()) roles.push_back(c.role());
    kv.push_back(
        {"contact",
         absl::StrCat(
             c.display_name(), c.email().empty() ? "" : " <" + c.email() + ">",
             roles.empty() ? "" : " (" + absl::StrJoin(roles, ", ") + ")")});
  }
  PrintFields(std::cout, kv);
}

// Flags shared by create and update, gathered as import-style fields so
// both paths read values the same way.
struct AccountFlags {
  std::optional<std::string> name, arr, seats, contract_start, renewal, segment,
      stage, csm, term, sponsor_name, sponsor_email, champion_name,
      champion_email;

  void Add(CLI::App* cmd) {
    cmd->add_option("--name", name, "display name");
    cmd->add_option("--arr", arr, "annual recurring revenue");
    cmd->add_option("--seats", seats, "licensed seats");
    cmd->add_option("--contract-start", contract_start,
                    "contract start (2024-05-01 or RFC 3339)");
    cmd->add_option("--renewal", renewal, "renewal date");
    cmd->add_option("--term", term,
                    "contract term in months (a renewal moves the renewal "
                    "date on by it; 12 when unset)");
    cmd->add_option("--segment", segment,
                    "override the segment (" +
                        EnumChoices(account::v1::Segment_descriptor()) +
                        "); empty derives it from ARR");
    cmd->add_option("--stage", stage,
                    "lifecycle stage (" +
                        EnumChoices(account::v1::LifecycleStage_descriptor()) +
                        ")");
    cmd->add_option("--csm", csm, "the CSM who owns the account");
    cmd->add_option("--exec-sponsor-name", sponsor_name,
                    "the customer's executive sponsor");
    cmd->add_option("--exec-sponsor-email", sponsor_email);
    cmd->add_option("--champion-name", champion_name,
                    "the customer's day-to-day champion");
    cmd->add_option("--champion-email", champion_email);
  }

  Fields ToFields(const std::string& id) const {
    Fields f = {{"account_id", id}};
    auto add = [&](const char* col, const std::optional<std::string>& v) {
      if (v) f.emplace_back(col, *v);
    };
    add("display_name", name);
    add("arr", arr);
    add("licensed_seats", seats);
    add("contract_start_time", contract_start);
    add("renewal_time", renewal);
    add("segment", segment);
    add("lifecycle_stage", stage);
    add("csm_owner", csm);
    add("contract_term_months", term);
    add("exec_sponsor_name", sponsor_name);
    add("exec_sponsor_email", sponsor_email);
    add("champion_name", champion_name);
    add("champion_email", champion_email);
    return f;
  }
};

AccountRow ParseFlags(const AccountFlags& flags, const std::string& id) {
  auto row = AccountFromFields(flags.ToFields(id));
  if (!row.ok())
    throw CliError(kExitUsage, std::string(row.status().message()));
  return *std::move(row);
}

std::string RequireName(const std::string& id) {
  auto name = AccountResourceName(id);
  if (!name.ok())
    throw CliError(kExitUsage, std::string(name.status().message()));
  return *name;
}

void Output(const Globals& g, const Account& a) {
  if (g.format() == OutputFormat::kJson) {
    PrintJson(std::cout, a);
  } else {
    PrintAccountDetail(a, g.color());
  }
}

}  // namespace

void AddAccountCommands(CLI::App& app, Globals& g) {
  CLI::App* accounts = app.add_subcommand(
      "accounts", "Customer accounts: list, inspect, create, change, import");
  accounts->require_subcommand(1);

  // list
  {
    struct Opts {
      std::string segment, csm, stage, band;
      bool archived = false;
      int limit = 0;
      int page_size = 200;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = accounts->add_subcommand(
        "list", "List accounts in name order (every page unless --limit)");
    cmd->add_option("--segment", o->segment,
                    EnumChoices(account::v1::Segment_descriptor()));
    cmd->add_option("--csm", o->csm, "only accounts this CSM owns");
    cmd->add_option("--stage", o->stage, "only this lifecycle stage");
    cmd->add_option("--band", o->band,
                    "only this health band (green, yellow, red)");
    cmd->add_flag("--archived", o->archived,
                  "also archived (and erased) accounts");
    cmd->add_option("--limit", o->limit, "stop after N accounts (0: all)");
    cmd->add_option("--page-size", o->page_size, "accounts per request")
        ->check(CLI::Range(1, 1000));
    cmd->callback([&g, o] {
      account::v1::ListAccountsRequest req;
      auto set_enum = [](const std::string& text,
                         const google::protobuf::EnumDescriptor* d) {
        if (text.empty()) return 0;
        auto v = ParseEnum(d, text);
        if (!v.ok())
          throw CliError(kExitUsage, std::string(v.status().message()));
        return *v;
      };
      req.set_segment(static_cast<account::v1::Segment>(
          set_enum(o->segment, account::v1::Segment_descriptor())));
      req.set_lifecycle_stage(static_cast<account::v1::LifecycleStage>(
          set_enum(o->stage, account::v1::LifecycleStage_descriptor())));
      req.set_health_band(static_cast<account::v1::HealthBand>(
          set_enum(o->band, account::v1::HealthBand_descriptor())));
      req.set_csm_owner(o->csm);
      req.set_show_archived(o->archived);
      req.set_page_size(o->page_size);
      Connection conn(g);
      auto stub = AccountService::NewStub(conn.channel());
      Table table({{"ACCOUNT"},
                   {"NAME"},
                   {"SEGMENT"},
                   {"STAGE"},
                   {"ARR", Align::kRight},
                   {"SEATS", Align::kRight},
                   {"HEALTH", Align::kRight},
                   {"BAND"},
                   {"CSM"},
                   {"RENEWAL"}});
      const bool json = g.format() == OutputFormat::kJson;
      const bool color = g.color();
      int64_t count = 0;
      int32_t total = 0;
      do {
        account::v1::ListAccountsResponse resp;
        auto ctx = conn.Context();
        Check(stub->ListAccounts(ctx.get(), req, &resp), "listing accounts");
        total = resp.total_size();
        for (const auto& a : resp.accounts()) {
          if (o->limit > 0 && count >= o->limit) break;
          ++count;
          if (json) {
            PrintJson(std::cout, a);
            continue;
          }
          table.AddRow({api::AccountIdOf(a.name()), a.display_name(),
                        Seg(a.segment()), Stage(a.lifecycle_stage()),
                        FormatMoney(a.arr()), FormatCount(a.licensed_seats()),
                        ScoreCell(a), BandCell(a.health_band(), color),
                        a.csm_owner().empty() ? "-" : a.csm_owner(),
                        FormatDate(a.renewal_time())});
        }
        req.set_page_token(resp.next_page_token());
      } while (!req.page_token().empty() &&
               (o->limit == 0 || count < o->limit));
      if (!json) {
        table.Print(std::cout);
        std::cout << "\n"
                  << FormatCount(count) << " of " << FormatCount(total)
                  << " accounts\n";
      }
    });
  }

  // get
  {
    auto id = std::make_shared<std::string>();
    CLI::App* cmd = accounts->add_subcommand("get", "Show one account");
    cmd->add_option("account", *id, "account id (acme or accounts/acme)")
        ->required();
    cmd->callback([&g, id] {
      account::v1::GetAccountRequest req;
      req.set_name(RequireName(*id));
      Connection conn(g);
      auto stub = AccountService::NewStub(conn.channel());
      Account a;
      auto ctx = conn.Context();
      Check(stub->GetAccount(ctx.get(), req, &a), "getting " + req.name());
      Output(g, a);
    });
  }

  // create
  {
    struct Opts {
      std::string id, request_id;
      AccountFlags flags;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = accounts->add_subcommand("create", "Create an account");
    cmd->add_option("account", o->id,
                    "account id: 1-63 of a-z 0-9 - _ . (the server picks one "
                    "when omitted)");
    o->flags.Add(cmd);
    cmd->get_option("--name")->required();
    cmd->add_option("--request-id", o->request_id,
                    "idempotency key: a retried create with it returns the "
                    "first result");
    cmd->callback([&g, o] {
      if (!o->id.empty()) RequireName(o->id);
      AccountRow row = ParseFlags(o->flags, o->id);
      account::v1::CreateAccountRequest req;
      req.set_account_id(row.account_id);
      *req.mutable_account() = row.account;
      req.set_request_id(o->request_id);
      Connection conn(g);
      auto stub = AccountService::NewStub(conn.channel());
      Account a;
      auto ctx = conn.Context();
      Check(stub->CreateAccount(ctx.get(), req, &a), "creating account");
      Output(g, a);
    });
  }

  // update
  {
    struct Opts {
      std::string id;
      AccountFlags flags;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = accounts->add_subcommand(
        "update", "Change the fields given as flags; the others stay");
    cmd->add_option("account", o->id, "account id")->required();
    o->flags.Add(cmd);
    cmd->callback([&g, o] {
      const std::string name = RequireName(o->id);
      AccountRow row = ParseFlags(o->flags, o->id);
      if (row.paths.empty()) {
        throw CliError(kExitUsage,
                       "nothing to update: give at least one flag "
                       "(see accounts update --help)");
      }
      account::v1::UpdateAccountRequest req;
      *req.mutable_account() = row.account;
      req.mutable_account()->set_name(name);
      for (const auto& p : row.paths) req.mutable_update_mask()->add_paths(p);
      Connection conn(g);
      auto stub = AccountService::NewStub(conn.channel());
      Account a;
      auto ctx = conn.Context();
      Check(stub->UpdateAccount(ctx.get(), req, &a), "updating " + name);
      Output(g, a);
    });
  }

  // delete
  {
    struct Opts {
      std::string id;
      bool yes = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = accounts->add_subcommand(
        "delete",
        "Same as erase (kept for scripts): the account's personal data "
        "goes, its revenue history stays anonymous");
    cmd->add_option("account", o->id, "account id")->required();
    cmd->add_flag("-y,--yes", o->yes,
                  "do not ask (required when stdin is a terminal)");
    cmd->callback([&g, o] {
      const std::string name = RequireName(o->id);
      if (!o->yes && IsTerminal(0)) {
        std::cerr << "Delete " << name
                  << " and all its signals? Type the account id to confirm: ";
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != api::AccountIdOf(name))
          throw CliError(kExitUsage, "not deleted");
      }
      account::v1::DeleteAccountRequest req;
      req.set_name(name);
      account::v1::DeleteAccountResponse resp;
      Connection conn(g);
      auto stub = AccountService::NewStub(conn.channel());
      auto ctx = conn.Context();
      Check(stub->DeleteAccount(ctx.get(), req, &resp), "deleting " + name);
      if (g.format() == OutputFormat::kJson) {
        PrintJson(std::cout, resp);
      } else {
        std::cout << "deleted " << name << " and "
                  << FormatCount(resp.deleted_signals()) << " signals\n";
      }
    });
  }

  // archive / restore: the account leaves (or rejoins) the live book;
  // its history stays in past reports.
  for (const bool archive : {true, false}) {
    auto id = std::make_shared<std::string>();
    CLI::App* cmd = accounts->add_subcommand(
        archive ? "archive" : "restore",
        archive ? "Take an account out of the live book (lists, at-risk, "
                  "alerts); past reports keep it"
                : "Bring an archived account back into the live book");
    cmd->add_option("account", *id, "account id")->required();
    cmd->callback([&g, id, archive] {
      const std::string name = RequireName(*id);
      Connection conn(g);
      auto stub = AccountService::NewStub(conn.channel());
      auto ctx = conn.Context();
      Account a;
      if (archive) {
        account::v1::ArchiveAccountRequest req;
        req.set_name(name);
        Check(stub->ArchiveAccount(ctx.get(), req, &a), "archiving " + name);
      } else {
        account::v1::RestoreAccountRequest req;
        req.set_name(name);
        Check(stub->RestoreAccount(ctx.get(), req, &a), "restoring " + name);
      }
      Output(g, a);
    });
  }

  // erase
  {
    struct Opts {
      std::string id;
      bool yes = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* cmd = accounts->add_subcommand(
        "erase",
        "Erase an account's personal data (a privacy request); its revenue "
        "history stays, anonymous, so past reports do not change");
    cmd->add_option("account", o->id, "account id")->required();
    cmd->add_flag("-y,--yes", o->yes,
                  "do not ask (required when stdin is a terminal)");
    cmd->callback([&g, o] {
      const std::string name = RequireName(o->id);
      if (!o->yes && IsTerminal(0)) {
        std::cerr << "Erase " << name
                  << "'s personal data for good? Type the account id to "
                     "confirm: ";
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != api::AccountIdOf(name))
          throw CliError(kExitUsage, "not erased");
      }
      account::v1::EraseAccountRequest req;
      req.set_name(name);
      account::v1::EraseAccountResponse resp;
      Connection conn(g);
      auto stub = AccountService::NewStub(conn.channel());
      auto ctx = conn.Context();
      Check(stub->EraseAccount(ctx.get(), req, &resp), "erasing " + name);
      if (g.format() == OutputFormat::kJson) {
        PrintJson(std::cout, resp);
      } else {
        std::cout << "erased " << name << ": "
                  << FormatCount(resp.deleted_signals()) << " signals deleted, "
                  << FormatCount(resp.kept_signals())
                  << " revenue signals kept as "
                  << api::AccountIdOf(resp.anonymous_account()) << "\n";
      }
    });
  }

  // import
  {
    auto o = std::make_shared<ImportOptions>();
    CLI::App* cmd = accounts->add_subcommand(
        "import",
        "Create accounts from a CSV or JSON Lines file (re-running is safe)");
    cmd->add_option("file", o->path, "CSV or JSON Lines file, - for stdin")
        ->required();
    cmd->add_option("--format", o->format, "csv, jsonl or auto (by extension)")
        ->capture_default_str();
    cmd->add_flag("--update", o->update_existing,
                  "update accounts that already exist with the row's fields "
                  "(default: leave them)");
    cmd->add_option("--progress", o->progress,
                    "auto (bar on a terminal, plain lines otherwise), bar, "
                    "plain or none")
        ->capture_default_str();
    cmd->footer(
        "CSV columns (header row, any order): account_id, display_name, arr, "
        "licensed_seats,\ncontract_start_time, renewal_time, segment, "
        "lifecycle_stage, csm_owner,\ncontract_term_months, exec_sponsor_name, "
        "exec_sponsor_email, "
        "champion_name, champion_email.\nJSON Lines: one Account per line in "
        "proto JSON (what `accounts list -o json` prints).\n\n" +
        std::string(ExitCodesHelp()));
    cmd->callback([&g, o] {
      Connection conn(g);
      ImportSummary s = ImportAccounts(conn, *o, std::cerr);
      int code = ReportImport(g, "accounts import", s, true);
      if (code != kExitOk) throw CliError(code, "");
    });
  }
}

}  // namespace retain::cli
