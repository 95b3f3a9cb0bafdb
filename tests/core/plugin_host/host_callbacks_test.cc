// The ABI 1.2 host callbacks as a plugin calls them, through the host's
// table, over a real SQLite store: versioned reads and conditional writes
// scoped to the tenant, their errors, the call context on and off a hook's
// thread, and decline outside an entry point.
#include "core/plugin_host/host_callbacks.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/plugin_host/call_context.h"
#include "core/plugin_host/plugin.h"
#include "core/store/sqlite_store.h"
#include "gtest/gtest.h"
#include "retain/plugin/v1/abi.pb.h"

namespace retain::plugin_host {
namespace {

retain_str Str(const std::string& s) { return {s.data(), s.size()}; }

class HostCallbacksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "/host_callbacks_test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto store = store::SqliteStore::Open(dir + "/retain.db",
                                          store::Durability::kNormal);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    env_.store = store_.get();
    env_.clock = [] { return absl::Now(); };
    plugin_.loaded.name = "plug";
    plugin_.env = &env_;
    plugin_.EnableCallbacks(true);
  }

  // Calls an rpc callback; the response or error message goes to *out.
  int32_t Rpc(retain_host_callback_rpc fn, const std::string& tenant,
              const google::protobuf::Message& request, std::string* out) {
    out->clear();
    retain_sink sink{out, &AppendToString};
    return fn(&plugin_, Str(tenant), Str(request.SerializeAsString()), &sink);
  }

  plugin::v1::KvReadResponse Read(const std::string& tenant,
                                  const std::vector<std::string>& keys,
                                  const std::string& prefix = "") {
    plugin::v1::KvReadRequest req;
    for (const auto& k : keys) req.add_keys(k);
    if (!prefix.empty()) req.mutable_scan()->set_prefix(prefix);
    std::string out;
    EXPECT_EQ(Rpc(api_->retain_host_callback_kv_read, tenant, req, &out), 0)
        << out;
    plugin::v1::KvReadResponse resp;
    EXPECT_TRUE(resp.ParseFromString(out));
    return resp;
  }

  const retain_host_api* api_ = HostApi();
  std::unique_ptr<store::SqliteStore> store_;
  HostEnv env_;
  Plugin plugin_;
};

TEST_F(HostCallbacksTest, VersionedReadAndConditionalWriteStayInTheTenant) {
  plugin::v1::KvApplyIfRequest put;
  auto* pre = put.add_preconditions();
  pre->set_key("a");
  pre->set_version(0);  // must not exist
  auto* op = put.add_ops();
  op->set_key("a");
  op->set_value("1");
  op = put.add_ops();
  op->set_key("s/1");
  op->set_value("x");
  std::string out;
  ASSERT_EQ(Rpc(api_->retain_host_callback_kv_apply_if, "acme", put, &out), 0)
      << out;
  plugin::v1::KvApplyIfResponse applied;
  ASSERT_TRUE(applied.ParseFromString(out));
  EXPECT_GT(applied.version(), 0);
  // The same keys of another tenant are another entry.
  ASSERT_EQ(Rpc(api_->retain_host_callback_kv_apply_if, "beta", put, &out), 0)
      << out;

  auto acme = Read("acme", {"a", "b"}, "s/");
  ASSERT_EQ(acme.values_size(), 2);
  EXPECT_EQ(acme.values(0).key(), "a");
  EXPECT_EQ(acme.values(0).value(), "1");
  EXPECT_EQ(acme.values(0).version(), applied.version());
  EXPECT_EQ(acme.values(1).key(), "b");
  EXPECT_EQ(acme.values(1).version(), 0);  // missing
  ASSERT_EQ(acme.entries_size(), 1);
  EXPECT_EQ(acme.entries(0).key(), "s/1");  // without the tenant prefix
  EXPECT_EQ(acme.entries(0).version(), applied.version());
  EXPECT_GT(Read("beta", {"a"}).values(0).version(), applied.version());

  // The old callbacks see what the new ones wrote.
  plugin::v1::KvGetRequest get;
  get.set_key("a");
  ASSERT_EQ(Rpc(api_->retain_host_callback_kv_get, "acme", get, &out), 0);
  plugin::v1::KvGetResponse got;
  ASSERT_TRUE(got.ParseFromString(out));
  EXPECT_EQ(got.value(), "1");
}

TEST_F(HostCallbacksTest, FailedPreconditionIsAbortedNamingTheKey) {
  plugin::v1::KvApplyIfRequest put;
  auto* op = put.add_ops();
  op->set_key("counter");
  op->set_value("1");
  std::string out;
  ASSERT_EQ(Rpc(api_->retain_host_callback_kv_apply_if, "acme", put, &out), 0);
  const int64_t version = Read("acme", {"counter"}).values(0).version();

  plugin::v1::KvApplyIfRequest stale;
  auto* pre = stale.add_preconditions();
  pre->set_key("counter");
  pre->set_version(version + 100);
  op = stale.add_ops();
  op->set_key("counter");
  op->set_value("2");
  EXPECT_EQ(Rpc(api_->retain_host_callback_kv_apply_if, "acme", stale, &out),
            10);
  EXPECT_EQ(out, "key \"counter\" has version " + std::to_string(version) +
                     "; the precondition wants it at version " +
                     std::to_string(version + 100) + " (nothing written)");
  pre->set_version(0);
  EXPECT_EQ(Rpc(api_->retain_host_callback_kv_apply_if, "acme", stale, &out),
            10);
  EXPECT_NE(out.find("the precondition wants it not to exist"),
            std::string::npos)
      << out;
  auto unchanged = Read("acme", {"counter"});
  EXPECT_EQ(unchanged.values(0).value(), "1");
  EXPECT_EQ(unchanged.values(0).version(), version);

  // Bad input names the field and the rule.
  pre->set_version(-1);
  EXPECT_EQ(Rpc(api_->retain_host_callback_kv_apply_if, "acme", stale, &out),
            3);
  EXPECT_NE(out.find("KvApplyIfRequest.preconditions[0].version must be >= 0"),
            std::string::npos)
      << out;
  plugin::v1::KvReadRequest many;
  for (int i = 0; i < 1001; ++i) many.add_keys("k" + std::to_string(i));
  EXPECT_EQ(Rpc(api_->retain_host_callback_kv_read, "acme", many, &out), 3);
  EXPECT_NE(out.find("KvReadRequest.keys: at most 1000"), std::string::npos)
      << out;
}

TEST_F(HostCallbacksTest, CallContextOnlyOnTheHooksThread) {
  std::string out;
  retain_sink sink{&out, &AppendToString};
  EXPECT_EQ(api_->retain_host_callback_call_context(&plugin_, &sink), 5);
  EXPECT_NE(out.find("no call"), std::string::npos) << out;
  EXPECT_EQ(api_->retain_host_callback_is_cancelled(&plugin_), 0);

  std::atomic<bool> abandoned{false}, client{false};
  const std::string method = "/retain.plugins.plug.v1.S/M";
  HookCall call{&plugin_,         plugin::v1::CallContext::HOOK_CALL,
                &method,          absl::Now() + absl::Hours(1),
                &abandoned,       &client,
                &plugin_.stopping};
  {
    ScopedHookCall in_hook(&call);
    out.clear();
    ASSERT_EQ(api_->retain_host_callback_call_context(&plugin_, &sink), 0);
    plugin::v1::CallContext ctx;
    ASSERT_TRUE(ctx.ParseFromString(out));
    EXPECT_EQ(ctx.hook(), plugin::v1::CallContext::HOOK_CALL);
    EXPECT_EQ(ctx.method(), method);
    EXPECT_EQ(ctx.deadline_micros(), absl::ToUnixMicros(call.deadline));
    EXPECT_FALSE(ctx.cancelled());
    EXPECT_EQ(api_->retain_host_callback_is_cancelled(&plugin_), 0);
    // Another plugin's context is not this one's.
    Plugin other;
    EXPECT_EQ(api_->retain_host_callback_call_context(&other, &sink), 5);
    client = true;
    EXPECT_EQ(api_->retain_host_callback_is_cancelled(&plugin_), 1);
  }
  EXPECT_EQ(api_->retain_host_callback_is_cancelled(&plugin_), 0);
}

TEST_F(HostCallbacksTest, DeclineOnlyFromAnEntryPoint) {
  const std::string why = "not now";
  EXPECT_EQ(api_->retain_host_callback_decline(nullptr, Str(why)), 9);
}

}  // namespace
}  // namespace retain::plugin_host
