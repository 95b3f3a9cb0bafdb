// Per-tenant keys in a plugin's KV namespace, over a real SQLite store.
#include "core/plugin_host/kv_keys.h"

#include <filesystem>

#include "core/store/sqlite_store.h"
#include "gtest/gtest.h"

namespace retain::plugin_host {
namespace {

TEST(KvKeysTest, KeysRoundTripAndNeverCollideAcrossTenants) {
  EXPECT_EQ(TenantKey("acme", "plan/a1"), "4:acmeplan/a1");
  EXPECT_EQ(PluginKey("acme", "4:acmeplan/a1"), "plan/a1");
  // "ab"+"c..." and "a"+"bc..." stay apart.
  EXPECT_NE(TenantKey("ab", "c"), TenantKey("a", "bc"));
}

TEST(KvKeysTest, TenantsInListsEachTenantOnce) {
  std::string dir = ::testing::TempDir() + "/kv_keys_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store =
      store::SqliteStore::Open(dir + "/retain.db", store::Durability::kNormal);
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<store::KvOp> ops;
  for (const char* tenant : {"zeta", "acme", "a", "acme2"}) {
    for (int i = 0; i < 3; ++i) {
      ops.push_back({TenantKey(tenant, "k" + std::to_string(i)), "v"});
    }
  }
  ops.push_back({"not-a-tenant-key", "v"});
  ASSERT_TRUE((*store)->KvApply("notes", ops).ok());
  auto tenants = TenantsIn(**store, "notes");
  ASSERT_TRUE(tenants.ok()) << tenants.status();
  EXPECT_EQ(*tenants, (std::vector<std::string>{"a", "acme", "acme2", "zeta"}));
  auto none = TenantsIn(**store, "empty");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace retain::plugin_host
