// A plugin built OUTSIDE the Bazel workspace, with a plain compiler command
// against the SDK headers only, loads into the host and serves over gRPC.
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "retain_plugin_wire.h"
#include "tests/plugins/plugin_env.h"

namespace retain::testing {
namespace {

namespace wire = sdk::wire;

// The guide's example (plugins/README.md), as a newcomer would write it.
constexpr char kHelloSource[] = R"cc(
#include "retain_plugin.h"

  class Hello : public retain::sdk::Plugin {
   public:
    retain::sdk::Status Init(retain::sdk::Setup& setup) override {
      greeting_ = setup.config().GetString("greeting", "hello");
      setup.Subscribe(retain::sdk::SignalKind::kSurvey);
      setup.Handle("/retain.plugins.hello.v1.HelloService/Greet",
                   [this](const retain::sdk::Call& call, std::string* out) {
                     retain::sdk::wire::Reader r(call.request);
                     std::string name;
                     while (r.Next())
                       if (r.field() == 1) name = r.AsString();
                     retain::sdk::wire::Writer w;
                     w.String(
                         1, greeting_ + ", " + name + " (" + call.tenant + ")");
                     *out = w.Take();
                     return retain::sdk::Status();
                   });
      setup.ProvideReportSection();
      return {};
    }
    std::optional<retain::sdk::Section> ReportSection(
        const std::string& tenant, const std::string& account_id) override {
      return retain::sdk::Section{"Hello", {{"greeting", greeting_}}};
    }

   private:
    std::string greeting_;
  };

  RETAIN_PLUGIN(Hello, "hello", "0.1.0")
)cc";

// `source` may name several files.
std::string Compile(const std::string& source, const std::string& out) {
  std::string sdk_dir = Runfile("plugins/sdk");
  std::string cmd =
      absl::StrCat("g++ -std=c++17 -O1 -fPIC -shared -fvisibility=hidden -I",
                   sdk_dir, " ", source, " -o ", out, " 2>&1");
  int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << cmd;
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

// What a plugin author has: the SDK directory as shipped (copied, so only
// the files of //plugins/sdk:headers are there, in their tree), the
// template and its unit tests, and Debian's GoogleTest.
TEST(OutOfTreeTest, ThePluginAndItsFakeHostTestsBuildAndPassWithPlainGxx) {
  std::string dir = TempDir("oot_test");
  ASSERT_EQ(
      std::system(absl::StrCat("cp -rL ", Runfile("plugins/sdk"), " ", dir,
                               "/sdk && cp ",
                               Runfile("plugins/template/notes_plugin.cc"), " ",
                               Runfile("plugins/template/"
                                       "notes_plugin_test.cc"),
                               " ", dir)
                      .c_str()),
      0);
  const std::string bin = dir + "/notes_plugin_test";
  const std::string build_log = dir + "/build.log";
  std::string cmd =
      absl::StrCat("cd ", dir, " && g++ -std=c++17 -I sdk notes_plugin.cc ",
                   "notes_plugin_test.cc -lgtest -lgtest_main -pthread -o ",
                   bin, " > ", build_log, " 2>&1");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd << "\n" << ReadFile(build_log);
  const std::string run_log = dir + "/run.log";
  EXPECT_EQ(std::system(absl::StrCat(bin, " > ", run_log, " 2>&1").c_str()), 0)
      << ReadFile(run_log);
  std::string out = ReadFile(run_log);
  EXPECT_NE(out.find("[  PASSED  ] "), std::string::npos) << out;
  EXPECT_EQ(out.find("FAILED"), std::string::npos) << out;
}

TEST(OutOfTreeTest, PlainCompilerCommandBuildsALoadablePlugin) {
  std::string dir = TempDir("oot");
  std::string hello_cc = WriteFile(dir + "/hello.cc", kHelloSource);
  std::string hello = Compile(hello_cc, dir + "/libhello.so");
  // The template plugin, copied out of the tree as the guide says.
  std::string notes = Compile(Runfile("plugins/template/notes_plugin.cc"),
                              dir + "/libnotes.so");

  auto env = PluginEnv::Start(
      {.plugins = {hello, notes},
       .config_json =
           R"({"plugins": {"hello": {"config": {"greeting": "hi"}}}})"});
  ASSERT_EQ(env->StateOf("hello"), plugin::v1::PLUGIN_STATE_READY);
  ASSERT_EQ(env->StateOf("notes"), plugin::v1::PLUGIN_STATE_READY);

  wire::Writer w;
  w.String(1, "Ada");
  std::string out;
  grpc::Status s = env->CallRaw("/retain.plugins.hello.v1.HelloService/Greet",
                                w.Take(), &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  wire::Reader r(out);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.AsString(), "hi, Ada (default)");

  env->CreateAccount("acme", 1000);
  wire::Writer note;
  note.String(1, "acme");
  note.String(2, "built out of tree");
  EXPECT_TRUE(env->CallRaw("/retain.plugins.notes.v1.NotesService/AddNote",
                           note.Take(), &out)
                  .ok());
  auto sections = env->host().AccountSections("default", "acme");
  ASSERT_EQ(sections.size(), 2u);
  EXPECT_EQ(sections[0].title(), "Hello");
  EXPECT_EQ(sections[1].title(), "Notes");
  // Built without their schemas: served, but not in server reflection.
  EXPECT_TRUE(env->host().ReflectedServices().empty());
}

constexpr char kHelloProto[] = R"pb(
  syntax = "proto3"
  ;
package retain.plugins.hello.v1;
service HelloService {
  rpc Greet(GreetRequest) returns (GreetResponse);
}
message GreetRequest {
  string name = 1;
}
message GreetResponse {
  string greeting = 1;
}
)pb";

// The guide's commands for a schema: protoc writes the set, the SDK's
// script turns it into a source, the compiler links it in.
TEST(OutOfTreeTest, PlainCommandsEmbedTheSchemaForServerReflection) {
  std::string dir = TempDir("oot_schema");
  WriteFile(dir + "/hello.cc", kHelloSource);
  WriteFile(dir + "/hello.proto", kHelloProto);
  std::string cmd = absl::StrCat(
      "cd ", dir,
      " && protoc --include_imports --descriptor_set_out=hello.pb -I. "
      "hello.proto && sh ",
      Runfile("plugins/sdk/retain_embed_schema.sh"),
      " hello.pb > hello_schema.cc 2>&1");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::string hello =
      Compile(absl::StrCat(dir, "/hello.cc ", dir, "/hello_schema.cc"),
              dir + "/libhello.so");

  auto env = PluginEnv::Start({.plugins = {hello}});
  ASSERT_EQ(env->StateOf("hello"), plugin::v1::PLUGIN_STATE_READY);
  EXPECT_EQ(env->host().ReflectedServices(),
            std::vector<std::string>{"retain.plugins.hello.v1.HelloService"});
  const auto* greet = env->host().ReflectionPool().FindMethodByName(
      "retain.plugins.hello.v1.HelloService.Greet");
  ASSERT_NE(greet, nullptr);
  EXPECT_EQ(greet->output_type()->field(0)->name(), "greeting");
}

}  // namespace
}  // namespace retain::testing

namespace retain::testing {
namespace {

// Declaring another ABI version on the command line is refused at compile
// time, with the reason, instead of building a plugin whose layout lies.
TEST(OutOfTreeTest, AnAbiVersionOnTheCommandLineIsACompileError) {
  std::string dir = TempDir("oot_abi");
  std::string source = WriteFile(dir + "/hello.cc", kHelloSource);
  const std::string log = dir + "/build.log";
  std::string cmd = absl::StrCat(
      "g++ -std=c++17 -fsyntax-only -DRETAIN_PLUGIN_ABI_MAJOR=2 -I",
      Runfile("plugins/sdk"), " ", source, " > ", log, " 2>&1");
  EXPECT_NE(std::system(cmd.c_str()), 0);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("are set by retain_plugin_abi.h; do not define them"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace retain::testing
