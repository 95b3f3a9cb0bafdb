/*
 * Retain plugin ABI: the whole contract between retaind and a plugin.
 *
 * Pure C, no dependencies beyond <stddef.h>/<stdint.h>. No C++ object,
 * exception or RTTI crosses this boundary; structured data crosses as
 * protobuf-encoded bytes (schemas: proto/retain/plugin/v1/abi.proto and the
 * core protos under proto/retain/). See docs/decisions/0005-plugin-abi.md.
 *
 * Naming says direction (after Envoy's dynamic modules):
 *   retain_plugin_on_*        hooks the PLUGIN implements, the host calls;
 *   retain_host_callback_*    functions the HOST implements, the plugin calls.
 *
 * Versioning (history: 1.0 initial; 1.1 appended retain_plugin_on_tick and
 * retain_host_callback_list_tenants; 1.2 appended versioned key-value
 * access (kv_read, kv_apply_if), the per-call context (call_context,
 * is_cancelled), retain_host_callback_decline and retain_plugin_on_refused;
 * 1.3 appended the health-event feed, retain_plugin_on_health_event, and
 * retain_host_callback_get_account_health; 1.4 appended the caller's
 * identity to the call context and retain_host_callback_call_plugin):
 *   - A plugin exports exactly one symbol, RETAIN_PLUGIN_ENTRY_SYMBOL.
 *   - The host refuses a plugin whose abi_major differs from its own.
 *   - Minor versions only append: new fields go at the END of
 *     retain_host_api / retain_plugin_module, and each struct starts with
 *     its struct_size, so either side can tell whether a field exists
 *     (use RETAIN_ABI_HAS_FIELD). A host callback the host lacks is NULL.
 *
 * Ownership (every pointer says who owns it):
 *   - "borrowed": valid only for the duration of the call it is passed to;
 *     copy what you keep.
 *   - Results travel through a retain_sink owned by the CALLER of a function:
 *     the callee calls sink->write(sink->ctx, data, size) zero or more times;
 *     the sink copies (appends) the bytes. So memory never changes owner and
 *     host and plugin may use different allocators.
 *   - On a non-zero status code the sink holds a UTF-8 error message instead
 *     of a result.
 *
 * Status codes are gRPC canonical codes (0 OK, 2 UNKNOWN, 3 INVALID_ARGUMENT,
 * 4 DEADLINE_EXCEEDED, 5 NOT_FOUND, 6 ALREADY_EXISTS, 7 PERMISSION_DENIED,
 * 8 RESOURCE_EXHAUSTED, 9 FAILED_PRECONDITION, 12 UNIMPLEMENTED, 13 INTERNAL,
 * 14 UNAVAILABLE). The host counts UNKNOWN, INTERNAL and DATA_LOSS returned
 * by a hook, and hooks that overrun their deadline, as plugin failures;
 * every other code is an ordinary answer passed on to the caller.
 *
 * Threading: the host may call on_call, on_report_section,
 * on_health_component and on_tick concurrently from several host-owned worker
 * threads (on_tick never concurrently with another on_tick of the same
 * plugin), on_signal from one delivery thread (one signal at a time, in
 * sequence order), and on_health_event (1.3) from another (one event at a
 * time, in position order per tenant). Never from a gRPC thread. Host callbacks
 * are thread-safe and may be called from any thread the plugin owns, but only
 * between on_init returning successfully and on_destroy being called.
 * Exceptions (1.2): retain_host_callback_decline belongs to the entry point;
 * call_context and is_cancelled answer about the calling thread's hook;
 * log and now_micros also work during retain_plugin_on_refused.
 *
 * Concurrent writers (1.2): instead of a plugin-side lock held across key-
 * value writes, read with kv_read (values and versions from one snapshot)
 * and write with kv_apply_if, the versions read as preconditions; on 10
 * (ABORTED) another writer came first: read again and retry.
 */
#ifndef RETAIN_PLUGIN_ABI_H_
#define RETAIN_PLUGIN_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version is this header's: a -D on the command line would declare a
 * version whose layout this header does not have, so it is refused. To
 * target another version, build against that version's header. */
#if defined(RETAIN_PLUGIN_ABI_MAJOR) || defined(RETAIN_PLUGIN_ABI_MINOR)
#error \
    "RETAIN_PLUGIN_ABI_MAJOR/MINOR are set by retain_plugin_abi.h; do not define them (build against the header of the ABI version you target)"
#endif
#define RETAIN_PLUGIN_ABI_MAJOR 1
#define RETAIN_PLUGIN_ABI_MINOR 4

/* The one symbol a plugin exports (see retain_plugin_on_load_fn). */
#define RETAIN_PLUGIN_ENTRY_SYMBOL "retain_plugin_on_load"

/* Whether a struct that starts with struct_size contains `field`. */
#define RETAIN_ABI_HAS_FIELD(ptr, type, field) \
  ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* A byte string. `data` is borrowed (see above); it is NOT NUL-terminated. */
typedef struct retain_str {
  const char* data;
  size_t size;
} retain_str;

/* Where a callee writes its result. Owned by the caller; `write` appends a
 * copy of [data, data+size) and may be called several times. */
typedef struct retain_sink {
  void* ctx;
  void (*write)(void* ctx, const char* data, size_t size);
} retain_sink;

/* Defined below; named here for retain_host_callback_decline. */
struct retain_plugin_module;

/* Log levels for retain_host_callback_log. */
enum {
  RETAIN_LOG_DEBUG = 0,
  RETAIN_LOG_INFO = 1,
  RETAIN_LOG_WARNING = 2,
  RETAIN_LOG_ERROR = 3
};

/*
 * A host callback that takes a protobuf request and yields a protobuf
 * response. `host_ctx` is the per-plugin context given to on_init (owned by
 * the host, valid until on_destroy returns). `tenant` is the tenant the
 * operation runs for (plugins see every tenant; a call or signal says which
 * one it belongs to). `request` is borrowed. The response (or error message)
 * goes to `out`. Returns a status code.
 */
typedef int32_t (*retain_host_callback_rpc)(void* host_ctx, retain_str tenant,
                                            retain_str request,
                                            retain_sink* out);

/*
 * The table of host functions. Static, owned by the host, valid for the
 * life of the process. Fields are only ever appended.
 */
typedef struct retain_host_api {
  /* sizeof(retain_host_api) as compiled into the host. */
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;

  /* Writes one log line attributed to the plugin. `message` is borrowed. */
  void (*retain_host_callback_log)(void* host_ctx, int32_t level,
                                   retain_str message);
  /* The host clock: microseconds since the Unix epoch. */
  int64_t (*retain_host_callback_now_micros)(void* host_ctx);

  /* Key-value store of this plugin (its own namespace, per tenant), kept in
   * the server's store: survives restarts and moves with the backend.
   *   kv_get:   request = retain.plugin.v1.KvGetRequest,
   *             response = retain.plugin.v1.KvGetResponse.
   *   kv_apply: request = retain.plugin.v1.KvBatch, applied atomically;
   *             empty response.
   *   kv_scan:  request = retain.plugin.v1.KvScanRequest,
   *             response = retain.plugin.v1.KvScanResponse. */
  retain_host_callback_rpc retain_host_callback_kv_get;
  retain_host_callback_rpc retain_host_callback_kv_apply;
  retain_host_callback_rpc retain_host_callback_kv_scan;

  /* Accounts and signal history (core protos, read-only):
   *   get_account:   retain.account.v1.GetAccountRequest -> Account
   *   list_accounts: retain.account.v1.ListAccountsRequest
   *                  -> ListAccountsResponse
   *   list_signals:  retain.signal.v1.ListSignalsRequest
   *                  -> ListSignalsResponse
   *   get_health:    retain.report.v1.GetAccountHealthRequest
   *                  -> AccountHealth (core components only, so a plugin
   *                  asking never re-enters plugins). */
  retain_host_callback_rpc retain_host_callback_get_account;
  retain_host_callback_rpc retain_host_callback_list_accounts;
  retain_host_callback_rpc retain_host_callback_list_signals;
  retain_host_callback_rpc retain_host_callback_get_health;

  /* Emitting:
   *   record_signals: retain.signal.v1.RecordSignalsRequest
   *                   -> RecordSignalsResponse; returns once durable, through
   *                   normal ingestion (ids make retries no-ops).
   *   publish_alert:  retain.plugin.v1.PluginAlert -> empty. */
  retain_host_callback_rpc retain_host_callback_record_signals;
  retain_host_callback_rpc retain_host_callback_publish_alert;
  /* ABI 1.0 ends here. */

  /* ABI 1.1.
   *   list_tenants: retain.plugin.v1.ListTenantsRequest
   *                 -> ListTenantsResponse: the tenants for which this
   *                 plugin has key-value state, in order (`tenant` is
   *                 ignored). What a periodic hook (on_tick) walks. */
  retain_host_callback_rpc retain_host_callback_list_tenants;
  /* ABI 1.1 ends here. */

  /* ABI 1.2. Versioned key-value access, same namespace as kv_get. Every
   * entry has a version: the number of the store commit that wrote it,
   * increasing over the whole store, so a key written again (also after a
   * delete) never gets a version it had before; 0 means "no such key".
   * kv_apply writes are versioned too; entries written before the host
   * kept versions have version 1.
   *   kv_read:     request = retain.plugin.v1.KvReadRequest (keys and/or
   *                one prefix scan), response = KvReadResponse, all of it
   *                from one snapshot of the store (never half a batch).
   *   kv_apply_if: request = retain.plugin.v1.KvApplyIfRequest
   *                (preconditions: key and expected version, 0 = must not
   *                exist; ops as in KvBatch), response = KvApplyIfResponse
   *                (the version the written keys now have). The ops are
   *                applied atomically and only if every precondition holds
   *                when the batch commits; otherwise returns 10 (ABORTED),
   *                writes nothing, and the message names the first key
   *                whose precondition failed. */
  retain_host_callback_rpc retain_host_callback_kv_read;
  retain_host_callback_rpc retain_host_callback_kv_apply_if;
  /* The context of the hook (on_call, on_signal, on_tick,
   * on_report_section, on_health_component) the host is running on the
   * calling thread: writes a retain.plugin.v1.CallContext (which hook, its
   * deadline in microseconds since the epoch, whether and why it is
   * cancelled) to `out` and returns 0. Returns 5 (NOT_FOUND), with a
   * message, on a thread that is not running a hook of this plugin (a
   * thread the plugin owns, on_init, ...). */
  int32_t (*retain_host_callback_call_context)(void* host_ctx,
                                               retain_sink* out);
  /* 1 when the hook running on the calling thread is cancelled: its
   * deadline passed (the host has answered without it), the client
   * cancelled the call, or the server is shutting down. The hook should
   * then stop soon; what it returns is dropped (a signal is delivered
   * again later). 0 otherwise, and outside a hook. No allocation, no lock:
   * cheap enough for a loop. */
  int32_t (*retain_host_callback_is_cancelled)(void* host_ctx);
  /* For the entry point only (on the thread the host calls it on), before
   * it returns NULL: why the plugin declines this host (e.g. "needs
   * retain_host_callback_kv_apply_if"). The entry point has no host_ctx;
   * `self` is the module the plugin would have returned, or NULL: the
   * host reads its name, version and ABI version for the refusal message.
   * `reason` is borrowed. Returns 0, or 9 (FAILED_PRECONDITION) when no
   * entry point is running on this thread. */
  int32_t (*retain_host_callback_decline)(
      const struct retain_plugin_module* self, retain_str reason);
  /* ABI 1.2 ends here. */

  /* ABI 1.3.
   *   get_account_health: retain.plugin.v1.GetAccountHealthRequest
   *                       (account id, optional as_of) ->
   *                       GetAccountHealthResponse: the account's profile
   *                       (retain.account.v1.Account) and its explained
   *                       health (retain.report.v1.AccountHealth) with the
   *                       plugin components as last stored, every plugin's
   *                       but the caller's own (no plugin is asked, so the
   *                       caller is never re-entered). 5 (NOT_FOUND) for an
   *                       unknown account. */
  retain_host_callback_rpc retain_host_callback_get_account_health;
  /* ABI 1.3 ends here. */

  /* ABI 1.4. The call context (call_context above) of an on_call hook
   * also carries its caller (CallContext.caller): the tenant, role and
   * principal the host authenticated, how (API key, client certificate,
   * authentication off), the key's id and name or the certificate's
   * subject, and the plugins a plugin-to-plugin call came through. Hooks
   * nobody called (on_signal, on_tick, on_health_event, on_report_section,
   * on_health_component) have no caller: the field is unset.
   *   call_plugin: request = retain.plugin.v1.CallPluginRequest (target
   *                plugin name, full method name, serialized request);
   *                response = the target method's serialized response,
   *                its status code returned as is. Runs the target's
   *                method for `tenant` on the target's workers, and waits.
   *                From an on_call hook: `tenant` must be the call's
   *                (else 7, PERMISSION_DENIED), the target is authorized
   *                as the original caller (the role table for plugin
   *                methods: a plugin never gains a role its caller
   *                lacks), under the caller's deadline, and sees that
   *                caller with this plugin appended to via_plugins. From
   *                a background hook (signal, tick, health event, report
   *                section, health component): runs as a reader of
   *                `tenant` (authentication PLUGIN, principal
   *                "plugin:<name>"), so only Get/List/Watch methods pass,
   *                under the hook's deadline. From a thread the plugin
   *                owns: 9 (FAILED_PRECONDITION). 5 (NOT_FOUND) when no
   *                plugin of that name was loaded and started, 14
   *                (UNAVAILABLE) while it is parked, 12 (UNIMPLEMENTED)
   *                when it serves no such method, 8
   *                (RESOURCE_EXHAUSTED) beyond 4 nested plugin calls.
   *                No host lock is held while the target runs; each
   *                nested call occupies one worker of its target, so a
   *                plugin that calls itself needs workers to spare. */
  retain_host_callback_rpc retain_host_callback_call_plugin;
  /* ABI 1.4 ends here. Append new callbacks below. */
} retain_host_api;

/*
 * What a plugin is. Returned by the entry point; static, owned by the plugin,
 * valid as long as the library is loaded (the host never unloads a library
 * it has called into). Fields are only ever appended.
 */
typedef struct retain_plugin_module {
  /* sizeof(retain_plugin_module) as compiled into the plugin. */
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  /* NUL-terminated, static. name: [a-z][a-z0-9_]{0,62}, unique per server;
   * also the KV namespace and the config block key. */
  const char* name;
  const char* version;

  /*
   * Creates the plugin instance. `host` and `host_ctx` are owned by the host
   * and valid until on_destroy returns. `config` is a borrowed
   * retain.plugin.v1.PluginConfig. On success stores an instance pointer
   * (owned by the plugin) in *instance and returns 0; on failure returns a
   * code, writes the reason to `err` and must leave nothing running.
   */
  int32_t (*retain_plugin_on_init)(const retain_host_api* host, void* host_ctx,
                                   retain_str config, void** instance,
                                   retain_sink* err);
  /* Destroys the instance. Called once, after every other hook returned. */
  void (*retain_plugin_on_destroy)(void* instance);

  /* Writes a retain.plugin.v1.PluginDescriptor (methods served, signal
   * kinds wanted, report section, health component) to `out`. Called once,
   * right after on_init. */
  int32_t (*retain_plugin_on_describe)(void* instance, retain_sink* out);

  /* Serves one unary call. `method` is the full gRPC method name
   * ("/retain.plugins.x.v1.XService/Get"), `request` the serialized request
   * message (both borrowed). The serialized response, or the error message,
   * goes to `out`; the return value is the call's status code. */
  int32_t (*retain_plugin_on_call)(void* instance, retain_str tenant,
                                   retain_str method, retain_str request,
                                   retain_sink* out);

  /* Delivers one durable signal of a kind the plugin subscribed to.
   * `signal` is a borrowed serialized retain.signal.v1.Signal; `seq` its
   * position in the log (strictly increasing per plugin; a signal may be
   * delivered again after a crash, never skipped). A failure (non-zero)
   * is retried with the same signal; error message to `err`. */
  int32_t (*retain_plugin_on_signal)(void* instance, retain_str tenant,
                                     retain_str account_id, int64_t seq,
                                     retain_str signal, retain_sink* err);

  /* Optional (NULL when absent). Writes a retain.report.v1.ReportSection
   * for the account, or returns 5 (NOT_FOUND) when it has none. */
  int32_t (*retain_plugin_on_report_section)(void* instance, retain_str tenant,
                                             retain_str account_id,
                                             retain_sink* out);
  /* Optional (NULL when absent). Writes a retain.report.v1.HealthComponent
   * (name, weight, score, has_data, explanation, inputs), or returns 5. */
  int32_t (*retain_plugin_on_health_component)(void* instance,
                                               retain_str tenant,
                                               retain_str account_id,
                                               retain_sink* out);
  /* ABI 1.0 ends here. */

  /* ABI 1.1. Optional (NULL when absent). The periodic tick: called on a
   * host worker every `tick_seconds` of the plugin's config (60 by default,
   * 0 disables) while the plugin is READY, and only when its descriptor
   * asks for ticks (PluginDescriptor.ticks), so time-based work (deadlines,
   * overdue checks) happens for accounts that send no signals. `now_micros`
   * is the host clock (as retain_host_callback_now_micros) when the tick
   * started. Never runs concurrently with another tick of the same plugin;
   * a tick still running when the next is due makes the host skip that one.
   * Same deadline (call_timeout_ms) and failure rules as on_call: a
   * non-zero failure code, an exception or an overrun counts towards
   * parking; error message to `err`. Ticks are best-effort timing, so the
   * work must be idempotent and must not assume a fixed period. */
  int32_t (*retain_plugin_on_tick)(void* instance, int64_t now_micros,
                                   retain_sink* err);
  /* ABI 1.1 ends here. */

  /* ABI 1.2. Optional (NULL when absent). Why the host refused the plugin
   * after its entry point returned this module (an invalid or duplicate
   * name, disabled in the config, on_init failed, a bad descriptor, ...):
   * `reason` (borrowed) is the host's message as it logs it. Called once,
   * on the loading thread, after on_destroy if there was an instance; no
   * hook is called after it. `host_ctx` is valid during the call only, for
   * retain_host_callback_log and now_micros (other callbacks answer 14,
   * UNAVAILABLE). Not called for a module of another ABI major. */
  void (*retain_plugin_on_refused)(void* host_ctx, retain_str reason);
  /* ABI 1.2 ends here. */

  /* ABI 1.3. Optional (NULL when absent). Delivers one health event of a
   * kind the descriptor subscribed to (PluginDescriptor.health_events):
   * `event` is a borrowed serialized retain.plugin.v1.HealthEvent (a band
   * change, a leading indicator appearing or clearing, an alert), `seq`
   * its position in the tenant's alert history. Durable and ordered like
   * signals, per tenant: positions strictly increase per (plugin, tenant);
   * an event may be delivered again after a crash, never skipped. A plugin
   * never receives the alerts it raised itself unless its descriptor sets
   * health_events_own_alerts. A failure (non-zero) is retried with the same
   * event, then set aside after signal_retry_limit attempts; error message
   * to `err`. Called from one delivery thread, one event at a time. */
  int32_t (*retain_plugin_on_health_event)(void* instance, retain_str tenant,
                                           retain_str account_id, int64_t seq,
                                           retain_str event, retain_sink* err);
  /* ABI 1.3 ends here; 1.4 appended no hook. Append new hooks below. */
} retain_plugin_module;

/*
 * The entry point, exported as RETAIN_PLUGIN_ENTRY_SYMBOL with C linkage.
 * Called once, right after the library is loaded, with the host's table
 * (owned by the host). Returns the plugin's module (owned by the plugin), or
 * NULL to refuse the host (e.g. it lacks a callback the plugin requires),
 * after saying why with retain_host_callback_decline when the host has it.
 * Must not call other host callbacks.
 */
typedef const retain_plugin_module* (*retain_plugin_on_load_fn)(
    const retain_host_api* host);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* RETAIN_PLUGIN_ABI_H_ */
