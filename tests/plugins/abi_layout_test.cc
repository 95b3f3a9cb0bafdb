// The ABI's layout, locked (as PostgreSQL's magic block and Envoy's header
// hash do): a plugin built against any 1.x header must find every field
// where the host puts it. Changing an offset or a size below is an ABI
// break; appending a field for the next minor version adds a line here and
// leaves every existing one as it is. The 1.0 tables end where the 1.1
// fields begin (host table at 96 bytes, module at 80), and the 1.1 tables
// where the 1.2 fields begin (104 and 88), and the 1.2 tables where the 1.3
// fields begin (144 and 96), and the 1.3 host table where the 1.4 field
// begins (152; 1.4 appended no hook), which the frozen 1.0, 1.1, 1.2 and
// 1.3 fixtures rely on. Figures are for LP64 (x86-64, aarch64).
#include <cstddef>

#include "gtest/gtest.h"
#include "retain_plugin_abi.h"

namespace {

static_assert(sizeof(void*) == 8, "the locked layout is the LP64 one");
static_assert(sizeof(retain_str) == 16);
static_assert(sizeof(retain_sink) == 16);
static_assert(sizeof(retain_host_api) == 160);
static_assert(offsetof(retain_host_api, struct_size) == 0);
static_assert(offsetof(retain_host_api, abi_major) == 4);
static_assert(offsetof(retain_host_api, abi_minor) == 6);
static_assert(offsetof(retain_host_api, retain_host_callback_log) == 8);
static_assert(offsetof(retain_host_api, retain_host_callback_now_micros) == 16);
static_assert(offsetof(retain_host_api, retain_host_callback_kv_get) == 24);
static_assert(offsetof(retain_host_api, retain_host_callback_kv_apply) == 32);
static_assert(offsetof(retain_host_api, retain_host_callback_kv_scan) == 40);
static_assert(offsetof(retain_host_api, retain_host_callback_get_account) ==
              48);
static_assert(offsetof(retain_host_api, retain_host_callback_list_accounts) ==
              56);
static_assert(offsetof(retain_host_api, retain_host_callback_list_signals) ==
              64);
static_assert(offsetof(retain_host_api, retain_host_callback_get_health) == 72);
static_assert(offsetof(retain_host_api, retain_host_callback_record_signals) ==
              80);
static_assert(offsetof(retain_host_api, retain_host_callback_publish_alert) ==
              88);
static_assert(offsetof(retain_host_api, retain_host_callback_list_tenants) ==
              96);
static_assert(offsetof(retain_host_api, retain_host_callback_kv_read) == 104);
static_assert(offsetof(retain_host_api, retain_host_callback_kv_apply_if) ==
              112);
static_assert(offsetof(retain_host_api, retain_host_callback_call_context) ==
              120);
static_assert(offsetof(retain_host_api, retain_host_callback_is_cancelled) ==
              128);
static_assert(offsetof(retain_host_api, retain_host_callback_decline) == 136);
static_assert(offsetof(retain_host_api,
                       retain_host_callback_get_account_health) == 144);
static_assert(offsetof(retain_host_api, retain_host_callback_call_plugin) ==
              152);
static_assert(sizeof(retain_plugin_module) == 104);
static_assert(offsetof(retain_plugin_module, struct_size) == 0);
static_assert(offsetof(retain_plugin_module, abi_major) == 4);
static_assert(offsetof(retain_plugin_module, abi_minor) == 6);
static_assert(offsetof(retain_plugin_module, name) == 8);
static_assert(offsetof(retain_plugin_module, version) == 16);
static_assert(offsetof(retain_plugin_module, retain_plugin_on_init) == 24);
static_assert(offsetof(retain_plugin_module, retain_plugin_on_destroy) == 32);
static_assert(offsetof(retain_plugin_module, retain_plugin_on_describe) == 40);
static_assert(offsetof(retain_plugin_module, retain_plugin_on_call) == 48);
static_assert(offsetof(retain_plugin_module, retain_plugin_on_signal) == 56);
static_assert(offsetof(retain_plugin_module, retain_plugin_on_report_section) ==
              64);
static_assert(offsetof(retain_plugin_module,
                       retain_plugin_on_health_component) == 72);
static_assert(offsetof(retain_plugin_module, retain_plugin_on_tick) == 80);
static_assert(offsetof(retain_plugin_module, retain_plugin_on_refused) == 88);
static_assert(offsetof(retain_plugin_module, retain_plugin_on_health_event) ==
              96);

TEST(AbiLayoutTest, VersionIsOneDotFour) {
  // A new minor version means new fields, and new lines above.
  EXPECT_EQ(RETAIN_PLUGIN_ABI_MAJOR, 1);
  EXPECT_EQ(RETAIN_PLUGIN_ABI_MINOR, 4);
}

TEST(AbiLayoutTest, HasFieldReadsTheStructSize) {
  retain_plugin_module m{};
  m.struct_size = offsetof(retain_plugin_module, retain_plugin_on_tick);
  EXPECT_FALSE(RETAIN_ABI_HAS_FIELD(&m, retain_plugin_module,
                                    retain_plugin_on_tick));  // a 1.0 module
  m.struct_size = offsetof(retain_plugin_module, retain_plugin_on_refused);
  EXPECT_TRUE(RETAIN_ABI_HAS_FIELD(&m, retain_plugin_module,
                                   retain_plugin_on_tick));  // a 1.1 module
  EXPECT_FALSE(
      RETAIN_ABI_HAS_FIELD(&m, retain_plugin_module, retain_plugin_on_refused));
  m.struct_size = offsetof(retain_plugin_module, retain_plugin_on_health_event);
  EXPECT_TRUE(
      RETAIN_ABI_HAS_FIELD(&m, retain_plugin_module, retain_plugin_on_refused));
  EXPECT_FALSE(RETAIN_ABI_HAS_FIELD(&m, retain_plugin_module,
                                    retain_plugin_on_health_event));  // 1.2
  m.struct_size = sizeof(retain_plugin_module);
  EXPECT_TRUE(RETAIN_ABI_HAS_FIELD(&m, retain_plugin_module,
                                   retain_plugin_on_health_event));
}

}  // namespace
