// Lifecycle rules that depend on connections: the agent-gone requeue, and graceful shutdown.
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>

#include "harness.hpp"

using namespace parley::it;

TEST_CASE("agent gone: an assigned conversation returns to the queue after --agent-grace") {
  Relay relay(RelayOptions::with_args({"--agent-grace", "1"}));
  relay.create_user("gus", "gus-password-1", "agent");
  relay.create_user("hana", "hana-password-1", "agent");
  relay.start();
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Quinn"}});
  {
    Staff gus = Staff::connect(relay, "gus", "gus-password-1");
    const std::string gus_id = gus.snapshot["user"].value("id", "");
    REQUIRE(cust.send(cid, "I want to talk to a human").ok());
    cust->wait_for(is_event("chat.handed_off", cid), "chat.handed_off");
    REQUIRE(gus->request(cmd("chat.accept", {{"conversation_id", cid}})).ok());
    cust->wait_for(is_event("chat.session_assigned", cid), "chat.session_assigned");
    gus->drop();  // the agent's only connection goes away

    auto requeued = cust->wait_for(is_event("chat.requeued", cid), "chat.requeued after the grace period");
    CHECK(requeued["data"].value("reason", "") == "agent_gone");
    CHECK(requeued["data"].value("previous_agent_id", "") == gus_id);
  }
  // Another agent finds it pending in the queue.
  Staff hana = Staff::connect(relay, "hana", "hana-password-1");
  const Json& queue = hana.snapshot["queue"];
  auto it = std::find_if(queue.begin(), queue.end(), [&](const Json& c) { return c.value("id", "") == cid; });
  REQUIRE(it != queue.end());
  CHECK(it->value("status", "") == "pending");
  CHECK(hana->request(cmd("chat.accept", {{"conversation_id", cid}})).ok());
}

TEST_CASE("agent gone: losing one of the agent's two connections keeps the assignment") {
  Relay relay(RelayOptions::with_args({"--agent-grace", "1"}));
  relay.create_user("ivy", "ivy-password-1", "agent");
  relay.create_user("jay", "jay-password-1", "agent");
  relay.start();
  // Ivy's chat, and a witness: Jay's chat, whose only connection is lost AFTER Ivy's first one.
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Remo"}});
  Customer wcust = Customer::connect(relay);
  const std::string wid = wcust.start({{"name", "Witness"}});
  // Two connections of the same agent: losing one is not "gone".
  Staff ivy = Staff::connect(relay, "ivy", "ivy-password-1");
  Staff ivy2 = Staff::connect_cookie(relay, ivy.cookie);
  Staff jay = Staff::connect(relay, "jay", "jay-password-1");
  REQUIRE(cust.send(cid, "I want to talk to a human").ok());
  cust->wait_for(is_event("chat.handed_off", cid), "chat.handed_off");
  REQUIRE(ivy->request(cmd("chat.accept", {{"conversation_id", cid}})).ok());
  cust->wait_for(is_event("chat.session_assigned", cid), "chat.session_assigned");
  REQUIRE(wcust.send(wid, "I want to talk to a human").ok());
  wcust->wait_for(is_event("chat.handed_off", wid), "chat.handed_off (witness)");
  REQUIRE(jay->request(cmd("chat.accept", {{"conversation_id", wid}})).ok());
  wcust->wait_for(is_event("chat.session_assigned", wid), "chat.session_assigned (witness)");

  ivy->drop();
  jay->drop();
  // Wait past the grace period: the witness, lost later than Ivy's first connection with the same
  // grace, is requeued first.
  wcust->wait_for(is_event("chat.requeued", wid), "the witness's chat.requeued after the grace period");
  // The rule is "no connection of that agent": Ivy's chat is still hers. The other connection can
  // still reply as the assignee (after a requeue it would get not_assigned).
  flush(*cust.ws);
  for (const Json& f : events_of(cust->all(), cid)) CHECK(f.value("type", "") != "chat.requeued");
  auto r = ivy2->request(
      cmd("chat.send_message",
          {{"conversation_id", cid}, {"client_msg_id", unique_id("i")}, {"text", "still here"}}));
  CHECK(r.ok());
  cust->wait_for(is_message(cid, "still here"), "agent message");

  // Losing both connections requeues it.
  ivy2->drop();
  auto requeued = cust->wait_for(is_event("chat.requeued", cid), "chat.requeued once both connections are gone");
  CHECK(requeued["data"].value("reason", "") == "agent_gone");
}

TEST_CASE("SIGTERM: clients get close 1001 and the process exits 0") {
  Relay relay;
  relay.start();
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Sid"}});
  REQUIRE(cust.send(cid, "hello before shutdown").ok());
  Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);

  relay.signal(SIGTERM);
  CHECK(cust->wait_close() == 1001);
  CHECK(admin->wait_close() == 1001);
  auto status = relay.wait_exit();
  REQUIRE(status.has_value());
  CHECK(*status == 0);

  // What was acknowledged is there after a restart.
  relay.start();
  auto stored = stored_messages(relay, cid);
  CHECK(std::any_of(stored.begin(), stored.end(),
                    [](const StoredMessage& m) { return m.text == "hello before shutdown"; }));
}
