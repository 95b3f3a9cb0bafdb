// One plugin's dead letters: the signals its delivery gave up on after
// signal_retry_limit failed attempts, kept in the store until retried
// successfully or dropped (docs/decisions/0018-dead-letters.md).
//
// Namespace "_host/dead_letters/<plugin>" holds one entry per dead letter,
// keyed by tenant (store/tenant_key.h) and zero-padded seq, its value a
// serialized retain.plugin.v1.DeadLetter; and the entry "watermark": the
// highest seq delivery set aside. Delivery goes in seq order, so setting a
// signal aside means every earlier one was dealt with: the watermark is a
// second delivery cursor, written in the same batch as the dead letter, and
// delivery starts from the larger of the two. A crash between the dead
// letter and the cursor neither loses the dead letter nor hands the signal
// to the plugin again.
#ifndef RETAIN_CORE_PLUGIN_HOST_DEAD_LETTERS_H_
#define RETAIN_CORE_PLUGIN_HOST_DEAD_LETTERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/store/store.h"
#include "retain/plugin/v1/plugin_service.pb.h"

namespace retain::plugin_host {

using plugin::v1::DeadLetter;

// One run of failed attempts at a signal.
struct DeliveryFailure {
  int attempts = 0;
  std::string error;     // the plugin's error on the last attempt
  std::string error_id;  // its log line
  absl::Time first = absl::InfinitePast();
  absl::Time last = absl::InfinitePast();
};

class DeadLetters {
 public:
  // The most a page, a seq list or one retry of "all" holds.
  static constexpr int kMaxBatch = 1000;

  DeadLetters(store::Store* store, std::string plugin);

  static std::string Namespace(const std::string& plugin);

  // The highest seq delivery set aside; 0 when it never did.
  absl::StatusOr<int64_t> Watermark();

  // Sets `sig` aside after delivery gave up on it and moves the watermark
  // past it, in one store batch. A dead letter already there for the same
  // seq (written just before a crash, or retried before) is merged, not
  // duplicated: attempts add up, the first failure time stays.
  absl::StatusOr<DeadLetter> SetAside(const store::StoredSignal& sig,
                                      const DeliveryFailure& failure);
  // A retried dead letter failed again: the same merge, the watermark
  // untouched. Nothing is written when it was dropped meanwhile (nullopt).
  absl::StatusOr<std::optional<DeadLetter>> FailedAgain(
      const DeadLetter& letter, const DeliveryFailure& failure);

  struct Page {
    std::vector<DeadLetter> letters;
    std::string next_token;
  };
  // `tenant` empty: every tenant's. page_size 0 means 100; INVALID_ARGUMENT
  // naming page_size or page_token when either is bad.
  absl::StatusOr<Page> List(const std::string& tenant, int page_size,
                            const std::string& page_token);
  // The dead letters with these seqs (of `tenant`; any when empty), in seq
  // order; NOT_FOUND naming the first seq that has none.
  absl::StatusOr<std::vector<DeadLetter>> Find(const std::string& tenant,
                                               std::vector<int64_t> seqs);
  // The oldest `limit` of `tenant` (every tenant's when empty); `more` is
  // set when there are others.
  absl::StatusOr<std::vector<DeadLetter>> First(const std::string& tenant,
                                                int limit, bool* more);

  // Removes these; returns how many were still there.
  absl::StatusOr<int64_t> Remove(const std::vector<DeadLetter>& letters);
  // Removes every dead letter of `tenant` (every tenant's when empty).
  absl::StatusOr<int64_t> RemoveAll(const std::string& tenant);

 private:
  absl::StatusOr<std::optional<DeadLetter>> Get(const std::string& key);
  // Entries of `tenant` (all when empty) with keys after `after`.
  absl::StatusOr<std::vector<std::pair<std::string, DeadLetter>>> Scan(
      const std::string& tenant, const std::string& after, int limit);

  store::Store* store_;
  const std::string ns_;
  // Read-merge-write of one entry happens under it, so a drop and a failed
  // retry of the same dead letter never interleave.
  absl::Mutex mu_;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_DEAD_LETTERS_H_
