// Part of the fake host (retain_plugin_testing.h): what the server knows,
// in memory: the clock, accounts and their health, the durable signal log,
// the plugins' key-value store, and what plugins emitted (alerts, signals,
// log lines). It answers the host callbacks' requests with the server's
// rules and messages (core/plugin_host/host_callbacks.cc and the engine
// behind it), bytes in and bytes out, so the plugin's real SDK code
// encodes every request and decodes every answer. Not thread-safe by
// itself: the fake host holds its lock around every call.
#ifndef RETAIN_SDK_TESTING_FAKE_WORLD_H_
#define RETAIN_SDK_TESTING_FAKE_WORLD_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "retain/sdk/detail/codec.h"
#include "retain/sdk/status.h"
#include "retain/sdk/testing/fake_kv.h"
#include "retain/sdk/testing/signal_rules.h"
#include "retain/sdk/types.h"
#include "retain/sdk/wire.h"
#include "retain_account_name.h"
#include "retain_plugin_abi.h"

namespace retain::sdk::testing {

// The tenant of a single-tenant server, and of tests that do not say.
inline constexpr char kDefaultTenant[] = "default";
// Where a fake host's clock starts: 2025-01-01T00:00:00Z.
inline constexpr int64_t kDefaultStartMicros = 1735689600 * kMicrosPerSecond;

// A line a plugin logged (Host::Info, Warning, Error, Log).
struct LogLine {
  std::string plugin{};
  int32_t level = RETAIN_LOG_INFO;  // RETAIN_LOG_DEBUG ... RETAIN_LOG_ERROR
  std::string message{};
};

// An alert a plugin published (Host::PublishAlert).
struct Alert {
  std::string tenant{};
  std::string plugin{};  // set by the host, as the server does
  std::string account_id{};
  std::string code{};
  std::string message{};
  int32_t severity = 0;  // AlertSeverity's numbers; 0 = unspecified
};

class FakeWorld {
 public:
  explicit FakeWorld(int64_t now_micros) : now_(now_micros) {}

  // --- Clock.
  int64_t now() const { return now_; }
  void set_now(int64_t micros) { now_ = micros; }

  // --- Accounts and health, as the test sets them.
  Status PutAccount(const std::string& tenant, Account a) {
    if (a.id.empty()) a.id = names::AccountIdOf(a.name);
    if (!names::IsValidAccountId(a.id)) {
      return InvalidArgument(
          "account id: must be 1-63 characters of [a-z0-9-_.] starting with "
          "a letter or digit, got \"" +
          a.id + "\"");
    }
    a.name = names::AccountName(a.id);
    accounts_[tenant][a.id] = std::move(a);
    return Status();
  }
  const Account* FindAccount(const std::string& tenant,
                             const std::string& id) const {
    auto t = accounts_.find(tenant);
    if (t == accounts_.end()) return nullptr;
    auto a = t->second.find(id);
    return a == t->second.end() ? nullptr : &a->second;
  }
  void SetHealth(const std::string& tenant, Health h) {
    const std::string id = names::AccountIdOf(h.account);
    h.account = names::AccountName(id);
    health_[tenant][id] = std::move(h);
  }

  // --- The signal log. Ingests signals as the server does: every rule
  // checked first (INVALID_ARGUMENT naming "<path>[i].field"), then all
  // appended or none; a signal_id the tenant already has is a no-op.
  // `encoded` holds each signal's size serialized (0: encode it here).
  // Returns each signal's seq (the earlier one for a duplicate).
  Result<std::vector<int64_t>> Ingest(const std::string& tenant,
                                      std::vector<Signal> signals,
                                      const std::string& path,
                                      std::vector<size_t> encoded = {}) {
    if (signals.empty()) {
      return InvalidArgument(path + ": at least one is required");
    }
    if (signals.size() > signal_rules::kMaxBatchSignals) {
      return InvalidArgument(
          path + ": at most " + std::to_string(signal_rules::kMaxBatchSignals) +
          " per batch, got " + std::to_string(signals.size()));
    }
    for (size_t i = 0; i < signals.size(); ++i) {
      const Signal& s = signals[i];
      const std::string at = path + "[" + std::to_string(i) + "]";
      const size_t size =
          i < encoded.size() ? encoded[i] : codec::EncodeSignal(s).size();
      if (Status st = signal_rules::Check(s, at, now_, size); !st.ok()) {
        return st;
      }
      const Account* account = FindAccount(tenant, s.account_id);
      if (account == nullptr) {
        return InvalidArgument(at + ".account: no account \"" +
                               names::AccountName(s.account_id) + "\"");
      }
      if (Status st = CheckArr(*account, s, at); !st.ok()) return st;
    }
    std::vector<int64_t> seqs;
    for (Signal& s : signals) {
      auto seen = ids_.find({tenant, s.signal_id});
      if (seen != ids_.end()) {
        seqs.push_back(seen->second);
        continue;
      }
      s.tenant = tenant;
      s.seq = static_cast<int64_t>(log_.size()) + 1;
      s.record_micros = now_;
      ids_[{tenant, s.signal_id}] = s.seq;
      seqs.push_back(s.seq);
      log_.push_back(std::move(s));
    }
    return seqs;
  }
  const std::vector<Signal>& log() const { return log_; }
  // The log entry as the host hands it to on_signal and list_signals: the
  // signal with its record time and kind.
  static std::string Stored(const Signal& s) {
    std::string bytes = codec::EncodeSignal(s);
    wire::Writer extra;
    extra.TimestampMicros(4, s.record_micros);
    extra.Int(5, static_cast<int32_t>(s.kind));
    return bytes + extra.data();
  }

  // --- What plugins emitted.
  std::vector<Alert>& alerts() { return alerts_; }
  const std::vector<Alert>& alerts() const { return alerts_; }
  const std::vector<Signal>& emitted() const { return emitted_; }
  std::vector<LogLine>& logs() { return logs_; }
  const std::vector<LogLine>& logs() const { return logs_; }
  FakeKv& kv() { return kv_; }
  const FakeKv& kv() const { return kv_; }
  // The next KV write of any plugin (kv_apply, or a kv_apply_if whose
  // preconditions hold) fails with `s` and changes nothing.
  void FailNextKvApply(Status s) { kv_apply_failure_ = std::move(s); }
  Status TakeKvApplyFailure() { return std::exchange(kv_apply_failure_, {}); }

  // --- The host callbacks' answers: request bytes in, response bytes (or
  // the error status) out. `ns` is the calling plugin's KV namespace.

  Result<std::string> KvGet(const std::string& ns, const std::string& tenant,
                            std::string_view request) const {
    std::string key;
    wire::Reader r(request);
    while (r.Next()) {
      if (r.field() == 1) key = r.AsString();
    }
    if (!r.ok()) return Malformed("KvGetRequest");
    auto v = kv_.Get(ns, tenant, key);
    wire::Writer w;
    if (v) {
      w.Bool(1, true);
      w.String(2, *v);
    }
    return w.Take();
  }

  Result<std::string> KvApply(const std::string& ns, const std::string& tenant,
                              std::string_view request) {
    std::vector<KvOp> ops;
    wire::Reader r(request);
    while (r.Next()) {
      if (r.field() != 1) continue;
      KvOp op;
      if (!codec::DecodeKvOp(r.AsBytes(), &op)) return Malformed("KvBatch");
      ops.push_back(std::move(op));
    }
    if (!r.ok()) return Malformed("KvBatch");
    Status s = kv_.Apply(ns, tenant, ops, TakeKvApplyFailure());
    if (!s.ok()) return s;
    return std::string();
  }

  // ABI 1.2: keys and one optional scan, from one snapshot (the fake's
  // lock), each entry with its version.
  Result<std::string> KvRead(const std::string& ns, const std::string& tenant,
                             std::string_view request) const {
    std::vector<std::string> keys;
    std::optional<KvRange> range;
    wire::Reader r(request);
    while (r.Next()) {
      if (r.field() == 1) keys.push_back(r.AsString());
      if (r.field() == 2) {
        KvRange scan;
        if (!codec::DecodeKvRange(r.AsBytes(), &scan)) {
          return Malformed("KvReadRequest");
        }
        range = std::move(scan);
      }
    }
    if (!r.ok()) return Malformed("KvReadRequest");
    if (keys.size() > kMaxReadKeys) {
      return InvalidArgument(
          "KvReadRequest.keys: at most " + std::to_string(kMaxReadKeys) +
          " keys per read, got " + std::to_string(keys.size()));
    }
    KvSnapshot snap;
    for (const auto& k : keys) snap.values.push_back(kv_.Read(ns, tenant, k));
    if (range) {
      const int32_t limit =
          range->limit <= 0 ? 100 : std::min(range->limit, 1000);
      snap.entries = kv_.Scan(ns, tenant, range->prefix, range->start_after,
                              static_cast<size_t>(limit));
    }
    return codec::EncodeKvSnapshot(snap);
  }

  // ABI 1.2: the ops, all or none, only if every precondition holds;
  // ABORTED naming the first key whose precondition failed.
  Result<std::string> KvApplyIf(const std::string& ns,
                                const std::string& tenant,
                                std::string_view request) {
    std::vector<KvPrecondition> preconditions;
    std::vector<KvOp> ops;
    wire::Reader r(request);
    while (r.Next()) {
      if (r.field() == 1) {
        KvPrecondition p;
        wire::Reader c(r.AsBytes());
        while (c.Next()) {
          if (c.field() == 1) p.key = c.AsString();
          if (c.field() == 2) p.version = c.AsInt64();
        }
        if (!c.ok()) return Malformed("KvApplyIfRequest");
        preconditions.push_back(std::move(p));
      }
      if (r.field() == 2) {
        KvOp op;
        if (!codec::DecodeKvOp(r.AsBytes(), &op)) {
          return Malformed("KvApplyIfRequest");
        }
        ops.push_back(std::move(op));
      }
    }
    if (!r.ok()) return Malformed("KvApplyIfRequest");
    for (size_t i = 0; i < preconditions.size(); ++i) {
      if (preconditions[i].version < 0) {
        return InvalidArgument(
            "KvApplyIfRequest.preconditions[" + std::to_string(i) +
            "].version must be >= 0 (0: the key must not exist), got " +
            std::to_string(preconditions[i].version));
      }
    }
    // The preconditions first (no ops: nothing written), then the commit,
    // which FailNextKvApply may fail.
    FakeKv::Conflict conflict;
    auto checked =
        kv_.ApplyIf(ns, tenant, preconditions, {}, Status(), &conflict);
    if (checked.status().code() == Code::kAborted) {
      // As host_callbacks.cc words it.
      const KvPrecondition& want = preconditions[conflict.index];
      auto state = [](int64_t v) {
        return v == 0 ? std::string("does not exist")
                      : "has version " + std::to_string(v);
      };
      return Status(Code::kAborted,
                    "key \"" + want.key + "\" " +
                        state(conflict.actual_version) +
                        "; the precondition wants it " +
                        (want.version == 0
                             ? std::string("not to exist")
                             : "at version " + std::to_string(want.version)) +
                        " (nothing written)");
    }
    if (!checked.ok()) return checked.status();
    auto version = kv_.ApplyIf(ns, tenant, {}, ops, TakeKvApplyFailure());
    if (!version.ok()) return version.status();
    wire::Writer w;
    w.Int(1, *version);
    return w.Take();
  }

  Result<std::string> KvScan(const std::string& ns, const std::string& tenant,
                             std::string_view request) const {
    std::string prefix, start_after;
    int32_t limit = 0;
    wire::Reader r(request);
    while (r.Next()) {
      if (r.field() == 1) prefix = r.AsString();
      if (r.field() == 2) start_after = r.AsString();
      if (r.field() == 3) limit = r.AsInt32();
    }
    if (!r.ok()) return Malformed("KvScanRequest");
    limit = limit <= 0 ? 100 : std::min(limit, 1000);
    wire::Writer w;
    for (const KvEntry& e : kv_.Scan(ns, tenant, prefix, start_after,
                                     static_cast<size_t>(limit))) {
      wire::Writer entry;
      entry.String(1, e.key);
      entry.String(2, e.value);
      w.Message(1, entry);
    }
    return w.Take();
  }

  Result<std::string> ListTenants(const std::string& ns,
                                  std::string_view request) const {
    wire::Reader r(request);
    while (r.Next()) {
    }
    if (!r.ok()) return Malformed("ListTenantsRequest");
    wire::Writer w;
    for (const auto& t : kv_.Tenants(ns)) w.Bytes(1, t);
    return w.Take();
  }

  Result<std::string> GetAccount(const std::string& tenant,
                                 std::string_view request) const {
    std::string name;
    wire::Reader r(request);
    while (r.Next()) {
      if (r.field() == 1) name = r.AsString();
    }
    if (!r.ok()) return Malformed("GetAccountRequest");
    const std::string id = names::AccountIdOf(name);
    if (Status s = CheckAccountName(names::AccountName(id), "name"); !s.ok()) {
      return s;
    }
    const Account* a = FindAccount(tenant, id);
    if (a == nullptr) return NoAccount(names::AccountName(id));
    return codec::EncodeAccount(*a);
  }

  // Name order, filtered and paged like AccountService.ListAccounts (the
  // server also ends a page at 3 MiB, which a test never reaches).
  Result<std::string> ListAccounts(const std::string& tenant,
                                   std::string_view request) const {
    int32_t page_size = 0, segment = 0, stage = 0, band = 0;
    std::string token, csm_owner;
    wire::Reader r(request);
    while (r.Next()) {
      switch (r.field()) {
        case 1:
          page_size = r.AsInt32();
          break;
        case 2:
          token = r.AsString();
          break;
        case 3:
          segment = r.AsInt32();
          break;
        case 4:
          csm_owner = r.AsString();
          break;
        case 5:
          stage = r.AsInt32();
          break;
        case 6:
          band = r.AsInt32();
          break;
      }
    }
    if (!r.ok()) return Malformed("ListAccountsRequest");
    if (Status s = CheckBytes("csm_owner", csm_owner, 256); !s.ok()) return s;
    if (Status s = CheckBytes("page_token", token, 256); !s.ok()) return s;
    if (page_size < 0 || page_size > 1000) {
      return InvalidArgument("page_size: must be 0-1000, got " +
                             std::to_string(page_size));
    }
    if (page_size == 0) page_size = 50;
    std::string after;
    if (!token.empty()) {
      if (token.compare(0, 2, "a:") != 0) {
        return InvalidArgument(
            "page_token: not a token from a previous response");
      }
      after = token.substr(2);
    }
    wire::Writer w;
    std::string next, last;
    int32_t total = 0, taken = 0;
    auto t = accounts_.find(tenant);
    if (t != accounts_.end()) {
      for (const auto& [id, a] : t->second) {
        if (segment != 0 && a.segment != segment) continue;
        if (!csm_owner.empty() && a.csm_owner != csm_owner) continue;
        if (stage != 0 && a.lifecycle_stage != stage) continue;
        if (band != 0 && a.health_band != band) continue;
        ++total;
        if (!after.empty() && id <= after) continue;
        if (taken < page_size) {
          w.Bytes(1, codec::EncodeAccount(a));
          ++taken;
          last = id;
          continue;
        }
        if (next.empty()) next = "a:" + last;
      }
    }
    w.String(2, next);
    w.Int(3, total);
    return w.Take();
  }

  // One account's signals by occur time (then seq), filtered and paged
  // like SignalService.ListSignals.
  Result<std::string> ListSignals(const std::string& tenant,
                                  std::string_view request) const {
    std::string name, token;
    int32_t kind = 0, page_size = 0;
    int64_t start = 0, end = 0;
    bool has_start = false, has_end = false;
    wire::Reader r(request);
    while (r.Next()) {
      switch (r.field()) {
        case 1:
          name = r.AsString();
          break;
        case 2:
          kind = r.AsInt32();
          break;
        case 3:
          start = r.AsTimestampMicros();
          has_start = true;
          break;
        case 4:
          end = r.AsTimestampMicros();
          has_end = true;
          break;
        case 5:
          page_size = r.AsInt32();
          break;
        case 6:
          token = r.AsString();
          break;
      }
    }
    if (!r.ok()) return Malformed("ListSignalsRequest");
    std::string id;
    if (name.empty()) {
      return InvalidArgument(
          "account: is required (\"accounts/{account_id}\")");
    }
    if (!names::SplitAccountName(name, &id)) {
      return CheckAccountName(name, "account");
    }
    if (Status s = CheckBytes("page_token", token, 256); !s.ok()) return s;
    if (page_size < 0 || page_size > 1000) {
      return InvalidArgument("page_size: must be 0-1000, got " +
                             std::to_string(page_size));
    }
    if (page_size == 0) page_size = 100;
    bool has_after = false;
    int64_t after_us = 0, after_seq = 0;
    if (!token.empty()) {
      if (!ParseSignalToken(token, &after_us, &after_seq)) {
        return InvalidArgument(
            "page_token: not a token from a previous response");
      }
      has_after = true;
    }
    if (FindAccount(tenant, id) == nullptr) return NoAccount(name);
    std::vector<const Signal*> mine;
    for (const Signal& s : log_) {
      if (s.tenant == tenant && s.account_id == id) mine.push_back(&s);
    }
    std::stable_sort(mine.begin(), mine.end(),
                     [](const Signal* a, const Signal* b) {
                       return a->occur_micros < b->occur_micros;
                     });
    wire::Writer w;
    int32_t taken = 0;
    const Signal* last = nullptr;
    bool more = false;
    for (const Signal* s : mine) {
      if (has_start && s->occur_micros < start) continue;
      if (has_end && s->occur_micros >= end) continue;
      if (kind != 0 && static_cast<int32_t>(s->kind) != kind) continue;
      if (has_after && (s->occur_micros < after_us ||
                        (s->occur_micros == after_us && s->seq <= after_seq))) {
        continue;
      }
      if (taken == page_size) {
        more = true;
        break;
      }
      w.Bytes(1, Stored(*s));
      ++taken;
      last = s;
    }
    if (more && last != nullptr) {
      w.String(2, "s:" + std::to_string(last->occur_micros) + ":" +
                      std::to_string(last->seq));
    }
    return w.Take();
  }

  // The core health: as set with SetHealth, else the account's own score
  // and band without components.
  Result<std::string> GetHealth(const std::string& tenant,
                                std::string_view request) const {
    std::string name;
    wire::Reader r(request);
    while (r.Next()) {
      if (r.field() == 1) name = r.AsString();
    }
    if (!r.ok()) return Malformed("GetAccountHealthRequest");
    const std::string id = names::AccountIdOf(name);
    if (Status s = CheckAccountName(names::AccountName(id), "account");
        !s.ok()) {
      return s;
    }
    const Account* a = FindAccount(tenant, id);
    if (a == nullptr) return NoAccount(names::AccountName(id));
    auto t = health_.find(tenant);
    if (t != health_.end()) {
      auto h = t->second.find(id);
      if (h != t->second.end()) return codec::EncodeHealth(h->second);
    }
    Health h;
    h.account = a->name;
    h.score = a->health_score;
    h.band = a->health_band;
    return codec::EncodeHealth(h);
  }

  // ABI 1.3 get_account_health: the profile and the health as GetHealth
  // has it, without the components of `caller` (the plugin asking, as the
  // server leaves its own out). as_of is checked, not modelled.
  Result<std::string> GetAccountHealth(const std::string& tenant,
                                       std::string_view request,
                                       const std::string& caller) const {
    std::string id;
    int64_t as_of = 0;
    wire::Reader r(request);
    while (r.Next()) {
      if (r.field() == 1) id = r.AsString();
      if (r.field() == 2) as_of = r.AsInt64();
    }
    if (!r.ok()) return Malformed("GetAccountHealthRequest");
    if (id.empty()) {
      return InvalidArgument("GetAccountHealthRequest.account_id: required");
    }
    if (as_of < 0) {
      return InvalidArgument(
          "GetAccountHealthRequest.as_of_micros must be >= 0 (0: now), got " +
          std::to_string(as_of));
    }
    if (Status s = CheckAccountName(names::AccountName(id), "name"); !s.ok()) {
      return s;
    }
    const Account* a = FindAccount(tenant, id);
    if (a == nullptr) return NoAccount(names::AccountName(id));
    wire::Writer health_request;
    health_request.String(1, names::AccountName(id));
    auto health = GetHealth(tenant, health_request.data());
    if (!health.ok()) return health.status();
    Health h;
    codec::DecodeHealth(*health, &h);
    std::vector<HealthComponent> kept;
    for (auto& c : h.components) {
      if (c.source != caller) kept.push_back(std::move(c));
    }
    h.components = std::move(kept);
    wire::Writer w;
    w.Bytes(1, codec::EncodeAccount(*a));
    w.Bytes(2, codec::EncodeHealth(h));
    return w.Take();
  }

  // Through ingestion; durable when it answers. Remembers them as emitted.
  Result<std::string> RecordSignals(const std::string& tenant,
                                    std::string_view request) {
    std::vector<Signal> signals;
    std::vector<size_t> sizes;
    wire::Reader r(request);
    while (r.Next()) {
      if (r.field() != 1) continue;
      Signal s;
      if (!codec::DecodeSignal(r.AsBytes(), &s)) {
        return Malformed("RecordSignalsRequest");
      }
      signals.push_back(std::move(s));
      sizes.push_back(r.AsBytes().size());
    }
    if (!r.ok()) return Malformed("RecordSignalsRequest");
    const size_t before = log_.size();
    auto seqs = Ingest(tenant, std::move(signals), "signals", sizes);
    if (!seqs.ok()) return seqs.status();
    for (size_t i = before; i < log_.size(); ++i) emitted_.push_back(log_[i]);
    return std::string();
  }

  Result<std::string> PublishAlert(const std::string& plugin,
                                   const std::string& tenant,
                                   std::string_view request) {
    Alert a;
    a.tenant = tenant;
    a.plugin = plugin;
    wire::Reader r(request);
    while (r.Next()) {
      switch (r.field()) {
        case 1:
          a.account_id = r.AsString();
          break;
        case 2:
          a.code = r.AsString();
          break;
        case 3:
          a.message = r.AsString();
          break;
        case 4:
          a.severity = r.AsInt32();
          break;
      }
    }
    if (!r.ok()) return Malformed("PluginAlert");
    alerts_.push_back(std::move(a));
    return std::string();
  }

 private:
  static constexpr size_t kMaxReadKeys = 1000;

  static Status Malformed(const char* what) {
    return InvalidArgument(std::string("malformed ") + what);
  }
  static Status NoAccount(const std::string& name) {
    return NotFound("no account \"" + name + "\"");
  }
  static Status CheckBytes(const std::string& path, const std::string& value,
                           size_t max) {
    if (value.size() <= max) return Status();
    return InvalidArgument(path + ": must be at most " + std::to_string(max) +
                           " bytes, got " + std::to_string(value.size()));
  }
  // api/names.cc ParseAccountName, for a name that is not empty.
  static Status CheckAccountName(const std::string& name,
                                 const std::string& field) {
    std::string id;
    if (names::SplitAccountName(name, &id)) return Status();
    return InvalidArgument(field +
                           ": must be \"accounts/{account_id}\" with an id of "
                           "1-63 characters [a-z0-9-_.], got \"" +
                           name.substr(0, 100) + "\"");
  }
  static bool ParseSignalToken(const std::string& token, int64_t* us,
                               int64_t* seq) {
    if (token.compare(0, 2, "s:") != 0) return false;
    const size_t colon = token.find(':', 2);
    if (colon == std::string::npos) return false;
    try {
      size_t used = 0;
      const std::string a = token.substr(2, colon - 2);
      const std::string b = token.substr(colon + 1);
      *us = std::stoll(a, &used);
      if (used != a.size()) return false;
      *seq = std::stoll(b, &used);
      return used == b.size();
    } catch (...) {
      return false;
    }
  }
  // The engine's ARR bounds, against the account's ARR as the test set it
  // (the server takes the ARR at the signal's time from its history).
  static Status CheckArr(const Account& a, const Signal& s,
                         const std::string& at) {
    if (s.kind != SignalKind::kCommercial) return Status();
    const double d = s.commercial.arr_delta;
    if (s.commercial.kind == commercial_kind::kContraction && a.arr + d <= 0) {
      return InvalidArgument(at + ".commercial.arr_delta: a contraction of " +
                             signal_rules::Number(-d) + " would take ARR " +
                             signal_rules::Number(a.arr) +
                             " to 0 or below; record a CHURN instead");
    }
    if (d > 0 &&
        (s.commercial.kind == commercial_kind::kExpansion ||
         s.commercial.kind == commercial_kind::kRenewal) &&
        a.arr + d > signal_rules::kMaxArr) {
      return InvalidArgument(at + ".commercial.arr_delta: an increase of " +
                             signal_rules::Number(d) + " would take ARR " +
                             signal_rules::Number(a.arr) + " above " +
                             signal_rules::Number(signal_rules::kMaxArr));
    }
    return Status();
  }

  int64_t now_;
  std::map<std::string, std::map<std::string, Account>> accounts_;
  std::map<std::string, std::map<std::string, Health>> health_;
  std::vector<Signal> log_;  // log_[seq - 1]
  std::map<std::pair<std::string, std::string>, int64_t> ids_;
  FakeKv kv_;
  Status kv_apply_failure_;
  std::vector<Alert> alerts_;
  std::vector<Signal> emitted_;
  std::vector<LogLine> logs_;
};

}  // namespace retain::sdk::testing

#endif  // RETAIN_SDK_TESTING_FAKE_WORLD_H_
