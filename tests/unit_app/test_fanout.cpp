// Unit tests of the inbox fan-out rules (relay/src/app/live/fanout.hpp): which staff sockets hear
// of a conversation's change. No sockets, no clock.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "app/live/fanout.hpp"

using namespace parley;
using namespace parley::relay;

namespace {

ListMark mark(Status st, const std::string& assignee = "", Priority p = Priority::normal) {
  Conversation c;
  c.id = "c1";
  c.status = st;
  c.assignee_id = assignee;
  c.priority = p;
  c.handed_off_at = st == Status::pending ? 100 : 0;
  return list_mark(c);
}

bool has(const std::vector<std::string>& v, const std::string& u) { return std::find(v.begin(), v.end(), u) != v.end(); }

}  // namespace

TEST_CASE("a message in someone's active chat reaches no list: the assignee follows it by its events") {
  const ListMark m = mark(Status::active, "u_sam");
  ListTrail during;
  during.add(m);
  const ListAudience a = audience_of(m, m, during);
  CHECK_FALSE(a.queue_viewers);
  CHECK_FALSE(a.fresh_queue_viewers);
  CHECK(a.mine_users.empty());
  CHECK_FALSE(a.joined);
  // Sockets of sam that got a page since the last flush already hold the newest item or join it.
  CHECK(a.fresh_mine_users.empty());
}

TEST_CASE("a waiting chat's message (its preview) reaches every queue viewer") {
  const ListMark m = mark(Status::pending);
  const ListAudience a = audience_of(m, m, ListTrail{});
  CHECK(a.queue_viewers);
  CHECK(a.mine_users.empty());
  CHECK_FALSE(a.joined);
}

TEST_CASE("accepting a waiting chat: it leaves everyone's queue and enters the agent's list") {
  const ListMark before = mark(Status::pending), now = mark(Status::active, "u_sam");
  ListTrail during;
  during.add(now);
  const ListAudience a = audience_of(before, now, during);
  CHECK(a.queue_viewers);
  CHECK(a.mine_users == std::vector<std::string>{"u_sam"});
  CHECK(a.joined);
}

TEST_CASE("a chat that entered and left the queue between two flushes reaches only fresh sockets") {
  const ListMark before;  // not committed at the last flush
  const ListMark waiting = mark(Status::pending), now = mark(Status::active, "u_sam");
  ListTrail during;
  during.add(waiting);
  during.add(now);
  const ListAudience a = audience_of(before, now, during);
  CHECK_FALSE(a.queue_viewers);
  // Nobody was told it waited, except sockets whose snapshot or page may show it waiting.
  CHECK(a.fresh_queue_viewers);
  CHECK(a.mine_users == std::vector<std::string>{"u_sam"});
}

TEST_CASE("a transfer between flushes: both agents hear, and a passing owner's fresh sockets too") {
  const ListMark before = mark(Status::active, "u_ann"), via = mark(Status::active, "u_bo"),
                 now = mark(Status::active, "u_cy");
  ListTrail during;
  during.add(via);
  during.add(now);
  const ListAudience a = audience_of(before, now, during);
  CHECK(has(a.mine_users, "u_ann"));
  CHECK(has(a.mine_users, "u_cy"));
  CHECK_FALSE(has(a.mine_users, "u_bo"));
  CHECK(a.fresh_mine_users == std::vector<std::string>{"u_bo"});
  CHECK_FALSE(a.queue_viewers);
}

TEST_CASE("a chat requeued and taken back between flushes: only fresh sockets may hold the middle") {
  const ListMark m = mark(Status::active, "u_sam");
  ListTrail during;
  during.add(mark(Status::pending));
  during.add(m);
  const ListAudience a = audience_of(m, m, during);
  CHECK_FALSE(a.queue_viewers);
  CHECK(a.fresh_queue_viewers);
  CHECK(a.mine_users.empty());
  CHECK(a.fresh_mine_users == std::vector<std::string>{"u_sam"});
  CHECK_FALSE(a.joined);
}

TEST_CASE("a priority change of an agent's chat reaches the agent and joined staff") {
  const ListMark before = mark(Status::active, "u_sam"), now = mark(Status::active, "u_sam", Priority::urgent);
  const ListAudience a = audience_of(before, now, ListTrail{});
  CHECK(a.mine_users == std::vector<std::string>{"u_sam"});
  CHECK(a.joined);
}

TEST_CASE("a chat with the assistant is in nobody's queue or list") {
  const ListMark before, now = mark(Status::bot);
  ListTrail during;
  during.add(now);
  const ListAudience a = audience_of(before, now, during);
  CHECK_FALSE(a.queue_viewers);
  CHECK_FALSE(a.fresh_queue_viewers);
  CHECK(a.mine_users.empty());
  CHECK(a.fresh_mine_users.empty());
}

TEST_CASE("resolving an agent's chat removes it from the agent's list") {
  const ListMark before = mark(Status::active, "u_sam"), now = mark(Status::resolved, "u_sam");
  CHECK(now.mine_of().empty());
  const ListAudience a = audience_of(before, now, ListTrail{});
  CHECK(a.mine_users == std::vector<std::string>{"u_sam"});
  CHECK_FALSE(a.queue_viewers);
}
