// The template plugin: account notes. Start your own plugin with
// `retainctl plugins new NAME`, which writes this plugin renamed, its test,
// a Makefile and the SDK (see plugins/README.md). It needs nothing but the
// SDK headers, so it builds with a plain compiler command:
//
//   g++ -std=c++17 -O2 -fPIC -shared -fvisibility=hidden
//       -I plugins/sdk plugins/template/notes_plugin.cc -o libnotes.so
//
// Its messages (notes.proto) are encoded by hand with the SDK's wire codec;
// a larger plugin would link the protobuf runtime and its own generated
// code instead (see plugins/onboarding/). Its unit tests, on the SDK's fake
// host: notes_plugin_test.cc.
//
// Its handlers run concurrently, and none takes a lock: each change of KV
// state is a Host::Update, which writes only if what it read is still
// what the store holds, and otherwise reads again and retries.
#include <string>

#include "retain_plugin.h"

namespace {

using retain::sdk::Call;
using retain::sdk::KvUpdate;
using retain::sdk::Section;
using retain::sdk::Signal;
using retain::sdk::SignalKind;
using retain::sdk::Status;
namespace wire = retain::sdk::wire;

constexpr char kService[] = "/retain.plugins.notes.v1.NotesService/";

// Fields of notes.proto, by number.
struct Note {
  std::string account_id;     // 1
  std::string note_id;        // 2
  std::string text;           // 3
  std::string author;         // 4
  int64_t create_micros = 0;  // 5 (Timestamp)

  std::string Encode() const {
    wire::Writer w;
    w.String(1, account_id);
    w.String(2, note_id);
    w.String(3, text);
    w.String(4, author);
    w.TimestampMicros(5, create_micros);
    return w.Take();
  }
  static Note Decode(std::string_view bytes) {
    Note n;
    wire::Reader r(bytes);
    while (r.Next()) {
      switch (r.field()) {
        case 1:
          n.account_id = r.AsString();
          break;
        case 2:
          n.note_id = r.AsString();
          break;
        case 3:
          n.text = r.AsString();
          break;
        case 4:
          n.author = r.AsString();
          break;
        case 5:
          n.create_micros = r.AsTimestampMicros();
          break;
      }
    }
    return n;
  }
};

class NotesPlugin : public retain::sdk::Plugin {
 public:
  // Update needs the host's versioned KV (ABI 1.2): an older host is
  // declined at load, saying so, rather than failing call by call.
  static constexpr uint32_t kRequiredHostFeatures =
      retain::sdk::host_feature::kVersionedKv;

  Status Init(retain::sdk::Setup& setup) override {
    max_text_ = setup.config().GetInt("max_text_bytes", 4096);
    setup.Subscribe(SignalKind::kTouchpoint);
    setup.Handle(
        std::string(kService) + "AddNote",
        [this](const Call& c, std::string* out) { return AddNote(c, out); });
    setup.Handle(
        std::string(kService) + "ListNotes",
        [this](const Call& c, std::string* out) { return ListNotes(c, out); });
    setup.ProvideReportSection();
    host().Info("notes plugin ready");
    return Status();
  }

  // Counts touchpoints per account. The last seq is written in the same
  // atomic batch as the count, so a redelivered signal is not counted twice.
  Status OnSignal(const Signal& s) override {
    const std::string seq_key = "seq/" + s.account_id;
    const std::string count_key = "touchpoints/" + s.account_id;
    return host().Update(s.tenant, {seq_key, count_key}, [&](KvUpdate& u) {
      auto last = u.Get(seq_key);
      if (!last.ok()) return last.status();
      if (*last && std::stoll(**last) >= s.seq) return Status();  // seen
      auto count = u.Get(count_key);
      if (!count.ok()) return count.status();
      u.Put(count_key, std::to_string((*count ? std::stoll(**count) : 0) + 1));
      u.Put(seq_key, std::to_string(s.seq));
      return Status();
    });
  }

  std::optional<Section> ReportSection(const std::string& tenant,
                                       const std::string& account_id) override {
    auto notes = host().KvScanAll(tenant, "note/" + account_id + "/");
    if (!notes.ok() || notes->empty()) return std::nullopt;
    Section s;
    s.title = "Notes";
    s.fields.push_back({"notes", std::to_string(notes->size())});
    s.fields.push_back({"latest", Note::Decode(notes->back().value).text});
    s.fields.push_back(
        {"touchpoints_seen",
         std::to_string(Counter(tenant, "touchpoints/" + account_id))});
    return s;
  }

 private:
  int64_t Counter(const std::string& tenant, const std::string& key) {
    auto v = host().KvGet(tenant, key);
    return (v.ok() && *v) ? std::stoll(**v) : 0;
  }

  Status AddNote(const Call& call, std::string* out) {
    // AddNoteRequest: 1 account_id, 2 text, 3 author.
    Note n;
    wire::Reader r(call.request);
    while (r.Next()) {
      if (r.field() == 1) n.account_id = r.AsString();
      if (r.field() == 2) n.text = r.AsString();
      if (r.field() == 3) n.author = r.AsString();
    }
    if (!r.ok()) return retain::sdk::InvalidArgument("malformed request");
    if (n.account_id.empty())
      return retain::sdk::InvalidArgument("account_id is required");
    if (n.text.empty()) return retain::sdk::InvalidArgument("text is required");
    if (static_cast<int64_t>(n.text.size()) > max_text_) {
      return retain::sdk::InvalidArgument("text is too long");
    }
    auto account = host().GetAccount(call.tenant, n.account_id);
    if (!account.ok()) return account.status();  // e.g. NOT_FOUND
    // The counter numbers the notes: two concurrent AddNotes that read the
    // same value cannot both write, so the one that loses retries with the
    // next number.
    const std::string next_key = "next/" + n.account_id;
    Status s = host().Update(call.tenant, {next_key}, [&](KvUpdate& u) {
      auto last = u.Get(next_key);
      if (!last.ok()) return last.status();
      const int64_t next = (*last ? std::stoll(**last) : 0) + 1;
      n.note_id = "n" + std::to_string(next);
      n.create_micros = host().NowMicros();
      // Zero-padded so key order is creation order.
      char seq[32];
      std::snprintf(seq, sizeof seq, "%012lld", static_cast<long long>(next));
      u.Put(next_key, std::to_string(next));
      u.Put("note/" + n.account_id + "/" + seq, n.Encode());
      return Status();
    });
    if (!s.ok()) return s;
    *out = n.Encode();
    return Status();
  }

  Status ListNotes(const Call& call, std::string* out) {
    std::string account_id;
    wire::Reader r(call.request);
    while (r.Next()) {
      if (r.field() == 1) account_id = r.AsString();
    }
    if (!r.ok()) return retain::sdk::InvalidArgument("malformed request");
    auto notes = host().KvScanAll(call.tenant, "note/" + account_id + "/");
    if (!notes.ok()) return notes.status();
    wire::Writer w;
    for (const auto& e : *notes) w.Bytes(1, e.value);
    w.Int(2, Counter(call.tenant, "touchpoints/" + account_id));
    *out = w.Take();
    return Status();
  }

  int64_t max_text_ = 4096;
};

}  // namespace

RETAIN_PLUGIN(NotesPlugin, "notes", "1.0.0")
