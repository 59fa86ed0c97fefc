// tests/unit_store/test_store_api.cpp: the store interface (relay/src/domain/store_api.hpp) over
// SQLite (relay/src/store/sqlite_store.hpp): typed mutations, one savepoint per write() vector,
// duplicates reported distinctly, and the reads added with the interface (repo_queries.hpp).
#include <doctest/doctest.h>

#include <condition_variable>
#include <future>
#include <mutex>

#include "domain/store_api.hpp"
#include "helpers.hpp"
#include "parley/queue.hpp"
#include "store/sqlite_store.hpp"

using namespace parley;
using namespace parley::relay;
using namespace parley::relay::test;

namespace {

std::optional<Error> write_sync(DataStore& store, std::vector<Mutation> ops) {
  std::promise<std::optional<Error>> p;
  auto f = p.get_future();
  store.write(std::move(ops), [&p](const std::optional<Error>& e) { p.set_value(e); });
  return f.get();
}

std::optional<Error> write_one(DataStore& store, Mutation op) {
  std::vector<Mutation> ops;
  ops.push_back(std::move(op));
  return write_sync(store, std::move(ops));
}

Contact contact(const std::string& id, const std::string& tenant = kDefaultTenantId) {
  Contact k;
  k.id = id;
  k.tenant_id = tenant;
  k.name = "Name of " + id;
  k.created_at = 1;
  return k;
}

User user(const std::string& id, const std::string& username) {
  User u;
  u.id = id;
  u.tenant_id = kDefaultTenantId;
  u.username = username;
  u.display_name = username;
  u.password_hash = "hash";
  u.created_at = 1;
  return u;
}


// A conversation with explicit fields for the query fixtures.
Conversation conv(const std::string& id, const std::string& tenant, Status status, Millis updated,
                  const std::string& assignee = {}) {
  Conversation c = make_conversation(id, tenant, updated);
  c.status = status;
  c.assignee_id = assignee;
  c.head_seq = 1;
  return c;
}

std::unique_ptr<StoreReader> open_reader(DataStore& store) {
  auto r = store.open_reader();
  if (!r) FAIL("open_reader: " << r.error().message);
  return std::move(r).value();
}

}  // namespace

TEST_CASE("store api: duplicate_error and is_duplicate") {
  const Error d = duplicate_error("client_msg_id", "detail");
  CHECK(is_duplicate(d));
  CHECK(is_duplicate(d, "client_msg_id"));
  CHECK_FALSE(is_duplicate(d, "username"));
  CHECK(d.field == "client_msg_id");
  CHECK_FALSE(is_duplicate(make_error(ErrorCode::bad_field, "issue_types has a duplicate: x", "issue_types")));
  CHECK_FALSE(is_duplicate(make_error(ErrorCode::internal, "duplicate x")));
  CHECK(mutation_name(Mutation{AppendEvent{}}) == "AppendEvent");
  CHECK(mutation_name(Mutation{DeleteUserSessions{}}) == "DeleteUserSessions");
}

TEST_CASE("store api: a write() vector is one savepoint; the others of the batch commit") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  const StoreStats before = ds.stats();

  WriterGate gate;
  gate.block(*store);  // the next three writes queue up behind it and commit together
  std::promise<std::optional<Error>> pa, pb, pc;
  {
    std::vector<Mutation> a;
    a.push_back(InsertContact{contact("k_a")});
    a.push_back(InsertVisitor{Visitor{"vh_a", kDefaultTenantId, "k_a", 1}});
    ds.write(std::move(a), [&](const std::optional<Error>& e) { pa.set_value(e); });
  }
  {
    std::vector<Mutation> b;
    b.push_back(InsertContact{contact("k_b")});
    b.push_back(InsertVisitor{Visitor{"vh_b", kDefaultTenantId, "k_b", 1}});
    b.push_back(InsertContact{contact("k_a")});  // clashes with vector a: the whole of b goes
    ds.write(std::move(b), [&](const std::optional<Error>& e) { pb.set_value(e); });
  }
  ds.write(InsertContact{contact("k_c")}, [&](const std::optional<Error>& e) { pc.set_value(e); });
  gate.release();

  const auto ea = pa.get_future().get();
  const auto eb = pb.get_future().get();
  const auto ec = pc.get_future().get();
  CHECK_FALSE(ea.has_value());
  REQUIRE(eb.has_value());
  CHECK(is_duplicate(*eb, "id"));
  CHECK_FALSE(ec.has_value());

  const StoreStats after = ds.stats();
  CHECK(after.commits - before.commits == 2);  // the gate's batch, then a, b and c together
  CHECK(after.ops - before.ops == 4);
  CHECK(after.failed_ops - before.failed_ops == 1);

  auto r = open_reader(ds);
  CHECK(r->find_contact(kDefaultTenantId, "k_a")->has_value());
  CHECK(r->find_visitor("vh_a")->has_value());
  CHECK_FALSE(r->find_contact(kDefaultTenantId, "k_b")->has_value());  // rolled back with b
  CHECK_FALSE(r->find_visitor("vh_b")->has_value());
  CHECK(r->find_contact(kDefaultTenantId, "k_c")->has_value());
}

TEST_CASE("store api: a failed message leaves no search-index entry behind") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  std::vector<Mutation> ok;
  ok.push_back(UpsertConversation{conv("c1", kDefaultTenantId, Status::bot, 10)});
  ok.push_back(AppendEvent{kDefaultTenantId, message_event("c1", 1, "findable apple", "m1")});
  REQUIRE_FALSE(write_sync(ds, std::move(ok)));
  std::vector<Mutation> bad;
  bad.push_back(AppendEvent{kDefaultTenantId, message_event("c1", 2, "orphan banana", "m2")});
  bad.push_back(AppendEvent{kDefaultTenantId, message_event("c1", 2, "same seq", "m3")});  // duplicate seq
  auto e = write_sync(ds, std::move(bad));
  REQUIRE(e);
  CHECK(is_duplicate(*e, "seq"));
  auto db = reader(*store);
  CHECK(count_rows(*db, "SELECT COUNT(*) FROM messages") == 1);
  CHECK(count_rows(*db, "SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH 'banana'") == 0);
  CHECK(count_rows(*db, "SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH 'apple'") == 1);
}

TEST_CASE("store api: duplicates are reported distinctly from other failures") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);

  std::vector<Mutation> first;
  first.push_back(UpsertConversation{conv("c1", kDefaultTenantId, Status::bot, 10)});
  first.push_back(AppendEvent{kDefaultTenantId, message_event("c1", 1, "hello", "cm-1")});
  REQUIRE_FALSE(write_sync(ds, std::move(first)));

  SUBCASE("a client_msg_id used again in the conversation") {
    auto e = write_one(ds, AppendEvent{kDefaultTenantId, message_event("c1", 2, "hello again", "cm-1")});
    REQUIRE(e);
    CHECK(e->code == ErrorCode::bad_field);
    CHECK(is_duplicate(*e, "client_msg_id"));
    CHECK_FALSE(is_duplicate(*e, "seq"));
    auto db = reader(*store);
    CHECK(count_rows(*db, "SELECT COUNT(*) FROM events WHERE conversation_id = 'c1'") == 1);
  }
  SUBCASE("a seq stored twice") {
    auto e = write_one(ds, AppendEvent{kDefaultTenantId, message_event("c1", 1, "other", "cm-2")});
    REQUIRE(e);
    CHECK(is_duplicate(*e, "seq"));
  }
  SUBCASE("a username taken") {
    REQUIRE_FALSE(write_one(ds, InsertUser{user("u_1", "alice")}));
    auto e = write_one(ds, InsertUser{user("u_2", "alice")});
    REQUIRE(e);
    CHECK(is_duplicate(*e, "username"));
  }
  SUBCASE("other failures are not duplicates") {
    auto e = write_one(ds, UpdateContact{contact("k_missing")});
    REQUIRE(e);
    CHECK(e->code == ErrorCode::not_found);
    CHECK_FALSE(is_duplicate(*e));
    // A chat.new_message event without its message: malformed, not a duplicate.
    Event bad = plain_event("c1", 2, ev::new_message);
    e = write_one(ds, AppendEvent{kDefaultTenantId, bad});
    REQUIRE(e);
    CHECK_FALSE(is_duplicate(*e));
    // An id of another tenant: internal.
    e = write_one(ds, UpsertConversation{conv("c1", "t_other", Status::bot, 10)});
    REQUIRE(e);
    CHECK(e->code == ErrorCode::internal);
    CHECK_FALSE(is_duplicate(*e));
  }
}

TEST_CASE("store api: a chained upsert commits only on top of the head it expects") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  // No row yet: only an expectation of 0 holds.
  Conversation c = conv("c1", kDefaultTenantId, Status::bot, 10);
  auto e = write_one(ds, UpsertConversation{c, Seq{3}});
  REQUIRE(e.has_value());
  CHECK(is_stale(*e));
  CHECK_FALSE(is_duplicate(*e));
  std::vector<Mutation> first;
  first.push_back(UpsertConversation{c, Seq{0}});
  first.push_back(AppendEvent{kDefaultTenantId, message_event("c1", 1, "hello", "cm-1")});
  REQUIRE_FALSE(write_sync(ds, std::move(first)));
  // Stored head is 1: a write expecting 2 (built on a write that never committed) is refused
  // whole, its events included.
  Conversation next = c;
  next.head_seq = 3;
  std::vector<Mutation> chained;
  chained.push_back(UpsertConversation{next, Seq{2}});
  chained.push_back(AppendEvent{kDefaultTenantId, message_event("c1", 3, "built on nothing", "cm-3")});
  e = write_sync(ds, std::move(chained));
  REQUIRE(e.has_value());
  CHECK(is_stale(*e));
  auto r = ds.open_reader();
  REQUIRE(r.ok());
  CHECK((*(*r)->find_conversation(kDefaultTenantId, "c1"))->head_seq == 1);
  CHECK_FALSE((*r)->find_message_by_client_msg_id(kDefaultTenantId, "cm-3")->has_value());
  // Expecting the stored head works.
  next.head_seq = 2;
  std::vector<Mutation> ok;
  ok.push_back(UpsertConversation{next, Seq{1}});
  ok.push_back(AppendEvent{kDefaultTenantId, message_event("c1", 2, "on top", "cm-2")});
  CHECK_FALSE(write_sync(ds, std::move(ok)));
}

TEST_CASE("store api: a message's narrow advance writes the head and its timestamps, with the same precondition") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  Conversation c = conv("c1", kDefaultTenantId, Status::active, 10);
  c.head_seq = 0;
  c.assignee_id = "u_1";
  c.topic = "Billing";
  // No row: nothing to advance (an internal error, nothing stored).
  Conversation next = c;
  next.head_seq = 1;
  auto e = write_one(ds, advance_of(next, std::nullopt));
  REQUIRE(e.has_value());
  CHECK_FALSE(is_stale(*e));
  REQUIRE_FALSE(write_one(ds, UpsertConversation{c, Seq{0}}));

  next.head_seq = 1;
  next.updated_at = 99;
  next.first_agent_response_at = 77;
  next.unanswered_turns = 2;
  CHECK(only_advances(c, next));
  std::vector<Mutation> ok;
  ok.push_back(advance_of(next, Seq{0}));
  ok.push_back(AppendEvent{kDefaultTenantId, message_event("c1", 1, "hello", "cm-1")});
  const auto err = write_sync(ds, std::move(ok));
  REQUIRE_MESSAGE(!err, (err ? err->message : ""));
  auto r = ds.open_reader();
  REQUIRE(r.ok());
  const Conversation stored = **(*r)->find_conversation(kDefaultTenantId, "c1");
  CHECK(stored.head_seq == 1);
  CHECK(stored.updated_at == 99);
  CHECK(stored.first_agent_response_at == 77);
  CHECK(stored.unanswered_turns == 2);
  CHECK(stored.topic == "Billing");  // untouched columns stay
  CHECK(stored.assignee_id == "u_1");

  // Built on a head that is not stored: refused whole, its event too.
  next.head_seq = 4;
  std::vector<Mutation> stale;
  stale.push_back(advance_of(next, Seq{3}));
  stale.push_back(AppendEvent{kDefaultTenantId, message_event("c1", 4, "built on nothing", "cm-4")});
  e = write_sync(ds, std::move(stale));
  REQUIRE(e.has_value());
  CHECK(is_stale(*e));
  CHECK((*(*r)->find_conversation(kDefaultTenantId, "c1"))->head_seq == 1);
  CHECK_FALSE((*r)->find_message_by_client_msg_id(kDefaultTenantId, "cm-4")->has_value());

  // Anything else that changes (status, assignee, topic...) is not an advance.
  Conversation moved = next;
  moved.status = Status::resolved;
  CHECK_FALSE(only_advances(c, moved));
  moved = next;
  moved.priority = Priority::urgent;
  CHECK_FALSE(only_advances(c, moved));
}

TEST_CASE("store api: staff mutations (disable, sessions but one, password)") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  REQUIRE_FALSE(write_one(ds, InsertUser{user("u_1", "alice")}));
  std::vector<Mutation> sessions;
  for (const char* h : {"s1", "s2", "s3"}) sessions.push_back(InsertSession{Session{h, "u_1", 1, 100}});
  REQUIRE_FALSE(write_sync(ds, std::move(sessions)));

  REQUIRE_FALSE(write_one(ds, DeleteUserSessions{"u_1", "s2"}));
  auto r = open_reader(ds);
  CHECK_FALSE(r->find_session("s1")->has_value());
  CHECK(r->find_session("s2")->has_value());
  CHECK_FALSE(r->find_session("s3")->has_value());
  REQUIRE_FALSE(write_one(ds, DeleteUserSessions{"u_1", ""}));
  CHECK_FALSE(r->find_session("s2")->has_value());

  REQUIRE_FALSE(write_one(ds, SetUserDisabled{"u_1", true}));
  CHECK(r->find_user("u_1")->value().disabled);
  REQUIRE_FALSE(write_one(ds, SetUserDisabled{"u_1", false}));
  CHECK_FALSE(r->find_user("u_1")->value().disabled);
  auto e = write_one(ds, SetUserDisabled{"u_nobody", true});
  REQUIRE(e);
  CHECK(e->code == ErrorCode::not_found);

  REQUIRE_FALSE(write_one(ds, SetPasswordHash{"u_1", "new-hash"}));
  CHECK(r->find_user_by_username("alice")->value().password_hash == "new-hash");

  // Tenant settings and the knowledge base through the interface.
  TenantSettings s;
  s.title = "Changed";
  REQUIRE_FALSE(write_one(ds, SaveTenantSettings{kDefaultTenantId, s}));
  CHECK(r->find_tenant(kDefaultTenantId)->value().settings.title == "Changed");
  KbArticle a;
  a.id = "a1";
  a.title = "Refunds";
  a.body = "Body";
  REQUIRE_FALSE(write_one(ds, ReplaceKb{kDefaultTenantId, {a}}));
  REQUIRE(r->load_kb(kDefaultTenantId)->size() == 1);
}

TEST_CASE("store api: conversation reads (open, counts, today, recent pages)") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  Tenant other;
  other.id = "t_b";
  other.slug = "b";
  other.name = "B";
  REQUIRE_FALSE(write_one(ds, InsertTenant{other, 5}));

  const Millis day = 1'000'000;
  std::vector<Mutation> ops;
  // Default tenant. updated_at ties on 500 (c2, c3) test the id tie-break.
  Conversation c1 = conv("c1", kDefaultTenantId, Status::bot, 100);
  Conversation c2 = conv("c2", kDefaultTenantId, Status::active, 500, "u_1");
  c2.handed_off_at = day + 1000;
  c2.assigned_at = day + 4000;                // waited 3000 today
  c2.first_agent_response_at = day + 5000;    // first response after 4000
  Conversation c3 = conv("c3", kDefaultTenantId, Status::resolved, 500, "u_1");
  c3.resolved_at = day + 10;                  // resolved today
  c3.handed_off_at = day - 9000;
  c3.assigned_at = day - 8000;                // yesterday: not today's wait
  c3.first_agent_response_at = day + 1000;    // today: first response after 10000
  Conversation c4 = conv("c4", kDefaultTenantId, Status::resolved, 300);
  c4.resolved_at = day - 1;                   // yesterday
  Conversation c5 = conv("c5", kDefaultTenantId, Status::pending, 900);
  c5.handed_off_at = day + 50;
  Conversation c6 = conv("c6", kDefaultTenantId, Status::active, 700, "u_2");
  c6.handed_off_at = day + 100;
  c6.assigned_at = day + 50;                  // assigned before the hand-off: not counted
  // Tenant b.
  Conversation b1 = conv("b1", "t_b", Status::pending, 800);
  Conversation b2 = conv("b2", "t_b", Status::resolved, 800);
  for (const Conversation& c : {c1, c2, c3, c4, c5, c6, b1, b2}) ops.push_back(UpsertConversation{c});
  REQUIRE_FALSE(write_sync(ds, std::move(ops)));
  auto r = open_reader(ds);

  SUBCASE("load_open_conversations: every tenant, never resolved") {
    auto open = r->load_open_conversations();
    REQUIRE(open);
    std::vector<std::string> ids;
    for (const Conversation& c : *open) ids.push_back(c.id);
    CHECK(ids == std::vector<std::string>{"b1", "c1", "c2", "c6", "c5"});  // tenant, created_at, id
    for (const Conversation& c : *open) CHECK(c.status != Status::resolved);
  }
  SUBCASE("contact_conversations: newest first, limited, one tenant") {
    auto mine = r->contact_conversations(kDefaultTenantId, "c_1", 3);
    REQUIRE(mine);
    REQUIRE(mine->size() == 3);
    CHECK((*mine)[0].id == "c5");  // created 900
    CHECK((*mine)[1].id == "c6");  // 700
    CHECK((*mine)[2].id == "c3");  // 500, c3 > c2
    CHECK(r->contact_conversations(kDefaultTenantId, "c_nobody", 10)->empty());
    CHECK(r->contact_conversations("t_b", "c_1", 10)->size() == 2);
  }
  SUBCASE("status_counts") {
    auto n = r->status_counts(kDefaultTenantId);
    REQUIRE(n);
    CHECK(n->bot == 1);
    CHECK(n->pending == 1);
    CHECK(n->active == 2);
    CHECK(n->resolved == 2);
    CHECK(n->of(Status::active) == 2);
    auto nb = r->status_counts("t_b");
    CHECK(nb->pending == 1);
    CHECK(nb->resolved == 1);
    CHECK(nb->bot == 0);
    CHECK(r->status_counts("t_none")->resolved == 0);
  }
  SUBCASE("day_sums: the hub's today rule over all conversations") {
    auto d = r->day_sums(kDefaultTenantId, day);
    REQUIRE(d);
    CHECK(d->resolved_today == 1);  // c3 (c4 was yesterday)
    CHECK(d->wait_n == 1);          // c2 (c3 assigned yesterday, c6 before its hand-off)
    CHECK(d->wait_sum_ms == 3000);
    CHECK(d->first_response_n == 2);  // c2 4000, c3 10000
    CHECK(d->first_response_sum_ms == 14000);
    auto none = r->day_sums("t_b", day);
    CHECK(none->resolved_today == 0);
    CHECK(none->wait_sum_ms == 0);
  }
  SUBCASE("recent_page: updated_at DESC then id ASC, keyset-paged, with the total") {
    RecentQuery q;
    q.limit = 2;
    auto p1 = r->recent_page(kDefaultTenantId, q);
    REQUIRE(p1);
    CHECK(p1->total == 6);
    REQUIRE(p1->conversations.size() == 2);
    CHECK(p1->conversations[0].id == "c5");  // 900
    CHECK(p1->conversations[1].id == "c6");  // 700
    q.after = RecentCursor{p1->conversations[1].updated_at, p1->conversations[1].id};
    auto p2 = r->recent_page(kDefaultTenantId, q);
    REQUIRE(p2->conversations.size() == 2);
    CHECK(p2->conversations[0].id == "c2");  // 500, c2 < c3
    CHECK(p2->conversations[1].id == "c3");
    q.after = RecentCursor{500, "c2"};  // a cursor inside a tie
    auto p3 = r->recent_page(kDefaultTenantId, q);
    REQUIRE(p3->conversations.size() == 2);
    CHECK(p3->conversations[0].id == "c3");
    CHECK(p3->conversations[1].id == "c4");
    q.after = RecentCursor{100, "c1"};
    CHECK(r->recent_page(kDefaultTenantId, q)->conversations.empty());
    // The order is the shared rule's (parley::recent_before).
    CHECK(recent_before(p2->conversations[0], p2->conversations[1]));
  }
  SUBCASE("recent_page: assignee and status filters") {
    RecentQuery q;
    q.assignee_id = "u_1";
    auto all_mine = r->recent_page(kDefaultTenantId, q);
    REQUIRE(all_mine);
    CHECK(all_mine->total == 2);
    REQUIRE(all_mine->conversations.size() == 2);
    q.status = Status::active;
    auto active_mine = r->recent_page(kDefaultTenantId, q);
    CHECK(active_mine->total == 1);
    REQUIRE(active_mine->conversations.size() == 1);
    CHECK(active_mine->conversations[0].id == "c2");
    RecentQuery pending;
    pending.status = Status::pending;
    CHECK(r->recent_page("t_b", pending)->total == 1);
  }
}

TEST_CASE("store api: message reads (idempotency, previews, pages)") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  std::vector<Mutation> ops;
  ops.push_back(UpsertConversation{conv("c1", kDefaultTenantId, Status::active, 10)});
  ops.push_back(UpsertConversation{conv("c2", kDefaultTenantId, Status::bot, 10)});
  ops.push_back(UpsertConversation{conv("x1", "t_x", Status::bot, 10)});
  const std::string t = kDefaultTenantId;
  ops.push_back(AppendEvent{t, message_event("c1", 1, "first question", "m-1")});
  ops.push_back(AppendEvent{t, message_event("c1", 2, "bot answer", "", Role::bot)});
  ops.push_back(AppendEvent{t, message_event("c1", 3, "second question", "m-2")});
  ops.push_back(AppendEvent{t, plain_event("c1", 4, "chat.status")});
  ops.push_back(AppendEvent{t, message_event("c1", 5, "third question", "m-3")});
  ops.push_back(AppendEvent{t, message_event("c1", 6, "agent reply", "a-1", Role::agent)});
  ops.push_back(AppendEvent{t, message_event("c1", 7, "staff note", "a-2", Role::agent, MessageKind::note,
                                              Audience::staff)});
  ops.push_back(AppendEvent{t, message_event("c2", 1, "other chat", "m-9")});
  ops.push_back(AppendEvent{"t_x", message_event("x1", 1, "other tenant", "m-x")});
  REQUIRE_FALSE(write_sync(ds, std::move(ops)));
  auto r = open_reader(ds);

  SUBCASE("find_message_by_client_msg_id: the tenant's whole history, never another tenant's") {
    auto hit = r->find_message_by_client_msg_id(t, "m-2");
    REQUIRE(hit);
    REQUIRE(hit->has_value());
    CHECK((*hit)->conversation_id == "c1");
    CHECK((*hit)->seq == 3);
    CHECK((*r->find_message_by_client_msg_id(t, "m-9"))->conversation_id == "c2");
    CHECK_FALSE(r->find_message_by_client_msg_id(t, "m-x")->has_value());
    CHECK(r->find_message_by_client_msg_id("t_x", "m-x")->has_value());
    CHECK_FALSE(r->find_message_by_client_msg_id(t, "")->has_value());
    CHECK_FALSE(r->find_message_by_client_msg_id(t, "nope")->has_value());
  }
  SUBCASE("recent_client_msg_ids: the last n by seq, newest first") {
    auto ids = r->recent_client_msg_ids(t, "c1", 3);
    REQUIRE(ids);
    REQUIRE(ids->size() == 3);
    CHECK((*ids)[0] == std::pair<std::string, Seq>{"a-2", 7});
    CHECK((*ids)[1] == std::pair<std::string, Seq>{"a-1", 6});
    CHECK((*ids)[2] == std::pair<std::string, Seq>{"m-3", 5});
    CHECK(r->recent_client_msg_ids(t, "c1", 100)->size() == 5);  // the bot message has none
    CHECK(r->recent_client_msg_ids("t_x", "c1", 100)->empty());
  }
  SUBCASE("last_customer_messages: oldest first") {
    auto last = r->last_customer_messages(t, "c1", 2);
    REQUIRE(last);
    CHECK(*last == std::vector<std::string>{"second question", "third question"});
    CHECK(r->last_customer_messages(t, "c1", 10)->size() == 3);
    CHECK(r->last_customer_messages(t, "nope", 10)->empty());
  }
  SUBCASE("conversation_preview") {
    auto p = r->conversation_preview(t, "c1");
    REQUIRE(p);
    CHECK(p->last_customer_text == "third question");
    CHECK(p->last_customer_seq == 5);
    CHECK(p->last_visible_text == "agent reply");  // the note is staff-only
    auto none = r->conversation_preview(t, "nope");
    REQUIRE(none);
    CHECK(none->last_customer_seq == 0);
    CHECK(none->last_visible_text.empty());
  }
  SUBCASE("messages_page: after_seq, limit, more, audience") {
    auto p = r->messages_page(t, "c1", 0, 2, /*staff=*/true);
    REQUIRE(p);
    REQUIRE(p->messages.size() == 2);
    CHECK(p->messages[0].seq == 1);
    CHECK(p->messages[1].seq == 2);
    CHECK(p->more);
    auto rest = r->messages_page(t, "c1", 2, 10, true);
    REQUIRE(rest->messages.size() == 4);  // 3, 5, 6, 7 (4 is not a message)
    CHECK(rest->messages[0].seq == 3);
    CHECK(rest->messages[0].client_msg_id == "m-2");
    CHECK(rest->messages[3].kind == MessageKind::note);
    CHECK_FALSE(rest->more);
    auto exact = r->messages_page(t, "c1", 2, 4, true);
    CHECK(exact->messages.size() == 4);
    CHECK_FALSE(exact->more);
    auto customer = r->messages_page(t, "c1", 5, 10, /*staff=*/false);
    REQUIRE(customer->messages.size() == 1);
    CHECK(customer->messages[0].text == "agent reply");
    CHECK(r->messages_page("t_x", "c1", 0, 10, true)->messages.empty());
    CHECK(r->messages_page(t, "c1", 0, 0, true)->more);
  }
}

TEST_CASE("store api: API keys, settings patches and the change log through the interface") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  auto r = open_reader(ds);
  auto v0 = r->data_version();
  REQUIRE(v0);

  ApiKey k;
  k.id = "key_1";
  k.tenant_id = kDefaultTenantId;
  k.name = "mirror";
  k.scopes = ApiScopes{ApiScopes::sync};
  k.created_at = 10;
  REQUIRE_FALSE(write_one(ds, InsertApiKey{k, "hash-1"}));
  auto again = write_one(ds, InsertApiKey{k, "hash-2"});  // same id
  REQUIRE(again);
  CHECK(is_duplicate(*again, "id"));
  auto v1 = r->data_version();
  REQUIRE(v1);
  CHECK(*v1 != *v0);  // the writer is another connection than the reader's

  auto found = r->find_api_key_by_hash("hash-1");
  REQUIRE(found);
  REQUIRE(found->has_value());
  CHECK((*found)->scopes == ApiScopes{ApiScopes::sync});
  REQUIRE_FALSE(write_one(ds, TouchApiKey{"key_1", 50}));
  CHECK((*r->find_api_key_by_hash("hash-1"))->last_used_at == 50);
  REQUIRE_FALSE(write_one(ds, RevokeApiKey{kDefaultTenantId, "key_1", 60}));
  CHECK((*r->find_api_key_by_hash("hash-1"))->revoked());
  CHECK(r->list_api_keys(kDefaultTenantId)->size() == 1);
  auto missing = write_one(ds, RevokeApiKey{kDefaultTenantId, "key_nope", 60});
  REQUIRE(missing);
  CHECK(missing->code == ErrorCode::not_found);

  REQUIRE_FALSE(write_one(ds, PatchTenantSettings{kDefaultTenantId, Json{{"title", "Patched"}}}));
  CHECK(r->find_tenant(kDefaultTenantId)->value().settings.title == "Patched");
  auto bad = write_one(ds, PatchTenantSettings{kDefaultTenantId, Json{{"nope", 1}}});
  REQUIRE(bad);
  CHECK(bad->code == ErrorCode::bad_field);
  CHECK_FALSE(is_duplicate(*bad));

  auto last = r->last_change_id();
  REQUIRE(last);
  auto changes = r->changes_after(0, 100);
  REQUIRE(changes);
  CHECK(static_cast<std::int64_t>(changes->size()) <= *last);
}
