// Idempotent sends and reconnect-resume (docs/protocol.md "Idempotent sends", "Sequence numbers").
#include <doctest/doctest.h>

#include <algorithm>

#include "harness.hpp"

using namespace parley::it;

namespace {

int count_messages_with_cmid(const std::vector<Json>& frames, const std::string& cid,
                             const std::string& cmid) {
  int n = 0;
  for (const auto& f : frames) {
    if (f.value("type", "") == "chat.new_message" && f.value("conversation_id", "") == cid &&
        message_of(f).value("client_msg_id", "") == cmid) {
      ++n;
    }
  }
  return n;
}

// Hands the customer's conversation to `agent`: ask for a person, join, accept.
void hand_to_agent(Customer& cust, Staff& agent, const std::string& cid) {
  REQUIRE(cust.send(cid, "I want to talk to a human").ok());
  cust->wait_for(is_event("chat.handed_off", cid), "chat.handed_off");
  REQUIRE(agent->request(cmd("chat.join", {{"conversation_id", cid}, {"after_seq", 0}})).ok());
  auto acc = agent->request(cmd("chat.accept", {{"conversation_id", cid}}));
  REQUIRE(acc.ok());
  cust->wait_for(is_event("chat.session_assigned", cid), "chat.session_assigned");
}

WsClient::Reply agent_says(Staff& agent, const std::string& cid, const std::string& text,
                           const std::string& kind = "text") {
  auto r = agent->request(
      cmd("chat.send_message",
          {{"conversation_id", cid}, {"client_msg_id", unique_id("a")}, {"kind", kind}, {"text", text}}));
  REQUIRE(r.ok());
  return r;
}

}  // namespace

TEST_CASE("idempotent re-send: same client_msg_id twice stores one message") {
  Relay relay;
  relay.start();
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Ida"}});

  auto r1 = cust.send(cid, "only once, please", "dup-1");
  auto r2 = cust.send(cid, "only once, please", "dup-1");
  REQUIRE(r1.ok());
  REQUIRE(r2.ok());
  CHECK(r1.data().value("seq", 0) > 0);
  CHECK(r2.data().value("seq", 0) == r1.data().value("seq", 0));
  CHECK_FALSE(r1.data().value("duplicate", false));
  CHECK(r2.data().value("duplicate", false));

  // Again from a new connection of the same visitor (an outbox re-sent after a reconnect).
  Customer again = Customer::connect(relay, cust.token);
  CHECK_FALSE(again.hello_ack.value("new_visitor", true));
  auto r3 = again.send(cid, "only once, please", "dup-1");
  REQUIRE(r3.ok());
  CHECK(r3.data().value("seq", 0) == r1.data().value("seq", 0));
  CHECK(r3.data().value("duplicate", false));

  // The first ack carried the stored message (the sender's own event); the duplicates carry none.
  REQUIRE(r1.data().contains("event"));
  CHECK(message_of(r1.data()["event"]).value("client_msg_id", "") == "dup-1");
  CHECK_FALSE(r2.data().contains("event"));
  CHECK_FALSE(r3.data().contains("event"));
  flush(*cust.ws);
  CHECK(count_messages_with_cmid(cust->all(), cid, "dup-1") == 0);  // no separate event frame

  auto stored = stored_messages(relay, cid);
  CHECK(std::count_if(stored.begin(), stored.end(),
                      [](const StoredMessage& m) { return m.client_msg_id == "dup-1"; }) == 1);
}

TEST_CASE("reconnect-resume: exactly the missed visible events, in order, staff-only seqs skipped") {
  Relay relay;
  relay.create_user("rita", "rita-password-1", "agent");
  relay.start();
  Staff agent = Staff::connect(relay, "rita", "rita-password-1");
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Remy"}});
  hand_to_agent(cust, agent, cid);
  agent_says(agent, cid, "before the drop");
  cust->wait_for(is_message(cid, "before the drop"), "message before the drop");
  flush(*cust.ws);
  const std::int64_t cursor = max_seq(cust->all(), cid);
  REQUIRE(cursor > 0);
  cust->drop();

  // While the customer is away: three visible messages and two staff-only notes, one of them last.
  std::vector<std::int64_t> visible_seqs;
  visible_seqs.push_back(agent_says(agent, cid, "missed 1").data().value("seq", 0));
  auto n1 = agent_says(agent, cid, "staff note 1", "note");
  visible_seqs.push_back(agent_says(agent, cid, "missed 2").data().value("seq", 0));
  visible_seqs.push_back(agent_says(agent, cid, "missed 3").data().value("seq", 0));
  auto n2 = agent_says(agent, cid, "staff note 2", "note");
  const std::int64_t last_note_seq = n2.data().value("seq", 0);
  CHECK(last_note_seq > visible_seqs.back());
  CHECK(n1.data().value("seq", 0) > visible_seqs[0]);

  Customer back = Customer::connect(relay, cust.token);
  CHECK_FALSE(back.hello_ack.value("new_visitor", true));
  const Json& convs = back.hello_ack["conversations"];
  REQUIRE(convs.is_array());
  CHECK(std::any_of(convs.begin(), convs.end(), [&](const Json& c) { return c.value("id", "") == cid; }));

  auto resume = back->request(cmd("chat.resume", {{"conversation_id", cid}, {"after_seq", cursor}}));
  REQUIRE(resume.ok());
  CHECK(resume.data().value("head_seq", 0) == last_note_seq);
  auto replay = events_of(resume.before, cid);
  std::vector<std::string> texts;
  std::vector<std::int64_t> seqs;
  for (const auto& f : replay) {
    INFO("replayed: " << f.dump());
    CHECK(f.value("audience", "") == "everyone");
    CHECK(f.value("seq", 0) > cursor);
    seqs.push_back(f.value("seq", 0));
    if (f.value("type", "") == "chat.new_message") texts.push_back(message_of(f).value("text", ""));
  }
  CHECK(texts == std::vector<std::string>{"missed 1", "missed 2", "missed 3"});
  CHECK(seqs == visible_seqs);
  back->take_pending();  // the replayed frames (checked above through resume.before)

  // Nothing of the conversation arrives after the ack but live events.
  flush(*back.ws);
  {
    auto extra = events_of(back->take_pending(), cid);
    INFO("events after the resume ack: " << Json(extra).dump());
    CHECK(extra.empty());
  }
  auto live = agent_says(agent, cid, "live after resume");
  auto got = back->wait_for(is_message(cid, "live after resume"), "live message after resume");
  CHECK(got.value("seq", 0) == live.data().value("seq", 0));
  CHECK(got.value("seq", 0) > last_note_seq);
  flush(*back.ws);
  // Every seq this socket received, exactly once.
  auto all = events_of(back->all(), cid);
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i].value("seq", 0) > all[i - 1].value("seq", 0));
}
