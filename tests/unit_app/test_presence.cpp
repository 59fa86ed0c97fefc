// Unit tests of presence and gone-deadlines (relay/src/app/live/presence.hpp): the timer sweep
// asks due() for the people whose deadline passed instead of scanning every conversation.
// Times are passed in; no clock is read.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "app/live/presence.hpp"

using namespace parley::relay;
using namespace std::chrono_literals;
using Clock = Presence::Clock;

namespace {
// An arbitrary origin far from zero, so "the relay's start" is distinguishable from "now".
const Clock::time_point kStart = Clock::time_point{} + 1000h;
}  // namespace

TEST_CASE("presence: online while any connection is open") {
  Presence p(kStart);
  CHECK_FALSE(p.online("u1"));
  p.connected("u1", kStart + 1s);
  p.connected("u1", kStart + 2s);
  CHECK(p.online("u1"));
  p.disconnected("u1", kStart + 3s);
  CHECK(p.online("u1"));  // one of two connections left
  p.disconnected("u1", kStart + 4s);
  CHECK_FALSE(p.online("u1"));
  // A stray disconnect of someone unknown is harmless.
  p.disconnected("nobody", kStart + 5s);
  CHECK_FALSE(p.online("nobody"));
}

TEST_CASE("presence: a watch of someone never connected counts from the relay's start") {
  Presence p(kStart);
  p.watch("u1", 10s);
  CHECK(p.gone_since("u1") == kStart);
  CHECK(p.due(kStart + 9s).empty());
  CHECK(p.due(kStart + 10s) == std::vector<std::string>{"u1"});
  // Consumed: not due twice.
  CHECK(p.due(kStart + 20s).empty());
  CHECK(p.entries() <= 1);  // kept idle at most
}

TEST_CASE("presence: the grace period runs from the last disconnect, not from the relay's start") {
  // What the hub does when an agent with assigned chats closes their last socket (Hub::on_close):
  // disconnected(), then watch(). The deadline must be the disconnect + the grace period.
  Presence p(kStart);
  p.connected("agent", kStart + 1h);
  p.disconnected("agent", kStart + 2h);
  p.watch("agent", 2min);
  CHECK(p.gone_since("agent") == kStart + 2h);
  CHECK(p.due(kStart + 2h + 1min).empty());  // still within the grace period
  CHECK(p.due(kStart + 2h + 2min) == std::vector<std::string>{"agent"});
}

TEST_CASE("presence: a reconnect within the grace period cancels the deadline; the next loss re-arms it") {
  Presence p(kStart);
  p.connected("agent", kStart + 1s);
  p.watch("agent", 30s);  // online: nothing armed yet
  CHECK(p.due(kStart + 1h).empty());
  p.disconnected("agent", kStart + 2h);  // re-arms with the same delay
  p.connected("agent", kStart + 2h + 10s);
  CHECK(p.due(kStart + 2h + 40s).empty());  // came back: not due
  p.disconnected("agent", kStart + 3h);
  CHECK(p.due(kStart + 3h + 29s).empty());
  CHECK(p.due(kStart + 3h + 30s) == std::vector<std::string>{"agent"});
}

TEST_CASE("presence: a stale deadline of an earlier absence does not fire early") {
  Presence p(kStart);
  p.connected("c1", kStart);
  p.watch("c1", 60s);
  p.disconnected("c1", kStart + 10s);   // deadline at +70s
  p.connected("c1", kStart + 20s);
  p.disconnected("c1", kStart + 50s);   // new deadline at +110s; the +70s one is stale
  CHECK(p.due(kStart + 80s).empty());
  CHECK(p.due(kStart + 110s) == std::vector<std::string>{"c1"});
}

TEST_CASE("presence: entries are bounded by the connected, the watched and the idle cap") {
  Presence p(kStart, /*idle_cap=*/10);
  for (int i = 0; i < 1000; ++i) {
    const std::string k = "visitor" + std::to_string(i);
    p.connected(k, kStart + 1s);
    p.disconnected(k, kStart + 2s);
  }
  CHECK(p.entries() <= 10);  // nobody connected, nobody watched: only the idle cap's worth
  // The same people coming and going over and over do not grow it either.
  for (int round = 0; round < 100; ++round) {
    for (int i = 0; i < 20; ++i) {
      const std::string k = "again" + std::to_string(i);
      p.connected(k, kStart + 3s);
      p.disconnected(k, kStart + 4s);
    }
  }
  CHECK(p.entries() <= 10);
  // Connected and watched people are never dropped for the cap.
  p.connected("a", kStart);
  p.connected("b", kStart);
  p.disconnected("b", kStart + 1s);
  p.watch("b", 5s);
  for (int i = 0; i < 100; ++i) {
    const std::string k = "more" + std::to_string(i);
    p.connected(k, kStart + 2s);
    p.disconnected(k, kStart + 3s);
  }
  CHECK(p.online("a"));
  CHECK(p.gone_since("b") == kStart + 1s);
  CHECK(p.entries() <= 12);
  CHECK(p.watched() >= 1);
  auto due = p.due(kStart + 1h);
  CHECK(due == std::vector<std::string>{"b"});
  CHECK(p.watched() == 0);
}

TEST_CASE("presence: a shorter watch replaces a longer one, a longer one keeps the earlier deadline") {
  Presence p(kStart);
  p.connected("k", kStart);
  p.disconnected("k", kStart + 1s);
  p.watch("k", 100s);
  p.watch("k", 10s);
  CHECK(p.due(kStart + 11s) == std::vector<std::string>{"k"});
  Presence q(kStart);
  q.connected("k", kStart);
  q.disconnected("k", kStart + 1s);
  q.watch("k", 10s);
  q.watch("k", 100s);  // ignored: the earlier deadline stays
  CHECK(q.due(kStart + 11s) == std::vector<std::string>{"k"});
}
