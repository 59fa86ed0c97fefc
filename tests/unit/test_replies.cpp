// parley/replies.hpp: acks and notices. Each encoder builds the JSON the relay sent before the
// codecs existed (compared byte for byte with the hand-built form), each decoder reads it back
// and refuses wrong types, unknown enum names and missing required members, naming the field.
#include <doctest/doctest.h>

#include <string>

#include "parley/replies.hpp"
#include "test_support.hpp"

using namespace parley;
using parley::test::code_of;
using parley::test::error_of;
using parley::test::value_of;

namespace {

Json parse(const std::string& text) { return Json::parse(text, nullptr, false); }

// The `data` of an ack frame, read back the way a client reads it.
Json ack_data(const Json& data) {
  Result<ServerFrame> f = decode_server_frame(encode_ack("r1", data));
  return value_of(std::move(f)).data;
}

Conversation sample_conversation(const std::string& id, Status status) {
  Conversation c;
  c.id = id;
  c.tenant_id = "t_default";
  c.contact_id = "k_1";
  c.status = status;
  c.topic = "Billing";
  c.created_at = 1000;
  c.updated_at = 2000;
  c.head_seq = 4;
  c.handoff_summary = "Customer asked";
  c.page_url = "https://shop.example/";
  return c;
}

ConversationItem sample_item(const std::string& id, Status status) {
  return make_item(sample_conversation(id, status), "Ada", "Where is my invoice?", 2);
}

}  // namespace

TEST_CASE("replies: acks encode exactly what the relay sent by hand") {
  CHECK(encode_ack("2", to_json(StartAck{"c_9", 2, false})) ==
        encode_ack("2", Json{{"conversation_id", "c_9"}, {"head_seq", 2}}));
  CHECK(encode_ack("2", to_json(StartAck{"c_9", 5, true})) ==
        encode_ack("2", Json{{"conversation_id", "c_9"}, {"head_seq", 5}, {"duplicate", true}}));
  CHECK(encode_ack("3", to_json(SendAck{"c_9", 4, false, {}})) ==
        encode_ack("3", Json{{"conversation_id", "c_9"}, {"seq", 4}}));
  CHECK(encode_ack("3", to_json(SendAck{"c_9", 4, true, {}})) ==
        encode_ack("3", Json{{"conversation_id", "c_9"}, {"seq", 4}, {"duplicate", true}}));
  CHECK(encode_ack("a1", to_json(HeadAck{"c_9", 8})) ==
        encode_ack("a1", Json{{"conversation_id", "c_9"}, {"head_seq", 8}}));
  CHECK(encode_ack("l", to_json(ConversationAck{"c_9"})) == encode_ack("l", Json{{"conversation_id", "c_9"}}));
  CHECK(encode_ack("p", to_json(PingAck{1763712000000})) ==
        encode_ack("p", Json{{"server_time", 1763712000000}}));

  const StaffUser u{"u_1", "sam", "Sam", StaffRole::supervisor, "t_default"};
  const Json user_json{{"id", "u_1"},
                       {"username", "sam"},
                       {"name", "Sam"},
                       {"role", "supervisor"},
                       {"tenant_id", "t_default"}};
  CHECK(to_json(u).dump() == user_json.dump());
  CHECK(to_json(StaffHelloAck{u, {"general", "billing"}}).dump() ==
        Json{{"user", user_json}, {"issue_types", Json::array({"general", "billing"})}}.dump());

  const ConversationItem item = sample_item("c_1", Status::pending);
  CHECK(to_json(InboxPage{InboxListName::queue, {item}, 1312, 200}).dump() ==
        Json{{"list", "queue"}, {"items", Json::array({to_json(item)})}, {"total", 1312}, {"offset", 200}}.dump());
}

TEST_CASE("replies: hello ack and the public tenant config") {
  PublicTenantConfig t;
  t.slug = "acme";
  t.title = "Acme support";
  t.welcome = "Hi!";
  t.position = "left";
  t.assistant_name = "Ava";
  t.assistant_enabled = false;
  t.prechat_form = true;
  const Json tenant_json{{"slug", "acme"},
                         {"title", "Acme support"},
                         {"welcome", "Hi!"},
                         {"brand_color", "#2563eb"},
                         {"position", "left"},
                         {"assistant_name", "Ava"},
                         {"assistant_enabled", false},
                         {"prechat_form", true},
                         {"csat_question", "How would you rate this conversation?"}};
  CHECK(to_json(t).dump() == tenant_json.dump());

  HelloAck a;
  a.visitor_token = "Vx3";
  a.new_visitor = false;
  a.contact_id = "k_7";
  a.tenant = t;
  a.conversations = {sample_conversation("c_2", Status::bot), sample_conversation("c_1", Status::resolved)};
  const Json by_hand{{"visitor_token", "Vx3"},
                     {"new_visitor", false},
                     {"contact_id", "k_7"},
                     {"tenant", tenant_json},
                     {"conversations", Json::array({to_json(a.conversations[0], false),
                                                    to_json(a.conversations[1], false)})}};
  CHECK(encode_ack("1", to_json(a)) == encode_ack("1", by_hand));

  const HelloAck back = value_of(decode_hello_ack(ack_data(to_json(a))));
  CHECK(back.visitor_token == "Vx3");
  CHECK(back.contact_id == "k_7");
  CHECK_FALSE(back.new_visitor);
  REQUIRE(back.tenant.has_value());
  CHECK(back.tenant->slug == "acme");
  CHECK(back.tenant->position == "left");
  CHECK_FALSE(back.tenant->assistant_enabled);
  CHECK(back.tenant->prechat_form);
  REQUIRE(back.conversations.size() == 2);
  CHECK(back.conversations[1].status == Status::resolved);
  CHECK(back.conversations[0].handoff_summary.empty());  // customer view: no staff-only members

  SUBCASE("absent members keep the base; GET /api/config's older \"tenant\" names the slug") {
    PublicTenantConfig base;
    base.welcome = "kept";
    const PublicTenantConfig c =
        value_of(decode_public_tenant_config(parse(R"({"tenant":"old","title":"T"})"), base));
    CHECK(c.slug == "old");
    CHECK(c.title == "T");
    CHECK(c.welcome == "kept");
    CHECK(c.brand_color == "#2563eb");
    CHECK(value_of(decode_public_tenant_config(parse(R"({"tenant":"old","slug":"new"})"))).slug == "new");
    const HelloAck partial =
        value_of(decode_hello_ack(parse(R"({"visitor_token":"v","tenant":{"title":"X"}})"), base));
    REQUIRE(partial.tenant.has_value());
    CHECK(partial.tenant->welcome == "kept");
    CHECK(partial.tenant->title == "X");
    CHECK(value_of(decode_hello_ack(parse(R"({"visitor_token":"v"})"))).tenant == std::nullopt);
  }
  SUBCASE("wrong types and missing members are errors naming the field") {
    Error e = error_of(decode_public_tenant_config(parse(R"({"prechat_form":"yes"})")));
    CHECK(code_of(e) == "bad_field");
    CHECK(e.field == "prechat_form");
    e = error_of(decode_hello_ack(parse(R"({"visitor_token":"v","tenant":{"title":7}})")));
    CHECK(code_of(e) == "bad_field");
    CHECK(e.field == "tenant.title");
    CHECK(e.message == "field \"tenant.title\": must be a string");
    e = error_of(decode_hello_ack(parse(R"({"new_visitor":true})")));
    CHECK(code_of(e) == "missing_field");
    CHECK(e.field == "visitor_token");
    e = error_of(decode_hello_ack(parse(R"({"visitor_token":"v","conversations":[{"id":"c_1"}]})")));
    CHECK(code_of(e) == "missing_field");
    CHECK(e.field == "conversations.tenant_id");
    e = error_of(decode_hello_ack(parse(R"({"visitor_token":"v","conversations":{}})")));
    CHECK(e.field == "conversations");
    CHECK(code_of(error_of(decode_hello_ack(parse("[]")))) == "bad_field");
  }
}

TEST_CASE("replies: start, send, head, ping acks decode strictly") {
  StartAck s = value_of(decode_start_ack(ack_data(to_json(StartAck{"c_9", 5, true}))));
  CHECK(s.conversation_id == "c_9");
  CHECK(s.head_seq == 5);
  CHECK(s.duplicate);
  CHECK_FALSE(value_of(decode_start_ack(parse(R"({"conversation_id":"c","head_seq":0})"))).duplicate);
  CHECK(error_of(decode_start_ack(parse(R"({"conversation_id":"c"})"))).field == "head_seq");
  CHECK(error_of(decode_start_ack(parse(R"({"conversation_id":"c","head_seq":-1})"))).field == "head_seq");
  CHECK(error_of(decode_start_ack(parse(R"({"conversation_id":"","head_seq":1})"))).field == "conversation_id");
  CHECK(error_of(decode_start_ack(parse(R"({"conversation_id":"c","head_seq":1,"duplicate":1})"))).field ==
        "duplicate");

  const SendAck m = value_of(decode_send_ack(ack_data(to_json(SendAck{"c_9", 4, false, {}}))));
  CHECK(m.seq == 4);
  CHECK_FALSE(m.duplicate);
  CHECK(error_of(decode_send_ack(parse(R"({"conversation_id":"c","seq":"4"})"))).field == "seq");

  const HeadAck h = value_of(decode_head_ack(parse(R"({"conversation_id":"c","head_seq":8,"extra":1})")));
  CHECK(h.head_seq == 8);
  CHECK(code_of(error_of(decode_head_ack(parse(R"({"head_seq":8})")))) == "missing_field");
  CHECK(value_of(decode_conversation_ack(parse(R"({"conversation_id":"c"})"))).conversation_id == "c");
  CHECK(value_of(decode_ping_ack(parse(R"({"server_time":17})"))).server_time == 17);
  CHECK(error_of(decode_ping_ack(parse(R"({"server_time":1.5})"))).field == "server_time");
}

TEST_CASE("replies: a send ack carries the sender's own event, spliced as text") {
  Event e;
  e.conversation_id = "c_9";
  e.seq = 4;
  e.type = "chat.new_message";
  e.at = 1700000000000;
  e.actor = Actor{Role::customer, "k_1", "Ana \"the\" customer"};
  e.data = Json{{"message", {{"conversation_id", "c_9"}, {"seq", 4}, {"client_msg_id", "m1"}, {"text", "héllo }}"}}}};
  const std::string frame = encode_event(e);
  const std::string both = encode_ack_with_event("r\"1", to_json(SendAck{"c_9", 4, false, {}}), frame);

  Result<ServerFrame> f = decode_server_frame(both);
  REQUIRE(f.ok());
  CHECK(f->kind == ServerFrame::Kind::ack);
  CHECK(f->re == "r\"1");
  const SendAck a = value_of(decode_send_ack(f->data));
  CHECK(a.seq == 4);
  REQUIRE(a.event.has_value());
  CHECK(encode_event(*a.event) == frame);  // the very event the others get
  // An empty data object takes the event without a stray comma.
  CHECK(parse(encode_ack_with_event("x", Json::object(), frame).c_str())["data"]["event"]["seq"] == 4);
  // Without an event the ack decodes as before; an event of another seq is refused.
  CHECK_FALSE(value_of(decode_send_ack(ack_data(to_json(SendAck{"c_9", 4, false, {}})))).event.has_value());
  Json wrong = f->data;
  wrong["event"]["seq"] = 5;
  CHECK(error_of(decode_send_ack(wrong)).field == "event");
  wrong["event"] = "text";
  CHECK(error_of(decode_send_ack(wrong)).field == "event");
}

TEST_CASE("replies: join ack, customer and staff views") {
  const Conversation c = sample_conversation("c_1", Status::active);
  JoinAck customer{"c_1", 4, c};
  const Json customer_json = to_json(customer);
  CHECK(customer_json.dump() ==
        Json{{"conversation_id", "c_1"}, {"head_seq", 4}, {"conversation", to_json(c, false)}}.dump());
  JoinAck back = value_of(decode_join_ack(ack_data(customer_json)));
  CHECK_FALSE(back.staff);
  REQUIRE(back.conversation.has_value());
  CHECK(back.conversation->status == Status::active);
  CHECK(back.conversation->handoff_summary.empty());

  JoinAck staff{"c_1", 4, c, true, ContactCard{"k_1", "Ada", "ada@example.com", "+44"}, "Where?", 3};
  Json summary = to_json(c, true);  // what Hub::conversation_summary built
  summary["contact"] = Json{{"id", "k_1"}, {"name", "Ada"}, {"email", "ada@example.com"}, {"phone", "+44"}};
  summary["preview"] = "Where?";
  summary["last_customer_seq"] = 3;
  CHECK(to_json(staff).dump() ==
        Json{{"conversation_id", "c_1"}, {"head_seq", 4}, {"conversation", summary}}.dump());
  back = value_of(decode_join_ack(ack_data(to_json(staff))));
  CHECK(back.staff);
  CHECK(back.contact.phone == "+44");
  CHECK(back.preview == "Where?");
  CHECK(back.last_customer_seq == 3);
  REQUIRE(back.conversation.has_value());
  CHECK(back.conversation->handoff_summary == "Customer asked");
  CHECK(back.conversation->page_url == "https://shop.example/");

  CHECK(value_of(decode_join_ack(parse(R"({"conversation_id":"c","head_seq":0})"))).conversation == std::nullopt);
  const Error e = error_of(decode_join_ack(parse(R"({"conversation_id":"c","head_seq":1,"conversation":{"id":"c"}})")));
  CHECK(e.field == "conversation.tenant_id");
  summary["contact"]["email"] = 5;
  CHECK(error_of(decode_join_ack(Json{{"conversation_id", "c"}, {"head_seq", 1}, {"conversation", summary}})).field ==
        "conversation.contact.email");
}

TEST_CASE("replies: inbox.list page, snapshot and changes") {
  const ConversationItem q1 = sample_item("c_1", Status::pending), m1 = sample_item("c_2", Status::active);
  const InboxPage page = value_of(decode_inbox_page(ack_data(to_json(InboxPage{InboxListName::mine, {m1}, 3, 1}))));
  CHECK(page.list == InboxListName::mine);
  REQUIRE(page.items.size() == 1);
  CHECK(page.items[0].contact_name == "Ada");
  CHECK(page.total == 3);
  CHECK(page.offset == 1);
  CHECK(error_of(decode_inbox_page(parse(R"({"list":"all","items":[],"total":0})"))).field == "list");
  CHECK(error_of(decode_inbox_page(parse(R"({"list":"queue","items":[{"id":"x"}],"total":1})"))).field ==
        "items.status");

  InboxSnapshot s;
  s.user = StaffUser{"u_1", "sam", "Sam", StaffRole::agent, "t_default"};
  s.counts = TenantCounts{4, 1312, 3, 12, 41};
  s.issue_types = {"general", "billing"};
  s.server_time = 1763712000000;
  s.queue = {q1};
  s.queue_total = 1312;
  s.mine = {m1};
  s.mine_total = 3;
  const Json by_hand{{"user", to_json(s.user)},
                     {"counts",
                      {{"bot", 4}, {"waiting", 1312}, {"active", 3}, {"resolved_today", 12}, {"avg_wait_s", 41}}},
                     {"issue_types", Json::array({"general", "billing"})},
                     {"server_time", 1763712000000},
                     {"queue", Json::array({to_json(q1)})},
                     {"queue_total", 1312},
                     {"mine", Json::array({to_json(m1)})},
                     {"mine_total", 3}};
  CHECK(encode_notice(s) == encode_notice("inbox.snapshot", by_hand));
  // From items encoded once: byte for byte the same frame, also with a name that looks like a key.
  {
    const std::string eq = encode_item(q1), em = encode_item(m1);
    CHECK(encode_inbox_snapshot(s, {&eq}, {&em}) == encode_notice(s));
    InboxSnapshot tricky = s;
    tricky.user.name = "\"mine\":[]";
    tricky.issue_types = {"\"queue\":[]"};
    CHECK(encode_inbox_snapshot(tricky, {&eq}, {&em}) == encode_notice(tricky));
    InboxSnapshot none = s;
    none.queue.clear();
    none.mine.clear();
    CHECK(encode_inbox_snapshot(none, {}, {}) == encode_notice(none));
  }
  Result<ServerFrame> frame = decode_server_frame(encode_notice(s));
  const ServerFrame f = value_of(std::move(frame));
  CHECK(f.type == notice::inbox_snapshot);
  const InboxSnapshot back = value_of(decode_inbox_snapshot(f.data));
  CHECK(back.user.name == "Sam");
  CHECK(back.counts.waiting == 1312);
  CHECK(back.counts.avg_wait_s == 41);
  CHECK(back.issue_types == s.issue_types);
  CHECK(back.server_time == s.server_time);
  REQUIRE(back.queue.size() == 1);
  CHECK(back.queue[0].id == "c_1");
  CHECK(back.queue_total == 1312);
  CHECK(back.mine_total == 3);
  // A relay without paging: the totals are the lists' sizes.
  const InboxSnapshot whole = value_of(decode_inbox_snapshot(
      Json{{"user", {{"id", "u_1"}}}, {"queue", Json::array({to_json(q1)})}, {"mine", Json::array()}}));
  CHECK(whole.queue_total == 1);
  CHECK(whole.mine_total == 0);
  CHECK(code_of(error_of(decode_inbox_snapshot(parse(R"({"queue":[]})")))) == "missing_field");
  CHECK(error_of(decode_inbox_snapshot(parse(R"({"user":{"id":"u","role":"boss"}})"))).field == "user.role");
  CHECK(error_of(decode_inbox_snapshot(parse(R"({"user":{"id":"u"},"issue_types":["a",1]})"))).field ==
        "issue_types");
  CHECK(error_of(decode_inbox_snapshot(parse(R"({"user":{"id":"u"},"counts":{"bot":-1}})"))).field ==
        "counts.bot");

  const InboxChanges changes{{q1, m1}, TenantCounts{0, 12, 3, 41, 38}};
  CHECK(encode_notice(changes) ==
        encode_notice("inbox.changes",
                      Json{{"conversations", Json::array({to_json(q1), to_json(m1)})},
                           {"counts",
                            {{"bot", 0}, {"waiting", 12}, {"active", 3}, {"resolved_today", 41}, {"avg_wait_s", 38}}}}));
  // Joined from items encoded once: the same frame as the document, byte for byte.
  const std::string e1 = encode_item(q1), e2 = encode_item(m1), ec = encode_counts(*changes.counts);
  CHECK(encode_inbox_changes({&e1, &e2}, &ec) == encode_notice(changes));
  CHECK(encode_inbox_changes({&e1}, nullptr) == encode_notice(InboxChanges{{q1}, std::nullopt}));
  CHECK(encode_inbox_changes({}, &ec) == encode_notice(InboxChanges{{}, changes.counts}));
  const InboxChanges cb = value_of(decode_inbox_changes(to_json(changes)));
  REQUIRE(cb.conversations.size() == 2);
  CHECK(cb.conversations[1].status == Status::active);
  REQUIRE(cb.counts.has_value());
  CHECK(cb.counts->resolved_today == 41);

  // The older inbox.conversation shape, its preview beside the item.
  Json legacy_item = to_json(q1);
  legacy_item.erase("preview");
  const InboxChanges legacy = value_of(
      decode_inbox_changes(Json{{"conversation", legacy_item}, {"preview", "beside"}, {"counts", {{"waiting", 2}}}}));
  REQUIRE(legacy.conversations.size() == 1);
  CHECK(legacy.conversations[0].preview == "beside");
  CHECK(legacy.counts->waiting == 2);
  CHECK(value_of(decode_inbox_changes(Json::object())).counts == std::nullopt);
  CHECK(error_of(decode_inbox_changes(Json{{"conversations", Json::array({to_json(q1), Json{{"id", 1}}})}})).field ==
        "conversations.id");
}
