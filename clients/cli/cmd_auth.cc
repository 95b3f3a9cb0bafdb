// tenants create|list, keys create|list|revoke, whoami, audit — the
// AuthService and AuditService (docs/decisions/0016-trust.md).
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/format.h"
#include "clients/cli/table.h"
#include "retain/auth/v1/audit.grpc.pb.h"
#include "retain/auth/v1/auth.grpc.pb.h"

namespace retain::cli {
namespace {

using namespace auth::v1;  // NOLINT: the services' own messages

std::string RoleOf(Role r) { return EnumShortName(Role_descriptor(), r); }

void AddTenantCommands(CLI::App& app, Globals& g) {
  CLI::App* tenants =
      app.add_subcommand("tenants", "Tenants of this server (operators)");
  tenants->require_subcommand(1);
  auto id = std::make_shared<std::string>();
  auto display = std::make_shared<std::string>();
  CLI::App* create = tenants->add_subcommand("create", "Create a tenant");
  create->add_option("tenant", *id, "tenant id: [a-z][a-z0-9-]{0,62}")
      ->required();
  create->add_option("--display-name", *display, "a name for people");
  create->callback([&g, id, display] {
    Connection conn(g);
    auto stub = AuthService::NewStub(conn.channel());
    CreateTenantRequest req;
    req.set_tenant_id(*id);
    req.mutable_tenant()->set_display_name(*display);
    Tenant t;
    auto ctx = conn.Context();
    Check(stub->CreateTenant(ctx.get(), req, &t), "creating tenant " + *id);
    if (g.format() == OutputFormat::kJson) return PrintJson(std::cout, t);
    std::cout << "created " << t.name() << "\n";
  });
  tenants->add_subcommand("list", "Every tenant")->callback([&g] {
    Connection conn(g);
    auto stub = AuthService::NewStub(conn.channel());
    ListTenantsRequest req;
    req.set_page_size(1000);
    ListTenantsResponse resp;
    auto ctx = conn.Context();
    Check(stub->ListTenants(ctx.get(), req, &resp), "listing tenants");
    if (g.format() == OutputFormat::kJson) return PrintJson(std::cout, resp);
    Table table({{"TENANT"}, {"NAME"}, {"CREATED"}});
    for (const auto& t : resp.tenants()) {
      table.AddRow({t.name(), t.display_name().empty() ? "-" : t.display_name(),
                    FormatDateTime(t.create_time())});
    }
    table.Print(std::cout);
  });
}

void AddKeyCommands(CLI::App& app, Globals& g) {
  CLI::App* keys = app.add_subcommand(
      "keys", "API keys (admins: their tenant's; operators: any tenant's)");
  keys->require_subcommand(1);
  struct CreateArgs {
    std::string role, tenant, name;
    int64_t expire_days = 0;
  };
  auto args = std::make_shared<CreateArgs>();
  CLI::App* create = keys->add_subcommand(
      "create", "Create a key; its secret is printed once, keep it safe");
  create->add_option("--role", args->role, "reader, writer, admin or operator")
      ->required()
      ->check(CLI::IsMember({"reader", "writer", "admin", "operator"}));
  create->add_option("--tenant", args->tenant, "tenant id (default: your own)");
  create->add_option("--name", args->name, "what the key is for");
  create->add_option("--expire-days", args->expire_days,
                     "the key stops working after this many days");
  create->callback([&g, args] {
    Connection conn(g);
    auto stub = AuthService::NewStub(conn.channel());
    CreateApiKeyRequest req;
    if (!args->tenant.empty()) req.set_parent("tenants/" + args->tenant);
    Role role = ROLE_UNSPECIFIED;
    Role_Parse("ROLE_" + absl::AsciiStrToUpper(args->role), &role);
    req.mutable_api_key()->set_role(role);
    req.mutable_api_key()->set_display_name(args->name);
    if (args->expire_days > 0) {
      req.mutable_api_key()->mutable_expire_time()->set_seconds(
          absl::ToUnixSeconds(absl::Now()) + args->expire_days * 86400);
    }
    CreateApiKeyResponse resp;
    auto ctx = conn.Context();
    Check(stub->CreateApiKey(ctx.get(), req, &resp), "creating a key");
    if (g.format() == OutputFormat::kJson) return PrintJson(std::cout, resp);
    std::cout << "created " << resp.api_key().name() << " ("
              << RoleOf(resp.api_key().role()) << ")\n"
              << "secret (shown once): " << resp.secret() << "\n";
  });
  auto tenant = std::make_shared<std::string>();
  CLI::App* list = keys->add_subcommand("list", "Keys of a tenant");
  list->add_option("--tenant", *tenant, "tenant id (default: your own)");
  list->callback([&g, tenant] {
    Connection conn(g);
    auto stub = AuthService::NewStub(conn.channel());
    ListApiKeysRequest req;
    if (!tenant->empty()) req.set_parent("tenants/" + *tenant);
    req.set_page_size(1000);
    ListApiKeysResponse resp;
    auto ctx = conn.Context();
    Check(stub->ListApiKeys(ctx.get(), req, &resp), "listing keys");
    if (g.format() == OutputFormat::kJson) return PrintJson(std::cout, resp);
    Table table({{"KEY"}, {"ROLE"}, {"NAME"}, {"LAST USED"}, {"STATE"}});
    for (const auto& k : resp.api_keys()) {
      table.AddRow(
          {k.name(), RoleOf(k.role()),
           k.display_name().empty() ? "-" : k.display_name(),
           k.has_last_use_time() ? FormatDateTime(k.last_use_time()) : "never",
           k.has_revoke_time() ? "revoked" : "active"});
    }
    table.Print(std::cout);
  });
  auto name = std::make_shared<std::string>();
  CLI::App* revoke = keys->add_subcommand("revoke", "Revoke a key");
  revoke->add_option("key", *name, "tenants/{tenant}/apiKeys/{key_id}")
      ->required();
  revoke->callback([&g, name] {
    Connection conn(g);
    auto stub = AuthService::NewStub(conn.channel());
    RevokeApiKeyRequest req;
    req.set_name(*name);
    ApiKey k;
    auto ctx = conn.Context();
    Check(stub->RevokeApiKey(ctx.get(), req, &k), "revoking " + *name);
    if (g.format() == OutputFormat::kJson) return PrintJson(std::cout, k);
    std::cout << "revoked " << k.name() << "\n";
  });
}

void AddWhoAmI(CLI::App& app, Globals& g) {
  app.add_subcommand("whoami", "The tenant, role and key you act as")
      ->callback([&g] {
        Connection conn(g);
        auto stub = AuthService::NewStub(conn.channel());
        Caller c;
        auto ctx = conn.Context();
        Check(stub->GetCaller(ctx.get(), {}, &c), "asking who you are");
        if (g.format() == OutputFormat::kJson) return PrintJson(std::cout, c);
        PrintFields(std::cout, {{"tenant", c.tenant()},
                                {"role", RoleOf(c.role())},
                                {"principal", c.principal()}});
      });
}

void AddAuditCommand(CLI::App& app, Globals& g) {
  struct AuditArgs {
    int limit = 50;
    bool failed = false;
  };
  auto args = std::make_shared<AuditArgs>();
  CLI::App* audit = app.add_subcommand(
      "audit", "The audit trail of your tenant, newest first (admins)");
  audit->add_option("--limit", args->limit, "events to show")
      ->capture_default_str();
  audit->add_flag("--failed-authentications", args->failed,
                  "failed authentications instead (operators)");
  audit->callback([&g, args] {
    Connection conn(g);
    auto stub = AuditService::NewStub(conn.channel());
    ListAuditEventsRequest req;
    req.set_page_size(std::min(std::max(args->limit, 1), 1000));
    req.set_failed_authentications(args->failed);
    ListAuditEventsResponse resp;
    auto ctx = conn.Context();
    Check(stub->ListAuditEvents(ctx.get(), req, &resp), "reading the audit");
    if (g.format() == OutputFormat::kJson) return PrintJson(std::cout, resp);
    Table table(
        {{"TIME"}, {"WHO"}, {"WHAT"}, {"TARGET"}, {"OUTCOME"}, {"DETAIL"}});
    for (const auto& e : resp.events()) {
      const size_t slash = e.method().rfind('/');
      table.AddRow({FormatDateTime(e.event_time()), e.principal(),
                    slash == std::string::npos ? e.method()
                                               : e.method().substr(slash + 1),
                    e.target().empty() ? "-" : e.target(), e.outcome(),
                    e.detail().empty() ? "-" : e.detail()});
    }
    table.Print(std::cout);
  });
}

}  // namespace

void AddAuthCommands(CLI::App& app, Globals& g) {
  AddTenantCommands(app, g);
  AddKeyCommands(app, g);
  AddWhoAmI(app, g);
  AddAuditCommand(app, g);
}

}  // namespace retain::cli
