// Not part of the plugin API: the glue between the C ABI and a Plugin
// subclass, which RETAIN_PLUGIN instantiates. Every hook catches every
// exception. Included by retain/sdk/plugin.h, after Plugin.
#ifndef RETAIN_SDK_DETAIL_GLUE_H_
#define RETAIN_SDK_DETAIL_GLUE_H_

#ifndef RETAIN_SDK_PLUGIN_H_
#error "include retain/sdk/plugin.h (or retain_plugin.h), not this file"
#endif

#include <atomic>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "retain/sdk/detail/abi_bridge.h"
#include "retain/sdk/detail/codec.h"
#include "retain_plugin_abi.h"

namespace retain::sdk {

template <typename T>
struct Glue {
  struct Instance {
    std::unique_ptr<T> plugin;
    std::map<std::string, Handler> handlers;
    std::string descriptor;
  };

  static int32_t Fail(retain_sink* out, std::string_view what) {
    std::string m = "plugin threw: ";
    m.append(what.data(), what.size());
    if (out) out->write(out->ctx, m.data(), m.size());
    return static_cast<int32_t>(Code::kInternal);
  }
  static int32_t Finish(const Status& s, const std::string& payload,
                        retain_sink* out) {
    const std::string& bytes = s.ok() ? payload : s.message();
    if (out && !bytes.empty()) out->write(out->ctx, bytes.data(), bytes.size());
    return static_cast<int32_t>(s.code());
  }

  template <typename F>
  static int32_t Guard(retain_sink* out, F&& f) {
    try {
      return f();
    } catch (const std::exception& e) {
      return Fail(out, e.what());
    } catch (...) {
      return Fail(out, "unknown exception");
    }
  }

  static int32_t OnInit(const retain_host_api* host, void* host_ctx,
                        retain_str config, void** instance, retain_sink* err) {
    return Guard(err, [&]() -> int32_t {
      auto inst = std::make_unique<Instance>();
      inst->plugin = std::make_unique<T>();
      static_cast<Plugin*>(inst->plugin.get())->host_ = Host(host, host_ctx);
      Setup setup(Config::Decode(internal::View(config)));
      Status s = inst->plugin->Init(setup);
      if (!s.ok()) return Finish(s, "", err);
      inst->descriptor = setup.EncodeDescriptor();
      inst->handlers = std::move(setup.handlers());
      *instance = inst.release();
      return 0;
    });
  }
  static void OnDestroy(void* instance) {
    try {
      delete static_cast<Instance*>(instance);
    } catch (...) {
    }
  }
  static int32_t OnDescribe(void* instance, retain_sink* out) {
    return Guard(out, [&]() -> int32_t {
      const auto* inst = static_cast<Instance*>(instance);
      return Finish(Status(), inst->descriptor, out);
    });
  }
  static int32_t OnCall(void* instance, retain_str tenant, retain_str method,
                        retain_str request, retain_sink* out) {
    return Guard(out, [&]() -> int32_t {
      auto* inst = static_cast<Instance*>(instance);
      Call call{std::string(internal::View(tenant)),
                std::string(internal::View(method)), internal::View(request),
                &inst->plugin->host()};
      auto it = inst->handlers.find(call.method);
      if (it == inst->handlers.end()) {
        return Finish(
            Status(Code::kUnimplemented, "no handler for " + call.method), "",
            out);
      }
      std::string response;
      Status s = it->second(call, &response);
      return Finish(s, response, out);
    });
  }
  static int32_t OnSignal(void* instance, retain_str tenant,
                          retain_str account_id, int64_t seq, retain_str signal,
                          retain_sink* err) {
    return Guard(err, [&]() -> int32_t {
      auto* inst = static_cast<Instance*>(instance);
      Signal s;
      if (!codec::DecodeSignal(internal::View(signal), &s)) {
        return Finish(Status(Code::kDataLoss, "malformed signal"), "", err);
      }
      s.seq = seq;
      s.tenant = std::string(internal::View(tenant));
      if (s.account_id.empty())
        s.account_id = std::string(internal::View(account_id));
      return Finish(inst->plugin->OnSignal(s), "", err);
    });
  }
  static int32_t OnReportSection(void* instance, retain_str tenant,
                                 retain_str account_id, retain_sink* out) {
    return Guard(out, [&]() -> int32_t {
      auto* inst = static_cast<Instance*>(instance);
      auto section =
          inst->plugin->ReportSection(std::string(internal::View(tenant)),
                                      std::string(internal::View(account_id)));
      if (!section) return static_cast<int32_t>(Code::kNotFound);
      return Finish(Status(), codec::EncodeSection(*section), out);
    });
  }
  static int32_t OnHealthComponent(void* instance, retain_str tenant,
                                   retain_str account_id, retain_sink* out) {
    return Guard(out, [&]() -> int32_t {
      auto* inst = static_cast<Instance*>(instance);
      auto c = inst->plugin->AccountHealthComponent(
          std::string(internal::View(tenant)),
          std::string(internal::View(account_id)));
      if (!c) return static_cast<int32_t>(Code::kNotFound);
      return Finish(Status(), codec::EncodeComponent(*c), out);
    });
  }

  static int32_t OnTick(void* instance, int64_t now_micros, retain_sink* err) {
    return Guard(err, [&]() -> int32_t {
      auto* inst = static_cast<Instance*>(instance);
      Tick tick;
      tick.now_micros = now_micros;
      return Finish(inst->plugin->OnTick(tick), "", err);
    });
  }

  static int32_t OnHealthEvent(void* instance, retain_str tenant,
                               retain_str account_id, int64_t seq,
                               retain_str event, retain_sink* err) {
    return Guard(err, [&]() -> int32_t {
      auto* inst = static_cast<Instance*>(instance);
      HealthEvent e;
      if (!codec::DecodeHealthEvent(internal::View(event), &e)) {
        return Finish(Status(Code::kDataLoss, "malformed health event"), "",
                      err);
      }
      e.position = seq;
      e.tenant = std::string(internal::View(tenant));
      if (e.account_id.empty()) {
        e.account_id = std::string(internal::View(account_id));
      }
      return Finish(inst->plugin->OnHealthEvent(e), "", err);
    });
  }

  // The entry point (RETAIN_PLUGIN). A host of another major is declined
  // without a word: only the first three fields of its table are known, so
  // its decline callback cannot be found (the host's own log names the
  // plugin's library and says it declined). A host of this major that
  // lacks a required feature is told which, when it can be (ABI 1.2).
  static const retain_plugin_module* Load(const retain_host_api* host,
                                          const char* name,
                                          const char* version) {
    if (host == nullptr || host->abi_major != RETAIN_PLUGIN_ABI_MAJOR) {
      return nullptr;
    }
    const retain_plugin_module* m = Module(name, version);
    const std::string missing = MissingFeatures(host, T::kRequiredHostFeatures);
    if (!missing.empty()) {
      if (RETAIN_ABI_HAS_FIELD(host, retain_host_api,
                               retain_host_callback_decline) &&
          host->retain_host_callback_decline != nullptr) {
        host->retain_host_callback_decline(m, internal::Str(missing));
      }
      return nullptr;
    }
    EntryHost().store(host);
    return m;
  }

  // Why `host` cannot serve a plugin that requires `features`, naming what
  // it lacks; "" when it can.
  static std::string MissingFeatures(const retain_host_api* host,
                                     uint32_t features) {
    std::vector<std::string> lacks;
    auto need = [&](bool present, const char* callback) {
      if (!present) lacks.push_back(callback);
    };
    if (features & host_feature::kListTenants) {
      need(RETAIN_ABI_HAS_FIELD(host, retain_host_api,
                                retain_host_callback_list_tenants) &&
               host->retain_host_callback_list_tenants != nullptr,
           "retain_host_callback_list_tenants (ABI 1.1)");
    }
    if (features & host_feature::kVersionedKv) {
      need(RETAIN_ABI_HAS_FIELD(host, retain_host_api,
                                retain_host_callback_kv_read) &&
               host->retain_host_callback_kv_read != nullptr,
           "retain_host_callback_kv_read (ABI 1.2)");
      need(RETAIN_ABI_HAS_FIELD(host, retain_host_api,
                                retain_host_callback_kv_apply_if) &&
               host->retain_host_callback_kv_apply_if != nullptr,
           "retain_host_callback_kv_apply_if (ABI 1.2)");
    }
    if (features & host_feature::kCallContext) {
      need(RETAIN_ABI_HAS_FIELD(host, retain_host_api,
                                retain_host_callback_call_context) &&
               host->retain_host_callback_call_context != nullptr,
           "retain_host_callback_call_context (ABI 1.2)");
      need(RETAIN_ABI_HAS_FIELD(host, retain_host_api,
                                retain_host_callback_is_cancelled) &&
               host->retain_host_callback_is_cancelled != nullptr,
           "retain_host_callback_is_cancelled (ABI 1.2)");
    }
    if (features & host_feature::kPluginCalls) {
      need(RETAIN_ABI_HAS_FIELD(host, retain_host_api,
                                retain_host_callback_call_plugin) &&
               host->retain_host_callback_call_plugin != nullptr,
           "retain_host_callback_call_plugin (ABI 1.4)");
    }
    if (lacks.empty()) return "";
    std::string why = "needs ";
    for (size_t i = 0; i < lacks.size(); ++i) {
      if (i > 0) why += i + 1 == lacks.size() ? " and " : ", ";
      why += lacks[i];
    }
    return why + "; this host speaks plugin ABI " +
           std::to_string(host->abi_major) + "." +
           std::to_string(host->abi_minor);
  }

  // retain_plugin_on_refused: logs the host's reason, then hands it to
  // T::OnRefused when T overrides it. Only log and now_micros work here,
  // through the table the entry point was given (static, for the life of
  // the process; the hook has no other way to it).
  static void OnRefused(void* host_ctx, retain_str reason) {
    try {
      const Host host(EntryHost().load(), host_ctx);
      const std::string why(internal::View(reason));
      host.Warning("refused by the host: " + why);
      if constexpr (kOverridesOnRefused) {
        auto plugin = std::make_unique<T>();
        static_cast<Plugin*>(plugin.get())->host_ = host;
        plugin->OnRefused(why);
      }
    } catch (...) {
      // Nothing crosses the boundary; nobody is left to tell.
    }
  }
  static constexpr bool kOverridesOnRefused =
      !std::is_same_v<decltype(&T::OnRefused),
                      void (Plugin::*)(const std::string&)>;
  static std::atomic<const retain_host_api*>& EntryHost() {
    static std::atomic<const retain_host_api*> host{nullptr};
    return host;
  }

  static const retain_plugin_module* Module(const char* name,
                                            const char* version) {
    static const retain_plugin_module module = {
        sizeof(retain_plugin_module),
        RETAIN_PLUGIN_ABI_MAJOR,
        RETAIN_PLUGIN_ABI_MINOR,
        name,
        version,
        &OnInit,
        &OnDestroy,
        &OnDescribe,
        &OnCall,
        &OnSignal,
        &OnReportSection,
        &OnHealthComponent,
        &OnTick,
        &OnRefused,
        &OnHealthEvent,
    };
    return &module;
  }
};

}  // namespace retain::sdk

#endif  // RETAIN_SDK_DETAIL_GLUE_H_
