// The core data a plugin reads and writes, as plain structs: accounts,
// signals, health, report sections, KV entries, alerts; and named constants
// for the core protos' enums. Decoded from and encoded to the core protos
// (retain.account.v1 / signal.v1 / report.v1) by the SDK, so a plugin never
// links the core's generated code.
#ifndef RETAIN_SDK_TYPES_H_
#define RETAIN_SDK_TYPES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace retain::sdk {

// Times are microseconds since the Unix epoch (0 = unset); enums are the
// proto enums' numbers (named below). Plain values: copy them freely, share
// them between threads like any struct. Every member has an initializer, so
// a designated initializer ({.id = "acme", .arr = 1000}) names only what it
// sets.

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

enum class SignalKind : int32_t {
  kUnspecified = 0,
  kUsage = 1,
  kTicket = 2,
  kSurvey = 3,
  kTouchpoint = 4,
  kCommercial = 5,
  kLifecycle = 6,
  kCustom = 7,
};

// retain.account.v1.HealthBand
namespace band {
constexpr int32_t kUnspecified = 0, kGreen = 1, kYellow = 2, kRed = 3,
                  kChurned = 4;
}
// retain.account.v1.Segment
namespace segment {
constexpr int32_t kUnspecified = 0, kDigital = 1, kPooled = 2, kNamed = 3,
                  kDedicated = 4;
}
// retain.signal.v1.SurveyKind
namespace survey_kind {
constexpr int32_t kUnspecified = 0, kNps = 1, kCsat = 2, kCes = 3;
}
// retain.signal.v1.TicketStatus
namespace ticket_status {
constexpr int32_t kUnspecified = 0, kOpened = 1, kUpdated = 2, kClosed = 3;
}
// retain.signal.v1.TicketSeverity
namespace ticket_severity {
constexpr int32_t kUnspecified = 0, kLow = 1, kMedium = 2, kHigh = 3,
                  kCritical = 4;
}
// retain.signal.v1.TouchpointChannel
namespace touchpoint_channel {
constexpr int32_t kUnspecified = 0, kMeeting = 1, kCall = 2, kEmail = 3,
                  kQbr = 4;
}
// retain.account.v1.LifecycleStage
namespace lifecycle_stage {
constexpr int32_t kUnspecified = 0, kOnboarding = 1, kAdoption = 2,
                  kValueRealisation = 3, kExpansion = 4, kAdvocacy = 5,
                  kRenewal = 6, kChurned = 7;
}
// retain.signal.v1.CommercialEventKind
namespace commercial_kind {
constexpr int32_t kUnspecified = 0, kNewLogo = 1, kRenewal = 2, kExpansion = 3,
                  kContraction = 4, kChurn = 5, kPaymentOverdue = 6,
                  kPaymentReceived = 7, kWinBack = 8;
}

struct Contact {
  std::string display_name{};
  std::string email{};
  std::string role{};
  bool exec_sponsor = false;
  bool champion = false;
};

struct Account {
  std::string name{};  // "accounts/{id}"
  std::string id{};    // {id}
  std::string display_name{};
  double arr = 0;
  int32_t licensed_seats = 0;
  int64_t contract_start_micros = 0;
  int64_t renewal_micros = 0;
  int32_t segment = 0;
  int32_t lifecycle_stage = 0;
  int64_t lifecycle_stage_micros = 0;
  std::string csm_owner{};
  std::vector<Contact> contacts{};
  double health_score = 0;
  int32_t health_band = 0;
};

struct Signal {
  // Set on delivery: the signal's position in the durable log and tenant.
  int64_t seq = 0;
  std::string tenant{};

  std::string signal_id{};
  std::string account_id{};  // {id} of account
  int64_t occur_micros = 0;
  int64_t record_micros = 0;  // output only
  SignalKind kind = SignalKind::kUnspecified;

  struct Usage {
    int32_t active_users = 0;
    int32_t window_days = 0;
    std::map<std::string, int32_t> feature_users{};
  } usage{};
  struct Ticket {
    std::string ticket_id{};
    int32_t status = 0;
    int32_t severity = 0;
    bool escalated = false;
    std::string subject{};
  } ticket{};
  struct Survey {
    int32_t kind = 0;
    int32_t score = 0;
    std::string comment{};
    std::string respondent{};
  } survey{};
  struct Touchpoint {
    int32_t channel = 0;
    std::string with_contact{};
    bool exec_involved = false;
    std::string csm{};
    std::string notes{};
  } touchpoint{};
  struct Commercial {
    int32_t kind = 0;
    double arr_delta = 0;
    std::string reason{};
    int64_t next_renewal_micros = 0;
    // Idempotency reference of the business event (0-128 printable ASCII
    // characters): per account, a later commercial signal with a reference
    // already applied is recorded but changes nothing, so a plugin and a
    // billing system reporting one event count it once.
    std::string reference{};
  } commercial{};
  struct Lifecycle {
    int32_t stage = 0;
    std::string reason{};
  } lifecycle{};
  struct Custom {
    std::string type{};
    std::map<std::string, std::string> attributes{};
  } custom{};
};

// A named input or report field.
struct Field {
  std::string name{};
  std::string value{};
};

// One component of an account's health score (retain.report.v1.
// HealthComponent). A plugin returns one from
// Plugin::AccountHealthComponent and fills score, has_data, explanation and
// inputs; the host sets name and weight (as declared with
// Setup::ProvideHealthComponent, or the config's health_weight) and source
// (the plugin's name).
struct HealthComponent {
  std::string name{};
  double weight = 0;
  double effective_weight = 0;  // set by the host when combining
  // 0 (worst) to 10 (best), the scale of every component and of the health
  // score itself; the host clamps a score outside it to 0 or 10.
  double score = 0;
  // False: the component has nothing to say about this account (yet), and
  // its weight goes to the components that do.
  bool has_data = false;
  std::string explanation{};    // one line a person reads: why this score
  std::vector<Field> inputs{};  // the numbers the score came from
  std::string source{};
};

// An account's health as the host computes it: score 0-10 and band
// (band::kGreen ...); from the core components (GetHealth), or with plugin
// components too (GetAccountHealth, ABI 1.3).
struct Health {
  std::string account{};
  double score = 0;
  int32_t band = 0;
  std::vector<HealthComponent> components{};
  // The account's ARR and segment (segment::k...) at the health's time, so
  // a past health answers "what did the account pay then" too.
  double arr = 0;
  int32_t segment = 0;
};

// A section of the account report (retain.report.v1.ReportSection); the
// host adds the plugin's name.
struct Section {
  std::string title{};
  std::vector<Field> fields{};
};

struct KvEntry {
  std::string key{};
  std::string value{};
  // ABI 1.2 (Host::KvRead): the number of the store commit that wrote the
  // entry; 0 means "no such key" (and KvScan, which reads no versions).
  int64_t version = 0;
};

// One write of an atomic KV batch.
struct KvOp {
  std::string key{};
  std::optional<std::string> value{};  // nullopt deletes
};

// A condition of Host::KvApplyIf: `key` has `version` when the batch
// commits (0: the key must not exist).
struct KvPrecondition {
  std::string key{};
  int64_t version = 0;
};

// A prefix scan of Host::KvRead, with KvScan's rules: keys starting with
// prefix and > start_after, in key order, at most `limit` (0 or less means
// 100, more than 1000 means 1000).
struct KvRange {
  std::string prefix{};
  std::string start_after{};
  int32_t limit = 1000;
};

// What Host::KvRead saw, all of it from one snapshot of the store.
struct KvSnapshot {
  // One per key asked for, in that order; version 0 (and an empty value)
  // for a key that does not exist.
  std::vector<KvEntry> values{};
  // The range's entries, in key order.
  std::vector<KvEntry> entries{};

  // The value read for `key` (nullopt: absent or not asked for).
  std::optional<std::string> Value(const std::string& key) const {
    const KvEntry* e = Find(key);
    if (e == nullptr || e->version == 0) return std::nullopt;
    return e->value;
  }
  // The version read for `key` (0: absent or not asked for).
  int64_t Version(const std::string& key) const {
    const KvEntry* e = Find(key);
    return e == nullptr ? 0 : e->version;
  }
  const KvEntry* Find(const std::string& key) const {
    for (const KvEntry& e : values) {
      if (e.key == key) return &e;
    }
    for (const KvEntry& e : entries) {
      if (e.key == key) return &e;
    }
    return nullptr;
  }
};

// ABI 1.4: who called the method a handler serves (Call::caller,
// Host::Caller; retain.plugin.v1.Caller), as the host authenticated it.
struct Caller {
  // retain.plugin.v1.Caller.Role: each includes those before it.
  enum class Role : int32_t {
    kUnspecified = 0,
    kReader = 1,
    kWriter = 2,
    kAdmin = 3,
    kOperator = 4,
  };
  // retain.plugin.v1.Caller.Authentication
  enum class Authentication : int32_t {
    kUnspecified = 0,
    kApiKey = 1,       // key_id (and key_display_name) set
    kCertificate = 2,  // certificate_subject set
    kNone = 3,         // authentication off: the operator of "default"
    kPlugin = 4,       // a background hook's call_plugin: a reader
  };

  std::string tenant{};
  Role role = Role::kUnspecified;
  Authentication authentication = Authentication::kUnspecified;
  // As the audit trail names it: "tenants/{tenant}/apiKeys/{key_id}",
  // "cert:<uri>", "dev" or "plugin:<name>".
  std::string principal{};
  std::string key_id{};
  std::string key_display_name{};  // may be empty
  std::string certificate_subject{};
  // Through Host::CallPlugin: the plugins the call came through, outermost
  // first (the last one called this plugin); empty for a client's call.
  std::vector<std::string> via_plugins{};
};

// ABI 1.2: the hook running on the calling thread (Host::CallContext).
struct CallContext {
  // retain.plugin.v1.CallContext.Hook
  enum class Hook : int32_t {
    kUnspecified = 0,
    kCall = 1,
    kSignal = 2,
    kTick = 3,
    kReportSection = 4,
    kHealthComponent = 5,
    kHealthEvent = 6,  // ABI 1.3
  };
  // retain.plugin.v1.CallContext.CancelReason
  enum class CancelReason : int32_t {
    kNone = 0,
    // The deadline passed: the host has answered without this hook.
    kDeadlineExceeded = 1,
    kClientCancelled = 2,  // on_call only
    kShuttingDown = 3,
  };

  Hook hook = Hook::kUnspecified;
  std::string method{};  // on_call: the full method name
  // When the host stops waiting, in microseconds since the epoch by the
  // real clock (not Host::NowMicros, which a test may set); 0: no deadline.
  int64_t deadline_micros = 0;
  int64_t remaining_micros = 0;  // when asked; <= 0 once passed
  bool cancelled = false;
  CancelReason cancel_reason = CancelReason::kNone;
  // ABI 1.4: who called (kCall only; a hook nobody called has none, and
  // so has every hook on an older host).
  std::optional<Caller> caller{};
};

enum class AlertSeverity : int32_t { kInfo = 1, kWarning = 2, kCritical = 3 };

// ABI 1.3: one entry of a tenant's alert history, delivered to
// Plugin::OnHealthEvent (retain.plugin.v1.HealthEvent).
struct HealthEvent {
  // retain.plugin.v1.HealthEventKind
  enum class Kind : int32_t {
    kUnspecified = 0,
    kBandChanged = 1,
    kIndicatorAppeared = 2,
    kIndicatorCleared = 3,
    kAlert = 4,  // a plugin's alert, or another core alert
  };
  std::string tenant{};  // set on delivery
  Kind kind = Kind::kUnspecified;
  // Its position in the tenant's alert history: increasing per tenant, the
  // same one may come again after a crash (make handling idempotent).
  int64_t position = 0;
  std::string account_id{};  // empty for a tenant-wide alert
  int64_t occur_micros = 0;
  int32_t previous_band = 0;  // band::...; both the current band but for
  int32_t band = 0;           // a band change
  double score = 0;
  std::string indicator{};  // kIndicator*: the indicator's code
  std::string source{};     // "core" or the plugin that raised it
  std::string code{};       // e.g. "health.band_changed"
  std::string severity{};   // "info", "warning", "critical"
  std::string message{};
  std::vector<std::string> indicators{};  // leading indicators' codes
};

// ABI 1.3 (Host::GetAccountHealth): an account's profile and its explained
// health, every plugin's component but the caller's included.
struct AccountHealth {
  Account account{};
  Health health{};
};

}  // namespace retain::sdk

#endif  // RETAIN_SDK_TYPES_H_
