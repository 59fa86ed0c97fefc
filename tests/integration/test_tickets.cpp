// Issue 9, tickets, the customer context and blocks: converting a chat (its system line, one ticket
// per conversation, audited), the ticket list/view/status changes, the context of a customer, and
// blocking a visitor by contact and by address (refused with the code blocked over the WebSocket, lifted,
// kept across a restart); authorisation (roles, API key scopes), tenant isolation and bad input.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "harness.hpp"

using namespace parley::it;

namespace {

const std::vector<std::string> kNoRestLimit = {"--rest-rate", "100000", "--rest-burst", "100000"};

Headers browser(const Relay& relay, const std::string& cookie) { return {{"Cookie", cookie}, {"Origin", relay.origin()}}; }

HttpResult patch_json(const Relay& relay, const std::string& target, const Json& body, const Headers& h) {
  Headers all = h;
  all.emplace_back("Content-Type", "application/json");
  return http(relay.port(), "PATCH", target, body.dump(), all);
}

HttpResult del(const Relay& relay, const std::string& target, const Headers& h) {
  return http(relay.port(), "DELETE", target, "", h);
}

// A chat handed to a person and accepted by `staff`.
std::string accepted_chat(Customer& cust, Staff& staff, const std::string& name) {
  const std::string cid = cust.start({{"name", name}});
  REQUIRE(cust.send(cid, "my parcel never arrived").ok());
  REQUIRE(cust.send(cid, "I want to talk to a human").ok());
  cust->wait_for(is_event("chat.handed_off", cid), "chat.handed_off");
  REQUIRE(staff->request(cmd("chat.accept", {{"conversation_id", cid}})).ok());
  return cid;
}

// A refusal of a blocked visitor: the error code blocked (issue 9's admin round; it was forbidden +
// field "blocked" before).
bool refused_blocked(const WsClient::Reply& r) {
  return r.code() == "blocked";
}

std::int64_t audits(const Relay& relay, const std::string& action) {
  return db_int(relay, "SELECT COUNT(*) FROM audit WHERE action = ?1", {action});
}

}  // namespace

TEST_CASE("tickets: a chat becomes a ticket with a system line; one per conversation; listed, viewed, changed, audited") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.start();
  Customer cust = Customer::connect(relay);
  Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);
  const Headers h = browser(relay, admin.cookie);
  const std::string cid = accepted_chat(cust, admin, "Rita");
  const std::string convert = "/api/live-chat/" + cid + "/convert-to-ticket";

  // Bad input and unknown conversations first: nothing is stored.
  CHECK(http_post_json(relay.port(), convert, {{"title", std::string(201, 't')}}, h).status == 400);
  CHECK(http_post_json(relay.port(), convert, {{"priority", "whenever"}}, h).status == 400);
  CHECK(http_post_json(relay.port(), convert, {{"title", 12}}, h).status == 400);
  CHECK(http(relay.port(), "POST", convert, "[1]", {{"Cookie", admin.cookie}, {"Origin", relay.origin()}}).status == 400);
  CHECK(http_post_json(relay.port(), "/api/live-chat/c_nope/convert-to-ticket", Json::object(), h).status == 404);
  CHECK(http_post_json(relay.port(), convert, Json::object()).status == 401);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM tickets") == 0);

  auto made = http_post_json(relay.port(), convert, {{"description", "  Parcel 12 lost  "}}, h);
  REQUIRE(made.status == 201);
  const Json t = made.json();
  const std::string tid = t.value("id", "");
  CHECK(tid.rfind("tk_", 0) == 0);
  CHECK(t["title"] == "Chat with Rita");
  CHECK(t["description"] == "Parcel 12 lost");
  CHECK(t["status"] == "open");
  CHECK(t["conversation_id"] == cid);
  CHECK(t["assignee_id"].is_string());  // the chat's assignee
  CHECK(audits(relay, "ticket.created") == 1);

  // The conversation's line: to the customer (the id only) and to staff.
  auto line = cust->wait_for(is_event("chat.ticket_created", cid), "chat.ticket_created to the customer");
  CHECK(line["data"]["ticket_id"] == tid);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM events WHERE conversation_id = ?1 AND type = 'chat.ticket_created'", {cid}) == 1);

  // One ticket per conversation: 409 naming the existing one.
  auto again = http_post_json(relay.port(), convert, Json::object(), h);
  CHECK(again.status == 409);
  CHECK(again.json().value("ticket_id", "") == tid);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM tickets") == 1);

  // List with filters, and bad filters.
  auto list = http_get(relay.port(), "/api/v1/tickets", h);
  REQUIRE(list.status == 200);
  CHECK(list.json()["total"] == 1);
  CHECK(list.json()["tickets"][0]["id"] == tid);
  CHECK(http_get(relay.port(), "/api/v1/tickets?status=solved", h).json()["total"] == 0);
  CHECK(http_get(relay.port(), "/api/v1/tickets?status=open&assignee=" + t["assignee_id"].get<std::string>(), h)
            .json()["total"] == 1);
  CHECK(http_get(relay.port(), "/api/v1/tickets?status=done", h).status == 400);
  CHECK(http_get(relay.port(), "/api/v1/tickets?limit=100000", h).status == 400);

  // One ticket with its transcript.
  auto one = http_get(relay.port(), "/api/v1/tickets/" + tid, h);
  REQUIRE(one.status == 200);
  bool has_text = false;
  const Json one_json = one.json();  // a named value: the loop must not range over a temporary
  for (const Json& m : one_json["messages"]) has_text = has_text || m.value("text", "") == "my parcel never arrived";
  CHECK(has_text);
  CHECK(one.json()["conversation"]["id"] == cid);
  CHECK(http_get(relay.port(), "/api/v1/tickets/tk_nope", h).status == 404);

  // Status changes follow the rules in shared/ (parley/tickets.hpp).
  const std::string path = "/api/v1/tickets/" + tid;
  CHECK(patch_json(relay, path, Json::object(), h).status == 400);
  CHECK(patch_json(relay, path, {{"status", "done"}}, h).status == 400);
  CHECK(patch_json(relay, path, {{"colour", "red"}}, h).status == 400);
  CHECK(patch_json(relay, path, {{"assignee_id", "u_nobody"}}, h).status == 400);
  auto solved = patch_json(relay, path, {{"status", "solved"}, {"priority", "urgent"}}, h);
  REQUIRE(solved.status == 200);
  CHECK(solved.json()["status"] == "solved");
  CHECK(solved.json()["priority"] == "urgent");
  CHECK(solved.json()["solved_at"].get<std::int64_t>() > 0);
  auto bad_move = patch_json(relay, path, {{"status", "pending"}}, h);
  CHECK(bad_move.status == 409);
  CHECK(bad_move.json()["error"]["code"] == "invalid_transition");
  CHECK(patch_json(relay, path, {{"assignee_id", nullptr}}, h).json()["assignee_id"].is_null());
  CHECK(patch_json(relay, path, {{"status", "closed"}}, h).status == 200);
  CHECK(patch_json(relay, path, {{"status", "open"}}, h).status == 409);  // closed is final
  CHECK(db_int(relay, "SELECT COUNT(*) FROM tickets WHERE id = ?1 AND status = 'closed'", {tid}) == 1);
  CHECK(audits(relay, "ticket.updated") == 3);
}

TEST_CASE("tickets: roles, API key scopes and tenants apart") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.ctl({"tenant", "create", "acme", "--name", "Acme"});
  relay.start();
  relay.create_user("sam", "sam-password-1", "agent");
  relay.ctl({"--tenant", "acme", "users", "create", "ace", "--role", "admin", "--password", "ace-password-1"});
  Staff sam = Staff::connect(relay, "sam", "sam-password-1");
  const Headers hs = browser(relay, sam.cookie);
  const Headers ace = browser(relay, login(relay, "ace", "ace-password-1"));
  Customer cust = Customer::connect(relay);
  const std::string cid = accepted_chat(cust, sam, "Ola");

  // Another tenant's admin sees nothing of it.
  CHECK(http_post_json(relay.port(), "/api/live-chat/" + cid + "/convert-to-ticket", Json::object(), ace).status == 404);
  // An agent converts; a read-only key may read but not change.
  auto made = http_post_json(relay.port(), "/api/live-chat/" + cid + "/convert-to-ticket", {{"title", "Lost parcel"}}, hs);
  REQUIRE(made.status == 201);
  const std::string tid = made.json().value("id", "");
  const std::string read_key = relay.create_api_key("r", "read");
  const std::string write_key = relay.create_api_key("w", "read,write");
  const Headers rk = {{"Authorization", "Bearer " + read_key}};
  const Headers wk = {{"Authorization", "Bearer " + write_key}};
  CHECK(http_get(relay.port(), "/api/v1/tickets/" + tid, rk).status == 200);
  CHECK(patch_json(relay, "/api/v1/tickets/" + tid, {{"status", "pending"}}, rk).status == 403);
  CHECK(patch_json(relay, "/api/v1/tickets/" + tid, {{"status", "pending"}}, wk).status == 200);
  CHECK(http_get(relay.port(), "/api/v1/tickets", {{"Authorization", "Bearer " + relay.create_api_key("s", "sync")}})
            .status == 403);

  CHECK(http_get(relay.port(), "/api/v1/tickets/" + tid, ace).status == 404);
  CHECK(patch_json(relay, "/api/v1/tickets/" + tid, {{"status", "solved"}}, ace).status == 404);
  auto acme_list = http_get(relay.port(), "/api/v1/tickets", ace);
  CHECK(acme_list.status == 200);
  CHECK(acme_list.json()["total"] == 0);
  CHECK(http_get(relay.port(), "/api/live-chat/" + cid + "/customer-context", ace).status == 404);
  CHECK(http_get(relay.port(), "/api/v1/blocks", ace).json()["blocks"].empty());
  // Cross-site changes with a cookie are refused.
  CHECK(patch_json(relay, "/api/v1/tickets/" + tid, {{"status", "solved"}},
                   {{"Cookie", sam.cookie}, {"Origin", "https://evil.example"}})
            .status == 403);
}

TEST_CASE("customer context: the contact, their previous conversations and their tickets") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.start();
  Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);
  const Headers h = browser(relay, admin.cookie);
  Customer cust = Customer::connect(relay);
  const std::string first = accepted_chat(cust, admin, "Rita");
  REQUIRE(http_post_json(relay.port(), "/api/live-chat/" + first + "/convert-to-ticket", Json::object(), h).status == 201);
  REQUIRE(admin->request(cmd("chat.resolve", {{"conversation_id", first}, {"resolution", "ticket"}, {"issue_type", "billing"}})).ok());
  cust->wait_for(is_event("chat.resolved", first), "chat.resolved");
  // The same visitor comes back (same token) and starts again.
  Customer back = Customer::connect(relay, cust.token);
  const std::string second = back.start({{"name", "Rita"}});
  REQUIRE(back.send(second, "still nothing").ok());

  auto ctx = http_get(relay.port(), "/api/live-chat/" + second + "/customer-context", h);
  REQUIRE(ctx.status == 200);
  const Json j = ctx.json();
  CHECK(j["contact"]["name"] == "Rita");
  CHECK(j["contact"]["channel"] == "web");
  CHECK(j["contact"]["verified"] == false);
  REQUIRE(j["conversations"].size() == 1);  // the one on screen is not "previous"
  CHECK(j["conversations"][0]["id"] == first);
  CHECK(j["conversations"][0]["status"] == "resolved");
  REQUIRE(j["tickets"].size() == 1);
  CHECK(j["tickets"][0]["conversation_id"] == first);
  CHECK(j["counts"]["conversations"] == 2);
  CHECK(j["counts"]["tickets"] == 1);
  CHECK(j["counts"]["open_tickets"] == 1);
  CHECK(j["blocked"] == false);
  const std::string contact = j["contact"].value("id", "");

  // The contact's own route, and the conversations view filtered by contact.
  auto by_contact = http_get(relay.port(), "/api/v1/contacts/" + contact + "/context", h);
  REQUIRE(by_contact.status == 200);
  CHECK(by_contact.json()["conversations"].size() == 2);
  auto view = http_get(relay.port(), "/api/live-chat/conversations?contact=" + contact, h);
  REQUIRE(view.status == 200);
  CHECK(view.json()["total"] == 2);
  CHECK(http_get(relay.port(), "/api/live-chat/conversations?contact=k_nobody", h).json()["total"] == 0);
  CHECK(http_get(relay.port(), "/api/v1/contacts/k_nobody/context", h).status == 404);
  CHECK(http_get(relay.port(), "/api/live-chat/c_nobody/customer-context", h).status == 404);
  CHECK(http_get(relay.port(), "/api/v1/contacts/" + contact + "/context").status == 401);
}

TEST_CASE("blocks: by contact and by address; refused as blocked; audited; lifted; kept across a restart") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.ctl({"tenant", "create", "acme", "--name", "Acme"});
  relay.start();
  relay.ctl({"--tenant", "acme", "users", "create", "ace", "--role", "admin", "--password", "ace-password-1"});
  relay.create_user("sam", "sam-password-1", "agent");
  Staff sam = Staff::connect(relay, "sam", "sam-password-1");
  const Headers h = browser(relay, sam.cookie);
  const Headers ace = browser(relay, login(relay, "ace", "ace-password-1"));
  Customer abuser = Customer::connect(relay);
  const std::string cid = abuser.start({{"name", "Troll"}});
  REQUIRE(abuser.send(cid, "first").ok());

  // Bad input.
  const auto post = [&](const Json& b, const Headers& hh) { return http_post_json(relay.port(), "/api/v1/blocks", b, hh); };
  CHECK(post({{"kind", "contact"}, {"conversation_id", cid}}, h).status == 400);                     // no reason
  CHECK(post({{"kind", "person"}, {"conversation_id", cid}, {"reason", "x"}}, h).status == 400);      // kind
  CHECK(post({{"kind", "contact"}, {"reason", "x"}}, h).status == 400);                               // whom
  CHECK(post({{"kind", "address"}, {"address", "1.2.3.4"}, {"reason", "x"}}, h).status == 400);       // no duration
  CHECK(post({{"kind", "address"}, {"address", "1.2.3"}, {"reason", "x"}, {"duration_s", 600}}, h).status == 400);
  CHECK(post({{"kind", "contact"}, {"conversation_id", cid}, {"reason", "x"}, {"duration_s", 5}}, h).status == 400);
  CHECK(post({{"kind", "contact"}, {"conversation_id", cid}, {"reason", "x"}, {"duration_s", "1h"}}, h).status == 400);
  CHECK(post({{"kind", "contact"}, {"conversation_id", cid}, {"reason", "x"}}, ace).status == 404);  // other tenant
  CHECK(post({{"kind", "contact"}, {"contact_id", "k_nobody"}, {"reason", "x"}}, h).status == 404);
  CHECK(post({{"kind", "contact"}, {"conversation_id", cid}, {"reason", "x"}}, {}).status == 401);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM blocks") == 0);

  // Block the contact: its messages and new chats are refused; another visitor is not.
  auto b = post({{"kind", "contact"}, {"conversation_id", cid}, {"reason", "insults"}}, h);
  REQUIRE(b.status == 201);
  const std::string block_id = b.json().value("id", "");
  CHECK(b.json()["active"] == true);
  CHECK(audits(relay, "block.created") == 1);
  const std::int64_t stored = stored_message_count(relay);
  CHECK(refused_blocked(abuser.send(cid, "more insults")));
  CHECK(refused_blocked(abuser->request(cmd("chat.start", {{"name", "Troll"}}))));
  CHECK(stored_message_count(relay) == stored);
  Customer fine = Customer::connect(relay);
  const std::string ok_cid = fine.start({{"name", "Nice"}});
  CHECK(fine.send(ok_cid, "hello").ok());
  // The same visitor reconnecting is still refused.
  Customer again = Customer::connect(relay, abuser.token);
  CHECK(refused_blocked(again.send(cid, "again")));

  auto listed = http_get(relay.port(), "/api/v1/blocks?active=1", h);
  REQUIRE(listed.status == 200);
  REQUIRE(listed.json()["blocks"].size() == 1);
  CHECK(listed.json()["blocks"][0]["reason"] == "insults");
  CHECK(http_get(relay.port(), "/api/v1/blocks?active=maybe", h).status == 400);

  // Another tenant cannot lift it; staff of the tenant can (audited); then the visitor may write.
  CHECK(del(relay, "/api/v1/blocks/" + block_id, ace).status == 404);
  auto lifted = del(relay, "/api/v1/blocks/" + block_id, h);
  REQUIRE(lifted.status == 200);
  CHECK(lifted.json()["active"] == false);
  CHECK(audits(relay, "block.lifted") == 1);
  CHECK(abuser.send(cid, "sorry").ok());
  CHECK(del(relay, "/api/v1/blocks/blk_nope", h).status == 404);

  // By address, for a time: the visitor's address (the relay remembers it; loopback here), so a
  // new visitor from the same address is refused too.
  auto by_addr = post({{"kind", "address"}, {"conversation_id", cid}, {"reason", "flood"}, {"duration_s", 600}}, h);
  REQUIRE(by_addr.status == 201);
  CHECK(by_addr.json()["contact_id"].is_null());  // addresses are not shown back
  CHECK(by_addr.json()["expires_at"].get<std::int64_t>() > by_addr.json()["created_at"].get<std::int64_t>());
  Customer newcomer = Customer::connect(relay);
  CHECK(refused_blocked(newcomer->request(cmd("chat.start", {{"name", "Sock puppet"}}))));

  // Blocks are stored: still refused after a restart.
  relay.restart();
  Customer after = Customer::connect(relay, abuser.token);
  CHECK(refused_blocked(after.send(cid, "back")));
  // Read-only API keys may list but not block.
  const Headers rk = {{"Authorization", "Bearer " + relay.create_api_key("r", "read")}};
  CHECK(http_get(relay.port(), "/api/v1/blocks", rk).status == 200);
  CHECK(post({{"kind", "contact"}, {"conversation_id", cid}, {"reason", "x"}}, rk).status == 403);
}
