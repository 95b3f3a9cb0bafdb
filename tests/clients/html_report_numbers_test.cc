// The numbers on the HTML portfolio report: a small portfolio whose figures
// are worked out by hand, written by the real retainctl from a real retaind,
// and every tile and table on the page compared with the hand figures and
// with what the API returns for the same request. (clients/
// check_html_report.sh checks the page's structure in a browser.)
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli/format.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"
#include "tests/clients/retainctl_runner.h"
#include "tests/support/retaind_process.h"

namespace retain {
namespace {

using ::retain::cli::EnumShortName;
using ::retain::cli::FormatDate;
using ::retain::cli::FormatMoney;
using ::retain::cli::FormatMoneyShort;
using ::retain::cli::FormatPercent;
using ::retain::testing::ReadFile;
using ::retain::testing::Retainctl;
using ::retain::testing::RetaindProcess;
using Rows = std::vector<std::vector<std::string>>;

std::string Unescape(std::string s) {
  return absl::StrReplaceAll(s, {{"&lt;", "<"},
                                 {"&gt;", ">"},
                                 {"&quot;", "\""},
                                 {"&#39;", "'"},
                                 {"&amp;", "&"}});
}

// Text between `from` (after its first occurrence at or after `at`) and
// `to`.
std::string Between(const std::string& s, const std::string& from,
                    const std::string& to, size_t at = 0) {
  const size_t a = s.find(from, at);
  if (a == std::string::npos) return "";
  const size_t b = s.find(to, a + from.size());
  return b == std::string::npos
             ? ""
             : s.substr(a + from.size(), b - a - from.size());
}

struct Tile {
  std::string value, note;
};
Tile TileOf(const std::string& html, const std::string& label) {
  const std::string key =
      absl::StrCat("<div class=\"label\">", label, "</div>");
  const size_t at = html.find(key);
  if (at == std::string::npos) return {"(no tile)", ""};
  return {Unescape(Between(html, "<div class=\"value\">", "</div>", at)),
          Unescape(Between(html, "<div class=\"note\">", "</div>", at))};
}

// The <td> cells of every row of the section with this id.
Rows TableOf(const std::string& html, const std::string& section_id) {
  const std::string section = Between(
      html, absl::StrCat("<section id=\"", section_id, "\">"), "</section>");
  Rows rows;
  size_t at = 0;
  while ((at = section.find("<tr><td>", at)) != std::string::npos) {
    const std::string row = Between(section, "<tr>", "</tr>", at);
    std::vector<std::string> cells;
    size_t c = 0;
    while ((c = row.find("<td>", c)) != std::string::npos) {
      cells.push_back(Unescape(Between(row, "<td>", "</td>", c)));
      c += 4;
    }
    rows.push_back(cells);
    at += row.size();
  }
  return rows;
}

std::string Seg(int s) {
  return EnumShortName(account::v1::Segment_descriptor(), s);
}

class HtmlReportNumbersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = RetaindProcess::Start({});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    auto channel = grpc::CreateChannel(server_->address(),
                                       grpc::InsecureChannelCredentials());
    accounts_ = account::v1::AccountService::NewStub(channel);
    signals_ = signal::v1::SignalService::NewStub(channel);
    reports_ = report::v1::ReportService::NewStub(channel);
    as_of_ = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  }

  std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(30));
    return ctx;
  }
  google::protobuf::Timestamp DaysBefore(double days) {
    return cli::ToProto(as_of_ - absl::Hours(24 * days));
  }

  void Create(const std::string& id, double arr, int days_ago) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    auto* a = req.mutable_account();
    a->set_display_name(absl::StrCat("Account ", id));
    a->set_arr(arr);
    a->set_licensed_seats(100);
    *a->mutable_contract_start_time() = DaysBefore(days_ago);
    *a->mutable_renewal_time() = DaysBefore(days_ago - 3 * 365);
    a->set_csm_owner("csm@example.com");
    auto* sponsor = a->add_contacts();
    sponsor->set_display_name("Pat");
    sponsor->set_exec_sponsor(true);
    account::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(Ctx().get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  signal::v1::Signal Base(const std::string& id, const std::string& account,
                          double days_ago) {
    signal::v1::Signal s;
    s.set_signal_id(id);
    s.set_account("accounts/" + account);
    *s.mutable_occur_time() = DaysBefore(days_ago);
    return s;
  }
  signal::v1::Signal Commercial(const std::string& id,
                                const std::string& account, double days_ago,
                                signal::v1::CommercialEventKind kind,
                                double delta) {
    auto s = Base(id, account, days_ago);
    s.mutable_commercial()->set_kind(kind);
    s.mutable_commercial()->set_arr_delta(delta);
    return s;
  }
  // Busy (90 of 100 seats) and met with its sponsor: engagement 10,
  // relationship 10.
  std::vector<signal::v1::Signal> Healthy(const std::string& account) {
    auto usage = Base(account + "-u", account, 2);
    usage.mutable_usage()->set_active_users(90);
    auto touch = Base(account + "-t", account, 3);
    touch.mutable_touchpoint()->set_channel(
        signal::v1::TOUCHPOINT_CHANNEL_MEETING);
    return {usage, touch};
  }
  signal::v1::Signal Nps(const std::string& id, const std::string& account,
                         int score) {
    auto s = Base(id, account, 10);
    s.mutable_survey()->set_kind(signal::v1::SURVEY_KIND_NPS);
    s.mutable_survey()->set_score(score);
    s.mutable_survey()->set_respondent(id + "@example.com");
    return s;
  }

  std::unique_ptr<RetaindProcess> server_;
  std::unique_ptr<account::v1::AccountService::Stub> accounts_;
  std::unique_ptr<signal::v1::SignalService::Stub> signals_;
  std::unique_ptr<report::v1::ReportService::Stub> reports_;
  absl::Time as_of_;
};

TEST_F(HtmlReportNumbersTest, EveryFigureIsTheApisAndTheHandWorkedOne) {
  using signal::v1::COMMERCIAL_EVENT_KIND_CHURN;
  using signal::v1::COMMERCIAL_EVENT_KIND_CONTRACTION;
  using signal::v1::COMMERCIAL_EVENT_KIND_EXPANSION;
  // The year to as_of:
  //   keep    100,000 from 700 days ago, unchanged            (dedicated)
  //   grow     50,000 from 500 days ago, +20,000 100 days ago (named)
  //   shrink   40,000 from 400 days ago, -10,000  50 days ago (named)
  //   gone     10,000 from 600 days ago, churned  30 days ago
  //   new      30,000 from 100 days ago: a new logo            (named)
  // ARR at start 200,000; new logo 30,000; expansion 20,000; contraction
  // 10,000; churned 10,000; ARR at end 230,000 in 4 accounts.
  // NRR (230,000 - 30,000) / 200,000 = 100.0%; GRR (200,000 - 10,000 -
  // 10,000) / 200,000 = 90.0%; logo churn 1 of 4 = 25.0%.
  Create("keep", 100000, 700);
  Create("grow", 50000, 500);
  Create("shrink", 40000, 400);
  Create("gone", 10000, 600);
  Create("new", 30000, 100);
  std::vector<signal::v1::Signal> batch = {
      Commercial("grow-x", "grow", 100, COMMERCIAL_EVENT_KIND_EXPANSION, 20000),
      Commercial("shrink-c", "shrink", 50, COMMERCIAL_EVENT_KIND_CONTRACTION,
                 -10000),
      Commercial("gone-c", "gone", 30, COMMERCIAL_EVENT_KIND_CHURN, 0),
      // NPS: 3 promoters, 1 passive, 1 detractor: (3 - 1) / 5 = 40.
      Nps("n1", "keep", 9), Nps("n2", "keep", 10), Nps("n3", "grow", 10),
      Nps("n4", "new", 8), Nps("n5", "keep", 3)};
  // keep, grow and new are green (engagement, relationship and commercial
  // 10). shrink is red: no usage, not met in 400 days (1), contraction in
  // the last 180 days (commercial 7): (0.3 + 0.7) / 0.4 = 2.5. gone has no
  // ARR, so it is not on the at-risk list.
  for (const char* id : {"keep", "grow", "new"}) {
    for (auto& s : Healthy(id)) batch.push_back(s);
  }
  signal::v1::RecordSignalsRequest rec;
  for (auto& s : batch) *rec.add_signals() = s;
  signal::v1::RecordSignalsResponse recorded;
  grpc::Status st = signals_->RecordSignals(Ctx().get(), rec, &recorded);
  ASSERT_TRUE(st.ok()) << st.error_message();

  // The page, as a person makes it...
  const std::string as_of =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", as_of_, absl::UTCTimeZone());
  const std::string path =
      RetaindProcess::MakeTempDir("html") + "/portfolio.html";
  auto ctl = Retainctl({"--server", server_->address(), "report", "portfolio",
                        "--as-of", as_of, "--html", path});
  ASSERT_EQ(ctl.exit_code, 0) << ctl;
  const std::string html = ReadFile(path);
  // ...and the same request through the API.
  report::v1::GetPortfolioReportRequest req;
  *req.mutable_as_of_time() = cli::ToProto(as_of_);
  report::v1::PortfolioReport api;
  ASSERT_TRUE(reports_->GetPortfolioReport(Ctx().get(), req, &api).ok());
  report::v1::ListAtRiskAccountsRequest risk_req;
  *risk_req.mutable_as_of_time() = api.as_of_time();
  report::v1::ListAtRiskAccountsResponse risk;
  ASSERT_TRUE(reports_->ListAtRiskAccounts(Ctx().get(), risk_req, &risk).ok());
  const auto& ret = api.retention();

  EXPECT_TRUE(absl::StrContains(
      html, absl::StrCat("<p>Period ", FormatDate(api.period_start_time()),
                         " to ", FormatDate(api.as_of_time()), "</p>")));

  // Headline tiles: hand figures, and the API's.
  EXPECT_EQ(TileOf(html, "Net revenue retention").value, "100.0%");
  EXPECT_EQ(TileOf(html, "Net revenue retention").value,
            FormatPercent(ret.nrr()));
  EXPECT_EQ(TileOf(html, "Gross revenue retention").value, "90.0%");
  EXPECT_EQ(TileOf(html, "Gross revenue retention").value,
            FormatPercent(ret.grr()));
  EXPECT_EQ(TileOf(html, "Logo churn").value, "25.0%");
  EXPECT_EQ(TileOf(html, "Logo churn").value, FormatPercent(ret.logo_churn()));
  EXPECT_EQ(TileOf(html, "ARR").value, "$230K");
  EXPECT_EQ(TileOf(html, "ARR").value, FormatMoneyShort(ret.arr_end()));
  EXPECT_EQ(TileOf(html, "ARR").note, "4 accounts");
  EXPECT_EQ(ret.accounts_end(), 4);
  EXPECT_EQ(TileOf(html, "At risk").value, "$30K");
  EXPECT_EQ(TileOf(html, "At risk").value, FormatMoneyShort(risk.total_arr()));
  EXPECT_EQ(TileOf(html, "At risk").note, "1 red accounts");
  EXPECT_EQ(risk.total_size(), 1);
  EXPECT_EQ(TileOf(html, "NPS").value, "40");
  EXPECT_NEAR(api.surveys().nps(), 40, 1e-9);
  EXPECT_EQ(TileOf(html, "NPS").note, "5 answers · target > 60");

  // Retention table.
  EXPECT_EQ(TableOf(html, "retention"),
            (Rows{{"$200,000", "$30,000", "$20,000", "$10,000", "$10,000",
                   "$230,000", "1 churned"}}));
  EXPECT_EQ(
      TableOf(html, "retention"),
      (Rows{{FormatMoney(ret.arr_start()), FormatMoney(ret.new_logo_arr()),
             FormatMoney(ret.expansion_arr()),
             FormatMoney(ret.contraction_arr()), FormatMoney(ret.churned_arr()),
             FormatMoney(ret.arr_end()),
             absl::StrCat(ret.accounts_churned(), " churned")}}));

  // At-risk list: shrink only, health 2.5.
  ASSERT_EQ(risk.accounts_size(), 1);
  const Rows at_risk = TableOf(html, "at-risk-list");
  ASSERT_EQ(at_risk.size(), 1u);
  EXPECT_EQ(at_risk[0][0], "Account shrink");
  EXPECT_EQ(at_risk[0][1], "named");
  EXPECT_EQ(at_risk[0][2], "$30,000");
  EXPECT_EQ(at_risk[0][3], "2.5");
  EXPECT_EQ(at_risk[0][2], FormatMoney(risk.accounts(0).arr()));
  EXPECT_EQ(at_risk[0][3], cli::FormatScore(risk.accounts(0).score()));

  // Health by segment (the chart's bars say it in their titles): dedicated
  // 1 green ($100,000); named 2 green ($70,000 + $30,000) and 1 red
  // ($30,000).
  EXPECT_TRUE(absl::StrContains(
      html, "<title>dedicated: 1 green accounts, $100,000 ARR</title>"));
  EXPECT_TRUE(absl::StrContains(
      html, "<title>named: 2 green accounts, $100,000 ARR</title>"));
  EXPECT_TRUE(absl::StrContains(
      html, "<title>named: 1 red accounts, $30,000 ARR</title>"));
  for (const auto& s : api.health_by_segment()) {
    for (const auto& [n, arr, band] :
         std::vector<std::tuple<int, double, std::string>>{
             {s.green(), s.arr_green(), "green"},
             {s.yellow(), s.arr_yellow(), "yellow"},
             {s.red(), s.arr_red(), "red"}}) {
      if (n == 0) continue;
      EXPECT_TRUE(absl::StrContains(
          html, absl::StrCat("<title>", Seg(s.segment()), ": ", n, " ", band,
                             " accounts, ", FormatMoney(arr), " ARR</title>")))
          << Seg(s.segment()) << " " << band;
    }
  }

  // Coverage table: one row per segment, as the API has it.
  Rows coverage;
  for (const auto& c : api.coverage()) {
    coverage.push_back(
        {Seg(c.segment()), c.model(), absl::StrCat(c.accounts()),
         FormatMoney(c.arr()), absl::StrCat(c.target_accounts_per_csm()),
         absl::StrCat(c.csms_needed()), absl::StrCat(c.csms_assigned()),
         absl::StrCat(c.accounts_cadence_breached())});
  }
  EXPECT_EQ(TableOf(html, "coverage-table"), coverage);
  // By hand: named holds grow (70,000), shrink and new (30,000 each), needs
  // ceil(3 / 40) = 1 CSM and has the one owner; shrink, never met, breaks
  // the 30-day cadence. dedicated holds keep, met 3 days ago (14-day
  // cadence).
  const Rows cov = TableOf(html, "coverage-table");
  EXPECT_NE(
      std::find(cov.begin(), cov.end(),
                std::vector<std::string>{"named", "named (mid touch)", "3",
                                         "$130,000", "40", "1", "1", "1"}),
      cov.end());
  EXPECT_NE(
      std::find(cov.begin(), cov.end(),
                std::vector<std::string>{"dedicated", "dedicated (high touch)",
                                         "1", "$100,000", "12", "1", "1", "0"}),
      cov.end());
  EXPECT_TRUE(absl::StrContains(
      html, absl::StrCat(api.csms_needed_total(), " needed, ",
                         api.csms_assigned_total(), " assigned.")));

  // Renewals and targets, as the API has them.
  Rows renewals;
  for (const auto& w : api.renewals()) {
    renewals.push_back({absl::StrCat(w.within_days(), " days"),
                        absl::StrCat(w.accounts()), FormatMoney(w.arr()),
                        FormatMoney(w.arr_at_risk()),
                        FormatMoney(w.arr_to_monitor())});
  }
  // Then the overdue bucket (no "to monitor" figure of its own).
  const auto& od = api.overdue_renewals();
  renewals.push_back({"Overdue", absl::StrCat(od.accounts()),
                      FormatMoney(od.arr()), FormatMoney(od.arr_at_risk()),
                      "\u2013"});
  EXPECT_EQ(TableOf(html, "renewals"), renewals);
  Rows targets;
  for (const auto& k : api.kpis()) {
    const auto fmt = [&](double v) { return cli::FormatKpi(v, k.unit()); };
    targets.push_back({k.name(),
                       (k.direction() == "max" ? "≤ " : "≥ ") + fmt(k.target()),
                       k.has_data() ? fmt(k.actual()) : "–",
                       !k.has_data() ? "no data"
                       : k.met()     ? "yes"
                                     : "no"});
  }
  ASSERT_FALSE(targets.empty());
  EXPECT_EQ(TableOf(html, "targets"), targets);
  // By hand: customer retention is GRR (90.0%; 3 of the 4 accounts kept
  // would be 75.0%), NRR 100.0%, logo churn 25.0%, NPS 40; no CSAT or CES
  // answers.
  const Rows kpis = TableOf(html, "targets");
  for (const std::vector<std::string>& row :
       std::vector<std::vector<std::string>>{
           {"customer_retention", "≥ 95.0%", "90.0%", "no"},
           {"nrr", "≥ 120.0%", "100.0%", "no"},
           {"logo_churn", "≤ 5.0%", "25.0%", "no"},
           {"nps", "≥ 60.0", "40.0", "no"},
           {"csat_average", "≥ 4.0 (1-5)", "–", "no data"}}) {
    EXPECT_NE(std::find(kpis.begin(), kpis.end(), row), kpis.end()) << row[0];
  }
  EXPECT_TRUE(server_->Stop().ok());
}

}  // namespace
}  // namespace retain
