// Part of the fake host (retain_plugin_testing.h): a plugin's "config"
// block, given as JSON text, turned into the retain.plugin.v1.PluginConfig
// the server hands to on_init: the JSON re-printed compactly with keys in
// order, and the values flattened ("a.b" for nested keys, "a.0" for array
// items, strings as they are, numbers and booleans as the server prints
// them, nulls left out). Mirrors core/plugin_host/plugin_config.cc, so
// Config::GetInt and friends see in a test what they see in the server.
#ifndef RETAIN_SDK_TESTING_JSON_CONFIG_H_
#define RETAIN_SDK_TESTING_JSON_CONFIG_H_

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "retain/sdk/status.h"
#include "retain/sdk/wire.h"

namespace retain::sdk::testing {

class JsonConfig {
 public:
  // INVALID_ARGUMENT naming the position when `text` is not one JSON value.
  static Result<JsonConfig> Parse(std::string_view text) {
    Parser p{text, 0, ""};
    Value v;
    p.SkipSpace();
    if (!p.ParseValue(&v, 0)) return InvalidArgument(p.Error());
    p.SkipSpace();
    if (p.pos != text.size()) {
      p.error = "unexpected text after the value";
      return InvalidArgument(p.Error());
    }
    JsonConfig c;
    c.json_ = Dump(v);
    Flatten(v, "", &c.values_);
    return c;
  }

  // The JSON as the server prints it (what Config::json() returns).
  const std::string& json() const { return json_; }
  // The flattened values (what Config::values() returns).
  const std::map<std::string, std::string>& values() const { return values_; }

  // The serialized retain.plugin.v1.PluginConfig.
  std::string Encode() const {
    wire::Writer w;
    w.String(1, json_);
    for (const auto& [k, v] : values_) w.MapEntry(2, k, v);
    return w.Take();
  }

 private:
  struct Value {
    enum Type { kNull, kBool, kNumber, kString, kArray, kObject } type = kNull;
    std::string scalar;  // "true"/"false", the number printed, the string
    std::vector<Value> items;
    std::map<std::string, Value> members;  // a repeated key: the last wins
  };

  struct Parser {
    std::string_view text;
    size_t pos = 0;
    std::string error;

    std::string Error() const {
      return "plugin config: not JSON: " + error + " at byte " +
             std::to_string(pos);
    }
    bool Fail(const char* why) {
      error = why;
      return false;
    }
    void SkipSpace() {
      while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                   text[pos] == '\n' || text[pos] == '\r')) {
        ++pos;
      }
    }
    bool Literal(std::string_view word) {
      if (text.substr(pos, word.size()) != word) return Fail("unknown word");
      pos += word.size();
      return true;
    }
    bool ParseValue(Value* v, int depth) {
      if (depth > 100) return Fail("nested too deep");
      if (pos >= text.size()) return Fail("unexpected end");
      const char c = text[pos];
      if (c == '{') return ParseObject(v, depth);
      if (c == '[') return ParseArray(v, depth);
      if (c == '"') {
        v->type = Value::kString;
        return ParseString(&v->scalar);
      }
      if (c == 't' || c == 'f') {
        v->type = Value::kBool;
        v->scalar = c == 't' ? "true" : "false";
        return Literal(v->scalar);
      }
      if (c == 'n') {
        v->type = Value::kNull;
        return Literal("null");
      }
      v->type = Value::kNumber;
      return ParseNumber(&v->scalar);
    }
    bool ParseObject(Value* v, int depth) {
      v->type = Value::kObject;
      ++pos;  // {
      SkipSpace();
      if (pos < text.size() && text[pos] == '}') {
        ++pos;
        return true;
      }
      for (;;) {
        SkipSpace();
        std::string key;
        if (pos >= text.size() || text[pos] != '"') return Fail("want a key");
        if (!ParseString(&key)) return false;
        SkipSpace();
        if (pos >= text.size() || text[pos] != ':') return Fail("want ':'");
        ++pos;
        SkipSpace();
        Value item;
        if (!ParseValue(&item, depth + 1)) return false;
        v->members[key] = std::move(item);
        SkipSpace();
        if (pos < text.size() && text[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < text.size() && text[pos] == '}') {
          ++pos;
          return true;
        }
        return Fail("want ',' or '}'");
      }
    }
    bool ParseArray(Value* v, int depth) {
      v->type = Value::kArray;
      ++pos;  // [
      SkipSpace();
      if (pos < text.size() && text[pos] == ']') {
        ++pos;
        return true;
      }
      for (;;) {
        SkipSpace();
        Value item;
        if (!ParseValue(&item, depth + 1)) return false;
        v->items.push_back(std::move(item));
        SkipSpace();
        if (pos < text.size() && text[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < text.size() && text[pos] == ']') {
          ++pos;
          return true;
        }
        return Fail("want ',' or ']'");
      }
    }
    bool Hex4(uint32_t* out) {
      if (text.size() - pos < 4) return Fail("short \\u escape");
      *out = 0;
      for (int i = 0; i < 4; ++i) {
        const char c = text[pos++];
        *out <<= 4;
        if (c >= '0' && c <= '9') {
          *out |= static_cast<uint32_t>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
          *out |= static_cast<uint32_t>(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
          *out |= static_cast<uint32_t>(c - 'A' + 10);
        } else {
          return Fail("bad \\u escape");
        }
      }
      return true;
    }
    static void AppendUtf8(uint32_t cp, std::string* out) {
      if (cp < 0x80) {
        out->push_back(static_cast<char>(cp));
      } else if (cp < 0x800) {
        out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
        out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
      } else if (cp < 0x10000) {
        out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
        out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
      } else {
        out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
        out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
        out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
      }
    }
    bool ParseString(std::string* out) {
      ++pos;  // "
      for (;;) {
        if (pos >= text.size()) return Fail("unterminated string");
        const char c = text[pos++];
        if (c == '"') return true;
        if (static_cast<unsigned char>(c) < 0x20) {
          return Fail("control character in a string");
        }
        if (c != '\\') {
          out->push_back(c);
          continue;
        }
        if (pos >= text.size()) return Fail("unterminated string");
        const char e = text[pos++];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out->push_back(e);
            break;
          case 'b':
            out->push_back('\b');
            break;
          case 'f':
            out->push_back('\f');
            break;
          case 'n':
            out->push_back('\n');
            break;
          case 'r':
            out->push_back('\r');
            break;
          case 't':
            out->push_back('\t');
            break;
          case 'u': {
            uint32_t cp;
            if (!Hex4(&cp)) return false;
            if (cp >= 0xd800 && cp <= 0xdbff) {
              uint32_t low;
              if (text.substr(pos, 2) != "\\u") return Fail("lone surrogate");
              pos += 2;
              if (!Hex4(&low)) return false;
              if (low < 0xdc00 || low > 0xdfff) return Fail("lone surrogate");
              cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
              return Fail("lone surrogate");
            }
            AppendUtf8(cp, out);
            break;
          }
          default:
            return Fail("bad escape");
        }
      }
    }
    // JSON's number grammar; printed the way the server prints numbers.
    bool ParseNumber(std::string* out) {
      const size_t start = pos;
      bool integral = true;
      if (pos < text.size() && text[pos] == '-') ++pos;
      auto digits = [&] {
        size_t from = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          ++pos;
        }
        return pos - from;
      };
      const size_t int_start = pos;
      const size_t int_digits = digits();
      if (int_digits == 0) return Fail("want a value");
      if (int_digits > 1 && text[int_start] == '0') {
        return Fail("leading zero in a number");
      }
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        integral = false;
        if (digits() == 0) return Fail("want digits after '.'");
      }
      if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
        ++pos;
        integral = false;
        if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
        if (digits() == 0) return Fail("want digits in the exponent");
      }
      const std::string literal(text.substr(start, pos - start));
      if (integral) {
        // An integer the server keeps as one is printed as it was written
        // (without a sign on zero); a bigger one becomes a double.
        const bool negative = literal[0] == '-';
        const std::string magnitude = literal.substr(negative ? 1 : 0);
        const std::string limit =
            negative ? "9223372036854775808" : "18446744073709551615";
        if (magnitude.size() < limit.size() ||
            (magnitude.size() == limit.size() && magnitude <= limit)) {
          *out = magnitude == "0" ? "0" : literal;
          return true;
        }
      }
      *out = PrintDouble(std::strtod(literal.c_str(), nullptr));
      return true;
    }
  };

  // The shortest text that reads back as `d`, laid out as the server's JSON
  // library does: "1000.0", "0.05", "1e+21", "1.5e-07".
  static std::string PrintDouble(double d) {
    if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
    if (!std::isfinite(d)) return "null";
    char buf[40];
    int precision = 1;
    for (; precision < 17; ++precision) {
      std::snprintf(buf, sizeof buf, "%.*e", precision - 1, d);
      if (std::strtod(buf, nullptr) == d) break;
    }
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, d);
    // buf: [-]d[.ddd]e[+-]x
    std::string s(buf);
    std::string sign;
    if (s[0] == '-') {
      sign = "-";
      s.erase(0, 1);
    }
    const size_t e = s.find('e');
    const int exponent = std::atoi(s.c_str() + e + 1);
    std::string digits = s.substr(0, e);
    if (digits.size() > 1) digits.erase(1, 1);  // the '.'
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;  // d = 0.digits * 10^n
    std::string out;
    if (k <= n && n <= 15) {
      out = digits + std::string(static_cast<size_t>(n - k), '0') + ".0";
    } else if (0 < n && n <= 15) {
      out = digits.substr(0, static_cast<size_t>(n)) + "." +
            digits.substr(static_cast<size_t>(n));
    } else if (-4 < n && n <= 0) {
      out = "0." + std::string(static_cast<size_t>(-n), '0') + digits;
    } else {
      out = digits.substr(0, 1);
      if (k > 1) out += "." + digits.substr(1);
      const int x = n - 1;
      char exp[16];
      std::snprintf(exp, sizeof exp, "e%c%02d", x < 0 ? '-' : '+',
                    x < 0 ? -x : x);
      out += exp;
    }
    return sign + out;
  }

  static void DumpString(const std::string& s, std::string* out) {
    out->push_back('"');
    for (char c : s) {
      switch (c) {
        case '"':
          *out += "\\\"";
          break;
        case '\\':
          *out += "\\\\";
          break;
        case '\b':
          *out += "\\b";
          break;
        case '\f':
          *out += "\\f";
          break;
        case '\n':
          *out += "\\n";
          break;
        case '\r':
          *out += "\\r";
          break;
        case '\t':
          *out += "\\t";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x",
                          static_cast<unsigned>(static_cast<unsigned char>(c)));
            *out += esc;
          } else {
            out->push_back(c);
          }
      }
    }
    out->push_back('"');
  }

  static std::string Dump(const Value& v) {
    std::string out;
    switch (v.type) {
      case Value::kNull:
        return "null";
      case Value::kBool:
      case Value::kNumber:
        return v.scalar;
      case Value::kString:
        DumpString(v.scalar, &out);
        return out;
      case Value::kArray:
        out = "[";
        for (size_t i = 0; i < v.items.size(); ++i) {
          if (i > 0) out += ",";
          out += Dump(v.items[i]);
        }
        return out + "]";
      case Value::kObject:
        out = "{";
        for (const auto& [k, item] : v.members) {
          if (out.size() > 1) out += ",";
          DumpString(k, &out);
          out += ":" + Dump(item);
        }
        return out + "}";
    }
    return out;
  }

  static void Flatten(const Value& v, const std::string& prefix,
                      std::map<std::string, std::string>* out) {
    auto at = [&](const std::string& key) {
      return prefix.empty() ? key : prefix + "." + key;
    };
    switch (v.type) {
      case Value::kObject:
        for (const auto& [k, item] : v.members) Flatten(item, at(k), out);
        break;
      case Value::kArray:
        for (size_t i = 0; i < v.items.size(); ++i) {
          Flatten(v.items[i], at(std::to_string(i)), out);
        }
        break;
      case Value::kNull:
        break;
      default:
        (*out)[prefix] = v.scalar;
    }
  }

  std::string json_ = "{}";
  std::map<std::string, std::string> values_;
};

}  // namespace retain::sdk::testing

#endif  // RETAIN_SDK_TESTING_JSON_CONFIG_H_
