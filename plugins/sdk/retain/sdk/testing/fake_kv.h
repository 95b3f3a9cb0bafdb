// Part of the fake host (retain_plugin_testing.h): the plugins' key-value
// store in memory, with the server's semantics, so what a plugin reads back
// in a test is what it reads back from the server:
//   - one namespace per plugin (its name), each key scoped to its tenant
//     and stored as "<len(tenant)>:<tenant><key>" (core/store/tenant_key.h);
//   - Apply: every op of a batch in order, all or none;
//   - Scan: keys starting with `prefix` and > `start_after`, in byte order,
//     at most `limit` (the host's 0 -> 100, > 1000 -> 1000 happens in the
//     fake host's callback), exactly as the SQLite query of
//     core/store/sqlite_store.cc answers it (a byte range, so a prefix
//     with non-ASCII bytes works like any other);
//   - Tenants: the tenants with at least one entry, in order.
//   - Versions (ABI 1.2): one commit counter for the whole store (every
//     namespace), advanced by each batch that writes something; every key
//     a batch writes gets the batch's number, so a key written again (also
//     after a delete) never gets a version it had before; 0 is "no such
//     key". ApplyIf checks every precondition before it writes anything
//     (core/store/sqlite_store.cc, KvApplyIf).
// Not thread-safe by itself: the fake host holds its lock around it.
#ifndef RETAIN_SDK_TESTING_FAKE_KV_H_
#define RETAIN_SDK_TESTING_FAKE_KV_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "retain/sdk/status.h"
#include "retain/sdk/types.h"

namespace retain::sdk::testing {

class FakeKv {
 public:
  // core/store/tenant_key.h
  static std::string TenantKey(const std::string& tenant,
                               const std::string& key) {
    return std::to_string(tenant.size()) + ":" + tenant + key;
  }
  static bool SplitTenantKey(const std::string& stored, std::string* tenant,
                             std::string* key) {
    const size_t colon = stored.find(':');
    if (colon == std::string::npos || colon == 0 || colon > 10) return false;
    size_t len = 0;
    for (size_t i = 0; i < colon; ++i) {
      if (stored[i] < '0' || stored[i] > '9') return false;
      len = len * 10 + static_cast<size_t>(stored[i] - '0');
    }
    if (len > stored.size() - colon - 1) return false;
    *tenant = stored.substr(colon + 1, len);
    *key = stored.substr(colon + 1 + len);
    return true;
  }

  std::optional<std::string> Get(const std::string& ns,
                                 const std::string& tenant,
                                 const std::string& key) const {
    KvEntry e = Read(ns, tenant, key);
    if (e.version == 0) return std::nullopt;
    return e.value;
  }
  // The entry with its version; version 0 (and no value) when absent.
  KvEntry Read(const std::string& ns, const std::string& tenant,
               const std::string& key) const {
    KvEntry e;
    e.key = key;
    auto n = spaces_.find(ns);
    if (n == spaces_.end()) return e;
    auto it = n->second.find(TenantKey(tenant, key));
    if (it == n->second.end()) return e;
    e.value = it->second.value;
    e.version = it->second.version;
    return e;
  }

  // The first precondition that does not hold: its index and the key's
  // version (0: absent).
  struct Conflict {
    size_t index = 0;
    int64_t actual_version = 0;
  };

  // Applies the ops in order if every precondition holds (ABORTED, and
  // *conflict, when one does not; nothing written). Returns the version
  // the written keys now have (0 when `ops` is empty). When `fail` is set
  // it undoes them all and returns it instead (what a failed commit leaves
  // behind: nothing).
  Result<int64_t> ApplyIf(const std::string& ns, const std::string& tenant,
                          const std::vector<KvPrecondition>& preconditions,
                          const std::vector<KvOp>& ops,
                          const Status& fail = Status(),
                          Conflict* conflict = nullptr) {
    for (size_t i = 0; i < preconditions.size(); ++i) {
      const int64_t actual = Read(ns, tenant, preconditions[i].key).version;
      if (actual != preconditions[i].version) {
        if (conflict != nullptr) *conflict = {i, actual};
        return Status(Code::kAborted,
                      "precondition " + std::to_string(i) +
                          " failed: key has version " + std::to_string(actual) +
                          ", expected " +
                          std::to_string(preconditions[i].version));
      }
    }
    if (!fail.ok()) return fail;
    if (ops.empty()) return int64_t{0};
    Table& table = spaces_[ns];
    const int64_t version = ++version_;
    for (const KvOp& op : ops) {
      std::string stored = TenantKey(tenant, op.key);
      if (op.value) {
        table[stored] = {*op.value, version};
      } else {
        table.erase(stored);
      }
    }
    return version;
  }
  Status Apply(const std::string& ns, const std::string& tenant,
               const std::vector<KvOp>& ops, const Status& fail = Status()) {
    return ApplyIf(ns, tenant, {}, ops, fail).status();
  }
  // The number of the last commit that wrote something.
  int64_t version() const { return version_; }

  // `start_after` empty: from the beginning. `limit` >= 1.
  std::vector<KvEntry> Scan(const std::string& ns, const std::string& tenant,
                            const std::string& prefix,
                            const std::string& start_after,
                            size_t limit) const {
    std::vector<KvEntry> out;
    auto n = spaces_.find(ns);
    if (n == spaces_.end()) return out;
    const Table& table = n->second;
    const std::string stored_prefix = TenantKey(tenant, prefix);
    const std::string stored_after =
        start_after.empty() ? "" : TenantKey(tenant, start_after);
    auto emit = [&](const std::string& stored, const Stored& v) {
      out.push_back(
          {stored.substr(TenantKey(tenant, "").size()), v.value, v.version});
    };
    // The query's "key > prefix" skips the key equal to the prefix, which
    // is added first when the scan starts from the beginning.
    if (stored_after.empty()) {
      auto exact = table.find(stored_prefix);
      if (exact != table.end()) emit(exact->first, exact->second);
    }
    const std::string& lower =
        stored_after > stored_prefix ? stored_after : stored_prefix;
    for (auto it = table.upper_bound(lower);
         it != table.end() && out.size() < limit &&
         it->first.compare(0, stored_prefix.size(), stored_prefix) == 0;
         ++it) {
      emit(it->first, it->second);
    }
    return out;
  }

  std::vector<std::string> Tenants(const std::string& ns) const {
    std::set<std::string> tenants;
    auto n = spaces_.find(ns);
    if (n != spaces_.end()) {
      for (const auto& [stored, value] : n->second) {
        std::string tenant, key;
        if (SplitTenantKey(stored, &tenant, &key)) tenants.insert(tenant);
      }
    }
    return {tenants.begin(), tenants.end()};
  }

  // Every entry of one tenant, key order (for tests to inspect).
  std::map<std::string, std::string> Entries(const std::string& ns,
                                             const std::string& tenant) const {
    std::map<std::string, std::string> out;
    for (const KvEntry& e : Scan(ns, tenant, "", "", static_cast<size_t>(-1))) {
      out[e.key] = e.value;
    }
    return out;
  }

 private:
  struct Stored {
    std::string value;
    int64_t version = 0;
  };
  using Table = std::map<std::string, Stored>;

  std::map<std::string, Table> spaces_;
  int64_t version_ = 0;
};

}  // namespace retain::sdk::testing

#endif  // RETAIN_SDK_TESTING_FAKE_KV_H_
