// One attempt of Host::Update, a read-modify-write of KV state by
// compare-and-set (ABI 1.2): what the attempt read, with versions, and what
// it writes. Host::Update commits the writes only if no key the attempt
// read has changed since, and otherwise runs the attempt again on fresh
// reads, so concurrent writers need no lock and lose no update.
//
// Reads: the keys given to Update come from one snapshot, before fn runs;
// Get reads any other key the first time it is asked for (a key learnt from
// a value, say). Every key read, present or not, is a precondition of the
// write: an absent key must still be absent. A key Get reads late comes
// from a later snapshot than the others, which is fine: the commit checks
// every version at once, so an attempt that saw two different moments
// never commits. Scans are not preconditions (a key added under a prefix
// changes no version you read): to guard "no new entry", read a key every
// insert writes too, e.g. the counter that numbers them.
//
// Not thread-safe: one attempt belongs to the fn running it.
#ifndef RETAIN_SDK_KV_UPDATE_H_
#define RETAIN_SDK_KV_UPDATE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "retain/sdk/status.h"
#include "retain/sdk/types.h"

namespace retain::sdk {

class KvUpdate {
 public:
  // Reads keys from one snapshot, with versions (Host::KvRead).
  using Reader =
      std::function<Result<KvSnapshot>(const std::vector<std::string>& keys)>;

  KvUpdate(Reader read, int attempt)
      : read_(std::move(read)), attempt_(attempt) {}

  // 1 for the first attempt, 2 for the first retry, ...
  int attempt() const { return attempt_; }

  // The value of `key` as the store held it (nullopt: absent); the writes
  // of this attempt are not reflected. A key not read yet is read now.
  Result<std::optional<std::string>> Get(const std::string& key) {
    if (Status s = Read({key}); !s.ok()) return s;
    const KvEntry& e = seen_.at(key);
    if (e.version == 0) return std::optional<std::string>();
    return std::optional<std::string>(e.value);
  }
  // The version read for `key`: 0 when absent; reads it when not read yet.
  Result<int64_t> Version(const std::string& key) {
    if (Status s = Read({key}); !s.ok()) return s;
    return seen_.at(key).version;
  }
  // Reads the keys not read yet, from one snapshot.
  Status Read(const std::vector<std::string>& keys) {
    std::vector<std::string> missing;
    for (const auto& k : keys) {
      if (!seen_.count(k)) missing.push_back(k);
    }
    if (missing.empty()) return Status();
    auto snap = read_(missing);
    if (!snap.ok()) return snap.status();
    if (snap->values.size() != missing.size()) {
      return Internal("KvRead answered " + std::to_string(snap->values.size()) +
                      " values for " + std::to_string(missing.size()) +
                      " keys");
    }
    for (size_t i = 0; i < missing.size(); ++i) {
      KvEntry e = std::move(snap->values[i]);
      e.key = missing[i];
      seen_.emplace(missing[i], std::move(e));
    }
    ++snapshots_;
    return Status();
  }

  // Writes, applied in order if the attempt commits (a later op on a key
  // wins).
  void Put(std::string key, std::string value) {
    ops_.push_back({std::move(key), std::move(value)});
  }
  void Delete(std::string key) {
    ops_.push_back({std::move(key), std::nullopt});
  }
  void Apply(KvOp op) { ops_.push_back(std::move(op)); }

  const std::vector<KvOp>& ops() const { return ops_; }
  // Every key read, at the version read: what the commit checks.
  std::vector<KvPrecondition> preconditions() const {
    std::vector<KvPrecondition> out;
    out.reserve(seen_.size());
    for (const auto& [key, e] : seen_) out.push_back({key, e.version});
    return out;
  }
  // How many snapshots the reads came from (more than one: an attempt that
  // writes nothing still has its reads checked, so what fn decided on was
  // one moment of the store).
  int snapshots() const { return snapshots_; }

 private:
  Reader read_;
  int attempt_;
  int snapshots_ = 0;
  std::map<std::string, KvEntry> seen_;
  std::vector<KvOp> ops_;
};

}  // namespace retain::sdk

#endif  // RETAIN_SDK_KV_UPDATE_H_
