// Targeted staff fan-out (issue 7, relay/src/app/live/inbox_feed.hpp + fanout.hpp), against the
// real relay: what a staff socket receives in inbox.changes depends on what its lists show, not
// on how many staff are online. Waits are for states or counters, never for an amount of time.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "harness.hpp"

using namespace parley::it;
using namespace std::chrono_literals;

namespace {

std::int64_t counter(const Relay& relay, const std::string& name) {
  Json c = relay.counters();
  REQUIRE_MESSAGE(c.contains(name), "no counter " << name << " in " << c.dump());
  return c[name].get<std::int64_t>();
}

// Waits until the relay has flushed the inbox feed at least once more than `before`.
void wait_flush(const Relay& relay, std::int64_t before) {
  const auto end = std::chrono::steady_clock::now() + kTimeout;
  while (counter(relay, "inbox_flushes") <= before) {
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < end, "no inbox.changes flush");
    std::this_thread::sleep_for(20ms);
  }
}

// A customer's chat, handed to people and accepted by `agent` (who joins it).
std::string accepted_chat(Customer& cust, Staff& agent) {
  const std::string cid = cust.start({{"name", "Rae"}});
  REQUIRE(cust->request(cmd("chat.request_human", {{"conversation_id", cid}})).ok());
  agent->wait_for(is_inbox_change(cid, "pending"), "the chat in the queue");
  REQUIRE(agent->request(cmd("chat.accept", {{"conversation_id", cid}})).ok());
  REQUIRE(agent->request(cmd("chat.join", {{"conversation_id", cid}, {"after_seq", 0}})).ok());
  return cid;
}

}  // namespace

TEST_CASE("fan-out: messages in an agent's chat send no list frame to anyone, however many staff are online") {
  Relay relay(RelayOptions{{"--test-counters", "true"}, {}});
  relay.create_user("alma", "alma-password-1", "agent");
  for (int i = 0; i < 6; ++i) relay.create_user("other" + std::to_string(i), "other-password-1", "agent");
  relay.start();
  Staff alma = Staff::connect(relay, "alma", "alma-password-1");
  std::vector<Staff> others;
  for (int i = 0; i < 6; ++i) others.push_back(Staff::connect(relay, "other" + std::to_string(i), "other-password-1"));

  Customer cust = Customer::connect(relay);
  const std::string cid = accepted_chat(cust, alma);
  // Every other agent saw it leave the queue.
  for (Staff& o : others) o->wait_for(is_inbox_change(cid, "active"), "the chat leaving the queue");

  const std::int64_t flushes = counter(relay, "inbox_flushes");
  const std::int64_t items = counter(relay, "inbox_items");
  const std::int64_t frames = counter(relay, "inbox_frames");
  for (int i = 0; i < 20; ++i) REQUIRE(cust.send(cid, "message " + std::to_string(i)).frame.value("type", "") == "ack");
  alma->wait_for(is_message(cid, "message 19"), "the last message at the agent");
  wait_flush(relay, flushes);
  // The agent follows the chat by its events; nobody's list changed: no list item went out.
  CHECK(counter(relay, "inbox_items") == items);
  CHECK(counter(relay, "inbox_frames") == frames);
}

TEST_CASE("fan-out: a waiting chat's new message updates every queue viewer's preview") {
  Relay relay(RelayOptions{{"--test-counters", "true"}, {}});
  relay.create_user("alma", "alma-password-1", "agent");
  relay.create_user("boris", "boris-password-1", "agent");
  relay.start();
  Staff a = Staff::connect(relay, "alma", "alma-password-1");
  Staff b = Staff::connect(relay, "boris", "boris-password-1");
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Rae"}});
  REQUIRE(cust->request(cmd("chat.request_human", {{"conversation_id", cid}})).ok());
  for (Staff* s : {&a, &b}) (*s)->wait_for(is_inbox_change(cid, "pending"), "the chat in the queue");
  REQUIRE(cust.send(cid, "still there? my order is late").ok());
  for (Staff* s : {&a, &b}) {
    (*s)->wait_for(
        [&](const Json& f) {
          if (!is_inbox_change(cid, "pending")(f)) return false;
          for (const Json& item : f["data"]["conversations"]) {
            if (item.value("id", "") == cid && item.value("preview", "") == "still there? my order is late") return true;
          }
          return false;
        },
        "the new preview in the queue");
  }
}

TEST_CASE("fan-out: an accepted chat enters the agent's other sockets and leaves the others' queues") {
  Relay relay(RelayOptions{{"--test-counters", "true"}, {}});
  relay.create_user("alma", "alma-password-1", "agent");
  relay.create_user("boris", "boris-password-1", "agent");
  relay.start();
  Staff alma1 = Staff::connect(relay, "alma", "alma-password-1");
  Staff alma2 = Staff::connect_cookie(relay, alma1.cookie);  // a second tab
  Staff boris = Staff::connect(relay, "boris", "boris-password-1");
  Customer cust = Customer::connect(relay);
  const std::string cid = accepted_chat(cust, alma1);
  // Alma's other tab lists it as hers; Boris sees it leave the queue (as active, Alma's).
  auto mine = alma2->wait_for(is_inbox_change(cid, "active"), "the chat in alma's other tab");
  auto left = boris->wait_for(is_inbox_change(cid, "active"), "the chat leaving boris's queue");
  for (const Json* f : {&mine, &left}) {
    for (const Json& item : (*f)["data"]["conversations"]) {
      if (item.value("id", "") == cid) CHECK(item["assignee"].value("name", "") != "");
    }
  }
  // Resolving it removes it from alma's lists, and from the counts.
  REQUIRE(alma1->request(cmd("chat.resolve", {{"conversation_id", cid}, {"resolution", "done"}, {"issue_type", "general"}}))
              .ok());
  alma2->wait_for(is_inbox_change(cid, "resolved"), "the chat leaving alma's other tab");
}

TEST_CASE("fan-out: the sender's own message rides in its ack; its other tab and the agent get the event") {
  Relay relay(RelayOptions{{"--test-counters", "true"}, {}});
  relay.create_user("alma", "alma-password-1", "agent");
  relay.start();
  Staff alma = Staff::connect(relay, "alma", "alma-password-1");
  Customer cust = Customer::connect(relay);
  const std::string cid = accepted_chat(cust, alma);
  Customer tab = Customer::connect(relay, cust.token);  // the same visitor in a second tab
  REQUIRE(tab->request(cmd("chat.join", {{"conversation_id", cid}, {"after_seq", 0}})).ok());
  flush(*cust.ws);
  cust->take_pending();

  const auto r = cust.send(cid, "one frame, please", "own-1");
  REQUIRE(r.ok());
  const std::int64_t seq = r.data().value("seq", std::int64_t{0});
  REQUIRE(r.data().contains("event"));
  const Json& own = r.data()["event"];
  CHECK(own.value("type", "") == "chat.new_message");
  CHECK(own.value("seq", std::int64_t{0}) == seq);
  CHECK(message_of(own).value("text", "") == "one frame, please");

  // The others get it as an event, identical to what the ack carried.
  const Json at_tab = tab->wait_for(
      [&](const Json& f) { return f.value("type", "") == "chat.new_message" && f.value("seq", std::int64_t{0}) == seq; },
      "the message in the second tab");
  CHECK(at_tab == own);
  alma->wait_for([&](const Json& f) { return f.value("type", "") == "chat.new_message" && f.value("seq", std::int64_t{0}) == seq; },
                 "the message at the agent");
  // The sender itself gets no second copy.
  flush(*cust.ws);
  for (const Json& f : cust->take_pending()) CHECK_FALSE(f.value("seq", std::int64_t{0}) == seq);

  // Staff: the agent's reply ack carries it too; the customer gets the event.
  const auto a = alma->request(cmd("chat.send_message", {{"conversation_id", cid}, {"client_msg_id", "a-1"}, {"text", "hi"}}));
  REQUIRE(a.ok());
  CHECK(a.data()["event"].value("seq", std::int64_t{0}) == a.data().value("seq", std::int64_t{0}));
  cust->wait_for([&](const Json& f) { return f.value("type", "") == "chat.new_message" && f.value("seq", std::int64_t{0}) == a.data().value("seq", std::int64_t{0}); },
                 "the reply at the customer");
  // An agent that has not joined a conversation gets a plain ack (nothing to carry) for a note.
  Customer other = Customer::connect(relay);
  const std::string cid2 = other.start({{"name", "Noor"}});
  const auto note = alma->request(cmd("chat.send_message", {{"conversation_id", cid2}, {"client_msg_id", "n-1"}, {"kind", "note"}, {"text", "watch this one"}}));
  REQUIRE(note.ok());
  CHECK(note.data().value("seq", std::int64_t{0}) > 0);
  CHECK_FALSE(note.data().contains("event"));
}
