// How retainctl turns --server and the TLS flags into a gRPC target and
// whether it uses TLS (clients/cli/channel.h).
#include "clients/cli/channel.h"
#include "clients/cli/common.h"
#include "gtest/gtest.h"

namespace retain::cli {
namespace {

ChannelTarget Resolve(const std::string& server, const std::string& ca = "",
                      const std::string& cert = "",
                      const std::string& key = "") {
  return ResolveTarget({server, ca, cert, key});
}

int UsageErrorOf(const ChannelSettings& s, std::string* message) {
  try {
    ResolveTarget(s);
  } catch (const CliError& e) {
    *message = e.what();
    return e.code();
  }
  return 0;
}

TEST(CliChannelTest, PlainAddressIsPlaintext) {
  ChannelTarget t = Resolve("127.0.0.1:7443");
  EXPECT_EQ(t.target, "127.0.0.1:7443");
  EXPECT_FALSE(t.tls);
  t = Resolve("http://retain.example:7443");
  EXPECT_EQ(t.target, "retain.example:7443");
  EXPECT_FALSE(t.tls);
}

TEST(CliChannelTest, HttpsOrTlsFilesMeanTls) {
  ChannelTarget t = Resolve("https://retain.example:7443");
  EXPECT_EQ(t.target, "retain.example:7443");
  EXPECT_TRUE(t.tls);
  t = Resolve("retain.example:7443", "ca.pem");
  EXPECT_EQ(t.target, "retain.example:7443");
  EXPECT_TRUE(t.tls);
  EXPECT_TRUE(Resolve("retain.example:7443", "", "c.pem", "c.key").tls);
  EXPECT_TRUE(Resolve("https://retain.example:7443", "ca.pem").tls);
}

TEST(CliChannelTest, ContradictionsAreUsageErrors) {
  std::string msg;
  EXPECT_EQ(UsageErrorOf({"h:1", "", "c.pem", ""}, &msg), kExitUsage);
  EXPECT_EQ(msg, "--cert_file needs --key_file");
  EXPECT_EQ(UsageErrorOf({"h:1", "", "", "c.key"}, &msg), kExitUsage);
  EXPECT_EQ(msg, "--key_file needs --cert_file");
  EXPECT_EQ(UsageErrorOf({"http://h:1", "ca.pem", "", ""}, &msg), kExitUsage);
  EXPECT_NE(msg.find("use https://"), std::string::npos) << msg;
}

TEST(CliChannelTest, UnreadableFilesNameTheFlag) {
  try {
    ChannelCredentialsFor({"h:1", "/nonexistent/ca.pem", "", ""});
    FAIL() << "no error";
  } catch (const CliError& e) {
    EXPECT_EQ(e.code(), kExitUsage);
    EXPECT_STREQ(e.what(), "--ca_file: cannot read /nonexistent/ca.pem");
  }
}

}  // namespace
}  // namespace retain::cli
