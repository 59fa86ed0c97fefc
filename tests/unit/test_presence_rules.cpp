// parley/presence_rules.hpp: an agent's status transitions.
#include <doctest/doctest.h>

#include "parley/presence_rules.hpp"

using namespace parley;

TEST_CASE("presence: offline without a connection, the choice back with the first one") {
  AgentPresence p;
  CHECK(p.status() == AgentStatus::offline);
  CHECK(p.chosen == AgentStatus::online);  // online by default
  CHECK(p.connected(100));
  CHECK(p.status() == AgentStatus::online);
  CHECK_FALSE(p.connected(110));  // a second tab changes nothing
  CHECK_FALSE(p.disconnected(120));
  CHECK(p.status() == AgentStatus::online);
  CHECK(p.disconnected(130));  // the last connection closes
  CHECK(p.status() == AgentStatus::offline);
  CHECK_FALSE(p.disconnected(140));  // never below zero
  CHECK(p.connections == 0);
}

TEST_CASE("presence: the agent's choice, kept across connections") {
  AgentPresence p;
  p.connected(0);
  CHECK(p.choose(AgentStatus::away, 10));
  CHECK(p.status() == AgentStatus::away);
  CHECK_FALSE(p.choose(AgentStatus::away, 11));
  CHECK_FALSE(p.activity(20));  // activity does not change a choice
  CHECK(p.status() == AgentStatus::away);
  CHECK(p.choose(AgentStatus::offline, 30));
  CHECK(p.status() == AgentStatus::offline);
  p.disconnected(40);
  CHECK_FALSE(p.connected(50));  // still offline: their choice
  CHECK(p.status() == AgentStatus::offline);
  CHECK(p.choose(AgentStatus::online, 60));
  CHECK(p.status() == AgentStatus::online);
  // Choosing while disconnected changes the choice but not what routing sees.
  p.disconnected(70);
  CHECK_FALSE(p.choose(AgentStatus::away, 80));
  CHECK(p.chosen == AgentStatus::away);
  CHECK(p.connected(90));
  CHECK(p.status() == AgentStatus::away);
}

TEST_CASE("presence: auto-away after the idle time, back online with activity") {
  const Millis idle = 1000;
  AgentPresence p;
  p.connected(0);
  CHECK(p.next_tick(idle) == 1000);
  CHECK_FALSE(p.tick(999, idle));
  CHECK(p.activity(500) == false);
  CHECK(p.next_tick(idle) == 1500);
  CHECK_FALSE(p.tick(1499, idle));
  CHECK(p.tick(1500, idle));
  CHECK(p.status() == AgentStatus::away);
  CHECK(p.chosen == AgentStatus::online);  // their choice is kept
  CHECK(p.next_tick(idle) == 0);
  CHECK_FALSE(p.tick(5000, idle));
  CHECK(p.activity(6000));
  CHECK(p.status() == AgentStatus::online);
  // An explicit choice of online is activity too.
  CHECK(p.tick(7000, idle));
  CHECK(p.choose(AgentStatus::online, 7100));
  CHECK(p.status() == AgentStatus::online);
}

TEST_CASE("presence: no auto-away when disabled, when away or offline was chosen, or when disconnected") {
  AgentPresence p;
  p.connected(0);
  CHECK_FALSE(p.tick(1'000'000, 0));
  CHECK(p.next_tick(0) == 0);
  p.choose(AgentStatus::away, 0);
  CHECK_FALSE(p.tick(1'000'000, 10));
  CHECK(p.next_tick(10) == 0);
  AgentPresence q;
  CHECK_FALSE(q.tick(1'000'000, 10));
  CHECK(q.status() == AgentStatus::offline);
  // Auto-away, then the last connection closes: offline; reconnecting clears the auto-away.
  AgentPresence r;
  r.connected(0);
  r.tick(100, 10);
  CHECK(r.status() == AgentStatus::away);
  r.disconnected(200);
  CHECK(r.status() == AgentStatus::offline);
  CHECK(r.connected(300));
  CHECK(r.status() == AgentStatus::online);
}
