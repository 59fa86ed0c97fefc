// Two agents accept the same pending chat at once: the hub decides, exactly one wins.
#include <doctest/doctest.h>

#include "harness.hpp"

using namespace parley::it;

TEST_CASE("accept race: exactly one of two concurrent accepts wins") {
  Relay relay;
  relay.create_user("alma", "alma-password-1", "agent");
  relay.create_user("boris", "boris-password-1", "agent");
  relay.start();
  Staff a = Staff::connect(relay, "alma", "alma-password-1");
  Staff b = Staff::connect(relay, "boris", "boris-password-1");

  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Rae"}});
  auto rh = cust->request(cmd("chat.request_human", {{"conversation_id", cid}}));
  REQUIRE(rh.ok());
  cust->wait_for(is_event("chat.handed_off", cid), "chat.handed_off");
  for (Staff* s : {&a, &b}) {
    (*s)->wait_for(is_inbox_change(cid, "pending"), "pending conversation notice");
  }

  // Both commands are on the wire before either answer is read.
  const std::string ida = a->send_command(cmd("chat.accept", {{"conversation_id", cid}}));
  const std::string idb = b->send_command(cmd("chat.accept", {{"conversation_id", cid}}));
  auto ra = a->wait_reply(ida);
  auto rb = b->wait_reply(idb);
  INFO("alma: " << ra.frame.dump() << "\nboris: " << rb.frame.dump());
  CHECK(ra.ok() + rb.ok() == 1);
  auto& loser = ra.ok() ? rb : ra;
  CHECK(loser.code() == "already_assigned");
  const std::string winner_id = (ra.ok() ? a.snapshot : b.snapshot)["user"].value("id", "");

  auto assigned = cust->wait_for(is_event("chat.session_assigned", cid), "chat.session_assigned");
  CHECK(assigned["data"]["agent"].value("id", "") == winner_id);
  flush(*cust.ws);
  int n = 0;
  for (const auto& f : cust->all()) n += f.value("type", "") == "chat.session_assigned";
  CHECK(n == 1);

  // The loser cannot reply to the customer; the winner can.
  Staff& lose_ws = ra.ok() ? b : a;
  Staff& win_ws = ra.ok() ? a : b;
  auto lr = lose_ws->request(
      cmd("chat.send_message",
          {{"conversation_id", cid}, {"client_msg_id", unique_id("l")}, {"text", "I am not the assignee"}}));
  CHECK(lr.code() == "not_assigned");
  auto wr = win_ws->request(
      cmd("chat.send_message",
          {{"conversation_id", cid}, {"client_msg_id", unique_id("w")}, {"text", "I am the assignee"}}));
  CHECK(wr.ok());
}
