// Not part of the plugin API: the SDK's encoders and decoders of the core
// messages that cross the ABI (field numbers from proto/retain/**), used by
// Host, the glue and the fake host. tests/plugins/sdk_wire_test.cc checks
// each against the real generated code.
#ifndef RETAIN_SDK_DETAIL_CODEC_H_
#define RETAIN_SDK_DETAIL_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "retain/sdk/types.h"
#include "retain/sdk/wire.h"
#include "retain_account_name.h"

namespace retain::sdk {

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
            case 5:
              s->commercial.reference = m.AsString();
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
      m.String(5, s.commercial.reference);
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
      case 9:
        h->arr = r.AsDouble();
        break;
      case 10:
        h->segment = r.AsInt32();
        break;
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

// retain.report.v1.ReportSection, as a plugin wrote it.
inline bool DecodeSection(std::string_view b, Section* s) {
  wire::Reader r(b);
  bool ok = true;
  while (r.Next()) {
    if (r.field() == 2) s->title = r.AsString();
    if (r.field() == 3) {
      Field f;
      ok = DecodeField(r.AsBytes(), &f) && ok;
      s->fields.push_back(std::move(f));
    }
  }
  return r.ok() && ok;
}

// The host's side, for hosts written with the SDK (the fake host of
// retain_plugin_testing.h): the core messages a plugin decodes.

inline std::string EncodeContact(const Contact& c) {
  wire::Writer w;
  w.String(1, c.display_name);
  w.String(2, c.email);
  w.String(3, c.role);
  w.Bool(4, c.exec_sponsor);
  w.Bool(5, c.champion);
  return w.Take();
}

// retain.account.v1.Account; the name is "accounts/{id}" (from a->id when
// name is empty).
inline std::string EncodeAccount(const Account& a) {
  wire::Writer w;
  w.String(1, a.name.empty() ? names::AccountName(a.id) : a.name);
  w.String(2, a.display_name);
  w.Double(3, a.arr);
  w.Int(4, a.licensed_seats);
  w.TimestampMicros(5, a.contract_start_micros);
  w.TimestampMicros(6, a.renewal_micros);
  w.Int(7, a.segment);
  w.Int(9, a.lifecycle_stage);
  w.TimestampMicros(10, a.lifecycle_stage_micros);
  w.String(11, a.csm_owner);
  for (const auto& c : a.contacts) w.Bytes(12, EncodeContact(c));
  w.Double(15, a.health_score);
  w.Int(16, a.health_band);
  return w.Take();
}

// retain.report.v1.AccountHealth (the fields DecodeHealth reads).
inline std::string EncodeHealth(const Health& h) {
  wire::Writer w;
  w.String(1, h.account);
  w.Double(4, h.score);
  w.Int(5, h.band);
  for (const auto& c : h.components) w.Bytes(6, EncodeComponent(c));
  w.Double(9, h.arr);
  w.Int(10, h.segment);
  return w.Take();
}

// --- retain.plugin.v1 messages of the KV callbacks and the call context
// (proto/retain/plugin/v1/abi.proto), both sides.

// KvOp (also the ops of KvBatch and KvApplyIfRequest).
inline std::string EncodeKvOp(const KvOp& op) {
  wire::Writer w;
  w.String(1, op.key);
  if (op.value) {
    w.String(2, *op.value);
  } else {
    w.Bool(3, true);
  }
  return w.Take();
}

inline bool DecodeKvOp(std::string_view b, KvOp* op) {
  std::string value;
  bool erase = false;
  wire::Reader r(b);
  while (r.Next()) {
    if (r.field() == 1) op->key = r.AsString();
    if (r.field() == 2) value = r.AsString();
    if (r.field() == 3) erase = r.AsBool();
  }
  if (!erase) op->value = std::move(value);
  return r.ok();
}

// KvEntry, with the version kv_read sets.
inline std::string EncodeKvEntry(const KvEntry& e) {
  wire::Writer w;
  w.String(1, e.key);
  w.String(2, e.value);
  w.Int(3, e.version);
  return w.Take();
}

inline bool DecodeKvEntry(std::string_view b, KvEntry* e) {
  wire::Reader r(b);
  while (r.Next()) {
    if (r.field() == 1) e->key = r.AsString();
    if (r.field() == 2) e->value = r.AsString();
    if (r.field() == 3) e->version = r.AsInt64();
  }
  return r.ok();
}

inline std::string EncodeKvRange(const KvRange& range) {
  wire::Writer w;
  w.String(1, range.prefix);
  w.String(2, range.start_after);
  w.Int(3, range.limit);
  return w.Take();
}

inline bool DecodeKvRange(std::string_view b, KvRange* range) {
  range->limit = 0;  // absent in the message: 0, which the host reads as 100
  wire::Reader r(b);
  while (r.Next()) {
    if (r.field() == 1) range->prefix = r.AsString();
    if (r.field() == 2) range->start_after = r.AsString();
    if (r.field() == 3) range->limit = r.AsInt32();
  }
  return r.ok();
}

// KvReadRequest.
inline std::string EncodeKvRead(const std::vector<std::string>& keys,
                                const std::optional<KvRange>& range) {
  wire::Writer w;
  for (const auto& k : keys) w.Bytes(1, k);
  if (range) w.Bytes(2, EncodeKvRange(*range));
  return w.Take();
}

// KvReadResponse.
inline std::string EncodeKvSnapshot(const KvSnapshot& s) {
  wire::Writer w;
  for (const auto& e : s.values) w.Bytes(1, EncodeKvEntry(e));
  for (const auto& e : s.entries) w.Bytes(2, EncodeKvEntry(e));
  return w.Take();
}

inline bool DecodeKvSnapshot(std::string_view b, KvSnapshot* s) {
  wire::Reader r(b);
  bool ok = true;
  while (r.Next()) {
    if (r.field() != 1 && r.field() != 2) continue;
    KvEntry e;
    ok = DecodeKvEntry(r.AsBytes(), &e) && ok;
    (r.field() == 1 ? s->values : s->entries).push_back(std::move(e));
  }
  return r.ok() && ok;
}

// KvApplyIfRequest.
inline std::string EncodeKvApplyIf(
    const std::vector<KvOp>& ops,
    const std::vector<KvPrecondition>& preconditions) {
  wire::Writer w;
  for (const auto& p : preconditions) {
    wire::Writer c;
    c.String(1, p.key);
    c.Int(2, p.version);
    w.Message(1, c);
  }
  for (const auto& op : ops) w.Bytes(2, EncodeKvOp(op));
  return w.Take();
}

// CallContext.
// retain.plugin.v1.Caller (ABI 1.4).
inline std::string EncodeCaller(const Caller& c) {
  wire::Writer w;
  w.String(1, c.tenant);
  w.Int(2, static_cast<int32_t>(c.role));
  w.Int(3, static_cast<int32_t>(c.authentication));
  w.String(4, c.principal);
  w.String(5, c.key_id);
  w.String(6, c.key_display_name);
  w.String(7, c.certificate_subject);
  for (const auto& p : c.via_plugins) w.Bytes(8, p);
  return w.Take();
}

inline bool DecodeCaller(std::string_view b, Caller* c) {
  wire::Reader r(b);
  while (r.Next()) {
    switch (r.field()) {
      case 1:
        c->tenant = r.AsString();
        break;
      case 2:
        c->role = static_cast<Caller::Role>(r.AsInt32());
        break;
      case 3:
        c->authentication = static_cast<Caller::Authentication>(r.AsInt32());
        break;
      case 4:
        c->principal = r.AsString();
        break;
      case 5:
        c->key_id = r.AsString();
        break;
      case 6:
        c->key_display_name = r.AsString();
        break;
      case 7:
        c->certificate_subject = r.AsString();
        break;
      case 8:
        c->via_plugins.push_back(r.AsString());
        break;
    }
  }
  return r.ok();
}

// retain.plugin.v1.CallPluginRequest (ABI 1.4).
inline std::string EncodeCallPlugin(std::string_view plugin,
                                    std::string_view method,
                                    std::string_view request) {
  wire::Writer w;
  w.String(1, plugin);
  w.String(2, method);
  w.String(3, request);
  return w.Take();
}

inline std::string EncodeCallContext(const CallContext& c) {
  wire::Writer w;
  w.Int(1, static_cast<int32_t>(c.hook));
  w.String(2, c.method);
  w.Int(3, c.deadline_micros);
  w.Int(4, c.remaining_micros);
  w.Bool(5, c.cancelled);
  w.Int(6, static_cast<int32_t>(c.cancel_reason));
  if (c.caller) w.Bytes(7, EncodeCaller(*c.caller));
  return w.Take();
}

inline bool DecodeCallContext(std::string_view b, CallContext* c) {
  wire::Reader r(b);
  while (r.Next()) {
    switch (r.field()) {
      case 1:
        c->hook = static_cast<CallContext::Hook>(r.AsInt32());
        break;
      case 2:
        c->method = r.AsString();
        break;
      case 3:
        c->deadline_micros = r.AsInt64();
        break;
      case 4:
        c->remaining_micros = r.AsInt64();
        break;
      case 5:
        c->cancelled = r.AsBool();
        break;
      case 6:
        c->cancel_reason = static_cast<CallContext::CancelReason>(r.AsInt32());
        break;
      case 7: {
        Caller caller;
        if (!DecodeCaller(r.AsBytes(), &caller)) return false;
        c->caller = std::move(caller);
        break;
      }
    }
  }
  return r.ok();
}

// retain.plugin.v1.HealthEvent.
inline std::string EncodeHealthEvent(const HealthEvent& e) {
  wire::Writer w;
  w.Int(1, static_cast<int32_t>(e.kind));
  w.Int(2, e.position);
  w.String(3, e.account_id);
  w.Int(4, e.occur_micros);
  w.Int(5, e.previous_band);
  w.Int(6, e.band);
  w.Double(7, e.score);
  w.String(8, e.indicator);
  w.String(9, e.source);
  w.String(10, e.code);
  w.String(11, e.severity);
  w.String(12, e.message);
  for (const auto& i : e.indicators) w.Bytes(13, i);
  return w.Take();
}

inline bool DecodeHealthEvent(std::string_view b, HealthEvent* e) {
  wire::Reader r(b);
  while (r.Next()) {
    switch (r.field()) {
      case 1:
        e->kind = static_cast<HealthEvent::Kind>(r.AsInt32());
        break;
      case 2:
        e->position = r.AsInt64();
        break;
      case 3:
        e->account_id = r.AsString();
        break;
      case 4:
        e->occur_micros = r.AsInt64();
        break;
      case 5:
        e->previous_band = r.AsInt32();
        break;
      case 6:
        e->band = r.AsInt32();
        break;
      case 7:
        e->score = r.AsDouble();
        break;
      case 8:
        e->indicator = r.AsString();
        break;
      case 9:
        e->source = r.AsString();
        break;
      case 10:
        e->code = r.AsString();
        break;
      case 11:
        e->severity = r.AsString();
        break;
      case 12:
        e->message = r.AsString();
        break;
      case 13:
        e->indicators.push_back(r.AsString());
        break;
    }
  }
  return r.ok();
}

// retain.plugin.v1.GetAccountHealthResponse.
inline bool DecodeAccountHealth(std::string_view b, AccountHealth* out) {
  wire::Reader r(b);
  bool ok = true;
  while (r.Next()) {
    if (r.field() == 1) ok = DecodeAccount(r.AsBytes(), &out->account) && ok;
    if (r.field() == 2) ok = DecodeHealth(r.AsBytes(), &out->health) && ok;
  }
  return r.ok() && ok;
}

}  // namespace codec

}  // namespace retain::sdk

#endif  // RETAIN_SDK_DETAIL_CODEC_H_
