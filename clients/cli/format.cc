#include "clients/cli/format.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace retain::cli {
namespace {

std::string EnumPrefix(const google::protobuf::EnumDescriptor* type) {
  // HealthBand -> HEALTH_BAND_
  std::string out;
  const std::string& name = type->name();
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (i > 0 && std::isupper(static_cast<unsigned char>(c))) out += '_';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out + "_";
}

std::string WithThousands(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n);
  std::string out;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count > 0 && count % 3 == 0) out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++count;
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace

absl::StatusOr<absl::Time> ParseTime(const std::string& raw) {
  std::string text(absl::StripAsciiWhitespace(raw));
  if (text.empty()) return absl::InvalidArgumentError("empty time");
  if (absl::AsciiStrToLower(text) == "now") return absl::Now();
  std::string err;
  absl::Time t;
  for (const char* fmt : {"%Y-%m-%d%ET%H:%M:%E*S%Ez", "%Y-%m-%d %H:%M:%E*S%Ez",
                          "%Y-%m-%d%ET%H:%M:%E*S", "%Y-%m-%d %H:%M:%E*S",
                          "%Y-%m-%d%ET%H:%M", "%Y-%m-%d"}) {
    if (absl::ParseTime(fmt, text, absl::UTCTimeZone(), &t, &err)) return t;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "cannot read time \"", text,
      "\" (use 2024-05-01, 2024-05-01T10:00:00Z or an RFC 3339 offset)"));
}

absl::StatusOr<absl::Duration> ParsePeriod(const std::string& raw) {
  std::string text = absl::AsciiStrToLower(absl::StripAsciiWhitespace(raw));
  if (text == "q" || text == "quarter") return absl::Hours(24 * 91);
  if (text == "y" || text == "year") return absl::Hours(24 * 365);
  if (text.size() >= 2) {
    int n = 0;
    char unit = text.back();
    if (absl::SimpleAtoi(text.substr(0, text.size() - 1), &n) && n > 0) {
      switch (unit) {
        case 'd':
          return absl::Hours(24) * n;
        case 'w':
          return absl::Hours(24 * 7) * n;
        case 'm':
          return absl::Hours(24 * 30) * n;
        case 'q':
          return absl::Hours(24 * 91) * n;
        case 'y':
          return absl::Hours(24 * 365) * n;
      }
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "cannot read period \"", raw, "\" (use 90d, 12w, 6m, 1q or 1y)"));
}

std::string FormatDate(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d", FromProto(ts), absl::UTCTimeZone());
}

std::string FormatDateTime(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%SZ", FromProto(ts),
                          absl::UTCTimeZone());
}

std::string FormatMoney(double amount) {
  return absl::StrCat(amount < 0 ? "-$" : "$",
                      WithThousands(std::llround(std::fabs(amount))));
}

std::string FormatMoneyShort(double amount) {
  double a = std::fabs(amount);
  std::string sign = amount < 0 ? "-" : "";
  if (a >= 1e6) return absl::StrFormat("%s$%.1fM", sign, a / 1e6);
  if (a >= 1e4) return absl::StrFormat("%s$%.0fK", sign, a / 1e3);
  if (a >= 1e3) return absl::StrFormat("%s$%.1fK", sign, a / 1e3);
  return absl::StrFormat("%s$%.0f", sign, a);
}

std::string FormatPercent(double ratio, int decimals) {
  return absl::StrFormat("%.*f%%", decimals, ratio * 100.0);
}

std::string FormatCount(int64_t n) { return WithThousands(n); }

std::string FormatKpi(double v, const std::string& unit) {
  if (unit == "ratio" || unit == "%" || unit == "percent") {
    return FormatPercent(v);
  }
  if (unit.empty() || unit == "score") return absl::StrFormat("%.1f", v);
  return absl::StrFormat("%.1f (%s)", v, unit);
}

std::string FormatScore(double score) { return absl::StrFormat("%.1f", score); }

std::string EnumShortName(const google::protobuf::EnumDescriptor* type,
                          int number) {
  if (number == 0) return "-";
  const auto* value = type->FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  std::string name = value->name();
  std::string prefix = EnumPrefix(type);
  if (absl::StartsWith(name, prefix)) name = name.substr(prefix.size());
  return absl::AsciiStrToLower(name);
}

absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor* type,
                              const std::string& raw) {
  std::string text(absl::StripAsciiWhitespace(raw));
  int number = 0;
  if (absl::SimpleAtoi(text, &number) &&
      type->FindValueByNumber(number) != nullptr) {
    return number;
  }
  std::string upper = absl::AsciiStrToUpper(
      absl::StrReplaceAll(text, {{"-", "_"}, {" ", "_"}}));
  for (const std::string& candidate : {EnumPrefix(type) + upper, upper}) {
    if (const auto* v = type->FindValueByName(candidate); v != nullptr) {
      return v->number();
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown ", type->name(),
                                                 " \"", text, "\" (one of ",
                                                 EnumChoices(type), ")"));
}

std::string EnumChoices(const google::protobuf::EnumDescriptor* type) {
  std::vector<std::string> names;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() == 0) continue;
    names.push_back(EnumShortName(type, type->value(i)->number()));
  }
  return absl::StrJoin(names, ", ");
}

absl::StatusOr<bool> ParseBool(const std::string& raw) {
  std::string text = absl::AsciiStrToLower(absl::StripAsciiWhitespace(raw));
  if (text.empty() || text == "false" || text == "no" || text == "n" ||
      text == "0") {
    return false;
  }
  if (text == "true" || text == "yes" || text == "y" || text == "1") {
    return true;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("cannot read \"", raw, "\" as true/false"));
}

}  // namespace retain::cli
