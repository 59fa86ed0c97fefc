// Working a conversation (issue 9): transfer between agents (WebSocket and REST, who may, the new
// owner told, the system line, the event log and the audit row), a private note never reaching
// the customer's socket (live or replayed), the issue type, and canned responses' authorisation.
#include <doctest/doctest.h>

#include <algorithm>

#include "harness.hpp"

using namespace parley::it;

namespace {

const std::vector<std::string> kNoRestLimit = {"--rest-rate", "100000", "--rest-burst", "100000"};

Headers browser(const Relay& relay, const std::string& cookie) { return {{"Cookie", cookie}, {"Origin", relay.origin()}}; }

std::string user_id(const Staff& s) { return s.snapshot["user"].value("id", ""); }

// A customer's conversation taken over by `agent` (bot -> active, assigned to them).
std::string taken_by(Customer& cust, Staff& agent, const std::string& name = "Ada") {
  const std::string cid = cust.start({{"name", name}, {"topic", "Refund"}});
  auto h = agent->request(cmd("chat.handoff", {{"conversation_id", cid}}));
  REQUIRE(h.ok());
  REQUIRE(agent->request(cmd("chat.join", {{"conversation_id", cid}})).ok());
  return cid;
}

bool has_text(const std::vector<Json>& frames, const std::string& needle) {
  return std::any_of(frames.begin(), frames.end(), [&](const Json& f) { return f.dump().find(needle) != std::string::npos; });
}

}  // namespace

TEST_CASE("transfer between agents: the new owner is told and answers, the old one cannot, the customer sees a line but never the note") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.create_user("sam", "sam-password-1", "agent");
  relay.create_user("kim", "kim-password-1", "agent");
  relay.create_user("lee", "lee-password-1", "agent");
  relay.start();
  Staff sam = Staff::connect(relay, "sam", "sam-password-1");
  Staff kim = Staff::connect(relay, "kim", "kim-password-1");
  Staff lee = Staff::connect(relay, "lee", "lee-password-1");
  Customer cust = Customer::connect(relay);
  const std::string cid = taken_by(cust, sam);
  const std::string kim_id = user_id(kim), sam_id = user_id(sam);
  const std::string secret = "internal: customer was rude about " + unique_id("s");

  // Someone who is not the assignee (an agent) may not transfer it.
  auto refused = lee->request(cmd("chat.transfer", {{"conversation_id", cid}, {"agent_id", kim_id}}));
  CHECK(refused.code() == "not_assigned");
  // Bad targets.
  CHECK(sam->request(cmd("chat.transfer", {{"conversation_id", cid}})).code() == "missing_field");
  CHECK(sam->request(cmd("chat.transfer", {{"conversation_id", cid}, {"agent_id", "u_nobody"}})).code() == "not_found");
  CHECK(sam->request(cmd("chat.transfer", {{"conversation_id", cid}, {"agent_id", sam_id}})).code() == "bad_field");
  CHECK(sam->request(cmd("chat.transfer", {{"conversation_id", "c_nope"}, {"agent_id", kim_id}})).code() == "not_found");
  // A customer may not transfer.
  CHECK(cust->request(cmd("chat.transfer", {{"conversation_id", cid}, {"agent_id", kim_id}})).code() == "forbidden");

  auto t = sam->request(cmd("chat.transfer", {{"conversation_id", cid}, {"agent_id", kim_id}, {"note", secret}}));
  REQUIRE(t.ok());
  CHECK(t.data().value("conversation_id", "") == cid);

  // The new owner is told, and their "mine" list gets it.
  const Json told = kim->wait_for(is_type("inbox.transferred"), "inbox.transferred for kim");
  CHECK(told["data"].value("conversation_id", "") == cid);
  CHECK(told["data"]["by"].value("id", "") == sam_id);
  CHECK(told["data"].value("note", "") == secret);
  kim->wait_for(
      [&](const Json& f) {
        if (f.value("type", "") != "inbox.changes") return false;
        for (const Json& c : f["data"]["conversations"])
          if (c.value("id", "") == cid && c.value("status", "") == "active" && c["assignee"].is_object() &&
              c["assignee"].value("id", "") == kim_id)
            return true;
        return false;
      },
      "inbox.changes: the chat is kim's");

  // The customer sees the system line (who now helps them), never the note.
  const Json line = cust->wait_for(is_event("chat.transferred", cid), "chat.transferred at the customer");
  CHECK(line["data"]["to"].value("name", "") == "kim");
  CHECK(line.value("audience", "") == "everyone");
  // Staff who joined see the note as a staff-only message.
  const Json note = sam->wait_for(is_message(cid, secret), "the transfer note at sam");
  CHECK(note.value("audience", "") == "staff");
  CHECK(message_of(note).value("kind", "") == "note");

  // Only the new owner answers now.
  CHECK(sam->request(cmd("chat.send_message", {{"conversation_id", cid}, {"client_msg_id", unique_id("m")}, {"text", "still me"}}))
            .code() == "not_assigned");
  REQUIRE(kim->request(cmd("chat.send_message", {{"conversation_id", cid}, {"client_msg_id", unique_id("m")}, {"text", "Kim here"}}))
              .ok());
  cust->wait_for(is_message(cid, "Kim here"), "kim's answer at the customer");
  flush(*cust.ws);
  CHECK_FALSE(has_text(cust->all(), secret));
  // A fresh replay of the whole conversation does not hold it either.
  {
    Customer again = Customer::connect(relay, cust.token);
    auto j = again->request(cmd("chat.join", {{"conversation_id", cid}, {"after_seq", 0}}));
    REQUIRE(j.ok());
    flush(*again.ws);
    CHECK(has_text(again->all(), "Kim here"));
    CHECK_FALSE(has_text(again->all(), secret));
  }

  // The event log and the audit trail.
  CHECK(db_int(relay, "SELECT COUNT(*) FROM events WHERE conversation_id = ?1 AND type = 'chat.transferred'", {cid}) == 1);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM audit WHERE action = 'chat.transferred' AND target = ?1 AND actor_id = ?2",
               {cid, sam_id}) == 1);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM conversations WHERE id = ?1 AND assignee_id = ?2", {cid, kim_id}) == 1);
}

TEST_CASE("transfer over REST, by a supervisor, and to a team's queue") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.create_user("sam", "sam-password-1", "agent");
  relay.create_user("kim", "kim-password-1", "agent");
  relay.create_user("sue", "sue-password-1", "supervisor");
  relay.create_user("ann", "ann-password-1", "admin");
  relay.start();
  Staff sam = Staff::connect(relay, "sam", "sam-password-1");
  Staff kim = Staff::connect(relay, "kim", "kim-password-1");
  Customer cust = Customer::connect(relay);
  const std::string cid = taken_by(cust, sam);
  const std::string kim_id = user_id(kim);
  const Headers sue = browser(relay, login(relay, "sue", "sue-password-1"));
  const Headers kim_h = browser(relay, kim.cookie);

  // An agent who is not the assignee: refused over REST too (409 not_assigned, as for replies).
  {
    auto r = http_post_json(relay.port(), "/api/live-chat/" + cid + "/transfer", {{"agent_id", kim_id}}, kim_h);
    CHECK(r.status == 409);
    CHECK(r.json()["error"].value("code", "") == "not_assigned");
  }
  // Bad bodies.
  CHECK(http_post_json(relay.port(), "/api/live-chat/" + cid + "/transfer", Json::object(), sue).status == 400);
  CHECK(http_post_json(relay.port(), "/api/live-chat/" + cid + "/transfer", {{"agent_id", 7}}, sue).status == 400);
  CHECK(http_post_json(relay.port(), "/api/live-chat/" + cid + "/transfer", {{"agent_id", kim_id}, {"team", "x"}}, sue)
            .status == 400);
  CHECK(http_post_json(relay.port(), "/api/live-chat/c_nope/transfer", {{"agent_id", kim_id}}, sue).status == 404);
  // No cookie, and an API key (a hand-over is a person's decision).
  CHECK(http_post_json(relay.port(), "/api/live-chat/" + cid + "/transfer", {{"agent_id", kim_id}}).status == 401);
  const std::string key = relay.create_api_key("w", "read,write,admin");
  CHECK(http_post_json(relay.port(), "/api/live-chat/" + cid + "/transfer", {{"agent_id", kim_id}},
                       {{"Authorization", "Bearer " + key}})
            .status == 403);

  // The supervisor moves sam's chat to kim.
  auto r = http_post_json(relay.port(), "/api/live-chat/" + cid + "/transfer", {{"agent_id", kim_id}}, sue);
  CHECK(r.status == 200);
  kim->wait_for(is_type("inbox.transferred"), "inbox.transferred for kim");
  // Kim hands it to the billing team: back to the queue, for that team (named by its name; the
  // conversation and the event keep its id).
  const std::string admin = login(relay, "ann", "ann-password-1");
  REQUIRE(http(relay.port(), "PUT", "/api/v1/teams/billing", R"({"name":"Billing"})", browser(relay, admin)).status ==
          200);
  // Over the WebSocket, the team named with the spaces a picker or a paste leaves (REST trimmed
  // them; the command did not, and answered not_found).
  CHECK(kim->request(cmd("chat.transfer", {{"conversation_id", cid}, {"team", " Refunds "}})).code() == "not_found");
  const auto q = kim->request(cmd("chat.transfer", {{"conversation_id", cid}, {"team", "  Billing "}}));
  CHECK_MESSAGE(q.ok(), q.frame.dump());
  const Json queued = cust->wait_for(
      [&](const Json& f) { return is_event("chat.transferred", cid)(f) && f["data"].value("team", "") == "billing"; },
      "the team transfer at the customer");
  CHECK(queued["data"]["team_name"] == "Billing");
  CHECK(queued["data"]["to"].is_null());
  auto got = http_get(relay.port(), "/api/v1/conversations/" + cid, sue);
  CHECK(got.json()["conversation"].value("status", "") == "pending");
  CHECK(got.json()["conversation"].value("team", "") == "billing");

  // The transfer picker's directory: the tenant's staff, online ones first.
  auto agents = http_get(relay.port(), "/api/live-chat/agents", kim_h);
  REQUIRE(agents.status == 200);
  const Json list = agents.json()["agents"];
  REQUIRE(list.is_array());
  CHECK(list.size() == 4);  // sam, kim, sue, ann (no first admin: users existed before the first start)
  CHECK(list[0].value("online", false));
  CHECK_FALSE(agents.body.find("password") != std::string::npos);
}

TEST_CASE("a private note never reaches the customer's socket, live or replayed") {
  Relay relay;
  relay.create_user("sam", "sam-password-1", "agent");
  relay.start();
  Staff sam = Staff::connect(relay, "sam", "sam-password-1");
  Customer cust = Customer::connect(relay);
  const std::string cid = taken_by(cust, sam);
  const std::string secret = "NOTE-" + unique_id("n");
  auto n = sam->request(cmd("chat.send_message",
                            {{"conversation_id", cid}, {"client_msg_id", unique_id("m")}, {"text", secret}, {"kind", "note"}}));
  REQUIRE(n.ok());
  // The sender's own message rides in its ack (docs/protocol.md): a staff-only event.
  const Json seen = n.data().value("event", Json::object());
  CHECK(seen.value("audience", "") == "staff");
  CHECK(message_of(seen).value("text", "") == secret);
  // A reply after it: once the customer has it, everything sent before has been delivered.
  REQUIRE(sam->request(cmd("chat.send_message", {{"conversation_id", cid}, {"client_msg_id", unique_id("m")}, {"text", "after the note"}}))
              .ok());
  cust->wait_for(is_message(cid, "after the note"), "the reply at the customer");
  flush(*cust.ws);
  CHECK_FALSE(has_text(cust->all(), secret));
  // The note's seq is a number the customer never sees: the reply's seq is 2 above the one before.
  Customer again = Customer::connect(relay, cust.token);
  REQUIRE(again->request(cmd("chat.join", {{"conversation_id", cid}, {"after_seq", 0}})).ok());
  flush(*again.ws);
  CHECK(has_text(again->all(), "after the note"));
  CHECK_FALSE(has_text(again->all(), secret));
  // REST for staff shows it, stored as a note.
  auto msgs = http_get(relay.port(), "/api/v1/conversations/" + cid + "/messages", browser(relay, sam.cookie));
  CHECK(msgs.body.find(secret) != std::string::npos);
  const auto stored = stored_messages(relay, cid);
  CHECK(std::any_of(stored.begin(), stored.end(), [&](const StoredMessage& m) { return m.text == secret && m.kind == "note"; }));
}

TEST_CASE("the issue type is changed from the inbox (staff only, one of the tenant's types)") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.create_user("sam", "sam-password-1", "agent");
  relay.start();
  Staff sam = Staff::connect(relay, "sam", "sam-password-1");
  Customer cust = Customer::connect(relay);
  const std::string cid = taken_by(cust, sam);
  CHECK(sam->request(cmd("chat.set_issue_type", {{"conversation_id", cid}, {"issue_type", "no-such-type"}})).code() ==
        "bad_field");
  CHECK(cust->request(cmd("chat.set_issue_type", {{"conversation_id", cid}, {"issue_type", "billing"}})).code() ==
        "forbidden");
  REQUIRE(sam->request(cmd("chat.set_issue_type", {{"conversation_id", cid}, {"issue_type", "billing"}})).ok());
  const Json e = sam->wait_for(is_event("chat.issue_type_changed", cid), "issue type event");
  CHECK(e.value("audience", "") == "staff");
  auto r = http_post_json(relay.port(), "/api/v1/conversations/" + cid + "/issue-type", {{"issue_type", "technical"}},
                          browser(relay, sam.cookie));
  CHECK(r.status == 200);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM conversations WHERE id = ?1 AND issue_type = 'technical'", {cid}) == 1);
  flush(*cust.ws);
  CHECK_FALSE(has_text(cust->all(), "chat.issue_type_changed"));
}

TEST_CASE("canned responses: tenant ones by supervisors and admins, personal ones by their owner, tenants apart") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.ctl({"tenant", "create", "acme", "--name", "Acme"});
  relay.start();
  relay.create_user("sam", "sam-password-1", "agent");
  relay.create_user("kim", "kim-password-1", "agent");
  relay.create_user("sue", "sue-password-1", "supervisor");
  relay.ctl({"--tenant", "acme", "users", "create", "ace", "--role", "admin", "--password", "ace-password-1"});
  const Headers sam = browser(relay, login(relay, "sam", "sam-password-1"));
  const Headers kim = browser(relay, login(relay, "kim", "kim-password-1"));
  const Headers sue = browser(relay, login(relay, "sue", "sue-password-1"));
  const Headers ace = browser(relay, login(relay, "ace", "ace-password-1"));
  const auto post = [&](const Json& body, const Headers& h) { return http_post_json(relay.port(), "/api/v1/canned", body, h); };

  // An agent may not create a tenant response, but may create a personal one.
  CHECK(post({{"shortcut", "hello"}, {"body", "Hi {{customer.name}}"}}, sam).status == 403);
  auto mine = post({{"shortcut", "/Mine"}, {"title", "Mine"}, {"body", "Sam's {{agent.name}}"}, {"personal", true}}, sam);
  REQUIRE(mine.status == 201);
  CHECK(mine.json()["canned"].value("shortcut", "") == "mine");  // "/" dropped, lower case
  const std::string mine_id = mine.json()["canned"].value("id", "");
  auto shared = post({{"shortcut", "hello"}, {"title", "Greeting"}, {"body", "Hi {{customer.name}}, I'm {{agent.name}}."}}, sue);
  REQUIRE(shared.status == 201);
  const std::string shared_id = shared.json()["canned"].value("id", "");
  // Bad input.
  CHECK(post({{"shortcut", "hello"}, {"body", "again"}}, sue).status == 409);
  CHECK(post({{"shortcut", "two words"}, {"body", "x"}}, sue).status == 400);
  CHECK(post({{"shortcut", "x"}, {"body", "   "}}, sue).status == 400);
  CHECK(post({{"body", "x"}}, sue).status == 400);
  CHECK(post({{"shortcut", "y"}, {"body", "x"}, {"personal", "yes"}}, sue).status == 400);
  CHECK(post({{"shortcut", "z"}, {"body", std::string(4001, 'a')}}, sue).status == 400);
  CHECK(http_post_json(relay.port(), "/api/v1/canned", {{"shortcut", "q"}, {"body", "x"}}).status == 401);

  // Lists: the tenant's and one's own.
  const Json sam_list = http_get(relay.port(), "/api/v1/canned", sam).json()["canned"];
  CHECK(sam_list.size() == 2);
  const Json kim_list = http_get(relay.port(), "/api/v1/canned", kim).json()["canned"];
  CHECK(kim_list.size() == 1);
  CHECK(kim_list[0].value("id", "") == shared_id);
  CHECK(http_get(relay.port(), "/api/v1/canned", ace).json()["canned"].empty());  // another tenant

  // Changes: the owner changes a personal one; others do not even see it; agents do not change
  // the tenant's; another tenant's admin cannot touch either.
  CHECK(http(relay.port(), "PATCH", "/api/v1/canned/" + mine_id, R"({"body":"changed"})", kim).status == 404);
  CHECK(http(relay.port(), "PATCH", "/api/v1/canned/" + mine_id, R"({"body":"changed"})", sue).status == 404);
  CHECK(http(relay.port(), "PATCH", "/api/v1/canned/" + mine_id, R"({"body":"changed"})", sam).status == 200);
  CHECK(http(relay.port(), "PATCH", "/api/v1/canned/" + shared_id, R"({"body":"x"})", sam).status == 403);
  CHECK(http(relay.port(), "PATCH", "/api/v1/canned/" + shared_id, R"({"body":"x"})", ace).status == 404);
  CHECK(http(relay.port(), "PATCH", "/api/v1/canned/" + shared_id, R"({"title":"Hello"})", sue).status == 200);
  CHECK(http(relay.port(), "DELETE", "/api/v1/canned/" + shared_id, "", sam).status == 403);
  CHECK(http(relay.port(), "DELETE", "/api/v1/canned/" + shared_id, "", ace).status == 404);
  CHECK(http(relay.port(), "DELETE", "/api/v1/canned/" + mine_id, "", sam).status == 200);
  CHECK(http(relay.port(), "DELETE", "/api/v1/canned/" + mine_id, "", sam).status == 404);
  CHECK(http_get(relay.port(), "/api/v1/canned", sam).json()["canned"].size() == 1);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM audit WHERE action LIKE 'canned.%'") == 5);
}

TEST_CASE("a knowledge-base article shared into the conversation reaches the customer as kind kb_article") {
  Relay relay;
  const std::string kb_path = relay.dir() + "/kb.json";
  write_file(kb_path, R"([{"id":"kb-zebra","title":"Zebra button","body":"Hold the zebra button for five seconds.","keywords":["zebra"]}])");
  REQUIRE(relay.ctl({"kb", "import", kb_path}).exit_code == 0);
  relay.create_user("sam", "sam-password-1", "agent");
  relay.create_user("kim", "kim-password-1", "agent");
  relay.start();
  Staff sam = Staff::connect(relay, "sam", "sam-password-1");
  Staff kim = Staff::connect(relay, "kim", "kim-password-1");
  Customer cust = Customer::connect(relay);
  const std::string cid = taken_by(cust, sam);
  CHECK(sam->request(cmd("chat.share_article", {{"conversation_id", cid}, {"client_msg_id", "a1"}, {"article_id", "kb-nope"}}))
            .code() == "not_found");
  // Only the assignee shares (like a reply).
  CHECK(kim->request(cmd("chat.share_article", {{"conversation_id", cid}, {"client_msg_id", "a0"}, {"article_id", "kb-zebra"}}))
            .code() == "not_assigned");
  auto r = sam->request(cmd("chat.share_article", {{"conversation_id", cid}, {"client_msg_id", "a1"}, {"article_id", "kb-zebra"}}));
  REQUIRE(r.ok());
  // The same client_msg_id again stores nothing new.
  auto again = sam->request(cmd("chat.share_article", {{"conversation_id", cid}, {"client_msg_id", "a1"}, {"article_id", "kb-zebra"}}));
  CHECK(again.ok());
  CHECK(again.data().value("duplicate", false));
  const Json got = cust->wait_for(
      [&](const Json& f) { return is_event("chat.new_message", cid)(f) && message_of(f).value("kind", "") == "kb_article"; },
      "the article at the customer");
  CHECK(message_of(got).value("text", "").find("Hold the zebra button") != std::string::npos);
  CHECK(got.value("audience", "") == "everyone");
  CHECK(db_int(relay, "SELECT COUNT(*) FROM messages WHERE conversation_id = ?1 AND kind = 'kb_article'", {cid}) == 1);
  // A share is a use of the article (issue 10); the duplicate above did not count twice.
  CHECK(db_int(relay, "SELECT usage_count FROM kb_articles WHERE id = 'kb-zebra'") == 1);
}
