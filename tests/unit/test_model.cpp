// parley/model.hpp: wire names of the enums and the JSON forms of messages, events, conversations.
#include <doctest/doctest.h>

#include "parley/model.hpp"
#include "test_support.hpp"

using namespace parley;
using parley::test::code_of;
using parley::test::error_of;
using parley::test::value_of;

TEST_CASE("every enum value has a wire name that parses back") {
  for (Status v : {Status::bot, Status::pending, Status::active, Status::resolved}) {
    CHECK(parse_status(to_string(v)) == v);
  }
  for (Ending v : {Ending::none, Ending::resolved_by_staff, Ending::ended_by_customer, Ending::abandoned}) {
    CHECK(parse_ending(to_string(v)) == v);
  }
  for (Priority v : {Priority::urgent, Priority::high, Priority::normal, Priority::low}) {
    CHECK(parse_priority(to_string(v)) == v);
  }
  for (Role v : {Role::customer, Role::bot, Role::agent, Role::system}) CHECK(parse_role(to_string(v)) == v);
  for (Audience v : {Audience::everyone, Audience::staff}) CHECK(parse_audience(to_string(v)) == v);
  for (Answerer v : {Answerer::builtin, Answerer::llm, Answerer::external, Answerer::none}) {
    CHECK(parse_answerer(to_string(v)) == v);
  }
  for (MessageKind v : {MessageKind::text, MessageKind::note, MessageKind::system, MessageKind::kb_article,
                        MessageKind::file, MessageKind::voice}) {
    CHECK(parse_message_kind(to_string(v)) == v);
  }
  for (Channel v : {Channel::web, Channel::whatsapp, Channel::messenger, Channel::instagram, Channel::sms,
                    Channel::voice, Channel::api}) {
    CHECK(parse_channel(to_string(v)) == v);
  }
  for (StaffRole v : {StaffRole::admin, StaffRole::supervisor, StaffRole::agent}) {
    CHECK(parse_staff_role(to_string(v)) == v);
  }
  CHECK(to_string(Status::pending) == "pending");
  CHECK(to_string(Ending::ended_by_customer) == "ended_by_customer");
  CHECK(to_string(MessageKind::kb_article) == "kb_article");
  CHECK_FALSE(parse_status("Pending").has_value());  // names are exact
  CHECK_FALSE(parse_priority("").has_value());
}

TEST_CASE("message JSON round trip") {
  Message m;
  m.conversation_id = "c_1";
  m.seq = 3;
  m.client_msg_id = "m_1";
  m.sender_role = Role::agent;
  m.sender_id = "u_1";
  m.sender_name = "Sam";
  m.kind = MessageKind::note;
  m.text = "VIP";
  m.at = 1763712000000;
  const Json j = to_json(m);
  CHECK(j["sender"] == Json{{"role", "agent"}, {"id", "u_1"}, {"name", "Sam"}});
  const Message back = value_of(message_from_json(j));
  CHECK(back.conversation_id == "c_1");
  CHECK(back.seq == 3);
  CHECK(back.client_msg_id == "m_1");
  CHECK(back.sender_role == Role::agent);
  CHECK(back.sender_id == "u_1");
  CHECK(back.sender_name == "Sam");
  CHECK(back.kind == MessageKind::note);
  CHECK(back.text == "VIP");
  CHECK(back.at == 1763712000000);

  m.client_msg_id.clear();
  CHECK_FALSE(to_json(m).contains("client_msg_id"));
}

TEST_CASE("message_from_json names the bad member") {
  Json j = to_json(Message{});
  j["sender"].erase("role");
  const Error e = error_of(message_from_json(j));
  CHECK(code_of(e) == "missing_field");
  CHECK(e.field == "sender.role");
  CHECK(code_of(error_of(message_from_json(Json::array()))) == "bad_field");
  Json negative = to_json(Message{});
  negative["seq"] = -1;
  CHECK(error_of(message_from_json(negative)).field == "seq");
}

TEST_CASE("conversation JSON: the customer view leaves out staff-only members") {
  Conversation c;
  c.id = "c_1";
  c.tenant_id = "t_1";
  c.contact_id = "k_1";
  c.channel = Channel::whatsapp;
  c.status = Status::active;
  c.priority = Priority::high;
  c.answered_by = Answerer::external;
  c.topic = "Billing";
  c.assignee_id = "u_1";
  c.assignee_name = "Sam";
  c.resolution = "secret";
  c.handoff_summary = "Customer asked: refund";
  c.unanswered_turns = 2;
  c.created_at = 1;
  c.assigned_at = 5;
  c.head_seq = 7;

  const Json customer = to_json(c, false);
  CHECK_FALSE(customer.contains("resolution"));
  CHECK_FALSE(customer.contains("handoff_summary"));
  CHECK_FALSE(customer.contains("unanswered_turns"));
  CHECK(customer["assignee"] == Json{{"id", "u_1"}, {"name", "Sam"}});

  const Conversation back = value_of(conversation_from_json(to_json(c, true)));
  CHECK(back.id == "c_1");
  CHECK(back.channel == Channel::whatsapp);
  CHECK(back.status == Status::active);
  CHECK(back.priority == Priority::high);
  CHECK(back.answered_by == Answerer::external);
  CHECK(back.topic == "Billing");
  CHECK(back.assignee_id == "u_1");
  CHECK(back.assignee_name == "Sam");
  CHECK(back.resolution == "secret");
  CHECK(back.handoff_summary == "Customer asked: refund");
  CHECK(back.unanswered_turns == 2);
  CHECK(back.assigned_at == 5);
  CHECK(back.head_seq == 7);

  c.assignee_id.clear();
  CHECK(to_json(c, false)["assignee"].is_null());
  CHECK(value_of(conversation_from_json(to_json(c, false))).assignee_id.empty());
}

TEST_CASE("conversation_from_json is strict about customer-view members") {
  Json j = to_json(Conversation{}, false);
  j["id"] = "c_1";
  j.erase("status");
  CHECK(error_of(conversation_from_json(j)).field == "status");
  j["status"] = "lost";
  CHECK(code_of(error_of(conversation_from_json(j))) == "bad_field");
}

TEST_CASE("only everyone-audience events are visible to customers") {
  Event e;
  CHECK(visible_to_customer(e));
  e.audience = Audience::staff;
  CHECK_FALSE(visible_to_customer(e));
}

TEST_CASE("conversation JSON: the page the customer came from is staff-only") {
  Conversation c;
  c.id = "c_1";
  c.page_url = "https://shop.example/checkout";
  c.page_title = "Checkout";
  c.page_referrer = "https://search.example/";
  CHECK_FALSE(to_json(c, false).contains("page"));
  const Json staff = to_json(c, true);
  CHECK(staff["page"] == Json{{"url", "https://shop.example/checkout"},
                              {"title", "Checkout"},
                              {"referrer", "https://search.example/"}});
  const Conversation back = value_of(conversation_from_json(staff));
  CHECK(back.page_url == c.page_url);
  CHECK(back.page_title == "Checkout");
  CHECK(back.page_referrer == c.page_referrer);
  Json bad = staff;
  bad["page"]["url"] = 5;
  CHECK(error_of(conversation_from_json(bad)).field == "page.url");
}

TEST_CASE("conversation items: compact list JSON and back") {
  Conversation c;
  c.id = "c_7";
  c.tenant_id = "t_1";
  c.status = Status::active;
  c.priority = Priority::urgent;
  c.channel = Channel::whatsapp;
  c.topic = "Billing";
  c.handed_off_at = 10;
  c.created_at = 5;
  c.updated_at = 20;
  c.assignee_id = "u_1";
  c.assignee_name = "Sam";
  c.head_seq = 9;
  c.handoff_summary = "not in lists";
  const ConversationItem item = make_item(c, "Ada", "Where is my invoice?", 7);
  const Json j = to_json(item);
  CHECK(j["contact"] == Json{{"name", "Ada"}});
  CHECK(j["assignee"] == Json{{"id", "u_1"}, {"name", "Sam"}});
  CHECK(j["last_customer_seq"] == 7);
  CHECK_FALSE(j.contains("handoff_summary"));
  CHECK_FALSE(j.contains("tenant_id"));
  const ConversationItem back = value_of(conversation_item_from_json(j));
  CHECK(back.id == "c_7");
  CHECK(back.status == Status::active);
  CHECK(back.priority == Priority::urgent);
  CHECK(back.channel == Channel::whatsapp);
  CHECK(back.topic == "Billing");
  CHECK(back.contact_name == "Ada");
  CHECK(back.preview == "Where is my invoice?");
  CHECK(back.handed_off_at == 10);
  CHECK(back.created_at == 5);
  CHECK(back.updated_at == 20);
  CHECK(back.assignee_id == "u_1");
  CHECK(back.assignee_name == "Sam");
  CHECK(back.head_seq == 9);
  CHECK(back.last_customer_seq == 7);

  c.assignee_id.clear();
  CHECK(to_json(make_item(c, "", "", 0))["assignee"].is_null());
  Json bad = j;
  bad.erase("assignee");
  CHECK(error_of(conversation_item_from_json(bad)).field == "assignee");
  bad = j;
  bad["status"] = "lost";
  CHECK(error_of(conversation_item_from_json(bad)).field == "status");
  CHECK(code_of(error_of(conversation_item_from_json(Json::array()))) == "bad_field");
}

TEST_CASE("item previews: one line, at most 100 code points") {
  CHECK(item_preview("  Where is\n\tmy   invoice?  ") == "Where is my invoice?");
  CHECK(item_preview("") == "");
  std::string long_text;
  for (int i = 0; i < 300; ++i) long_text += "\xC3\xA9";  // é: two bytes
  const std::string p = item_preview(long_text);
  CHECK(p.size() == 200);  // 100 code points
  std::string spaces(5000, ' ');
  CHECK(item_preview(spaces + "x") == "x");
}
