// Issue 9, supervision (sup2): what the inbox's "listen in" and long-wait marker rely on, over
// the real relay. inbox.snapshot carries the tenant's waiting threshold (and a PATCH of the
// routing settings changes it for the next connection; agents may not); a supervisor who joins
// another agent's active chat gets the customer's new messages live, cannot write to the customer,
// and reassigns the chat to a second agent, who is then told; an agent's join of the same chat
// reads but gets no say, and its assign is refused.
#include <doctest/doctest.h>

#include <string>

#include "harness.hpp"

using namespace parley::it;

namespace {
Headers as(const Relay& relay, const std::string& cookie) { return {{"Cookie", cookie}, {"Origin", relay.origin()}}; }
}  // namespace

TEST_CASE("sup2: inbox.snapshot carries the waiting threshold; admins change it, agents may not") {
  Relay relay;
  relay.start();
  relay.create_user("sup2_agent", "agent-password-s2");
  Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);
  CHECK(admin.snapshot["wait_threshold_s"] == 300);  // the default: five minutes
  auto r = http(relay.port(), "PATCH", "/api/v1/routing", Json{{"wait_threshold_s", 42}}.dump(),
                as(relay, admin.cookie));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  Staff agent = Staff::connect(relay, "sup2_agent", "agent-password-s2");
  CHECK(agent.snapshot["wait_threshold_s"] == 42);
  CHECK(http(relay.port(), "PATCH", "/api/v1/routing", Json{{"wait_threshold_s", 7}}.dump(), as(relay, agent.cookie))
            .status == 403);
  CHECK(http(relay.port(), "PATCH", "/api/v1/routing", Json{{"wait_threshold_s", 0}}.dump(), as(relay, admin.cookie))
            .status == 400);  // 1..86400
  Staff again = Staff::connect(relay, kAdminUser, kAdminPassword);
  CHECK(again.snapshot["wait_threshold_s"] == 42);  // the refused ones changed nothing
}

TEST_CASE("sup2: a supervisor listens in on an agent's chat (live, read-only) and reassigns it") {
  Relay relay;
  relay.start();
  relay.create_user("sup2_ann", "ann-password-s2");
  relay.create_user("sup2_bo", "bo-password-s2");
  relay.create_user("sup2_sue", "sue-password-s2", "supervisor");
  Staff ann = Staff::connect(relay, "sup2_ann", "ann-password-s2");
  Staff bo = Staff::connect(relay, "sup2_bo", "bo-password-s2");
  Staff sue = Staff::connect(relay, "sup2_sue", "sue-password-s2");
  const std::string bo_id = bo.snapshot["user"]["id"];

  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Ada"}});
  REQUIRE(cust.send(cid, "I want to talk to a human").ok());
  cust->wait_for(is_event("chat.handed_off", cid), "chat.handed_off");
  REQUIRE(ann->request(cmd("chat.accept", {{"conversation_id", cid}})).ok());

  // Listening in: the join replays and subscribes; the customer's next message arrives live.
  REQUIRE(sue->request(cmd("chat.join", {{"conversation_id", cid}})).ok());
  REQUIRE(cust.send(cid, "my lamp flickers").ok());
  auto live = sue->wait_for(
      [&](const Json& f) {
        const Json m = message_of(f);
        return m.is_object() && m.value("text", "") == "my lamp flickers";
      },
      "the customer's message, live, to the listening supervisor");
  CHECK(live.value("conversation_id", "") == cid);
  // Read-only towards the customer: a reply from someone who is not the assignee is refused.
  auto reply = sue->request(cmd("chat.send_message", {{"conversation_id", cid}, {"client_msg_id", unique_id("s")},
                                                      {"text", "hello from the supervisor"}}));
  CHECK_FALSE(reply.ok());
  // An agent may read it too, but may not hand it on over REST.
  REQUIRE(bo->request(cmd("chat.join", {{"conversation_id", cid}})).ok());
  CHECK(http_post_json(relay.port(), "/api/live-chat/" + cid + "/assign", {{"agent_id", bo_id}}, as(relay, bo.cookie))
            .status == 403);

  // Reassign: Bo owns it now; the stored conversation says so.
  auto re = http_post_json(relay.port(), "/api/live-chat/" + cid + "/assign", {{"agent_id", bo_id}},
                           as(relay, sue.cookie));
  REQUIRE_MESSAGE(re.status == 200, re.body);
  CHECK(re.json()["assignee"]["id"] == bo_id);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM conversations WHERE id = ?1 AND assignee_id = ?2", {cid, bo_id}) == 1);
  // The supervisor, still listening, hears the reassignment as an event of the conversation.
  sue->wait_for(
      [&](const Json& f) {
        return f.value("type", "") == "chat.session_assigned" && f.value("conversation_id", "") == cid &&
               f.dump().find(bo_id) != std::string::npos;
      },
      "the reassignment, live");
  // Bo may reply now; the customer gets it.
  REQUIRE(bo->request(cmd("chat.send_message", {{"conversation_id", cid}, {"client_msg_id", unique_id("b")},
                                                {"text", "Bo here, let me help"}}))
              .ok());
  cust->wait_for(
      [&](const Json& f) {
        const Json m = message_of(f);
        return m.is_object() && m.value("text", "") == "Bo here, let me help";
      },
      "Bo's reply at the customer");
}
