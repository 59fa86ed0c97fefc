// Unit tests of one tenant's inbox index (relay/src/app/live/inbox_index.hpp): the queue and
// "mine" lists over committed states, counts as a base plus deltas, attach/detach without
// counting, and cursor paging. No sockets, no store, no clock.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "app/live/inbox_index.hpp"

using namespace parley;
using namespace parley::relay;

namespace {

constexpr Millis kDay = 1'700'000'000'000;  // the day under test starts here
constexpr Millis kDayEnd = kDay + 86'400'000;

Conversation conv(const std::string& id, Status st, Millis handed_off = 0, Priority p = Priority::normal,
                  const std::string& assignee = "", Millis updated = kDay + 1000) {
  Conversation c;
  c.id = id;
  c.tenant_id = "t1";
  c.contact_id = "k_" + id;
  c.status = st;
  c.priority = p;
  c.handed_off_at = handed_off;
  c.assignee_id = assignee;
  c.updated_at = updated;
  c.created_at = kDay + 1;
  c.head_seq = 3;
  return c;
}

// Owns ConvStates the way the registry does (stable addresses).
struct Pool {
  std::vector<std::unique_ptr<ConvState>> all;
  ConvState& make(const Conversation& c) {
    auto cs = std::make_unique<ConvState>();
    cs->committed = c;
    cs->live = c;
    all.push_back(std::move(cs));
    return *all.back();
  }
};

std::vector<std::string> ids(const TenantInbox::QueueSet& set) {
  std::vector<std::string> out;
  for (const ConvState* cs : set) out.push_back(cs->committed.id);
  return out;
}
std::vector<std::string> ids(const TenantInbox::RecentSet& set) {
  std::vector<std::string> out;
  for (const ConvState* cs : set) out.push_back(cs->committed.id);
  return out;
}
std::vector<std::string> ids(const TenantInbox::Page& p) {
  std::vector<std::string> out;
  for (const ConvState* cs : p.items) out.push_back(cs->committed.id);
  return out;
}

}  // namespace

TEST_CASE("inbox index: the queue is ordered most urgent first, then longest waiting") {
  TenantInbox ix;
  ix.set_base(InboxBase{}, kDay, kDayEnd);
  Pool pool;
  // Counted as new conversations (counted=false: not counted before).
  struct Row {
    const char* id;
    Millis handed;
    Priority p;
  };
  for (Row r : {Row{"c_late", kDay + 500, Priority::normal}, Row{"c_early", kDay + 100, Priority::normal},
                Row{"c_urgent", kDay + 900, Priority::urgent}, Row{"c_low", kDay + 50, Priority::low}}) {
    Conversation c = conv(r.id, Status::pending, r.handed, r.p);
    ConvState& cs = pool.make(c);
    cs.committed.head_seq = 0;  // never committed: update() counts only `next`
    ix.update(cs, c, /*counted=*/false);
  }
  CHECK(ids(ix.queue()) == std::vector<std::string>{"c_urgent", "c_early", "c_late", "c_low"});
  CHECK(ix.by_status(Status::pending) == 4);

  // A priority change re-sorts: erased under the old key, inserted under the new one.
  ConvState& late = *pool.all[0];
  Conversation next = late.committed;
  next.priority = Priority::urgent;
  ix.update(late, next);
  // Both urgent now: the one waiting longer (handed off earlier) comes first.
  CHECK(ids(ix.queue()) == std::vector<std::string>{"c_late", "c_urgent", "c_early", "c_low"});
  CHECK(ix.queue().size() == 4);
  CHECK(ix.by_status(Status::pending) == 4);
}

TEST_CASE("inbox index: accept moves a conversation from the queue to the agent's mine") {
  TenantInbox ix;
  InboxBase base;
  base.by_status[static_cast<int>(Status::pending)] = 1;  // what the database counted at start
  ix.set_base(base, kDay, kDayEnd);
  Pool pool;
  ConvState& cs = pool.make(conv("c1", Status::pending, kDay + 100));
  ix.attach(cs);  // loaded at start: lists only, the base already counts it
  CHECK(ix.by_status(Status::pending) == 1);
  REQUIRE(ix.queue().size() == 1);

  Conversation active = cs.committed;
  active.status = Status::active;
  active.assignee_id = "u_ann";
  active.assigned_at = kDay + 400;
  active.updated_at = kDay + 400;
  ix.update(cs, active);
  CHECK(ix.queue().empty());
  CHECK(ids(ix.mine("u_ann")) == std::vector<std::string>{"c1"});
  CHECK(ix.mine("u_bob").empty());
  CHECK(ix.by_status(Status::pending) == 0);
  CHECK(ix.by_status(Status::active) == 1);
  // Today's wait: assigned 300 ms after the hand-off, both today.
  CHECK(ix.today().wait_n == 1);
  CHECK(ix.today().wait_sum_ms == 300);

  // mine is ordered most recently updated first.
  ConvState& other = pool.make(conv("c2", Status::active, kDay + 10, Priority::normal, "u_ann", kDay + 900));
  ix.attach(other);
  CHECK(ids(ix.mine("u_ann")) == std::vector<std::string>{"c2", "c1"});

  // Resolve: gone from mine, counted resolved today.
  Conversation resolved = cs.committed;
  resolved.status = Status::resolved;
  resolved.assignee_id.clear();
  resolved.resolved_at = kDay + 1000;
  ix.update(cs, resolved);
  CHECK(ids(ix.mine("u_ann")) == std::vector<std::string>{"c2"});
  CHECK(ix.by_status(Status::active) == 0);  // c2 was attached (not counted): only c1's delta
  CHECK(ix.by_status(Status::resolved) == 1);
  CHECK(ix.today().resolved_today == 1);
}

TEST_CASE("inbox index: counts are a base plus deltas; attach/detach never count twice") {
  TenantInbox ix;
  InboxBase base;
  base.by_status[static_cast<int>(Status::bot)] = 5;
  base.by_status[static_cast<int>(Status::resolved)] = 20;
  base.today.resolved_today = 7;
  ix.set_base(base, kDay, kDayEnd);
  CHECK(ix.by_status(Status::bot) == 5);
  CHECK(ix.by_status(Status::resolved) == 20);
  CHECK(ix.today().resolved_today == 7);

  Pool pool;
  // A resolved conversation, resolved today, loaded on demand: in the base already.
  Conversation r = conv("c_old", Status::resolved);
  r.resolved_at = kDay + 100;
  ConvState& cs = pool.make(r);
  ix.attach(cs);
  CHECK(ix.by_status(Status::resolved) == 20);
  CHECK(ix.today().resolved_today == 7);
  // Evicted again: still counted.
  ix.detach(cs);
  CHECK(ix.by_status(Status::resolved) == 20);
  CHECK(ix.today().resolved_today == 7);
  // Loaded again and reopened by the customer: one resolved (and its "today") moves to bot.
  ix.attach(cs);
  Conversation reopened = cs.committed;
  reopened.status = Status::bot;
  reopened.resolved_at = 0;
  ix.update(cs, reopened);
  CHECK(ix.by_status(Status::resolved) == 19);
  CHECK(ix.by_status(Status::bot) == 6);
  CHECK(ix.today().resolved_today == 6);

  // A brand-new conversation (counted=false) adds one; the same again (counted=true) moves only.
  ConvState& fresh = pool.make(conv("c_new", Status::bot));
  Conversation first = fresh.committed;
  fresh.committed.head_seq = 0;
  ix.update(fresh, first, /*counted=*/false);
  CHECK(ix.by_status(Status::bot) == 7);
  Conversation second = first;
  second.head_seq = 4;
  ix.update(fresh, second);
  CHECK(ix.by_status(Status::bot) == 7);

  // A new base (the day changed) replaces the counts, not the lists.
  InboxBase tomorrow;
  tomorrow.by_status[static_cast<int>(Status::bot)] = 7;
  ix.set_base(tomorrow, kDayEnd, kDayEnd + 86'400'000);
  CHECK(ix.today().resolved_today == 0);
  CHECK(ix.by_status(Status::resolved) == 0);
  CHECK(ix.day_start() == kDayEnd);
}

TEST_CASE("inbox index: a conversation not committed yet (head_seq 0) is neither listed nor counted") {
  TenantInbox ix;
  ix.set_base(InboxBase{}, kDay, kDayEnd);
  Pool pool;
  Conversation c = conv("c0", Status::pending, kDay + 1);
  c.head_seq = 0;
  ConvState& cs = pool.make(c);
  ix.attach(cs);
  CHECK(ix.queue().empty());
  ix.detach(cs);
  CHECK(ix.by_status(Status::pending) == 0);
}

TEST_CASE("inbox index: paging the queue by offset and by cursor") {
  TenantInbox ix;
  ix.set_base(InboxBase{}, kDay, kDayEnd);
  Pool pool;
  for (int i = 0; i < 7; ++i) {
    Conversation c = conv("c" + std::to_string(i), Status::pending, kDay + 100 * (i + 1));
    ConvState& cs = pool.make(c);
    ix.attach(cs);
  }
  InboxList req;
  req.list = InboxListName::queue;
  req.limit = 3;
  TenantInbox::Page p1 = ix.page(req, "u_any");
  CHECK(ids(p1) == std::vector<std::string>{"c0", "c1", "c2"});
  CHECK(p1.total == 7);
  CHECK(p1.offset == 0);

  // The cursor of the last item: the next page starts right after it.
  const Conversation& last = p1.items.back()->committed;
  req.after = ListCursor{last.id, last.priority, last.handed_off_at, last.updated_at};
  TenantInbox::Page p2 = ix.page(req, "u_any");
  CHECK(ids(p2) == std::vector<std::string>{"c3", "c4", "c5"});
  CHECK(p2.offset == 3);

  // The cursor holds even when an item before it leaves the queue meanwhile.
  ConvState& c0 = *pool.all[0];
  Conversation accepted = c0.committed;
  accepted.status = Status::active;
  accepted.assignee_id = "u_ann";
  ix.update(c0, accepted);
  TenantInbox::Page p2b = ix.page(req, "u_any");
  CHECK(ids(p2b) == std::vector<std::string>{"c3", "c4", "c5"});
  CHECK(p2b.total == 6);

  const Conversation& l2 = p2.items.back()->committed;
  req.after = ListCursor{l2.id, l2.priority, l2.handed_off_at, l2.updated_at};
  TenantInbox::Page p3 = ix.page(req, "u_any");
  CHECK(ids(p3) == std::vector<std::string>{"c6"});

  // Offset paging (no cursor), past the end.
  InboxList by_offset;
  by_offset.list = InboxListName::queue;
  by_offset.limit = 4;
  by_offset.offset = 4;
  TenantInbox::Page po = ix.page(by_offset, "u_any");
  CHECK(ids(po) == std::vector<std::string>{"c5", "c6"});
  by_offset.offset = 100;
  CHECK(ix.page(by_offset, "u_any").items.empty());

  // mine pages for the asking agent only; recent is not served here.
  InboxList mine;
  mine.list = InboxListName::mine;
  CHECK(ids(ix.page(mine, "u_ann")) == std::vector<std::string>{"c0"});
  CHECK(ix.page(mine, "u_bob").items.empty());
  InboxList recent;
  recent.list = InboxListName::recent;
  CHECK(ix.page(recent, "u_ann").items.empty());
}
