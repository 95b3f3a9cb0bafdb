// The host's services as a plugin sees them (Plugin::host()): its
// key-value store, accounts, signal history and health, emitting signals and
// alerts, logging and the clock. Every call names the tenant it acts for.
//
// Thread-safe: call it from any hook, concurrently, and from threads the
// plugin owns, between Init and the plugin's destruction. A call that
// fails returns the host's status (e.g. NOT_FOUND, INVALID_ARGUMENT naming
// the field); UNIMPLEMENTED means the host is too old for that callback
// (a plugin that cannot do without one says so up front:
// Plugin::kRequiredHostFeatures).
//
// Concurrent writers (ABI 1.2): instead of a lock held across KV reads and
// writes, Update reads with versions and writes only if nothing it read
// changed meanwhile, retrying when something did (kv_update.h).
#ifndef RETAIN_SDK_HOST_H_
#define RETAIN_SDK_HOST_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "retain/sdk/detail/abi_bridge.h"
#include "retain/sdk/detail/codec.h"
#include "retain/sdk/kv_update.h"
#include "retain/sdk/status.h"
#include "retain/sdk/types.h"
#include "retain/sdk/wire.h"
#include "retain_account_name.h"
#include "retain_plugin_abi.h"

namespace retain::sdk {

class Host {
 public:
  Host() = default;
  Host(const retain_host_api* api, void* ctx) : api_(api), ctx_(ctx) {}

  void Log(int32_t level, std::string_view message) const {
    if (Has(offsetof(retain_host_api, retain_host_callback_log) +
            sizeof(void*)) &&
        api_->retain_host_callback_log)
      api_->retain_host_callback_log(ctx_, level, internal::Str(message));
  }
  void Info(std::string_view m) const { Log(RETAIN_LOG_INFO, m); }
  void Warning(std::string_view m) const { Log(RETAIN_LOG_WARNING, m); }
  void Error(std::string_view m) const { Log(RETAIN_LOG_ERROR, m); }

  // Microseconds since the Unix epoch, from the host clock.
  int64_t NowMicros() const {
    if (api_ &&
        Has(offsetof(retain_host_api, retain_host_callback_now_micros) +
            sizeof(void*)) &&
        api_->retain_host_callback_now_micros)
      return api_->retain_host_callback_now_micros(ctx_);
    return 0;
  }

  // --- Key-value store (this plugin's namespace, per tenant).
  Result<std::optional<std::string>> KvGet(const std::string& tenant,
                                           const std::string& key) const {
    wire::Writer w;
    w.String(1, key);
    auto r = Rpc(Slot(&retain_host_api::retain_host_callback_kv_get), tenant,
                 w.data());
    if (!r.ok()) return r.status();
    wire::Reader rd(*r);
    bool found = false;
    std::string value;
    while (rd.Next()) {
      if (rd.field() == 1) found = rd.AsBool();
      if (rd.field() == 2) value = rd.AsString();
    }
    if (!rd.ok()) return Internal("malformed KvGetResponse");
    if (!found) return std::optional<std::string>();
    return std::optional<std::string>(std::move(value));
  }
  // Applies every op or none, in order (a later op on a key wins).
  Status KvApply(const std::string& tenant,
                 const std::vector<KvOp>& ops) const {
    wire::Writer w;
    for (const auto& op : ops) w.Bytes(1, codec::EncodeKvOp(op));
    return Rpc(Slot(&retain_host_api::retain_host_callback_kv_apply), tenant,
               w.data())
        .status();
  }
  Status KvPut(const std::string& tenant, const std::string& key,
               std::string value) const {
    return KvApply(tenant, {{key, std::move(value)}});
  }
  // Keys starting with prefix and > start_after, in key order: at most
  // `limit` of them (1-1000; 0 or less means 100, more means 1000). A page
  // shorter than the limit is the last one.
  Result<std::vector<KvEntry>> KvScan(const std::string& tenant,
                                      const std::string& prefix,
                                      const std::string& start_after = "",
                                      int32_t limit = 1000) const {
    wire::Writer w;
    w.String(1, prefix);
    w.String(2, start_after);
    w.Int(3, limit);
    auto r = Rpc(Slot(&retain_host_api::retain_host_callback_kv_scan), tenant,
                 w.data());
    if (!r.ok()) return r.status();
    std::vector<KvEntry> out;
    wire::Reader rd(*r);
    while (rd.Next()) {
      if (rd.field() != 1) continue;
      KvEntry e;
      wire::Reader er(rd.AsBytes());
      while (er.Next()) {
        if (er.field() == 1) e.key = er.AsString();
        if (er.field() == 2) e.value = er.AsString();
      }
      out.push_back(std::move(e));
    }
    if (!rd.ok()) return Internal("malformed KvScanResponse");
    return out;
  }
  // Every entry under prefix, paging through KvScan.
  Result<std::vector<KvEntry>> KvScanAll(const std::string& tenant,
                                         const std::string& prefix) const {
    std::vector<KvEntry> all;
    std::string after;
    for (;;) {
      auto page = KvScan(tenant, prefix, after, 1000);
      if (!page.ok()) return page.status();
      for (auto& e : *page) all.push_back(std::move(e));
      if (page->size() < 1000) return all;
      after = all.back().key;
    }
  }

  // --- Versioned key-value access (ABI 1.2; an older host answers
  // UNIMPLEMENTED). Every entry has a version: the number of the store
  // commit that wrote it, never reused for a key; 0 means "no such key".

  // `keys` (at most 1000) and, when given, a prefix scan (KvScan's rules),
  // all of it from one snapshot of the store: never half of a batch.
  Result<KvSnapshot> KvRead(
      const std::string& tenant, const std::vector<std::string>& keys,
      const std::optional<KvRange>& range = std::nullopt) const {
    auto fn = Slot(&retain_host_api::retain_host_callback_kv_read);
    if (fn == nullptr) return TooOld("retain_host_callback_kv_read", "1.2");
    auto r = Rpc(fn, tenant, codec::EncodeKvRead(keys, range));
    if (!r.ok()) return r.status();
    KvSnapshot snap;
    if (!codec::DecodeKvSnapshot(*r, &snap)) {
      return Internal("malformed KvReadResponse");
    }
    return snap;
  }
  // Applies `ops` (all or none, in order) only if every precondition holds
  // when the batch commits: the version the written keys now have (0 when
  // `ops` is empty: the preconditions are checked, nothing is written).
  // ABORTED when one does not hold (another writer came first; nothing is
  // written, the message names the key): read again and retry, or let
  // Update do it.
  Result<int64_t> KvApplyIf(
      const std::string& tenant, const std::vector<KvOp>& ops,
      const std::vector<KvPrecondition>& preconditions) const {
    auto fn = Slot(&retain_host_api::retain_host_callback_kv_apply_if);
    if (fn == nullptr) {
      return TooOld("retain_host_callback_kv_apply_if", "1.2");
    }
    auto r = Rpc(fn, tenant, codec::EncodeKvApplyIf(ops, preconditions));
    if (!r.ok()) return r.status();
    int64_t version = 0;
    wire::Reader rd(*r);
    while (rd.Next()) {
      if (rd.field() == 1) version = rd.AsInt64();
    }
    if (!rd.ok()) return Internal("malformed KvApplyIfResponse");
    return version;
  }

  // Read-modify-write by compare-and-set: reads `keys` (one snapshot, with
  // versions), calls fn(KvUpdate&) to compute the writes (update.Get, Put,
  // Delete; kv_update.h), and applies them only if no key the attempt read
  // changed meanwhile. When one did (another writer came first) it runs
  // the attempt again on fresh reads, at most `max_attempts` times.
  //   Status s = host().Update(tenant, {"count"}, [](KvUpdate& u) {
  //     auto n = u.Get("count");
  //     if (!n.ok()) return n.status();
  //     u.Put("count", std::to_string((*n ? std::stoll(**n) : 0) + 1));
  //     return Status();
  //   });
  // fn may run more than once: keep side effects (alerts, signals, logs)
  // out of it, and do them once Update returned OK; copy results out of it
  // on each run (the last run is the one that committed). Returns fn's own
  // status when not OK (nothing written), the write's error, ABORTED when
  // every attempt met a conflict, or, between attempts, the hook's
  // cancellation (DEADLINE_EXCEEDED or CANCELLED: nobody waits for it).
  template <typename F>
  Status Update(const std::string& tenant, const std::vector<std::string>& keys,
                F&& fn, int max_attempts = kUpdateAttempts) const {
    Status conflict;
    for (int attempt = 1; attempt <= max_attempts; ++attempt) {
      if (attempt > 1) {
        if (Status c = CancelledStatus(); !c.ok()) return c;
        std::this_thread::yield();  // let the writer that won finish
      }
      KvUpdate update(
          [this, &tenant](const std::vector<std::string>& more) {
            return KvRead(tenant, more);
          },
          attempt);
      if (Status s = update.Read(keys); !s.ok()) return s;
      if (Status s = fn(update); !s.ok()) return s;
      // Nothing to write: what fn decided on holds if it read one moment.
      if (update.ops().empty() && update.snapshots() <= 1) return Status();
      auto written = KvApplyIf(tenant, update.ops(), update.preconditions());
      if (written.ok()) return Status();
      if (written.status().code() != Code::kAborted) return written.status();
      conflict = written.status();
    }
    return Status(Code::kAborted,
                  "gave up after " + std::to_string(max_attempts) +
                      " conflicting attempts, last: " + conflict.message());
  }
  static constexpr int kUpdateAttempts = 100;

  // --- The hook running on the calling thread (ABI 1.2).

  // Which hook, its deadline, whether and why it is cancelled. NOT_FOUND on
  // a thread that runs no hook (one the plugin owns, or during Init);
  // UNIMPLEMENTED on an older host.
  Result<sdk::CallContext> CallContext() const {
    auto fn = Slot(&retain_host_api::retain_host_callback_call_context);
    if (fn == nullptr) {
      return TooOld("retain_host_callback_call_context", "1.2");
    }
    std::string out;
    retain_sink sink = internal::StringSink(&out);
    const int32_t code = fn(ctx_, &sink);
    if (code != 0) return Status(static_cast<Code>(code), out);
    sdk::CallContext c;
    if (!codec::DecodeCallContext(out, &c)) {
      return Internal("malformed CallContext");
    }
    return c;
  }
  // True once the hook on the calling thread is cancelled: its deadline
  // passed (the host has answered without it), the client cancelled, or
  // the server is stopping. Stop soon: what the hook returns is dropped.
  // No allocation, no lock: cheap enough for a loop. False outside a hook
  // and on an older host.
  bool Cancelled() const {
    auto fn = Slot(&retain_host_api::retain_host_callback_is_cancelled);
    return fn != nullptr && fn(ctx_) != 0;
  }

  // --- Who called, and calling other plugins (ABI 1.4).

  // Who called the method the calling thread serves: tenant, role, how
  // the host authenticated them (key id and name, or certificate subject)
  // and the plugins a plugin-to-plugin call came through. NOT_FOUND in a
  // hook nobody called (OnSignal, OnTick, OnHealthEvent, ReportSection,
  // AccountHealthComponent), on a thread that runs no hook, and during
  // Init; UNIMPLEMENTED on a host older than 1.4.
  Result<sdk::Caller> Caller() const {
    if (api_ == nullptr || api_->abi_minor < 4) {
      return TooOld("the caller in retain_host_callback_call_context", "1.4");
    }
    auto c = CallContext();
    if (!c.ok()) return c.status();
    if (!c->caller) {
      return Status(Code::kNotFound,
                    "no caller: this hook was not called by anyone (signals, "
                    "ticks, health events, report sections and health "
                    "components run for the server itself)");
    }
    return *std::move(c->caller);
  }

  // Runs another plugin's method (full name "/retain.plugins.<p>.v1.<S>/
  // <M>") for `tenant` and waits for its serialized response, or its
  // status as is. From a method handler `tenant` must be the call's, and
  // the target is authorized as the caller (a plugin never gains a role
  // its caller lacks) under the caller's deadline; from a background hook
  // it runs as a reader of `tenant` (Get/List/Watch methods only). Errors
  // of the host's own: NOT_FOUND (no such plugin loaded), UNIMPLEMENTED (it
  // serves no such method, or the host is older than 1.4),
  // PERMISSION_DENIED, RESOURCE_EXHAUSTED (more than 4 nested plugin
  // calls), FAILED_PRECONDITION (on a thread that runs no hook).
  Result<std::string> CallPlugin(const std::string& tenant,
                                 std::string_view plugin,
                                 std::string_view method,
                                 std::string_view request) const {
    auto fn = Slot(&retain_host_api::retain_host_callback_call_plugin);
    if (fn == nullptr) return TooOld("retain_host_callback_call_plugin", "1.4");
    return Rpc(fn, tenant, codec::EncodeCallPlugin(plugin, method, request));
  }
  // The same with protobuf messages (needs the protobuf runtime and the
  // target's generated code, e.g. built from the proto it publishes):
  //   auto plan = host().CallPlugin<onboarding::v1::Plan>(
  //       call.tenant, "onboarding", kGetPlan, request);
  template <typename Response, typename Request>
  Result<Response> CallPlugin(const std::string& tenant,
                              std::string_view plugin, std::string_view method,
                              const Request& request) const {
    auto out = CallPlugin(tenant, plugin, method,
                          std::string_view(request.SerializeAsString()));
    if (!out.ok()) return out.status();
    Response response;
    if (!response.ParseFromString(*out)) {
      return Internal("malformed response from " + std::string(method));
    }
    return response;
  }

  // --- Accounts, signals, health (read-only views of the server's model).
  Result<Account> GetAccount(const std::string& tenant,
                             const std::string& account_id) const {
    wire::Writer w;
    w.String(1, names::AccountName(account_id));
    auto r = Rpc(Slot(&retain_host_api::retain_host_callback_get_account),
                 tenant, w.data());
    if (!r.ok()) return r.status();
    Account a;
    if (!codec::DecodeAccount(*r, &a)) return Internal("malformed Account");
    return a;
  }
  // One page of accounts (page_size <= 1000); next_page_token in *next.
  Result<std::vector<Account>> ListAccounts(const std::string& tenant,
                                            int32_t page_size = 1000,
                                            const std::string& page_token = "",
                                            std::string* next = nullptr) const {
    wire::Writer w;
    w.Int(1, page_size);
    w.String(2, page_token);
    auto r = Rpc(Slot(&retain_host_api::retain_host_callback_list_accounts),
                 tenant, w.data());
    if (!r.ok()) return r.status();
    std::vector<Account> out;
    wire::Reader rd(*r);
    while (rd.Next()) {
      if (rd.field() == 1) {
        Account a;
        if (!codec::DecodeAccount(rd.AsBytes(), &a))
          return Internal("malformed Account");
        out.push_back(std::move(a));
      }
      if (rd.field() == 2 && next) *next = rd.AsString();
    }
    if (!rd.ok()) return Internal("malformed ListAccountsResponse");
    return out;
  }
  // An account's signals in time order; kind kUnspecified = every kind;
  // [start, end) in micros, 0 = unbounded; at most `limit` (<= 1000).
  Result<std::vector<Signal>> ListSignals(
      const std::string& tenant, const std::string& account_id,
      SignalKind kind = SignalKind::kUnspecified, int64_t start_micros = 0,
      int64_t end_micros = 0, int32_t limit = 1000) const {
    wire::Writer w;
    w.String(1, names::AccountName(account_id));
    w.Int(2, static_cast<int32_t>(kind));
    w.TimestampMicros(3, start_micros);
    w.TimestampMicros(4, end_micros);
    w.Int(5, limit);
    auto r = Rpc(Slot(&retain_host_api::retain_host_callback_list_signals),
                 tenant, w.data());
    if (!r.ok()) return r.status();
    std::vector<Signal> out;
    wire::Reader rd(*r);
    while (rd.Next()) {
      if (rd.field() != 1) continue;
      Signal s;
      if (!codec::DecodeSignal(rd.AsBytes(), &s))
        return Internal("malformed Signal");
      s.tenant = tenant;
      out.push_back(std::move(s));
    }
    if (!rd.ok()) return Internal("malformed ListSignalsResponse");
    return out;
  }
  // The account's health from the core components (no plugin components).
  Result<Health> GetHealth(const std::string& tenant,
                           const std::string& account_id) const {
    wire::Writer w;
    w.String(1, names::AccountName(account_id));
    auto r = Rpc(Slot(&retain_host_api::retain_host_callback_get_health),
                 tenant, w.data());
    if (!r.ok()) return r.status();
    Health h;
    if (!codec::DecodeHealth(*r, &h))
      return Internal("malformed AccountHealth");
    return h;
  }

  // The account's profile and its explained health with every plugin's
  // component but this plugin's own (ABI 1.3; an older host answers
  // UNIMPLEMENTED), as of `as_of_micros` (0: now). NOT_FOUND for an
  // unknown account.
  Result<AccountHealth> GetAccountHealth(const std::string& tenant,
                                         const std::string& account_id,
                                         int64_t as_of_micros = 0) const {
    auto fn = Slot(&retain_host_api::retain_host_callback_get_account_health);
    if (fn == nullptr) {
      return TooOld("retain_host_callback_get_account_health", "1.3");
    }
    wire::Writer w;
    w.String(1, account_id);
    w.Int(2, as_of_micros);
    auto r = Rpc(fn, tenant, w.data());
    if (!r.ok()) return r.status();
    AccountHealth out;
    if (!codec::DecodeAccountHealth(*r, &out)) {
      return Internal("malformed GetAccountHealthResponse");
    }
    return out;
  }

  // --- Emitting. Signals go through normal ingestion and are durable when
  // this returns OK. Choose deterministic signal_ids: a replay is a no-op.
  Status RecordSignals(const std::string& tenant,
                       const std::vector<Signal>& signals) const {
    wire::Writer w;
    for (const auto& s : signals) w.Bytes(1, codec::EncodeSignal(s));
    return Rpc(Slot(&retain_host_api::retain_host_callback_record_signals),
               tenant, w.data())
        .status();
  }
  Status PublishAlert(const std::string& tenant, const std::string& account_id,
                      const std::string& code, const std::string& message,
                      AlertSeverity severity = AlertSeverity::kWarning) const {
    wire::Writer w;
    w.String(1, account_id);
    w.String(2, code);
    w.String(3, message);
    w.Int(4, static_cast<int32_t>(severity));
    return Rpc(Slot(&retain_host_api::retain_host_callback_publish_alert),
               tenant, w.data())
        .status();
  }

  // Tenants for which this plugin has KV state, in order (ABI 1.1; an
  // older host answers UNIMPLEMENTED). What OnTick walks: a plugin's
  // state is per tenant, a tick is not.
  Result<std::vector<std::string>> ListTenants() const {
    auto r =
        Rpc(Slot(&retain_host_api::retain_host_callback_list_tenants), "", "");
    if (!r.ok()) return r.status();
    std::vector<std::string> out;
    wire::Reader rd(*r);
    while (rd.Next()) {
      if (rd.field() == 1) out.push_back(rd.AsString());
    }
    if (!rd.ok()) return Internal("malformed ListTenantsResponse");
    return out;
  }

  // Low level: calls a host rpc callback (NULL -> UNIMPLEMENTED).
  Result<std::string> Rpc(retain_host_callback_rpc fn,
                          const std::string& tenant,
                          std::string_view request) const {
    if (fn == nullptr) {
      return Status(Code::kUnimplemented,
                    "the host does not offer this callback");
    }
    std::string out;
    retain_sink sink = internal::StringSink(&out);
    int32_t code =
        fn(ctx_, internal::Str(tenant), internal::Str(request), &sink);
    if (code != 0) return Status(static_cast<Code>(code), out);
    return out;
  }

 private:
  bool Has(size_t end_offset) const {
    return api_ != nullptr && api_->struct_size >= end_offset;
  }
  // The callback in `member`, or NULL when the host's table is too old.
  template <typename Fn>
  Fn Slot(Fn retain_host_api::*member) const {
    if (api_ == nullptr) return nullptr;
    const char* base = reinterpret_cast<const char*>(api_);
    const char* field = reinterpret_cast<const char*>(&(api_->*member));
    if (static_cast<size_t>(field - base) + sizeof(Fn) > api_->struct_size)
      return nullptr;
    return api_->*member;
  }
  Status TooOld(const char* callback, const char* since) const {
    std::string host = "this host";
    if (api_ != nullptr) {
      host += " (plugin ABI " + std::to_string(api_->abi_major) + "." +
              std::to_string(api_->abi_minor) + ")";
    }
    return Status(Code::kUnimplemented, host + " does not offer " + callback +
                                            " (ABI " + since + ")");
  }
  // The hook's cancellation as a status; OK when it is not cancelled.
  Status CancelledStatus() const {
    if (!Cancelled()) return Status();
    auto c = CallContext();
    const bool late =
        c.ok() &&
        c->cancel_reason == sdk::CallContext::CancelReason::kDeadlineExceeded;
    return Status(
        late ? Code::kDeadlineExceeded : Code::kCancelled,
        late ? "the hook's deadline passed" : "the hook was cancelled");
  }

  const retain_host_api* api_ = nullptr;
  void* ctx_ = nullptr;
};

}  // namespace retain::sdk

#endif  // RETAIN_SDK_HOST_H_
