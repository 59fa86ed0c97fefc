// Issue 9 in the browser apps' models: the inbox's own-status selector (AgentStatusModel through
// InboxModel) and the widget's place in the queue (WidgetModel), natively.
#include <doctest/doctest.h>

#include "fake_relay.hpp"
#include "inbox/inbox_model.hpp"
#include "inbox/status_model.hpp"
#include "widget/widget_model.hpp"

namespace parley::test {
namespace {

constexpr Millis kT = 1763712000000;

std::string status_notice(const char* status, const char* chosen) {
  return encode_notice("agent.status", Json{{"status", status}, {"chosen", chosen}});
}

struct InboxStore : inbox::Storage {
  std::map<std::string, std::string> values;
  std::string get(const std::string& k) override { return values.count(k) ? values[k] : std::string(); }
  void set(const std::string& k, const std::string& v) override { values[k] = v; }
};

struct InboxFixture {
  FakeTransport transport;
  InboxStore storage;
  inbox::InboxModel model{transport, storage, [] { return std::string("m"); }};
  InboxFixture() {
    model.me_answered({200, R"({"user":{"id":"u_me","name":"Sam","username":"sam","role":"agent"}})", 0});
    model.connected(kT);
    model.received(ack(transport.last("hello")["id"].get<std::string>(), Json::object()), kT);
  }
};

std::string last_notice(widget::WidgetModel& m, Millis now) {
  std::string text;
  for (const widget::DisplayItem& i : m.items(now)) {
    if (i.kind == widget::DisplayItem::Kind::notice) text = i.text;
  }
  return text;
}

}  // namespace

TEST_CASE("status model: notices, a pending choice, its confirmation or refusal") {
  inbox::AgentStatusModel m;
  CHECK_FALSE(m.known());
  CHECK(m.describe() == "Status: unknown");
  m.on_notice(Json{{"status", "online"}, {"chosen", "online"}});
  CHECK(m.known());
  CHECK(m.selected() == AgentStatus::online);
  CHECK_FALSE(m.choose(AgentStatus::online).has_value());  // already chosen
  auto c = m.choose(AgentStatus::away);
  REQUIRE(c.has_value());
  CHECK(c->status == AgentStatus::away);
  CHECK(m.pending());
  CHECK(m.selected() == AgentStatus::away);
  CHECK(m.describe() == "Status: Away (saving\u2026)");
  m.on_error();  // refused: the relay's last word stands
  CHECK(m.selected() == AgentStatus::online);
  REQUIRE(m.choose(AgentStatus::offline).has_value());
  m.on_notice(Json{{"status", "offline"}, {"chosen", "offline"}});
  CHECK_FALSE(m.pending());
  CHECK(m.describe() == "Status: Offline (no new chats are given to you)");
  // Auto-away: chosen online, seen away; choosing online again is sent (it is activity).
  m.on_notice(Json{{"status", "away"}, {"chosen", "online"}});
  CHECK(m.auto_away());
  CHECK(m.describe().find("no activity") != std::string::npos);
  CHECK(m.choose(AgentStatus::online).has_value());
  // Bad notices change nothing.
  inbox::AgentStatusModel n;
  n.on_notice(Json{{"status", "busy"}, {"chosen", "online"}});
  n.on_notice(Json::array());
  n.on_notice(Json{{"status", "online"}});
  CHECK_FALSE(n.known());
  CHECK(n.snapshot().is_null());
}

TEST_CASE("inbox model: agent.status fills the selector; a pick sends agent.set_status; an error reverts") {
  InboxFixture f;
  f.model.received(status_notice("online", "online"), kT);
  CHECK(f.model.agent_status().known());
  f.model.choose_status(AgentStatus::away);
  const Json sent = f.transport.last("agent.set_status");
  CHECK(sent["status"] == "away");
  CHECK(f.model.snapshot(kT)["agent_status"]["selected"] == "away");
  CHECK(f.model.snapshot(kT)["agent_status"]["pending"] == true);
  f.model.received(error(sent["id"].get<std::string>(), ErrorCode::busy, "the database is busy"), kT);
  CHECK(f.model.agent_status().selected() == AgentStatus::online);
  f.model.choose_status(AgentStatus::away);
  f.model.received(status_notice("away", "away"), kT);
  CHECK(f.model.snapshot(kT)["agent_status"]["status"] == "away");
  CHECK(f.model.snapshot(kT)["agent_status"]["pending"] == false);
}

TEST_CASE("widget: the place in the queue in the header, announced when it falls, gone once assigned") {
  FakeTransport t;
  MapStorage storage;
  widget::WidgetModel model{t, storage, [] { return std::string("m1"); }, "acme"};
  model.set_link(widget::LinkState::online, 0);
  model.connected(kT);
  Json pending = to_json(conversation("c_1", Status::pending, 3), false);
  model.received(
      ack(t.last("hello")["id"].get<std::string>(),
          Json{{"visitor_token", "tok"}, {"new_visitor", false}, {"conversations", Json::array({pending})}}),
      kT);
  const Json join = t.last("chat.join");
  model.received(new_session("c_1", 1, kT), kT);
  model.received(event("c_1", 2, ev::handed_off, Json{{"reason", "customer_asked"}}, kT), kT);
  model.received(ack(join["id"].get<std::string>(), Json{{"conversation_id", "c_1"}, {"head_seq", 2}}), kT);
  (void)model.take_announcements();
  CHECK(model.header().subtitle == "Waiting for an agent\u2026");

  model.received(event("c_1", 0, ev::queue_position, Json{{"position", 3}, {"minutes", nullptr}}, kT), kT);
  CHECK(model.header().subtitle == "Number 3 in the queue");
  model.received(event("c_1", 0, ev::queue_position, Json{{"position", 3}, {"minutes", 5}}, kT), kT);
  CHECK(model.header().subtitle == "Number 3 in the queue");
  CHECK(last_notice(model, kT) == "You are number 3 in the queue, about 5 min");
  CHECK(model.take_announcements() ==
        std::vector<std::string>{"You are number 3 in the queue"});  // minutes alone: quiet
  model.received(event("c_1", 0, ev::queue_position, Json{{"position", 2}, {"minutes", 4}}, kT), kT);
  CHECK(model.header().subtitle == "Number 2 in the queue");
  CHECK(last_notice(model, kT) == "You are number 2 in the queue, about 4 min");
  CHECK(model.take_announcements() == std::vector<std::string>{"You are number 2 in the queue, about 4 min"});
  CHECK(model.snapshot(kT)["queue"]["position"] == 2);
  CHECK(model.snapshot(kT)["queue"]["text"] == "You are number 2 in the queue, about 4 min");
  // Bad values are ignored (no position).
  model.received(event("c_1", 0, ev::queue_position, Json{{"position", "two"}}, kT), kT);
  CHECK(model.header().subtitle == "Waiting for an agent\u2026");
  model.received(event("c_1", 0, ev::queue_position, Json{{"position", 1}, {"minutes", 2}}, kT), kT);
  // Another conversation's place is not ours.
  model.received(event("c_other", 0, ev::queue_position, Json{{"position", 9}, {"minutes", 9}}, kT), kT);
  CHECK(model.queue_place().position == 1);
  // Assigned: the place is gone.
  model.received(event("c_1", 3, ev::assigned, Json{{"agent", {{"id", "u_1"}, {"name", "Sam"}}}}, kT,
                       Actor{Role::agent, "u_1", "Sam"}),
                 kT);
  CHECK(model.queue_place().position == 0);
  CHECK(model.snapshot(kT)["queue"].is_null());
  CHECK(model.header().subtitle == "Chatting with Sam");
  CHECK(last_notice(model, kT).find("in the queue") == std::string::npos);
  CHECK(widget::queue_place_text({}) == "");
}

}  // namespace parley::test
