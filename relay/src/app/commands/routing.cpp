// Routing commands (issue 9): agent.set_status, an agent's own status (live/router.hpp).
#include "app/commands/handlers.hpp"

namespace parley::relay::cmd {

void set_agent_status(HubState& hub, const Principal& who, ConnState*, const SetAgentStatus& s, AckFn ack) {
  hub.router.set_status(who.staff, s.status, std::move(ack));
}

}  // namespace parley::relay::cmd
