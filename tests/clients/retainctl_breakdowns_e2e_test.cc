// `retainctl report breakdown` and `report book`, and the HTML report's
// Breakdowns and CSM book sections, against a real retaind with a small
// portfolio built here: the table, the JSON and the HTML carry the figures
// GetBreakdown and GetCsmBook answer, and the hand-worked ones.
//
// The portfolio: north (named, alice, 30,000, expands by 10,000 ten days
// ago), south (pooled, bob, 20,000) and stray (pooled, no owner, 5,000),
// all signed 200 days ago and renewing in 200 days (none due in 90).
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli/format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"
#include "tests/clients/retainctl_runner.h"
#include "tests/support/retaind_process.h"

namespace retain::testing {
namespace {

using google::protobuf::util::MessageDifferencer;

std::vector<std::string> Words(absl::string_view line) {
  return absl::StrSplit(line, ' ', absl::SkipEmpty());
}

// The words of the table line whose first cell is `first` (cells hold no
// spaces here, except "(no owner)", which is looked up as "(no").
std::vector<std::string> RowOf(const std::string& out,
                               const std::string& first) {
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    auto w = Words(line);
    if (!w.empty() && w[0] == first) return w;
  }
  return {};
}

// The value of attribute `name` in the tag that carries `marker`.
std::string AttrOf(const std::string& html, const std::string& marker,
                   const std::string& name) {
  const size_t at = html.find(marker);
  if (at == std::string::npos) return "<no " + marker + ">";
  const size_t start = html.rfind('<', at);
  const size_t end = html.find('>', at);
  const std::string key = " " + name + "=\"";
  const size_t a = html.find(key, start);
  if (a == std::string::npos || a > end) return "<no " + name + ">";
  const size_t b = html.find('"', a + key.size());
  return html.substr(a + key.size(), b - a - key.size());
}

double Num(const std::string& s) {
  double v = -1;
  EXPECT_TRUE(absl::SimpleAtod(s, &v)) << s;
  return v;
}

class RetainctlBreakdowns : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = RetaindProcess::Start({});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    reports_ = report::v1::ReportService::NewStub(channel_);
    Create("north", 30000, account::v1::SEGMENT_NAMED, "alice");
    Create("south", 20000, account::v1::SEGMENT_POOLED, "bob");
    Create("stray", 5000, account::v1::SEGMENT_POOLED, "");
    signal::v1::RecordSignalsRequest rec;
    auto* s = rec.add_signals();
    s->set_signal_id("north-expansion");
    s->set_account("accounts/north");
    *s->mutable_occur_time() = cli::ToProto(absl::Now() - absl::Hours(240));
    s->mutable_commercial()->set_kind(
        signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION);
    s->mutable_commercial()->set_arr_delta(10000);
    signal::v1::RecordSignalsResponse resp;
    ASSERT_TRUE(signal::v1::SignalService::NewStub(channel_)
                    ->RecordSignals(Ctx().get(), rec, &resp)
                    .ok());
    // Whole seconds, so the flags' text and the API's request are one time.
    as_of_ = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) + 2);
    period_start_ = as_of_ - absl::Hours(24 * 30);
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(30));
    return ctx;
  }

  void Create(const std::string& id, double arr, account::v1::Segment segment,
              const std::string& csm) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    auto* a = req.mutable_account();
    a->set_display_name(id);
    a->set_arr(arr);
    a->set_licensed_seats(50);
    a->set_segment(segment);
    a->set_csm_owner(csm);
    *a->mutable_contract_start_time() =
        cli::ToProto(absl::Now() - absl::Hours(24 * 200));
    *a->mutable_renewal_time() =
        cli::ToProto(absl::Now() + absl::Hours(24 * 200));
    account::v1::Account out;
    grpc::Status st =
        account::v1::AccountService::NewStub(channel_)->CreateAccount(
            Ctx().get(), req, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  static std::string Flag(absl::Time t) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
  }

  std::vector<std::string> Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server_->address()});
    return args;
  }

  report::v1::Breakdown ApiBreakdown(report::v1::BreakdownDimension d) {
    report::v1::GetBreakdownRequest req;
    req.set_dimension(d);
    *req.mutable_as_of_time() = cli::ToProto(as_of_);
    *req.mutable_period_start_time() = cli::ToProto(period_start_);
    report::v1::Breakdown b;
    grpc::Status s = reports_->GetBreakdown(Ctx().get(), req, &b);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return b;
  }

  report::v1::CsmBook ApiBook() {
    report::v1::GetCsmBookRequest req;
    *req.mutable_as_of_time() = cli::ToProto(as_of_);
    report::v1::CsmBook book;
    grpc::Status s = reports_->GetCsmBook(Ctx().get(), req, &book);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return book;
  }

  std::unique_ptr<RetaindProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<report::v1::ReportService::Stub> reports_;
  absl::Time as_of_, period_start_;
};

TEST_F(RetainctlBreakdowns, BreakdownTableAndJsonAreTheApis) {
  const auto api = ApiBreakdown(report::v1::BREAKDOWN_DIMENSION_CSM);
  ASSERT_EQ(api.groups_size(), 3);

  const CtlResult json = Retainctl(
      Ctl({"-o", "json", "report", "breakdown", "--by", "csm", "--period-start",
           Flag(period_start_), "--as-of", Flag(as_of_)}));
  ASSERT_EQ(json.exit_code, 0) << json;
  report::v1::Breakdown printed;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json.out, &printed).ok())
      << json.out;
  EXPECT_TRUE(MessageDifferencer::Equals(printed, api))
      << printed.DebugString() << "\nvs API\n"
      << api.DebugString();

  const CtlResult table =
      Retainctl(Ctl({"report", "breakdown", "--by", "csm", "--period-start",
                     Flag(period_start_), "--as-of", Flag(as_of_)}));
  ASSERT_EQ(table.exit_code, 0) << table;
  for (const auto& g : api.groups()) {
    const std::string first = g.key().empty() ? "(no" : g.key();
    auto row = RowOf(table.out, first);
    // "(no owner)" spans two words.
    if (g.key().empty()) row.erase(row.begin());
    ASSERT_EQ(row.size(), 8u) << first << "\n" << table.out;
    EXPECT_EQ(row[1], cli::FormatMoney(g.retention().arr_start()));
    EXPECT_EQ(row[2], cli::FormatPercent(g.retention().nrr()));
    EXPECT_EQ(row[3], cli::FormatPercent(g.retention().grr()));
    EXPECT_EQ(row[5], cli::FormatMoney(g.retention().expansion_arr()));
  }
  // By hand: alice opened with 30,000 and expanded by 10,000 (NRR 133.3%);
  // the unowned 5,000 is its own labelled group; the total is 55,000.
  EXPECT_EQ(RowOf(table.out, "alice")[1], "$30,000");
  EXPECT_EQ(RowOf(table.out, "alice")[2], "133.3%");
  EXPECT_EQ(RowOf(table.out, "alice")[5], "$10,000");
  EXPECT_EQ(RowOf(table.out, "(no")[2], "$5,000") << table.out;
  EXPECT_EQ(RowOf(table.out, "total")[1], "$55,000");
}

TEST_F(RetainctlBreakdowns, BadByIsAUsageErrorNamingTheFlag) {
  const CtlResult r = Retainctl(Ctl({"report", "breakdown", "--by", "region"}));
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "--by")) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "segment|csm|stage|cohort")) << r;
}

TEST_F(RetainctlBreakdowns, BookTableAndJsonAreTheApis) {
  const auto api = ApiBook();
  ASSERT_EQ(api.csms_size(), 3);
  // Largest ARR first, the no-owner row last.
  EXPECT_EQ(api.csms(2).csm_owner(), "");

  const CtlResult json =
      Retainctl(Ctl({"-o", "json", "report", "book", "--as-of", Flag(as_of_)}));
  ASSERT_EQ(json.exit_code, 0) << json;
  report::v1::CsmBook printed;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json.out, &printed).ok())
      << json.out;
  EXPECT_TRUE(MessageDifferencer::Equals(printed, api))
      << printed.DebugString() << "\nvs API\n"
      << api.DebugString();

  const CtlResult table =
      Retainctl(Ctl({"report", "book", "--as-of", Flag(as_of_)}));
  ASSERT_EQ(table.exit_code, 0) << table;
  for (const auto& e : api.csms()) {
    auto row = RowOf(table.out, e.csm_owner().empty() ? "(no" : e.csm_owner());
    if (e.csm_owner().empty()) row.erase(row.begin());
    ASSERT_EQ(row.size(), 10u) << table.out;
    EXPECT_EQ(row[1], absl::StrCat(e.accounts()));
    EXPECT_EQ(row[4], cli::FormatMoney(e.arr()));
    EXPECT_EQ(row[5], absl::StrCat(e.red_accounts()));
    EXPECT_EQ(row[7], absl::StrCat(e.cadence_breaches()));
    EXPECT_EQ(row[8], absl::StrCat(e.renewals_due()));
  }
  // By hand: alice carries north at 40,000 after the expansion; the unowned
  // row is labelled and last; no renewal falls in the next 90 days.
  EXPECT_EQ(RowOf(table.out, "alice")[4], "$40,000");
  EXPECT_TRUE(absl::StrContains(table.out, "(no owner)")) << table.out;
  EXPECT_LT(table.out.find("bob"), table.out.find("(no owner)"));
  EXPECT_EQ(RowOf(table.out, "alice")[8], "0");
}

TEST_F(RetainctlBreakdowns, HtmlSectionsAreTheApis) {
  const std::string html_path =
      RetaindProcess::MakeTempDir("breakdowns-html") + "/report.html";
  const CtlResult r =
      Retainctl(Ctl({"report", "portfolio", "--period", "30d", "--as-of",
                     Flag(as_of_), "--html", html_path}));
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string html = ReadFile(html_path);
  ASSERT_TRUE(absl::StrContains(html, "<section id=\"breakdowns\">"));
  ASSERT_TRUE(absl::StrContains(html, "<section id=\"csm-book\">"));

  for (auto d : {report::v1::BREAKDOWN_DIMENSION_SEGMENT,
                 report::v1::BREAKDOWN_DIMENSION_CSM}) {
    const auto api = ApiBreakdown(d);
    const std::string dim =
        d == report::v1::BREAKDOWN_DIMENSION_CSM ? "csm" : "segment";
    ASSERT_GT(api.groups_size(), 0);
    for (const auto& g : api.groups()) {
      const std::string marker = absl::StrCat(
          "data-dimension=\"", dim, "\" data-group=\"", g.key(), "\"");
      EXPECT_DOUBLE_EQ(Num(AttrOf(html, marker, "data-arr-start")),
                       g.retention().arr_start())
          << marker;
      EXPECT_NEAR(Num(AttrOf(html, marker, "data-nrr")), g.retention().nrr(),
                  1e-6)
          << marker;
      EXPECT_DOUBLE_EQ(Num(AttrOf(html, marker, "data-expansion")),
                       g.retention().expansion_arr())
          << marker;
    }
  }
  // By hand: the named segment is north alone, 30,000 growing to 40,000.
  const std::string named = "data-dimension=\"segment\" data-group=\"named\"";
  EXPECT_EQ(AttrOf(html, named, "data-arr-start"), "30000.000000");
  EXPECT_NEAR(Num(AttrOf(html, named, "data-nrr")), 40000.0 / 30000, 1e-6);

  const auto book = ApiBook();
  for (const auto& e : book.csms()) {
    const std::string marker = "data-csm=\"" + e.csm_owner() + "\"";
    EXPECT_EQ(AttrOf(html, marker, "data-accounts"),
              absl::StrCat(e.accounts()));
    EXPECT_DOUBLE_EQ(Num(AttrOf(html, marker, "data-arr")), e.arr());
    EXPECT_EQ(AttrOf(html, marker, "data-red"), absl::StrCat(e.red_accounts()));
    EXPECT_EQ(AttrOf(html, marker, "data-target"),
              absl::StrCat(e.target_accounts_per_csm()));
  }
  EXPECT_TRUE(absl::StrContains(html, "<td>(no owner)</td>"));
}

}  // namespace
}  // namespace retain::testing
