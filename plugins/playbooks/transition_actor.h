// Who a task transition is recorded as (ABI 1.4): the authenticated caller,
// not the request's word for it; the request's actor is kept as "on behalf
// of".
#ifndef RETAIN_PLUGINS_PLAYBOOKS_TRANSITION_ACTOR_H_
#define RETAIN_PLUGINS_PLAYBOOKS_TRANSITION_ACTOR_H_

#include <string>

#include "retain/plugins/playbooks/v1/playbooks.pb.h"
#include "retain_plugin.h"

namespace retain::plugins::playbooks {

struct TransitionActor {
  std::string actor;         // Transition.actor
  std::string actor_name;    // Transition.actor_name
  std::string on_behalf_of;  // Transition.on_behalf_of
};

// From the call's caller (Call::caller()) and the request's actor. Without
// a caller (a host older than 1.4) the request's actor, "api" by default,
// as before.
TransitionActor ActorOf(const sdk::Result<sdk::Caller>& caller,
                        const std::string& requested);

// Stamps the transitions (and checked steps) a change added to `task`
// after its first `history_before` entries with the name and "on behalf
// of" of `who` (the change recorded who.actor itself).
void StampTransitions(v1::Task* task, int history_before,
                      const TransitionActor& who);

}  // namespace retain::plugins::playbooks

#endif  // RETAIN_PLUGINS_PLAYBOOKS_TRANSITION_ACTOR_H_
