// Part of the fake host (retain_plugin_testing.h, which documents its use):
// FakeHost owns the world (fake_world.h), hands plugins the real host
// table over it (host_table.h), loads a plugin through its real entry
// point with the server's checks (module_checks.h), and delivers the
// signal log; LoadedPlugin drives a plugin's hooks the way the server does,
// each with its call context and deadline (hook_runs.h), and has them
// accounted as the server does (plugin_slot.h).
#ifndef RETAIN_SDK_TESTING_FAKE_HOST_H_
#define RETAIN_SDK_TESTING_FAKE_HOST_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "retain/sdk/detail/abi_bridge.h"
#include "retain/sdk/detail/codec.h"
#include "retain/sdk/status.h"
#include "retain/sdk/testing/fake_world.h"
#include "retain/sdk/testing/hook_runs.h"
#include "retain/sdk/testing/host_table.h"
#include "retain/sdk/testing/json_config.h"
#include "retain/sdk/testing/module_checks.h"
#include "retain/sdk/testing/plugin_calls.h"
#include "retain/sdk/testing/plugin_slot.h"
#include "retain/sdk/types.h"
#include "retain_plugin_abi.h"

namespace retain::sdk::testing {

// A plugin's block of the server's plugin config, in short.
struct PluginOptions {
  // Its own "config" object as JSON: what Setup::config() reads.
  std::string config_json = "{}";
  // "health_weight"; below 0: the weight the plugin declares.
  double health_weight = -1;
  // "max_consecutive_failures": failed hooks in a row that park it.
  int max_consecutive_failures = 5;
  // "deliver_from": "now" when true: the signals already in the log when
  // the plugin is first loaded are not delivered to it.
  bool deliver_from_now = false;
  // "signal_retry_limit": failed attempts at one signal before it is set
  // aside as a dead letter and delivery goes on.
  int signal_retry_limit = 5;
  // "call_timeout_ms" (calls, signals, ticks) and "report_timeout_ms"
  // (report sections, health components): each hook's deadline, on the
  // fake clock from when it starts (hook_runs.h). A hook that returns after
  // it is answered DEADLINE_EXCEEDED and counts as a failure.
  int64_t call_timeout_ms = 5000;
  int64_t report_timeout_ms = 1000;
};

// A signal delivery gave up on (decision 0018); kept across restarts.
struct DeadLetter {
  int64_t seq = 0;
  std::string tenant{};
  std::string account_id{};
  SignalKind kind = SignalKind::kUnspecified;
  std::string signal_id{};
  int attempts = 0;  // failed deliveries, retries included
  std::string last_error{};
  int64_t first_failure_micros = 0;
  int64_t last_failure_micros = 0;
};

class FakeHost;

// A plugin loaded into a FakeHost: drives its hooks as the server does.
// A handle (copy it freely); valid while its FakeHost lives. Every hook
// runs on the calling thread, with its call context (Host::CallContext,
// Cancelled) and a deadline on the fake clock (PluginOptions); several
// threads may drive one plugin at once, as the server's workers do, but
// signals are delivered one at a time. A failure answer carries the
// plugin's own message (the server tells a caller only "plugin <name>
// failed (error id ...)").
class LoadedPlugin {
 public:
  const std::string& name() const { return slot_->name; }
  const std::string& version() const { return slot_->version; }
  // The ABI version the plugin was built with, "1.2".
  std::string abi() const {
    return std::to_string(slot_->abi_major) + "." +
           std::to_string(slot_->abi_minor);
  }
  // What its descriptor declares (and the host accepted).
  const std::vector<std::string>& methods() const { return slot_->methods; }
  bool subscribes(SignalKind kind) const {
    return slot_->kinds.count(static_cast<int32_t>(kind)) > 0;
  }
  bool report_section() const { return slot_->report_section; }
  const std::string& health_component() const { return slot_->component_name; }
  double health_weight() const { return slot_->component_weight; }
  bool ticks() const { return slot_->asks_ticks && slot_->has_tick_hook; }
  // ABI 1.3: whether the server delivers it health events of `kind`.
  bool subscribes(HealthEvent::Kind kind) const {
    return slot_->health_kinds.count(static_cast<int32_t>(kind)) > 0;
  }

  // --- Hooks. Unless the host's deliver_automatically is off, each one
  // also delivers the signals recorded meanwhile (by the test, or by the
  // plugin itself) before it returns, so the plugin's state has settled.

  // Records `signal` in the log (tenant: signal.tenant, default "default")
  // through the server's ingestion rules, then delivers every pending
  // signal. A signal OnSignal fails is tried again at once (the server
  // waits between tries) until it is handled or, after
  // signal_retry_limit attempts, set aside as a dead letter; delivery goes
  // on either way. Returns OK when every signal was handled (retries
  // included; failed attempts still show in last_error() and failures()),
  // the plugin's error for the first one set aside, UNAVAILABLE when it is
  // parked (its signals wait), or the ingestion's INVALID_ARGUMENT.
  // FAILED_PRECONDITION when the plugin does not subscribe to the signal's
  // kind. A signal_id recorded before is a no-op, as in the server.
  Status Deliver(Signal signal);
  // Delivers what is pending (e.g. after Resume, or with automatic delivery
  // off); answers as Deliver.
  Status DeliverPending();
  // Delivers the logged signal `seq` once more, as the server does after a
  // crash between the plugin handling it and the cursor being saved: a
  // plugin must handle it idempotently. The cursor does not move.
  Status Redeliver(int64_t seq);

  // One unary call of `method` ("/retain.plugins.<name>.v1.<Service>/<M>")
  // for `tenant`: the response bytes, or the plugin's status.
  // UNIMPLEMENTED for a method the plugin did not declare. The handler's
  // caller (ABI 1.4) is the tenant's operator "dev", as in a server with
  // authentication off.
  Result<std::string> Call(const std::string& method, std::string_view request,
                           const std::string& tenant = kDefaultTenant);
  // The same call made by `caller` (tenant: caller.tenant, default
  // "default"): what Call::caller() and Host::Caller() answer, and who
  // plugins it calls through Host::CallPlugin are authorized as. The
  // fake does not check the caller's own role against the method (the
  // server does, before the plugin sees the call).
  Result<std::string> CallAs(const Caller& caller, const std::string& method,
                             std::string_view request);
  // The same with protobuf messages (needs the protobuf runtime):
  //   auto plan = plugin.CallProto<pb::Plan>(method, request);
  template <typename Response, typename Request>
  Result<Response> CallProto(const std::string& method, const Request& request,
                             const std::string& tenant = kDefaultTenant) {
    auto out = Call(method, request.SerializeAsString(), tenant);
    if (!out.ok()) return out.status();
    Response response;
    if (!response.ParseFromString(*out)) {
      return Status(Code::kDataLoss, "malformed response from " + method);
    }
    return response;
  }

  // Hands the plugin one health event (ABI 1.3) as the server's feed does
  // (tenant: event.tenant, default "default"; position as given: the test
  // says which entry of the alert history it is), once: the plugin's
  // status. A non-OK one counts as a failed delivery, as for a signal (the
  // server retries it, then sets it aside; call again to retry).
  // FAILED_PRECONDITION when the plugin does not subscribe to the event's
  // kind, or when the event is an alert the plugin raised itself and it did
  // not ask for its own (the server never delivers those).
  Status DeliverHealthEvent(HealthEvent event);

  // One periodic tick at the host clock. FAILED_PRECONDITION when the
  // plugin did not ask for ticks (Setup::WantTicks).
  Status Tick();

  // Cancels the plugin's hooks (Host::Cancelled becomes true, and
  // CallContext says why) while set: those running now and those that
  // start until it is set back to kNone. As the server's reasons go:
  // kClientCancelled for calls, kShuttingDown for any hook. A deadline is
  // passed with FakeHost::AdvanceMicros instead (it wins over this).
  void SetCancelled(CallContext::CancelReason why) {
    slot_->set_cancel_reason(why);
  }

  // The account's report section: nullopt when the plugin has none for it
  // (NOT_FOUND from the hook). FAILED_PRECONDITION when the plugin does
  // not provide sections (Setup::ProvideReportSection).
  Result<std::optional<Section>> ReportSection(const std::string& tenant,
                                               const std::string& account_id);
  // The account's health component as the server stores it: name and
  // weight as declared (or configured), source the plugin, score clamped to
  // 0-10. nullopt when the plugin has none for the account.
  // FAILED_PRECONDITION when the plugin provides no component.
  Result<std::optional<HealthComponent>> AccountHealthComponent(
      const std::string& tenant, const std::string& account_id);

  // --- The server's accounting of the plugin.
  bool parked() const;
  int consecutive_failures() const;
  int failures() const;  // every failed hook so far
  std::string last_error() const;
  // The seq of the last signal handled, set aside, or skipped as not
  // subscribed.
  int64_t delivery_cursor() const;
  // The plugin's dead letters, by seq (PluginService.ListDeadLetters).
  std::vector<DeadLetter> dead_letters() const;
  // RetryDeadLetters: each once, in seq order; a handled one leaves the
  // list, a failed one stays with one more attempt. The first failure.
  Status RetryDeadLetters();
  // DropDeadLetters: forgets them all.
  void DropDeadLetters();
  // PluginService.ResumePlugin: READY again, then delivers what is pending.
  Status Resume();

  // Destroys the instance (the server at shutdown). Its KV state and its
  // delivery cursor stay: loading it again is a restart.
  void Unload();
  bool loaded() const;

 private:
  friend class FakeHost;
  LoadedPlugin(FakeHost* host, std::shared_ptr<detail::PluginSlot> slot)
      : host_(host), slot_(std::move(slot)) {}
  // A per-account hook (report section, health component) run and counted
  // as the server does; NOT_FOUND (the plugin has none) is an empty answer.
  using AccountHook = int32_t (*)(void*, retain_str, retain_str, retain_sink*);
  Result<std::optional<std::string>> RunAccountHook(
      CallContext::Hook hook, AccountHook fn, const std::string& tenant,
      const std::string& account_id);
  FakeHost* host_;
  std::shared_ptr<detail::PluginSlot> slot_;
};

class FakeHost {
 public:
  struct Options {
    int64_t start_micros = kDefaultStartMicros;
    // The host's ABI minor version, to test a plugin against an older
    // server: 0 has no list_tenants (ABI 1.1), 1 none of ABI 1.2's
    // callbacks (versioned KV, call context, decline).
    uint16_t abi_minor = RETAIN_PLUGIN_ABI_MINOR;
    // Deliver pending signals to every subscribed plugin after each action
    // of the test (Load, Record, and every hook of a LoadedPlugin), so
    // what a plugin emits reaches it (and the others) deterministically.
    // Off: only Deliver and DeliverPending deliver.
    bool deliver_automatically = true;
  };

  FakeHost() : FakeHost(Options()) {}
  explicit FakeHost(Options options)
      : options_(options),
        api_(detail::HostTable::Make(options.abi_minor)),
        world_(options.start_micros) {
    world_.host_abi_minor = options.abi_minor;
    world_.call_plugin = [this](const Slot& from, const std::string& tenant,
                                std::string_view request) {
      std::vector<std::shared_ptr<Slot>> loaded;
      {
        std::lock_guard<std::mutex> lock(world_.mu);
        loaded = slots_;
      }
      return detail::CallPlugin(from, loaded, tenant, request);
    };
  }
  // Unloads every plugin still loaded.
  ~FakeHost() {
    std::vector<std::shared_ptr<Slot>> slots;
    {
      std::lock_guard<std::mutex> lock(world_.mu);
      slots = slots_;
    }
    for (auto& s : slots) LoadedPlugin(this, s).Unload();
  }
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  // Loads a plugin through its entry point (a plugin linked into the test:
  // &retain_plugin_on_load; a library: LoadLibrary in load_library.h), as
  // the server does: refused (FAILED_PRECONDITION) when the entry point
  // declines the host (with the reason it gave), for an ABI major
  // mismatch, missing hooks, a bad name or a name already loaded; Init's
  // own status when Init fails; FAILED_PRECONDITION when the descriptor
  // serves a method outside "/retain.plugins.<name>.v1." or one already
  // served; INVALID_ARGUMENT when config_json is not JSON. A module
  // refused after its entry point returned it hears why (on_refused), as
  // in the server. Then delivers the log from the plugin's cursor (all of
  // it on a first load).
  Result<LoadedPlugin> Load(retain_plugin_on_load_fn entry,
                            const PluginOptions& options = PluginOptions());

  // --- The clock (what Host::NowMicros and Tick read): starts at
  // Options::start_micros, moves only when told.
  int64_t NowMicros() const {
    std::lock_guard<std::mutex> lock(world_.mu);
    return world_.world.now();
  }
  void SetNowMicros(int64_t micros) {
    std::lock_guard<std::mutex> lock(world_.mu);
    world_.world.set_now(micros);
  }
  void AdvanceMicros(int64_t micros) {
    std::lock_guard<std::mutex> lock(world_.mu);
    world_.world.set_now(world_.world.now() + micros);
  }
  void AdvanceDays(double days) {
    AdvanceMicros(static_cast<int64_t>(days * kMicrosPerDay));
  }

  // --- What plugins read. Accounts are returned as given (the server
  // derives segment from ARR unless overridden, and health_score/band
  // from the signals: set them as the case needs). id or name names it.
  Status PutAccount(const Account& account,
                    const std::string& tenant = kDefaultTenant) {
    std::lock_guard<std::mutex> lock(world_.mu);
    return world_.world.PutAccount(tenant, account);
  }
  // What Host::GetHealth answers for health.account; without it, the
  // account's own score and band and no components.
  void SetHealth(const Health& health,
                 const std::string& tenant = kDefaultTenant) {
    std::lock_guard<std::mutex> lock(world_.mu);
    world_.world.SetHealth(tenant, health);
  }
  // Records a signal as a client would (tenant: signal.tenant, default
  // "default"): the server's rules apply (INVALID_ARGUMENT naming the
  // field; the account must exist). Returns its seq. Subscribed plugins
  // get it with the next delivery; their answers show in their
  // last_error() (use LoadedPlugin::Deliver to get a plugin's answer).
  Result<int64_t> Record(Signal signal) {
    Result<int64_t> seq = Ingest(std::move(signal));
    if (seq.ok() && options_.deliver_automatically) Drain(nullptr);
    return seq;
  }
  // Delivers what is pending to every loaded plugin; the first failure.
  Status DeliverPending() { return Drain(nullptr); }

  // --- What happened. Each returns a copy (plugins may add to it from
  // other threads meanwhile): keep the vector, not a reference into it.
  // The signal log: every signal recorded, with tenant, seq, record time.
  std::vector<Signal> signals() const {
    std::lock_guard<std::mutex> lock(world_.mu);
    return world_.world.log();
  }
  // Signals plugins recorded (Host::RecordSignals), in order.
  std::vector<Signal> emitted_signals() const {
    std::lock_guard<std::mutex> lock(world_.mu);
    return world_.world.emitted();
  }
  std::vector<Alert> alerts() const {
    std::lock_guard<std::mutex> lock(world_.mu);
    return world_.world.alerts();
  }
  // The alerts so far, forgetting them (to check what comes next).
  std::vector<Alert> TakeAlerts() {
    std::lock_guard<std::mutex> lock(world_.mu);
    return std::exchange(world_.world.alerts(), {});
  }
  std::vector<LogLine> logs() const {
    std::lock_guard<std::mutex> lock(world_.mu);
    return world_.world.logs();
  }

  // --- A plugin's key-value state (namespace: the plugin's name).
  std::optional<std::string> KvGet(const std::string& plugin,
                                   const std::string& tenant,
                                   const std::string& key) const {
    std::lock_guard<std::mutex> lock(world_.mu);
    return world_.world.kv().Get(plugin, tenant, key);
  }
  std::map<std::string, std::string> KvEntries(
      const std::string& plugin, const std::string& tenant) const {
    std::lock_guard<std::mutex> lock(world_.mu);
    return world_.world.kv().Entries(plugin, tenant);
  }
  // The version of a key (ABI 1.2; 0: absent): the number of the commit
  // that wrote it, one counter for every plugin's writes.
  int64_t KvVersion(const std::string& plugin, const std::string& tenant,
                    const std::string& key) const {
    std::lock_guard<std::mutex> lock(world_.mu);
    return world_.world.kv().Read(plugin, tenant, key).version;
  }
  // Seeds state, e.g. what an older version of the plugin left; a commit
  // like any other (it moves versions). Also what a test writes "between"
  // a plugin's read and its write to make a conflict.
  Status KvApply(const std::string& plugin, const std::string& tenant,
                 const std::vector<KvOp>& ops) {
    std::lock_guard<std::mutex> lock(world_.mu);
    return world_.world.kv().Apply(plugin, tenant, ops);
  }
  // The next KV write of a plugin (kv_apply, or a kv_apply_if whose
  // preconditions hold) fails with `status` and writes nothing (as a
  // failed commit of the server's store), to test its error paths.
  void FailNextKvApply(Status status) {
    std::lock_guard<std::mutex> lock(world_.mu);
    world_.world.FailNextKvApply(std::move(status));
  }

  // The table handed to plugins.
  const retain_host_api* api() const { return &api_; }

 private:
  friend class LoadedPlugin;
  using Slot = detail::PluginSlot;

  // A bound on the signals one action delivers, so a plugin that reacts
  // to its own signals by recording new ones fails the test instead of
  // hanging it.
  static constexpr size_t kMaxDeliveriesPerAction = 100000;

  Result<int64_t> Ingest(Signal signal) {
    const std::string tenant =
        signal.tenant.empty() ? kDefaultTenant : signal.tenant;
    std::lock_guard<std::mutex> lock(world_.mu);
    auto seqs = world_.world.Ingest(tenant, {std::move(signal)}, "signals");
    if (!seqs.ok()) return seqs.status();
    return seqs->front();
  }

  // Calls on_signal with the logged signal, as the delivery thread does;
  // `label` and the seq prefix a failure in the plugin's last error.
  static Status DeliverOne(Slot& slot, const Signal& signal,
                           const std::string& label) {
    const std::string payload = FakeWorld::Stored(signal);
    detail::HookAnswer a =
        detail::RunHook(slot, CallContext::Hook::kSignal, "",
                        slot.call_timeout_ms, [&](retain_sink* sink) {
                          return slot.module->retain_plugin_on_signal(
                              slot.instance, internal::Str(signal.tenant),
                              internal::Str(signal.account_id), signal.seq,
                              internal::Str(payload), sink);
                        });
    return slot.Account(detail::HookKind::kSignal, a.code, a.output,
                        label + std::to_string(signal.seq), a.timed_out);
  }

  // Delivers `slot` its pending signals in log order, as the server's
  // delivery thread does: a failed signal is tried again (at once, where
  // the server waits) until handled or, after signal_retry_limit attempts,
  // set aside as a dead letter. Stops when nothing is pending or the
  // plugin is parked or stopped. Returns the first signal's error that was
  // set aside, or the rejection.
  Status DeliverTo(const std::shared_ptr<Slot>& slot, size_t* budget,
                   bool* progress) {
    Status first;
    for (;;) {
      Signal next;
      int64_t now = 0;
      {
        std::lock_guard<std::mutex> lock(world_.mu);
        if (!slot->loaded()) return first;
        int64_t& cursor = cursors_[slot->name];
        const std::vector<Signal>& log = world_.world.log();
        const Signal* found = nullptr;
        while (cursor < static_cast<int64_t>(log.size())) {
          const Signal& s = log[static_cast<size_t>(cursor)];
          if (slot->kinds.count(static_cast<int32_t>(s.kind))) {
            found = &s;
            break;
          }
          ++cursor;  // not subscribed: skipped, as the server does
        }
        if (found == nullptr) return first;
        if (Status s = slot->Rejection(); !s.ok())
          return first.ok() ? s : first;
        if (*budget == 0) {
          return Status(Code::kResourceExhausted,
                        "more than " + std::to_string(kMaxDeliveriesPerAction) +
                            " signal deliveries in one action: do plugins "
                            "record signals for their own signals forever?");
        }
        --*budget;
        next = *found;
        now = world_.world.now();
      }
      Status s = DeliverOne(*slot, next, "signal ");
      if (s.ok()) {
        slot->failing_seq = 0;
        std::lock_guard<std::mutex> lock(world_.mu);
        cursors_[slot->name] = next.seq;
        *progress = true;
        continue;
      }
      if (slot->failing_seq != next.seq) {
        slot->failing_seq = next.seq;
        slot->failing_attempts = 0;
        slot->first_failure_micros = now;
      }
      if (++slot->failing_attempts < slot->signal_retry_limit) continue;
      {
        std::lock_guard<std::mutex> lock(world_.mu);
        DeadLetter& d = dead_letters_[slot->name][next.seq];
        if (d.attempts == 0)
          d.first_failure_micros = slot->first_failure_micros;
        d.seq = next.seq;
        d.tenant = next.tenant;
        d.account_id = next.account_id;
        d.kind = next.kind;
        d.signal_id = next.signal_id;
        d.attempts += slot->failing_attempts;
        d.last_error = s.message();
        d.last_failure_micros = now;
        cursors_[slot->name] = next.seq;
      }
      slot->DeadLettered("signal " + std::to_string(next.seq) +
                         " set aside as a dead letter after " +
                         std::to_string(slot->failing_attempts) +
                         " failed attempts, last: " + s.message());
      slot->failing_seq = 0;
      *progress = true;
      if (first.ok()) first = s;
    }
  }

  // Delivers pending signals to every loaded plugin until none is left
  // (what they record on the way included). Returns the first failure of
  // `target`, or of any plugin when null.
  Status Drain(const Slot* target) {
    std::lock_guard<std::mutex> delivering(delivery_mu_);
    size_t budget = kMaxDeliveriesPerAction;
    Status first;
    for (;;) {
      std::vector<std::shared_ptr<Slot>> slots;
      {
        std::lock_guard<std::mutex> lock(world_.mu);
        slots = slots_;
      }
      bool progress = false;
      for (const auto& slot : slots) {
        Status s = DeliverTo(slot, &budget, &progress);
        if (!s.ok() && first.ok() &&
            (target == nullptr || target == slot.get())) {
          first = s;
        }
      }
      if (!progress) return first;
    }
  }
  void AfterHook() {
    if (options_.deliver_automatically) Drain(nullptr);
  }

  const Options options_;
  const retain_host_api api_;
  mutable detail::GuardedWorld world_;
  std::mutex delivery_mu_;  // one delivery at a time: signals come in order
  // Guarded by world_.mu.
  std::vector<std::shared_ptr<Slot>> slots_;  // loaded, in load order
  std::map<std::string, int64_t> cursors_;    // by plugin name; persist
  // By plugin name, then seq; persist.
  std::map<std::string, std::map<int64_t, DeadLetter>> dead_letters_;
};

// ---------------------------------------------------------------------------

inline Result<LoadedPlugin> FakeHost::Load(retain_plugin_on_load_fn entry,
                                           const PluginOptions& options) {
  if (entry == nullptr) return InvalidArgument("no entry point given");
  detail::Decline decline;
  const retain_plugin_module* m = nullptr;
  {
    detail::ScopedDecline declining(&decline);
    m = entry(&api_);
  }
  auto config = JsonConfig::Parse(options.config_json);
  if (!config.ok()) return config.status();

  auto slot = std::make_shared<Slot>();
  slot->world = &world_;
  slot->module = m;
  // Every way the plugin is not loaded once it returned a module, told to
  // it (ABI 1.2 on_refused) after on_destroy if it had an instance; only
  // log and now_micros work meanwhile, as in the server.
  auto refuse = [&](Status why) {
    if (auto hook = module_checks::RefusedHook(m)) {
      hook(slot.get(), internal::Str(why.message()));
    }
    return why;
  };
  if (m != nullptr && m->abi_major == RETAIN_PLUGIN_ABI_MAJOR &&
      m->name != nullptr) {
    slot->name = m->name;
  }
  if (Status s = module_checks::CheckModule(
          m, decline.called ? &decline.reason : nullptr);
      !s.ok()) {
    return refuse(s);
  }
  const std::string name = m->name;
  slot->version = m->version;
  slot->abi_major = m->abi_major;
  slot->abi_minor = m->abi_minor;
  slot->max_failures = options.max_consecutive_failures;
  slot->signal_retry_limit = options.signal_retry_limit;
  slot->call_timeout_ms = options.call_timeout_ms;
  slot->report_timeout_ms = options.report_timeout_ms;
  bool duplicate = false;
  {
    std::lock_guard<std::mutex> lock(world_.mu);
    for (const auto& other : slots_) duplicate |= other->name == name;
  }
  if (duplicate) {
    return refuse(module_checks::Refused("a plugin named '" + name +
                                         "' is already loaded"));
  }
  slot->EnableCallbacks(true);

  const std::string config_bytes = config->Encode();
  std::string err;
  retain_sink err_sink = internal::StringSink(&err);
  void* instance = nullptr;
  const int32_t code = m->retain_plugin_on_init(
      &api_, slot.get(), internal::Str(config_bytes), &instance, &err_sink);
  if (code != 0 || instance == nullptr) {
    slot->EnableCallbacks(false);
    const Code why = (code < 0 || code > 16) ? Code::kUnknown
                     : code != 0             ? static_cast<Code>(code)
                                             : Code::kInternal;
    return refuse(Status(why, "init failed (" + std::to_string(code) + "): " +
                                  (err.empty() ? "no reason given" : err)));
  }
  slot->instance = instance;

  std::string desc;
  retain_sink desc_sink = internal::StringSink(&desc);
  const int32_t described = m->retain_plugin_on_describe(instance, &desc_sink);
  module_checks::Descriptor d;
  std::string problem;
  if (described != 0) {
    problem = "describe failed (" + std::to_string(described) + "): " + desc;
  } else if (!module_checks::DecodeDescriptor(desc, &d)) {
    problem = "malformed plugin descriptor";
  } else {
    std::lock_guard<std::mutex> lock(world_.mu);
    problem = module_checks::MethodProblem(
        name, d.methods, [&](const std::string& method) {
          for (const auto& other : slots_) {
            const auto& theirs = other->methods;
            if (std::find(theirs.begin(), theirs.end(), method) !=
                theirs.end()) {
              return true;
            }
          }
          return false;
        });
  }
  if (!problem.empty()) {
    slot->EnableCallbacks(false);
    m->retain_plugin_on_destroy(instance);
    return refuse(FailedPrecondition(problem));
  }
  slot->methods = d.methods;
  for (int64_t k : d.signal_kinds) slot->kinds.insert(static_cast<int32_t>(k));
  slot->report_section =
      d.report_section && m->retain_plugin_on_report_section != nullptr;
  if (!d.component_name.empty() &&
      m->retain_plugin_on_health_component != nullptr) {
    slot->component_name = d.component_name;
  }
  slot->component_weight =
      options.health_weight >= 0 ? options.health_weight : d.component_weight;
  slot->asks_ticks = d.ticks;
  slot->has_tick_hook = module_checks::HasTickHook(m);
  if (module_checks::HasHealthEventHook(m)) {
    for (int64_t k : d.health_events) {
      slot->health_kinds.insert(static_cast<int32_t>(k));
    }
    slot->health_own_alerts = d.health_events_own_alerts;
  }
  {
    std::lock_guard<std::mutex> lock(world_.mu);
    if (!cursors_.count(name)) {
      cursors_[name] = options.deliver_from_now
                           ? static_cast<int64_t>(world_.world.log().size())
                           : 0;
    }
    slot->SetLoaded(true);
    slots_.push_back(slot);
  }
  AfterHook();
  return LoadedPlugin(this, slot);
}

// ---------------------------------------------------------------------------

inline Status LoadedPlugin::Deliver(Signal signal) {
  if (!subscribes(signal.kind)) {
    return FailedPrecondition(
        "plugin " + name() + " does not subscribe to signals of kind " +
        std::to_string(static_cast<int32_t>(signal.kind)) +
        " (Setup::Subscribe)");
  }
  auto seq = host_->Ingest(std::move(signal));
  if (!seq.ok()) return seq.status();
  return host_->Drain(slot_.get());
}

inline Status LoadedPlugin::DeliverPending() {
  return host_->Drain(slot_.get());
}

inline Status LoadedPlugin::Redeliver(int64_t seq) {
  Signal again;
  {
    std::lock_guard<std::mutex> lock(host_->world_.mu);
    const auto& log = host_->world_.world.log();
    if (seq < 1 || seq > static_cast<int64_t>(log.size())) {
      return NotFound("no signal " + std::to_string(seq) + " in the log");
    }
    if (seq > host_->cursors_[slot_->name]) {
      return FailedPrecondition("signal " + std::to_string(seq) +
                                " was not delivered yet");
    }
    again = log[static_cast<size_t>(seq - 1)];
  }
  if (!subscribes(again.kind)) {
    return FailedPrecondition("plugin " + name() +
                              " does not subscribe to the kind of signal " +
                              std::to_string(seq));
  }
  if (Status s = slot_->Rejection(); !s.ok()) return s;
  std::lock_guard<std::mutex> delivering(host_->delivery_mu_);
  return FakeHost::DeliverOne(*slot_, again, "signal ");
}

inline std::vector<DeadLetter> LoadedPlugin::dead_letters() const {
  std::lock_guard<std::mutex> lock(host_->world_.mu);
  std::vector<DeadLetter> out;
  auto it = host_->dead_letters_.find(slot_->name);
  if (it == host_->dead_letters_.end()) return out;
  for (const auto& [seq, d] : it->second) out.push_back(d);
  return out;
}

inline Status LoadedPlugin::RetryDeadLetters() {
  Status first;
  {
    std::lock_guard<std::mutex> delivering(host_->delivery_mu_);
    for (const DeadLetter& d : dead_letters()) {
      if (Status s = slot_->Rejection(); !s.ok()) {
        if (first.ok()) first = s;
        break;
      }
      Signal again;
      int64_t now = 0;
      {
        std::lock_guard<std::mutex> lock(host_->world_.mu);
        again = host_->world_.world.log()[static_cast<size_t>(d.seq - 1)];
        now = host_->world_.world.now();
      }
      Status s = FakeHost::DeliverOne(*slot_, again, "dead letter ");
      std::lock_guard<std::mutex> lock(host_->world_.mu);
      auto& mine = host_->dead_letters_[slot_->name];
      if (s.ok()) {
        mine.erase(d.seq);
        continue;
      }
      DeadLetter& kept = mine[d.seq];
      ++kept.attempts;
      kept.last_error = s.message();
      kept.last_failure_micros = now;
      if (first.ok()) first = s;
    }
  }
  host_->AfterHook();
  return first;
}

inline void LoadedPlugin::DropDeadLetters() {
  std::lock_guard<std::mutex> lock(host_->world_.mu);
  host_->dead_letters_.erase(slot_->name);
}

inline Result<std::string> LoadedPlugin::Call(const std::string& method,
                                              std::string_view request,
                                              const std::string& tenant) {
  return CallAs(detail::DefaultCaller(tenant), method, request);
}

inline Result<std::string> LoadedPlugin::CallAs(const Caller& who,
                                                const std::string& method,
                                                std::string_view request) {
  Caller caller = who;
  if (caller.tenant.empty()) caller.tenant = kDefaultTenant;
  const std::string& tenant = caller.tenant;
  const auto& mine = slot_->methods;
  if (!loaded() || std::find(mine.begin(), mine.end(), method) == mine.end()) {
    return Status(Code::kUnimplemented, "unknown method " + method);
  }
  if (Status s = slot_->Rejection(); !s.ok()) return s;
  detail::HookAnswer a = detail::RunHook(
      *slot_, CallContext::Hook::kCall, method, slot_->call_timeout_ms,
      [&](retain_sink* sink) {
        return slot_->module->retain_plugin_on_call(
            slot_->instance, internal::Str(tenant), internal::Str(method),
            internal::Str(request), sink);
      },
      caller);
  Status s = slot_->Account(detail::HookKind::kCall, a.code, a.output, "",
                            a.timed_out);
  host_->AfterHook();
  if (!s.ok()) return s;
  return std::move(a.output);
}

inline Status LoadedPlugin::DeliverHealthEvent(HealthEvent event) {
  if (!subscribes(event.kind)) {
    return FailedPrecondition("plugin " + name() +
                              " does not subscribe to health events of kind " +
                              std::to_string(static_cast<int32_t>(event.kind)) +
                              " (Setup::SubscribeHealthEvents; ABI 1.3)");
  }
  if (event.source == name() && !slot_->health_own_alerts) {
    return FailedPrecondition("plugin " + name() +
                              " did not ask for its own alerts back "
                              "(SubscribeHealthEvents own_alerts)");
  }
  if (Status s = slot_->Rejection(); !s.ok()) return s;
  if (event.tenant.empty()) event.tenant = kDefaultTenant;
  const std::string payload = codec::EncodeHealthEvent(event);
  detail::HookAnswer a =
      detail::RunHook(*slot_, CallContext::Hook::kHealthEvent, "",
                      slot_->call_timeout_ms, [&](retain_sink* sink) {
                        return slot_->module->retain_plugin_on_health_event(
                            slot_->instance, internal::Str(event.tenant),
                            internal::Str(event.account_id), event.position,
                            internal::Str(payload), sink);
                      });
  Status s = slot_->Account(detail::HookKind::kSignal, a.code, a.output,
                            "health event " + std::to_string(event.position),
                            a.timed_out);
  host_->AfterHook();
  return s;
}

inline Status LoadedPlugin::Tick() {
  if (!slot_->asks_ticks) {
    return FailedPrecondition("plugin " + name() +
                              " does not ask for ticks (Setup::WantTicks)");
  }
  if (!slot_->has_tick_hook) {
    return FailedPrecondition("plugin " + name() +
                              " asks for ticks but has no on_tick hook (built "
                              "with an ABI 1.0 SDK?)");
  }
  if (Status s = slot_->Rejection(); !s.ok()) return s;
  Status s;
  {
    std::lock_guard<std::mutex> one_tick(slot_->tick_mu);
    const int64_t now = host_->NowMicros();
    detail::HookAnswer a =
        detail::RunHook(*slot_, CallContext::Hook::kTick, "",
                        slot_->call_timeout_ms, [&](retain_sink* sink) {
                          return slot_->module->retain_plugin_on_tick(
                              slot_->instance, now, sink);
                        });
    s = slot_->Account(detail::HookKind::kTick, a.code, a.output, "tick",
                       a.timed_out);
  }
  host_->AfterHook();
  return s;
}

inline Result<std::optional<std::string>> LoadedPlugin::RunAccountHook(
    CallContext::Hook hook, AccountHook fn, const std::string& tenant,
    const std::string& account_id) {
  if (Status s = slot_->Rejection(); !s.ok()) return s;
  detail::HookAnswer a = detail::RunHook(
      *slot_, hook, "", slot_->report_timeout_ms, [&](retain_sink* sink) {
        return fn(slot_->instance, internal::Str(tenant),
                  internal::Str(account_id), sink);
      });
  Status s = slot_->Account(detail::HookKind::kReport, a.code, a.output, "",
                            a.timed_out);
  host_->AfterHook();
  if (s.code() == Code::kNotFound) return std::optional<std::string>();
  if (!s.ok()) return s;
  return std::optional<std::string>(std::move(a.output));
}

inline Result<std::optional<Section>> LoadedPlugin::ReportSection(
    const std::string& tenant, const std::string& account_id) {
  if (!slot_->report_section) {
    return FailedPrecondition(
        "plugin " + name() +
        " provides no report section (Setup::ProvideReportSection)");
  }
  auto out = RunAccountHook(CallContext::Hook::kReportSection,
                            slot_->module->retain_plugin_on_report_section,
                            tenant, account_id);
  if (!out.ok()) return out.status();
  if (!out->has_value()) return std::optional<Section>();
  Section section;
  if (!codec::DecodeSection(**out, &section)) {
    // The server drops it with a warning in its log.
    return Status(Code::kDataLoss,
                  "plugin " + name() + " wrote a malformed report section");
  }
  return std::optional<Section>(std::move(section));
}

inline Result<std::optional<HealthComponent>>
LoadedPlugin::AccountHealthComponent(const std::string& tenant,
                                     const std::string& account_id) {
  if (slot_->component_name.empty()) {
    return FailedPrecondition(
        "plugin " + name() +
        " provides no health component (Setup::ProvideHealthComponent)");
  }
  auto answer = RunAccountHook(CallContext::Hook::kHealthComponent,
                               slot_->module->retain_plugin_on_health_component,
                               tenant, account_id);
  if (!answer.ok()) return answer.status();
  if (!answer->has_value()) return std::optional<HealthComponent>();
  const std::string& out = **answer;
  HealthComponent c;
  if (!codec::DecodeComponent(out, &c)) {
    return Status(Code::kDataLoss,
                  "plugin " + name() + " wrote a malformed health component");
  }
  // As the server completes it (fan_out.cc, CompleteComponent).
  c.name = slot_->component_name;
  c.weight = slot_->component_weight;
  c.effective_weight = 0;
  c.score = std::clamp(c.score, 0.0, 10.0);
  c.source = name();
  return std::optional<HealthComponent>(std::move(c));
}

inline bool LoadedPlugin::parked() const { return slot_->parked(); }
inline int LoadedPlugin::consecutive_failures() const {
  return slot_->consecutive_failures();
}
inline int LoadedPlugin::failures() const { return slot_->failures(); }
inline std::string LoadedPlugin::last_error() const {
  return slot_->last_error();
}
inline bool LoadedPlugin::loaded() const { return slot_->loaded(); }
inline int64_t LoadedPlugin::delivery_cursor() const {
  std::lock_guard<std::mutex> lock(host_->world_.mu);
  auto it = host_->cursors_.find(slot_->name);
  return it == host_->cursors_.end() ? 0 : it->second;
}

inline Status LoadedPlugin::Resume() {
  if (Status s = slot_->Resume(); !s.ok()) return s;
  host_->AfterHook();  // the server wakes delivery
  return Status();
}

inline void LoadedPlugin::Unload() {
  {
    std::lock_guard<std::mutex> lock(host_->world_.mu);
    if (!slot_->loaded()) return;
    // Callbacks in flight finish; later ones get UNAVAILABLE.
    slot_->SetLoaded(false);
    auto& slots = host_->slots_;
    slots.erase(std::remove(slots.begin(), slots.end(), slot_), slots.end());
  }
  slot_->module->retain_plugin_on_destroy(slot_->instance);
  slot_->instance = nullptr;
}

}  // namespace retain::sdk::testing

#endif  // RETAIN_SDK_TESTING_FAKE_HOST_H_
