// An agent's status (parley/presence_rules.hpp).
#include "parley/presence_rules.hpp"

namespace parley {

AgentStatus AgentPresence::status() const {
  if (connections <= 0) return AgentStatus::offline;
  if (chosen == AgentStatus::online && auto_away) return AgentStatus::away;
  return chosen;
}

bool AgentPresence::choose(AgentStatus s, Millis now) {
  const AgentStatus before = status();
  chosen = s;
  last_activity = now;
  auto_away = false;
  return status() != before;
}

bool AgentPresence::activity(Millis now) {
  const AgentStatus before = status();
  last_activity = now;
  auto_away = false;
  return status() != before;
}

bool AgentPresence::connected(Millis now) {
  const AgentStatus before = status();
  if (connections <= 0) auto_away = false;
  ++connections;
  last_activity = now;
  return status() != before;
}

bool AgentPresence::disconnected(Millis) {
  const AgentStatus before = status();
  if (connections > 0) --connections;
  if (connections == 0) auto_away = false;
  return status() != before;
}

bool AgentPresence::tick(Millis now, Millis idle_ms) {
  if (idle_ms <= 0 || connections <= 0 || chosen != AgentStatus::online || auto_away) return false;
  if (now - last_activity < idle_ms) return false;
  auto_away = true;
  return true;
}

Millis AgentPresence::next_tick(Millis idle_ms) const {
  if (idle_ms <= 0 || connections <= 0 || chosen != AgentStatus::online || auto_away) return 0;
  return last_activity + idle_ms;
}

}  // namespace parley
