// Part of the fake host (retain_plugin_testing.h): the retain_host_api
// table a plugin gets, each callback answering from the fake host's world
// (fake_world.h). The per-plugin context is the plugin's PluginSlot. As in
// the server (core/plugin_host/host_callbacks.cc), a callback runs only
// while the plugin's callbacks are enabled (from on_init until it is
// unloaded) and an exception becomes INTERNAL; the exceptions are those of
// the server: call_context and is_cancelled answer about the calling
// thread's hook (hook_runs.h), decline about the entry point running on
// it, and log and now_micros also work while on_refused runs.
#ifndef RETAIN_SDK_TESTING_HOST_TABLE_H_
#define RETAIN_SDK_TESTING_HOST_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <string>

#include "retain/sdk/detail/abi_bridge.h"
#include "retain/sdk/detail/codec.h"
#include "retain/sdk/status.h"
#include "retain/sdk/testing/fake_world.h"
#include "retain/sdk/testing/hook_runs.h"
#include "retain/sdk/testing/plugin_slot.h"
#include "retain/sdk/types.h"
#include "retain_plugin_abi.h"

namespace retain::sdk::testing::detail {

// What the entry point running on this thread said through
// retain_host_callback_decline (core/plugin_host/loader.cc).
struct Decline {
  bool called = false;
  const retain_plugin_module* self = nullptr;
  std::string reason;
};
inline thread_local Decline* current_decline = nullptr;

class ScopedDecline {
 public:
  explicit ScopedDecline(Decline* d) : previous_(current_decline) {
    current_decline = d;
  }
  ~ScopedDecline() { current_decline = previous_; }
  ScopedDecline(const ScopedDecline&) = delete;
  ScopedDecline& operator=(const ScopedDecline&) = delete;

 private:
  Decline* previous_;
};

class HostTable {
 public:
  // The table of a host of ABI 1.<abi_minor>: minor 0 ends before
  // list_tenants, minor 1 before kv_read, minor 2 before
  // get_account_health, minor 3 before call_plugin (and its call context
  // has no caller).
  static retain_host_api Make(uint16_t abi_minor) {
    retain_host_api api{};
    api.struct_size =
        abi_minor >= 4 ? static_cast<uint32_t>(sizeof(retain_host_api))
        : abi_minor == 3
            ? static_cast<uint32_t>(
                  offsetof(retain_host_api, retain_host_callback_call_plugin))
        : abi_minor == 2
            ? static_cast<uint32_t>(offsetof(
                  retain_host_api, retain_host_callback_get_account_health))
        : abi_minor == 1
            ? static_cast<uint32_t>(
                  offsetof(retain_host_api, retain_host_callback_kv_read))
            : static_cast<uint32_t>(
                  offsetof(retain_host_api, retain_host_callback_list_tenants));
    api.abi_major = RETAIN_PLUGIN_ABI_MAJOR;
    api.abi_minor = abi_minor;
    api.retain_host_callback_log = &Log;
    api.retain_host_callback_now_micros = &Now;
    api.retain_host_callback_kv_get = &KvGet;
    api.retain_host_callback_kv_apply = &KvApply;
    api.retain_host_callback_kv_scan = &KvScan;
    api.retain_host_callback_get_account = &GetAccount;
    api.retain_host_callback_list_accounts = &ListAccounts;
    api.retain_host_callback_list_signals = &ListSignals;
    api.retain_host_callback_get_health = &GetHealth;
    api.retain_host_callback_record_signals = &RecordSignals;
    api.retain_host_callback_publish_alert = &PublishAlert;
    if (abi_minor >= 1) api.retain_host_callback_list_tenants = &ListTenants;
    if (abi_minor >= 2) {
      api.retain_host_callback_kv_read = &KvRead;
      api.retain_host_callback_kv_apply_if = &KvApplyIf;
      api.retain_host_callback_call_context = &CallContextCb;
      api.retain_host_callback_is_cancelled = &IsCancelled;
      api.retain_host_callback_decline = &DeclineCb;
    }
    if (abi_minor >= 3) {
      api.retain_host_callback_get_account_health = &GetAccountHealth;
    }
    if (abi_minor >= 4) api.retain_host_callback_call_plugin = &CallPlugin;
    return api;
  }

 private:
  static int32_t Write(retain_sink* out, const Result<std::string>& r) {
    const std::string& bytes = r.ok() ? *r : r.status().message();
    if (out != nullptr && !bytes.empty()) {
      out->write(out->ctx, bytes.data(), bytes.size());
    }
    return static_cast<int32_t>(r.status().code());
  }
  template <typename F>
  static int32_t Serve(void* ctx, retain_sink* out, F answer) {
    PluginSlot& slot = *static_cast<PluginSlot*>(ctx);
    std::lock_guard<std::mutex> lock(slot.world->mu);
    if (!slot.callbacks_enabled()) {
      return Write(out, Status(Code::kUnavailable,
                               "the plugin host is not serving this plugin"));
    }
    try {
      return Write(out, answer(slot.world->world, slot));
    } catch (const std::exception& e) {
      return Write(out,
                   Internal(std::string("host callback failed: ") + e.what()));
    }
  }
  static std::string S(retain_str s) { return std::string(internal::View(s)); }

  static void Log(void* ctx, int32_t level, retain_str message) {
    PluginSlot& slot = *static_cast<PluginSlot*>(ctx);
    std::lock_guard<std::mutex> lock(slot.world->mu);
    slot.world->world.logs().push_back(
        {slot.name, (level >= 0 && level <= 3) ? level : RETAIN_LOG_INFO,
         S(message)});
  }
  static int64_t Now(void* ctx) {
    PluginSlot& slot = *static_cast<PluginSlot*>(ctx);
    std::lock_guard<std::mutex> lock(slot.world->mu);
    return slot.world->world.now();
  }
  static int32_t KvGet(void* ctx, retain_str tenant, retain_str request,
                       retain_sink* out) {
    return Serve(ctx, out, [&](FakeWorld& w, PluginSlot& s) {
      return w.KvGet(s.name, S(tenant), internal::View(request));
    });
  }
  static int32_t KvApply(void* ctx, retain_str tenant, retain_str request,
                         retain_sink* out) {
    return Serve(ctx, out, [&](FakeWorld& w, PluginSlot& s) {
      return w.KvApply(s.name, S(tenant), internal::View(request));
    });
  }
  static int32_t KvScan(void* ctx, retain_str tenant, retain_str request,
                        retain_sink* out) {
    return Serve(ctx, out, [&](FakeWorld& w, PluginSlot& s) {
      return w.KvScan(s.name, S(tenant), internal::View(request));
    });
  }
  static int32_t GetAccount(void* ctx, retain_str tenant, retain_str request,
                            retain_sink* out) {
    return Serve(ctx, out, [&](FakeWorld& w, PluginSlot&) {
      return w.GetAccount(S(tenant), internal::View(request));
    });
  }
  static int32_t ListAccounts(void* ctx, retain_str tenant, retain_str request,
                              retain_sink* out) {
    return Serve(ctx, out, [&](FakeWorld& w, PluginSlot&) {
      return w.ListAccounts(S(tenant), internal::View(request));
    });
  }
  static int32_t ListSignals(void* ctx, retain_str tenant, retain_str request,
                             retain_sink* out) {
    return Serve(ctx, out, [&](FakeWorld& w, PluginSlot&) {
      return w.ListSignals(S(tenant), internal::View(request));
    });
  }
  static int32_t GetHealth(void* ctx, retain_str tenant, retain_str request,
                           retain_sink* out) {
    return Serve(ctx, out, [&](FakeWorld& w, PluginSlot&) {
      return w.GetHealth(S(tenant), internal::View(request));
    });
  }
  static int32_t GetAccountHealth(void* ctx, retain_str tenant,
                                  retain_str request, retain_sink* out) {
    return Serve(ctx, out, [&](FakeWorld& w, PluginSlot& slot) {
      return w.GetAccountHealth(S(tenant), internal::View(request), slot.name);
    });
  }
  static int32_t RecordSignals(void* ctx, retain_str tenant, retain_str request,
                               retain_sink* out) {
    return Serve(ctx, out, [&](FakeWorld& w, PluginSlot&) {
      return w.RecordSignals(S(tenant), internal::View(request));
    });
  }
  static int32_t PublishAlert(void* ctx, retain_str tenant, retain_str request,
                              retain_sink* out) {
    return Serve(ctx, out, [&](FakeWorld& w, PluginSlot& s) {
      return w.PublishAlert(s.name, S(tenant), internal::View(request));
    });
  }
  static int32_t KvRead(void* ctx, retain_str tenant, retain_str request,
                        retain_sink* out) {
    return Serve(ctx, out, [&](FakeWorld& w, PluginSlot& s) {
      return w.KvRead(s.name, S(tenant), internal::View(request));
    });
  }
  static int32_t KvApplyIf(void* ctx, retain_str tenant, retain_str request,
                           retain_sink* out) {
    return Serve(ctx, out, [&](FakeWorld& w, PluginSlot& s) {
      return w.KvApplyIf(s.name, S(tenant), internal::View(request));
    });
  }
  static int32_t CallContextCb(void* ctx, retain_sink* out) {
    const PluginSlot& slot = *static_cast<PluginSlot*>(ctx);
    const HookRun* run = CurrentHookRun(&slot);
    if (run == nullptr) {
      return Write(out, NotFound("no call: this thread is not running a hook "
                                 "of plugin " +
                                 slot.name +
                                 " (a call context exists only on the thread "
                                 "the host runs a hook on)"));
    }
    CallContext c = ContextOf(*run, FakeNow(slot));
    if (slot.world->host_abi_minor < 4) c.caller.reset();
    return Write(out, codec::EncodeCallContext(c));
  }
  // Checked under the world's lock like every callback, run without it:
  // the target calls back into the world.
  static int32_t CallPlugin(void* ctx, retain_str tenant, retain_str request,
                            retain_sink* out) {
    const PluginSlot& slot = *static_cast<PluginSlot*>(ctx);
    {
      std::lock_guard<std::mutex> lock(slot.world->mu);
      if (!slot.callbacks_enabled()) {
        return Write(out, Status(Code::kUnavailable,
                                 "the plugin host is not serving this plugin"));
      }
    }
    try {
      return Write(out, slot.world->call_plugin(slot, S(tenant),
                                                internal::View(request)));
    } catch (const std::exception& e) {
      return Write(out,
                   Internal(std::string("host callback failed: ") + e.what()));
    }
  }
  static int32_t IsCancelled(void* ctx) {
    const PluginSlot& slot = *static_cast<PluginSlot*>(ctx);
    const HookRun* run = CurrentHookRun(&slot);
    if (run == nullptr) return 0;
    return WhyCancelled(*run, FakeNow(slot)) !=
           CallContext::CancelReason::kNone;
  }
  static int32_t DeclineCb(const retain_plugin_module* self,
                           retain_str reason) {
    Decline* d = current_decline;
    if (d == nullptr) return static_cast<int32_t>(Code::kFailedPrecondition);
    d->called = true;
    d->self = self;
    d->reason = S(reason);
    return 0;
  }
  static int32_t ListTenants(void* ctx, retain_str /*tenant*/,
                             retain_str request, retain_sink* out) {
    return Serve(ctx, out, [&](FakeWorld& w, PluginSlot& s) {
      return w.ListTenants(s.name, internal::View(request));
    });
  }
};

}  // namespace retain::sdk::testing::detail

#endif  // RETAIN_SDK_TESTING_HOST_TABLE_H_
