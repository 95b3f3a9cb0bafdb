// End to end: a real retaind process loads the five bundled plugins, a
// plugin built out of tree, and the failure fixtures; clients reach plugin
// services with stubs generated from the plugins' protos.
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"
#include "retain/plugins/advocacy/v1/advocacy.grpc.pb.h"
#include "retain/plugins/expansion/v1/expansion.grpc.pb.h"
#include "retain/plugins/onboarding/v1/onboarding.grpc.pb.h"
#include "retain/plugins/playbooks/v1/playbooks.grpc.pb.h"
#include "retain/plugins/voc/v1/voc.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"
#include "retain_plugin_wire.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {
namespace {

namespace wire = sdk::wire;

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/", ws ? ws : "retain", "/",
                      path);
}

std::string WriteFile(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs(text.c_str(), f);
  std::fclose(f);
  return path;
}

std::unique_ptr<grpc::ClientContext> Ctx(absl::Duration d = absl::Seconds(30)) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + d));
  return ctx;
}

// Unary call with raw bytes (for services the test has no stubs for).
grpc::Status RawCall(std::shared_ptr<grpc::Channel> channel,
                     const std::string& method, const std::string& request,
                     std::string* response) {
  grpc::GenericStub stub(channel);
  auto ctx = Ctx();
  grpc::Slice slice(request);
  grpc::ByteBuffer req(&slice, 1), resp;
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(ctx.get(), method, grpc::StubOptions(), &req, &resp,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (status.ok()) {
    std::vector<grpc::Slice> slices;
    (void)resp.Dump(&slices);
    response->clear();
    for (auto& s : slices)
      response->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return status;
}

// grpc.health.v1 status of a service name: 1 SERVING, 2 NOT_SERVING.
int HealthStatus(std::shared_ptr<grpc::Channel> channel,
                 const std::string& service) {
  wire::Writer w;
  w.String(1, service);
  std::string out;
  if (!RawCall(channel, "/grpc.health.v1.Health/Check", w.Take(), &out).ok())
    return -1;
  wire::Reader r(out);
  int status = 0;
  while (r.Next()) {
    if (r.field() == 1) status = r.AsInt32();
  }
  return status;
}

void CreateAccount(std::shared_ptr<grpc::Channel> channel,
                   const std::string& id, double arr, int seats) {
  auto stub = account::v1::AccountService::NewStub(channel);
  account::v1::CreateAccountRequest req;
  req.set_account_id(id);
  req.mutable_account()->set_display_name("Account " + id);
  req.mutable_account()->set_arr(arr);
  req.mutable_account()->set_licensed_seats(seats);
  account::v1::Account resp;
  grpc::Status s = stub->CreateAccount(Ctx().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

std::vector<plugin::v1::Plugin> ListPlugins(
    std::shared_ptr<grpc::Channel> channel) {
  auto stub = plugin::v1::PluginService::NewStub(channel);
  plugin::v1::ListPluginsResponse resp;
  grpc::Status s = stub->ListPlugins(Ctx().get(), {}, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.host_abi_major(), 1);
  return {resp.plugins().begin(), resp.plugins().end()};
}

TEST(RetaindPluginsE2eTest, FiveBundledPluginsReachableAndInTheAccountReport) {
  std::vector<std::string> libs = {
      "plugins/onboarding/libonboarding.so",
      "plugins/expansion/libexpansion.so", "plugins/advocacy/libadvocacy.so",
      "plugins/voc/libvoc.so", "plugins/playbooks/libplaybooks.so"};
  std::string list;
  for (const auto& l : libs) list += (list.empty() ? "" : ",") + Runfile(l);
  auto server = RetaindProcess::Start({.extra_flags = {"--plugins=" + list}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel((*server)->address(),
                                     grpc::InsecureChannelCredentials());

  auto plugins = ListPlugins(channel);
  ASSERT_EQ(plugins.size(), 5u);
  for (const auto& p : plugins) {
    EXPECT_EQ(p.state(), plugin::v1::PLUGIN_STATE_READY)
        << p.ShortDebugString();
    EXPECT_EQ(HealthStatus(channel, p.name()), 1) << p.name();
    for (const auto& svc : p.services())
      EXPECT_EQ(HealthStatus(channel, svc), 1) << svc;
  }

  CreateAccount(channel, "acme", 50000, 100);
  {
    auto stub = plugins::onboarding::v1::OnboardingService::NewStub(channel);
    plugins::onboarding::v1::StartOnboardingRequest req;
    req.set_account_id("acme");
    plugins::onboarding::v1::Plan plan;
    grpc::Status s = stub->StartOnboarding(Ctx().get(), req, &plan);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(plan.template_(), "named");
    EXPECT_EQ(plan.milestones_size(), 6);
  }
  {
    auto stub = plugins::expansion::v1::ExpansionService::NewStub(channel);
    plugins::expansion::v1::CreateOpportunityRequest req;
    req.set_account_id("acme");
    req.set_type(plugins::expansion::v1::OPPORTUNITY_TYPE_CROSS_SELL);
    req.set_amount(12000);
    plugins::expansion::v1::Opportunity o;
    grpc::Status s = stub->CreateOpportunity(Ctx().get(), req, &o);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_DOUBLE_EQ(o.probability(), 0.1);
  }
  {
    auto stub = plugins::advocacy::v1::AdvocacyService::NewStub(channel);
    plugins::advocacy::v1::CreateCaseStudyRequest req;
    req.set_account_id("acme");
    req.set_title("Acme's renewal story");
    plugins::advocacy::v1::CaseStudy cs;
    grpc::Status s = stub->CreateCaseStudy(Ctx().get(), req, &cs);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    auto stub = plugins::voc::v1::VocService::NewStub(channel);
    plugins::voc::v1::CreateFeedbackRequest req;
    req.set_account_id("acme");
    req.set_text("Wants SSO");
    plugins::voc::v1::Feedback f;
    grpc::Status s = stub->CreateFeedback(Ctx().get(), req, &f);
    ASSERT_TRUE(s.ok()) << s.error_message();
    // A plugin's own refusal reaches the client unchanged.
    req.set_account_id("nobody");
    s = stub->CreateFeedback(Ctx().get(), req, &f);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  }
  {
    // A success plan gives the account a playbooks section.
    auto stub = plugins::playbooks::v1::PlaybookService::NewStub(channel);
    plugins::playbooks::v1::CreateSuccessPlanRequest req;
    req.mutable_plan()->set_account_id("acme");
    plugins::playbooks::v1::SuccessPlan plan;
    grpc::Status s = stub->CreateSuccessPlan(Ctx().get(), req, &plan);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  auto reports = report::v1::ReportService::NewStub(channel);
  report::v1::GetAccountHealthRequest req;
  req.set_account("accounts/acme");
  report::v1::AccountHealth health;
  grpc::Status s = reports->GetAccountHealth(Ctx().get(), req, &health);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::set<std::string> sections;
  for (const auto& sec : health.sections()) sections.insert(sec.plugin());
  EXPECT_EQ(sections, (std::set<std::string>{"onboarding", "expansion",
                                             "advocacy", "voc", "playbooks"}))
      << health.ShortDebugString();
  bool onboarding_component = false;
  for (const auto& c : health.components())
    onboarding_component |= c.source() == "onboarding";
  EXPECT_TRUE(onboarding_component) << health.ShortDebugString();

  EXPECT_TRUE((*server)->Stop().ok());
}

// Lines of the server's log that contain every one of `needles`.
int CountLogLines(const std::string& path,
                  const std::vector<std::string>& needles) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (const auto& needle : needles)
      all = all && absl::StrContains(line, needle);
    n += all;
  }
  return n;
}

// Polls until true or 60 s pass (a bound for broken tests, not a timing
// assertion).
bool Eventually(const std::function<bool()>& cond) {
  absl::Time end = absl::Now() + absl::Seconds(60);
  while (absl::Now() < end) {
    if (cond()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return cond();
}

TEST(RetaindPluginsE2eTest, QuietAccountGetsOverdueAlertsFromTicksOnce) {
  std::string dir = RetaindProcess::MakeTempDir("ticks");
  std::string config = WriteFile(dir + "/plugins.json", R"({
    "plugins": {"onboarding": {"tick_seconds": 0.05}}})");
  RetaindProcess::Options options{
      .data_dir = RetaindProcess::MakeTempDir("ticks-data"),
      .extra_flags = {
          "--plugins=" + Runfile("plugins/onboarding/libonboarding.so"),
          "--plugin_config=" + config}};
  const std::vector<std::string> kAlert = {"\"msg\":\"plugin alert\"",
                                           "onboarding.milestone_overdue"};
  auto server = RetaindProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel((*server)->address(),
                                     grpc::InsecureChannelCredentials());
  auto onboarding = [&] {
    for (const auto& p : ListPlugins(channel)) {
      if (p.name() == "onboarding") return p;
    }
    return plugin::v1::Plugin();
  };
  EXPECT_DOUBLE_EQ(onboarding().tick_seconds(), 0.05);

  // Onboarding started 100 days ago: all six milestones of the named
  // template are overdue. Then the account says nothing more.
  CreateAccount(channel, "quiet", 50000, 100);
  {
    auto stub = plugins::onboarding::v1::OnboardingService::NewStub(channel);
    plugins::onboarding::v1::StartOnboardingRequest req;
    req.set_account_id("quiet");
    req.mutable_start_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) -
                                          100 * 86400);
    plugins::onboarding::v1::Plan plan;
    ASSERT_TRUE(stub->StartOnboarding(Ctx().get(), req, &plan).ok());
    ASSERT_EQ(plan.milestones_size(), 6);
  }
  ASSERT_TRUE(Eventually(
      [&] { return CountLogLines((*server)->log_path(), kAlert) >= 6; }));
  int64_t ticks = onboarding().counters().ticks();
  ASSERT_TRUE(
      Eventually([&] { return onboarding().counters().ticks() >= ticks + 3; }));
  EXPECT_EQ(CountLogLines((*server)->log_path(), kAlert), 6);
  EXPECT_EQ(onboarding().counters().tick_failures(), 0);
  EXPECT_TRUE((*server)->Stop().ok());

  // Restarted on the same store: ticks again, alerts nothing again.
  server = RetaindProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  channel = grpc::CreateChannel((*server)->address(),
                                grpc::InsecureChannelCredentials());
  ASSERT_TRUE(Eventually([&] { return onboarding().counters().ticks() >= 3; }));
  EXPECT_EQ(CountLogLines((*server)->log_path(), kAlert), 0);
  EXPECT_TRUE((*server)->Stop().ok());
}

constexpr char kHelloSource[] = R"cc(
#include "retain_plugin.h"
  class Hello : public retain::sdk::Plugin {
   public:
    retain::sdk::Status Init(retain::sdk::Setup& setup) override {
      setup.Handle("/retain.plugins.hello.v1.HelloService/Greet",
                   [](const retain::sdk::Call& call, std::string* out) {
                     *out = "hello from outside the tree";
                     return retain::sdk::Status();
                   });
      return {};
    }
  };
  RETAIN_PLUGIN(Hello, "hello", "0.1.0")
)cc";

TEST(RetaindPluginsE2eTest, PluginBuiltOutOfTreeLoadsIntoRunningServer) {
  std::string dir = RetaindProcess::MakeTempDir("oot");
  std::string src = WriteFile(dir + "/hello.cc", kHelloSource);
  std::string so = dir + "/libhello.so";
  std::string cmd =
      absl::StrCat("g++ -std=c++17 -fPIC -shared -fvisibility=hidden -I",
                   Runfile("plugins/sdk"), " ", src, " -o ", so);
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::string plugin_dir = dir + "/plugins";
  ASSERT_EQ(std::system(absl::StrCat("mkdir -p ", plugin_dir, " && cp ", so,
                                     " ", plugin_dir)
                            .c_str()),
            0);

  auto server =
      RetaindProcess::Start({.extra_flags = {"--plugin_dir=" + plugin_dir}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel((*server)->address(),
                                     grpc::InsecureChannelCredentials());
  std::string out;
  grpc::Status s =
      RawCall(channel, "/retain.plugins.hello.v1.HelloService/Greet", "", &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out, "hello from outside the tree");
  EXPECT_TRUE((*server)->Stop().ok());
}

TEST(RetaindPluginsE2eTest, FixturesAreRefusedOrParkedWhileTheServerAnswers) {
  std::string dir = RetaindProcess::MakeTempDir("fixtures");
  std::string config = WriteFile(dir + "/plugins.json", R"({
    "plugins": {
      "handler_throws": {"max_consecutive_failures": 2},
      "handler_hangs": {"max_consecutive_failures": 2, "call_timeout_ms": 300, "workers": 1}
    }})");
  std::string list;
  for (const char* f : {"no_entry", "abi_mismatch", "init_fails",
                        "handler_throws", "handler_hangs"}) {
    list += (list.empty() ? "" : ",") +
            Runfile(absl::StrCat("plugins/fixtures/lib", f, ".so"));
  }
  auto server = RetaindProcess::Start(
      {.extra_flags = {"--plugins=" + list, "--plugin_config=" + config}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel((*server)->address(),
                                     grpc::InsecureChannelCredentials());

  std::string out;
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(
        RawCall(channel, "/retain.plugins.handler_throws.v1.ThrowService/Throw",
                "", &out)
            .error_code(),
        grpc::StatusCode::INTERNAL);
    EXPECT_EQ(
        RawCall(channel, "/retain.plugins.handler_hangs.v1.HangService/Hang",
                "", &out)
            .error_code(),
        grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  auto plugins = ListPlugins(channel);
  ASSERT_EQ(plugins.size(), 5u);
  EXPECT_EQ(plugins[0].state(), plugin::v1::PLUGIN_STATE_REFUSED);
  EXPECT_EQ(plugins[1].state(), plugin::v1::PLUGIN_STATE_REFUSED);
  EXPECT_EQ(plugins[2].state(), plugin::v1::PLUGIN_STATE_INIT_FAILED);
  EXPECT_EQ(plugins[3].state(), plugin::v1::PLUGIN_STATE_PARKED);
  EXPECT_EQ(plugins[4].state(), plugin::v1::PLUGIN_STATE_PARKED);
  for (const auto& p : plugins)
    EXPECT_FALSE(p.last_error().empty()) << p.ShortDebugString();
  EXPECT_EQ(HealthStatus(channel, "handler_throws"), 2);
  EXPECT_EQ(
      RawCall(channel, "/retain.plugins.handler_throws.v1.ThrowService/Ping",
              "x", &out)
          .error_code(),
      grpc::StatusCode::UNAVAILABLE);

  // The server keeps answering.
  CreateAccount(channel, "still-serving", 1000, 5);
  auto stub = plugin::v1::PluginService::NewStub(channel);
  plugin::v1::ResumePluginRequest resume;
  resume.set_name("handler_throws");
  plugin::v1::Plugin p;
  ASSERT_TRUE(stub->ResumePlugin(Ctx().get(), resume, &p).ok());
  EXPECT_EQ(p.state(), plugin::v1::PLUGIN_STATE_READY);
  ASSERT_TRUE(RawCall(channel,
                      "/retain.plugins.handler_throws.v1.ThrowService/Ping",
                      "x", &out)
                  .ok());
  EXPECT_EQ(out, "x");
  // A hung handler does not keep the server from shutting down cleanly.
  EXPECT_TRUE((*server)->Stop().ok());
}

}  // namespace
}  // namespace retain::testing
