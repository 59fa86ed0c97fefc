// Queue and routing, people and presence (issue 9), on the real relay over loopback: capacity under
// a burst of 50 new chats with two agents and a supervisor, freed capacity offered at once, the
// supervisor's assignment, workloads, queue stats, agent status over the WebSocket, skills, the
// unanswered timeout, and the customer's place in the queue. Authorisation and bad input for
// every new endpoint and command.
#include <doctest/doctest.h>

#include <set>

#include "harness.hpp"

using namespace parley::it;

namespace {

std::vector<std::string> flags(std::vector<std::string> more = {}) {
  std::vector<std::string> a = {"--test-counters", "true",  "--visitor-rate", "1000",
                                "--visitor-burst", "1000",  "--rest-rate",    "1000",
                                "--rest-burst",    "5000",  "--rate",         "100000",
                                "--burst",         "100000"};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

Headers as(const Relay& relay, const std::string& cookie) {
  return {{"Cookie", cookie}, {"Origin", relay.origin()}};
}
Headers key(const std::string& k) { return {{"Authorization", "Bearer " + k}}; }

HttpResult patch(const Relay& relay, const std::string& path, const Json& body, const Headers& h) {
  return http(relay.port(), "PATCH", path, body.dump(), h);
}

void set_routing(const Relay& relay, const std::string& admin, const Json& body) {
  auto r = patch(relay, "/api/v1/routing", body, as(relay, admin));
  REQUIRE_MESSAGE(r.status == 200, r.body);
}

void set_profile(const Relay& relay, const std::string& admin, const std::string& user_id, const Json& body) {
  auto r = patch(relay, "/api/v1/agents/" + user_id + "/profile", body, as(relay, admin));
  REQUIRE_MESSAGE(r.status == 200, r.body);
}

Json workload(const Relay& relay, const std::string& cookie, const std::string& user_id) {
  auto r = http_get(relay.port(), "/api/live-chat/agent/" + user_id + "/workload", as(relay, cookie));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.json();
}

std::int64_t counter(const Relay& relay, const std::string& name) {
  return relay.counters().value(name, std::int64_t{-1});
}

// A customer who asked for a person: the conversation is in the queue.
std::string queued_chat(Customer& c, const Json& fields = Json::object()) {
  const std::string id = c.start(fields);
  auto r = c->request(cmd("chat.request_human", {{"conversation_id", id}}));
  REQUIRE_MESSAGE(r.ok(), r.frame.dump());
  return id;
}

bool assigned_to(const Relay& relay, const std::string& conv, const std::string& user) {
  return db_int(relay,
                "SELECT COUNT(*) FROM conversations WHERE id = ?1 AND status = 'active' AND assignee_id = ?2",
                {conv, user}) == 1;
}

std::int64_t assigned_events(const Relay& relay) {
  return db_int(relay, "SELECT COUNT(*) FROM events WHERE type = 'chat.session_assigned'");
}

}  // namespace

TEST_CASE(
    "routing: capacity holds under a burst of 50 chats; freed capacity is offered at once; a supervisor "
    "assigns") {
  Relay relay(RelayOptions::with_args(flags()));
  relay.start();
  relay.create_user("ada", "ada-password-1", "agent");
  relay.create_user("bo", "bo-password-1", "agent");
  relay.create_user("sam", "sam-password-1", "supervisor");
  REQUIRE(relay.ctl({"tenant", "create", "acme", "--name", "Acme"}).exit_code == 0);
  const std::string admin = login(relay, kAdminUser, kAdminPassword);
  const std::string read_key = relay.create_api_key("reader", "read");
  const std::string acme_key = relay.create_api_key_with_id("acme-admin", "read,write,admin", "acme").key;

  Staff ada = Staff::connect(relay, "ada", "ada-password-1");
  Staff bo = Staff::connect(relay, "bo", "bo-password-1");
  Staff sam = Staff::connect(relay, "sam", "sam-password-1");
  const std::string ada_id = ada.snapshot["user"]["id"], bo_id = bo.snapshot["user"]["id"],
                    sam_id = sam.snapshot["user"]["id"];
  // Every staff socket hears its own status on connect.
  CHECK(ada->wait_for(is_type("agent.status"), "agent.status")["data"]["status"] == "online");

  // The supervisor steps away: away agents are never offered chats.
  auto away = sam->request(cmd("agent.set_status", {{"status", "away"}}));
  REQUIRE_MESSAGE(away.ok(), away.frame.dump());
  CHECK(away.data()["status"] == "away");
  CHECK(away.data()["chosen"] == "away");
  sam->wait_for(
      [](const Json& f) { return f.value("type", "") == "agent.status" && f["data"]["status"] == "away"; },
      "agent.status away");

  set_profile(relay, admin, ada_id, {{"capacity", 2}});
  set_profile(relay, admin, bo_id, {{"capacity", 3}});
  set_routing(relay, admin, {{"mode", "round_robin"}});

  // The burst: 50 chats join the queue as fast as the customers can send.
  std::vector<Customer> customers;
  std::vector<std::string> chats;
  for (int i = 0; i < 50; ++i) {
    customers.push_back(Customer::connect(relay));
    chats.push_back(queued_chat(customers.back(), {{"name", "Customer " + std::to_string(i)}}));
  }
  // Exactly the free slots are filled: 2 + 3, the rest wait (never dropped).
  REQUIRE(wait_until([&] { return assigned_events(relay) >= 5; }));
  REQUIRE(wait_until([&] {
    return workload(relay, admin, ada_id)["active"] == 2 && workload(relay, admin, bo_id)["active"] == 3;
  }));
  // A few more routing passes run with nobody free; still nobody is given more.
  const std::int64_t passes = counter(relay, "routing_passes");
  REQUIRE(wait_until([&] { return counter(relay, "routing_passes") >= passes + 3; }));
  CHECK(assigned_events(relay) == 5);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM conversations WHERE status = 'pending'") == 45);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM conversations WHERE assignee_id = ?1", {sam_id}) == 0);
  // The first five in queue order went, in turns.
  for (int i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK((assigned_to(relay, chats[i], ada_id) || assigned_to(relay, chats[i], bo_id)));
  }
  Json w = workload(relay, ada.cookie, ada_id);
  CHECK(w["capacity"] == 2);
  CHECK(w["free_slots"] == 0);
  CHECK(w["status"] == "online");
  CHECK(w["conversation_ids"].size() == 2);

  // Ada resolves one: the longest waiting chat is offered to her at once.
  const std::string done = w["conversation_ids"][0];
  auto res = ada->request(
      cmd("chat.resolve", {{"conversation_id", done}, {"resolution", "ok"}, {"issue_type", "general"}}));
  REQUIRE_MESSAGE(res.ok(), res.frame.dump());
  REQUIRE(wait_until([&] { return assigned_to(relay, chats[5], ada_id); }));
  CHECK(assigned_events(relay) == 6);
  CHECK(workload(relay, ada.cookie, ada_id)["active"] == 2);
  customers[5]->wait_for(is_event("chat.session_assigned", chats[5]), "the customer hears who took the chat");

  // Queue stats by priority, and the old alias unchanged.
  auto qs = http_get(relay.port(), "/api/live-chat/queue/stats", key(read_key));
  REQUIRE_MESSAGE(qs.status == 200, qs.body);
  CHECK(qs.json()["by_priority"]["normal"]["waiting"] == 44);
  CHECK(qs.json()["by_priority"]["urgent"]["waiting"] == 0);
  CHECK(qs.json()["waiting"] == 44);
  CHECK(qs.json()["routing_mode"] == "round_robin");
  CHECK(qs.json()["agents"]["online"] == 2);
  CHECK(qs.json()["agents"]["away"] == 1);
  CHECK(qs.json()["agents"]["free_slots"] == 0);
  auto old = http_get(relay.port(), "/api/live-chat/queue-stats", key(read_key));
  REQUIRE(old.status == 200);
  CHECK(old.json()["waiting"] == 44);
  CHECK_FALSE(old.json().contains("by_priority"));
  CHECK(http_get(relay.port(), "/api/live-chat/queue/stats").status == 401);

  // The supervisor assigns a waiting chat to Bo beyond his capacity (a person decided).
  const std::string pick = chats[40];
  auto as_sam = http_post_json(relay.port(), "/api/live-chat/" + pick + "/assign", {{"agent_id", bo_id}},
                               as(relay, sam.cookie));
  REQUIRE_MESSAGE(as_sam.status == 200, as_sam.body);
  CHECK(as_sam.json()["assignee"]["id"] == bo_id);
  CHECK(assigned_to(relay, pick, bo_id));
  CHECK(workload(relay, sam.cookie, bo_id)["active"] == 4);
  CHECK(workload(relay, sam.cookie, bo_id)["free_slots"] == 0);
  // ... and reassigns it to Ada.
  auto re = http_post_json(relay.port(), "/api/live-chat/" + pick + "/assign", {{"agent_id", ada_id}},
                           as(relay, admin));
  REQUIRE_MESSAGE(re.status == 200, re.body);
  CHECK(assigned_to(relay, pick, ada_id));
  CHECK(db_int(relay, "SELECT COUNT(*) FROM audit WHERE action = 'conversation.assign'") == 2);

  // Authorisation and bad input.
  const std::string path = "/api/live-chat/" + chats[41] + "/assign";
  CHECK(http_post_json(relay.port(), path, {{"agent_id", bo_id}}, as(relay, ada.cookie)).status ==
        403);  // agents may not
  CHECK(http_post_json(relay.port(), path, {{"agent_id", bo_id}}, key(read_key)).status ==
        403);  // no admin scope
  CHECK(http_post_json(relay.port(), path, {{"agent_id", bo_id}}).status == 401);
  CHECK(http_post_json(relay.port(), path, Json::object(), as(relay, sam.cookie)).status ==
        400);  // no agent_id
  CHECK(http_post_json(relay.port(), path, {{"agent_id", 7}}, as(relay, sam.cookie)).status == 400);
  CHECK(http(relay.port(), "POST", path, "{not json", as(relay, sam.cookie)).status == 400);
  CHECK(http_post_json(relay.port(), path, {{"agent_id", "u_nobody"}}, as(relay, sam.cookie)).status == 404);
  CHECK(http_post_json(relay.port(), "/api/live-chat/c_nope/assign", {{"agent_id", bo_id}},
                       as(relay, sam.cookie))
            .status == 404);
  CHECK(http_post_json(relay.port(), "/api/live-chat/" + done + "/assign", {{"agent_id", bo_id}},
                       as(relay, sam.cookie))
            .status == 409);  // resolved
  // Tenant isolation: another tenant's admin key sees neither the chat nor the agents.
  CHECK(http_post_json(relay.port(), path, {{"agent_id", bo_id}}, key(acme_key)).status == 404);
  CHECK(http_get(relay.port(), "/api/live-chat/agent/" + bo_id + "/workload", key(acme_key)).status == 404);
  CHECK(assigned_events(relay) == 8);  // nothing of the refused ones was stored

  // Workload: agents see their own only.
  CHECK(http_get(relay.port(), "/api/live-chat/agent/" + bo_id + "/workload", as(relay, ada.cookie)).status ==
        403);
  CHECK(http_get(relay.port(), "/api/live-chat/agent/" + ada_id + "/workload", key(read_key)).status == 200);
  CHECK(http_get(relay.port(), "/api/live-chat/agent/u_nobody/workload", as(relay, admin)).status == 404);
  CHECK(http_get(relay.port(), "/api/live-chat/agent/" + ada_id + "/workload").status == 401);

  // Routing settings: admins only, validated.
  CHECK(patch(relay, "/api/v1/routing", {{"mode", "round_robin"}}, as(relay, sam.cookie)).status == 403);
  CHECK(patch(relay, "/api/v1/routing", {{"mode", "random"}}, as(relay, admin)).status == 400);
  CHECK(patch(relay, "/api/v1/routing", {{"default_capacity", 0}}, as(relay, admin)).status == 400);
  CHECK(patch(relay, "/api/v1/agents/u_nobody/profile", {{"capacity", 1}}, as(relay, admin)).status == 404);
  CHECK(patch(relay, "/api/v1/agents/" + ada_id + "/profile", {{"capacity", -2}}, as(relay, admin)).status ==
        400);
  CHECK(
      patch(relay, "/api/v1/agents/" + ada_id + "/profile", {{"capacity", 5}}, as(relay, bo.cookie)).status ==
      403);
  CHECK(http(relay.port(), "PUT", "/api/v1/teams/bad%20id", R"({"name":"X"})", as(relay, admin)).status ==
        400);
  CHECK(http(relay.port(), "PUT", "/api/v1/teams/sales", R"({"mode":"skills"})", as(relay, admin)).status ==
        400);  // no name
  CHECK(http(relay.port(), "PUT", "/api/v1/teams/sales", R"({"name":"Sales","owns_queue":true})",
             as(relay, admin))
            .status == 200);
  auto cfg = http_get(relay.port(), "/api/v1/routing", as(relay, ada.cookie));
  REQUIRE(cfg.status == 200);
  CHECK(cfg.json()["settings"]["mode"] == "round_robin");
  CHECK(cfg.json()["teams"][0]["id"] == "sales");
  CHECK(cfg.json()["profiles"].size() == 2);

  // Raising Ada's capacity frees slots: waiting chats are offered at once.
  set_profile(relay, admin, ada_id, {{"capacity", 4}});
  REQUIRE(wait_until([&] { return workload(relay, admin, ada_id)["active"] == 4; }));
}

TEST_CASE(
    "presence: status over the WebSocket; away and offline agents get nothing; coming online gets the "
    "waiting chat") {
  Relay relay(RelayOptions::with_args(flags()));
  relay.start();
  relay.create_user("ada", "ada-password-1", "agent");
  const std::string admin = login(relay, kAdminUser, kAdminPassword);
  set_routing(relay, admin, {{"mode", "least_busy"}});
  Staff ada = Staff::connect(relay, "ada", "ada-password-1");
  const std::string ada_id = ada.snapshot["user"]["id"];

  // Bad input and who may send it.
  CHECK(ada->request(cmd("agent.set_status", {{"status", "busy"}})).code() == "bad_field");
  CHECK(ada->request(cmd("agent.set_status", {{"status", 1}})).code() == "bad_field");
  CHECK(ada->request(cmd("agent.set_status")).code() == "missing_field");
  Customer c = Customer::connect(relay);
  CHECK(c->request(cmd("agent.set_status", {{"status", "online"}})).code() == "forbidden");

  REQUIRE(ada->request(cmd("agent.set_status", {{"status", "away"}})).ok());
  const std::string first = queued_chat(c);
  const std::int64_t passes = counter(relay, "routing_passes");
  REQUIRE(wait_until([&] { return counter(relay, "routing_passes") >= passes + 3; }));
  CHECK(db_int(relay, "SELECT COUNT(*) FROM conversations WHERE id = ?1 AND status = 'pending'", {first}) ==
        1);
  CHECK(workload(relay, admin, ada_id)["status"] == "away");

  // Activity does not undo a choice; choosing online does, and the waiting chat is offered at once.
  flush(*ada.ws);
  CHECK(workload(relay, admin, ada_id)["status"] == "away");
  auto on = ada->request(cmd("agent.set_status", {{"status", "online"}}));
  REQUIRE(on.ok());
  CHECK(on.data()["status"] == "online");
  c->wait_for(is_event("chat.session_assigned", first), "assigned once Ada is online");
  CHECK(assigned_to(relay, first, ada_id));

  // The choice is kept across connections; the last connection closing means offline.
  REQUIRE(ada->request(cmd("agent.set_status", {{"status", "offline"}})).ok());
  ada.ws->close();
  REQUIRE(wait_until([&] { return workload(relay, admin, ada_id)["status"] == "offline"; }));
  Staff again = Staff::connect_cookie(relay, ada.cookie);
  CHECK(again->wait_for(is_type("agent.status"), "agent.status")["data"]["status"] == "offline");
  CHECK(workload(relay, admin, ada_id)["status"] == "offline");
  REQUIRE(again->request(cmd("agent.set_status", {{"status", "online"}})).ok());
  CHECK(workload(relay, admin, ada_id)["status"] == "online");
}

TEST_CASE("presence: auto-away after the tenant's idle time, back online with activity") {
  Relay relay(RelayOptions::with_args(flags()));
  relay.start();
  relay.create_user("ada", "ada-password-1", "agent");
  const std::string admin = login(relay, kAdminUser, kAdminPassword);
  set_routing(relay, admin, {{"idle_away_s", 1}});
  Staff ada = Staff::connect(relay, "ada", "ada-password-1");
  const std::string ada_id = ada.snapshot["user"]["id"];
  ada->wait_for(
      [](const Json& f) { return f.value("type", "") == "agent.status" && f["data"]["status"] == "away"; },
      "auto-away after a second without activity");
  CHECK(workload(relay, admin, ada_id)["status"] == "away");
  REQUIRE(ada->request(cmd("ping")).ok());  // the inbox's activity ping
  ada->wait_for(
      [](const Json& f) { return f.value("type", "") == "agent.status" && f["data"]["status"] == "online"; },
      "online again after activity");
}

TEST_CASE("routing: skills decide; a chat nobody can take waits and does not hold up the others") {
  Relay relay(RelayOptions::with_args(flags()));
  relay.start();
  relay.create_user("ada", "ada-password-1", "agent");
  relay.create_user("bo", "bo-password-1", "agent");
  const std::string admin = login(relay, kAdminUser, kAdminPassword);
  Staff ada = Staff::connect(relay, "ada", "ada-password-1");
  Staff bo = Staff::connect(relay, "bo", "bo-password-1");
  const std::string ada_id = ada.snapshot["user"]["id"], bo_id = bo.snapshot["user"]["id"];
  set_profile(relay, admin, ada_id, {{"skills", {"billing", "french"}}});
  set_profile(relay, admin, bo_id, {{"skills", {"technical"}}});
  set_routing(relay, admin,
              {{"mode", "skills"},
               {"topic_rules",
                {{"billing", {{"skills", {"billing"}}}},
                 {"german", {{"skills", {"german"}}}},
                 {"technical", {{"skills", {"technical"}}}}}}});
  Customer c = Customer::connect(relay);
  const std::string german = queued_chat(c, {{"topic", "german"}});
  const std::string billing = queued_chat(c, {{"topic", "billing"}});
  const std::string tech = queued_chat(c, {{"topic", "technical"}});
  REQUIRE(wait_until([&] { return assigned_to(relay, billing, ada_id) && assigned_to(relay, tech, bo_id); }));
  CHECK(db_int(relay, "SELECT COUNT(*) FROM conversations WHERE id = ?1 AND status = 'pending'", {german}) ==
        1);
  auto ev = db_int(relay,
                   "SELECT COUNT(*) FROM events WHERE conversation_id = ?1 AND type = 'chat.session_assigned'"
                   " AND json_extract(data_json, '$.routed') = 'skills'",
                   {billing});
  CHECK(ev == 1);

  // A team that owns a queue: its topic's chats go to its members only, by the team's own mode,
  // even though the tenant's mode (skills) would have given it to someone else.
  REQUIRE(http(relay.port(), "PUT", "/api/v1/teams/vip",
               R"({"name":"VIP","owns_queue":true,"mode":"least_busy"})", as(relay, admin))
              .status == 200);
  set_profile(relay, admin, bo_id, {{"teams", {"vip"}}});
  set_routing(relay, admin, {{"topic_rules", {{"vip", {{"skills", {"billing"}}, {"team", "vip"}}}}}});
  const std::string vip = queued_chat(c, {{"topic", "vip"}});
  REQUIRE(wait_until([&] { return assigned_to(relay, vip, bo_id); }));
  CHECK(db_int(relay,
               "SELECT COUNT(*) FROM events WHERE conversation_id = ?1 AND type = 'chat.session_assigned'"
               " AND json_extract(data_json, '$.routed') = 'least_busy'",
               {vip}) == 1);
}

TEST_CASE("routing: an unanswered chat is offered again with a system line, to the next agent") {
  Relay relay(RelayOptions::with_args(flags()));
  relay.start();
  relay.create_user("ada", "ada-password-1", "agent");
  relay.create_user("bo", "bo-password-1", "agent");
  const std::string admin = login(relay, kAdminUser, kAdminPassword);
  Staff ada = Staff::connect(relay, "ada", "ada-password-1");
  Staff bo = Staff::connect(relay, "bo", "bo-password-1");
  const std::string ada_id = ada.snapshot["user"]["id"], bo_id = bo.snapshot["user"]["id"];
  set_routing(relay, admin, {{"mode", "round_robin"}, {"unanswered_s", 2}});
  Customer c = Customer::connect(relay);
  const std::string id = queued_chat(c);
  Json first = c->wait_for(is_event("chat.session_assigned", id), "first offer");
  const std::string first_agent = first["data"]["agent"]["id"];
  // Nobody answers: back to the queue with a line saying so, then to the other agent.
  Json requeued = c->wait_for(is_event("chat.requeued", id), "requeued after the timeout");
  CHECK(requeued["data"]["reason"] == "unanswered");
  Json line = c->wait_for(
      [&](const Json& f) {
        return is_event("chat.new_message", id)(f) && message_of(f).value("kind", "") == "system";
      },
      "the system line");
  CHECK(message_of(line)["text"] == "Not answered within 2 s: the chat is offered again.");
  Json second = c->wait_for(is_event("chat.session_assigned", id), "second offer");
  const std::string second_agent = second["data"]["agent"]["id"];
  CHECK(second_agent != first_agent);
  CHECK((second_agent == ada_id || second_agent == bo_id));
  // The second agent answers: the timeout is disarmed for good.
  Staff& answering = second_agent == ada_id ? ada : bo;
  auto sent = answering->request(cmd(
      "chat.send_message", {{"conversation_id", id}, {"client_msg_id", unique_id("m")}, {"text", "Hello!"}}));
  REQUIRE_MESSAGE(sent.ok(), sent.frame.dump());
  CHECK(counter(relay, "routing_reoffers") == 1);
  // A later chat of the same customer proves the timer still runs and passes over answered ones.
  const std::string later = queued_chat(c);
  c->wait_for(is_event("chat.requeued", later), "the unanswered later chat is re-offered");
  CHECK(counter(relay, "routing_reoffers") == 2);
  CHECK(assigned_to(relay, id, second_agent));
}

namespace {
std::vector<std::pair<int, Json>> places(WsClient& ws, const std::string& id) {
  std::vector<std::pair<int, Json>> out;
  for (const Json& f : ws.all()) {
    if (f.value("type", "") == "chat.queue_position" && f.value("conversation_id", "") == id) {
      out.emplace_back(f["data"]["position"].get<int>(), f["data"]["minutes"]);
    }
  }
  return out;
}
bool has_place(WsClient& ws, const std::string& id, int position, const Json& minutes) {
  for (const auto& p : places(ws, id)) {
    if (p.first == position && p.second == minutes) return true;
  }
  return false;
}
bool saw(Customer& c, const std::string& id, int position, const Json& minutes) {
  return c
      ->try_wait_for(
          [&](const Json& f) {
            return f.value("type", "") == "chat.queue_position" && f.value("conversation_id", "") == id &&
                   f["data"]["position"] == position && f["data"]["minutes"] == minutes;
          },
          kTimeout)
      .has_value();
}
}  // namespace

TEST_CASE("queue position: a waiting customer sees their place fall, one frame per shown change") {
  Relay relay(RelayOptions::with_args(flags()));
  relay.start();
  relay.create_user("ada", "ada-password-1", "agent");
  Customer c1 = Customer::connect(relay), c2 = Customer::connect(relay), c3 = Customer::connect(relay);
  const std::string q1 = queued_chat(c1), q2 = queued_chat(c2), q3 = queued_chat(c3);
  // Nobody is online: the place, without an estimate.
  REQUIRE(saw(c3, q3, 3, nullptr));
  REQUIRE(saw(c1, q1, 1, nullptr));
  // Ada comes online (capacity 3, 5 minutes a chat): estimates appear.
  Staff ada = Staff::connect(relay, "ada", "ada-password-1");
  REQUIRE(saw(c3, q3, 3, 5));
  REQUIRE(saw(c1, q1, 1, 2));
  // Ada picks up the first two chats: the third customer's place falls.
  REQUIRE(ada->request(cmd("chat.accept", {{"conversation_id", q1}})).ok());
  REQUIRE(saw(c3, q3, 2, 4));
  REQUIRE(saw(c2, q2, 1, 2));
  REQUIRE(ada->request(cmd("chat.accept", {{"conversation_id", q2}})).ok());
  REQUIRE(saw(c3, q3, 1, 2));
  // Several rounds later nobody got a frame whose shown value had not changed.
  const std::int64_t rounds = counter(relay, "queue_place_rounds");
  REQUIRE(wait_until([&] { return counter(relay, "queue_place_rounds") >= rounds + 3; }));
  flush(*c1.ws);
  flush(*c3.ws);
  using P = std::vector<std::pair<int, Json>>;
  CHECK(places(*c1.ws, q1) == P{{1, nullptr}, {1, 2}});  // others joining behind it changed nothing it shows
  CHECK(places(*c3.ws, q3) == P{{3, nullptr}, {3, 5}, {2, 4}, {1, 2}});
  CHECK_FALSE(has_place(*c1.ws, q3, 3, 5));  // only the chat's own customer hears it
  // Staff do not get customers' queue frames.
  flush(*ada.ws);
  for (const Json& f : ada->all()) CHECK(f.value("type", "") != "chat.queue_position");
}

TEST_CASE("routing: a chat transferred to a team is offered to that team's members only") {
  Relay relay(RelayOptions::with_args(flags()));
  relay.start();
  relay.create_user("ada", "ada-password-1", "agent");
  relay.create_user("bo", "bo-password-1", "agent");
  const std::string admin = login(relay, kAdminUser, kAdminPassword);
  Staff ada = Staff::connect(relay, "ada", "ada-password-1");
  Staff bo = Staff::connect(relay, "bo", "bo-password-1");
  const std::string ada_id = ada.snapshot["user"]["id"], bo_id = bo.snapshot["user"]["id"];
  // A team that does not own a queue for any topic: only a transfer sends chats to it.
  REQUIRE(http(relay.port(), "PUT", "/api/v1/teams/billing", R"({"name":"Billing"})", as(relay, admin)).status == 200);
  set_profile(relay, admin, bo_id, {{"teams", {"billing"}}, {"capacity", 3}});
  // Bo holds two chats, Ada none.
  Customer c1 = Customer::connect(relay), c2 = Customer::connect(relay);
  const std::string first = queued_chat(c1), second = queued_chat(c2);
  for (const std::string& id : {first, second}) {
    auto r = http_post_json(relay.port(), "/api/live-chat/" + id + "/assign", {{"agent_id", bo_id}}, as(relay, admin));
    REQUIRE_MESSAGE(r.status == 200, r.body);
  }
  set_routing(relay, admin, {{"mode", "least_busy"}});

  // An unknown team is refused, naming the field; nothing moves.
  auto unknown = http_post_json(relay.port(), "/api/live-chat/" + second + "/transfer", {{"team", "Refunds"}},
                                as(relay, admin));
  CHECK(unknown.status == 404);
  CHECK(unknown.json()["error"].value("field", "") == "team");
  CHECK(assigned_to(relay, second, bo_id));

  // Named by its name, any ASCII case: the conversation keeps the team's id. Least busy would pick
  // Ada (no chats) from the tenant's queue; the team's queue has only Bo.
  auto moved = http_post_json(relay.port(), "/api/live-chat/" + second + "/transfer", {{"team", "billing "}},
                              as(relay, admin));
  REQUIRE_MESSAGE(moved.status == 200, moved.body);
  Json transferred = c2->wait_for(is_event("chat.transferred", second), "the transfer line");
  CHECK(transferred["data"]["team"] == "billing");
  CHECK(transferred["data"]["team_name"] == "Billing");
  Json offered = c2->wait_for(
      [&](const Json& f) { return is_event("chat.session_assigned", second)(f) && f["data"].contains("routed"); },
      "offered from the team's queue (not the admin's earlier assignment)");
  CHECK(offered["data"]["agent"]["id"] == bo_id);
  CHECK(assigned_to(relay, second, bo_id));
  CHECK(db_int(relay, "SELECT COUNT(*) FROM conversations WHERE id = ?1 AND team = 'billing'", {second}) == 1);

  // The conversations view filters by team.
  auto listed = http_get(relay.port(), "/api/live-chat/conversations?team=billing", as(relay, admin));
  REQUIRE(listed.status == 200);
  REQUIRE(listed.json()["conversations"].size() == 1);
  CHECK(listed.json()["conversations"][0]["id"] == second);
  CHECK(http_get(relay.port(), "/api/live-chat/conversations?team=" + std::string(300, 'x'), as(relay, admin)).status ==
        400);
}
