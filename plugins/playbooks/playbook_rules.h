// Whether a playbook definition is usable: every rule names the field it
// checks, so a bad config or API request says what to fix.
#ifndef RETAIN_PLUGINS_PLAYBOOKS_PLAYBOOK_RULES_H_
#define RETAIN_PLUGINS_PLAYBOOKS_PLAYBOOK_RULES_H_

#include <string>

#include "retain/plugins/playbooks/v1/playbooks.pb.h"
#include "retain/sdk/status.h"

namespace retain::plugins::playbooks {

// [a-z][a-z0-9_]{0,62}: it is part of task ids and KV keys.
bool IsValidPlaybookId(const std::string& id);

// OK, or INVALID_ARGUMENT "<field_prefix>.<field>: <rule>".
sdk::Status ValidatePlaybook(const v1::Playbook& playbook,
                             const std::string& field_prefix = "playbook");

}  // namespace retain::plugins::playbooks

#endif  // RETAIN_PLUGINS_PLAYBOOKS_PLAYBOOK_RULES_H_
