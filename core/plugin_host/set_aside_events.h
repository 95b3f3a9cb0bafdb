// One plugin's set-aside health events: the events of the health-event
// feed (health_event_delivery.h) its delivery gave up on after
// signal_retry_limit failed attempts, kept in the store until retried
// successfully or dropped (docs/decisions/0025-health-events.md). The
// health-event counterpart of dead_letters.h, in the feed's own namespace
// "_host/health_feed/<plugin>" beside its cursors: one entry
// "set_aside/<tenant>/<position>" per event, a serialized
// retain.plugin.v1.DeadLetter with feed HEALTH_EVENT and seq = position.
// Setting an event aside moves the tenant's cursor past it in the same
// batch, so a crash neither loses the record nor redelivers the event.
#ifndef RETAIN_CORE_PLUGIN_HOST_SET_ASIDE_EVENTS_H_
#define RETAIN_CORE_PLUGIN_HOST_SET_ASIDE_EVENTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/plugin_host/dead_letters.h"
#include "core/store/store.h"
#include "retain/plugin/v1/abi.pb.h"
#include "retain/plugin/v1/plugin_service.pb.h"

namespace retain::plugin_host {

class SetAsideEvents {
 public:
  SetAsideEvents(store::Store* store, std::string plugin);

  static std::string Namespace(const std::string& plugin);
  static std::string CursorKey(const std::string& tenant);
  static std::string Key(const std::string& tenant, int64_t position);

  // Records `event` of `tenant` as set aside after `failure` and moves the
  // tenant's cursor to its position, in one store batch. A record already
  // there (written before a crash) is merged: attempts add up, the first
  // failure time stays.
  absl::StatusOr<DeadLetter> SetAside(const std::string& tenant,
                                      const plugin::v1::HealthEvent& event,
                                      const DeliveryFailure& failure);
  // A retried event failed again: the same merge, the cursor untouched.
  // Nothing is written when it was dropped meanwhile (nullopt).
  absl::StatusOr<std::optional<DeadLetter>> FailedAgain(
      const DeadLetter& letter, const DeliveryFailure& failure);

  // A page of `tenant`'s records (every tenant's when empty) after the key
  // `after` ("" from the start); `last_key` is the key of the page's last
  // record when more follow, empty otherwise.
  absl::StatusOr<std::vector<DeadLetter>> List(const std::string& tenant,
                                               const std::string& after,
                                               int limit,
                                               std::string* last_key);
  // Whether `key` is a record key of `tenant` (any tenant when empty).
  static bool IsKeyOf(const std::string& tenant, const std::string& key);
  // The records of `tenant` at these positions, in position order;
  // NOT_FOUND naming the first position that has none.
  absl::StatusOr<std::vector<DeadLetter>> Find(const std::string& tenant,
                                               std::vector<int64_t> positions);
  // The oldest `limit` of `tenant` (every tenant's when empty); `more` is
  // set when there are others.
  absl::StatusOr<std::vector<DeadLetter>> First(const std::string& tenant,
                                                int limit, bool* more);
  // Removes these; returns how many were still there.
  absl::StatusOr<int64_t> Remove(const std::vector<DeadLetter>& letters);
  // Removes every record of `tenant` (every tenant's when empty).
  absl::StatusOr<int64_t> RemoveAll(const std::string& tenant);

 private:
  absl::StatusOr<std::optional<DeadLetter>> Get(const std::string& key);

  store::Store* store_;
  const std::string ns_;
  // Read-merge-write of one record happens under it, so a drop and a failed
  // retry of the same event never interleave.
  absl::Mutex mu_;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_SET_ASIDE_EVENTS_H_
