#include "tests/plugins/plugin_env.h"

#include <stdlib.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "core/health/health_config.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "retain/signal/v1/signal.pb.h"

namespace retain::testing {

std::string Runfile(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/", ws ? ws : "retain", "/",
                      path);
}

std::string TempDir(const std::string& prefix) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl = absl::StrCat(base ? base : "/tmp", "/", prefix, "XXXXXX");
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  char* dir = mkdtemp(buf.data());
  return dir ? std::string(dir) : tmpl;
}

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return path;
}

std::unique_ptr<PluginEnv> PluginEnv::Start(Options options) {
  std::unique_ptr<PluginEnv> env(new PluginEnv());
  env->data_dir_ =
      options.data_dir.empty() ? TempDir("store") : options.data_dir;
  env->notify_ =
      std::make_shared<std::atomic<plugin_host::PluginHost*>>(nullptr);

  engine::EngineOptions eo;
  eo.data_dir = env->data_dir_;
  eo.durability = store::Durability::kNormal;
  eo.health = health::DefaultHealthConfig();
  auto notify = env->notify_;
  eo.on_durable = [notify](int64_t seq) {
    if (auto* h = notify->load()) h->NotifySignalsDurable(seq);
  };
  auto engine = engine::Engine::Open(eo);
  EXPECT_TRUE(engine.ok()) << engine.status();
  if (!engine.ok()) return nullptr;
  env->engine_ = std::move(*engine);
  env->services_ = std::make_unique<plugin_host::EngineHostServices>(
      env->engine_.get(),
      // As retaind with authentication off: the operator of "default".
      [](const grpc::ServerContextBase&, const std::string&,
         bool* sees_internals) -> absl::StatusOr<plugin::v1::Caller> {
        *sees_internals = true;
        plugin::v1::Caller caller;
        caller.set_tenant("default");
        caller.set_role(plugin::v1::Caller::ROLE_OPERATOR);
        caller.set_authentication(plugin::v1::Caller::AUTHENTICATION_NONE);
        caller.set_principal("dev");
        return caller;
      });

  plugin_host::PluginHostOptions ho;
  for (const auto& p : options.plugins) ho.plugin_paths.push_back(Runfile(p));
  if (!options.config_json.empty()) {
    ho.config_path =
        WriteFile(TempDir("config") + "/plugins.json", options.config_json);
  }
  ho.clock = options.clock;
  ho.call_timeout = options.call_timeout;
  ho.health_feed_full_poll = options.health_feed_full_poll;
  env->host_ = std::make_unique<plugin_host::PluginHost>(
      ho, &env->engine_->store(), env->services_.get());
  absl::Status loaded = env->host_->LoadAll();
  EXPECT_TRUE(loaded.ok()) << loaded;
  env->notify_->store(env->host_.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  env->host_->RegisterServices(builder);
  env->server_ = builder.BuildAndStart();
  EXPECT_TRUE(env->server_ != nullptr && port != 0);
  env->host_->OnServerStarted(env->server_.get());
  env->channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                      grpc::InsecureChannelCredentials());
  return env;
}

void PluginEnv::Stop() {
  if (server_)
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(5));
  if (notify_) notify_->store(nullptr);
  if (host_) host_->Shutdown();
  if (engine_) engine_->Shutdown();
  server_.reset();
}

PluginEnv::~PluginEnv() {
  Stop();
  host_.reset();
  engine_.reset();
}

grpc::Status PluginEnv::CallRaw(const std::string& method,
                                const std::string& request,
                                std::string* response,
                                absl::Duration deadline) {
  grpc::GenericStub stub(channel_);
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  grpc::Slice slice(request);
  grpc::ByteBuffer req(&slice, 1), resp;
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &req, &resp,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (status.ok() && response != nullptr) {
    std::vector<grpc::Slice> slices;
    (void)resp.Dump(&slices);
    response->clear();
    for (auto& s : slices)
      response->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return status;
}

grpc::Status PluginEnv::CallText(
    const std::string& method, const std::string& request_text,
    std::unique_ptr<google::protobuf::Message>* response) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const auto* md = pool->FindMethodByName(method);
  if (md == nullptr) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "no method descriptor " + method);
  }
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  std::unique_ptr<google::protobuf::Message> req(
      factory->GetPrototype(md->input_type())->New());
  if (!google::protobuf::TextFormat::ParseFromString(request_text, req.get())) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "bad request text: " + request_text);
  }
  std::string out;
  std::string full =
      absl::StrCat("/", md->service()->full_name(), "/", md->name());
  grpc::Status s = CallRaw(full, req->SerializeAsString(), &out);
  if (s.ok() && response != nullptr) {
    response->reset(factory->GetPrototype(md->output_type())->New());
    if (!(*response)->ParseFromString(out)) {
      return grpc::Status(grpc::StatusCode::DATA_LOSS, "unparsable response");
    }
  }
  return s;
}

plugin::v1::PluginState PluginEnv::StateOf(const std::string& name) {
  auto p = host_->GetPlugin(name);
  return p.ok() ? p->state() : plugin::v1::PLUGIN_STATE_UNSPECIFIED;
}

void PluginEnv::CreateAccount(const std::string& id, double arr, int seats,
                              const std::string& tenant) {
  account::v1::Account a;
  a.set_display_name(absl::StrCat("Account ", id));
  a.set_arr(arr);
  a.set_licensed_seats(seats);
  auto r = engine_->CreateAccount(tenant, id, a, "");
  ASSERT_TRUE(r.ok()) << r.status();
}

void PluginEnv::Record(const std::vector<std::string>& texts,
                       const std::string& tenant) {
  std::vector<signal::v1::Signal> signals;
  for (const auto& t : texts) {
    signal::v1::Signal s;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(t, &s)) << t;
    signals.push_back(std::move(s));
  }
  auto r = engine_->RecordSignals(tenant, std::move(signals));
  ASSERT_TRUE(r.ok()) << r.status();
}

bool PluginEnv::Eventually(const std::function<bool()>& cond) {
  absl::Time end = absl::Now() + absl::Seconds(60);
  while (absl::Now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

}  // namespace retain::testing
