// In-memory model of one account: its profile and the time-ordered history
// that point-in-time health and retention are computed from.
//
// Each vector holds one kind of signal, sorted by occur time (ties keep
// arrival order), so an "as of T" question reads only the entries before T
// and, for windowed rules, only the tail of that prefix.
#ifndef RETAIN_CORE_MODEL_ACCOUNT_STATE_H_
#define RETAIN_CORE_MODEL_ACCOUNT_STATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "retain/account/v1/account.pb.h"
#include "retain/signal/v1/signal.pb.h"

namespace retain::model {

using account::v1::HealthBand;
using account::v1::LifecycleStage;
using account::v1::Segment;

struct UsagePoint {
  absl::Time time;
  int32_t active_users = 0;
  int32_t window_days = 7;
};

struct TicketEvent {
  absl::Time time;
  std::string ticket_id;
  signal::v1::TicketStatus status = signal::v1::TICKET_STATUS_UNSPECIFIED;
  // Unspecified on a follow-up event means "unchanged".
  signal::v1::TicketSeverity severity = signal::v1::TICKET_SEVERITY_UNSPECIFIED;
  bool escalated = false;
};

struct SurveyPoint {
  absl::Time time;
  signal::v1::SurveyKind kind = signal::v1::SURVEY_KIND_UNSPECIFIED;
  int32_t score = 0;
  bool has_comment = false;
};

struct TouchpointPoint {
  absl::Time time;
  bool exec_involved = false;
};

// How an entry moves ARR when the history is folded in time order.
enum class ArrOp { kSet, kAdd };

struct ArrChange {
  absl::Time time;
  ArrOp op = ArrOp::kSet;
  double amount = 0;
  // The commercial event behind it; UNSPECIFIED for the ARR given at
  // creation or set by an account update.
  signal::v1::CommercialEventKind kind =
      signal::v1::COMMERCIAL_EVENT_KIND_UNSPECIFIED;
  // commercial.reason_code of a churn or contraction; empty when none.
  std::string reason_code;
};

struct PaymentPoint {
  absl::Time time;
  bool overdue = false;
};

struct LifecyclePoint {
  absl::Time time;
  LifecycleStage stage = account::v1::LIFECYCLE_STAGE_UNSPECIFIED;
};

// Whether an exec sponsor was identified, from each account create/update.
struct SponsorPoint {
  absl::Time time;
  bool has_exec_sponsor = false;
};

// Profile fields whose past values point-in-time views read
// (docs/decisions/0030-true-history.md).
enum class ProfileField : uint8_t {
  kSeats,     // number: licensed seats
  kRenewal,   // number: renewal time in Unix microseconds, unless cleared
  kOwner,     // text: CSM owner
  kSegment,   // number: segment override (0: derived from ARR)
  kTerm,      // number: contract term in months (0: 12)
  kArchived,  // number: 1 archived, 0 restored
};

// A change of one profile field: its value from `time` on. The stored
// profile keeps the values given at creation; these changes, folded in time
// order, give the value at any time. Most accounts never have one.
struct ProfileChange {
  absl::Time time;
  ProfileField field = ProfileField::kSeats;
  bool cleared = false;  // a renewal date removed
  int64_t number = 0;
  std::string text;
};

struct AccountTimeline {
  std::vector<UsagePoint> usage;
  std::vector<TicketEvent> tickets;
  std::vector<SurveyPoint> surveys;
  std::vector<TouchpointPoint> touchpoints;
  std::vector<ArrChange> arr_changes;
  std::vector<PaymentPoint> payments;
  std::vector<LifecyclePoint> lifecycle;
  std::vector<SponsorPoint> sponsor;
  std::vector<ProfileChange> profile_changes;
  // Signals of every kind recorded for the account.
  int64_t signal_count = 0;
  // commercial.reference of every commercial signal applied: a later one
  // quoting one of them is the same business event and changes nothing
  // (docs/decisions/0031-one-source-per-arr-event.md).
  absl::flat_hash_set<std::string> commercial_references;
};

// A plugin's health component of the account, as the plugin last answered
// (docs/decisions/0012-one-health-combination.md). Plugins cannot score the
// past, so it counts in views as of `observed_time` or later only.
struct PluginComponent {
  std::string source;  // the plugin's name
  std::string name;    // the component's name, e.g. "onboarding"
  double weight = 0;   // as configured for the plugin
  double score = 0;    // 0-10
  bool has_data = false;
  std::string explanation;
  std::vector<std::pair<std::string, std::string>> inputs;  // name, value
  absl::Time observed_time;
};

struct AccountState {
  std::string tenant;
  std::string id;  // the {account_id} of "accounts/{account_id}"
  // The account as stored, with output-only fields kept current.
  account::v1::Account profile;
  AccountTimeline timeline;
  // At most one per plugin, in source order.
  std::vector<PluginComponent> plugin_components;
};

// ARR in force at `t`: the ARR changes up to and including t, folded in
// time order. 0 before the first change.
double ArrAt(const AccountTimeline& timeline, absl::Time t);

// Segment from ACV by the coverage table (boundaries: 5K and 20K open
// upwards, 75K belongs to named).
Segment SegmentForArr(double arr);

// The account's segment at `t`: its override if set, else from ArrAt(t).
Segment SegmentAt(const AccountState& account, absl::Time t);

// Lifecycle stage in force at `t` (the profile's stage when no change was
// recorded before t).
LifecycleStage StageAt(const AccountState& account, absl::Time t);

// Whether an exec sponsor was identified at `t`.
bool HasExecSponsorAt(const AccountTimeline& timeline, absl::Time t);

// Versioned profile fields at `t` (the creation value when no change was
// recorded at or before t). No allocation: the owner is a reference into
// the account.
int32_t SeatsAt(const AccountState& account, absl::Time t);
std::optional<absl::Time> RenewalAt(const AccountState& account, absl::Time t);
const std::string& OwnerAt(const AccountState& account, absl::Time t);
// The segment override in force, SEGMENT_UNSPECIFIED when derived from ARR.
Segment SegmentOverrideAt(const AccountState& account, absl::Time t);
// Contract term in months (12 when unset).
int32_t TermMonthsAt(const AccountState& account, absl::Time t);
bool ArchivedAt(const AccountState& account, absl::Time t);
// When the account was last archived, if it is archived at `t`.
std::optional<absl::Time> ArchiveTimeAt(const AccountState& account,
                                        absl::Time t);

// `t` moved on by whole calendar months (UTC); a day past the end of the
// target month becomes its last day (31 Jan + 1 month = 28/29 Feb).
absl::Time AddMonths(absl::Time t, int months);

// Inserts `value` keeping `v` sorted by time, after entries with equal time.
template <typename T>
void InsertByTime(std::vector<T>& v, T value) {
  auto it = v.end();
  // Signals almost always arrive in time order: search backwards.
  while (it != v.begin() && (it - 1)->time > value.time) --it;
  v.insert(it, std::move(value));
}

// Index of the first entry with time > t (entries [0, index) are "as of t").
template <typename T>
size_t EndAsOf(const std::vector<T>& v, absl::Time t) {
  size_t lo = 0, hi = v.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (v[mid].time <= t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace retain::model

#endif  // RETAIN_CORE_MODEL_ACCOUNT_STATE_H_
