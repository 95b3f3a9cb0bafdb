#include "clients/cli/records.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "api/names.h"
#include "api/signal_validation.h"
#include "clients/cli/format.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace retain::cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using signal::v1::Signal;

const std::map<std::string, std::string>& SignalAliases() {
  static const auto* aliases = new std::map<std::string, std::string>{
      {"id", "signal_id"},         {"account_id", "account"},
      {"time", "occur_time"},      {"occurred_at", "occur_time"},
      {"at", "occur_time"},        {"date", "occur_time"},
      {"timestamp", "occur_time"},
  };
  return *aliases;
}

const std::map<std::string, std::string>& AccountAliases() {
  static const auto* aliases = new std::map<std::string, std::string>{
      {"id", "account_id"},
      {"seats", "licensed_seats"},
      {"contract_start", "contract_start_time"},
      {"contract_start_date", "contract_start_time"},
      {"renewal", "renewal_time"},
      {"renewal_date", "renewal_time"},
      {"stage", "lifecycle_stage"},
      {"csm", "csm_owner"},
      {"term", "contract_term_months"},
      {"contract_term", "contract_term_months"},
  };
  return *aliases;
}

constexpr const char* kContactColumns[] = {"exec_sponsor_name",
                                           "exec_sponsor_email",
                                           "champion_name", "champion_email"};

// Writable account fields that rows may set.
constexpr const char* kAccountColumns[] = {
    "display_name",        "arr",          "licensed_seats",
    "contract_start_time", "renewal_time", "segment",
    "lifecycle_stage",     "csm_owner",    "contract_term_months"};

std::string Canonical(const std::string& name,
                      const std::map<std::string, std::string>& aliases) {
  std::string n = NormalizeColumn(name);
  auto it = aliases.find(n);
  return it == aliases.end() ? n : it->second;
}

absl::Status FieldError(const std::string& column, const absl::Status& st) {
  return absl::InvalidArgumentError(absl::StrCat(column, ": ", st.message()));
}

absl::Status SetMapField(Message* msg, const FieldDescriptor* field,
                         const std::string& column, const std::string& value) {
  const Reflection* refl = msg->GetReflection();
  for (absl::string_view item : absl::StrSplit(value, ';', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(item, absl::MaxSplits('=', 1));
    std::string key(absl::StripAsciiWhitespace(kv.first));
    std::string val(absl::StripAsciiWhitespace(kv.second));
    if (key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(column, ": expected key=value;key=value"));
    }
    Message* entry = refl->AddMessage(msg, field);
    const FieldDescriptor* kf = entry->GetDescriptor()->FindFieldByNumber(1);
    const FieldDescriptor* vf = entry->GetDescriptor()->FindFieldByNumber(2);
    entry->GetReflection()->SetString(entry, kf, key);
    if (vf->cpp_type() == FieldDescriptor::CPPTYPE_INT32) {
      int n = 0;
      if (!absl::SimpleAtoi(val, &n)) {
        return absl::InvalidArgumentError(absl::StrCat(
            column, ": \"", val, "\" for ", key, " is not a whole number"));
      }
      entry->GetReflection()->SetInt32(entry, vf, n);
    } else {
      entry->GetReflection()->SetString(entry, vf, val);
    }
  }
  return absl::OkStatus();
}

// Sets one singular field of `msg` from its text form.
absl::Status SetFromText(Message* msg, const FieldDescriptor* field,
                         const std::string& column, const std::string& raw) {
  const Reflection* refl = msg->GetReflection();
  const std::string value(absl::StripAsciiWhitespace(raw));
  if (field->is_map()) return SetMapField(msg, field, column, value);
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t n = 0;
      if (!absl::SimpleAtoi(value, &n)) {
        return absl::InvalidArgumentError(
            absl::StrCat(column, ": \"", value, "\" is not a whole number"));
      }
      refl->SetInt32(msg, field, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t n = 0;
      if (!absl::SimpleAtoi(value, &n)) {
        return absl::InvalidArgumentError(
            absl::StrCat(column, ": \"", value, "\" is not a whole number"));
      }
      refl->SetInt64(msg, field, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double d = 0;
      std::string cleaned = absl::StrReplaceAll(value, {{",", ""}, {"$", ""}});
      if (!absl::SimpleAtod(cleaned, &d)) {
        return absl::InvalidArgumentError(
            absl::StrCat(column, ": \"", value, "\" is not a number"));
      }
      refl->SetDouble(msg, field, d);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      auto b = ParseBool(value);
      if (!b.ok()) return FieldError(column, b.status());
      refl->SetBool(msg, field, *b);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING:
      refl->SetString(msg, field, raw);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_ENUM: {
      auto e = ParseEnum(field->enum_type(), value);
      if (!e.ok()) return FieldError(column, e.status());
      refl->SetEnumValue(msg, field, *e);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (field->message_type()->full_name() == "google.protobuf.Timestamp") {
        auto t = ParseTime(value);
        if (!t.ok()) return FieldError(column, t.status());
        refl->MutableMessage(msg, field)->CopyFrom(ToProto(*t));
        return absl::OkStatus();
      }
      break;
    default:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(column, ": cannot be set from a file"));
}

// The column that carries a payload field: "kind" is ambiguous with the
// signal's own kind, so it is "<payload>_kind".
std::string PayloadColumn(const FieldDescriptor* payload,
                          const FieldDescriptor* field) {
  if (field->name() == "kind") return payload->name() + "_kind";
  return field->name();
}

const FieldDescriptor* PayloadField(const std::string& kind_name) {
  const Descriptor* d = Signal::descriptor();
  const FieldDescriptor* f = d->FindFieldByName(kind_name);
  if (f == nullptr || f->containing_oneof() == nullptr) return nullptr;
  return f;
}

std::vector<std::string> KnownSignalColumns() {
  std::vector<std::string> cols = {"signal_id", "account", "occur_time",
                                   "kind"};
  const auto* oneof = Signal::descriptor()->FindOneofByName("payload");
  for (int i = 0; i < oneof->field_count(); ++i) {
    const FieldDescriptor* payload = oneof->field(i);
    const Descriptor* pd = payload->message_type();
    for (int j = 0; j < pd->field_count(); ++j) {
      cols.push_back(PayloadColumn(payload, pd->field(j)));
    }
  }
  return cols;
}

absl::Status NormalizeSignal(Signal& s) {
  if (!s.account().empty()) {
    auto name = AccountResourceName(s.account());
    if (!name.ok()) return FieldError("account", name.status());
    s.set_account(*name);
  }
  return absl::OkStatus();
}

}  // namespace

std::string NormalizeColumn(const std::string& name) {
  std::string n = absl::AsciiStrToLower(absl::StripAsciiWhitespace(name));
  // A UTF-8 byte order mark at the start of a file's first header.
  if (absl::StartsWith(n, "\xEF\xBB\xBF")) n = n.substr(3);
  return absl::StrReplaceAll(n, {{" ", "_"}, {"-", "_"}});
}

absl::StatusOr<std::string> AccountResourceName(const std::string& ref) {
  std::string r(absl::StripAsciiWhitespace(ref));
  const std::string id = api::AccountIdOf(r);
  if (!api::IsValidAccountId(id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", ref,
        "\" is not an account id (1-63 characters of a-z 0-9 - _ ., "
        "starting with a letter or digit)"));
  }
  return api::AccountName(id);
}

absl::StatusOr<Signal> SignalFromFields(const Fields& raw) {
  std::map<std::string, std::string> fields;
  for (const auto& [k, v] : raw) fields[Canonical(k, SignalAliases())] = v;
  auto get = [&](const std::string& k) -> std::string {
    auto it = fields.find(k);
    return it == fields.end()
               ? ""
               : std::string(absl::StripAsciiWhitespace(it->second));
  };
  Signal s;
  s.set_signal_id(get("signal_id"));
  if (get("account").empty()) {
    return absl::InvalidArgumentError("account: is required");
  }
  auto name = AccountResourceName(get("account"));
  if (!name.ok()) return FieldError("account", name.status());
  s.set_account(*name);
  if (get("occur_time").empty()) {
    return absl::InvalidArgumentError("occur_time: is required");
  }
  auto t = ParseTime(get("occur_time"));
  if (!t.ok()) return FieldError("occur_time", t.status());
  *s.mutable_occur_time() = ToProto(*t);

  const std::string kind = absl::AsciiStrToLower(get("kind"));
  if (kind.empty()) {
    return absl::InvalidArgumentError(
        "kind: is required (usage, ticket, survey, touchpoint, commercial, "
        "lifecycle or custom)");
  }
  const FieldDescriptor* payload = PayloadField(kind);
  if (payload == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kind: unknown kind \"", kind,
        "\" (usage, ticket, survey, touchpoint, commercial, lifecycle or "
        "custom)"));
  }
  Message* pm = s.GetReflection()->MutableMessage(&s, payload);
  const Descriptor* pd = payload->message_type();
  for (int j = 0; j < pd->field_count(); ++j) {
    const FieldDescriptor* f = pd->field(j);
    const std::string column = PayloadColumn(payload, f);
    auto it = fields.find(column);
    if (it == fields.end() || absl::StripAsciiWhitespace(it->second).empty()) {
      continue;
    }
    if (auto st = SetFromText(pm, f, column, it->second); !st.ok()) return st;
  }
  return s;
}

absl::StatusOr<Signal> SignalFromJson(const std::string& json) {
  Signal s;
  google::protobuf::util::JsonParseOptions opts;
  opts.case_insensitive_enum_parsing = true;
  auto st = google::protobuf::util::JsonStringToMessage(json, &s, opts);
  if (!st.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a Signal in proto JSON: ", st.message().ToString()));
  }
  if (auto n = NormalizeSignal(s); !n.ok()) return n;
  // Output-only fields of an exported signal are the server's to set.
  s.clear_record_time();
  s.clear_kind();
  return s;
}

std::vector<std::string> UnknownSignalColumns(
    const std::vector<std::string>& headers) {
  std::vector<std::string> known = KnownSignalColumns();
  std::set<std::string> k(known.begin(), known.end());
  std::vector<std::string> unknown;
  for (const auto& h : headers) {
    if (!k.count(Canonical(h, SignalAliases()))) unknown.push_back(h);
  }
  return unknown;
}

std::string HexDigest(const std::string& bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return absl::StrFormat("%016x", h);
}

void EnsureSignalId(Signal& s) {
  if (!s.signal_id().empty()) return;
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    s.SerializeToCodedStream(&coded);
  }
  s.set_signal_id("h-" + HexDigest(bytes));
}

absl::Status ValidateSignal(const Signal& s, absl::Time now) {
  absl::Status st = api::ValidateSignal(s, "signal", now);
  if (st.ok()) return st;
  // "signal.survey.score: ..." -> "survey.score: ..."
  std::string msg(st.message());
  if (absl::StartsWith(msg, "signal.")) msg = msg.substr(7);
  if (absl::StartsWith(msg, "signal: ")) msg = msg.substr(8);
  return absl::Status(st.code(), msg);
}

absl::StatusOr<AccountRow> AccountFromFields(const Fields& raw) {
  AccountRow row;
  std::map<std::string, std::string> fields;
  for (const auto& [k, v] : raw) fields[Canonical(k, AccountAliases())] = v;
  auto get = [&](const std::string& k) -> std::string {
    auto it = fields.find(k);
    return it == fields.end()
               ? ""
               : std::string(absl::StripAsciiWhitespace(it->second));
  };
  if (!get("account_id").empty()) {
    auto name = AccountResourceName(get("account_id"));
    if (!name.ok()) return FieldError("account_id", name.status());
    row.account_id = api::AccountIdOf(*name);
  }
  const Descriptor* d = account::v1::Account::descriptor();
  for (const char* column : kAccountColumns) {
    auto it = fields.find(column);
    if (it == fields.end()) continue;
    // An empty cell leaves the field alone, except segment, where it means
    // "derive from ARR again".
    if (absl::StripAsciiWhitespace(it->second).empty()) {
      if (std::string(column) == "segment") row.paths.push_back(column);
      continue;
    }
    if (auto st = SetFromText(&row.account, d->FindFieldByName(column), column,
                              it->second);
        !st.ok()) {
      return st;
    }
    row.paths.push_back(column);
  }
  for (const std::string role : {"exec_sponsor", "champion"}) {
    const std::string name = get(role + "_name");
    const std::string email = get(role + "_email");
    if (name.empty() && email.empty()) continue;
    auto* c = row.account.add_contacts();
    c->set_display_name(name);
    c->set_email(email);
    if (role == "exec_sponsor") c->set_exec_sponsor(true);
    if (role == "champion") c->set_champion(true);
  }
  if (row.account.contacts_size() > 0) row.paths.push_back("contacts");
  if (row.account.display_name().empty() && fields.count("display_name")) {
    return absl::InvalidArgumentError("display_name: is required");
  }
  if (row.account.arr() < 0) {
    return absl::InvalidArgumentError("arr: must be >= 0");
  }
  if (row.account.licensed_seats() < 0) {
    return absl::InvalidArgumentError("licensed_seats: must be >= 0");
  }
  if (row.account.has_contract_start_time() && row.account.has_renewal_time() &&
      FromProto(row.account.renewal_time()) <
          FromProto(row.account.contract_start_time())) {
    return absl::InvalidArgumentError(
        "renewal_time: must not be before contract_start_time");
  }
  return row;
}

absl::StatusOr<AccountRow> AccountFromJson(const std::string& json) {
  nlohmann::json obj = nlohmann::json::parse(json, nullptr, false);
  if (obj.is_discarded() || !obj.is_object()) {
    return absl::InvalidArgumentError("not a JSON object");
  }
  AccountRow row;
  for (const char* key : {"account_id", "accountId", "id"}) {
    if (obj.contains(key)) {
      if (!obj[key].is_string()) {
        return absl::InvalidArgumentError(absl::StrCat(key, ": not a string"));
      }
      row.account_id = obj[key].get<std::string>();
      obj.erase(key);
    }
  }
  if (row.account_id.empty() && obj.contains("name") &&
      obj["name"].is_string()) {
    row.account_id = obj["name"].get<std::string>();
  }
  obj.erase("name");
  if (!row.account_id.empty()) {
    auto name = AccountResourceName(row.account_id);
    if (!name.ok()) return FieldError("account_id", name.status());
    row.account_id = api::AccountIdOf(*name);
  }
  google::protobuf::util::JsonParseOptions opts;
  opts.case_insensitive_enum_parsing = true;
  auto st = google::protobuf::util::JsonStringToMessage(obj.dump(),
                                                        &row.account, opts);
  if (!st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not an Account in proto JSON: ", st.message().ToString()));
  }
  const Descriptor* d = account::v1::Account::descriptor();
  for (const char* column : kAccountColumns) {
    const FieldDescriptor* f = d->FindFieldByName(column);
    if (obj.contains(f->name()) || obj.contains(f->json_name())) {
      row.paths.push_back(column);
    }
  }
  if (obj.contains("contacts")) row.paths.push_back("contacts");
  // An exported account whose segment was derived from ARR: keep deriving.
  for (const char* key : {"segment_overridden", "segmentOverridden"}) {
    if (obj.contains(key) && obj[key].is_boolean() && !obj[key].get<bool>()) {
      row.account.clear_segment();
      row.paths.erase(
          std::remove(row.paths.begin(), row.paths.end(), "segment"),
          row.paths.end());
    }
  }
  // Output-only fields of an exported account are the server's to set.
  for (const char* out :
       {"segment_overridden", "lifecycle_stage_time", "create_time",
        "update_time", "health_score", "health_band", "initial_arr"}) {
    const FieldDescriptor* f = d->FindFieldByName(out);
    if (f != nullptr) row.account.GetReflection()->ClearField(&row.account, f);
  }
  if (row.account.arr() < 0) {
    return absl::InvalidArgumentError("arr: must be >= 0");
  }
  return row;
}

std::vector<std::string> UnknownAccountColumns(
    const std::vector<std::string>& headers) {
  std::set<std::string> known = {"account_id"};
  for (const char* c : kAccountColumns) known.insert(c);
  for (const char* c : kContactColumns) known.insert(c);
  std::vector<std::string> unknown;
  for (const auto& h : headers) {
    if (!known.count(Canonical(h, AccountAliases()))) unknown.push_back(h);
  }
  return unknown;
}

}  // namespace retain::cli
