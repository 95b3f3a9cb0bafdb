// Plugin ABI 1.4 end to end: a real retaind with authentication on loads
// the relay fixture (built with the C++ SDK). Its handler sees the key
// that called it; a call it relays to a plugin is authorized as that key,
// so a reader cannot have a plugin write; calls nest at most 4 deep; and
// plugins built for ABI 1.0, 1.1, 1.2 and 1.3 load and serve next to it.
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "retain/plugin/v1/plugin_service.grpc.pb.h"
#include "tests/integration/auth_fixture.h"
#include "tests/support/generic_unary.h"

namespace retain::testing {
namespace {

constexpr char kRelay[] = "/retain.plugins.relay.v1.RelayService/";

std::string Fixture(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/",
                      std::getenv("TEST_WORKSPACE"), "/plugins/fixtures/lib",
                      name, ".so");
}

// A key's id: the secret is "rtk_<key id>_<random>".
std::string KeyId(const std::string& secret) { return secret.substr(4, 12); }

class PluginCallsE2eTest : public AuthTest {
 protected:
  void SetUp() override { Start({Fixture("relay")}); }

  void Start(const std::vector<std::string>& plugins) {
    // GetDeep holds one relay worker per level.
    const std::string config =
        RetaindProcess::MakeTempDir("plugin-calls") + "/plugins.json";
    std::ofstream(config) << R"({"plugins": {"relay": {"workers": 8}}})";
    auto p = RetaindProcess::Start(
        {.extra_flags = {"--plugins=" + absl::StrJoin(plugins, ","),
                         "--plugin_config=" + config},
         .auth = true});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    std::ifstream in(server_->data_dir() + "/operator.key");
    std::getline(in, operator_key_);
    ASSERT_FALSE(operator_key_.empty()) << "no bootstrap operator key";
    CreateTenant("acme");
    reader_ = CreateKey("acme", auth::v1::ROLE_READER);
    writer_ = CreateKey("acme", auth::v1::ROLE_WRITER);
  }

  grpc::Status Call(const std::string& key, const std::string& method,
                    const std::string& request, std::string* out) {
    return UnaryBytesAs(channel_, key, absl::StrCat(kRelay, method), request,
                        out);
  }
  std::string MustCall(const std::string& key, const std::string& method,
                       const std::string& request) {
    std::string out;
    grpc::Status s = Call(key, method, request, &out);
    EXPECT_TRUE(s.ok()) << method << ": " << s.error_message();
    return out;
  }

  std::string reader_;
  std::string writer_;
};

TEST_F(PluginCallsE2eTest, HandlerSeesTheKeyThatCalled) {
  EXPECT_EQ(MustCall(writer_, "GetCaller", ""),
            absl::StrCat("tenant=acme role=2 auth=1 principal=tenants/acme/"
                         "apiKeys/",
                         KeyId(writer_), " key=", KeyId(writer_),
                         " key_name=test key via="));
  // Relayed, the target sees the same caller, through relay.
  EXPECT_EQ(
      MustCall(reader_, "GetRelayed",
               absl::StrCat("relay ", kRelay, "GetCaller ")),
      absl::StrCat("tenant=acme role=1 auth=1 principal=tenants/acme/apiKeys/",
                   KeyId(reader_), " key=", KeyId(reader_),
                   " key_name=test key via=relay"));
}

TEST_F(PluginCallsE2eTest, AReaderCannotWriteThroughAPlugin) {
  const std::string bump = absl::StrCat("relay ", kRelay, "Bump ");
  std::string out;
  grpc::Status s = Call(reader_, "GetRelayed", bump, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "needs role writer"))
      << s.error_message();
  EXPECT_EQ(MustCall(reader_, "GetCount", ""), "count=0");
  // A writer may, through the same reader method.
  EXPECT_EQ(MustCall(writer_, "GetRelayed", bump), "count=1");
  EXPECT_EQ(MustCall(reader_, "GetCount", ""), "count=1");
}

TEST_F(PluginCallsE2eTest, UnknownPluginOrMethod) {
  std::string out;
  grpc::Status s = Call(writer_, "GetRelayed",
                        "nobody /retain.plugins.nobody.v1.S/Get ", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  s = Call(writer_, "GetRelayed", absl::StrCat("relay ", kRelay, "Nope "),
           &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED)
      << s.error_message();
}

TEST_F(PluginCallsE2eTest, CallsNestAtMostFourDeep) {
  EXPECT_EQ(MustCall(reader_, "GetDeep", "4"), "depth=4");
  std::string out;
  grpc::Status s = Call(reader_, "GetDeep", "5", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "nest at most 4 deep"))
      << s.error_message();
  // The refusal is an answer, not a failure: relay stays ready.
  EXPECT_EQ(MustCall(reader_, "GetDeep", "0"), "depth=0");
}

TEST_F(PluginCallsE2eTest, PluginsOfEveryMinorLoadTogether) {
  ASSERT_TRUE(server_->Stop().ok());
  Start({Fixture("notes_abi_1_0"), Fixture("tally_abi_1_1"),
         Fixture("cas_tally_abi_1_2"), Fixture("band_log_abi_1_3"),
         Fixture("relay")});
  auto stub = plugin::v1::PluginService::NewStub(channel_);
  plugin::v1::ListPluginsResponse list;
  grpc::Status s = stub->ListPlugins(As(reader_).get(), {}, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(list.host_abi_minor(), 4);
  std::map<std::string, int> minors;
  for (const auto& p : list.plugins()) {
    EXPECT_EQ(p.state(), plugin::v1::PLUGIN_STATE_READY) << p.name();
    minors[p.name()] = p.abi_minor();
  }
  EXPECT_EQ(minors, (std::map<std::string, int>{{"band_log", 3},
                                                {"cas_tally", 2},
                                                {"notes", 0},
                                                {"relay", 4},
                                                {"tally", 1}}));
  std::string out;
  s = UnaryBytesAs(channel_, writer_,
                   "/retain.plugins.cas_tally.v1.CasTallyService/Bump", "",
                   &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out, "count=1 hook=1");
  s = UnaryBytesAs(channel_, reader_,
                   "/retain.plugins.tally.v1.TallyService/Get", "", &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out, "touchpoints=0 ticks=0");
  // A 1.4 plugin calls a 1.3 one.
  EXPECT_EQ(MustCall(reader_, "GetRelayed",
                     "band_log /retain.plugins.band_log.v1.BandLogService/"
                     "GetCount "),
            "band_changes=0");
}

}  // namespace
}  // namespace retain::testing
