// Not part of the plugin API: the glue between the C ABI and a Plugin
// subclass, which RETAIN_PLUGIN instantiates. Every hook catches every
// exception. Included by retain/sdk/plugin.h, after Plugin.
#ifndef RETAIN_SDK_DETAIL_GLUE_H_
#define RETAIN_SDK_DETAIL_GLUE_H_

#ifndef RETAIN_SDK_PLUGIN_H_
#error "include retain/sdk/plugin.h (or retain_plugin.h), not this file"
#endif

#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <string_view>

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
                std::string(internal::View(method)), internal::View(request)};
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
    };
    return &module;
  }
};

}  // namespace retain::sdk

#endif  // RETAIN_SDK_DETAIL_GLUE_H_
