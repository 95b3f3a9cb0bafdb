// The HTML portfolio report's Interventions section, written by the real
// retainctl from a real retaind with the playbooks plugin: open tasks by
// owner, the overdue tasks and the effectiveness bars agree with what
// ListTasks and GetEffectiveness answer, and with the hand figures. Time
// passes by --testing_clock_offset, so two risk tasks are overdue (and
// escalated to cs-manager) while a newer one is not.
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli/format.h"
#include "gtest/gtest.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/plugins/playbooks/v1/playbooks.grpc.pb.h"
#include "retain/signal/v1/signal.grpc.pb.h"
#include "tests/clients/retainctl_runner.h"
#include "tests/support/retaind_process.h"

namespace retain {
namespace {

namespace pb = ::retain::plugins::playbooks::v1;
using ::retain::testing::ReadFile;
using ::retain::testing::Retainctl;
using ::retain::testing::RetaindProcess;
using ::retain::testing::Runfile;

// Polls until true or 60 s pass (a bound for broken tests, not a timing
// assertion).
bool Eventually(const std::function<bool()>& cond) {
  const absl::Time end = absl::Now() + absl::Seconds(60);
  while (absl::Now() < end) {
    if (cond()) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return cond();
}

// The value of attribute `name` in the tag starting at `at`.
std::string AttrAt(const std::string& html, size_t at,
                   const std::string& name) {
  const std::string key = " " + name + "=\"";
  const size_t end = html.find('>', at);
  const size_t a = html.find(key, at);
  if (a == std::string::npos || a > end) return "";
  const size_t b = html.find('"', a + key.size());
  return html.substr(a + key.size(), b - a - key.size());
}

// Every tag carrying `marker` (e.g. "data-owner="), its attributes read
// by AttrAt.
std::vector<size_t> TagsWith(const std::string& html,
                             const std::string& marker) {
  std::vector<size_t> out;
  for (size_t at = html.find(marker); at != std::string::npos;
       at = html.find(marker, at + 1))
    out.push_back(html.rfind('<', at));
  return out;
}

class HtmlInterventionsTest : public ::testing::Test {
 protected:
  void Start(const std::string& dir, const std::vector<std::string>& flags) {
    std::vector<std::string> extra = {
        "--plugins=" + Runfile("plugins/playbooks/libplaybooks.so"),
        "--plugin_config=" + config_};
    extra.insert(extra.end(), flags.begin(), flags.end());
    auto p = RetaindProcess::Start({.data_dir = dir, .extra_flags = extra});
    ASSERT_TRUE(p.ok()) << p.status();
    server_ = std::move(*p);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    tasks_ = pb::PlaybookService::NewStub(channel_);
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(30));
    return ctx;
  }

  // A pooled account of `csm` whose seats are barely used: it turns red.
  void RedAccount(const std::string& id, const std::string& csm) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    auto* a = req.mutable_account();
    a->set_display_name("Account " + id);
    a->set_arr(10000);
    a->set_licensed_seats(100);
    a->set_segment(account::v1::SEGMENT_POOLED);
    a->set_csm_owner(csm);
    *a->mutable_contract_start_time() =
        cli::ToProto(absl::Now() - absl::Hours(24 * 300));
    *a->mutable_renewal_time() =
        cli::ToProto(absl::Now() + absl::Hours(24 * 900));
    account::v1::Account out;
    ASSERT_TRUE(account::v1::AccountService::NewStub(channel_)
                    ->CreateAccount(Ctx().get(), req, &out)
                    .ok());
    signal::v1::RecordSignalsRequest rec;
    auto* s = rec.add_signals();
    s->set_signal_id(id + "-usage");
    s->set_account(out.name());
    *s->mutable_occur_time() = cli::ToProto(absl::Now() - absl::Hours(48));
    s->mutable_usage()->set_active_users(3);
    s->mutable_usage()->set_window_days(7);
    signal::v1::RecordSignalsResponse resp;
    ASSERT_TRUE(signal::v1::SignalService::NewStub(channel_)
                    ->RecordSignals(Ctx().get(), rec, &resp)
                    .ok());
  }

  std::vector<pb::Task> AllTasks() {
    pb::ListTasksRequest req;
    req.set_page_size(1000);
    pb::ListTasksResponse resp;
    EXPECT_TRUE(tasks_->ListTasks(Ctx().get(), req, &resp).ok());
    return {resp.tasks().begin(), resp.tasks().end()};
  }

  std::string config_;
  std::unique_ptr<RetaindProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::PlaybookService::Stub> tasks_;
};

TEST_F(HtmlInterventionsTest, SectionNumbersMatchTheApi) {
  config_ = RetaindProcess::MakeTempDir("interventions-cfg") + "/plugins.json";
  {
    std::ofstream(config_)
        << R"({"plugins": {"playbooks": {"tick_seconds": 0.2}}})";
  }
  Start("", {});
  RedAccount("acme", "cara");
  RedAccount("bolt", "cara");
  RedAccount("cole", "dan");
  ASSERT_TRUE(Eventually([&] { return AllTasks().size() == 3; }));
  pb::CompleteTaskRequest done;
  done.set_task_id("risk_red_pooled/cole/000001");
  done.set_outcome(pb::OUTCOME_SAVED);
  pb::Task closed;
  ASSERT_TRUE(tasks_->CompleteTask(Ctx().get(), done, &closed).ok());
  // The report's --as-of has whole seconds: the next one, once passed, is
  // after the three tasks.
  const absl::Time as_of =
      absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) + 1);
  while (absl::Now() <= as_of) absl::SleepFor(absl::Milliseconds(50));

  // Nine days on, acme's and bolt's tasks (due in 5, escalating 3 days
  // after) go to cs-manager; dova's, opened on the later clock, is not due.
  const std::string dir = server_->data_dir();
  ASSERT_TRUE(server_->Stop().ok());
  Start(dir, {"--testing_clock_offset=216h"});
  RedAccount("dova", "dan");
  ASSERT_TRUE(Eventually([&] {
    int escalated = 0;
    auto all = AllTasks();
    for (const auto& t : all) escalated += t.escalated();
    return all.size() == 4 && escalated == 2;
  }));

  const std::string path =
      RetaindProcess::MakeTempDir("interventions") + "/portfolio.html";
  auto ctl = Retainctl(
      {"--server", server_->address(), "report", "portfolio", "--as-of",
       absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", as_of, absl::UTCTimeZone()),
       "--html", path});
  ASSERT_EQ(ctl.exit_code, 0) << ctl;
  const std::string html = ReadFile(path);
  ASSERT_NE(html.find("<section id=\"interventions\">"), std::string::npos);

  // Open tasks by owner, from the page and from ListTasks.
  std::map<std::string, std::pair<int, int>> api_owners, page_owners;
  std::vector<std::string> api_overdue, page_overdue;
  for (const auto& t : AllTasks()) {
    if (t.status() == pb::TASK_STATUS_DONE) continue;
    ++api_owners[t.owner()].first;
    if (t.overdue()) {
      ++api_owners[t.owner()].second;
      api_overdue.push_back(t.task_id());
    }
  }
  for (size_t at : TagsWith(html, " data-owner=")) {
    int open = 0, overdue = 0;
    ASSERT_TRUE(absl::SimpleAtoi(AttrAt(html, at, "data-open"), &open));
    ASSERT_TRUE(absl::SimpleAtoi(AttrAt(html, at, "data-overdue"), &overdue));
    page_owners[AttrAt(html, at, "data-owner")] = {open, overdue};
  }
  for (size_t at : TagsWith(html, " data-task="))
    page_overdue.push_back(AttrAt(html, at, "data-task"));
  EXPECT_EQ(page_owners, api_owners);
  EXPECT_EQ(page_overdue, api_overdue);
  // By hand: cs-manager has acme's and bolt's, both overdue; dan has dova's.
  const std::map<std::string, std::pair<int, int>> by_hand = {
      {"cs-manager", {2, 2}}, {"dan", {1, 0}}};
  EXPECT_EQ(page_owners, by_hand);

  // The bars, from the page and from GetEffectiveness as of the report.
  pb::GetEffectivenessRequest req;
  *req.mutable_as_of_time() = cli::ToProto(as_of);
  pb::Effectiveness eff;
  ASSERT_TRUE(tasks_->GetEffectiveness(Ctx().get(), req, &eff).ok());
  ASSERT_EQ(eff.rows_size(), 1);
  const auto& row = eff.rows(0);
  EXPECT_EQ(row.triggered(), 3);  // dova's opened after as_of
  EXPECT_EQ(row.closed(), 1);
  std::map<std::string, double> page_bars;
  for (size_t at : TagsWith(html, " data-metric=")) {
    EXPECT_EQ(AttrAt(html, at, "data-playbook"), "risk_red_pooled");
    double v = -1;
    ASSERT_TRUE(absl::SimpleAtod(AttrAt(html, at, "data-value"), &v));
    page_bars[AttrAt(html, at, "data-metric")] = v;
  }
  const std::map<std::string, double> api_bars = {
      {"on_time_rate", row.on_time_rate()},
      {"save_rate", row.save_rate()},
      {"outcome_save_rate", row.outcome_save_rate()}};
  EXPECT_EQ(page_bars, api_bars);
  EXPECT_DOUBLE_EQ(page_bars["on_time_rate"], 1.0);       // closed at once
  EXPECT_DOUBLE_EQ(page_bars["outcome_save_rate"], 1.0);  // cole: SAVED
}

}  // namespace
}  // namespace retain
