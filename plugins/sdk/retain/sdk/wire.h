// A tiny protobuf wire-format reader and writer, header-only, no
// dependencies. The SDK uses it to decode and encode the few core messages
// that cross the plugin ABI, so a plugin never links the core's generated
// code (two copies of one .proto in a process abort at load: "File already
// exists in database"). Plugin authors may use it for their own messages
// when they do not want the protobuf runtime (see plugins/template/).
//
// Covers proto3 as used here: varint, 64-bit, length-delimited and 32-bit
// fields; groups are rejected. Every read is bounds-checked: malformed
// input makes Next() return false and ok() false, never reads out of range.
//
// Repeated fields: a repeated message or string field is one Bytes /
// Message per element, read back as one field per element. A repeated int
// field may be encoded packed (proto3's default, what protoc-generated code
// writes: Writer::PackedInts) or one element at a time
// (Writer::RepeatedInt); a parser must accept both, which
// Reader::AppendInts does. Writer::Int is for singular fields only: it
// skips 0, as proto3 does, which would drop a 0 element.
//
// Writer and Reader are plain values, not shared: use one per thread.
#ifndef RETAIN_SDK_WIRE_H_
#define RETAIN_SDK_WIRE_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace retain::sdk::wire {

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kFixed32 = 5,
};

class Writer {
 public:
  void Varint(uint32_t field, uint64_t v) {
    Tag(field, kVarint);
    Raw(v);
  }
  // A singular int field: skips zero, as proto3 does for scalars. For an
  // element of a repeated int field, where a 0 must be kept, use
  // RepeatedInt (one element) or PackedInts (all of them).
  void Int(uint32_t field, int64_t v) {
    if (v != 0) Varint(field, static_cast<uint64_t>(v));
  }
  // One element of a repeated int field, written whatever its value
  // (unpacked; proto3 parsers accept both encodings).
  void RepeatedInt(uint32_t field, int64_t v) {
    Varint(field, static_cast<uint64_t>(v));
  }
  // A whole repeated int field, packed (proto3's default encoding);
  // nothing for an empty list.
  void PackedInts(uint32_t field, const std::vector<int64_t>& values) {
    if (values.empty()) return;
    Writer packed;
    for (int64_t v : values) packed.Raw(static_cast<uint64_t>(v));
    Bytes(field, packed.out_);
  }
  void Bool(uint32_t field, bool v) {
    if (v) Varint(field, 1);
  }
  void Double(uint32_t field, double v) {
    if (v == 0) return;
    Tag(field, kFixed64);
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 8; ++i)
      out_.push_back(static_cast<char>(bits >> (8 * i)));
  }
  // Skips empty strings.
  void String(uint32_t field, std::string_view v) {
    if (!v.empty()) Bytes(field, v);
  }
  // Always written (also when empty): for repeated and message fields.
  void Bytes(uint32_t field, std::string_view v) {
    Tag(field, kLengthDelimited);
    Raw(v.size());
    out_.append(v.data(), v.size());
  }
  void Message(uint32_t field, const Writer& m) { Bytes(field, m.out_); }
  // google.protobuf.Timestamp from microseconds since the epoch; skipped
  // when 0.
  void TimestampMicros(uint32_t field, int64_t micros) {
    if (micros == 0) return;
    int64_t s = micros / 1000000, us = micros % 1000000;
    if (us < 0) {
      us += 1000000;
      s -= 1;
    }
    Writer t;
    t.Int(1, s);
    t.Int(2, us * 1000);
    Message(field, t);
  }
  // A map<string, string> entry.
  void MapEntry(uint32_t field, std::string_view key, std::string_view value) {
    Writer e;
    e.String(1, key);
    e.String(2, value);
    Message(field, e);
  }

  const std::string& data() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Tag(uint32_t field, WireType t) { Raw((uint64_t{field} << 3) | t); }
  void Raw(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  std::string out_;
};

// Reads fields one by one:
//   Reader r(bytes);
//   while (r.Next()) switch (r.field()) { case 1: x = r.AsString(); ... }
//   if (!r.ok()) { malformed }
// Unknown fields are skipped by simply not handling them.
class Reader {
 public:
  explicit Reader(std::string_view data)
      : p_(data.data()), end_(p_ + data.size()) {}

  bool Next() {
    if (!ok_ || p_ >= end_) return false;
    uint64_t tag;
    if (!ReadVarint(&tag)) return Fail();
    field_ = static_cast<uint32_t>(tag >> 3);
    type_ = static_cast<uint32_t>(tag & 7);
    if (field_ == 0) return Fail();
    switch (type_) {
      case kVarint:
        if (!ReadVarint(&varint_)) return Fail();
        return true;
      case kFixed64:
        if (end_ - p_ < 8) return Fail();
        varint_ = 0;
        for (int i = 0; i < 8; ++i)
          varint_ |= uint64_t{static_cast<uint8_t>(p_[i])} << (8 * i);
        p_ += 8;
        return true;
      case kFixed32:
        if (end_ - p_ < 4) return Fail();
        varint_ = 0;
        for (int i = 0; i < 4; ++i)
          varint_ |= uint64_t{static_cast<uint8_t>(p_[i])} << (8 * i);
        p_ += 4;
        return true;
      case kLengthDelimited: {
        uint64_t n;
        if (!ReadVarint(&n) || n > static_cast<uint64_t>(end_ - p_))
          return Fail();
        bytes_ = std::string_view(p_, static_cast<size_t>(n));
        p_ += n;
        return true;
      }
      default:  // groups (3, 4) and invalid types
        return Fail();
    }
  }

  bool ok() const { return ok_; }
  uint32_t field() const { return field_; }
  uint32_t type() const { return type_; }

  // Accessors return a zero value when the wire type does not match, so a
  // field whose type changed is ignored rather than misread.
  uint64_t AsUint64() const { return type_ == kVarint ? varint_ : 0; }
  int64_t AsInt64() const { return static_cast<int64_t>(AsUint64()); }
  int32_t AsInt32() const { return static_cast<int32_t>(AsUint64()); }
  bool AsBool() const { return AsUint64() != 0; }
  double AsDouble() const {
    if (type_ != kFixed64) return 0;
    double d;
    std::memcpy(&d, &varint_, sizeof d);
    return d;
  }
  std::string_view AsBytes() const {
    return type_ == kLengthDelimited ? bytes_ : std::string_view();
  }
  std::string AsString() const { return std::string(AsBytes()); }
  // A google.protobuf.Timestamp field as microseconds since the epoch.
  int64_t AsTimestampMicros() const {
    int64_t s = 0, ns = 0;
    Reader r(AsBytes());
    while (r.Next()) {
      if (r.field() == 1) s = r.AsInt64();
      if (r.field() == 2) ns = r.AsInt64();
    }
    return s * 1000000 + ns / 1000;
  }
  // A map<string, string> entry.
  void AsMapEntry(std::string* key, std::string* value) const {
    Reader r(AsBytes());
    while (r.Next()) {
      if (r.field() == 1) *key = r.AsString();
      if (r.field() == 2) *value = r.AsString();
    }
  }
  // The element(s) of a repeated int field in this field, appended to
  // *out: several when packed, one when not. False (nothing appended) when
  // a packed run is malformed.
  bool AppendInts(std::vector<int64_t>* out) const {
    if (type_ == kVarint) {
      out->push_back(AsInt64());
      return true;
    }
    if (type_ != kLengthDelimited) return false;
    std::vector<int64_t> values;
    Reader packed(bytes_);
    while (packed.p_ < packed.end_) {
      uint64_t v;
      if (!packed.ReadVarint(&v)) return false;
      values.push_back(static_cast<int64_t>(v));
    }
    out->insert(out->end(), values.begin(), values.end());
    return true;
  }

 private:
  bool Fail() {
    ok_ = false;
    return false;
  }
  bool ReadVarint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && p_ < end_; shift += 7) {
      uint8_t b = static_cast<uint8_t>(*p_++);
      *v |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }

  const char* p_;
  const char* end_;
  bool ok_ = true;
  uint32_t field_ = 0;
  uint32_t type_ = 0;
  uint64_t varint_ = 0;
  std::string_view bytes_;
};

}  // namespace retain::sdk::wire

#endif  // RETAIN_SDK_WIRE_H_
