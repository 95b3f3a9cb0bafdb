// PluginSchemas: the checks a plugin's FileDescriptorSet passes before its
// service shows in server reflection. The accepted sets are the real ones
// the build embeds into the template and the onboarding plugin; the refused
// ones are those sets broken one way each, or small files written here.
#include "core/plugin_host/plugin_schemas.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
// Linked so onboarding.proto is in this process's descriptors, as it is in
// retaind once the onboarding plugin (which links this code) is loaded.
#include "retain/plugins/onboarding/v1/onboarding.pb.h"

namespace retain::plugin_host {
namespace {

namespace pb = google::protobuf;

std::string ReadRunfile(const std::string& path) {
  std::ifstream in(absl::StrCat(std::getenv("TEST_SRCDIR"), "/",
                                std::getenv("TEST_WORKSPACE"), "/", path),
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

pb::FileDescriptorSet NotesSet() {
  pb::FileDescriptorSet set;
  EXPECT_TRUE(
      set.ParseFromString(ReadRunfile("plugins/template/notes_schema.pb")));
  return set;
}

const std::vector<std::string> kNotesMethods = {
    "/retain.plugins.notes.v1.NotesService/AddNote",
    "/retain.plugins.notes.v1.NotesService/ListNotes"};

pb::FileDescriptorProto File(const std::string& text) {
  pb::FileDescriptorProto f;
  EXPECT_TRUE(pb::TextFormat::ParseFromString(text, &f)) << text;
  return f;
}

std::string SetOf(const std::vector<pb::FileDescriptorProto>& files) {
  pb::FileDescriptorSet set;
  for (const auto& f : files) *set.add_file() = f;
  return set.SerializeAsString();
}

// The refusal's message, "" when accepted.
std::string Refusal(PluginSchemas& schemas, const std::string& plugin,
                    const std::string& set,
                    const std::vector<std::string>& methods) {
  absl::Status s = schemas.Add(plugin, set, methods);
  if (s.ok()) return "";
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message());
}

TEST(PluginSchemasTest, TheTemplateSchemaIsServedWithTheCompiledInProtos) {
  PluginSchemas schemas;
  ASSERT_EQ(
      Refusal(schemas, "notes", NotesSet().SerializeAsString(), kNotesMethods),
      "");
  EXPECT_EQ(schemas.services(),
            std::vector<std::string>{"retain.plugins.notes.v1.NotesService"});
  const pb::DescriptorPool& pool = schemas.pool();
  const pb::MethodDescriptor* add =
      pool.FindMethodByName("retain.plugins.notes.v1.NotesService.AddNote");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->output_type()->full_name(), "retain.plugins.notes.v1.Note");
  // Its import is the server's own copy, shared rather than a conflict.
  const pb::FileDescriptor* file = add->file();
  ASSERT_EQ(file->dependency_count(), 1);
  EXPECT_EQ(file->dependency(0)->name(), "google/protobuf/timestamp.proto");
  // The compiled-in protos answer from the same pool.
  EXPECT_NE(pool.FindMessageTypeByName("google.protobuf.Duration"), nullptr);
}

TEST(PluginSchemasTest, AFileThePluginsOwnGeneratedCodeRegisteredIsShared) {
  // The onboarding plugin links its generated code, so retaind already has
  // onboarding.proto when the plugin hands in the same file.
  ASSERT_NE(plugins::onboarding::v1::Plan::descriptor(), nullptr);
  PluginSchemas schemas;
  EXPECT_EQ(
      Refusal(schemas, "onboarding",
              ReadRunfile("plugins/onboarding/onboarding_schema.pb"),
              {"/retain.plugins.onboarding.v1.OnboardingService/GetPlan"}),
      "");
  EXPECT_EQ(schemas.services(),
            std::vector<std::string>{
                "retain.plugins.onboarding.v1.OnboardingService"});
}

TEST(PluginSchemasTest, GarbageAndEmptySetsAreRefused) {
  PluginSchemas schemas;
  EXPECT_EQ(Refusal(schemas, "notes", "\xff\xff\xff not a descriptor set",
                    kNotesMethods),
            "file_descriptor_set: not a serialized "
            "google.protobuf.FileDescriptorSet");
  EXPECT_EQ(Refusal(schemas, "notes", "", kNotesMethods),
            "file_descriptor_set: holds no files");
  EXPECT_TRUE(schemas.services().empty());
}

TEST(PluginSchemasTest, AServedMethodTheSetLacksRefusesTheWholeSet) {
  PluginSchemas schemas;
  std::vector<std::string> methods = kNotesMethods;
  methods.push_back("/retain.plugins.notes.v1.NotesService/DeleteNote");
  EXPECT_EQ(Refusal(schemas, "notes", NotesSet().SerializeAsString(), methods),
            "file_descriptor_set: the plugin serves "
            "/retain.plugins.notes.v1.NotesService/DeleteNote, which the set "
            "does not define");
  EXPECT_TRUE(schemas.services().empty());
  EXPECT_EQ(
      schemas.pool().FindMessageTypeByName("retain.plugins.notes.v1.Note"),
      nullptr);
}

TEST(PluginSchemasTest, AStreamingMethodIsRefused) {
  PluginSchemas schemas;
  std::string set = SetOf({File(R"pb(
    name: "retain/plugins/tail/v1/tail.proto"
    package: "retain.plugins.tail.v1"
    syntax: "proto3"
    message_type { name: "Line" }
    service {
      name: "TailService"
      method {
        name: "Follow"
        input_type: ".retain.plugins.tail.v1.Line"
        output_type: ".retain.plugins.tail.v1.Line"
        server_streaming: true
      }
    }
  )pb")});
  EXPECT_EQ(Refusal(schemas, "tail", set,
                    {"/retain.plugins.tail.v1.TailService/Follow"}),
            "file_descriptor_set: /retain.plugins.tail.v1.TailService/Follow "
            "streams in the set; plugin methods are unary");
}

TEST(PluginSchemasTest, FilesThatDoNotBuildAreRefusedWithTheProtobufError) {
  PluginSchemas schemas;
  std::string set = SetOf({File(R"pb(
    name: "retain/plugins/typo/v1/typo.proto"
    package: "retain.plugins.typo.v1"
    syntax: "proto3"
    message_type {
      name: "Note"
      field {
        name: "when"
        number: 1
        type: TYPE_MESSAGE
        type_name: ".google.protobuf.Timestamp"
        label: LABEL_OPTIONAL
      }
    }
  )pb")});
  const std::string why = Refusal(schemas, "typo", set, {});
  EXPECT_EQ(why.rfind("file_descriptor_set: retain/plugins/typo/v1/typo.proto: "
                      "retain.plugins.typo.v1.Note.when: ",
                      0),
            0u)
      << why;
  EXPECT_NE(why.find("google.protobuf.Timestamp"), std::string::npos) << why;
}

TEST(PluginSchemasTest, ASetWithoutItsImportsIsRefused) {
  PluginSchemas schemas;
  pb::FileDescriptorSet set = NotesSet();
  pb::FileDescriptorSet without;
  for (const auto& f : set.file()) {
    if (f.name() == "notes.proto") *without.add_file() = f;
  }
  EXPECT_EQ(
      Refusal(schemas, "notes", without.SerializeAsString(), kNotesMethods),
      "file_descriptor_set: notes.proto imports "
      "google/protobuf/timestamp.proto, which the set lacks (build it "
      "with protoc --include_imports)");
}

TEST(PluginSchemasTest, AnotherFileUnderAServerFilesNameIsRefused) {
  PluginSchemas schemas;
  pb::FileDescriptorSet set = NotesSet();
  for (auto& f : *set.mutable_file()) {
    if (f.name() == "google/protobuf/timestamp.proto") {
      f.mutable_message_type(0)->mutable_field(0)->set_name("secs");
    }
  }
  EXPECT_EQ(Refusal(schemas, "notes", set.SerializeAsString(), kNotesMethods),
            "file_descriptor_set: google/protobuf/timestamp.proto differs "
            "from the file of that name the server already has");
}

TEST(PluginSchemasTest, ASymbolTheServerDefinesIsRefused) {
  PluginSchemas schemas;
  std::string set = SetOf({File(R"pb(
    name: "my/duration.proto"
    package: "google.protobuf"
    syntax: "proto3"
    message_type { name: "Duration" }
  )pb")});
  EXPECT_EQ(Refusal(schemas, "clock", set, {}),
            "file_descriptor_set: my/duration.proto defines "
            "google.protobuf.Duration, which the server already defines in "
            "google/protobuf/duration.proto");
}

TEST(PluginSchemasTest, ConflictsWithAnEarlierPluginAreRefusedAndSharingIsNot) {
  PluginSchemas schemas;
  const pb::FileDescriptorProto money = File(R"pb(
    name: "acme/money.proto"
    package: "acme.common"
    syntax: "proto3"
    message_type {
      name: "Money"
      field { name: "cents" number: 1 type: TYPE_INT64 label: LABEL_OPTIONAL }
    }
  )pb");
  ASSERT_EQ(Refusal(schemas, "billing", SetOf({money}), {}), "");
  // The very same file from a second plugin is shared.
  EXPECT_EQ(Refusal(schemas, "invoices", SetOf({money}), {}), "");

  pb::FileDescriptorProto changed = money;
  changed.mutable_message_type(0)->mutable_field(0)->set_number(2);
  EXPECT_EQ(Refusal(schemas, "quotes", SetOf({changed}), {}),
            "file_descriptor_set: acme/money.proto differs from the file of "
            "that name plugin 'billing' already has");

  pb::FileDescriptorProto renamed = money;
  renamed.set_name("quotes/money.proto");
  EXPECT_EQ(Refusal(schemas, "quotes", SetOf({renamed}), {}),
            "file_descriptor_set: quotes/money.proto defines "
            "acme.common.Money, which plugin 'billing' already defines in "
            "acme/money.proto");
}

TEST(PluginSchemasTest, APluginMayNotDefineAnotherRetainPackage) {
  PluginSchemas schemas;
  std::string set = SetOf({File(R"pb(
    name: "retain/account/v1/extra.proto"
    package: "retain.account.v1"
    syntax: "proto3"
    message_type { name: "AccountExtra" }
  )pb")});
  EXPECT_EQ(Refusal(schemas, "extras", set, {}),
            "file_descriptor_set: retain/account/v1/extra.proto declares "
            "package retain.account.v1; of the retain.* packages a plugin may "
            "only define its own, retain.plugins.extras.v1");
}

}  // namespace
}  // namespace retain::plugin_host
