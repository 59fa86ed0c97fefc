// WidgetModel: what the customer widget shows and sends, driven by relay frames (no GL).
#include <doctest/doctest.h>

#include "fake_relay.hpp"

namespace parley::test {
namespace {

using widget::DisplayItem;
using widget::LinkState;
using widget::WidgetModel;

constexpr Millis kDay = 86'400'000;
constexpr Millis kNoon = 20'000 * kDay + 12 * 3'600'000;  // some day, 12:00 UTC

// A conversation as hello's ack lists it (customer view).
Json listed(const std::string& id, Status status, Seq head) { return to_json(conversation(id, status, head), false); }

struct Fixture {
  FakeTransport t;
  MapStorage storage;
  int ids = 0;
  WidgetModel model{t, storage, [this] { return "m" + std::to_string(++ids); }, "acme"};

  std::string id_of(const Json& f) { return f.value("id", ""); }
  // Connect and answer hello with `conversations`.
  void connect(Millis now, Json conversations = Json::array(), std::string token = "tok-1") {
    t.sent.clear();
    model.set_link(LinkState::online, 0);
    model.connected(now);
    const Json hello = t.last("hello");
    model.received(ack(id_of(hello), Json{{"visitor_token", token},
                                          {"new_visitor", conversations.empty()},
                                          {"tenant",
                                           {{"slug", "acme"},
                                            {"title", "Acme support"},
                                            {"assistant_name", "Ava"},
                                            {"prechat_form", false}}},
                                          {"conversations", conversations}}),
                   now);
  }
  std::vector<const DisplayItem*> messages(Millis now) {
    std::vector<const DisplayItem*> out;
    for (const DisplayItem& i : model.items(now)) {
      if (i.kind == DisplayItem::Kind::message) out.push_back(&i);
    }
    return out;
  }
};

TEST_CASE("the first message starts the conversation and shows as sending, then delivered") {
  Fixture f;
  f.connect(kNoon);
  CHECK(f.storage.get("parley.visitor.acme") == "tok-1");
  CHECK(f.model.tenant().title == "Acme support");
  f.model.set_draft("  Where is my invoice?  ", kNoon);
  CHECK(f.model.send_draft(kNoon));
  CHECK(f.model.draft().empty());
  const Json start = f.t.last("chat.start");
  CHECK(start["text"] == "Where is my invoice?");
  CHECK(start["client_msg_id"] == "m1");
  auto msgs = f.messages(kNoon);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0]->own);
  CHECK(msgs[0]->delivery == Delivery::sending);
  CHECK(msgs[0]->show_delivery);
  CHECK(f.model.others_typing(kNoon + 100));  // the assistant is about to answer

  f.model.received(ack(f.id_of(start), Json{{"conversation_id", "c_1"}, {"head_seq", 2}}), kNoon + 5);
  f.model.received(new_session("c_1", 1, kNoon + 5), kNoon + 5);
  f.model.received(message_event("c_1", 2, Role::customer, "", "Where is my invoice?", kNoon + 5, "m1"),
                   kNoon + 5);
  f.model.received(message_event("c_1", 3, Role::bot, "Ava", "Invoices are under Billing.", kNoon + 9),
                   kNoon + 9);
  CHECK(f.model.conversation_id() == "c_1");
  msgs = f.messages(kNoon + 10);
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0]->stored);
  CHECK(msgs[1]->name == "Ava");
  CHECK_FALSE(msgs[1]->own);
  CHECK_FALSE(f.model.others_typing(kNoon + 10));
  // Live messages from the other side are announced to screen readers and counted while closed.
  const auto said = f.model.take_announcements();
  REQUIRE(said.size() == 1);
  CHECK(said[0] == "Ava: Invoices are under Billing.");
  CHECK(f.model.unread() == 1);
  f.model.set_panel_open(true);
  CHECK(f.model.unread() == 0);
  CHECK(f.t.last("chat.seen")["seq"] == 3);
}

TEST_CASE("hand-off and assignment show as lines; the header follows the status") {
  Fixture f;
  f.connect(kNoon, Json::array({listed("c_1", Status::bot, 3)}));
  const Json join = f.t.last("chat.join");
  CHECK(join["conversation_id"] == "c_1");
  CHECK(join["after_seq"] == 0);
  f.model.received(new_session("c_1", 1, kNoon), kNoon);
  f.model.received(message_event("c_1", 2, Role::customer, "", "I want a person", kNoon + 1000, "x1"), kNoon);
  f.model.received(ack(f.id_of(join), Json{{"conversation_id", "c_1"}, {"head_seq", 2}}), kNoon);
  CHECK(f.model.take_announcements().empty());  // history is not announced
  CHECK(f.model.header().subtitle == "Ava \u00b7 replies instantly");
  CHECK(f.model.can_request_human());
  f.model.request_human();
  CHECK(f.t.last("chat.request_human")["conversation_id"] == "c_1");

  f.model.received(event("c_1", 3, ev::handed_off, Json{{"reason", "customer_asked"}}, kNoon + 2000), kNoon);
  CHECK(f.model.header().subtitle == "Waiting for an agent\u2026");
  CHECK(f.model.header().dot == widget::Header::Dot::waiting);
  f.model.received(event("c_1", 5, ev::assigned, Json{{"agent", {{"id", "u_1"}, {"name", "Sam"}}}},
                         kNoon + 3000, Actor{Role::agent, "u_1", "Sam"}),
                   kNoon);
  CHECK(f.model.header().subtitle == "Chatting with Sam");
  bool saw_line = false;
  for (const DisplayItem& i : f.model.items(kNoon + 4000)) {
    if (i.kind == DisplayItem::Kind::notice && i.text == "You're now chatting with Sam") saw_line = true;
  }
  CHECK(saw_line);
  CHECK(f.model.take_announcements().back() == "You're now chatting with Sam");
  CHECK_FALSE(f.model.can_request_human());
}

TEST_CASE("reloading the page: the stored token and the open conversation come back") {
  MapStorage storage;
  storage.values["parley.visitor.acme"] = "tok-7";
  FakeTransport t;
  WidgetModel model{t, storage, [] { return std::string("id"); }, "acme"};
  model.connected(kNoon);
  const Json hello = t.last("hello");
  CHECK(hello["token"] == "tok-7");
  CHECK(hello["tenant"] == "acme");
  model.received(ack(hello.value("id", ""),
                     Json{{"visitor_token", "tok-7"},
                          {"conversations", Json::array({listed("c_new", Status::active, 0),
                                                         listed("c_old", Status::resolved, 0)})}}),
                 kNoon);
  CHECK(model.conversation_id() == "c_new");
  CHECK(t.last("chat.join")["after_seq"] == 0);
}

TEST_CASE("day separators, grouping and times") {
  Fixture f;
  f.model.set_clock({60, false});  // UTC+1
  f.connect(kNoon, Json::array({listed("c_1", Status::bot, 0)}));
  const Millis yesterday = kNoon - kDay;
  f.model.received(message_event("c_1", 1, Role::customer, "", "one", yesterday), kNoon);
  f.model.received(message_event("c_1", 2, Role::customer, "", "two", yesterday + 60'000), kNoon);
  f.model.received(message_event("c_1", 3, Role::bot, "Ava", "three", kNoon), kNoon);
  const auto& items = f.model.items(kNoon + 1);
  std::vector<std::string> days;
  for (const DisplayItem& i : items) {
    if (i.kind == DisplayItem::Kind::day) days.push_back(i.text);
  }
  CHECK(days == std::vector<std::string>{"Yesterday", "Today"});
  const auto msgs = f.messages(kNoon + 1);
  REQUIRE(msgs.size() == 3);
  CHECK(msgs[0]->group_start);
  CHECK_FALSE(msgs[0]->group_end);
  CHECK_FALSE(msgs[1]->group_start);
  CHECK(msgs[1]->group_end);
  CHECK(msgs[2]->time == "13:00");
  CHECK(WidgetModel::format_time(kNoon, {0, true}) == "12:00 PM");
  CHECK(WidgetModel::format_time(kNoon - 12 * 3'600'000, {0, true}) == "12:00 AM");
  CHECK(WidgetModel::format_day(kNoon - 3 * kDay, kNoon, {}) == "Tuesday");  // 2024-10-01
  CHECK(WidgetModel::format_day(kNoon - 30 * kDay, kNoon, {}) == "4 Sep");
  // Items are rebuilt only when something changed.
  const auto v = f.model.items_version();
  f.model.items(kNoon + 2);
  CHECK(f.model.items_version() == v);
}

TEST_CASE("the pre-chat form validates, then starts the conversation with the visitor's details") {
  Fixture f;
  widget::TenantConfig cfg;
  cfg.prechat_form = true;
  f.model.set_tenant_config(cfg);
  CHECK(f.model.show_prechat());
  f.model.set_link(LinkState::online, 0);
  f.model.connected(kNoon);
  const Json hello = f.t.last("hello");
  f.model.received(ack(f.id_of(hello), Json{{"visitor_token", "t"}, {"conversations", Json::array()}}),
                   kNoon);
  CHECK_FALSE(f.model.submit_prechat("", "ada@example.com", "", kNoon));
  CHECK(f.model.prechat_error() == "Please tell us your name.");
  CHECK_FALSE(f.model.submit_prechat("Ada", "ada@", "", kNoon));
  CHECK(f.model.prechat_error() == "Please enter a valid email address.");
  CHECK(f.model.submit_prechat(" Ada ", "ada@example.com", "Billing", kNoon));
  CHECK_FALSE(f.model.show_prechat());
  const Json start = f.t.last("chat.start");
  CHECK(start["name"] == "Ada");
  CHECK(start["email"] == "ada@example.com");
  CHECK(start["topic"] == "Billing");
  CHECK_FALSE(start.contains("text"));
}

TEST_CASE("failed messages can be retried; the banner shows the reconnect countdown") {
  Fixture f;
  f.connect(kNoon, Json::array({listed("c_1", Status::bot, 0)}));
  f.model.received(ack(f.id_of(f.t.last("chat.join")), Json{{"conversation_id", "c_1"}, {"head_seq", 0}}),
                   kNoon);
  f.model.set_draft(std::string(10, 'x'), kNoon);
  CHECK(f.t.last("chat.typing")["typing"] == true);
  f.model.send_draft(kNoon);
  CHECK(f.t.last("chat.typing")["typing"] == false);
  f.model.received(error(f.id_of(f.t.last("chat.send_message")), ErrorCode::text_too_long, "too long"),
                   kNoon);
  auto msgs = f.messages(kNoon);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0]->delivery == Delivery::failed);
  CHECK(msgs[0]->show_delivery);
  f.model.retry(msgs[0]->client_msg_id);
  CHECK(f.t.frames("chat.send_message").size() == 2);

  f.model.disconnected();
  f.model.set_link(LinkState::retrying, kNoon + 4'200);
  CHECK(f.model.banner(kNoon).text == "Connection lost. Reconnecting in 5 s\u2026");
  CHECK(f.model.snapshot(kNoon)["connection"] == "retrying");
  f.model.set_link(LinkState::online, 0);
  CHECK(f.model.banner(kNoon).kind == widget::Banner::Kind::connecting);  // until hello is acked
}

TEST_CASE("the other side's typing shows until their message, and expires") {
  Fixture f;
  f.connect(kNoon, Json::array({listed("c_1", Status::active, 0)}));
  f.model.received(ack(f.id_of(f.t.last("chat.join")), Json{{"conversation_id", "c_1"}, {"head_seq", 0}}),
                   kNoon);
  f.model.received(
      event("c_1", 0, ev::typing, Json{{"typing", true}}, kNoon, Actor{Role::agent, "u_1", "Sam"}), kNoon);
  CHECK(f.model.others_typing(kNoon + 1000));
  CHECK_FALSE(f.model.others_typing(kNoon + 11'000));  // no follow-up: stale
  f.model.received(message_event("c_1", 1, Role::agent, "Sam", "Hello", kNoon + 2000), kNoon + 2000);
  CHECK_FALSE(f.model.others_typing(kNoon + 2001));
}

TEST_CASE("the snapshot lists messages with their delivery state") {
  Fixture f;
  f.connect(kNoon);
  f.model.set_draft("hi", kNoon);
  f.model.send_draft(kNoon);
  const Json s = f.model.snapshot(kNoon);
  CHECK(s["messages"].size() == 1);
  CHECK(s["messages"][0]["delivery"] == "sending");
  CHECK(s["conversation_id"] == "");
  CHECK(s["has_token"] == true);
}

TEST_CASE("a start re-sent after a reconnect and acked duplicate shows the whole conversation") {
  Fixture f;
  f.connect(kNoon);
  f.model.set_draft("Where is my invoice?", kNoon);
  CHECK(f.model.send_draft(kNoon));
  // The drop comes before the ack; hello's list is answered before the original commits.
  f.model.disconnected();
  f.connect(kNoon + 1000);
  const Json again = f.t.last("chat.start");
  REQUIRE(again.is_object());
  f.model.received(ack(f.id_of(again), Json{{"conversation_id", "c_1"}, {"head_seq", 3}, {"duplicate", true}}),
                   kNoon + 1001);
  CHECK(f.model.conversation_id() == "c_1");
  const Json join = f.t.last("chat.join");
  REQUIRE(join.is_object());
  CHECK(join["after_seq"] == 0);
  f.model.received(new_session("c_1", 1, kNoon), kNoon + 1002);
  f.model.received(message_event("c_1", 2, Role::customer, "", "Where is my invoice?", kNoon, "m1"), kNoon + 1002);
  f.model.received(message_event("c_1", 3, Role::bot, "Ava", "Invoices are under Billing.", kNoon + 9),
                   kNoon + 1002);
  f.model.received(ack(f.id_of(join), Json{{"conversation_id", "c_1"}, {"head_seq", 3}}), kNoon + 1003);
  const auto msgs = f.messages(kNoon + 1003);
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0]->own);
  CHECK(msgs[0]->stored);
  CHECK(msgs[1]->text == "Invoices are under Billing.");
  CHECK(f.model.snapshot(kNoon + 1003)["cursor"] == 3);
}

}  // namespace
}  // namespace parley::test
