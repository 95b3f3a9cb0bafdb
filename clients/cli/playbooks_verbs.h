// What the playbooks plugin's verbs share (cmd_tasks.cc, cmd_playbooks.cc,
// cmd_plans.cc): the stub and small formatters. When the plugin is not
// loaded, retaind answers UNIMPLEMENTED and retainctl exits 8.
#ifndef RETAIN_CLIENTS_CLI_PLAYBOOKS_VERBS_H_
#define RETAIN_CLIENTS_CLI_PLAYBOOKS_VERBS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "clients/cli/common.h"
#include "clients/cli/format.h"
#include "retain/account/v1/account.pb.h"
#include "retain/plugins/playbooks/v1/playbooks.grpc.pb.h"

namespace retain::cli::playbooks_verbs {

namespace pb = ::retain::plugins::playbooks::v1;

inline constexpr char kPlugin[] = "playbooks";

inline std::unique_ptr<pb::PlaybookService::Stub> Stub(const Connection& conn) {
  return pb::PlaybookService::NewStub(conn.channel());
}

inline std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

inline std::string Segment(int32_t segment) {
  return EnumShortName(account::v1::Segment_descriptor(), segment);
}

// tasks list|show|start|done|snooze|escalate (cmd_tasks.cc).
void AddTaskCommands(CLI::App& app, Globals& g);
// playbooks list|show|stats (cmd_playbooks.cc).
void AddPlaybookCommands(CLI::App& app, Globals& g);
// plans list|show|create|objective (cmd_plans.cc).
void AddPlanCommands(CLI::App& app, Globals& g);

}  // namespace retain::cli::playbooks_verbs

#endif  // RETAIN_CLIENTS_CLI_PLAYBOOKS_VERBS_H_
