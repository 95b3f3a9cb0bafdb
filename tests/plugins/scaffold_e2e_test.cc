// The plugin author's path end to end, as the guide walks it: `retainctl
// plugins new` writes a skeleton; its own Makefile (plain g++, no Bazel)
// runs its fake-host tests and builds the .so; a real retaind loads it; its
// service is called knowing only what server reflection says; and a signal
// it cannot handle becomes a dead letter while later signals are delivered.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"
#include "tests/clients/retainctl_runner.h"
#include "tests/support/reflection_client.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {
namespace {

namespace pb = google::protobuf;

constexpr char kService[] = "retain.plugins.churn_notes.v1.ChurnNotesService";

// Runs a shell command; its exit code, with its output in `log`.
int Shell(const std::string& command, std::string* log) {
  const std::string out = RetaindProcess::MakeTempDir("shell") + "/out";
  const int rc =
      std::system(absl::StrCat("(", command, ") >", out, " 2>&1").c_str());
  *log = ReadFile(out);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::unique_ptr<grpc::ClientContext> As(const std::string& key) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  ctx->AddMetadata("authorization", "Bearer " + key);
  return ctx;
}

bool Eventually(const std::function<bool()>& cond) {
  const absl::Time end = absl::Now() + absl::Seconds(60);
  while (absl::Now() < end) {
    if (cond()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return cond();
}

TEST(ScaffoldCommandTest, RefusesABadNameAndAnOccupiedDirectory) {
  const std::string dir = RetaindProcess::MakeTempDir("scaffold-bad");
  CtlResult bad = Retainctl({"plugins", "new", "Churn-Notes", "--dir", dir});
  EXPECT_EQ(bad.exit_code, 4) << bad;
  EXPECT_NE(bad.err.find("name: must match [a-z][a-z0-9_]{0,62}"),
            std::string::npos)
      << bad;
  ASSERT_EQ(Retainctl({"plugin", "new", "taken", "--dir", dir}).exit_code, 0);
  CtlResult again = Retainctl({"plugins", "new", "taken", "--dir", dir});
  EXPECT_EQ(again.exit_code, 5) << again;
  EXPECT_NE(again.err.find("already exists and is not empty"),
            std::string::npos)
      << again;
}

class ScaffoldE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = RetaindProcess::MakeTempDir("scaffold");
    root_ = dir_ + "/churn_notes";
  }
  void TearDown() override {
    if (server_) EXPECT_TRUE(server_->Stop().ok());
  }

  void StartServer() {
    const std::string config = dir_ + "/plugins.json";
    std::ofstream(config) << R"({"plugins": {"churn_notes": {
        "signal_retry_limit": 2, "signal_retry_backoff_ms": 1}}})";
    auto p = RetaindProcess::Start(
        {.extra_flags = {"--plugins=" + root_ + "/libchurn_notes.so",
                         "--plugin_config=" + config},
         .auth = true});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    std::ifstream in(server_->data_dir() + "/operator.key");
    std::getline(in, key_);
    ASSERT_FALSE(key_.empty());
  }

  void Record(const std::vector<std::string>& signal_ids) {
    auto signals = signal::v1::SignalService::NewStub(channel_);
    signal::v1::RecordSignalsRequest req;
    for (const auto& id : signal_ids) {
      ASSERT_TRUE(pb::TextFormat::ParseFromString(
          absl::StrCat(
              "signal_id: '", id, "' account: 'accounts/acme' ",
              "occur_time { seconds: ", absl::ToUnixSeconds(absl::Now()) - 60,
              " } touchpoint { channel: TOUCHPOINT_CHANNEL_CALL }"),
          req.add_signals()));
    }
    signal::v1::RecordSignalsResponse resp;
    grpc::Status s = signals->RecordSignals(As(key_).get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  std::string dir_, root_, key_;
  std::unique_ptr<RetaindProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ScaffoldE2eTest, BuildsTestsLoadsAnswersByReflectionAndDeadLetters) {
  // 1. The skeleton, as a newcomer makes it.
  CtlResult made = Retainctl({"plugins", "new", "churn_notes", "--dir", dir_});
  ASSERT_EQ(made.exit_code, 0) << made;
  for (const char* file :
       {"/churn_notes_plugin.cc", "/churn_notes_plugin_test.cc", "/Makefile",
        "/plugin.lds", "/README.md", "/sdk/retain_plugin.h",
        "/sdk/retain_plugin_testing.h", "/sdk/retain_embed_schema.sh",
        "/proto/retain/plugins/churn_notes/v1/churn_notes.proto"}) {
    EXPECT_TRUE(std::ifstream(root_ + file).good()) << file;
  }

  // 2. The author's first change: a touchpoint whose id starts "poison" is
  // one this plugin can never handle.
  const std::string source_path = root_ + "/churn_notes_plugin.cc";
  std::string source = ReadFile(source_path);
  const std::string hook = "Status OnSignal(const Signal& s) override {";
  ASSERT_NE(source.find(hook), std::string::npos);
  absl::StrReplaceAll(
      {{hook, hook + "\n    if (s.signal_id.rfind(\"poison\", 0) == 0) "
                     "return retain::sdk::Internal(\"cannot handle \" + "
                     "s.signal_id);"}},
      &source);
  std::ofstream(source_path) << source;

  // 3. Its own build: fake-host tests, the library, the export check.
  std::string log;
  ASSERT_EQ(Shell("make -C " + root_ + " check", &log), 0) << log;
  EXPECT_NE(log.find("[  PASSED  ]"), std::string::npos) << log;
  EXPECT_NE(log.find("exports only retain_plugin_on_load"), std::string::npos)
      << log;

  // 4. A real retaind loads it.
  StartServer();
  auto plugins = plugin::v1::PluginService::NewStub(channel_);
  plugin::v1::GetPluginRequest get;
  get.set_name("churn_notes");
  plugin::v1::Plugin info;
  ASSERT_TRUE(plugins->GetPlugin(As(key_).get(), get, &info).ok());
  EXPECT_EQ(info.state(), plugin::v1::PLUGIN_STATE_READY) << info.last_error();
  EXPECT_EQ(info.version(), "0.1.0");

  // 5. Its service, known only through server reflection.
  ReflectorV1 reflection(channel_);
  const std::vector<std::string> services = reflection.Services();
  EXPECT_NE(std::find(services.begin(), services.end(), kService),
            services.end());
  ReflectedFiles files(&reflection);
  pb::DescriptorPool pool(&files);
  pb::DynamicMessageFactory factory(&pool);
  auto accounts = account::v1::AccountService::NewStub(channel_);
  account::v1::CreateAccountRequest create;
  create.set_account_id("acme");
  create.mutable_account()->set_display_name("Acme");
  account::v1::Account account;
  ASSERT_TRUE(accounts->CreateAccount(As(key_).get(), create, &account).ok());
  std::unique_ptr<pb::Message> note;
  grpc::Status s = CallReflected(
      channel_, pool, &factory, absl::StrCat(kService, ".AddNote"), key_,
      "account_id: 'acme' text: 'scaffolded'", &note);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(note->GetDescriptor()->full_name(),
            "retain.plugins.churn_notes.v1.Note");

  // 6. A poison touchpoint between good ones: set aside after two tries,
  // the later ones delivered.
  Record({"t1", "poison-1", "t2", "t3"});
  auto touchpoints_seen = [&]() -> int64_t {
    std::unique_ptr<pb::Message> list;
    grpc::Status st = CallReflected(channel_, pool, &factory,
                                    absl::StrCat(kService, ".ListNotes"), key_,
                                    "account_id: 'acme'", &list);
    if (!st.ok()) return -1;
    return list->GetReflection()->GetInt64(
        *list, list->GetDescriptor()->FindFieldByName("touchpoints_seen"));
  };
  ASSERT_TRUE(Eventually([&] { return touchpoints_seen() == 3; }))
      << touchpoints_seen();

  plugin::v1::ListDeadLettersRequest list;
  list.set_name("churn_notes");
  plugin::v1::ListDeadLettersResponse letters;
  ASSERT_TRUE(Eventually([&] {
    letters.Clear();
    return plugins->ListDeadLetters(As(key_).get(), list, &letters).ok() &&
           letters.dead_letters_size() == 1;
  })) << letters.ShortDebugString();
  const auto& letter = letters.dead_letters(0);
  EXPECT_EQ(letter.signal_id(), "poison-1");
  EXPECT_EQ(letter.attempts(), 2);
  EXPECT_NE(letter.last_error().find("cannot handle poison-1"),
            std::string::npos)
      << letter.ShortDebugString();
  ASSERT_TRUE(plugins->GetPlugin(As(key_).get(), get, &info).ok());
  EXPECT_EQ(info.state(), plugin::v1::PLUGIN_STATE_READY);
}

}  // namespace
}  // namespace retain::testing
