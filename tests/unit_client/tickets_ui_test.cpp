// client/inbox/tickets_model.hpp and customer_model.hpp: the Tickets area's and the Customer
// panel's requests, rules and answers (issue 9).
#include <doctest/doctest.h>

#include "inbox/customer_model.hpp"
#include "inbox/tickets_model.hpp"

using parley::Json;
using parley::inbox::CustomerModel;
using parley::inbox::http_refusal;
using parley::inbox::TicketsModel;

namespace {
template <class M>
typename M::Request only(M& m) {
  auto rs = m.take_requests();
  REQUIRE(rs.size() == 1);
  return rs[0];
}
const char* kTicket = R"({"id":"tk_1","conversation_id":"c_1","contact_id":"k_1","title":"Lost parcel",
  "description":"","status":"open","priority":"normal","assignee_id":null,"created_at":5,"updated_at":6})";
const char* kAgents = R"({"agents":[{"id":"u_a","name":"Ann","username":"ann","role":"agent","online":true},
  {"id":"u_b","name":"","username":"bob","role":"supervisor","online":false}]})";
const char* kContext = R"({"contact":{"id":"k_1","name":"Rita","email":"rita@example.com","phone":"",
  "channel":"web","verified":false,"created_at":1},
  "conversations":[{"id":"c_0","status":"resolved","channel":"web","topic":"Billing","priority":"normal",
   "issue_type":"billing","created_at":1,"updated_at":2,"resolved_at":2,"csat_rating":4},
   {"id":"c_00","status":"resolved","channel":"web","topic":"","priority":"low","issue_type":"",
   "created_at":1,"updated_at":2,"resolved_at":2,"csat_rating":0}],
  "tickets":[],"counts":{"conversations":3,"resolved":2,"tickets":0,"open_tickets":0},"blocked":false,
  "conversation_id":"c_1","page":{"url":"https://shop.example/cart","title":"Cart","referrer":""}})";
}  // namespace

TEST_CASE("tickets: refusals in words, from the relay's error or the status") {
  CHECK(http_refusal(0, "") == "The relay did not answer; try again.");
  CHECK(http_refusal(409, R"({"error":{"code":"conflict","message":"this conversation already has a ticket"}})") ==
        "this conversation already has a ticket");
  CHECK(http_refusal(403, "not json") == "You may not do this.");
  CHECK(http_refusal(500, "[]") == "The request failed (HTTP 500).");
}

TEST_CASE("tickets area: agents see tickets only; the list filters by status (REST) and priority (here)") {
  TicketsModel m;
  m.set_role("agent");
  m.open(TicketsModel::Tab::blocked);
  CHECK(m.tab() == TicketsModel::Tab::tickets);
  auto rs = m.take_requests();
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].url == "/api/live-chat/agents");
  CHECK(rs[1].url == "/api/v1/tickets?limit=200&status=open");
  m.set_tab(TicketsModel::Tab::agents);
  CHECK(m.tab() == TicketsModel::Tab::tickets);
  CHECK_FALSE(m.lift("blk_1"));

  const std::string two = std::string(R"({"tickets":[)") + kTicket +
                          R"(,{"id":"tk_2","status":"open","priority":"urgent","title":"Refund"}],"total":2})";
  // A newer filter's request makes the older answer stale: it is dropped.
  m.set_status_filter("");
  const auto newer = only(m);
  CHECK(newer.url == "/api/v1/tickets?limit=200");
  m.answered(rs[1], 200, two);
  CHECK_FALSE(m.tickets_loaded());
  m.answered(newer, 200, two);
  REQUIRE(m.visible_tickets().size() == 2);
  m.set_priority_filter("urgent");
  REQUIRE(m.visible_tickets().size() == 1);
  CHECK(m.visible_tickets()[0]->id == "tk_2");
  CHECK(m.take_requests().empty());  // the priority filter needs no request
  m.set_priority_filter("bogus");
  CHECK(m.priority_filter() == "urgent");
  m.set_status_filter("nonsense");
  CHECK(m.status_filter().empty());
  CHECK(m.take_requests().empty());
}

TEST_CASE("tickets area: one ticket opens with its transcript; moves follow the shared rule; patches update") {
  TicketsModel m;
  m.set_role("agent");
  m.open();
  auto rs = m.take_requests();
  m.answered(rs[0], 200, kAgents);
  m.answered(rs[1], 200, std::string(R"({"tickets":[)") + kTicket + R"(],"total":1})");
  m.select_ticket("tk_1");
  const auto detail = only(m);
  CHECK(detail.url == "/api/v1/tickets/tk_1");
  REQUIRE(m.selected());  // the list's row shows at once
  Json d = Json::parse(kTicket);
  d["messages"] = Json::parse(R"([{"seq":1,"sender":{"role":"customer","id":"k_1","name":"Rita"},"kind":"text",
    "text":"My parcel"},{"seq":2,"sender":{"role":"agent","id":"u_a","name":"Ann"},"kind":"note","text":"check"}])");
  d["conversation"] = Json::parse(R"({"id":"c_1","contact":{"id":"k_1","name":"Rita"}})");
  m.answered(detail, 200, d.dump());
  REQUIRE(m.transcript().size() == 2);
  CHECK(m.transcript()[1].kind == "note");
  CHECK(m.selected_customer() == "Rita");

  CHECK(m.can_move_to("pending"));
  CHECK(m.can_move_to("solved"));
  CHECK(m.can_move_to("closed"));
  CHECK_FALSE(m.can_move_to("open"));  // the status it has
  CHECK_FALSE(m.set_status("open"));
  REQUIRE(m.set_status("solved"));
  auto p = only(m);
  CHECK(p.method == "PATCH");
  CHECK(p.url == "/api/v1/tickets/tk_1");
  CHECK(Json::parse(p.body) == Json{{"status", "solved"}});
  Json solved = Json::parse(kTicket);
  solved["status"] = "solved";
  m.answered(p, 200, solved.dump());
  CHECK(m.selected()->status == "solved");
  CHECK(m.visible_tickets()[0]->status == "solved");
  CHECK(m.status_line() == "Ticket solved.");
  CHECK_FALSE(m.can_move_to("pending"));  // solved -> open or closed only
  CHECK_FALSE(m.set_status("pending"));
  CHECK(m.status_is_error());
  CHECK(m.take_requests().empty());

  REQUIRE(m.set_assignee("u_a"));
  p = only(m);
  CHECK(Json::parse(p.body) == Json{{"assignee_id", "u_a"}});
  m.answered(p, 400, R"({"error":{"code":"bad_field","message":"assignee_id names no active staff member"}})");
  CHECK(m.status_line() == "assignee_id names no active staff member");
  CHECK(m.status_is_error());
  CHECK_FALSE(m.set_assignee(""));  // nobody already
  REQUIRE(m.set_assignee("u_a"));
  p = only(m);
  Json ann = solved;
  ann["assignee_id"] = "u_a";
  m.answered(p, 200, ann.dump());
  CHECK(m.status_line() == "Assigned to Ann.");
  CHECK(m.selected()->assignee_id == "u_a");
  REQUIRE(m.set_assignee(""));  // nobody: null
  CHECK(Json::parse(only(m).body) == Json{{"assignee_id", nullptr}});
  CHECK(m.name_of("u_b") == "bob");
  CHECK(m.name_of("") == "Nobody");
  REQUIRE(m.set_priority("urgent"));
  CHECK(Json::parse(only(m).body) == Json{{"priority", "urgent"}});
  CHECK_FALSE(m.set_priority("bogus"));
  m.select_ticket("");
  CHECK_FALSE(m.selected());
  CHECK_FALSE(m.set_priority("low"));
}

TEST_CASE("tickets area: leads list active blocks and lift one; the agents tab loads every workload") {
  TicketsModel m;
  m.set_role("supervisor");
  m.open(TicketsModel::Tab::blocked);
  auto rs = m.take_requests();
  REQUIRE(rs.size() == 2);
  CHECK(rs[1].url == "/api/v1/blocks?active=1&limit=200");
  m.answered(rs[1], 200, R"({"blocks":[{"id":"blk_1","kind":"contact","contact_id":"k_1","reason":"insults",
    "created_by":"u_x","created_at":1,"expires_at":0,"lifted_at":0,"lifted_by":"","active":true}]})");
  REQUIRE(m.blocks().size() == 1);
  CHECK_FALSE(m.lift("blk_nope"));
  REQUIRE(m.lift("blk_1"));
  const auto del = only(m);
  CHECK(del.method == "DELETE");
  CHECK(del.url == "/api/v1/blocks/blk_1");
  m.answered(del, 200, R"({"id":"blk_1","active":false})");
  CHECK(m.blocks().empty());
  CHECK(m.status_line() == "Block lifted: the visitor can write again.");

  m.answered(rs[0], 200, kAgents);  // on the blocked tab: names only, no workloads
  CHECK(m.take_requests().empty());
  m.set_tab(TicketsModel::Tab::agents);
  const auto list = only(m);  // the list again, then every workload
  CHECK(list.url == "/api/live-chat/agents");
  m.answered(list, 200, kAgents);
  auto wl = m.take_requests();
  REQUIRE(wl.size() == 2);
  CHECK(wl[0].url == "/api/live-chat/agent/u_a/workload");
  m.answered(wl[0], 200, R"({"agent_id":"u_a","status":"away","active":2,"capacity":3,"free_slots":1,
    "conversation_ids":["c_1","c_2"]})");
  m.answered(wl[1], 403, R"({"error":{"code":"forbidden","message":"forbidden"}})");
  REQUIRE(m.agents().size() == 2);
  CHECK(m.agents()[0].status == "away");
  CHECK(m.agents()[0].active == 2);
  CHECK(m.agents()[0].free_slots == 1);
  CHECK(m.agents()[0].conversation_ids.size() == 2);
  CHECK(m.agents()[1].loaded);
  CHECK(m.agents()[1].status == "unknown");
  // Refresh: the list again, whose answer keeps known figures until the new ones come.
  m.refresh();
  const auto again = only(m);
  m.answered(again, 200, kAgents);
  CHECK(m.agents()[0].active == 2);
  CHECK(m.take_requests().size() == 2);
}

TEST_CASE("customer panel: the context loads; previous conversations, CSAT and the page are read") {
  CustomerModel m;
  m.open("c_1", "Rita", "", "high");
  const auto r = only(m);
  CHECK(r.url == "/api/live-chat/c_1/customer-context");
  m.open("c_1", "Rita", "", "high");  // again: nothing new
  CHECK(m.take_requests().empty());
  m.answered(r, 200, kContext);
  REQUIRE(m.loaded());
  CHECK(m.email == "rita@example.com");
  CHECK(m.page_url == "https://shop.example/cart");
  REQUIRE(m.previous().size() == 2);
  CHECK(m.previous()[0].issue_type == "billing");
  CHECK(m.csat_count() == 1);
  CHECK(m.csat_average() == doctest::Approx(4.0));
  CHECK(m.count_conversations == 3);
  CHECK_FALSE(m.blocked);
  // An answer for another conversation (the panel moved on) is dropped.
  m.open("c_2", "Sam", "", "normal");
  const auto r2 = only(m);
  m.answered(r, 200, kContext);
  CHECK_FALSE(m.loaded());
  m.answered(r2, 404, R"({"error":{"code":"not_found","message":"no such conversation"}})");
  CHECK(m.load_error() == "no such conversation");
}

TEST_CASE("customer panel: convert to ticket, prefilled as the relay would; the result and refusals") {
  CustomerModel m;
  m.open("c_1", "Rita", "", "high");
  m.answered(only(m), 200, kContext);
  m.open_convert();
  CHECK(m.form() == CustomerModel::Form::convert);
  CHECK(m.title == "Chat with Rita");
  CHECK(m.priority == "high");
  m.title = std::string(201, 'x');
  CHECK_FALSE(m.submit_convert());
  CHECK(m.status_is_error());
  CHECK(m.take_requests().empty());
  m.title = "  Lost parcel ";
  m.priority = "urgent";
  REQUIRE(m.submit_convert());
  const auto post = only(m);
  CHECK(post.method == "POST");
  CHECK(post.url == "/api/live-chat/c_1/convert-to-ticket");
  CHECK(Json::parse(post.body) == Json{{"title", "Lost parcel"}, {"priority", "urgent"}});
  m.answered(post, 409, R"({"error":{"code":"conflict","message":"this conversation already has a ticket",
    "field":"conversation_id"},"ticket_id":"tk_9"})");
  CHECK(m.status_line() == "Not converted: This chat already has a ticket (tk_9).");
  CHECK(m.ticket_id() == "tk_9");
  CHECK_FALSE(m.submit_convert());  // known now: not sent again

  CustomerModel n;
  n.open("c_1", "Rita", "Parcel", "normal");
  n.answered(only(n), 200, kContext);
  n.open_convert();
  CHECK(n.title == "Parcel");  // the topic first
  REQUIRE(n.submit_convert());
  const auto made = only(n);
  n.answered(made, 201, kTicket);
  CHECK(n.ticket_id() == "tk_1");
  CHECK(n.form() == CustomerModel::Form::none);
  CHECK(n.status_line() == "Ticket tk_1 created.");
  CHECK(only(n).what == CustomerModel::What::context);  // the tickets list is reloaded
}

TEST_CASE("customer panel: block with reason and duration, after a confirm step") {
  CustomerModel m;
  m.open("c_1", "Rita", "", "normal");
  m.answered(only(m), 200, kContext);
  m.open_block();
  CHECK_FALSE(m.ask_block());  // no reason
  CHECK(m.status_line() == "Give a reason for the block.");
  CHECK_FALSE(m.confirm_block());  // not confirmed: nothing goes
  CHECK(m.take_requests().empty());
  m.reason = std::string(501, 'a');
  CHECK_FALSE(m.ask_block());
  m.reason = "insults";
  m.set_block_kind("address");
  CHECK(m.duration == "86400");  // an address block is never until lifted
  m.duration = "forever";
  CHECK_FALSE(m.ask_block());
  m.duration = "3600";
  REQUIRE(m.ask_block());
  CHECK(m.form() == CustomerModel::Form::confirm_block);
  CHECK(m.confirm_words() ==
        "Block the address Rita writes from for 1 hour? Their new chats and messages will be refused.");
  m.cancel_form();
  CHECK_FALSE(m.confirm_block());
  m.open_block();
  m.reason = "insults";
  REQUIRE(m.ask_block());
  CHECK(m.confirm_words() == "Block Rita until lifted? Their new chats and messages will be refused.");
  REQUIRE(m.confirm_block());
  const auto post = only(m);
  CHECK(post.url == "/api/v1/blocks");
  CHECK(Json::parse(post.body) == Json{{"kind", "contact"}, {"conversation_id", "c_1"}, {"reason", "insults"}});
  m.answered(post, 400, R"({"error":{"code":"bad_field","message":"no address seen","field":"address"}})");
  CHECK(m.form() == CustomerModel::Form::block);
  CHECK(m.status_line() == "Not blocked: no address seen");
  REQUIRE(m.ask_block());
  REQUIRE(m.confirm_block());
  const auto again = only(m);
  m.answered(again, 201, R"({"id":"blk_1","kind":"contact","active":true})");
  CHECK(m.blocked);
  CHECK(m.status_line() == "The visitor is blocked.");
}
