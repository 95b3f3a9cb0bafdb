// The playbooks Retain runs out of the box, by coverage model (segment):
// dedicated and named accounts get executive and CSM outreach within days,
// pooled ones health-triggered CSM outreach, digital ones an automated
// touch with a human only at risk events. README.md has the table.
#ifndef RETAIN_PLUGINS_PLAYBOOKS_DEFAULT_PLAYBOOKS_H_
#define RETAIN_PLUGINS_PLAYBOOKS_DEFAULT_PLAYBOOKS_H_

#include <vector>

#include "retain/plugins/playbooks/v1/playbooks.pb.h"

namespace retain::plugins::playbooks {

// Each valid (ValidatePlaybook), source PLAYBOOK_SOURCE_DEFAULT, ids
// unique.
std::vector<v1::Playbook> DefaultPlaybooks();

}  // namespace retain::plugins::playbooks

#endif  // RETAIN_PLUGINS_PLAYBOOKS_DEFAULT_PLAYBOOKS_H_
