// The agent inbox's model (client/inbox/inbox_model.hpp), natively: snapshot, live upserts,
// unread badges, sorting, keyboard focus, the conversation timeline, commands sent, and a list of
// thousands of conversations.
#include "inbox/inbox_model.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "fake_relay.hpp"
#include "parley/queue.hpp"

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
  return encode_notice(
      "inbox.changes",
      Json{{"conversations", Json::array({it})},
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

TEST_CASE("inbox: inbox.changes upserts move items between queue and mine, and ring") {
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

TEST_CASE("inbox: one inbox.changes frame applies every changed conversation and the counts") {
  Fixture f;
  f.model.received(snapshot_frame(Json::array(), Json::array()), kNow);
  Json a = item("c_a", Status::pending, Priority::normal, kNow, 2, "Ann");
  Json b = item("c_b", Status::active, Priority::normal, kNow, 5, "Ben", "u_me");
  Json c = item("c_c", Status::active, Priority::normal, kNow, 5, "Cy", "u_other");
  f.model.received(encode_notice("inbox.changes",
                                 Json{{"conversations", Json::array({a, b, c})},
                                      {"counts", {{"active", 2}, {"waiting", 1}, {"resolved_today", 3},
                                                  {"avg_wait_s", 12}}}}),
                   kNow);
  REQUIRE(f.model.queue_rows().size() == 1);
  CHECK(f.model.queue_rows()[0].id == "c_a");
  REQUIRE(f.model.mine_rows().size() == 1);
  CHECK(f.model.mine_rows()[0].id == "c_b");
  CHECK(f.model.title() == "(1) Parley Inbox");
  // The next frame moves the waiting one to someone else.
  f.model.received(
      encode_notice("inbox.changes",
                    Json{{"conversations",
                          Json::array({item("c_a", Status::active, Priority::normal, kNow, 3, "Ann", "u_other")})},
                         {"counts", {{"active", 3}, {"waiting", 0}}}}),
      kNow);
  CHECK(f.model.queue_rows().empty());
  CHECK(f.model.mine_rows().size() == 1);
}

TEST_CASE("inbox: the older inbox.conversation notice is still understood") {
  Fixture f;
  f.model.received(snapshot_frame(Json::array(), Json::array()), kNow);
  Json c = item("c_old", Status::pending, Priority::normal, kNow, 2, "Old");
  const std::string preview = c["preview"].get<std::string>();
  c.erase("preview");
  f.model.received(encode_notice("inbox.conversation",
                                 Json{{"conversation", c}, {"preview", preview}, {"counts", {{"waiting", 1}}}}),
                   kNow);
  REQUIRE(f.model.queue_rows().size() == 1);
  CHECK(f.model.queue_rows()[0].id == "c_old");
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

TEST_CASE("inbox: a joined conversation's preview, unread seq and order follow its messages") {
  // The relay sends no list item for a message to sockets that get the message's event.
  Fixture f;
  Json older = item("c_old", Status::active, Priority::normal, kNow - 60000, 2, "Mia", "u_me");
  Json newer = item("c_new", Status::active, Priority::normal, kNow - 1000, 2, "Noa", "u_me");
  f.model.received(snapshot_frame(Json::array(), Json::array({newer, older})), kNow);
  REQUIRE(f.model.mine_rows().size() == 2);
  CHECK(f.model.mine_rows()[0].id == "c_new");
  f.answer_join("c_old", {}, 2);
  f.model.received(message_event("c_old", 3, Role::customer, "Mia", "my parcel\nnever came", kNow), kNow);
  REQUIRE(f.model.mine_rows().size() == 2);
  CHECK(f.model.mine_rows()[0].id == "c_old");  // most recently updated first
  CHECK(f.model.mine_rows()[0].preview == "my parcel never came");
  CHECK(f.model.mine_rows()[0].unread == 1);
  // The agent's own reply does not replace what the customer said.
  f.model.received(message_event("c_old", 4, Role::agent, "Sam", "Looking into it", kNow + 1), kNow);
  CHECK(f.model.mine_rows()[0].preview == "my parcel never came");
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
  REQUIRE(tl.size() == 6);
  CHECK(tl[0].kind == inbox::TimelineItem::Kind::day);  // the first day's divider
  CHECK(tl[2].role == Role::bot);
  CHECK(tl[2].name == "Parley Assistant");
  CHECK(tl[3].kind == inbox::TimelineItem::Kind::system);
  CHECK(tl[4].kind == inbox::TimelineItem::Kind::summary);
  CHECK(tl[5].kind == inbox::TimelineItem::Kind::takeover);
  CHECK(tl[5].text == "Sam took over here");

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

namespace parley::test {
namespace {

// A compact list item (what the relay sends in lists), pending.
Json compact(int i) {
  Conversation c = conversation("c_p" + std::to_string(i), Status::pending, 3);
  c.priority = static_cast<Priority>(i % 3);
  c.handed_off_at = kNow - 1000000 + i * 37 % 5000;
  c.updated_at = c.handed_off_at;
  return to_json(make_item(c, "P" + std::to_string(i), "hello " + std::to_string(i), 2));
}

// The items of `all` in the queue order, from `from` for `n`.
Json slice(std::vector<Json> all, std::size_t from, std::size_t n) {
  std::sort(all.begin(), all.end(), [](const Json& a, const Json& b) {
    const Result<ConversationItem> x = conversation_item_from_json(a), y = conversation_item_from_json(b);
    return x && y && queue_before(x.value(), y.value());
  });
  Json out = Json::array();
  for (std::size_t i = from; i < all.size() && i < from + n; ++i) out.push_back(all[i]);
  return out;
}

std::string paged_snapshot(const Json& queue, std::size_t queue_total, const Json& mine,
                           std::size_t mine_total) {
  return encode_notice(
      "inbox.snapshot",
      Json{{"user", {{"id", "u_me"}, {"name", "Sam"}, {"role", "agent"}, {"tenant_id", "t"}}},
           {"counts", {{"active", 0}, {"waiting", queue_total}, {"resolved_today", 0}}},
           {"issue_types", {"refund", "bug"}},
           {"server_time", kNow},
           {"queue", queue},
           {"queue_total", queue_total},
           {"mine", mine},
           {"mine_total", mine_total}});
}

}  // namespace

TEST_CASE("inbox: after the snapshot's first page the model fetches the rest, one page at a time") {
  Fixture f;
  std::vector<Json> all;
  for (int i = 0; i < 1200; ++i) all.push_back(compact(i));
  f.model.received(paged_snapshot(slice(all, 0, 200), 1200, Json::array(), 0), kNow);
  CHECK(f.model.queue_rows().size() == 200);
  CHECK(f.model.queue_total() == 1200);
  CHECK(f.model.lists_loading());
  CHECK(f.model.issue_types() == std::vector<std::string>{"refund", "bug"});
  CHECK(f.model.take_alerts().empty());  // the first load does not ring

  // Pages are requested one after another, each after the last item of the previous one.
  std::size_t have = 200;
  for (int round = 0; round < 10 && f.model.lists_loading(); ++round) {
    const auto lists = f.transport.frames("inbox.list");
    REQUIRE(lists.size() == static_cast<std::size_t>(round + 1));
    const Json req = lists.back();
    CHECK(req["list"] == "queue");
    CHECK(req["limit"] == 500);
    const Json expected_after = slice(all, have - 1, 1)[0];
    CHECK(req["after"]["id"] == expected_after["id"]);
    CHECK(req["after"]["priority"] == expected_after["priority"]);
    CHECK(req["after"]["handed_off_at"] == expected_after["handed_off_at"]);
    if (round == 0) {
      // A live change while paging: a new urgent chat arrives (it is not in any page).
      Conversation fresh = conversation("c_live", Status::pending, 2);
      fresh.priority = Priority::urgent;
      fresh.handed_off_at = kNow - 2000000;  // waiting longest: first
      f.model.received(encode_notice("inbox.changes",
                                     Json{{"conversations", Json::array({to_json(make_item(fresh, "Liv", "hi", 2))})},
                                          {"counts", {{"waiting", 1201}}}}),
                       kNow);
      CHECK(f.model.queue_rows()[0].id == "c_live");
      CHECK(f.transport.frames("inbox.list").size() == 1);  // still one request in flight
    }
    const Json page = slice(all, have, 500);
    f.model.received(ack(req["id"].get<std::string>(),
                         Json{{"list", "queue"}, {"items", page}, {"total", 1200}, {"offset", have}}),
                     kNow);
    have += page.size();
  }
  CHECK_FALSE(f.model.lists_loading());
  // 200 + 500 + 500, then one empty page that ends it; nothing asked after that.
  CHECK(f.transport.frames("inbox.list").size() == 3);
  const auto& rows = f.model.queue_rows();
  REQUIRE(rows.size() == 1201);
  CHECK(rows[0].id == "c_live");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const bool ordered = static_cast<int>(rows[i - 1].priority) < static_cast<int>(rows[i].priority) ||
                         (rows[i - 1].priority == rows[i].priority && rows[i - 1].since <= rows[i].since);
    REQUIRE(ordered);
  }
  CHECK(f.model.snapshot(kNow)["queue"].size() == 1201);
}

TEST_CASE("inbox: a page of an older snapshot is ignored; a reconnect pages again") {
  Fixture f;
  std::vector<Json> all;
  for (int i = 0; i < 300; ++i) all.push_back(compact(i));
  f.model.received(paged_snapshot(slice(all, 0, 200), 300, Json::array(), 0), kNow);
  const Json first_req = f.transport.last("inbox.list");
  REQUIRE(first_req.is_object());
  // The connection drops before the answer; a new one gets a fresh snapshot.
  f.model.disconnected();
  f.model.connected(kNow);
  f.model.received(ack(f.transport.last("hello")["id"].get<std::string>(),
                       Json{{"user", {{"id", "u_me"}, {"name", "Sam"}}}, {"issue_types", {"general"}}}),
                   kNow);
  CHECK(f.model.issue_types() == std::vector<std::string>{"general"});
  f.model.received(paged_snapshot(slice(all, 0, 200), 300, Json::array(), 0), kNow);
  const Json second_req = f.transport.last("inbox.list");
  CHECK(second_req["id"] != first_req["id"]);
  // The old answer (another request id: the session forgot it) changes nothing.
  f.model.received(
      ack(first_req["id"].get<std::string>(), Json{{"items", slice(all, 200, 100)}, {"total", 300}}), kNow);
  CHECK(f.model.queue_rows().size() == 200);
  f.model.received(
      ack(second_req["id"].get<std::string>(),
          Json{{"list", "queue"}, {"items", slice(all, 200, 100)}, {"total", 300}, {"offset", 200}}),
      kNow);
  CHECK(f.model.queue_rows().size() == 300);
  CHECK_FALSE(f.model.lists_loading());
}

TEST_CASE("inbox: mine is paged after the queue; joining shows the contact's details and page") {
  Fixture f;
  Json mine = Json::array();
  std::vector<Json> mine_all;
  for (int i = 0; i < 3; ++i) {
    Conversation c = conversation("c_m" + std::to_string(i), Status::active, 4);
    c.assignee_id = "u_me";
    c.assignee_name = "Sam";
    c.updated_at = kNow - i;
    mine_all.push_back(to_json(make_item(c, "M" + std::to_string(i), "", 3)));
  }
  mine.push_back(mine_all[0]);
  f.model.received(paged_snapshot(Json::array(), 0, mine, 3), kNow);
  const Json req = f.transport.last("inbox.list");
  CHECK(req["list"] == "mine");
  CHECK(req["after"]["id"] == "c_m0");
  CHECK(req["after"]["updated_at"] == kNow);
  f.model.received(
      ack(req["id"].get<std::string>(),
          Json{{"list", "mine"}, {"items", {mine_all[1], mine_all[2]}}, {"total", 3}, {"offset", 1}}),
      kNow);
  REQUIRE(f.model.mine_rows().size() == 3);
  CHECK(f.model.mine_rows()[2].id == "c_m2");
  // Unread from the item alone (c_m2 not joined yet): the customer wrote at seq 3, seen 4 -> 0.
  CHECK(f.model.mine_rows()[2].unread == 0);

  // Open c_m1: the join ack's full view carries contact details and the page.
  f.model.open("c_m1", kNow);
  Json join;
  for (const Json& j : f.transport.frames("chat.join")) {
    if (j["conversation_id"] == "c_m1") join = j;
  }
  REQUIRE(join.is_object());
  Conversation full = conversation("c_m1", Status::active, 4);
  full.assignee_id = "u_me";
  full.issue_type = "billing";
  full.page_url = "https://shop.example/cart";
  full.page_title = "Cart";
  Json view = to_json(full, true);
  view["contact"] = Json{{"id", "k_1"}, {"name", "Mia"}, {"email", "mia@example.com"}, {"phone", "+441234"}};
  f.model.received(ack(join["id"].get<std::string>(),
                       Json{{"conversation_id", "c_m1"}, {"head_seq", 4}, {"conversation", view}}),
                   kNow);
  const inbox::ContactDetails* k = f.model.open_contact();
  REQUIRE(k != nullptr);
  CHECK(k->email == "mia@example.com");
  CHECK(k->phone == "+441234");
  REQUIRE(f.model.open_conversation() != nullptr);
  CHECK(f.model.open_conversation()->page_url == "https://shop.example/cart");
  CHECK(f.model.open_conversation()->issue_type == "billing");
}

// ---- issue 8: the inbox's everyday defects -----------------------------------------------------

TEST_CASE("inbox defect 6: a row's second line separates the priority from what follows") {
  inbox::Row r;
  r.priority = Priority::urgent;
  r.preview = "I need help";
  // "My conversations" without a topic: the preview follows the priority, with a separator.
  CHECK(InboxModel::row_line2(r, false) == "Urgent \u00b7 I need help");
  CHECK(InboxModel::row_shows_priority(r, false));
  CHECK(InboxModel::row_detail(r, false) == "I need help");
  r.topic = "Billing";
  CHECK(InboxModel::row_line2(r, false) == "Urgent \u00b7 Billing");
  r.priority = Priority::normal;
  CHECK(InboxModel::row_line2(r, false) == "Billing");  // normal priority is not named in "mine"
  CHECK(InboxModel::row_line2(r, true) == "Normal \u00b7 Billing");
  r.topic.clear();
  CHECK(InboxModel::row_line2(r, true) == "Normal");  // the queue shows the preview on line 3
  r.preview.clear();
  CHECK(InboxModel::row_line2(r, false) == "No messages yet");
}

TEST_CASE("inbox defect 6: my conversations report how long each has waited") {
  Fixture f;
  f.model.received(
      snapshot_frame(Json::array(), Json::array({item("c_m", Status::active, Priority::urgent, kNow - 125000, 3,
                                                      "Ada", "u_me")})),
      kNow);
  const Json snap = f.model.snapshot(kNow);
  REQUIRE(snap["mine"].size() == 1);
  CHECK(snap["mine"][0]["waiting_s"] == 125);
  CHECK(snap["mine"][0]["line2"] == "Urgent \u00b7 Billing");
}

TEST_CASE("inbox defect 7: date dividers where the day changes, full dates for hover and focus") {
  CHECK(InboxModel::format_date(kNow, {}) == "Friday, 21 November 2025");
  CHECK(InboxModel::format_date(0, {}) == "Thursday, 1 January 1970");
  CHECK(InboxModel::format_date(kNow - 9 * 3600000LL, {}) == "Thursday, 20 November 2025");
  CHECK(InboxModel::format_date(kNow + 16 * 3600000LL, {0, false}) == "Saturday, 22 November 2025");
  // The time zone decides the day: 08:00 UTC is still the 20th at UTC-9.
  CHECK(InboxModel::format_date(kNow, {-9 * 60, false}) == "Thursday, 20 November 2025");
  CHECK(InboxModel::local_day(kNow, {}) - InboxModel::local_day(kNow - 86400000LL, {}) == 1);

  Fixture f;
  f.model.received(
      snapshot_frame(Json::array({item("c_q", Status::pending, Priority::normal, kNow, 4)}), Json::array()), kNow);
  f.model.open("c_q", kNow);
  const Millis last_year = kNow - 400LL * 86400000LL;
  f.answer_join("c_q",
                {message_event("c_q", 1, Role::customer, "Ada", "old question", last_year),
                 message_event("c_q", 2, Role::customer, "Ada", "yesterday", kNow - 86400000LL),
                 message_event("c_q", 3, Role::customer, "Ada", "again yesterday", kNow - 86400000LL + 60000),
                 message_event("c_q", 4, Role::customer, "Ada", "today", kNow)},
                4);
  std::vector<std::string> days;
  for (const auto& t : f.model.timeline())
    if (t.kind == inbox::TimelineItem::Kind::day) days.push_back(t.text);
  CHECK(days == std::vector<std::string>{"Thursday, 17 October 2024", "Yesterday", "Today"});
  const Json snap = f.model.snapshot(kNow);
  REQUIRE(snap["selected"]["days"].size() == 3);
  CHECK(snap["selected"]["days"][1]["seq"] == 2);
  CHECK(snap["selected"]["messages"][0]["time"] == "08:00");
  CHECK(snap["selected"]["messages"][0]["full_time"] == "Thursday, 17 October 2024, 08:00");
  // A message after a divider starts a new group (its name line is drawn again).
  const auto& tl = f.model.timeline();
  for (std::size_t i = 1; i < tl.size(); ++i)
    if (tl[i - 1].kind == inbox::TimelineItem::Kind::day) CHECK(tl[i].group_start);
}

TEST_CASE("inbox defect 9: an unsent reply says \"Sending...\" once, under the bubble, not in its name line") {
  Fixture f;
  f.model.received(snapshot_frame(Json::array(), Json::array({item("c_m", Status::active, Priority::normal, kNow, 2,
                                                                   "Ada", "u_me")})),
                   kNow);
  f.model.open("c_m", kNow);
  f.answer_join("c_m",
                {message_event("c_m", 1, Role::customer, "Ada", "hi", kNow),
                 event("c_m", 2, ev::assigned, Json{{"agent", {{"id", "u_me"}, {"name", "Sam"}}}}, kNow)},
                2);
  f.model.received(conversation_notice(item("c_m", Status::active, Priority::normal, kNow, 2, "Ada", "u_me"), 0),
                   kNow);
  f.model.set_draft("On it", kNow);
  REQUIRE(f.model.send_draft(kNow));
  const auto& last = f.model.timeline().back();
  REQUIRE(last.kind == inbox::TimelineItem::Kind::outbox);
  CHECK(last.time.empty());  // the view draws the delivery state once, below the bubble
  CHECK(last.full_time.empty());
}

TEST_CASE("inbox defect 3/9: copying gives feedback to the eyes and to screen readers") {
  Fixture f;
  f.model.copied(kNow);
  CHECK(f.model.flash() == "Copied to the clipboard");
  const auto alerts = f.model.take_alerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].kind == inbox::Alert::Kind::status);
}

TEST_CASE("widget defect 1 (staff side): the inbox knows whether the customer is still on the site") {
  Fixture f;
  f.model.received(
      snapshot_frame(Json::array({item("c_q", Status::pending, Priority::normal, kNow, 1)}), Json::array()), kNow);
  f.model.open("c_q", kNow);
  CHECK(f.model.customer_online() == -1);  // not known before the join
  Json join;
  for (const Json& j : f.transport.frames("chat.join")) join = j;
  REQUIRE(join.is_object());
  f.model.received(message_event("c_q", 1, Role::customer, "Ada", "hi", kNow), kNow);
  Json view = to_json(conversation("c_q", Status::pending, 1), true);
  view["contact"] = Json{{"id", "k_1"}, {"name", "Ada"}};
  f.model.received(ack(join["id"].get<std::string>(), Json{{"conversation_id", "c_q"},
                                                          {"head_seq", 1},
                                                          {"conversation", view},
                                                          {"customer_online", true}}),
                   kNow);
  CHECK(f.model.customer_online() == 1);
  CHECK(f.model.snapshot(kNow)["selected"]["customer_online"] == true);
  // Live: the relay's ephemeral chat.customer_presence (seq 0) when the last page closes.
  f.model.received(event("c_q", 0, ev::customer_presence, Json{{"online", false}}, kNow,
                         Actor{Role::system, "system", ""}, Audience::staff),
                   kNow);
  CHECK(f.model.customer_online() == 0);
  CHECK(f.model.snapshot(kNow)["selected"]["customer_online"] == false);
}

}  // namespace parley::test
