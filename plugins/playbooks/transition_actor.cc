#include "plugins/playbooks/transition_actor.h"

namespace retain::plugins::playbooks {

TransitionActor ActorOf(const sdk::Result<sdk::Caller>& caller,
                        const std::string& requested) {
  TransitionActor who;
  if (!caller.ok()) {
    who.actor = requested.empty() ? "api" : requested;
    return who;
  }
  switch (caller->authentication) {
    case sdk::Caller::Authentication::kApiKey:
      who.actor = caller->key_id;
      who.actor_name = caller->key_display_name;
      break;
    case sdk::Caller::Authentication::kNone:
      who.actor = "dev";
      break;
    default:
      who.actor = caller->principal;
  }
  if (who.actor.empty()) who.actor = caller->principal;
  who.on_behalf_of = requested;
  return who;
}

void StampTransitions(v1::Task* task, int history_before,
                      const TransitionActor& who) {
  for (int i = history_before; i < task->history_size(); ++i) {
    auto* h = task->mutable_history(i);
    if (h->actor() != who.actor) continue;
    h->set_actor_name(who.actor_name);
    h->set_on_behalf_of(who.on_behalf_of);
  }
}

}  // namespace retain::plugins::playbooks
