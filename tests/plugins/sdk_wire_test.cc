// The SDK's hand-written codec against the core's generated code: the field
// numbers it relies on are part of the plugin ABI.
#include <random>
#include <string>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.pb.h"
#include "retain/plugin/v1/abi.pb.h"
#include "retain/report/v1/report.pb.h"
#include "retain/signal/v1/signal.pb.h"
#include "retain_plugin.h"

namespace retain::testing {
namespace {

namespace sdk = ::retain::sdk;

TEST(SdkWireTest, DecodesGeneratedAccount) {
  account::v1::Account a;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        name: "accounts/acme"
        display_name: "Acme"
        arr: 12345.5
        licensed_seats: 40
        contract_start_time { seconds: 1700000000 nanos: 5000 }
        renewal_time { seconds: 1731536000 }
        segment: SEGMENT_NAMED
        lifecycle_stage: LIFECYCLE_STAGE_ADOPTION
        csm_owner: "ann"
        contacts {
          display_name: "Pat"
          email: "pat@acme"
          role: "VP"
          exec_sponsor: true
        }
        contacts { display_name: "Sam" champion: true }
        health_score: 7.75
        health_band: HEALTH_BAND_GREEN
      )pb",
      &a));
  sdk::Account got;
  ASSERT_TRUE(sdk::codec::DecodeAccount(a.SerializeAsString(), &got));
  EXPECT_EQ(got.id, "acme");
  EXPECT_EQ(got.display_name, "Acme");
  EXPECT_DOUBLE_EQ(got.arr, 12345.5);
  EXPECT_EQ(got.licensed_seats, 40);
  EXPECT_EQ(got.contract_start_micros, 1700000000LL * 1000000 + 5);
  EXPECT_EQ(got.segment, sdk::segment::kNamed);
  EXPECT_EQ(got.lifecycle_stage, 2);
  EXPECT_EQ(got.csm_owner, "ann");
  ASSERT_EQ(got.contacts.size(), 2u);
  EXPECT_TRUE(got.contacts[0].exec_sponsor);
  EXPECT_TRUE(got.contacts[1].champion);
  EXPECT_DOUBLE_EQ(got.health_score, 7.75);
  EXPECT_EQ(got.health_band, sdk::band::kGreen);
}

TEST(SdkWireTest, SignalsRoundTripThroughGeneratedCode) {
  const char* texts[] = {
      R"pb(signal_id: "u"
           account: "accounts/a"
           occur_time { seconds: 1700000000 }
           usage {
             active_users: 7
             window_days: 30
             feature_users { key: "x" value: 3 }
           })pb",
      R"pb(signal_id: "t"
           account: "accounts/a"
           occur_time { seconds: 1700000000 }
           ticket {
             ticket_id: "T1"
             status: TICKET_STATUS_OPENED
             severity: TICKET_SEVERITY_HIGH
             escalated: true
             subject: "down"
           })pb",
      R"pb(signal_id: "s"
           account: "accounts/a"
           occur_time { seconds: 1700000000 }
           survey {
             kind: SURVEY_KIND_NPS
             score: 9
             comment: "great"
             respondent: "pat"
           })pb",
      R"pb(signal_id: "p"
           account: "accounts/a"
           occur_time { seconds: 1700000000 }
           touchpoint {
             channel: TOUCHPOINT_CHANNEL_QBR
             with_contact: "pat"
             exec_involved: true
             csm: "ann"
             notes: "n"
           })pb",
      R"pb(signal_id: "c"
           account: "accounts/a"
           occur_time { seconds: 1700000000 }
           commercial {
             kind: COMMERCIAL_EVENT_KIND_CONTRACTION
             arr_delta: -250.5
             reason: "r"
             next_renewal_time { seconds: 1800000000 }
           })pb",
      R"pb(signal_id: "l"
           account: "accounts/a"
           occur_time { seconds: 1700000000 }
           lifecycle { stage: LIFECYCLE_STAGE_RENEWAL reason: "r" })pb",
      R"pb(signal_id: "x"
           account: "accounts/a"
           occur_time { seconds: 1700000000 }
           custom {
             type: "a.b"
             attributes { key: "k" value: "v" }
           })pb",
  };
  for (const char* text : texts) {
    signal::v1::Signal in;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &in))
        << text;
    sdk::Signal decoded;
    ASSERT_TRUE(sdk::codec::DecodeSignal(in.SerializeAsString(), &decoded))
        << text;
    EXPECT_EQ(decoded.account_id, "a");
    signal::v1::Signal out;
    ASSERT_TRUE(out.ParseFromString(sdk::codec::EncodeSignal(decoded))) << text;
    EXPECT_EQ(out.SerializeAsString(), in.SerializeAsString())
        << "in:  " << in.ShortDebugString()
        << "\nout: " << out.ShortDebugString();
  }
}

TEST(SdkWireTest, SectionsAndComponentsParseInTheHost) {
  sdk::HealthComponent c{"onboarding",       0.1, 0, 6.5, true, "why",
                         {{"overdue", "1"}}, ""};
  report::v1::HealthComponent hc;
  ASSERT_TRUE(hc.ParseFromString(sdk::codec::EncodeComponent(c)));
  EXPECT_EQ(hc.name(), "onboarding");
  EXPECT_DOUBLE_EQ(hc.score(), 6.5);
  EXPECT_TRUE(hc.has_data());
  EXPECT_EQ(hc.inputs(0).value(), "1");
  report::v1::ReportSection rs;
  ASSERT_TRUE(
      rs.ParseFromString(sdk::codec::EncodeSection({"Title", {{"a", "b"}}})));
  EXPECT_EQ(rs.title(), "Title");
  EXPECT_EQ(rs.fields(0).name(), "a");

  report::v1::AccountHealth h;
  h.set_score(4.2);
  h.set_band(account::v1::HEALTH_BAND_RED);
  *h.add_components() = hc;
  h.set_arr(12000);
  h.set_segment(account::v1::SEGMENT_POOLED);
  sdk::Health got;
  ASSERT_TRUE(sdk::codec::DecodeHealth(h.SerializeAsString(), &got));
  EXPECT_DOUBLE_EQ(got.score, 4.2);
  EXPECT_EQ(got.band, sdk::band::kRed);
  EXPECT_DOUBLE_EQ(got.arr, 12000);  // the ARR and segment at its time
  EXPECT_EQ(got.segment, sdk::segment::kPooled);
  ASSERT_EQ(got.components.size(), 1u);
}

// ABI 1.1: the tick opt-in, the list_tenants callback, version skew.
class TickingPlugin : public sdk::Plugin {
 public:
  sdk::Status Init(sdk::Setup& setup) override {
    setup.WantTicks();
    return {};
  }
};

int32_t ListTenantsCb(void*, retain_str, retain_str, retain_sink* out) {
  plugin::v1::ListTenantsResponse resp;
  resp.add_tenants("acme");
  resp.add_tenants("default");
  std::string bytes = resp.SerializeAsString();
  out->write(out->ctx, bytes.data(), bytes.size());
  return 0;
}

TEST(SdkWireTest, Abi11TicksAndTenantsAcrossVersions) {
  sdk::Setup setup{sdk::Config()};
  plugin::v1::PluginDescriptor d;
  ASSERT_TRUE(d.ParseFromString(setup.EncodeDescriptor()));
  EXPECT_FALSE(d.ticks());
  setup.WantTicks();
  ASSERT_TRUE(d.ParseFromString(setup.EncodeDescriptor()));
  EXPECT_TRUE(d.ticks());

  // The SDK's module is at least 1.1-sized and its tick reaches OnTick
  // (no-op here).
  const retain_plugin_module* m =
      sdk::Glue<TickingPlugin>::Module("ticking", "1.0.0");
  EXPECT_EQ(m->abi_major, 1);
  EXPECT_EQ(m->abi_minor, RETAIN_PLUGIN_ABI_MINOR);
  EXPECT_GE(RETAIN_PLUGIN_ABI_MINOR, 1);
  ASSERT_TRUE(
      RETAIN_ABI_HAS_FIELD(m, retain_plugin_module, retain_plugin_on_tick));
  void* instance = nullptr;
  std::string err;
  retain_sink sink = sdk::internal::StringSink(&err);
  ASSERT_EQ(m->retain_plugin_on_init(nullptr, nullptr, {nullptr, 0}, &instance,
                                     &sink),
            0)
      << err;
  EXPECT_EQ(m->retain_plugin_on_tick(instance, 123, &sink), 0);
  m->retain_plugin_on_destroy(instance);

  // A 1.1 host: ListTenants decodes the generated response.
  retain_host_api api{};
  api.struct_size = sizeof(retain_host_api);
  api.abi_major = 1;
  api.abi_minor = 1;
  api.retain_host_callback_list_tenants = &ListTenantsCb;
  auto tenants = sdk::Host(&api, nullptr).ListTenants();
  ASSERT_TRUE(tenants.ok()) << tenants.status().message();
  EXPECT_EQ(*tenants, (std::vector<std::string>{"acme", "default"}));
  // A 1.0 host's table ends before the callback: never read, UNIMPLEMENTED.
  api.struct_size =
      offsetof(retain_host_api, retain_host_callback_list_tenants);
  api.abi_minor = 0;
  tenants = sdk::Host(&api, nullptr).ListTenants();
  ASSERT_FALSE(tenants.ok());
  EXPECT_EQ(tenants.status().code(), sdk::Code::kUnimplemented);
}

// The schema a plugin serves reaches the host's descriptor whole (bytes
// with zeros included); without one (this binary embeds none) the field is
// left out.
TEST(SdkWireTest, ServeSchemaFillsTheDescriptorsSet) {
  sdk::Setup setup{sdk::Config()};
  plugin::v1::PluginDescriptor d;
  ASSERT_TRUE(d.ParseFromString(setup.EncodeDescriptor()));
  EXPECT_TRUE(d.file_descriptor_set().empty());
  const std::string set("\x0a\x00\xff schema", 10);
  setup.ServeSchema(set);
  ASSERT_TRUE(d.ParseFromString(setup.EncodeDescriptor()));
  EXPECT_EQ(d.file_descriptor_set(), set);
}

// Malformed input never reads out of bounds (run under ASan to be sure)
// and is reported, not misread.
TEST(SdkWireTest, MalformedInputIsRejected) {
  sdk::Signal truncated;
  EXPECT_FALSE(
      sdk::codec::DecodeSignal(std::string("\x0a\x05\x61", 3), &truncated));
  sdk::wire::Reader truncated_varint(std::string("\x08\xff", 2));
  EXPECT_FALSE(truncated_varint.Next());
  EXPECT_FALSE(truncated_varint.ok());
  sdk::wire::Reader group(std::string("\x0b", 1));
  EXPECT_FALSE(group.Next());
  std::mt19937 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng() % 64, '\0');
    for (char& b : bytes) b = static_cast<char>(rng());
    sdk::Signal s;
    sdk::Account a;
    sdk::Health h;
    sdk::codec::DecodeSignal(bytes, &s);
    sdk::codec::DecodeAccount(bytes, &a);
    sdk::codec::DecodeHealth(bytes, &h);
    sdk::Config::Decode(bytes);
  }
}

}  // namespace
}  // namespace retain::testing

namespace retain::testing {
namespace {

// The SDK's named constants are the protos' enum values: a plugin never
// compares against a bare number, and the two cannot drift apart.
TEST(SdkConstantsTest, MatchTheProtoEnums) {
  namespace s = sdk;
  EXPECT_EQ(s::band::kRed, account::v1::HEALTH_BAND_RED);
  EXPECT_EQ(s::segment::kDedicated, account::v1::SEGMENT_DEDICATED);
  EXPECT_EQ(s::survey_kind::kCes, signal::v1::SURVEY_KIND_CES);
  EXPECT_EQ(s::ticket_status::kClosed, signal::v1::TICKET_STATUS_CLOSED);
  EXPECT_EQ(s::ticket_severity::kCritical,
            signal::v1::TICKET_SEVERITY_CRITICAL);
  EXPECT_EQ(s::touchpoint_channel::kMeeting,
            signal::v1::TOUCHPOINT_CHANNEL_MEETING);
  EXPECT_EQ(s::touchpoint_channel::kQbr, signal::v1::TOUCHPOINT_CHANNEL_QBR);
  EXPECT_EQ(s::lifecycle_stage::kOnboarding,
            account::v1::LIFECYCLE_STAGE_ONBOARDING);
  EXPECT_EQ(s::lifecycle_stage::kChurned, account::v1::LIFECYCLE_STAGE_CHURNED);
  EXPECT_EQ(s::commercial_kind::kPaymentReceived,
            signal::v1::COMMERCIAL_EVENT_KIND_PAYMENT_RECEIVED);
}

}  // namespace
}  // namespace retain::testing

namespace retain::testing {
namespace {

TEST(SdkWireTest, RepeatedIntsKeepTheirZeros) {
  // PluginDescriptor.signal_kinds (field 2) is a repeated int32.
  sdk::wire::Writer unpacked;
  for (int64_t k : {0, 3, 0}) unpacked.RepeatedInt(2, k);
  plugin::v1::PluginDescriptor a;
  ASSERT_TRUE(a.ParseFromString(unpacked.Take()));
  EXPECT_EQ(
      std::vector<int32_t>(a.signal_kinds().begin(), a.signal_kinds().end()),
      (std::vector<int32_t>{0, 3, 0}));
  sdk::wire::Writer packed;
  packed.PackedInts(2, {0, 3, 0, 7});
  plugin::v1::PluginDescriptor b;
  ASSERT_TRUE(b.ParseFromString(packed.Take()));
  EXPECT_EQ(
      std::vector<int32_t>(b.signal_kinds().begin(), b.signal_kinds().end()),
      (std::vector<int32_t>{0, 3, 0, 7}));
  // Int, for singular fields, skips a zero.
  sdk::wire::Writer singular;
  singular.Int(2, 0);
  EXPECT_TRUE(singular.data().empty());
}

TEST(SdkWireTest, AppendIntsReadsRepeatedIntsPackedOrNot) {
  plugin::v1::PluginDescriptor d;
  for (int k : {4, 0, 7}) d.add_signal_kinds(k);  // protoc packs them
  std::vector<int64_t> got;
  sdk::wire::Reader r(d.SerializeAsString());
  while (r.Next()) {
    if (r.field() == 2) ASSERT_TRUE(r.AppendInts(&got));
  }
  sdk::wire::Writer unpacked;
  for (int64_t k : {1, 0}) unpacked.RepeatedInt(2, k);
  sdk::wire::Reader u(unpacked.data());
  while (u.Next()) ASSERT_TRUE(u.AppendInts(&got));
  EXPECT_EQ(got, (std::vector<int64_t>{4, 0, 7, 1, 0}));
  // A packed run cut short is malformed, and adds nothing.
  sdk::wire::Reader cut(std::string("\x12\x01\x80", 3));
  ASSERT_TRUE(cut.Next());
  EXPECT_FALSE(cut.AppendInts(&got));
  EXPECT_EQ(got.size(), 5u);
}

// The host side of the codec (what the fake host answers with) against
// the generated code the server parses and writes with.
TEST(SdkWireTest, HostSideEncodersMatchTheGeneratedCode) {
  sdk::Account a;
  a.id = "acme";
  a.display_name = "Acme";
  a.arr = 1500.5;
  a.licensed_seats = 12;
  a.renewal_micros = 1731536000LL * 1000000 + 7;
  a.segment = sdk::segment::kPooled;
  a.lifecycle_stage = sdk::lifecycle_stage::kAdoption;
  a.csm_owner = "ann";
  a.contacts.push_back({"Pat", "pat@acme", "VP", true, false});
  a.health_score = 6.25;
  a.health_band = sdk::band::kYellow;
  account::v1::Account parsed;
  ASSERT_TRUE(parsed.ParseFromString(sdk::codec::EncodeAccount(a)));
  account::v1::Account want;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        name: "accounts/acme"
        display_name: "Acme"
        arr: 1500.5
        licensed_seats: 12
        renewal_time { seconds: 1731536000 nanos: 7000 }
        segment: SEGMENT_POOLED
        lifecycle_stage: LIFECYCLE_STAGE_ADOPTION
        csm_owner: "ann"
        contacts {
          display_name: "Pat"
          email: "pat@acme"
          role: "VP"
          exec_sponsor: true
        }
        health_score: 6.25
        health_band: HEALTH_BAND_YELLOW
      )pb",
      &want));
  EXPECT_EQ(parsed.SerializeAsString(), want.SerializeAsString())
      << parsed.ShortDebugString();

  sdk::Health h;
  h.account = "accounts/acme";
  h.score = 4.5;
  h.band = sdk::band::kRed;
  h.components.push_back({"usage", 0.3, 0.25, 3, true, "low", {}, "core"});
  h.arr = 30000;
  h.segment = sdk::segment::kNamed;
  report::v1::AccountHealth health;
  ASSERT_TRUE(health.ParseFromString(sdk::codec::EncodeHealth(h)));
  EXPECT_EQ(health.account(), "accounts/acme");
  EXPECT_DOUBLE_EQ(health.arr(), 30000);
  EXPECT_EQ(health.segment(), account::v1::SEGMENT_NAMED);
  EXPECT_DOUBLE_EQ(health.score(), 4.5);
  EXPECT_EQ(health.band(), account::v1::HEALTH_BAND_RED);
  ASSERT_EQ(health.components_size(), 1);
  EXPECT_EQ(health.components(0).source(), "core");

  report::v1::ReportSection rs;
  rs.set_plugin("notes");
  rs.set_title("Notes");
  auto* f = rs.add_fields();
  f->set_name("notes");
  f->set_value("2");
  sdk::Section section;
  ASSERT_TRUE(sdk::codec::DecodeSection(rs.SerializeAsString(), &section));
  EXPECT_EQ(section.title, "Notes");
  ASSERT_EQ(section.fields.size(), 1u);
  EXPECT_EQ(section.fields[0].value, "2");
}

// ABI 1.2: the versioned KV and call-context messages, both ways, against
// the generated code the host uses.
TEST(SdkWireTest, Abi12MessagesMatchTheGeneratedCode) {
  plugin::v1::KvReadRequest read;
  ASSERT_TRUE(read.ParseFromString(
      sdk::codec::EncodeKvRead({"a", "", "b"}, sdk::KvRange{"p/", "p/1", 7})));
  EXPECT_EQ(read.keys_size(), 3);
  EXPECT_EQ(read.keys(1), "");  // an empty key is still a key
  ASSERT_TRUE(read.has_scan());
  EXPECT_EQ(read.scan().prefix(), "p/");
  EXPECT_EQ(read.scan().start_after(), "p/1");
  EXPECT_EQ(read.scan().limit(), 7);
  ASSERT_TRUE(read.ParseFromString(sdk::codec::EncodeKvRead({"a"}, {})));
  EXPECT_FALSE(read.has_scan());

  plugin::v1::KvReadResponse snap;
  auto* v = snap.add_values();
  v->set_key("a");
  v->set_value("1");
  v->set_version(int64_t{1} << 40);
  snap.add_values()->set_key("none");
  auto* e = snap.add_entries();
  e->set_key("p/1");
  e->set_version(3);
  sdk::KvSnapshot got;
  ASSERT_TRUE(sdk::codec::DecodeKvSnapshot(snap.SerializeAsString(), &got));
  ASSERT_EQ(got.values.size(), 2u);
  EXPECT_EQ(got.Value("a"), "1");
  EXPECT_EQ(got.Version("a"), int64_t{1} << 40);
  EXPECT_EQ(got.values[1].version, 0);
  EXPECT_EQ(got.Value("none"), std::nullopt);
  ASSERT_EQ(got.entries.size(), 1u);
  EXPECT_EQ(got.Version("p/1"), 3);
  EXPECT_EQ(got.Value("p/1"), "");  // present, empty
  EXPECT_EQ(sdk::codec::EncodeKvSnapshot(got), snap.SerializeAsString());

  plugin::v1::KvApplyIfRequest apply;
  ASSERT_TRUE(apply.ParseFromString(sdk::codec::EncodeKvApplyIf(
      {{"a", "2"}, {"b", std::nullopt}, {"c", ""}}, {{"a", 9}, {"n", 0}})));
  ASSERT_EQ(apply.preconditions_size(), 2);
  EXPECT_EQ(apply.preconditions(0).key(), "a");
  EXPECT_EQ(apply.preconditions(0).version(), 9);
  EXPECT_EQ(apply.preconditions(1).version(), 0);
  ASSERT_EQ(apply.ops_size(), 3);
  EXPECT_EQ(apply.ops(0).value(), "2");
  EXPECT_TRUE(apply.ops(1).delete_());
  EXPECT_FALSE(apply.ops(2).delete_());  // an empty value is a value

  plugin::v1::CallContext c;
  c.set_hook(plugin::v1::CallContext::HOOK_HEALTH_COMPONENT);
  c.set_method("/retain.plugins.x.v1.S/M");
  c.set_deadline_micros(1735689600000000);
  c.set_remaining_micros(-250);
  c.set_cancelled(true);
  c.set_cancel_reason(plugin::v1::CallContext::CANCEL_REASON_SHUTTING_DOWN);
  sdk::CallContext ctx;
  ASSERT_TRUE(sdk::codec::DecodeCallContext(c.SerializeAsString(), &ctx));
  EXPECT_EQ(ctx.hook, sdk::CallContext::Hook::kHealthComponent);
  EXPECT_EQ(ctx.method, "/retain.plugins.x.v1.S/M");
  EXPECT_EQ(ctx.deadline_micros, 1735689600000000);
  EXPECT_EQ(ctx.remaining_micros, -250);
  EXPECT_TRUE(ctx.cancelled);
  EXPECT_EQ(ctx.cancel_reason, sdk::CallContext::CancelReason::kShuttingDown);
  EXPECT_EQ(sdk::codec::EncodeCallContext(ctx), c.SerializeAsString());
}

TEST(SdkResultDeathTest, ValueOfAnErrorAbortsWithItsMessage) {
  sdk::Result<int> r = sdk::NotFound("no plan for acme");
  EXPECT_FALSE(r.ok());
  EXPECT_DEATH((void)r.value(),
               "Result::value\\(\\) on an error: no plan for acme");
}

}  // namespace
}  // namespace retain::testing
