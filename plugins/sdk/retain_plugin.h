// The Retain plugin SDK: header-only C++17 on top of the C ABI in
// retain_plugin_abi.h. A plugin is an ordinary class:
//
//   #include "retain_plugin.h"
//
//   class Hello : public retain::sdk::Plugin {
//    public:
//     retain::sdk::Status Init(retain::sdk::Setup& setup) override {
//       setup.Subscribe(retain::sdk::SignalKind::kSurvey);
//       setup.Handle("/retain.plugins.hello.v1.HelloService/Greet",
//                    [this](const retain::sdk::Call& call, std::string* out) {
//                      ...; return retain::sdk::Status();
//                    });
//       return {};
//     }
//     retain::sdk::Status OnSignal(const retain::sdk::Signal& s) override;
//   };
//   RETAIN_PLUGIN(Hello, "hello", "1.0.0")
//
// Build: g++ -std=c++17 -fPIC -shared -fvisibility=hidden -I<sdk> x.cc -o
// libhello.so. Only the entry point is exported. Every exception thrown by
// plugin code is caught here, at the boundary, and becomes an INTERNAL
// status (which counts towards parking the plugin).
//
// Needs nothing but the C++17 standard library: core messages are decoded
// with the tiny wire codec in retain_plugin_wire.h. A plugin may use the
// protobuf runtime for its own service messages (Setup::HandleProto) but
// must never link the core's generated code.
#ifndef RETAIN_PLUGIN_H_
#define RETAIN_PLUGIN_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "retain_account_name.h"
#include "retain_plugin_abi.h"
#include "retain_plugin_wire.h"

namespace retain::sdk {

// ---------------------------------------------------------------------------
// Status

// gRPC canonical codes.
enum class Code : int32_t {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
};

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message)
      : code_(code), message_(std::move(message)) {}
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return Status(Code::kInvalidArgument, std::move(m));
}
inline Status NotFound(std::string m) {
  return Status(Code::kNotFound, std::move(m));
}
inline Status FailedPrecondition(std::string m) {
  return Status(Code::kFailedPrecondition, std::move(m));
}
inline Status AlreadyExists(std::string m) {
  return Status(Code::kAlreadyExists, std::move(m));
}
inline Status Internal(std::string m) {
  return Status(Code::kInternal, std::move(m));
}

// A value or the status explaining its absence.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Internal("Result built from an OK status");
  }
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // On an error, value() aborts with the status's message (reading an
  // absent value is a bug; check ok() first).
  T& value() {
    CheckHasValue();
    return *value_;
  }
  const T& value() const {
    CheckHasValue();
    return *value_;
  }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  void CheckHasValue() const {
    if (value_) return;
    std::fprintf(stderr, "retain sdk: Result::value() on an error: %s\n",
                 status_.message().c_str());
    std::abort();
  }
  Status status_;
  std::optional<T> value_;
};

// ---------------------------------------------------------------------------
// Core data, decoded from the core protos (retain.account.v1 / signal.v1 /
// report.v1). Times are microseconds since the Unix epoch (0 = unset);
// enums are the proto enums' numbers.

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
constexpr int32_t kUnspecified = 0, kGreen = 1, kYellow = 2, kRed = 3;
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
                  kPaymentReceived = 7;
}

struct Contact {
  std::string display_name;
  std::string email;
  std::string role;
  bool exec_sponsor = false;
  bool champion = false;
};

struct Account {
  std::string name;  // "accounts/{id}"
  std::string id;    // {id}
  std::string display_name;
  double arr = 0;
  int32_t licensed_seats = 0;
  int64_t contract_start_micros = 0;
  int64_t renewal_micros = 0;
  int32_t segment = 0;
  int32_t lifecycle_stage = 0;
  int64_t lifecycle_stage_micros = 0;
  std::string csm_owner;
  std::vector<Contact> contacts;
  double health_score = 0;
  int32_t health_band = 0;
};

struct Signal {
  // Set on delivery: the signal's position in the durable log and tenant.
  int64_t seq = 0;
  std::string tenant;

  std::string signal_id;
  std::string account_id;  // {id} of account
  int64_t occur_micros = 0;
  int64_t record_micros = 0;  // output only
  SignalKind kind = SignalKind::kUnspecified;

  struct Usage {
    int32_t active_users = 0;
    int32_t window_days = 0;
    std::map<std::string, int32_t> feature_users;
  } usage;
  struct Ticket {
    std::string ticket_id;
    int32_t status = 0;
    int32_t severity = 0;
    bool escalated = false;
    std::string subject;
  } ticket;
  struct Survey {
    int32_t kind = 0;
    int32_t score = 0;
    std::string comment;
    std::string respondent;
  } survey;
  struct Touchpoint {
    int32_t channel = 0;
    std::string with_contact;
    bool exec_involved = false;
    std::string csm;
    std::string notes;
  } touchpoint;
  struct Commercial {
    int32_t kind = 0;
    double arr_delta = 0;
    std::string reason;
    int64_t next_renewal_micros = 0;
  } commercial;
  struct Lifecycle {
    int32_t stage = 0;
    std::string reason;
  } lifecycle;
  struct Custom {
    std::string type;
    std::map<std::string, std::string> attributes;
  } custom;
};

// A named input or report field.
struct Field {
  std::string name;
  std::string value;
};

struct HealthComponent {
  std::string name;
  double weight = 0;
  double effective_weight = 0;
  double score = 0;
  bool has_data = false;
  std::string explanation;
  std::vector<Field> inputs;
  std::string source;
};

struct Health {
  std::string account;
  double score = 0;
  int32_t band = 0;
  std::vector<HealthComponent> components;
};

// A section of the account report.
struct Section {
  std::string title;
  std::vector<Field> fields;
};

struct KvEntry {
  std::string key;
  std::string value;
};

// One write of an atomic KV batch.
struct KvOp {
  std::string key;
  std::optional<std::string> value;  // nullopt deletes
};

enum class AlertSeverity : int32_t { kInfo = 1, kWarning = 2, kCritical = 3 };

// ---------------------------------------------------------------------------
// Codecs for the core messages (field numbers from proto/retain/**).

namespace codec {

// "accounts/acme" (or "acme") -> "acme"; retain_account_name.h.
using names::AccountIdOf;

inline bool DecodeContact(std::string_view b, Contact* c) {
  wire::Reader r(b);
  while (r.Next()) {
    switch (r.field()) {
      case 1:
        c->display_name = r.AsString();
        break;
      case 2:
        c->email = r.AsString();
        break;
      case 3:
        c->role = r.AsString();
        break;
      case 4:
        c->exec_sponsor = r.AsBool();
        break;
      case 5:
        c->champion = r.AsBool();
        break;
    }
  }
  return r.ok();
}

inline bool DecodeAccount(std::string_view b, Account* a) {
  wire::Reader r(b);
  bool ok = true;
  while (r.Next()) {
    switch (r.field()) {
      case 1:
        a->name = r.AsString();
        a->id = AccountIdOf(a->name);
        break;
      case 2:
        a->display_name = r.AsString();
        break;
      case 3:
        a->arr = r.AsDouble();
        break;
      case 4:
        a->licensed_seats = r.AsInt32();
        break;
      case 5:
        a->contract_start_micros = r.AsTimestampMicros();
        break;
      case 6:
        a->renewal_micros = r.AsTimestampMicros();
        break;
      case 7:
        a->segment = r.AsInt32();
        break;
      case 9:
        a->lifecycle_stage = r.AsInt32();
        break;
      case 10:
        a->lifecycle_stage_micros = r.AsTimestampMicros();
        break;
      case 11:
        a->csm_owner = r.AsString();
        break;
      case 12: {
        Contact c;
        ok = DecodeContact(r.AsBytes(), &c) && ok;
        a->contacts.push_back(std::move(c));
        break;
      }
      case 15:
        a->health_score = r.AsDouble();
        break;
      case 16:
        a->health_band = r.AsInt32();
        break;
    }
  }
  return r.ok() && ok;
}

inline bool DecodeSignal(std::string_view b, Signal* s) {
  wire::Reader r(b);
  bool ok = true;
  while (r.Next()) {
    switch (r.field()) {
      case 1:
        s->signal_id = r.AsString();
        break;
      case 2:
        s->account_id = AccountIdOf(r.AsBytes());
        break;
      case 3:
        s->occur_micros = r.AsTimestampMicros();
        break;
      case 4:
        s->record_micros = r.AsTimestampMicros();
        break;
      case 5:
        s->kind = static_cast<SignalKind>(r.AsInt32());
        break;
      case 10: {
        s->kind = SignalKind::kUsage;
        wire::Reader m(r.AsBytes());
        while (m.Next()) {
          if (m.field() == 1) s->usage.active_users = m.AsInt32();
          if (m.field() == 2) s->usage.window_days = m.AsInt32();
          if (m.field() == 3) {
            wire::Reader e(m.AsBytes());
            std::string k;
            int32_t v = 0;
            while (e.Next()) {
              if (e.field() == 1) k = e.AsString();
              if (e.field() == 2) v = e.AsInt32();
            }
            ok = ok && e.ok();
            s->usage.feature_users[k] = v;
          }
        }
        ok = ok && m.ok();
        break;
      }
      case 11: {
        s->kind = SignalKind::kTicket;
        wire::Reader m(r.AsBytes());
        while (m.Next()) {
          switch (m.field()) {
            case 1:
              s->ticket.ticket_id = m.AsString();
              break;
            case 2:
              s->ticket.status = m.AsInt32();
              break;
            case 3:
              s->ticket.severity = m.AsInt32();
              break;
            case 4:
              s->ticket.escalated = m.AsBool();
              break;
            case 5:
              s->ticket.subject = m.AsString();
              break;
          }
        }
        ok = ok && m.ok();
        break;
      }
      case 12: {
        s->kind = SignalKind::kSurvey;
        wire::Reader m(r.AsBytes());
        while (m.Next()) {
          switch (m.field()) {
            case 1:
              s->survey.kind = m.AsInt32();
              break;
            case 2:
              s->survey.score = m.AsInt32();
              break;
            case 3:
              s->survey.comment = m.AsString();
              break;
            case 4:
              s->survey.respondent = m.AsString();
              break;
          }
        }
        ok = ok && m.ok();
        break;
      }
      case 13: {
        s->kind = SignalKind::kTouchpoint;
        wire::Reader m(r.AsBytes());
        while (m.Next()) {
          switch (m.field()) {
            case 1:
              s->touchpoint.channel = m.AsInt32();
              break;
            case 2:
              s->touchpoint.with_contact = m.AsString();
              break;
            case 3:
              s->touchpoint.exec_involved = m.AsBool();
              break;
            case 4:
              s->touchpoint.csm = m.AsString();
              break;
            case 5:
              s->touchpoint.notes = m.AsString();
              break;
          }
        }
        ok = ok && m.ok();
        break;
      }
      case 14: {
        s->kind = SignalKind::kCommercial;
        wire::Reader m(r.AsBytes());
        while (m.Next()) {
          switch (m.field()) {
            case 1:
              s->commercial.kind = m.AsInt32();
              break;
            case 2:
              s->commercial.arr_delta = m.AsDouble();
              break;
            case 3:
              s->commercial.reason = m.AsString();
              break;
            case 4:
              s->commercial.next_renewal_micros = m.AsTimestampMicros();
              break;
          }
        }
        ok = ok && m.ok();
        break;
      }
      case 15: {
        s->kind = SignalKind::kLifecycle;
        wire::Reader m(r.AsBytes());
        while (m.Next()) {
          if (m.field() == 1) s->lifecycle.stage = m.AsInt32();
          if (m.field() == 2) s->lifecycle.reason = m.AsString();
        }
        ok = ok && m.ok();
        break;
      }
      case 16: {
        s->kind = SignalKind::kCustom;
        wire::Reader m(r.AsBytes());
        while (m.Next()) {
          if (m.field() == 1) s->custom.type = m.AsString();
          if (m.field() == 2) {
            std::string k, v;
            m.AsMapEntry(&k, &v);
            s->custom.attributes[k] = v;
          }
        }
        ok = ok && m.ok();
        break;
      }
    }
  }
  return r.ok() && ok;
}

// Encodes the payload that matches s.kind (kind itself is output only).
inline std::string EncodeSignal(const Signal& s) {
  wire::Writer w;
  w.String(1, s.signal_id);
  w.String(2, names::AccountName(s.account_id));
  w.TimestampMicros(3, s.occur_micros);
  wire::Writer m;
  switch (s.kind) {
    case SignalKind::kUsage:
      m.Int(1, s.usage.active_users);
      m.Int(2, s.usage.window_days);
      for (const auto& [k, v] : s.usage.feature_users) {
        wire::Writer e;
        e.String(1, k);
        e.Int(2, v);
        m.Message(3, e);
      }
      w.Message(10, m);
      break;
    case SignalKind::kTicket:
      m.String(1, s.ticket.ticket_id);
      m.Int(2, s.ticket.status);
      m.Int(3, s.ticket.severity);
      m.Bool(4, s.ticket.escalated);
      m.String(5, s.ticket.subject);
      w.Message(11, m);
      break;
    case SignalKind::kSurvey:
      m.Int(1, s.survey.kind);
      m.Int(2, s.survey.score);
      m.String(3, s.survey.comment);
      m.String(4, s.survey.respondent);
      w.Message(12, m);
      break;
    case SignalKind::kTouchpoint:
      m.Int(1, s.touchpoint.channel);
      m.String(2, s.touchpoint.with_contact);
      m.Bool(3, s.touchpoint.exec_involved);
      m.String(4, s.touchpoint.csm);
      m.String(5, s.touchpoint.notes);
      w.Message(13, m);
      break;
    case SignalKind::kCommercial:
      m.Int(1, s.commercial.kind);
      m.Double(2, s.commercial.arr_delta);
      m.String(3, s.commercial.reason);
      m.TimestampMicros(4, s.commercial.next_renewal_micros);
      w.Message(14, m);
      break;
    case SignalKind::kLifecycle:
      m.Int(1, s.lifecycle.stage);
      m.String(2, s.lifecycle.reason);
      w.Message(15, m);
      break;
    case SignalKind::kCustom:
      m.String(1, s.custom.type);
      for (const auto& [k, v] : s.custom.attributes) m.MapEntry(2, k, v);
      w.Message(16, m);
      break;
    case SignalKind::kUnspecified:
      break;
  }
  return w.Take();
}

inline void EncodeFields(wire::Writer& w, uint32_t field,
                         const std::vector<Field>& fields) {
  for (const auto& f : fields) {
    wire::Writer e;
    e.String(1, f.name);
    e.String(2, f.value);
    w.Message(field, e);
  }
}

inline bool DecodeField(std::string_view b, Field* f) {
  wire::Reader r(b);
  while (r.Next()) {
    if (r.field() == 1) f->name = r.AsString();
    if (r.field() == 2) f->value = r.AsString();
  }
  return r.ok();
}

// retain.report.v1.HealthComponent
inline std::string EncodeComponent(const HealthComponent& c) {
  wire::Writer w;
  w.String(1, c.name);
  w.Double(2, c.weight);
  w.Double(3, c.effective_weight);
  w.Double(4, c.score);
  w.Bool(5, c.has_data);
  w.String(6, c.explanation);
  EncodeFields(w, 7, c.inputs);
  w.String(8, c.source);
  return w.Take();
}

inline bool DecodeComponent(std::string_view b, HealthComponent* c) {
  wire::Reader r(b);
  bool ok = true;
  while (r.Next()) {
    switch (r.field()) {
      case 1:
        c->name = r.AsString();
        break;
      case 2:
        c->weight = r.AsDouble();
        break;
      case 3:
        c->effective_weight = r.AsDouble();
        break;
      case 4:
        c->score = r.AsDouble();
        break;
      case 5:
        c->has_data = r.AsBool();
        break;
      case 6:
        c->explanation = r.AsString();
        break;
      case 7: {
        Field f;
        ok = DecodeField(r.AsBytes(), &f) && ok;
        c->inputs.push_back(std::move(f));
        break;
      }
      case 8:
        c->source = r.AsString();
        break;
    }
  }
  return r.ok() && ok;
}

// retain.report.v1.AccountHealth (the fields plugins read).
inline bool DecodeHealth(std::string_view b, Health* h) {
  wire::Reader r(b);
  bool ok = true;
  while (r.Next()) {
    switch (r.field()) {
      case 1:
        h->account = r.AsString();
        break;
      case 4:
        h->score = r.AsDouble();
        break;
      case 5:
        h->band = r.AsInt32();
        break;
      case 6: {
        HealthComponent c;
        ok = DecodeComponent(r.AsBytes(), &c) && ok;
        h->components.push_back(std::move(c));
        break;
      }
    }
  }
  return r.ok() && ok;
}

// retain.report.v1.ReportSection (plugin name is filled in by the host).
inline std::string EncodeSection(const Section& s) {
  wire::Writer w;
  w.String(2, s.title);
  EncodeFields(w, 3, s.fields);
  return w.Take();
}

}  // namespace codec

// ---------------------------------------------------------------------------
// Configuration given to Init: the plugin's block of the server's plugin
// config file.

class Config {
 public:
  Config() = default;
  // Decodes a retain.plugin.v1.PluginConfig.
  static Config Decode(std::string_view bytes) {
    Config c;
    wire::Reader r(bytes);
    while (r.Next()) {
      if (r.field() == 1) c.json_ = r.AsString();
      if (r.field() == 2) {
        std::string k, v;
        r.AsMapEntry(&k, &v);
        c.values_[k] = v;
      }
    }
    return c;
  }
  // The config object as JSON text.
  const std::string& json() const { return json_; }
  // Flattened values: "a.b" for nested keys, "a.0" for array items.
  const std::map<std::string, std::string>& values() const { return values_; }
  bool Has(const std::string& key) const { return values_.count(key) > 0; }
  std::string GetString(const std::string& key, std::string def = "") const {
    auto it = values_.find(key);
    return it == values_.end() ? def : it->second;
  }
  double GetDouble(const std::string& key, double def) const {
    auto it = values_.find(key);
    if (it == values_.end()) return def;
    try {
      return std::stod(it->second);
    } catch (...) {
      return def;
    }
  }
  int64_t GetInt(const std::string& key, int64_t def) const {
    auto it = values_.find(key);
    if (it == values_.end()) return def;
    try {
      return std::stoll(it->second);
    } catch (...) {
      return def;
    }
  }
  bool GetBool(const std::string& key, bool def) const {
    auto it = values_.find(key);
    if (it == values_.end()) return def;
    return it->second == "true" || it->second == "1";
  }
  // Keys directly under `prefix` ("plans" -> {"named", "pooled"}).
  std::set<std::string> Children(const std::string& prefix) const {
    std::set<std::string> out;
    std::string p = prefix.empty() ? "" : prefix + ".";
    for (auto it = values_.lower_bound(p);
         it != values_.end() && it->first.compare(0, p.size(), p) == 0; ++it) {
      std::string rest = it->first.substr(p.size());
      out.insert(rest.substr(0, rest.find('.')));
    }
    return out;
  }

 private:
  std::string json_ = "{}";
  std::map<std::string, std::string> values_;
};

// ---------------------------------------------------------------------------
// The host's services, as the plugin sees them. Thread-safe. Every call
// names the tenant it acts for.

namespace internal {
inline void AppendToString(void* ctx, const char* data, size_t size) {
  static_cast<std::string*>(ctx)->append(data, size);
}
inline retain_sink StringSink(std::string* s) { return {s, &AppendToString}; }
inline retain_str Str(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view View(retain_str s) {
  return s.size ? std::string_view(s.data, s.size) : std::string_view();
}
}  // namespace internal

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
  // Applies every op or none.
  Status KvApply(const std::string& tenant,
                 const std::vector<KvOp>& ops) const {
    wire::Writer w;
    for (const auto& op : ops) {
      wire::Writer o;
      o.String(1, op.key);
      if (op.value) {
        o.String(2, *op.value);
      } else {
        o.Bool(3, true);
      }
      w.Message(1, o);
    }
    return Rpc(Slot(&retain_host_api::retain_host_callback_kv_apply), tenant,
               w.data())
        .status();
  }
  Status KvPut(const std::string& tenant, const std::string& key,
               std::string value) const {
    return KvApply(tenant, {{key, std::move(value)}});
  }
  // Keys starting with prefix and > start_after, in key order, <= limit.
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
  retain_host_callback_rpc Slot(
      retain_host_callback_rpc retain_host_api::*member) const {
    if (api_ == nullptr) return nullptr;
    const char* base = reinterpret_cast<const char*>(api_);
    const char* field = reinterpret_cast<const char*>(&(api_->*member));
    if (static_cast<size_t>(field - base) + sizeof(retain_host_callback_rpc) >
        api_->struct_size)
      return nullptr;
    return api_->*member;
  }

  const retain_host_api* api_ = nullptr;
  void* ctx_ = nullptr;
};

// ---------------------------------------------------------------------------
// The plugin class.

// One unary call to a plugin method.
struct Call {
  std::string tenant;
  std::string method;        // "/retain.plugins.x.v1.XService/Method"
  std::string_view request;  // serialized request message
};

using Handler = std::function<Status(const Call& call, std::string* response)>;

// One periodic tick (see Setup::WantTicks).
struct Tick {
  int64_t now_micros = 0;  // the host clock when the tick started
};

// The schema embedded at build time (plugins/README.md, "Schemas"), when
// the source retain_embed_schema.sh writes is linked into the plugin; null
// otherwise (a weak reference). That source defines it hidden, so a plugin
// only ever finds its own.
extern "C" __attribute__((weak)) const char* retain_plugin_embedded_schema(
    size_t* size);

// What Init declares.
class Setup {
 public:
  explicit Setup(Config config) : config_(std::move(config)) {}

  const Config& config() const { return config_; }

  // Signal kinds delivered to OnSignal.
  void Subscribe(SignalKind kind) { kinds_.insert(static_cast<int32_t>(kind)); }
  // Serves a unary method (full name "/package.Service/Method") with raw
  // bytes in and out.
  void Handle(const std::string& full_method, Handler handler) {
    handlers_[full_method] = std::move(handler);
  }
  // Serves a unary method with protobuf message types (needs the protobuf
  // runtime and the plugin's own generated code).
  template <typename Request, typename Response, typename F>
  void HandleProto(const std::string& full_method, F f) {
    Handle(full_method, [f](const Call& call, std::string* out) -> Status {
      Request req;
      if (!req.ParseFromArray(call.request.data(),
                              static_cast<int>(call.request.size()))) {
        return InvalidArgument("malformed request");
      }
      Response resp;
      Status s = f(call, req, &resp);
      if (s.ok()) resp.SerializeToString(out);
      return s;
    });
  }
  // The plugin contributes a section to the account report (ReportSection).
  void ProvideReportSection() { report_section_ = true; }
  // The plugin contributes a health component (HealthComponent) with this
  // weight relative to the core weights (which sum to 1).
  void ProvideHealthComponent(const std::string& name, double weight) {
    component_name_ = name;
    component_weight_ = weight;
  }
  // The host calls OnTick periodically (every "tick_seconds" of the
  // plugin's block in the server's plugin config; 60 by default, 0
  // disables). Plugins that do not ask cost the host nothing.
  void WantTicks() { ticks_ = true; }
  // The plugin's schema, for server reflection: a serialized
  // google.protobuf.FileDescriptorSet of its service's files and all they
  // import (protoc --include_imports). Without a call, the one embedded at
  // build time, if any.
  void ServeSchema(std::string file_descriptor_set) {
    schema_ = std::move(file_descriptor_set);
  }

  // Encodes a retain.plugin.v1.PluginDescriptor.
  std::string EncodeDescriptor() const {
    wire::Writer w;
    for (const auto& [m, h] : handlers_) w.Bytes(1, m);
    for (int32_t k : kinds_) w.Varint(2, static_cast<uint64_t>(k));
    w.Bool(3, report_section_);
    if (!component_name_.empty()) {
      wire::Writer c;
      c.String(1, component_name_);
      c.Double(2, component_weight_);
      w.Message(4, c);
    }
    w.Bool(5, ticks_);
    std::string schema = schema_;
    if (schema.empty() && retain_plugin_embedded_schema != nullptr) {
      size_t size = 0;
      const char* bytes = retain_plugin_embedded_schema(&size);
      schema.assign(bytes, size);
    }
    if (!schema.empty()) w.Bytes(6, schema);
    return w.Take();
  }
  std::map<std::string, Handler>& handlers() { return handlers_; }

 private:
  Config config_;
  std::set<int32_t> kinds_;
  std::map<std::string, Handler> handlers_;
  bool report_section_ = false;
  std::string component_name_;
  double component_weight_ = 0;
  bool ticks_ = false;
  std::string schema_;
};

class Plugin {
 public:
  virtual ~Plugin() = default;

  // Declares what the plugin does and reads its config. host() is usable.
  // A non-OK status refuses the load (state INIT_FAILED).
  virtual Status Init(Setup& setup) = 0;
  // One durable signal of a subscribed kind, in log order. A non-OK status
  // (or exception) makes the host retry the same signal; make handling
  // idempotent (a signal may come again after a crash, never be skipped).
  virtual Status OnSignal(const Signal& /*signal*/) { return Status(); }
  // The account report section, or nullopt for none.
  virtual std::optional<Section> ReportSection(
      const std::string& /*tenant*/, const std::string& /*account_id*/) {
    return std::nullopt;
  }
  // The health component (name and weight as declared), or nullopt.
  virtual std::optional<HealthComponent> AccountHealthComponent(
      const std::string& /*tenant*/, const std::string& /*account_id*/) {
    return std::nullopt;
  }
  // Periodic work, when Init called setup.WantTicks(): on a host worker,
  // never concurrently with another tick, under the call deadline; an
  // exception or INTERNAL/UNKNOWN counts towards parking like a failed
  // call. Not tenant-scoped: walk host().ListTenants(). Timing is
  // best-effort (a tick may be skipped or late), so compare against
  // tick.now_micros and persist what was done (e.g. "alerted") in the KV.
  virtual Status OnTick(const Tick& /*tick*/) { return Status(); }

  const Host& host() const { return host_; }

 private:
  template <typename T>
  friend struct Glue;
  Host host_;
};

// ---------------------------------------------------------------------------
// Glue between the C ABI and a Plugin subclass. Every hook catches every
// exception.

template <typename T>
struct Glue {
  struct Instance {
    std::unique_ptr<T> plugin;
    std::map<std::string, Handler> handlers;
    std::string descriptor;
  };

  static int32_t Fail(retain_sink* out, std::string_view what) {
    std::string m = "plugin threw: ";
    m.append(what.data(), what.size());
    if (out) out->write(out->ctx, m.data(), m.size());
    return static_cast<int32_t>(Code::kInternal);
  }
  static int32_t Finish(const Status& s, const std::string& payload,
                        retain_sink* out) {
    const std::string& bytes = s.ok() ? payload : s.message();
    if (out && !bytes.empty()) out->write(out->ctx, bytes.data(), bytes.size());
    return static_cast<int32_t>(s.code());
  }

  template <typename F>
  static int32_t Guard(retain_sink* out, F&& f) {
    try {
      return f();
    } catch (const std::exception& e) {
      return Fail(out, e.what());
    } catch (...) {
      return Fail(out, "unknown exception");
    }
  }

  static int32_t OnInit(const retain_host_api* host, void* host_ctx,
                        retain_str config, void** instance, retain_sink* err) {
    return Guard(err, [&]() -> int32_t {
      auto inst = std::make_unique<Instance>();
      inst->plugin = std::make_unique<T>();
      static_cast<Plugin*>(inst->plugin.get())->host_ = Host(host, host_ctx);
      Setup setup(Config::Decode(internal::View(config)));
      Status s = inst->plugin->Init(setup);
      if (!s.ok()) return Finish(s, "", err);
      inst->descriptor = setup.EncodeDescriptor();
      inst->handlers = std::move(setup.handlers());
      *instance = inst.release();
      return 0;
    });
  }
  static void OnDestroy(void* instance) {
    try {
      delete static_cast<Instance*>(instance);
    } catch (...) {
    }
  }
  static int32_t OnDescribe(void* instance, retain_sink* out) {
    return Guard(out, [&]() -> int32_t {
      const auto* inst = static_cast<Instance*>(instance);
      return Finish(Status(), inst->descriptor, out);
    });
  }
  static int32_t OnCall(void* instance, retain_str tenant, retain_str method,
                        retain_str request, retain_sink* out) {
    return Guard(out, [&]() -> int32_t {
      auto* inst = static_cast<Instance*>(instance);
      Call call{std::string(internal::View(tenant)),
                std::string(internal::View(method)), internal::View(request)};
      auto it = inst->handlers.find(call.method);
      if (it == inst->handlers.end()) {
        return Finish(
            Status(Code::kUnimplemented, "no handler for " + call.method), "",
            out);
      }
      std::string response;
      Status s = it->second(call, &response);
      return Finish(s, response, out);
    });
  }
  static int32_t OnSignal(void* instance, retain_str tenant,
                          retain_str account_id, int64_t seq, retain_str signal,
                          retain_sink* err) {
    return Guard(err, [&]() -> int32_t {
      auto* inst = static_cast<Instance*>(instance);
      Signal s;
      if (!codec::DecodeSignal(internal::View(signal), &s)) {
        return Finish(Status(Code::kDataLoss, "malformed signal"), "", err);
      }
      s.seq = seq;
      s.tenant = std::string(internal::View(tenant));
      if (s.account_id.empty())
        s.account_id = std::string(internal::View(account_id));
      return Finish(inst->plugin->OnSignal(s), "", err);
    });
  }
  static int32_t OnReportSection(void* instance, retain_str tenant,
                                 retain_str account_id, retain_sink* out) {
    return Guard(out, [&]() -> int32_t {
      auto* inst = static_cast<Instance*>(instance);
      auto section =
          inst->plugin->ReportSection(std::string(internal::View(tenant)),
                                      std::string(internal::View(account_id)));
      if (!section) return static_cast<int32_t>(Code::kNotFound);
      return Finish(Status(), codec::EncodeSection(*section), out);
    });
  }
  static int32_t OnHealthComponent(void* instance, retain_str tenant,
                                   retain_str account_id, retain_sink* out) {
    return Guard(out, [&]() -> int32_t {
      auto* inst = static_cast<Instance*>(instance);
      auto c = inst->plugin->AccountHealthComponent(
          std::string(internal::View(tenant)),
          std::string(internal::View(account_id)));
      if (!c) return static_cast<int32_t>(Code::kNotFound);
      return Finish(Status(), codec::EncodeComponent(*c), out);
    });
  }

  static int32_t OnTick(void* instance, int64_t now_micros, retain_sink* err) {
    return Guard(err, [&]() -> int32_t {
      auto* inst = static_cast<Instance*>(instance);
      Tick tick;
      tick.now_micros = now_micros;
      return Finish(inst->plugin->OnTick(tick), "", err);
    });
  }

  static const retain_plugin_module* Module(const char* name,
                                            const char* version) {
    static const retain_plugin_module module = {
        sizeof(retain_plugin_module),
        RETAIN_PLUGIN_ABI_MAJOR,
        RETAIN_PLUGIN_ABI_MINOR,
        name,
        version,
        &OnInit,
        &OnDestroy,
        &OnDescribe,
        &OnCall,
        &OnSignal,
        &OnReportSection,
        &OnHealthComponent,
        &OnTick,
    };
    return &module;
  }
};

}  // namespace retain::sdk

#define RETAIN_PLUGIN_EXPORT __attribute__((visibility("default")))

// Defines the plugin's one exported entry point. NAME and VERSION are string
// literals; NAME is [a-z][a-z0-9_]{0,62}.
#define RETAIN_PLUGIN(CLASS, NAME, VERSION)                              \
  extern "C" RETAIN_PLUGIN_EXPORT const retain_plugin_module*            \
  retain_plugin_on_load(const retain_host_api* host) {                   \
    if (host == nullptr || host->abi_major != RETAIN_PLUGIN_ABI_MAJOR) { \
      return nullptr;                                                    \
    }                                                                    \
    return ::retain::sdk::Glue<CLASS>::Module(NAME, VERSION);            \
  }

#endif  // RETAIN_PLUGIN_H_
