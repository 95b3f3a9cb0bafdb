// The Prometheus endpoint of a real retaind (--metrics_listen): quota and
// stream refusals show up as counters, scraped over HTTP.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "retain/account/v1/account.grpc.pb.h"
#include "retain/report/v1/report.grpc.pb.h"
#include "tests/integration/auth_fixture.h"

namespace retain::testing {
namespace {

// GET http://127.0.0.1:<port>/metrics, the body.
std::string Scrape(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  const std::string req =
      "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string resp;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) resp.append(buf, n);
  close(fd);
  size_t body = resp.find("\r\n\r\n");
  return body == std::string::npos ? "" : resp.substr(body + 4);
}

// The value of the sample of `name` whose labels include every one given.
double Sample(const std::string& text, const std::string& name,
              const std::vector<std::string>& labels) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::StartsWith(line, name + "{") &&
        !absl::StartsWith(line, name + " ")) {
      continue;
    }
    bool all = true;
    for (const auto& l : labels) all = all && absl::StrContains(line, l);
    if (!all) continue;
    return std::stod(std::string(line.substr(line.rfind(' ') + 1)));
  }
  return -1;
}

class MetricsTest : public AuthTest {
 protected:
  std::vector<std::string> ExtraFlags() override {
    return {"--metrics_listen=127.0.0.1:0", "--quota_accounts=1",
            "--quota_streams_per_key=1"};
  }
};

TEST_F(MetricsTest, RefusalsAreCountedAndScraped) {
  // The metrics port: the log line says it.
  int port = 0;
  std::ifstream log(server_->log_path());
  for (std::string line; std::getline(log, line);) {
    if (absl::StrContains(line, "\"metrics serving\"")) {
      port = std::stoi(line.substr(line.find("\"port\":") + 7));
    }
  }
  ASSERT_GT(port, 0);

  auto accounts = account::v1::AccountService::NewStub(channel_);
  account::v1::Account a;
  for (const char* id : {"a1", "a2"}) {
    account::v1::CreateAccountRequest req;
    req.set_account_id(id);
    req.mutable_account()->set_display_name(id);
    accounts->CreateAccount(As(operator_key_).get(), req, &a);
  }
  auto reports = report::v1::ReportService::NewStub(channel_);
  auto first = As(operator_key_, 60);
  auto open = reports->WatchHealth(first.get(), {});
  open->WaitForInitialMetadata();
  auto second = As(operator_key_, 60);
  auto refused = reports->WatchHealth(second.get(), {});
  report::v1::HealthAlert alert;
  EXPECT_FALSE(refused->Read(&alert));
  EXPECT_EQ(refused->Finish().error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  const std::string text = Scrape(port);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(Sample(text, "retain_accounts", {}), 1);
  EXPECT_EQ(Sample(text, "retain_quota_rejections_total",
                   {"tenant=\"default\"", "quota=\"accounts\""}),
            1);
  EXPECT_EQ(Sample(text, "retain_quota_rejections_total",
                   {"tenant=\"default\"", "quota=\"stored_bytes\""}),
            0);
  EXPECT_EQ(Sample(text, "retain_streams_open", {"principal=\"tenants/"}), 1);
  EXPECT_EQ(
      Sample(text, "retain_stream_rejections_total", {"principal=\"tenants/"}),
      1);
  first->TryCancel();
}

}  // namespace
}  // namespace retain::testing
