// The inbox model's issue 9 tools (client/inbox/inbox_model.hpp "working a conversation"): the
// "/" canned picker filling the composer, private notes, transfer, and being told of a transfer.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "fake_relay.hpp"
#include "inbox/inbox_model.hpp"
#include "parley/delivery.hpp"
#include "parley/tickets.hpp"

namespace parley::test {
namespace {

using inbox::InboxModel;
using inbox::TimelineItem;

struct Storage9 : inbox::Storage {
  std::map<std::string, std::string> values;
  std::string get(const std::string& key) override { return values.count(key) ? values[key] : ""; }
  void set(const std::string& key, const std::string& value) override { values[key] = value; }
};

constexpr Millis kNow = 1763712000000;

struct Fixture9 {
  FakeTransport transport;
  Storage9 storage;
  int ids = 0;
  InboxModel model{transport, storage, [this] { return "m" + std::to_string(++ids); }};

  Fixture9() {
    model.me_answered({200, R"({"user":{"id":"u_me","name":"Sam Smith","username":"sam","role":"agent"}})", 0});
    model.connected(kNow);
    model.received(ack(transport.last("hello")["id"].get<std::string>(), Json::object()), kNow);
    Conversation c = conversation("c_1", Status::active, 3);
    c.assignee_id = "u_me";
    c.assignee_name = "Sam Smith";
    c.topic = "Billing";
    Json it = to_json(c, true);
    it["contact"] = Json{{"id", "k_1"}, {"name", "Ada Lovelace"}, {"email", ""}};
    it["preview"] = "hi";
    model.received(encode_notice("inbox.snapshot",
                                 Json{{"user", {{"id", "u_me"}, {"name", "Sam Smith"}, {"role", "agent"}, {"tenant_id", "t"}}},
                                      {"queue", Json::array()},
                                      {"mine", Json::array({it})},
                                      {"counts", {{"active", 1}, {"waiting", 0}, {"resolved_today", 0}, {"avg_wait_s", 0}}},
                                      {"server_time", kNow}}),
                   kNow);
    model.open("c_1", kNow);
    model.canned_answered({200, R"({"canned":[
      {"id":"cr_1","shortcut":"hello","title":"Greeting","body":"Hi {{customer.first_name}}, I'm {{agent.name}}."},
      {"id":"cr_2","shortcut":"order","title":"Order","body":"Your order {{order.number}} for {{customer.name}}"}]})", 0});
  }
};

}  // namespace

TEST_CASE("inbox: typing / opens the canned picker; picking fills the composer with the conversation's values") {
  Fixture9 f;
  CHECK(f.model.canned().loaded());
  f.model.set_draft("/he", kNow);
  CHECK(f.model.canned().open());
  CHECK(f.model.canned().matches().size() == 1);
  CHECK(f.model.pick_canned(-1));
  CHECK(f.model.draft() == "Hi Ada, I'm Sam Smith.");
  CHECK(f.model.take_draft_replaced());
  CHECK_FALSE(f.model.take_draft_replaced());
  CHECK(f.model.template_warning().empty());
  CHECK_FALSE(f.model.canned().open());
  CHECK(f.model.send_draft(kNow));
  CHECK(f.model.session().store().outbox().size() == 1);
}

TEST_CASE("inbox: an unknown variable stays in the composer and is flagged") {
  Fixture9 f;
  f.model.set_draft("/", kNow);
  CHECK(f.model.pick_canned(1));
  CHECK(f.model.draft() == "Your order {{order.number}} for Ada Lovelace");
  CHECK(f.model.template_warning() == "Check before sending: {{order.number}} is not a variable.");
  f.model.set_draft("", kNow);
  CHECK(f.model.template_warning().empty());
}

TEST_CASE("inbox: the note toggle sends a staff-only note, also in a chat that is not ours") {
  Fixture9 f;
  f.model.toggle_note();
  CHECK(f.model.note_mode());
  f.model.set_draft("customer is a VIP", kNow);
  CHECK(f.model.send_draft(kNow));
  const Json sent = f.transport.last("chat.send_message");
  CHECK(sent["kind"] == "note");
  CHECK(sent["text"] == "customer is a VIP");
  CHECK(f.model.draft().empty());
  CHECK(f.model.note_mode());  // stays on until switched off
  f.model.toggle_note();
  CHECK_FALSE(f.model.note_mode());
  // Opening another conversation switches it off.
  f.model.toggle_note();
  f.model.open("c_2", kNow);
  CHECK_FALSE(f.model.note_mode());
}

TEST_CASE("inbox: transfer lists the other agents and sends chat.transfer to the chosen one") {
  Fixture9 f;
  CHECK(f.model.can_transfer());
  f.model.open_transfer();
  CHECK(f.model.transfer_open());
  CHECK(f.model.take_agents_request());
  CHECK_FALSE(f.model.take_agents_request());
  f.model.agents_answered({200, R"({"agents":[
    {"id":"u_me","name":"Sam Smith","role":"agent","online":true},
    {"id":"u_kim","name":"Kim","role":"agent","online":true},
    {"id":"u_lee","name":"Lee","role":"supervisor","online":false}]})", 0});
  CHECK(f.model.transfer_agents().size() == 2);  // not oneself
  CHECK(f.model.transfer_choice() == 0);
  f.model.move_transfer_choice(1);
  CHECK(f.model.transfer_choice() == 1);
  f.model.move_transfer_choice(1);
  CHECK(f.model.transfer_choice() == 0);  // wraps
  CHECK(f.model.submit_transfer());
  const Json sent = f.transport.last("chat.transfer");
  CHECK(sent["conversation_id"] == "c_1");
  CHECK(sent["agent_id"] == "u_kim");
  CHECK_FALSE(f.model.transfer_open());
  // A failed list is said, not silently empty.
  f.model.open_transfer();
  f.model.agents_answered({500, "", 0});
  CHECK(f.model.flash() == "Could not load the list of agents.");
}

TEST_CASE("inbox: being handed a chat rings and says who and why; the transcript shows the line") {
  Fixture9 f;
  f.model.take_alerts();
  f.model.received(encode_notice("inbox.transferred", Json{{"conversation_id", "c_9"},
                                                           {"by", {{"id", "u_kim"}, {"name", "Kim"}}},
                                                           {"from", {{"id", "u_kim"}, {"name", "Kim"}}},
                                                           {"note", "VIP"}}),
                   kNow);
  const auto alerts = f.model.take_alerts();
  CHECK(alerts.size() == 1);
  if (!alerts.empty()) CHECK(alerts[0].text == "Kim transferred a chat to you: VIP");
  f.model.received(event("c_1", 4, ev::transferred,
                         Json{{"from", {{"id", "u_me"}, {"name", "Sam Smith"}}}, {"to", {{"id", "u_kim"}, {"name", "Kim"}}}, {"team", ""}},
                         kNow, Actor{Role::agent, "u_me", "Sam Smith"}),
                   kNow);
  bool line = false;
  for (const auto& t : f.model.timeline()) line = line || t.text == "Sam Smith transferred the chat to Kim";
  CHECK(line);
  // To a team: the line names the team by its name (the id is what the conversation keeps).
  f.model.received(event("c_1", 5, ev::transferred,
                         Json{{"from", nullptr}, {"to", nullptr}, {"team", "billing"}, {"team_name", "Billing desk"}},
                         kNow, Actor{Role::agent, "u_me", "Sam Smith"}),
                   kNow);
  bool team_line = false;
  for (const auto& t : f.model.timeline())
    team_line = team_line || t.text == "Sam Smith sent the chat back to the queue for Billing desk";
  CHECK(team_line);
}

}  // namespace parley::test

namespace parley::test {
TEST_CASE("inbox: # searches the knowledge base; picking shares the article and clears the composer") {
  Fixture9 f;
  f.model.articles_answered({200, R"({"articles":[{"id":"kb-zebra","title":"Zebra button","body":"Hold it."},
                                                  {"id":"kb-hours","title":"Opening hours","body":"9 to 5"}]})", 0});
  f.model.set_draft("#zeb", kNow);
  CHECK(f.model.articles().open());
  CHECK_FALSE(f.model.canned().open());
  f.model.set_draft("#hour", kNow);  // by title too
  CHECK(f.model.articles().matches().size() == 1);
  CHECK(f.model.pick_article(-1));
  const Json sent = f.transport.last("chat.share_article");
  CHECK(sent["article_id"] == "kb-hours");
  CHECK(sent["conversation_id"] == "c_1");
  CHECK(f.model.draft().empty());
  CHECK(f.model.take_draft_replaced());
}
TEST_CASE("inbox: a chat converted to a ticket shows the system line with the ticket and who made it") {
  Fixture9 f;
  f.model.received(event("c_1", 4, std::string(kTicketCreatedEvent),
                         Json{{"ticket_id", "tk_7"}, {"by", {{"id", "u_kim"}, {"name", "Kim"}}}}, kNow,
                         Actor{Role::agent, "u_kim", "Kim"}),
                   kNow);
  bool line = false;
  for (const auto& t : f.model.timeline())
    line = line || (t.kind == inbox::TimelineItem::Kind::system && t.text == "Ticket tk_7 created by Kim");
  CHECK(line);
}

TEST_CASE("inbox: a staff message to a WhatsApp customer carries its furthest delivery state; failures also get a line") {
  Fixture9 f;
  f.model.received(message_event("c_1", 4, Role::agent, "Sam Smith", "On its way", kNow, "m-1"), kNow);
  auto reply = [&]() -> const TimelineItem* {
    for (const auto& t : f.model.timeline())
      if (t.kind == TimelineItem::Kind::message && t.seq == 4) return &t;
    return nullptr;
  };
  REQUIRE(reply());
  CHECK(reply()->delivery.empty());  // nothing reported yet (a web chat never reports)
  auto delivery = [&](Seq seq, const std::string& state, const std::string& reason = "") {
    Json d{{"seq", 4}, {"channel", "whatsapp"}, {"state", state}};
    if (!reason.empty()) d["reason"] = reason;
    f.model.received(event("c_1", seq, kDeliveryEvent, d, kNow, Actor{Role::system, "system", ""}, Audience::staff),
                     kNow);
  };
  delivery(5, "sent");
  REQUIRE(reply());
  CHECK(reply()->delivery == "sent");
  delivery(6, "read");
  REQUIRE(reply());
  CHECK(reply()->delivery == "read");
  const Json shown = f.model.snapshot(kNow)["selected"]["messages"];
  REQUIRE(!shown.empty());
  CHECK(shown.back().value("delivery", "") == "read");
  bool line = false;
  for (const auto& t : f.model.timeline()) line = line || t.kind == TimelineItem::Kind::system;
  CHECK_FALSE(line);  // fine states need no line
  delivery(7, "failed", "Message undeliverable");
  REQUIRE(reply());
  CHECK(reply()->delivery == "failed");
  for (const auto& t : f.model.timeline()) line = line || t.text == "Not delivered on WhatsApp: Message undeliverable";
  CHECK(line);
}

}  // namespace parley::test
