// End to end: a real retaind (authentication on) loads the template plugin
// and the onboarding plugin, which embed their schemas, and a fixture whose
// schema lacks the method it serves. A reflection client lists and resolves
// the plugins' services over grpc.reflection.v1 and v1alpha, then calls a
// plugin method knowing nothing but what reflection told it.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/descriptor_database.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/auth/v1/auth.grpc.pb.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"
#include "tests/support/reflection_client.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {
namespace {

namespace pb = google::protobuf;

constexpr char kNotesService[] = "retain.plugins.notes.v1.NotesService";
constexpr char kOnboardingService[] =
    "retain.plugins.onboarding.v1.OnboardingService";
constexpr char kMismatchService[] =
    "retain.plugins.schema_mismatch.v1.PingService";

std::string Runfile(const std::string& path) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/",
                      std::getenv("TEST_WORKSPACE"), "/", path);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::unique_ptr<grpc::ClientContext> As(const std::string& key) {
  return KeyedContext(key);
}

grpc::Status Call(const std::shared_ptr<grpc::Channel>& channel,
                  const std::string& method, const std::string& key,
                  const std::string& request, std::string* response) {
  return UnaryCallAs(channel, method, key, request, response);
}

class PluginReflectionE2eTest : public ::testing::Test {
 protected:
  // One server for the suite; every test uses its own accounts.
  static void SetUpTestSuite() {
    const std::string plugins =
        absl::StrCat(Runfile("plugins/template/libnotes.so"), ",",
                     Runfile("plugins/onboarding/libonboarding.so"), ",",
                     Runfile("plugins/fixtures/libschema_mismatch.so"));
    auto p = RetaindProcess::Start(
        {.extra_flags = {"--plugins=" + plugins}, .auth = true});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = p->release();
    channel_ = new std::shared_ptr<grpc::Channel>(grpc::CreateChannel(
        server_->address(), grpc::InsecureChannelCredentials()));
    std::ifstream in(server_->data_dir() + "/operator.key");
    operator_key_ = new std::string;
    std::getline(in, *operator_key_);
    ASSERT_FALSE(operator_key_->empty());
  }
  static void TearDownTestSuite() {
    delete channel_;
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->Stop().ok());
    }
    delete server_;
    delete operator_key_;
  }

  const std::shared_ptr<grpc::Channel>& channel() { return *channel_; }
  const std::string& operator_key() { return *operator_key_; }

  std::string ReaderKey() {
    auto stub = auth::v1::AuthService::NewStub(channel());
    auth::v1::CreateApiKeyRequest req;
    req.set_parent("tenants/default");
    req.mutable_api_key()->set_role(auth::v1::ROLE_READER);
    req.mutable_api_key()->set_display_name("reflection test reader");
    auth::v1::CreateApiKeyResponse resp;
    grpc::Status s = stub->CreateApiKey(As(operator_key()).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.secret();
  }

  void CreateAccount(const std::string& id) {
    auto stub = account::v1::AccountService::NewStub(channel());
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    req.mutable_account()->set_display_name("Account " + id);
    account::v1::Account account;
    grpc::Status s =
        stub->CreateAccount(As(operator_key()).get(), req, &account);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  static RetaindProcess* server_;
  static std::shared_ptr<grpc::Channel>* channel_;
  static std::string* operator_key_;
};

RetaindProcess* PluginReflectionE2eTest::server_ = nullptr;
std::shared_ptr<grpc::Channel>* PluginReflectionE2eTest::channel_ = nullptr;
std::string* PluginReflectionE2eTest::operator_key_ = nullptr;

TEST_F(PluginReflectionE2eTest, BothVersionsListThePluginServicesWithASchema) {
  ReflectorV1 reflection(channel());
  ReflectorV1alpha alpha(channel());
  const std::vector<std::string> services = reflection.Services();
  for (const char* expected :
       {kNotesService, kOnboardingService, "retain.account.v1.AccountService",
        "retain.plugin.v1.PluginService", "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection"}) {
    EXPECT_NE(std::find(services.begin(), services.end(), expected),
              services.end())
        << expected;
  }
  // Its schema was refused: it is served, but not listed.
  EXPECT_EQ(std::find(services.begin(), services.end(), kMismatchService),
            services.end());
  EXPECT_EQ(alpha.Services(), services);
}

TEST_F(PluginReflectionE2eTest, APluginsFileResolvesByServiceMethodAndMessage) {
  ReflectorV1 reflection(channel());
  for (const std::string& symbol :
       {std::string(kNotesService), absl::StrCat(kNotesService, ".AddNote"),
        std::string("retain.plugins.notes.v1.Note")}) {
    EXPECT_EQ(FileNames(reflection.FilesFor(symbol)),
              (std::vector<std::string>{"notes.proto",
                                        "google/protobuf/timestamp.proto"}))
        << symbol;
  }
  std::vector<pb::FileDescriptorProto> by_name =
      reflection.FilesNamed("notes.proto");
  ASSERT_FALSE(by_name.empty());
  ASSERT_EQ(by_name[0].service_size(), 1);
  EXPECT_EQ(by_name[0].service(0).method_size(), 2);
  // The bundled plugin's file, which its generated code also registered.
  EXPECT_EQ(FileNames(ReflectorV1alpha(channel()).FilesFor(
                absl::StrCat(kOnboardingService, ".GetPlan")))[0],
            "retain/plugins/onboarding/v1/onboarding.proto");
  EXPECT_TRUE(reflection.FilesFor("retain.plugins.notes.v1.Nothing").empty());
  EXPECT_TRUE(reflection.FilesFor(kMismatchService).empty());
}

TEST_F(PluginReflectionE2eTest, APluginMethodIsCalledWithOnlyReflectedTypes) {
  CreateAccount("reflected");
  ReflectorV1 reflection(channel());
  ReflectedFiles files(&reflection);
  pb::DescriptorPool pool(&files);
  pb::DynamicMessageFactory factory(&pool);

  std::unique_ptr<pb::Message> note;
  grpc::Status s = CallReflected(
      channel(), pool, &factory, absl::StrCat(kNotesService, ".AddNote"),
      operator_key(), "account_id: 'reflected' text: 'found by reflection'",
      &note);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const pb::Descriptor* type = note->GetDescriptor();
  EXPECT_EQ(type->full_name(), "retain.plugins.notes.v1.Note");
  EXPECT_EQ(
      note->GetReflection()->GetString(*note, type->FindFieldByName("note_id")),
      "n1");
  EXPECT_TRUE(note->GetReflection()->HasField(
      *note, type->FindFieldByName("create_time")));

  std::unique_ptr<pb::Message> list;
  s = CallReflected(channel(), pool, &factory,
                    absl::StrCat(kNotesService, ".ListNotes"), ReaderKey(),
                    "account_id: 'reflected'", &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const pb::FieldDescriptor* notes =
      list->GetDescriptor()->FindFieldByName("notes");
  ASSERT_EQ(list->GetReflection()->FieldSize(*list, notes), 1);
  const pb::Message& listed =
      list->GetReflection()->GetRepeatedMessage(*list, notes, 0);
  EXPECT_EQ(listed.GetReflection()->GetString(
                listed, listed.GetDescriptor()->FindFieldByName("text")),
            "found by reflection");
}

// Reflection follows the rule it always had (like grpc.health.v1, no key:
// it describes the API, never data); the methods it describes keep theirs.
TEST_F(PluginReflectionE2eTest, ReflectionNeedsNoKeyThePluginMethodsDo) {
  ReflectorV1 reflection(channel());  // no key on the stream
  ReflectedFiles files(&reflection);
  pb::DescriptorPool pool(&files);
  pb::DynamicMessageFactory factory(&pool);
  CreateAccount("keyed");
  std::unique_ptr<pb::Message> out;
  const std::string add = absl::StrCat(kNotesService, ".AddNote");
  const std::string request = "account_id: 'keyed' text: 'x'";
  EXPECT_EQ(CallReflected(channel(), pool, &factory, add, "", request, &out)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(
      CallReflected(channel(), pool, &factory, add, ReaderKey(), request, &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(CallReflected(channel(), pool, &factory, add, operator_key(),
                            request, &out)
                  .ok());
}

TEST_F(PluginReflectionE2eTest, HealthIsCallableAsBeforeAndNowDescribed) {
  ReflectorV1 reflection(channel());
  ReflectedFiles files(&reflection);
  pb::DescriptorPool pool(&files);
  pb::DynamicMessageFactory factory(&pool);
  for (const std::string& service :
       {std::string(), std::string("notes"), std::string(kNotesService)}) {
    std::unique_ptr<pb::Message> out;
    grpc::Status s =
        CallReflected(channel(), pool, &factory, "grpc.health.v1.Health.Check",
                      "", absl::StrCat("service: '", service, "'"), &out);
    ASSERT_TRUE(s.ok()) << service << ": " << s.error_message();
    EXPECT_EQ(out->ShortDebugString(), "status: SERVING") << service;
  }
  EXPECT_EQ(FileNames(reflection.FilesFor("grpc.health.v1.Health"))[0],
            "grpc/health/v1/health.proto");
}

TEST_F(PluginReflectionE2eTest, ARefusedSchemaLeavesThePluginServing) {
  auto stub = plugin::v1::PluginService::NewStub(channel());
  plugin::v1::GetPluginRequest req;
  req.set_name("schema_mismatch");
  plugin::v1::Plugin info;
  grpc::Status s = stub->GetPlugin(As(operator_key()).get(), req, &info);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(info.state(), plugin::v1::PLUGIN_STATE_READY);

  std::string echo;
  s = Call(channel(), absl::StrCat("/", kMismatchService, "/Ping"),
           operator_key(), "\x0a\x02hi", &echo);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(echo, "\x0a\x02hi");

  const std::string log = ReadFile(server_->log_path());
  EXPECT_NE(log.find("plugin schema refused"), std::string::npos) << log;
  EXPECT_NE(log.find("the plugin serves /retain.plugins.schema_mismatch.v1."
                     "PingService/Ping, which the set does not define"),
            std::string::npos)
      << log;
}

}  // namespace
}  // namespace retain::testing
