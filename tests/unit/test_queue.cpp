// parley/queue.hpp: the inbox list orders, shared by the relay and the inbox app.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "parley/queue.hpp"

using namespace parley;

namespace {

Conversation waiting(const std::string& id, Priority p, Millis handed_off_at, Millis updated_at = 0) {
  Conversation c;
  c.id = id;
  c.status = Status::pending;
  c.priority = p;
  c.handed_off_at = handed_off_at;
  c.updated_at = updated_at;
  return c;
}

std::vector<std::string> ids(const std::vector<Conversation>& v) {
  std::vector<std::string> out;
  for (const Conversation& c : v) out.push_back(c.id);
  return out;
}

}  // namespace

TEST_CASE("queue: most urgent first, then longest waiting, then id") {
  std::vector<Conversation> q = {
      waiting("c_low_old", Priority::low, 100),       waiting("c_norm_new", Priority::normal, 900),
      waiting("c_urgent", Priority::urgent, 950),     waiting("c_norm_old", Priority::normal, 200),
      waiting("c_high", Priority::high, 999),         waiting("c_norm_tie_b", Priority::normal, 500),
      waiting("c_norm_tie_a", Priority::normal, 500),
  };
  std::sort(q.begin(), q.end(),
            [](const Conversation& a, const Conversation& b) { return queue_before(a, b); });
  CHECK(ids(q) == std::vector<std::string>{"c_urgent", "c_high", "c_norm_old", "c_norm_tie_a", "c_norm_tie_b",
                                           "c_norm_new", "c_low_old"});
  CHECK(priority_rank(Priority::urgent) < priority_rank(Priority::high));
  CHECK(priority_rank(Priority::normal) < priority_rank(Priority::low));
}

TEST_CASE("queue: the same order on conversations and on list items") {
  const Conversation a = waiting("c_a", Priority::high, 500, 1), b = waiting("c_b", Priority::high, 400, 2);
  const ConversationItem ia = make_item(a, "Ada", "", 0), ib = make_item(b, "Bo", "", 0);
  CHECK(queue_before(b, a));
  CHECK(queue_before(ib, ia));
  CHECK_FALSE(queue_before(ia, ib));
  CHECK_FALSE(queue_before(ia, ia));  // irreflexive: usable as a set comparator
  CHECK(recent_before(ib, ia));       // b was updated later
  CHECK(recent_before(b, a));
}

TEST_CASE("recent: most recently updated first, then id") {
  std::vector<Conversation> v = {
      waiting("c_1", Priority::normal, 0, 10), waiting("c_3", Priority::normal, 0, 30),
      waiting("c_2b", Priority::normal, 0, 20), waiting("c_2a", Priority::normal, 0, 20)};
  std::sort(v.begin(), v.end(),
            [](const Conversation& a, const Conversation& b) { return recent_before(a, b); });
  CHECK(ids(v) == std::vector<std::string>{"c_3", "c_2a", "c_2b", "c_1"});
}

TEST_CASE("queue order keeps a std::set consistent through erase + change + insert") {
  std::vector<Conversation> all;
  for (int i = 0; i < 50; ++i) {
    all.push_back(waiting("c_" + std::to_string(i), static_cast<Priority>(i % 4), 1000 - i * 7 % 300));
  }
  auto less = [](const Conversation* a, const Conversation* b) { return queue_before(*a, *b); };
  std::set<const Conversation*, decltype(less)> set(less);
  for (const Conversation& c : all) set.insert(&c);
  CHECK(set.size() == all.size());
  // A priority change: erase under the old key, change, insert under the new one.
  Conversation& moved = all[37];
  CHECK(set.erase(&moved) == 1);
  moved.priority = Priority::urgent;
  moved.handed_off_at = 0;
  set.insert(&moved);
  CHECK(set.size() == all.size());
  CHECK(*set.begin() == &moved);
  CHECK(std::is_sorted(set.begin(), set.end(), less));
  // A probe with a cursor's fields finds the position right after an item.
  Conversation probe = **std::next(set.begin(), 10);
  auto it = set.upper_bound(&probe);
  CHECK(std::distance(set.begin(), it) == 11);
}
