// Unit tests of retainctl's parts: value parsing, CSV reading, rows to
// messages, derived ids, tables, the progress line and the HTML report.
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "clients/cli/args.h"
#include "clients/cli/format.h"
#include "clients/cli/input.h"
#include "clients/cli/progress.h"
#include "clients/cli/records.h"
#include "clients/cli/table.h"
#include "clients/html/portfolio_html.h"
#include "gtest/gtest.h"
#include "retain/plugins/expansion/v1/expansion.pb.h"

namespace retain::cli {
namespace {

using account::v1::HealthBand_descriptor;
using account::v1::LifecycleStage_descriptor;
using account::v1::Segment_descriptor;

TEST(Format, ParsesTimesInTheUsualShapes) {
  EXPECT_EQ(*ParseTime("2024-05-01"),
            absl::FromCivil(absl::CivilDay(2024, 5, 1), absl::UTCTimeZone()));
  EXPECT_EQ(*ParseTime("2024-05-01T10:00:00Z"),
            absl::FromCivil(absl::CivilSecond(2024, 5, 1, 10, 0, 0),
                            absl::UTCTimeZone()));
  EXPECT_EQ(*ParseTime("2024-05-01T12:00:00+02:00"),
            *ParseTime("2024-05-01T10:00:00Z"));
  EXPECT_EQ(*ParseTime("2024-05-01 10:00:00"),
            *ParseTime("2024-05-01T10:00:00Z"));
  EXPECT_FALSE(ParseTime("01/05/2024").ok());
  EXPECT_FALSE(ParseTime("").ok());
}

TEST(Format, ParsesPeriods) {
  EXPECT_EQ(*ParsePeriod("90d"), absl::Hours(24 * 90));
  EXPECT_EQ(*ParsePeriod("1y"), absl::Hours(24 * 365));
  EXPECT_EQ(*ParsePeriod("2q"), absl::Hours(24 * 182));
  EXPECT_FALSE(ParsePeriod("0d").ok());
  EXPECT_FALSE(ParsePeriod("soon").ok());
}

TEST(Format, EnumsByShortName) {
  EXPECT_EQ(EnumShortName(Segment_descriptor(), account::v1::SEGMENT_NAMED),
            "named");
  EXPECT_EQ(EnumShortName(LifecycleStage_descriptor(),
                          account::v1::LIFECYCLE_STAGE_VALUE_REALISATION),
            "value_realisation");
  EXPECT_EQ(EnumShortName(Segment_descriptor(), 0), "-");
  EXPECT_EQ(*ParseEnum(LifecycleStage_descriptor(), "Value-Realisation"),
            account::v1::LIFECYCLE_STAGE_VALUE_REALISATION);
  EXPECT_EQ(*ParseEnum(HealthBand_descriptor(), "HEALTH_BAND_RED"),
            account::v1::HEALTH_BAND_RED);
  auto bad = ParseEnum(Segment_descriptor(), "huge");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "digital, pooled"));
}

TEST(Format, Money) {
  EXPECT_EQ(FormatMoney(1234567.4), "$1,234,567");
  EXPECT_EQ(FormatMoney(-500), "-$500");
  EXPECT_EQ(FormatMoneyShort(2319233), "$2.3M");
  EXPECT_EQ(FormatMoneyShort(48204), "$48K");
  EXPECT_EQ(FormatPercent(0.8823), "88.2%");
}

TEST(Csv, QuotesNewlinesCrlfAndLineNumbers) {
  std::istringstream in(
      "a,b,c\r\n1,\"x, y\",3\r\n\n2,\"multi\nline \"\"q\"\"\",4\n5,6\n");
  CsvParser p(in);
  std::vector<std::string> f;
  int64_t line = 0;
  std::string err;
  ASSERT_TRUE(p.Next(f, line, err));
  EXPECT_EQ(f, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(line, 1);
  ASSERT_TRUE(p.Next(f, line, err));
  EXPECT_EQ(f, (std::vector<std::string>{"1", "x, y", "3"}));
  EXPECT_EQ(line, 2);
  ASSERT_TRUE(p.Next(f, line, err));
  EXPECT_EQ(f, (std::vector<std::string>{"2", "multi\nline \"q\"", "4"}));
  EXPECT_EQ(line, 4);
  ASSERT_TRUE(p.Next(f, line, err));
  EXPECT_EQ(f, (std::vector<std::string>{"5", "6"}));
  EXPECT_EQ(line, 6);
  EXPECT_FALSE(p.Next(f, line, err));
  EXPECT_EQ(p.bytes(), static_cast<int64_t>(in.str().size()));
}

TEST(Csv, RowReaderFlagsExtraFieldsAndUnterminatedQuotes) {
  std::istringstream in("x,y\n1,2,3\n\"open,4\n");
  auto r = MakeRowReader(InputFormat::kCsv, in);
  InputRow row;
  ASSERT_TRUE(r->Next(row));
  EXPECT_EQ(row.line, 2);
  EXPECT_TRUE(absl::StrContains(row.error, "3 fields"));
  ASSERT_TRUE(r->Next(row));
  EXPECT_EQ(row.line, 3);
  EXPECT_EQ(row.error, "unterminated quoted field");
}

TEST(Records, SignalOfEveryKindFromColumns) {
  auto usage = SignalFromFields({{"signal_id", "u1"},
                                 {"account", "acme"},
                                 {"occur_time", "2024-05-01"},
                                 {"kind", "usage"},
                                 {"active_users", "42"},
                                 {"feature_users", "reports=3;api=5"},
                                 {"score", "ignored for usage"}});
  ASSERT_TRUE(usage.ok()) << usage.status();
  EXPECT_EQ(usage->account(), "accounts/acme");
  EXPECT_EQ(usage->usage().active_users(), 42);
  EXPECT_EQ(usage->usage().feature_users().at("api"), 5);

  auto survey = SignalFromFields({{"account", "acme"},
                                  {"time", "2024-05-01"},
                                  {"kind", "survey"},
                                  {"survey_kind", "nps"},
                                  {"score", "9"}});
  ASSERT_TRUE(survey.ok()) << survey.status();
  EXPECT_EQ(survey->survey().kind(), signal::v1::SURVEY_KIND_NPS);

  auto ticket = SignalFromFields({{"account", "acme"},
                                  {"occur_time", "2024-05-01"},
                                  {"kind", "ticket"},
                                  {"ticket_id", "T-1"},
                                  {"status", "opened"},
                                  {"severity", "critical"},
                                  {"escalated", "yes"}});
  ASSERT_TRUE(ticket.ok()) << ticket.status();
  EXPECT_TRUE(ticket->ticket().escalated());
  EXPECT_EQ(ticket->ticket().severity(), signal::v1::TICKET_SEVERITY_CRITICAL);

  auto commercial = SignalFromFields({{"account", "acme"},
                                      {"occur_time", "2024-05-01"},
                                      {"kind", "commercial"},
                                      {"commercial_kind", "renewal"},
                                      {"arr_delta", "$5,000"},
                                      {"next_renewal_time", "2025-05-01"}});
  ASSERT_TRUE(commercial.ok()) << commercial.status();
  EXPECT_EQ(commercial->commercial().arr_delta(), 5000);
  EXPECT_TRUE(commercial->commercial().has_next_renewal_time());

  auto custom = SignalFromFields({{"account", "acme"},
                                  {"occur_time", "2024-05-01"},
                                  {"kind", "custom"},
                                  {"type", "onboarding.milestone_completed"},
                                  {"attributes", "milestone=kickoff"}});
  ASSERT_TRUE(custom.ok()) << custom.status();
  EXPECT_EQ(custom->custom().attributes().at("milestone"), "kickoff");
}

TEST(Records, BadRowsSayWhichColumnAndWhy) {
  auto no_kind =
      SignalFromFields({{"account", "acme"}, {"occur_time", "2024-05-01"}});
  EXPECT_TRUE(absl::StartsWith(no_kind.status().message(), "kind:"));
  auto bad_num = SignalFromFields({{"account", "acme"},
                                   {"occur_time", "2024-05-01"},
                                   {"kind", "usage"},
                                   {"active_users", "lots"}});
  EXPECT_TRUE(absl::StartsWith(bad_num.status().message(), "active_users:"));
  auto bad_account = SignalFromFields({{"account", "Not Valid"},
                                       {"occur_time", "2024-05-01"},
                                       {"kind", "usage"}});
  EXPECT_TRUE(absl::StartsWith(bad_account.status().message(), "account:"));

  // Parsed, but the contract's rules reject it (the server's own checks).
  auto nps = SignalFromFields({{"signal_id", "s"},
                               {"account", "acme"},
                               {"occur_time", "2024-05-01"},
                               {"kind", "survey"},
                               {"survey_kind", "nps"},
                               {"score", "11"}});
  ASSERT_TRUE(nps.ok());
  auto st = ValidateSignal(*nps, absl::Now());
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "0-10")) << st;
}

TEST(Records, DerivedSignalIdsAreStableAndContentBased) {
  Fields f = {{"account", "acme"},
              {"occur_time", "2024-05-01"},
              {"kind", "usage"},
              {"active_users", "7"}};
  auto a = SignalFromFields(f);
  auto b = SignalFromFields(f);
  f[3].second = "8";
  auto c = SignalFromFields(f);
  EnsureSignalId(*a);
  EnsureSignalId(*b);
  EnsureSignalId(*c);
  EXPECT_TRUE(absl::StartsWith(a->signal_id(), "h-"));
  EXPECT_EQ(a->signal_id(), b->signal_id());
  EXPECT_NE(a->signal_id(), c->signal_id());
}

TEST(Records, SignalJsonLinesAcceptBareAccountIds) {
  auto s = SignalFromJson(
      R"({"signal_id":"j1","account":"acme","occur_time":"2024-05-01T00:00:00Z",)"
      R"("kind":"SIGNAL_KIND_USAGE","usage":{"active_users":3}})");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->account(), "accounts/acme");
  EXPECT_EQ(s->kind(), 0);  // output only: cleared
  EXPECT_FALSE(SignalFromJson("{not json").ok());
}

TEST(Records, AccountsFromColumnsAndJson) {
  auto row = AccountFromFields({{"id", "acme"},
                                {"display_name", "Acme"},
                                {"arr", "120,000"},
                                {"seats", "100"},
                                {"stage", "adoption"},
                                {"exec_sponsor_name", "Ada"},
                                {"exec_sponsor_email", "ada@acme.example"}});
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->account_id, "acme");
  EXPECT_EQ(row->account.arr(), 120000);
  ASSERT_EQ(row->account.contacts_size(), 1);
  EXPECT_TRUE(row->account.contacts(0).exec_sponsor());
  EXPECT_EQ(row->paths,
            (std::vector<std::string>{"display_name", "arr", "licensed_seats",
                                      "lifecycle_stage", "contacts"}));
  EXPECT_FALSE(AccountFromFields({{"display_name", "X"}, {"arr", "-1"}}).ok());
  EXPECT_FALSE(AccountFromFields({{"display_name", "X"},
                                  {"contract_start_time", "2025-01-01"},
                                  {"renewal_time", "2024-01-01"}})
                   .ok());

  auto json = AccountFromJson(
      R"({"name":"accounts/acme","display_name":"Acme","arr":5,"segment":"SEGMENT_NAMED",)"
      R"("segment_overridden":false,"health_score":3.5})");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->account_id, "acme");
  EXPECT_EQ(json->account.segment(), 0);  // derived, not pinned
  EXPECT_EQ(json->account.health_score(), 0);
  EXPECT_EQ(UnknownAccountColumns({"id", "arr", "colour"}),
            (std::vector<std::string>{"colour"}));
}

TEST(Table, AlignsColumnsIgnoringColourCodes) {
  Table t({{"NAME"}, {"ARR", Align::kRight}, {"BAND"}});
  t.AddRow({"Acme", "$1,000", Colorize("red", "red", true)});
  t.AddRow({"Initech Global", "$5", "green"});
  std::ostringstream out;
  t.Print(out);
  EXPECT_EQ(out.str(),
            "NAME               ARR  BAND\n"
            "Acme            $1,000  \x1b[31mred\x1b[0m\n"
            "Initech Global      $5  green\n");
}

TEST(Progress, LineHasBarPercentRateAndEta) {
  const std::string line =
      Progress::Render("signals x.csv", 5000, 500, 1000, 2.0, true);
  EXPECT_TRUE(absl::StrContains(line, "[############------------]")) << line;
  EXPECT_TRUE(absl::StrContains(line, " 50%")) << line;
  EXPECT_TRUE(absl::StrContains(line, "5,000 rows")) << line;
  EXPECT_TRUE(absl::StrContains(line, "2,500 rows/s")) << line;
  EXPECT_TRUE(absl::StrContains(line, "ETA 0:02")) << line;
  // Unknown size (stdin): no percentage or ETA.
  const std::string piped = Progress::Render("stdin", 10, 10, -1, 1.0, true);
  EXPECT_FALSE(absl::StrContains(piped, "ETA")) << piped;
}

TEST(Progress, PlainModePrintsAtEveryTenthAndAFinalLine) {
  std::ostringstream out;
  Progress p("import", 100, /*tty=*/false, out);
  for (int i = 1; i <= 100; ++i) p.Update(i, i);
  p.Finish(100, 100);
  const std::string s = out.str();
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 10) << s;  // 10%..90%, end
  EXPECT_EQ(s.find('\r'), std::string::npos);
  EXPECT_TRUE(absl::StrContains(s, "import: 100 rows in")) << s;
}

TEST(Html, RendersFourChartsEscapedAndSelfContained) {
  report::v1::PortfolioReport r;
  auto* seg = r.add_health_by_segment();
  seg->set_segment(account::v1::SEGMENT_NAMED);
  seg->set_green(3);
  seg->set_red(1);
  for (int i = 0; i < 4; ++i) {
    auto* p = r.add_retention_trend();
    p->set_nrr(1.0 + i * 0.05);
    p->set_grr(0.9);
  }
  auto* cov = r.add_coverage();
  cov->set_segment(account::v1::SEGMENT_NAMED);
  cov->set_csms_needed(2);
  cov->set_csms_assigned(1);
  r.mutable_retention()->set_ratios_defined(true);
  report::v1::AccountHealth risky;
  risky.set_display_name("<Evil & Co>");
  risky.set_arr(1000);
  const std::string html = html::RenderPortfolioHtml(r, {risky}, {});
  for (const char* chart :
       {"health-by-segment", "retention-trend", "at-risk", "coverage"}) {
    EXPECT_TRUE(absl::StrContains(
        html, std::string("data-chart=\"") + chart + "\" data-empty=\"false\""))
        << chart;
  }
  EXPECT_TRUE(absl::StrContains(html, "&lt;Evil &amp; Co&gt;"));
  EXPECT_FALSE(absl::StrContains(html, "<Evil"));
  EXPECT_FALSE(absl::StrContains(html, "<script"));
  // Self-contained: apart from the SVG namespace (an identifier, never
  // fetched), no URL or external reference of any kind.
  const std::string without_ns =
      absl::StrReplaceAll(html, {{"xmlns=\"http://www.w3.org/2000/svg\"", ""}});
  for (const char* ref :
       {"http://", "https://", "//", "src=", "href=", "url(", "@import"}) {
    EXPECT_FALSE(absl::StrContains(without_ns, ref)) << ref;
  }

  // Nothing to draw: each chart says so instead of drawing nothing.
  const std::string empty =
      html::RenderPortfolioHtml(report::v1::PortfolioReport(), {}, {});
  EXPECT_TRUE(
      absl::StrContains(empty, "data-chart=\"at-risk\" data-empty=\"true\""));
  EXPECT_TRUE(absl::StrContains(empty, "No account is at risk"));
}

TEST(Args, PluginVerbArgumentsAndUsageErrors) {
  EXPECT_EQ(AccountIdArg("accounts/acme"), "acme");
  EXPECT_EQ(AccountIdArg("acme"), "acme");
  try {
    AccountIdArg("not an id");
    ADD_FAILURE() << "no error";
  } catch (const CliError& e) {
    EXPECT_EQ(e.code(), kExitUsage);
  }
  const auto* type = plugins::expansion::v1::OpportunityType_descriptor();
  EXPECT_EQ(EnumArg(type, "cross-sell"),
            plugins::expansion::v1::OPPORTUNITY_TYPE_CROSS_SELL);
  EXPECT_EQ(EnumArg(type, "OPPORTUNITY_TYPE_SEATS"),
            plugins::expansion::v1::OPPORTUNITY_TYPE_SEATS);
  try {
    EnumArg(type, "bogus");
    ADD_FAILURE() << "no error";
  } catch (const CliError& e) {
    EXPECT_EQ(e.code(), kExitUsage);
    EXPECT_TRUE(absl::StrContains(e.what(), "upsell, cross_sell, seats"))
        << e.what();
  }
  EXPECT_EQ(FromProto(TimeArg("2025-06-30")),
            absl::FromCivil(absl::CivilDay(2025, 6, 30), absl::UTCTimeZone()));
}

TEST(Args, UnimplementedNamesThePluginAndExitsEight) {
  try {
    CheckPlugin(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "unknown method"),
                "listing opportunities", "expansion");
    ADD_FAILURE() << "no error";
  } catch (const CliError& e) {
    EXPECT_EQ(e.code(), kExitUnimplemented);
    EXPECT_TRUE(absl::StrContains(e.what(), "is the expansion plugin loaded?"))
        << e.what();
  }
  try {
    CheckPlugin(grpc::Status(grpc::StatusCode::NOT_FOUND, "no opportunity x"),
                "opportunity x", "expansion");
    ADD_FAILURE() << "no error";
  } catch (const CliError& e) {
    EXPECT_EQ(e.code(), kExitNotFound);
    EXPECT_FALSE(absl::StrContains(e.what(), "plugin loaded")) << e.what();
  }
  CheckPlugin(grpc::Status::OK, "ok", "expansion");
}

}  // namespace
}  // namespace retain::cli
