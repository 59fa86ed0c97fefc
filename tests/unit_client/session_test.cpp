// Session: the protocol flow shared by the browser apps (hello, resume, outbox, ping).
#include <doctest/doctest.h>

#include "common/backoff.hpp"
#include "common/linkify.hpp"
#include "fake_relay.hpp"

namespace parley::test {
namespace {

struct RecordingListener : client::SessionListener {
  int hellos = 0;
  std::vector<std::string> started, joined, errors;
  void on_hello(const Json&) override { ++hellos; }
  void on_event(const Event&, SyncStore::Applied) override {}
  void on_notice(const std::string&, const Json&) override {}
  void on_started(const std::string& id) override { started.push_back(id); }
  void on_joined(const std::string& id) override { joined.push_back(id); }
  void on_command_error(std::string_view command, const std::string&, const Error&) override {
    errors.emplace_back(command);
  }
};

std::string id_of(const Json& frame) { return frame.value("id", ""); }

TEST_CASE("connecting sends hello first; commands wait for its ack") {
  FakeTransport t;
  RecordingListener l;
  client::Session s(t, l);
  s.connected(Hello{"acme", std::string("tok")}, 1000);
  REQUIRE(t.sent.size() == 1);
  const Json hello = t.frames()[0];
  CHECK(hello["type"] == "hello");
  CHECK(hello["tenant"] == "acme");
  CHECK(hello["token"] == "tok");
  CHECK_FALSE(s.ready());
  CHECK_FALSE(s.send(RequestHuman{"c_1"}));
  s.received(ack(id_of(hello), Json{{"visitor_token", "tok"}}), 1001);
  CHECK(s.ready());
  CHECK(l.hellos == 1);
}

TEST_CASE("a reconnect resumes known conversations from the cursor and re-sends the outbox") {
  FakeTransport t;
  RecordingListener l;
  client::Session s(t, l);
  s.connected(Hello{}, 0);
  s.received(ack(id_of(t.frames()[0]), Json::object()), 1);
  s.resume("c_1");
  const Json join = t.last("chat.join");
  CHECK(join["after_seq"] == 0);
  s.received(new_session("c_1", 1, 10), 10);
  s.received(message_event("c_1", 2, Role::bot, "Bot", "Hi", 11), 11);
  s.received(ack(id_of(join), Json{{"conversation_id", "c_1"}, {"head_seq", 3}}), 12);
  CHECK(s.joined("c_1"));
  CHECK(s.store().resume_from("c_1") == 3);  // seq 3 is staff-only: invisible, not missing

  s.send_message("c_1", "m1", "hello there", 20);
  const Json send = t.last("chat.send_message");
  CHECK(send["client_msg_id"] == "m1");
  CHECK(s.store().outbox().at(0).state == Delivery::sending);

  // The connection drops before the ack: the message stays queued and is sent again after resume.
  t.sent.clear();
  s.disconnected();
  CHECK_FALSE(s.ready());
  s.connected(Hello{}, 30);
  s.received(ack(id_of(t.frames()[0]), Json::object()), 31);
  const Json rejoin = t.last("chat.join");
  CHECK(rejoin["conversation_id"] == "c_1");
  CHECK(rejoin["after_seq"] == 3);
  CHECK(t.frames("chat.send_message").empty());  // not before the join is acknowledged
  s.received(ack(id_of(rejoin), Json{{"conversation_id", "c_1"}, {"head_seq", 3}}), 32);
  const Json resend = t.last("chat.send_message");
  CHECK(resend["client_msg_id"] == "m1");
  s.received(ack(id_of(resend), Json{{"conversation_id", "c_1"}, {"seq", 4}, {"duplicate", true}}), 33);
  CHECK(s.store().outbox().at(0).state == Delivery::sent);
  s.received(message_event("c_1", 4, Role::customer, "", "hello there", 33, "m1"), 33);
  CHECK(s.store().outbox().empty());
  CHECK(s.store().find("c_1")->messages.size() == 2);
}

TEST_CASE("a replayed event is a duplicate and changes nothing") {
  FakeTransport t;
  RecordingListener l;
  client::Session s(t, l);
  s.connected(Hello{}, 0);
  s.received(message_event("c_1", 1, Role::bot, "Bot", "Hi", 1), 1);
  const auto v = s.store().version();
  s.received(message_event("c_1", 1, Role::bot, "Bot", "Hi", 1), 2);
  CHECK(s.store().version() == v);
  CHECK(s.store().find("c_1")->messages.size() == 1);
}

TEST_CASE("an error for a send marks it failed; retry sends the same client_msg_id") {
  FakeTransport t;
  RecordingListener l;
  client::Session s(t, l);
  s.connected(Hello{}, 0);
  s.received(ack(id_of(t.frames()[0]), Json::object()), 1);
  s.resume("c_1");
  s.received(ack(id_of(t.last("chat.join")), Json{{"conversation_id", "c_1"}, {"head_seq", 0}}), 2);
  s.send_message("c_1", "m1", "hi", 3);
  s.received(error(id_of(t.last("chat.send_message")), ErrorCode::rate_limited, "slow down"), 4);
  REQUIRE(s.store().outbox().size() == 1);
  CHECK(s.store().outbox()[0].state == Delivery::failed);
  CHECK(s.store().outbox()[0].error == "slow down");
  t.sent.clear();
  CHECK(s.retry("m1"));
  CHECK(t.last("chat.send_message")["client_msg_id"] == "m1");
  CHECK(s.store().outbox()[0].state == Delivery::sending);
  s.discard("m1");
  CHECK(s.store().outbox().empty());
}

TEST_CASE("chat.start carries the first message; later messages wait for its conversation") {
  FakeTransport t;
  RecordingListener l;
  client::Session s(t, l);
  s.connected(Hello{}, 0);
  s.received(ack(id_of(t.frames()[0]), Json::object()), 1);
  ChatStart start;
  start.client_msg_id = "m1";
  start.text = "Where is my invoice?";
  s.start(start, 5);
  const Json st = t.last("chat.start");
  CHECK(st["text"] == "Where is my invoice?");
  s.send_message("", "m2", "It was due Monday", 6);
  CHECK(t.frames("chat.send_message").empty());
  s.received(ack(id_of(st), Json{{"conversation_id", "c_9"}, {"head_seq", 2}}), 7);
  CHECK(l.started == std::vector<std::string>{"c_9"});
  const Json second = t.last("chat.send_message");
  CHECK(second["conversation_id"] == "c_9");
  CHECK(second["client_msg_id"] == "m2");
  CHECK(t.frames("chat.send_message").size() == 1);  // the first message is not sent twice
}

TEST_CASE("a start interrupted by a drop is sent again, or adopted when the relay already has it") {
  FakeTransport t;
  RecordingListener l;
  client::Session s(t, l);
  ChatStart start;
  start.client_msg_id = "m1";
  start.text = "hi";
  auto reconnect = [&] {
    s.disconnected();
    t.sent.clear();
    s.connected(Hello{}, 10);
  };
  s.connected(Hello{}, 0);
  s.received(ack(id_of(t.frames()[0]), Json::object()), 1);
  s.start(start, 5);

  SUBCASE("not adopted: the start goes again with the same first message") {
    reconnect();
    s.received(ack(id_of(t.frames()[0]), Json::object()), 11);
    REQUIRE(t.frames("chat.start").size() == 1);
    CHECK(t.last("chat.start")["client_msg_id"] == "m1");
  }
  SUBCASE("adopted: resume the listed conversation; the replay settles the first message") {
    reconnect();
    s.adopt_pending_start("c_5");  // what the widget does on seeing c_5 open in hello's list
    s.received(ack(id_of(t.frames()[0]), Json::object()), 11);
    CHECK(t.frames("chat.start").empty());
    const Json join = t.last("chat.join");
    CHECK(join["conversation_id"] == "c_5");
    s.received(message_event("c_5", 2, Role::customer, "", "hi", 6, "m1"), 12);
    s.received(ack(id_of(join), Json{{"conversation_id", "c_5"}, {"head_seq", 2}}), 12);
    CHECK(s.store().outbox().empty());
    CHECK(t.frames("chat.send_message").empty());
  }
}

// Correctness 3 (issue 6): a re-sent chat.start whose original committed meanwhile is acked
// `duplicate`; the relay sent none of the conversation's events on this connection, so the client
// must join from its cursor (0) and get events 1..head, not take head_seq as its resume point.
TEST_CASE("a duplicate chat.start ack joins the conversation from the cursor: no history is lost") {
  FakeTransport t;
  RecordingListener l;
  client::Session s(t, l);
  s.connected(Hello{}, 0);
  s.received(ack(id_of(t.frames()[0]), Json::object()), 1);
  ChatStart start;
  start.client_msg_id = "m1";
  start.text = "Where is my invoice?";
  s.start(start, 5);
  s.send_message("", "m2", "It was due Monday", 6);
  // The connection drops before the ack; the relay committed the start (seq 1..3) meanwhile.
  s.disconnected();
  t.sent.clear();
  s.connected(Hello{}, 10);
  s.received(ack(id_of(t.frames()[0]), Json::object()), 11);
  const Json again = t.last("chat.start");
  REQUIRE(again.is_object());
  CHECK(again["client_msg_id"] == "m1");
  s.received(ack(id_of(again), Json{{"conversation_id", "c_5"}, {"head_seq", 3}, {"duplicate", true}}), 12);
  CHECK(l.started == std::vector<std::string>{"c_5"});
  // Not joined yet, and the resume point is still what has arrived (nothing).
  CHECK_FALSE(s.joined("c_5"));
  CHECK(s.store().resume_from("c_5") == 0);
  const Json join = t.last("chat.join");
  REQUIRE(join.is_object());
  CHECK(join["conversation_id"] == "c_5");
  CHECK(join["after_seq"] == 0);
  CHECK(t.frames("chat.send_message").empty());  // m2 waits for the join

  // The relay had subscribed this connection at the duplicate: a live event (the assistant's
  // answer, seq 4) may come before the join's replay of 1..4. Nothing is lost or reordered.
  s.received(message_event("c_5", 4, Role::bot, "Bot", "Invoices are in Billing", 13), 13);
  s.received(new_session("c_5", 1, 6), 14);
  s.received(message_event("c_5", 2, Role::customer, "", "Where is my invoice?", 6, "m1"), 14);
  s.received(message_event("c_5", 3, Role::bot, "Bot", "Let me look", 7), 14);
  s.received(message_event("c_5", 4, Role::bot, "Bot", "Invoices are in Billing", 13), 14);
  s.received(ack(id_of(join), Json{{"conversation_id", "c_5"}, {"head_seq", 4}}), 15);
  CHECK(s.joined("c_5"));
  const ConversationView* v = s.store().find("c_5");
  REQUIRE(v != nullptr);
  REQUIRE(v->messages.size() == 3);
  CHECK(v->messages[0].text == "Where is my invoice?");
  CHECK(v->messages[2].seq == 4);
  CHECK(v->cursor == 4);
  // The first message is settled by the replay, never sent again; m2 goes now, once.
  const auto sends = t.frames("chat.send_message");
  REQUIRE(sends.size() == 1);
  CHECK(sends[0]["client_msg_id"] == "m2");
  CHECK(sends[0]["conversation_id"] == "c_5");
  for (const OutboxEntry& o : s.store().outbox()) CHECK(o.client_msg_id != "m1");
}

TEST_CASE("a new chat.start's events follow its ack: a drop in between resumes from the cursor") {
  FakeTransport t;
  RecordingListener l;
  client::Session s(t, l);
  s.connected(Hello{}, 0);
  s.received(ack(id_of(t.frames()[0]), Json::object()), 1);
  ChatStart start;
  start.client_msg_id = "m1";
  start.text = "hi";
  s.start(start, 5);
  s.received(ack(id_of(t.last("chat.start")), Json{{"conversation_id", "c_7"}, {"head_seq", 2}}), 6);
  CHECK(s.joined("c_7"));
  s.received(new_session("c_7", 1, 6), 6);
  // Seq 2 (the first message) is lost with the connection.
  s.disconnected();
  t.sent.clear();
  s.connected(Hello{}, 10);
  s.received(ack(id_of(t.frames()[0]), Json::object()), 11);
  const Json join = t.last("chat.join");
  REQUIRE(join.is_object());
  CHECK(join["conversation_id"] == "c_7");
  CHECK(join["after_seq"] == 1);
}

TEST_CASE("ping every 25 s; no answer within 10 s gives up the connection") {
  FakeTransport t;
  RecordingListener l;
  client::Session s(t, l);
  s.connected(Hello{}, 0);
  s.received(ack(id_of(t.frames()[0]), Json::object()), 0);
  s.tick(24'000);
  CHECK(t.frames("ping").empty());
  s.tick(25'000);
  const Json ping = t.last("ping");
  REQUIRE(ping.is_object());
  s.received(ack(id_of(ping), Json{{"server_time", 1}}), 25'050);
  s.tick(40'000);
  CHECK(t.reconnects == 0);
  s.tick(50'100);
  CHECK(t.frames("ping").size() == 2);
  s.tick(60'200);
  CHECK(t.reconnects == 1);
}

TEST_CASE("backoff grows from 0.5 s to 8 s with jitter") {
  CHECK(client::backoff_delay_ms(0, 0.0) == doctest::Approx(250));
  CHECK(client::backoff_delay_ms(0, 0.999) == doctest::Approx(500).epsilon(0.01));
  CHECK(client::backoff_delay_ms(3, 0.5) == doctest::Approx(3000));
  CHECK(client::backoff_delay_ms(20, 1.0) == doctest::Approx(8000));
  CHECK(client::backoff_delay_ms(20, 0.0) == doctest::Approx(4000));
}

TEST_CASE("links are found at word starts without trailing punctuation") {
  const auto links = client::find_links("See https://example.com/a_(b), or www.parley.dev. Not xhttp://x");
  REQUIRE(links.size() == 2);
  CHECK(links[0].url == "https://example.com/a_(b)");
  CHECK(links[1].url == "https://www.parley.dev");
  CHECK(client::find_links("(see http://a.io/x)")[0].url == "http://a.io/x");
  CHECK(client::find_links("www. and http:// alone").empty());
}

}  // namespace
}  // namespace parley::test
