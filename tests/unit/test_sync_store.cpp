// parley/sync_store.hpp: cursors and heads across audience gaps, duplicates, summaries, outbox.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "parley/conversation.hpp"
#include "parley/sync_store.hpp"
#include "test_support.hpp"

using namespace parley;
using parley::test::value_of;

namespace {

const Actor kCustomer{Role::customer, "k_1", "Ada"};
const Actor kAgent{Role::agent, "u_1", "Sam"};
const Actor kBot{Role::bot, "bot", "Parley Assistant"};

Event event(Seq seq, std::string_view type = "chat.priority_changed", Json data = Json::object()) {
  Event e;
  e.conversation_id = "c_1";
  e.seq = seq;
  e.type = std::string(type);
  e.at = 1000 + static_cast<Millis>(seq);
  e.data = std::move(data);
  return e;
}

Event message_event(Seq seq, const std::string& client_msg_id, const std::string& text) {
  Message m;
  m.conversation_id = "c_1";
  m.seq = seq;
  m.client_msg_id = client_msg_id;
  m.sender_role = Role::customer;
  m.sender_id = "k_1";
  m.text = text;
  m.at = 1000 + static_cast<Millis>(seq);
  return event(seq, ev::new_message, Json{{"message", to_json(m)}});
}

OutboxEntry outgoing(std::string client_msg_id, Millis queued_at, std::string conversation_id = "c_1") {
  OutboxEntry entry;
  entry.client_msg_id = std::move(client_msg_id);
  entry.conversation_id = std::move(conversation_id);
  entry.text = "hello";
  entry.queued_at = queued_at;
  return entry;
}

std::vector<std::string> ids_of(const std::vector<OutboxEntry>& entries) {
  std::vector<std::string> ids;
  for (const OutboxEntry& e : entries) ids.push_back(e.client_msg_id);
  return ids;
}

// Applies every event of `t` a customer may see.
void apply_as_customer(SyncStore& store, const Transition& t) {
  for (const Event& e : t.events) {
    if (visible_to_customer(e)) store.apply(e);
  }
}

}  // namespace

// ---- cursor, head, duplicates ------------------------------------------------------------------

TEST_CASE("numbers a client never sees are invisible, not missing") {
  SyncStore store;
  CHECK(store.apply(event(1)) == SyncStore::Applied::added);
  CHECK(store.apply(event(2)) == SyncStore::Applied::added);
  CHECK(store.apply(event(4)) == SyncStore::Applied::added);  // 3 was staff-only
  store.set_head("c_1", 4);
  const ConversationView* view = store.find("c_1");
  REQUIRE(view != nullptr);
  CHECK(view->events.size() == 3);
  CHECK(view->cursor == 4);
  CHECK(store.resume_from("c_1") == 4);
}

TEST_CASE("the head covers staff-only events at the end") {
  SyncStore store;
  store.apply(event(1));
  store.apply(event(2));
  store.set_head("c_1", 4);  // 3 and 4 were staff-only
  CHECK(store.find("c_1")->cursor == 2);
  CHECK(store.resume_from("c_1") == 4);
}

TEST_CASE("resume_from is max(cursor, head), 0 when unknown") {
  SyncStore store;
  CHECK(store.resume_from("c_1") == 0);
  store.apply(event(5));
  store.set_head("c_1", 3);
  CHECK(store.resume_from("c_1") == 5);
  store.set_head("c_1", 8);
  CHECK(store.resume_from("c_1") == 8);
}

TEST_CASE("events at or below the cursor are duplicates and change nothing") {
  SyncStore store;
  store.apply(event(1));
  store.apply(message_event(2, "m_1", "hi"));
  const std::size_t version = store.version();
  CHECK(store.apply(message_event(2, "m_1", "hi")) == SyncStore::Applied::duplicate);
  CHECK(store.apply(event(1)) == SyncStore::Applied::duplicate);
  CHECK(store.version() == version);
  CHECK(store.find("c_1")->messages.size() == 1);
  CHECK(store.find("c_1")->events.size() == 2);
}

TEST_CASE("ephemeral events are not recorded; typing shows") {
  SyncStore store;
  store.apply(event(1));
  CHECK(store.apply(event(0, ev::typing, Json{{"typing", true}})) == SyncStore::Applied::ephemeral);
  CHECK(store.find("c_1")->typing);
  store.apply(event(0, ev::typing, Json{{"typing", false}}));
  CHECK_FALSE(store.find("c_1")->typing);
  CHECK(store.find("c_1")->events.size() == 1);
  CHECK(store.find("c_1")->cursor == 1);
}

// ---- summaries -----------------------------------------------------------------------------------

TEST_CASE("the summary follows the conversation's events") {
  SyncStore store;
  Conversation blank;
  blank.id = "c_1";
  const Transition started = start_conversation(blank, kCustomer, 1000, ConversationPolicy{});
  apply_as_customer(store, started);
  CHECK(store.find("c_1")->summary.status == Status::bot);
  CHECK(store.find("c_1")->summary.created_at == 1000);

  const Transition queued = value_of(hand_off(started.next, kBot, "customer_asked", "summary", 2000));
  apply_as_customer(store, queued);
  CHECK(store.find("c_1")->summary.status == Status::pending);
  CHECK(store.find("c_1")->summary.handoff_summary.empty());  // staff-only, never seen by a customer

  const Transition accepted = value_of(accept(queued.next, kAgent, 3000));
  apply_as_customer(store, accepted);
  CHECK(store.find("c_1")->summary.status == Status::active);
  CHECK(store.find("c_1")->summary.assignee_name == "Sam");

  const Transition resolved = value_of(resolve(accepted.next, kAgent, false, "done", "billing", 4000));
  apply_as_customer(store, resolved);
  const Conversation& closed = store.find("c_1")->summary;
  CHECK(closed.status == Status::resolved);
  CHECK(closed.ending == Ending::resolved_by_staff);
  CHECK(closed.previous_agent_id == "u_1");
  CHECK(closed.assignee_id.empty());
  CHECK(closed.resolution.empty());  // the note is staff-only

  Message again;
  again.text = "one more thing";
  const Transition reopened =
      value_of(post_message(resolved.next, kCustomer, again, 5000, ConversationPolicy{}));
  apply_as_customer(store, reopened);
  CHECK(store.find("c_1")->summary.status == Status::bot);
  CHECK(store.find("c_1")->summary.ending == Ending::none);
  CHECK(store.find("c_1")->messages.size() == 1);

  // The customer saw 1,2,4,5,7,8 of 8: 3 (summary) and 6 (resolution note) are staff-only.
  CHECK(reopened.next.head_seq == 8);
  CHECK(store.find("c_1")->cursor == 8);
  CHECK(store.find("c_1")->events.size() == 6);
}

TEST_CASE("staff see the staff-only parts of the summary") {
  SyncStore store;
  Conversation c;
  c.id = "c_1";
  std::vector<Transition> steps;
  steps.push_back(start_conversation(c, kCustomer, 1000, ConversationPolicy{}));
  steps.push_back(
      value_of(hand_off(steps.back().next, kBot, "customer_asked", "Customer asked: refund", 2000)));
  steps.push_back(value_of(accept(steps.back().next, kAgent, 3000)));
  steps.push_back(value_of(resolve(steps.back().next, kAgent, false, "refunded", "billing", 4000)));
  for (const Transition& t : steps) {
    for (const Event& e : t.events) store.apply(e);
  }
  const Conversation& s = store.find("c_1")->summary;
  CHECK(s.handoff_summary == "Customer asked: refund");
  CHECK(s.resolution == "refunded");
  CHECK(s.issue_type == "billing");
  CHECK(store.find("c_1")->cursor == steps.back().next.head_seq);
}

TEST_CASE("requeue and priority changes reach the summary") {
  SyncStore store;
  store.apply(event(1, ev::assigned, Json{{"agent", {{"id", "u_1"}, {"name", "Sam"}}}}));
  store.apply(event(2, ev::requeued, Json{{"reason", "agent_gone"}, {"previous_agent_id", "u_1"}}));
  store.apply(event(3, ev::priority_changed, Json{{"priority", "urgent"}}));
  const Conversation& s = store.find("c_1")->summary;
  CHECK(s.status == Status::pending);
  CHECK(s.assignee_id.empty());
  CHECK(s.previous_agent_id == "u_1");
  CHECK(s.priority == Priority::urgent);
  CHECK(s.head_seq == 3);
}

TEST_CASE("upsert_summary replaces the summary and keeps messages and cursor") {
  SyncStore store;
  store.apply(message_event(1, "m_1", "hi"));
  Conversation snapshot;
  snapshot.id = "c_1";
  snapshot.status = Status::pending;
  snapshot.head_seq = 9;
  store.upsert_summary(snapshot);
  CHECK(store.find("c_1")->summary.status == Status::pending);
  CHECK(store.find("c_1")->messages.size() == 1);
  CHECK(store.resume_from("c_1") == 1);  // events 2..9 were never loaded: not skipped
}

// ---- outbox --------------------------------------------------------------------------------------

TEST_CASE("outbox: enqueue, send, acknowledge, then the message event settles it") {
  SyncStore store;
  store.enqueue(outgoing("m_1", 10));
  CHECK(ids_of(store.to_send()) == std::vector<std::string>{"m_1"});

  store.acknowledged("m_1", 5);
  REQUIRE(store.outbox().size() == 1);
  CHECK(store.outbox()[0].state == Delivery::sent);  // still shown until its event arrives
  CHECK(store.to_send().empty());

  store.apply(message_event(5, "m_1", "hello"));
  CHECK(store.outbox().empty());
  REQUIRE(store.find("c_1")->messages.size() == 1);
  CHECK(store.find("c_1")->messages[0].client_msg_id == "m_1");
  CHECK(store.find("c_1")->messages[0].seq == 5);
}

TEST_CASE("outbox: the message event may arrive before the ack") {
  SyncStore store;
  store.enqueue(outgoing("m_1", 10));
  store.apply(message_event(1, "m_1", "hello"));
  CHECK(store.outbox().empty());
  store.acknowledged("m_1", 1);  // nothing left to settle
  CHECK(store.outbox().empty());
}

TEST_CASE("outbox: a refused message waits for retry or discard") {
  SyncStore store;
  store.enqueue(outgoing("m_1", 10));
  store.failed("m_1", "text is longer than 4000 characters");
  REQUIRE(store.outbox().size() == 1);
  CHECK(store.outbox()[0].state == Delivery::failed);
  CHECK(store.outbox()[0].error == "text is longer than 4000 characters");
  CHECK(store.to_send().empty());

  const OutboxEntry* retried = store.retry("m_1");
  REQUIRE(retried != nullptr);
  CHECK(retried->state == Delivery::sending);
  CHECK(retried->attempts == 1);
  CHECK(retried->error.empty());
  CHECK(ids_of(store.to_send()) == std::vector<std::string>{"m_1"});
  CHECK(store.retry("m_404") == nullptr);

  store.discard("m_1");
  CHECK(store.outbox().empty());
}

TEST_CASE("outbox: to_send lists sending entries oldest first; an id is queued once") {
  SyncStore store;
  store.enqueue(outgoing("m_c", 30));
  store.enqueue(outgoing("m_a", 10));
  store.enqueue(outgoing("m_b", 20));
  store.enqueue(outgoing("m_a", 40));  // the same message again
  store.acknowledged("m_b", 3);
  CHECK(store.outbox().size() == 3);
  CHECK(ids_of(store.to_send()) == std::vector<std::string>{"m_a", "m_c"});
}

TEST_CASE("outbox: entries queued before the conversation existed get its id") {
  SyncStore store;
  store.enqueue(outgoing("m_1", 10, ""));
  store.enqueue(outgoing("m_2", 11, "c_other"));
  store.assign_conversation("c_1");
  CHECK(store.outbox()[0].conversation_id == "c_1");
  CHECK(store.outbox()[1].conversation_id == "c_other");
}

TEST_CASE("version moves on every change") {
  SyncStore store;
  std::size_t v = store.version();
  auto moved = [&] {
    const bool changed = store.version() > v;
    v = store.version();
    return changed;
  };
  store.apply(event(1));
  CHECK(moved());
  store.set_head("c_1", 2);
  CHECK(moved());
  store.set_head("c_1", 2);  // the same head again
  CHECK_FALSE(moved());
  store.enqueue(outgoing("m_1", 1));
  CHECK(moved());
  store.acknowledged("m_1", 2);
  CHECK(moved());
  store.apply(event(0, ev::typing, Json{{"typing", true}}));
  CHECK(moved());
  store.apply(event(1));  // duplicate
  CHECK_FALSE(moved());
}
