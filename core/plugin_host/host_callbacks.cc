#include "core/plugin_host/host_callbacks.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/names.h"
#include "core/common/log.h"
#include "core/plugin_host/call_context.h"
#include "core/plugin_host/kv_keys.h"
#include "core/plugin_host/loader.h"
#include "core/plugin_host/plugin.h"
#include "grpcpp/support/status_code_enum.h"

namespace retain::plugin_host {
namespace {

std::string ToString(retain_str s) {
  return s.size ? std::string(s.data, s.size) : std::string();
}

int32_t Write(retain_sink* out, int32_t code, const std::string& s) {
  if (out != nullptr && !s.empty()) out->write(out->ctx, s.data(), s.size());
  return code;
}
int32_t Write(retain_sink* out, const absl::Status& st) {
  return Write(out, static_cast<int32_t>(st.code()), std::string(st.message()));
}
int32_t Invalid(retain_sink* out, const char* what) {
  return Write(out, static_cast<int32_t>(grpc::StatusCode::INVALID_ARGUMENT),
               absl::StrCat("malformed ", what));
}

// Runs fn(plugin) while the plugin's callbacks are enabled.
template <typename F>
int32_t Guarded(void* ctx, retain_sink* out, F fn) {
  auto* p = static_cast<Plugin*>(ctx);
  absl::ReaderMutexLock lock(&p->callbacks_mu);
  if (!p->callbacks_enabled) {
    return Write(out, static_cast<int32_t>(grpc::StatusCode::UNAVAILABLE),
                 "the plugin host is not serving this plugin");
  }
  try {
    return fn(p);
  } catch (const std::exception& e) {
    return Write(out, static_cast<int32_t>(grpc::StatusCode::INTERNAL),
                 absl::StrCat("host callback failed: ", e.what()));
  }
}

// A callback that answers one request message with one response message.
template <typename Request, typename F>
int32_t Answer(void* ctx, retain_str request, retain_sink* out,
               const char* request_name, F call) {
  return Guarded(ctx, out, [&](Plugin* p) {
    Request req;
    if (!req.ParseFromArray(request.data, request.size)) {
      return Invalid(out, request_name);
    }
    auto r = call(p, req);
    if (!r.ok()) return Write(out, r.status());
    return Write(out, 0, r->SerializeAsString());
  });
}

void LogCb(void* ctx, int32_t level, retain_str message) {
  auto* p = static_cast<Plugin*>(ctx);
  static const char* kLevels[] = {"debug", "info", "warn", "error"};
  const char* l = (level >= 0 && level <= 3) ? kLevels[level] : "info";
  // A library refused before its name was accepted (on_refused) is
  // known by its file.
  common::Log(l, ToString(message),
              {{"plugin", p->name().empty() ? p->path : p->name()}});
}

int64_t NowCb(void* ctx) {
  return absl::ToUnixMicros(static_cast<Plugin*>(ctx)->env->clock());
}

int32_t KvGet(void* ctx, retain_str tenant, retain_str request,
              retain_sink* out) {
  return Answer<plugin::v1::KvGetRequest>(
      ctx, request, out, "KvGetRequest",
      [&](Plugin* p, const plugin::v1::KvGetRequest& req)
          -> absl::StatusOr<plugin::v1::KvGetResponse> {
        auto v = p->env->store->KvGet(p->name(),
                                      TenantKey(ToString(tenant), req.key()));
        if (!v.ok()) return v.status();
        plugin::v1::KvGetResponse resp;
        if (v->has_value()) {
          resp.set_found(true);
          resp.set_value(**v);
        }
        return resp;
      });
}

int32_t KvApply(void* ctx, retain_str tenant, retain_str request,
                retain_sink* out) {
  return Guarded(ctx, out, [&](Plugin* p) {
    plugin::v1::KvBatch batch;
    if (!batch.ParseFromArray(request.data, request.size)) {
      return Invalid(out, "KvBatch");
    }
    std::string t = ToString(tenant);
    std::vector<store::KvOp> ops;
    for (const auto& op : batch.ops()) {
      store::KvOp o;
      o.key = TenantKey(t, op.key());
      if (!op.delete_()) o.value = op.value();
      ops.push_back(std::move(o));
    }
    return Write(out, p->env->store->KvApply(p->name(), ops));
  });
}

int32_t KvScan(void* ctx, retain_str tenant, retain_str request,
               retain_sink* out) {
  return Answer<plugin::v1::KvScanRequest>(
      ctx, request, out, "KvScanRequest",
      [&](Plugin* p, const plugin::v1::KvScanRequest& req)
          -> absl::StatusOr<plugin::v1::KvScanResponse> {
        std::string t = ToString(tenant);
        int limit = req.limit() <= 0 ? 100 : std::min(req.limit(), 1000);
        std::string start_after =
            req.start_after().empty() ? "" : TenantKey(t, req.start_after());
        auto rows = p->env->store->KvScan(p->name(), TenantKey(t, req.prefix()),
                                          start_after, limit);
        if (!rows.ok()) return rows.status();
        plugin::v1::KvScanResponse resp;
        for (auto& [k, v] : *rows) {
          auto* e = resp.add_entries();
          e->set_key(PluginKey(t, k));
          e->set_value(std::move(v));
        }
        return resp;
      });
}

constexpr int kMaxReadKeys = 1000;

int32_t KvRead(void* ctx, retain_str tenant, retain_str request,
               retain_sink* out) {
  return Answer<plugin::v1::KvReadRequest>(
      ctx, request, out, "KvReadRequest",
      [&](Plugin* p, const plugin::v1::KvReadRequest& req)
          -> absl::StatusOr<plugin::v1::KvReadResponse> {
        if (req.keys_size() > kMaxReadKeys) {
          return absl::InvalidArgumentError(
              absl::StrCat("KvReadRequest.keys: at most ", kMaxReadKeys,
                           " keys per read, got ", req.keys_size()));
        }
        std::string t = ToString(tenant);
        std::vector<std::string> keys;
        keys.reserve(req.keys_size());
        for (const auto& k : req.keys()) keys.push_back(TenantKey(t, k));
        std::optional<store::KvRange> range;
        if (req.has_scan()) {
          const auto& scan = req.scan();
          range = store::KvRange{
              TenantKey(t, scan.prefix()),
              scan.start_after().empty() ? ""
                                         : TenantKey(t, scan.start_after()),
              scan.limit() <= 0 ? 100 : std::min(scan.limit(), 1000)};
        }
        auto snap = p->env->store->KvRead(p->name(), keys, range);
        if (!snap.ok()) return snap.status();
        plugin::v1::KvReadResponse resp;
        for (size_t i = 0; i < snap->values.size(); ++i) {
          auto* e = resp.add_values();
          e->set_key(req.keys(static_cast<int>(i)));
          e->set_value(std::move(snap->values[i].value));
          e->set_version(snap->values[i].version);
        }
        for (auto& entry : snap->range) {
          auto* e = resp.add_entries();
          e->set_key(PluginKey(t, entry.key));
          e->set_value(std::move(entry.value));
          e->set_version(entry.version);
        }
        return resp;
      });
}

int32_t KvApplyIf(void* ctx, retain_str tenant, retain_str request,
                  retain_sink* out) {
  return Answer<plugin::v1::KvApplyIfRequest>(
      ctx, request, out, "KvApplyIfRequest",
      [&](Plugin* p, const plugin::v1::KvApplyIfRequest& req)
          -> absl::StatusOr<plugin::v1::KvApplyIfResponse> {
        std::string t = ToString(tenant);
        std::vector<store::KvPrecondition> preconditions;
        for (int i = 0; i < req.preconditions_size(); ++i) {
          const auto& pre = req.preconditions(i);
          if (pre.version() < 0) {
            return absl::InvalidArgumentError(absl::StrCat(
                "KvApplyIfRequest.preconditions[", i,
                "].version must be >= 0 (0: the key must not exist), got ",
                pre.version()));
          }
          preconditions.push_back({TenantKey(t, pre.key()), pre.version()});
        }
        std::vector<store::KvOp> ops;
        for (const auto& op : req.ops()) {
          store::KvOp o;
          o.key = TenantKey(t, op.key());
          if (!op.delete_()) o.value = op.value();
          ops.push_back(std::move(o));
        }
        store::KvConflict conflict;
        auto version =
            p->env->store->KvApplyIf(p->name(), preconditions, ops, &conflict);
        if (absl::IsAborted(version.status()) &&
            conflict.index < preconditions.size()) {
          const auto& pre = req.preconditions(static_cast<int>(conflict.index));
          auto state = [](int64_t v) {
            return v == 0 ? std::string("does not exist")
                          : absl::StrCat("has version ", v);
          };
          return absl::AbortedError(absl::StrCat(
              "key \"", pre.key(), "\" ", state(conflict.actual_version),
              "; the precondition wants it ",
              pre.version() == 0 ? std::string("not to exist")
                                 : absl::StrCat("at version ", pre.version()),
              " (nothing written)"));
        }
        if (!version.ok()) return version.status();
        plugin::v1::KvApplyIfResponse resp;
        resp.set_version(*version);
        return resp;
      });
}

int32_t CallContextCb(void* ctx, retain_sink* out) {
  auto* p = static_cast<Plugin*>(ctx);
  const HookCall* call = CurrentHookCall(p);
  if (call == nullptr) {
    return Write(out, static_cast<int32_t>(grpc::StatusCode::NOT_FOUND),
                 absl::StrCat("no call: this thread is not running a hook of "
                              "plugin ",
                              p->name(),
                              " (a call context exists only on the thread "
                              "the host runs a hook on)"));
  }
  return Write(out, 0, ToProto(*call, absl::Now()).SerializeAsString());
}

int32_t IsCancelledCb(void* ctx) {
  const HookCall* call = CurrentHookCall(ctx);
  if (call == nullptr) return 0;
  return WhyCancelled(*call, absl::Now()) !=
         plugin::v1::CallContext::CANCEL_REASON_UNSPECIFIED;
}

int32_t GetAccount(void* ctx, retain_str tenant, retain_str request,
                   retain_sink* out) {
  return Answer<account::v1::GetAccountRequest>(
      ctx, request, out, "GetAccountRequest", [&](Plugin* p, const auto& req) {
        return p->env->services->GetAccount(ToString(tenant),
                                            api::AccountIdOf(req.name()));
      });
}

int32_t ListAccounts(void* ctx, retain_str tenant, retain_str request,
                     retain_sink* out) {
  return Answer<account::v1::ListAccountsRequest>(
      ctx, request, out, "ListAccountsRequest",
      [&](Plugin* p, const auto& req) {
        return p->env->services->ListAccounts(ToString(tenant), req);
      });
}

int32_t ListSignals(void* ctx, retain_str tenant, retain_str request,
                    retain_sink* out) {
  return Answer<signal::v1::ListSignalsRequest>(
      ctx, request, out, "ListSignalsRequest", [&](Plugin* p, const auto& req) {
        return p->env->services->ListSignals(ToString(tenant), req);
      });
}

int32_t GetHealth(void* ctx, retain_str tenant, retain_str request,
                  retain_sink* out) {
  return Answer<report::v1::GetAccountHealthRequest>(
      ctx, request, out, "GetAccountHealthRequest",
      [&](Plugin* p, const auto& req) {
        return p->env->services->GetHealth(ToString(tenant),
                                           api::AccountIdOf(req.account()));
      });
}

int32_t GetAccountHealth(void* ctx, retain_str tenant, retain_str request,
                         retain_sink* out) {
  return Answer<plugin::v1::GetAccountHealthRequest>(
      ctx, request, out, "GetAccountHealthRequest",
      [&](Plugin* p, const plugin::v1::GetAccountHealthRequest& req)
          -> absl::StatusOr<plugin::v1::GetAccountHealthResponse> {
        if (req.account_id().empty()) {
          return absl::InvalidArgumentError(
              "GetAccountHealthRequest.account_id: required");
        }
        if (req.as_of_micros() < 0) {
          return absl::InvalidArgumentError(absl::StrCat(
              "GetAccountHealthRequest.as_of_micros must be >= 0 (0: now), "
              "got ",
              req.as_of_micros()));
        }
        const std::string t = ToString(tenant);
        auto account = p->env->services->GetAccount(t, req.account_id());
        if (!account.ok()) return account.status();
        std::optional<absl::Time> as_of;
        if (req.as_of_micros() > 0) {
          as_of = absl::FromUnixMicros(req.as_of_micros());
        }
        // Every plugin's component but the caller's: it is not asked again.
        auto health = p->env->services->GetHealthWithout(t, req.account_id(),
                                                         p->name(), as_of);
        if (!health.ok()) return health.status();
        plugin::v1::GetAccountHealthResponse resp;
        resp.set_account(account->SerializeAsString());
        resp.set_health(health->SerializeAsString());
        return resp;
      });
}

int32_t RecordSignals(void* ctx, retain_str tenant, retain_str request,
                      retain_sink* out) {
  return Guarded(ctx, out, [&](Plugin* p) {
    signal::v1::RecordSignalsRequest req;
    if (!req.ParseFromArray(request.data, request.size)) {
      return Invalid(out, "RecordSignalsRequest");
    }
    std::string t = ToString(tenant);
    std::vector<std::string> accounts;
    for (const auto& s : req.signals()) {
      accounts.push_back(api::AccountIdOf(s.account()));
    }
    std::vector<signal::v1::Signal> signals(req.signals().begin(),
                                            req.signals().end());
    absl::Status s = p->env->services->RecordSignals(t, std::move(signals));
    if (s.ok() && p->env->on_plugin_signals) {
      p->env->on_plugin_signals(p->name(), t, accounts);
    }
    return Write(out, s);
  });
}

int32_t PublishAlert(void* ctx, retain_str tenant, retain_str request,
                     retain_sink* out) {
  return Guarded(ctx, out, [&](Plugin* p) {
    plugin::v1::PluginAlert alert;
    if (!alert.ParseFromArray(request.data, request.size)) {
      return Invalid(out, "PluginAlert");
    }
    alert.set_plugin(p->name());
    return Write(out, p->env->services->PublishAlert(ToString(tenant), alert));
  });
}

int32_t ListTenants(void* ctx, retain_str /*tenant*/, retain_str request,
                    retain_sink* out) {
  return Answer<plugin::v1::ListTenantsRequest>(
      ctx, request, out, "ListTenantsRequest",
      [&](Plugin* p,
          const auto&) -> absl::StatusOr<plugin::v1::ListTenantsResponse> {
        auto tenants = TenantsIn(*p->env->store, p->name());
        if (!tenants.ok()) return tenants.status();
        plugin::v1::ListTenantsResponse resp;
        for (auto& t : *tenants) resp.add_tenants(std::move(t));
        return resp;
      });
}

// Checked under the callbacks gate like every callback, but the target
// runs with the gate released: a target that hangs must not hold up this
// plugin's shutdown.
int32_t CallPluginCb(void* ctx, retain_str tenant, retain_str request,
                     retain_sink* out) {
  auto* p = static_cast<Plugin*>(ctx);
  plugin::v1::CallPluginRequest req;
  int32_t refused = Guarded(ctx, out, [&](Plugin*) {
    if (!req.ParseFromArray(request.data, request.size)) {
      return Invalid(out, "CallPluginRequest");
    }
    if (!p->env->call_plugin) {
      return Write(out, static_cast<int32_t>(grpc::StatusCode::UNIMPLEMENTED),
                   "this host does not run plugin-to-plugin calls");
    }
    return 0;
  });
  if (refused != 0) return refused;
  try {
    Outcome o = p->env->call_plugin(*p, ToString(tenant), req);
    return Write(out, o.code, o.output);
  } catch (const std::exception& e) {
    return Write(out, static_cast<int32_t>(grpc::StatusCode::INTERNAL),
                 absl::StrCat("host callback failed: ", e.what()));
  }
}

const retain_host_api kHostApi = {
    sizeof(retain_host_api),
    RETAIN_PLUGIN_ABI_MAJOR,
    RETAIN_PLUGIN_ABI_MINOR,
    &LogCb,
    &NowCb,
    &KvGet,
    &KvApply,
    &KvScan,
    &GetAccount,
    &ListAccounts,
    &ListSignals,
    &GetHealth,
    &RecordSignals,
    &PublishAlert,
    // ABI 1.1
    &ListTenants,
    // ABI 1.2
    &KvRead,
    &KvApplyIf,
    &CallContextCb,
    &IsCancelledCb,
    &DeclineHost,
    // ABI 1.3
    &GetAccountHealth,
    // ABI 1.4
    &CallPluginCb,
};

}  // namespace

const retain_host_api* HostApi() { return &kHostApi; }

void AppendToString(void* ctx, const char* data, size_t size) {
  static_cast<std::string*>(ctx)->append(data, size);
}

}  // namespace retain::plugin_host
