// Parsing and formatting of the values retainctl reads from flags and files
// and prints in tables: times, money, ratios and proto enums by short name.
#ifndef RETAIN_CLIENTS_CLI_FORMAT_H_
#define RETAIN_CLIENTS_CLI_FORMAT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/proto_time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"

namespace retain::cli {

// "2024-05-01" (midnight UTC), "2024-05-01T10:00:00Z", "2024-05-01 10:00:00"
// (UTC), RFC 3339 with an offset, or "now".
absl::StatusOr<absl::Time> ParseTime(const std::string& text);
// "90d", "12w", "6m" (30-day months), "1y" (365 days), "q" (a quarter, 91d).
absl::StatusOr<absl::Duration> ParsePeriod(const std::string& text);

// The server's own conversions (api/proto_time.h).
using api::FromProto;
using api::ToProto;

// "2024-05-01"; "-" when unset (the epoch).
std::string FormatDate(const google::protobuf::Timestamp& ts);
// "2024-05-01 10:00:00Z"; "-" when unset.
std::string FormatDateTime(const google::protobuf::Timestamp& ts);

// "$1,234,567" (no cents).
std::string FormatMoney(double amount);
// Compact money for charts: "$1.2M", "$350K", "$900".
std::string FormatMoneyShort(double amount);
// 0.953 -> "95.3%".
std::string FormatPercent(double ratio, int decimals = 1);
// "1,234".
std::string FormatCount(int64_t n);
// A KPI value by its unit: ratios ("ratio", "%") as percentages, scores
// plain, anything else with the unit: "4.0 (1-5)".
std::string FormatKpi(double value, const std::string& unit);
// 7.25 -> "7.3"
std::string FormatScore(double score);

// Enum values by the short name after the type's prefix, lower case:
// SEGMENT_NAMED -> "named", LIFECYCLE_STAGE_VALUE_REALISATION ->
// "value_realisation"; "-" for the zero value.
std::string EnumShortName(const google::protobuf::EnumDescriptor* type,
                          int number);
template <typename E>
std::string EnumShortName(const google::protobuf::EnumDescriptor* type,
                          E value) {
  return EnumShortName(type, static_cast<int>(value));
}
// Accepts the short name in any case with '-' or '_' ("value-realisation"),
// the full name or the number.
absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor* type,
                              const std::string& text);
// "named, pooled, ..." for help and error messages.
std::string EnumChoices(const google::protobuf::EnumDescriptor* type);

// "true/false", "yes/no", "y/n", "1/0"; empty is false.
absl::StatusOr<bool> ParseBool(const std::string& text);

}  // namespace retain::cli

#endif  // RETAIN_CLIENTS_CLI_FORMAT_H_
