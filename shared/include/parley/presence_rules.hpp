// parley/presence_rules.hpp: an agent's status (issue 9, "People and presence").
//
// Pure: the relay feeds the inputs (its loop thread owns one AgentPresence per staff user) and
// reads the status routing sees. Rules:
//  - the agent CHOOSES online, away or offline (the inbox's status selector); the choice is kept
//    across connections (a new sign-in starts from the last choice; online by default);
//  - with no connection open the agent is offline, whatever they chose ("offline when the last
//    connection closes"); the first connection brings the choice back;
//  - activity (any command from one of their sockets, the inbox's activity pings) keeps them
//    alive; a chosen `online` with no activity for the tenant's idle time becomes `away`
//    ("auto-away"), and the next activity makes it online again. An idle time of 0 disables
//    auto-away;
//  - an agent who chose away or offline stays so until they choose otherwise (activity does not
//    change a choice).
// Each input returns true when the status routing sees (status()) changed.
#pragma once

#include "parley/model.hpp"
#include "parley/routing.hpp"

namespace parley {

struct AgentPresence {
  AgentStatus chosen = AgentStatus::online;
  int connections = 0;
  Millis last_activity = 0;
  bool auto_away = false;

  // The status routing sees.
  AgentStatus status() const;
  // The agent chose `s` (an explicit choice also counts as activity).
  bool choose(AgentStatus s, Millis now);
  bool activity(Millis now);
  bool connected(Millis now);
  bool disconnected(Millis now);
  // Auto-away check at `now` with the tenant's idle time (0 = never).
  bool tick(Millis now, Millis idle_ms);
  // When tick() would next change something (0 = nothing pending): for the relay's timer.
  Millis next_tick(Millis idle_ms) const;
};

}  // namespace parley
