// The agent inbox's model (client/inbox/inbox_model.hpp), natively: snapshot, live upserts,
// unread badges, sorting, keyboard focus, the conversation timeline, commands sent, and a list of
// thousands of conversations.
#include "inbox/inbox_model.hpp"

#include <doctest/doctest.h>

#include <string>

#include "fake_relay.hpp"

namespace parley::test {
namespace {

using inbox::InboxModel;

struct InboxStorage : inbox::Storage {
  std::map<std::string, std::string> values;
  std::string get(const std::string& key) override {
    const auto it = values.find(key);
    return it == values.end() ? std::string() : it->second;
  }
  void set(const std::string& key, const std::string& value) override { values[key] = value; }
};

constexpr Millis kNow = 1763712000000;

Json item(const std::string& id, Status status, Priority p, Millis handed_off_at, Seq head,
          const std::string& name = "Ada", const std::string& assignee = "") {
  Conversation c = conversation(id, status, head);
  c.priority = p;
  c.topic = "Billing";
  c.handed_off_at = handed_off_at;
  c.updated_at = handed_off_at;
  if (!assignee.empty()) {
    c.assignee_id = assignee;
    c.assignee_name = assignee == "u_me" ? "Sam" : "Other";
  }
  Json j = to_json(c, true);
  j["contact"] = Json{{"id", "k_" + id}, {"name", name}, {"email", ""}};
  j["preview"] = "Where is my\ninvoice?";
  return j;
}

std::string snapshot_frame(const Json& queue, const Json& mine) {
  return encode_notice(
      "inbox.snapshot",
      Json{{"user", {{"id", "u_me"}, {"name", "Sam"}, {"role", "agent"}, {"tenant_id", "t"}}},
           {"queue", queue},
           {"mine", mine},
           {"counts", {{"active", 1}, {"waiting", 2}, {"resolved_today", 7}, {"avg_wait_s", 41}}},
           {"server_time", kNow}});
}

std::string conversation_notice(const Json& it, int waiting = 1) {
  Json c = it;
  const std::string preview = c["preview"].get<std::string>();
  return encode_notice(
      "inbox.conversation",
      Json{{"conversation", c},
           {"preview", preview},
           {"counts", {{"active", 1}, {"waiting", waiting}, {"resolved_today", 7}, {"avg_wait_s", 41}}}});
}

struct Fixture {
  FakeTransport transport;
  InboxStorage storage;
  int ids = 0;
  InboxModel model{transport, storage, [this] { return "m" + std::to_string(++ids); }};

  Fixture() {
    model.me_answered({200, R"({"user":{"id":"u_me","name":"Sam","username":"sam","role":"agent"}})", 0});
    model.connected(kNow);
    const Json hello = transport.last("hello");
    model.received(ack(hello["id"].get<std::string>(), Json::object()), kNow);
  }
  // Answers the last chat.join with the replay of `events` and the ack.
  void answer_join(const std::string& conv, const std::vector<std::string>& events, Seq head) {
    Json join;
    for (const Json& f : transport.frames("chat.join")) {
      if (f["conversation_id"] == conv) join = f;
    }
    REQUIRE(join.is_object());
    for (const std::string& e : events) model.received(e, kNow);
    model.received(ack(join["id"].get<std::string>(), Json{{"conversation_id", conv}, {"head_seq", head}}),
                   kNow);
  }
};

}  // namespace

TEST_CASE("inbox: /api/me decides login or inbox; login errors are clear") {
  FakeTransport t;
  InboxStorage s;
  InboxModel m(t, s, [] { return std::string("x"); });
  CHECK(m.screen() == inbox::Screen::loading);
  m.me_answered({401, R"({"error":{"code":"unauthorized"}})", 0});
  CHECK(m.screen() == inbox::Screen::login);
  CHECK_FALSE(m.begin_login("", "pw", kNow));
  CHECK(m.login_error() == "Enter your username.");
  CHECK(m.begin_login("sam", "pw", kNow));
  CHECK(m.login_busy());
  CHECK_FALSE(m.login_answered({401, R"({"error":{"code":"unauthorized","message":"bad"}})", 0}, kNow));
  CHECK(m.login_error() == "Wrong username or password.");
  CHECK(m.begin_login("sam", "pw", kNow));
  CHECK_FALSE(m.login_answered({429, R"({"error":{"code":"rate_limited"}})", 42}, kNow));
  CHECK(m.login_error() == "Too many attempts, try again in 42 s.");
  CHECK(m.login_wait_s(kNow + 2000) == 40);
  CHECK_FALSE(m.begin_login("sam", "pw", kNow + 2000));  // still locked
  CHECK(m.begin_login("sam", "pw", kNow + 43000));
  CHECK(m.login_answered({200, R"({"user":{"id":"u_me","name":"Sam","role":"agent"}})", 0}, kNow + 43000));
  CHECK(m.screen() == inbox::Screen::inbox);
  CHECK(m.user().name == "Sam");
  m.on_notice("session.expired", Json::object());
  CHECK(m.screen() == inbox::Screen::login);
  CHECK(m.login_error().find("expired") != std::string::npos);
}

TEST_CASE("inbox: snapshot fills the queue (most urgent, then longest waiting) and mine") {
  Fixture f;
  const Json queue = Json::array({item("c_n_old", Status::pending, Priority::normal, kNow - 300000, 5, "Old"),
                                  item("c_n_new", Status::pending, Priority::normal, kNow - 60000, 5, "New"),
                                  item("c_urgent", Status::pending, Priority::urgent, kNow - 10000, 5, "Bob"),
                                  item("c_low", Status::pending, Priority::low, kNow - 900000, 5, "Low")});
  const Json mine =
      Json::array({item("c_mine", Status::active, Priority::normal, kNow - 5000, 9, "Mia", "u_me")});
  f.model.received(snapshot_frame(queue, mine), kNow);

  const auto& q = f.model.queue_rows();
  REQUIRE(q.size() == 4);
  CHECK(q[0].id == "c_urgent");
  CHECK(q[1].id == "c_n_old");
  CHECK(q[2].id == "c_n_new");
  CHECK(q[3].id == "c_low");
  CHECK(q[1].preview == "Where is my invoice?");  // one line
  CHECK(q[0].initial == "B");
  REQUIRE(f.model.mine_rows().size() == 1);
  CHECK(f.model.mine_rows()[0].unread == 0);  // first sight: what is there counts as seen
  CHECK(f.model.counts().resolved_today == 7);
  CHECK(f.model.title() == "(4) Parley Inbox");
  // Our conversations are followed live.
  CHECK(f.transport.last("chat.join")["conversation_id"] == "c_mine");

  const Json snap = f.model.snapshot(kNow + 1000);
  CHECK(snap["screen"] == "inbox");
  CHECK(snap["queue"].size() == 4);
  CHECK(snap["queue"][1]["waiting_s"] == 301);
  CHECK(snap["mine"][0]["id"] == "c_mine");
  CHECK(snap["title"] == "(4) Parley Inbox");
}

TEST_CASE("inbox: inbox.conversation upserts move items between queue and mine, and ring") {
  Fixture f;
  f.model.received(snapshot_frame(Json::array(), Json::array()), kNow);
  CHECK(f.model.queue_rows().empty());

  // A new waiting chat: queued, alert, title count.
  f.model.received(conversation_notice(item("c_1", Status::pending, Priority::high, kNow, 4, "Ada")), kNow);
  REQUIRE(f.model.queue_rows().size() == 1);
  auto alerts = f.model.take_alerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].kind == inbox::Alert::Kind::new_waiting);
  CHECK(f.model.title() == "(1) Parley Inbox");
  // The same chat updated (new preview) does not ring again.
  Json again = item("c_1", Status::pending, Priority::high, kNow, 5, "Ada");
  again["preview"] = "Hello?";
  f.model.received(conversation_notice(again), kNow);
  CHECK(f.model.take_alerts().empty());
  CHECK(f.model.queue_rows()[0].preview == "Hello?");

  // Accepted by us: queue -> mine.
  f.model.received(
      conversation_notice(item("c_1", Status::active, Priority::high, kNow, 6, "Ada", "u_me"), 0), kNow);
  CHECK(f.model.queue_rows().empty());
  REQUIRE(f.model.mine_rows().size() == 1);
  CHECK(f.model.mine_rows()[0].id == "c_1");
  CHECK(f.model.title() == "Parley Inbox");

  // Someone else's accept takes a chat out of the queue without putting it in mine.
  f.model.received(conversation_notice(item("c_2", Status::pending, Priority::normal, kNow, 4, "Bo")), kNow);
  CHECK(f.model.queue_rows().size() == 1);
  f.model.received(
      conversation_notice(item("c_2", Status::active, Priority::normal, kNow, 5, "Bo", "u_other")), kNow);
  CHECK(f.model.queue_rows().empty());
  CHECK(f.model.mine_rows().size() == 1);

  // Resolved: out of mine.
  f.model.received(conversation_notice(item("c_1", Status::resolved, Priority::high, kNow, 9, "Ada")), kNow);
  CHECK(f.model.mine_rows().empty());
}

TEST_CASE("inbox: unread badges count customer messages after what the agent has seen") {
  Fixture f;
  f.model.received(
      snapshot_frame(Json::array(),
                     Json::array({item("c_m", Status::active, Priority::normal, kNow, 3, "Mia", "u_me")})),
      kNow);
  f.answer_join("c_m",
                {message_event("c_m", 1, Role::customer, "Mia", "hi", kNow),
                 message_event("c_m", 2, Role::bot, "Assistant", "hello", kNow),
                 event("c_m", 3, ev::assigned, Json{{"agent", {{"id", "u_me"}, {"name", "Sam"}}}}, kNow)},
                3);
  CHECK(f.model.mine_rows()[0].unread == 0);
  f.model.received(message_event("c_m", 4, Role::customer, "Mia", "are you there?", kNow), kNow);
  f.model.received(message_event("c_m", 5, Role::customer, "Mia", "hello?", kNow), kNow);
  CHECK(f.model.mine_rows()[0].unread == 2);
  auto alerts = f.model.take_alerts();
  REQUIRE(alerts.size() == 2);
  CHECK(alerts[0].kind == inbox::Alert::Kind::new_message);

  // Opening it while the tab is visible marks it seen, persists, and sends a read receipt.
  f.model.set_viewing(true, kNow);
  f.model.open("c_m", kNow);
  CHECK(f.model.mine_rows()[0].unread == 0);
  CHECK(f.transport.last("chat.seen")["seq"] == 5);
  CHECK(f.storage.values["parley.inbox.seen"].find("\"c_m\":5") != std::string::npos);
  // While looking at it, new messages do not ring and do not count.
  f.model.received(message_event("c_m", 6, Role::customer, "Mia", "thanks", kNow), kNow);
  CHECK(f.model.take_alerts().empty());
  CHECK(f.model.mine_rows()[0].unread == 0);
}

TEST_CASE("inbox: keyboard focus moves over queue then mine; Enter opens and joins") {
  Fixture f;
  f.model.received(
      snapshot_frame(Json::array({item("c_a", Status::pending, Priority::urgent, kNow, 2),
                                  item("c_b", Status::pending, Priority::normal, kNow, 2)}),
                     Json::array({item("c_c", Status::active, Priority::normal, kNow, 2, "C", "u_me")})),
      kNow);
  CHECK(f.model.focus_index() == -1);
  f.model.move_focus(1);
  CHECK(f.model.focus_id() == "c_a");
  f.model.move_focus(1);
  f.model.move_focus(1);
  CHECK(f.model.focus_id() == "c_c");
  f.model.move_focus(1);  // clamps at the end
  CHECK(f.model.focus_id() == "c_c");
  f.model.move_focus(-2);
  CHECK(f.model.focus_id() == "c_a");
  f.model.move_focus(1);
  f.model.open_focused(kNow);
  CHECK(f.model.open_id() == "c_b");
  CHECK(f.transport.last("chat.join")["conversation_id"] == "c_b");
  CHECK(f.transport.last("chat.join")["after_seq"] == 0);
  CHECK(f.model.can_accept());
  CHECK_FALSE(f.model.can_reply());

  // The focused chat is accepted by someone else: the focus stays at its place.
  f.model.received(conversation_notice(item("c_b", Status::active, Priority::normal, kNow, 3, "B", "u_x")),
                   kNow);
  CHECK(f.model.focus_id() == "c_c");
  // Esc closes the conversation.
  f.model.close_conversation();
  CHECK(f.model.open_id().empty());
}

TEST_CASE("inbox: accept, reply, resolve send the protocol commands") {
  Fixture f;
  f.model.received(
      snapshot_frame(Json::array({item("c_q", Status::pending, Priority::normal, kNow, 4)}), Json::array()),
      kNow);
  f.model.open("c_q", kNow);
  f.answer_join("c_q",
                {message_event("c_q", 1, Role::customer, "Ada", "hi", kNow),
                 message_event("c_q", 2, Role::bot, "Parley Assistant", "Hello! How can I help?", kNow),
                 event("c_q", 3, ev::handed_off, Json{{"reason", "customer_asked"}}, kNow),
                 event("c_q", 4, ev::handoff_summary, Json{{"summary", "Customer asked: invoice"}}, kNow,
                       Actor{Role::system, "system", ""}, Audience::staff)},
                4);
  f.model.accept("c_q");
  CHECK(f.transport.last("chat.accept")["conversation_id"] == "c_q");
  f.model.received(event("c_q", 5, ev::assigned, Json{{"agent", {{"id", "u_me"}, {"name", "Sam"}}}}, kNow),
                   kNow);
  f.model.received(
      conversation_notice(item("c_q", Status::active, Priority::normal, kNow, 5, "Ada", "u_me"), 0), kNow);
  CHECK(f.model.can_reply());
  CHECK(f.model.open_conversation()->handoff_summary.empty() == false);

  const auto& tl = f.model.timeline();
  REQUIRE(tl.size() == 5);
  CHECK(tl[1].role == Role::bot);
  CHECK(tl[1].name == "Parley Assistant");
  CHECK(tl[2].kind == inbox::TimelineItem::Kind::system);
  CHECK(tl[3].kind == inbox::TimelineItem::Kind::summary);
  CHECK(tl[4].kind == inbox::TimelineItem::Kind::takeover);
  CHECK(tl[4].text == "Sam took over here");

  f.model.set_draft("  Hi Ada, I can help.  ", kNow);
  CHECK(f.transport.last("chat.typing")["typing"] == true);
  CHECK(f.model.send_draft(kNow));
  const Json sent = f.transport.last("chat.send_message");
  CHECK(sent["text"] == "Hi Ada, I can help.");
  CHECK(sent["conversation_id"] == "c_q");
  CHECK(f.model.timeline().back().kind == inbox::TimelineItem::Kind::outbox);
  CHECK_FALSE(f.model.send_draft(kNow));  // blank now

  f.model.settings_answered({200, R"({"settings":{"issue_types":["refund","bug"]}})", 0});
  f.model.open_resolve();
  CHECK(f.model.resolve_open());
  CHECK(f.model.issue_type() == "refund");
  f.model.set_issue_type("bug");
  f.model.set_resolution("Fixed the invoice address");
  CHECK(f.model.submit_resolve());
  const Json resolve = f.transport.last("chat.resolve");
  CHECK(resolve["conversation_id"] == "c_q");
  CHECK(resolve["issue_type"] == "bug");
  CHECK(resolve["resolution"] == "Fixed the invoice address");
  CHECK_FALSE(f.model.resolve_open());

  const Json snap = f.model.snapshot(kNow);
  CHECK(snap["selected"]["id"] == "c_q");
  CHECK(snap["selected"]["summary"] == "Customer asked: invoice");
  CHECK(snap["selected"]["messages"].size() == 3);
  CHECK(snap["selected"]["messages"][1]["role"] == "bot");
}

TEST_CASE("inbox: a lost accept race shows who won") {
  Fixture f;
  f.model.received(
      snapshot_frame(Json::array({item("c_q", Status::pending, Priority::normal, kNow, 4)}), Json::array()),
      kNow);
  f.model.accept("c_q");
  const Json a = f.transport.last("chat.accept");
  f.model.received(error(a["id"].get<std::string>(), ErrorCode::already_assigned, "already accepted by Kim"),
                   kNow);
  CHECK(f.model.flash() == "already accepted by Kim");
}

TEST_CASE("inbox: mute persists") {
  FakeTransport t;
  InboxStorage s;
  {
    InboxModel m(t, s, [] { return std::string("x"); });
    CHECK_FALSE(m.muted());
    m.toggle_mute();
  }
  InboxModel m2(t, s, [] { return std::string("x"); });
  CHECK(m2.muted());
}

TEST_CASE("inbox: format helpers") {
  char buf[24];
  InboxModel::format_wait(45000, buf, sizeof buf);
  CHECK(std::string(buf) == "45s");
  InboxModel::format_wait(3 * 60000 + 5000, buf, sizeof buf);
  CHECK(std::string(buf) == "3m");
  InboxModel::format_wait(3600000 + 4 * 60000, buf, sizeof buf);
  CHECK(std::string(buf) == "1h 04m");
  InboxModel::format_wait(-5, buf, sizeof buf);
  CHECK(std::string(buf) == "0s");
  CHECK(InboxModel::format_time(0, {60, false}) == "01:00");
  CHECK(InboxModel::format_time(13 * 3600000LL, {0, true}) == "1:00 PM");
}

TEST_CASE("inbox: 5000 conversations stay sorted and consistent") {
  Fixture f;
  Json queue = Json::array();
  for (int i = 0; i < 4000; ++i) {
    const Priority p = static_cast<Priority>(i % 4);
    queue.push_back(item("c_q" + std::to_string(i), Status::pending, p, kNow - (i * 7919 % 100000), 3,
                         "Q" + std::to_string(i)));
  }
  Json mine = Json::array();
  for (int i = 0; i < 1000; ++i) {
    mine.push_back(item("c_m" + std::to_string(i), Status::active, Priority::normal, kNow - i, 3,
                        "M" + std::to_string(i), "u_me"));
  }
  f.model.received(snapshot_frame(queue, mine), kNow);
  const auto& q = f.model.queue_rows();
  REQUIRE(q.size() == 4000);
  REQUIRE(f.model.mine_rows().size() == 1000);
  for (std::size_t i = 1; i < q.size(); ++i) {
    const bool ordered = static_cast<int>(q[i - 1].priority) < static_cast<int>(q[i].priority) ||
                         (q[i - 1].priority == q[i].priority && q[i - 1].since <= q[i].since);
    REQUIRE(ordered);
  }
  // Rows are not rebuilt while nothing changes.
  const auto v = f.model.rows_version();
  CHECK(f.model.rows_version() == v);
  // A live change re-sorts: the oldest low-priority chat becomes urgent -> first place.
  Json up = item("c_q3", Status::pending, Priority::urgent, kNow - 200000, 4, "Q3");
  f.model.received(conversation_notice(up), kNow);
  CHECK(f.model.rows_version() != v);
  CHECK(f.model.queue_rows()[0].id == "c_q3");
  CHECK(f.model.queue_rows().size() == 4000);
  // Keyboard focus across the whole list.
  f.model.move_focus(1);
  f.model.move_focus(4999);
  CHECK(f.model.focus_index() == 4999);
  CHECK(f.model.focus_id() == f.model.mine_rows().back().id);
  CHECK(f.model.snapshot(kNow)["queue"].size() == 4000);
}

}  // namespace parley::test
