// retaind: Retain's gRPC server on its embedded store.
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/common/log.h"
#include "core/engine/engine.h"
#include "core/health/health_config.h"
#include "core/server/account_service.h"
#include "core/server/alert_flags.h"
#include "core/server/auth_service.h"
#include "core/server/auth_setup.h"
#include "core/server/clock_flags.h"
#include "core/server/demo_portfolio.h"
#include "core/server/limits.h"
#include "core/server/metrics.h"
#include "core/server/plugin_wiring.h"
#include "core/server/quota_flags.h"
#include "core/server/reflection_service.h"
#include "core/server/report_service.h"
#include "core/server/retry_hint.h"
#include "core/server/signal_service.h"
#include "core/server/stream_limiter.h"
#include "core/server/transport.h"

ABSL_FLAG(std::string, listen, "127.0.0.1",
          "Address to listen on (0.0.0.0 for every interface).");
ABSL_FLAG(int, port, 7443, "Port to listen on; 0 picks a free port.");
ABSL_FLAG(std::string, port_file, "",
          "If set, the chosen port is written here once the server listens.");
ABSL_FLAG(std::string, data_dir, "retain-data",
          "Directory of the embedded store (created if missing).");
ABSL_FLAG(std::string, durability, "full",
          "full: every acknowledged signal survives power loss (fsync per "
          "group commit). normal: survives a crash of retaind, may lose the "
          "last commits on power loss; faster.");
ABSL_FLAG(std::string, health_config, "",
          "JSON file overriding health weights, rules, bands, coverage and "
          "KPI targets (see config/health.json). Defaults when empty.");
ABSL_FLAG(bool, demo, true, "Load a demo portfolio when the store is empty.");
ABSL_FLAG(int, sweep_seconds, 60,
          "How often every account's health is re-evaluated as time passes.");
ABSL_FLAG(std::string, plugin_dir, "",
          "Load every *.so in this directory as a plugin.");
ABSL_FLAG(std::vector<std::string>, plugins, {},
          "Comma-separated plugin libraries to load (after --plugin_dir).");
ABSL_FLAG(std::string, plugin_config, "",
          "JSON file with host defaults and one block per plugin (see "
          "plugins/README.md).");
ABSL_FLAG(std::string, auth, "on",
          "on: every call needs an API key (or a client certificate); a new "
          "store's first operator key is written to <data_dir>/operator.key. "
          "off: no authentication, every caller is the operator of tenant "
          "\"default\" (development on loopback only).");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port to serve Prometheus metrics on (/metrics; port 0 picks "
          "one); empty: no metrics endpoint.");
ABSL_FLAG(std::string, metrics_port_file, "",
          "If set, the metrics port is written here once it listens.");
ABSL_FLAG(int, drain_seconds, 10,
          "On SIGTERM/SIGINT, how long in-flight calls may finish.");

namespace retain::server {
namespace {
using common::Log;

// Written whole (rename), so a reader never sees half a number.
void WritePortFile(const std::string& path, int port) {
  if (path.empty()) return;
  const std::string tmp = path + ".tmp";
  { std::ofstream(tmp) << port << "\n"; }
  std::rename(tmp.c_str(), path.c_str());
}

int Run() {
  const std::string auth_mode = absl::GetFlag(FLAGS_auth);
  if (auth_mode != "on" && auth_mode != "off") {
    Log("error", "--auth must be on or off", {{"got", auth_mode}});
    return 2;
  }
  auto clock_offset = TestingClockOffsetFromFlag();
  if (!clock_offset.ok()) {
    Log("error", "clock flag rejected",
        {{"error", std::string(clock_offset.status().message())}});
    return 2;
  }
  if (*clock_offset != absl::ZeroDuration()) {
    Log("warn",
        "TESTING CLOCK: plugins see now moved ahead by "
        "--testing_clock_offset; do not run a real store like this",
        {{"offset", absl::FormatDuration(*clock_offset)}});
  }
  // Checked before the store is opened, so a refused or broken listener
  // fails at once.
  auto transport = ServerTransportFromFlags(absl::GetFlag(FLAGS_listen),
                                            /*auth_on=*/auth_mode == "on");
  if (!transport.ok()) {
    Log("error", std::string(transport.status().message()));
    return 2;
  }

  engine::EngineOptions options;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  const std::string durability = absl::GetFlag(FLAGS_durability);
  if (durability == "full") {
    options.durability = store::Durability::kFull;
  } else if (durability == "normal") {
    options.durability = store::Durability::kNormal;
  } else {
    Log("error", "--durability must be full or normal", {{"got", durability}});
    return 2;
  }
  if (!absl::GetFlag(FLAGS_health_config).empty()) {
    auto config = health::LoadHealthConfig(absl::GetFlag(FLAGS_health_config));
    if (!config.ok()) {
      Log("error", "health config rejected",
          {{"error", std::string(config.status().message())}});
      return 2;
    }
    options.health = *config;
  } else {
    options.health = health::DefaultHealthConfig();
  }
  options.sweep_interval = absl::Seconds(absl::GetFlag(FLAGS_sweep_seconds));
  // Per-tenant quotas from --quota_* (core/server/quota_flags.cc).
  if (!ApplyQuotaFlags(options)) return 2;
  if (!ApplyAlertFlags(options)) return 2;  // core/server/alert_flags.cc

  // Signals must reach plugins once durable; the plugin host exists before
  // the engine so the engine can notify it.
  PluginWiring plugins;
  options.on_durable = [&plugins](int64_t seq) { plugins.NotifyDurable(seq); };
  options.on_load_progress = [](int64_t n) {
    Log("info", "replaying signal log", {{"signals", n}});
  };

  auto engine = engine::Engine::Open(options);
  if (!engine.ok()) {
    Log("error", "cannot open the store",
        {{"data_dir", options.data_dir},
         {"error", std::string(engine.status().message())}});
    return 1;
  }
  engine::EngineStats st = (*engine)->stats();
  Log("info", "store loaded",
      {{"data_dir", options.data_dir},
       {"durability", durability},
       {"accounts", st.accounts},
       {"signals", st.signals},
       {"load_ms", absl::ToInt64Milliseconds(st.load_time)}});

  if (absl::GetFlag(FLAGS_demo) && st.accounts == 0) {
    auto loaded = LoadDemoPortfolio(**engine, "default");
    if (!loaded.ok()) {
      Log("error", "demo portfolio failed",
          {{"error", std::string(loaded.message())}});
      return 1;
    }
    st = (*engine)->stats();
    Log("info", "demo portfolio loaded",
        {{"accounts", st.accounts}, {"signals", st.signals}});
  }

  auto auth = SetUpAuth(&(*engine)->store(), auth_mode == "on",
                        options.data_dir, CertIdentityOfPeer);
  if (!auth.ok()) {
    Log("error", "authentication failed to start",
        {{"error", std::string(auth.status().message())}});
    return 1;
  }
  const auth::Authorizer* authorizer = auth->authorizer.get();

  PluginOptions plugin_options;
  plugin_options.plugin_dir = absl::GetFlag(FLAGS_plugin_dir);
  plugin_options.plugin_paths = absl::GetFlag(FLAGS_plugins);
  plugin_options.config_path = absl::GetFlag(FLAGS_plugin_config);
  plugin_options.clock = OffsetClock(*clock_offset);
  if (absl::Status s = plugins.Start(engine->get(), authorizer, plugin_options);
      !s.ok()) {
    Log("error", "plugin host failed to start",
        {{"error", std::string(s.message())}});
    return 1;
  }

  StreamLimiter streams(absl::GetFlag(FLAGS_quota_streams_per_key));
  AccountServiceImpl accounts(engine->get(), authorizer);
  SignalServiceImpl signals(engine->get(), authorizer, &streams);
  ReportServiceImpl reports(engine->get(), authorizer, &streams,
                            plugins.Contributor());
  AuthServiceImpl auth_service(authorizer);
  AuditServiceImpl audit_service(authorizer);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  // Reflection knows the plugins' schemas too (decision 0019).
  builder.SetOption(
      ServerReflection(plugins.ReflectionPool(), plugins.ReflectedServices()));
  int port = 0;
  builder.AddListeningPort(
      absl::StrCat(absl::GetFlag(FLAGS_listen), ":", absl::GetFlag(FLAGS_port)),
      transport->credentials, &port);
  builder.RegisterService(&accounts);
  builder.RegisterService(&signals);
  builder.RegisterService(&reports);
  builder.RegisterService(&auth_service);
  builder.RegisterService(&audit_service);
  plugins.Register(builder);
  ApplyMessageLimits(builder);  // core/server/limits.h
  // A quota refusal's "retry after N ms" also as a retry-delay-ms trailer.
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(RetryHintInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    Log("error", "cannot listen",
        {{"listen", absl::GetFlag(FLAGS_listen)},
         {"port", absl::GetFlag(FLAGS_port)}});
    return 1;
  }
  PublishTransportHealth(*transport, server.get());
  plugins.OnServerStarted(server.get());
  std::optional<MetricsEndpoint> metrics;
  if (!absl::GetFlag(FLAGS_metrics_listen).empty()) {
    auto m = ServeMetrics(absl::GetFlag(FLAGS_metrics_listen),
                          std::make_shared<RetainMetrics>(
                              engine->get(), &streams, auth->audit.get()));
    if (!m.ok()) {
      Log("error", std::string(m.status().message()));
      return 2;
    }
    metrics = std::move(*m);
    Log("info", "metrics serving", {{"port", metrics->port}});
    WritePortFile(absl::GetFlag(FLAGS_metrics_port_file), metrics->port);
  }
  WritePortFile(absl::GetFlag(FLAGS_port_file), port);
  Log("info", "retaind serving",
      {{"address", absl::StrCat(absl::GetFlag(FLAGS_listen), ":", port)},
       {"port", port}});

  // Wait for SIGTERM/SIGINT on this thread (blocked in every thread).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  Log("info", "draining", {{"signal", sig}});
  (*engine)->alerts().CloseAll();
  plugins.BeginShutdown();
  server->Shutdown(std::chrono::system_clock::now() +
                   std::chrono::seconds(absl::GetFlag(FLAGS_drain_seconds)));
  Log("info", "grpc drained");
  plugins.Shutdown();
  (*engine)->Shutdown();
  st = (*engine)->stats();
  Log("info", "stopped",
      {{"accounts", st.accounts},
       {"signals", st.signals},
       {"commits", st.commits}});
  return 0;
}

}  // namespace
}  // namespace retain::server

int main(int argc, char** argv) {
  // Block the stop signals before any thread starts so only sigwait sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  absl::SetProgramUsageMessage(
      "retaind: Retain's customer-success server.\n"
      "  retaind --data_dir=DIR [--port=7443] [--demo=false]\n"
      "Serves retain.account.v1, retain.signal.v1, retain.report.v1, plugin "
      "services, grpc.health.v1 and server reflection.");
  // --help lists the flags of every file of the server, not only main.cc's.
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "core/server/");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  absl::ParseCommandLine(argc, argv);
  return retain::server::Run();
}
