#include "core/reports/breakdowns.h"

#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "core/health/segments.h"
#include "core/health/time_util.h"
#include "core/reports/retention.h"
#include "core/reports/survey_stats.h"

namespace retain::reports {
namespace {

// Enum names without their prefix, lower case: "named", "onboarding".
std::string ShortName(const std::string& full, const std::string& prefix) {
  std::string s =
      full.rfind(prefix, 0) == 0 ? full.substr(prefix.size()) : full;
  return absl::AsciiStrToLower(s);
}

std::string CohortKey(const model::AccountState& account) {
  const absl::Time started = health::RelationshipStart(account);
  if (started == absl::InfinitePast()) return "unknown";
  const absl::CivilMonth m = absl::ToCivilMonth(started, absl::UTCTimeZone());
  return absl::StrFormat("%04d-Q%d", m.year(), (m.month() - 1) / 3 + 1);
}

// Segments and stages sort in their enum order, the rest by key.
int Rank(const model::AccountState& account, const health::HealthConfig& config,
         report::v1::BreakdownDimension dimension, absl::Time at) {
  switch (dimension) {
    case report::v1::BREAKDOWN_DIMENSION_SEGMENT:
      return health::SegmentAt(config, account, at);
    case report::v1::BREAKDOWN_DIMENSION_STAGE:
      return model::StageAt(account, at);
    default:
      return 0;
  }
}

absl::Time ReadAt(const model::AccountState& account, absl::Time start,
                  absl::Time end) {
  return model::ArrAt(account.timeline, start) > 0 ? start : end;
}

}  // namespace

std::string BreakdownKey(const model::AccountState& account,
                         const health::HealthConfig& config,
                         report::v1::BreakdownDimension dimension,
                         absl::Time start, absl::Time end) {
  const absl::Time at = ReadAt(account, start, end);
  switch (dimension) {
    case report::v1::BREAKDOWN_DIMENSION_SEGMENT: {
      const model::Segment s = health::SegmentAt(config, account, at);
      return ShortName(account::v1::Segment_Name(s), "SEGMENT_");
    }
    case report::v1::BREAKDOWN_DIMENSION_CSM:
      return model::OwnerAt(account, at);
    case report::v1::BREAKDOWN_DIMENSION_STAGE: {
      const model::LifecycleStage s = model::StageAt(account, at);
      return ShortName(account::v1::LifecycleStage_Name(s), "LIFECYCLE_STAGE_");
    }
    case report::v1::BREAKDOWN_DIMENSION_COHORT:
      return CohortKey(account);
    default:
      return "";
  }
}

report::v1::Breakdown ComputeBreakdown(const Accounts& accounts,
                                       const health::HealthConfig& config,
                                       report::v1::BreakdownDimension dimension,
                                       absl::Time start, absl::Time end) {
  std::map<std::pair<int, std::string>, Accounts> groups;
  for (const model::AccountState* a : accounts) {
    const absl::Time at = ReadAt(*a, start, end);
    groups[{Rank(*a, config, dimension, at),
            BreakdownKey(*a, config, dimension, start, end)}]
        .push_back(a);
  }
  report::v1::Breakdown out;
  health::ToProto(start, out.mutable_period_start_time());
  health::ToProto(end, out.mutable_as_of_time());
  out.set_dimension(dimension);
  for (const auto& [key, members] : groups) {
    report::v1::BreakdownGroup g;
    g.set_key(key.second);
    *g.mutable_retention() = ComputeRetention(members, start, end);
    *g.mutable_surveys() = ComputeSurveyStats(members, start, end);
    const bool has_arr =
        g.retention().arr_start() > 0 || g.retention().arr_end() > 0;
    const bool has_answers = g.surveys().nps_responses() > 0 ||
                             g.surveys().csat_responses() > 0 ||
                             g.surveys().ces_responses() > 0;
    if (has_arr || has_answers) *out.add_groups() = std::move(g);
  }
  *out.mutable_total_retention() = ComputeRetention(accounts, start, end);
  *out.mutable_total_surveys() = ComputeSurveyStats(accounts, start, end);
  return out;
}

}  // namespace retain::reports
