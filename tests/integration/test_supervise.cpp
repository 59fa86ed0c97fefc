// Issue 9, supervise: the satisfaction survey (stored, shown to staff, sent again), the reopen
// window (both sides), the live dashboard's figures and its push, the conversations view with
// full-text search, and bad input, authorisation and tenant isolation of their endpoints.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "harness.hpp"

using namespace parley::it;

namespace {

constexpr const char* kSup = "sup9";
constexpr const char* kSupPw = "supervisor-pw-9";
constexpr const char* kAgent = "agent9";
constexpr const char* kAgentPw = "agent-password-9";

Headers browser(const Relay& relay, const std::string& cookie) { return {{"Cookie", cookie}, {"Origin", relay.origin()}}; }

// A conversation handed to a person, accepted by `staff`, answered and resolved. Returns its id.
std::string resolved_chat(Customer& cust, Staff& staff, const std::string& name, const std::string& words) {
  const std::string cid = cust.start({{"name", name}});
  REQUIRE(cust.send(cid, words).ok());
  REQUIRE(cust.send(cid, "I want to talk to a human").ok());
  cust->wait_for(is_event("chat.handed_off", cid), "chat.handed_off");
  REQUIRE(staff->request(cmd("chat.accept", {{"conversation_id", cid}})).ok());
  REQUIRE(staff->request(cmd("chat.send_message", {{"conversation_id", cid}, {"client_msg_id", unique_id("a")},
                                                   {"text", "Happy to help"}}))
              .ok());
  REQUIRE(staff->request(cmd("chat.resolve", {{"conversation_id", cid}, {"resolution", "helped"},
                                              {"issue_type", "billing"}}))
              .ok());
  cust->wait_for(is_event("chat.resolved", cid), "chat.resolved");
  return cid;
}

// Writes to the relay's database while it is stopped: how a test makes time pass for a stored row.
void db_exec(const Relay& relay, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(relay.db_path().c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO("sql: " << sql << " error: " << (err ? err : ""));
  CHECK(rc == SQLITE_OK);
  sqlite3_free(err);
  sqlite3_close(db);
}

}  // namespace

// ---- the satisfaction survey ----------------------------------------------------------------------

TEST_CASE("csat: the customer rates after resolution; stored on the conversation, chat.rated to staff only") {
  Relay relay;
  relay.start();
  Customer cust = Customer::connect(relay);
  CHECK(cust.hello_ack["tenant"].value("csat_question", "") == "How would you rate this conversation?");
  Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);
  const std::string cid = resolved_chat(cust, admin, "Rita", "my invoice is wrong");
  REQUIRE(admin->request(cmd("chat.join", {{"conversation_id", cid}})).ok());

  // Bad input first: out of range, wrong type, too long, someone else's conversation.
  CHECK(cust->request(cmd("chat.rate", {{"conversation_id", cid}, {"rating", 0}})).code() == "bad_field");
  CHECK(cust->request(cmd("chat.rate", {{"conversation_id", cid}, {"rating", 6}})).code() == "bad_field");
  CHECK(cust->request(cmd("chat.rate", {{"conversation_id", cid}, {"rating", "five"}})).code() == "bad_field");
  CHECK(cust->request(cmd("chat.rate", {{"conversation_id", cid}})).code() == "missing_field");
  CHECK(cust->request(cmd("chat.rate", {{"conversation_id", cid}, {"rating", 5}, {"comment", std::string(1001, 'x')}}))
            .code() == "text_too_long");
  Customer other = Customer::connect(relay);
  CHECK(other->request(cmd("chat.rate", {{"conversation_id", cid}, {"rating", 1}})).code() == "not_found");
  CHECK(admin->request(cmd("chat.rate", {{"conversation_id", cid}, {"rating", 1}})).code() == "forbidden");

  auto r = cust->request(cmd("chat.rate", {{"conversation_id", cid}, {"rating", 4}, {"comment", "Quick, thanks"}}));
  REQUIRE(r.ok());
  auto rated = admin->wait_for(is_event("chat.rated", cid), "chat.rated to staff");
  CHECK(rated["audience"] == "staff");
  CHECK(rated["data"]["rating"] == 4);
  CHECK(rated["data"]["comment"] == "Quick, thanks");
  CHECK(db_int(relay, "SELECT csat_rating FROM conversations WHERE id = ?1", {cid}) == 4);
  // Once: a second rating is refused until staff send the survey again.
  CHECK(cust->request(cmd("chat.rate", {{"conversation_id", cid}, {"rating", 1}})).code() == "invalid_transition");
  flush(*cust.ws);
  for (const Json& f : events_of(cust->all(), cid)) CHECK(f.value("type", "") != "chat.rated");

  // Staff see it on the conversation (REST and join).
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);
  auto one = http_get(relay.port(), "/api/v1/conversations/" + cid, {{"Cookie", cookie}});
  REQUIRE(one.status == 200);
  CHECK(one.json()["conversation"]["csat"]["rating"] == 4);
  CHECK(one.json()["conversation"]["csat"]["comment"] == "Quick, thanks");

  // Sent again by hand (REST alias), the customer gets chat.csat_requested and may rate again.
  auto again = http(relay.port(), "POST", "/api/live-chat/" + cid + "/csat-request", "", browser(relay, cookie));
  REQUIRE(again.status == 200);
  auto asked = cust->wait_for(is_event("chat.csat_requested", cid), "chat.csat_requested");
  CHECK(asked["data"]["question"] == "How would you rate this conversation?");
  REQUIRE(cust->request(cmd("chat.rate", {{"conversation_id", cid}, {"rating", 5}})).ok());
  CHECK(db_int(relay, "SELECT csat_rating FROM conversations WHERE id = ?1", {cid}) == 5);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM events WHERE conversation_id = ?1 AND type = 'chat.rated'", {cid}) == 2);
}

TEST_CASE("csat: rating an open conversation is refused; ending it yourself opens the survey; abandoned has none") {
  Relay relay;
  relay.start();
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Otto"}});
  CHECK(cust->request(cmd("chat.rate", {{"conversation_id", cid}, {"rating", 3}})).code() == "invalid_transition");
  REQUIRE(cust->request(cmd("chat.end", {{"conversation_id", cid}})).ok());
  CHECK(cust->request(cmd("chat.rate", {{"conversation_id", cid}, {"rating", 3}})).ok());
  const std::string waiting = cust.start({{"name", "Otto"}});
  REQUIRE(cust.send(waiting, "I want to talk to a human").ok());
  cust->wait_for(is_event("chat.handed_off", waiting), "chat.handed_off");
  REQUIRE(cust->request(cmd("chat.end", {{"conversation_id", waiting}})).ok());
  CHECK(cust->request(cmd("chat.rate", {{"conversation_id", waiting}, {"rating", 3}})).code() == "invalid_transition");
  // Staff cannot send the survey of an open conversation either.
  Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);
  const std::string open = cust.start({{"name", "Otto"}});
  CHECK(admin->request(cmd("chat.request_csat", {{"conversation_id", open}})).code() == "invalid_transition");
  CHECK(cust->request(cmd("chat.request_csat", {{"conversation_id", open}})).code() == "forbidden");
}

// ---- the reopen window ----------------------------------------------------------------------------

TEST_CASE("reopen window: inside it the conversation reopens; after it a new conversation starts, linked") {
  Relay relay;
  relay.start();
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);
  // Bad values of the setting are refused.
  CHECK(http(relay.port(), "PATCH", "/api/v1/settings", R"({"reopen_window_minutes":-1})", browser(relay, cookie))
            .status == 400);
  CHECK(http(relay.port(), "PATCH", "/api/v1/settings", R"({"reopen_window_minutes":"soon"})", browser(relay, cookie))
            .status == 400);
  REQUIRE(http(relay.port(), "PATCH", "/api/v1/settings", R"({"reopen_window_minutes":60})", browser(relay, cookie))
              .status == 200);
  std::string token, first, second;
  {
    Customer cust = Customer::connect(relay);
    token = cust.token;
    Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);
    first = resolved_chat(cust, admin, "Wanda", "where is my parcel");
    // Inside the window: the same conversation reopens.
    auto r = cust.send(first, "one more question");
    REQUIRE(r.ok());
    CHECK(r.data()["conversation_id"] == first);
    CHECK_FALSE(r.data().contains("previous_conversation_id"));
    cust->wait_for(is_event("chat.reopened", first), "chat.reopened inside the window");
    second = resolved_chat(cust, admin, "Wanda", "and my refund");
  }
  // Two hours pass for the second conversation's resolution (rows are rewritten while the relay is down).
  relay.terminate();
  db_exec(relay, "UPDATE conversations SET resolved_at = resolved_at - 7200000 WHERE id = '" + second + "'");
  relay.start();
  Customer cust = Customer::connect(relay, token);
  Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);
  const std::string cmid = unique_id("late");
  auto late = cust.send(second, "hello again, a new problem", cmid);
  REQUIRE(late.ok());
  const std::string third = late.data().value("conversation_id", "");
  CHECK(third != second);
  CHECK(late.data()["previous_conversation_id"] == second);
  // The message is the new conversation's (stored there; the sender's copy rides in the ack).
  bool stored = false;
  for (const StoredMessage& m : stored_messages(relay, third)) stored = stored || m.text == "hello again, a new problem";
  CHECK(stored);
  if (late.data().contains("event")) CHECK(late.data()["event"]["conversation_id"] == third);
  cust->wait_for(is_event("chat.new_session", third), "the new conversation's chat.new_session");
  // The old one stays resolved with no new event; the new one is linked and continues with the same contact.
  CHECK(db_int(relay, "SELECT COUNT(*) FROM events WHERE conversation_id = ?1 AND type = 'chat.reopened'", {second}) == 0);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM conversations WHERE id = ?1 AND previous_conversation_id = ?2", {third, second}) == 1);
  CHECK(db_int(relay, "SELECT status = 'resolved' FROM conversations WHERE id = ?1", {second}) == 1);
  auto joined = admin->request(cmd("chat.join", {{"conversation_id", third}}));
  REQUIRE(joined.ok());
  CHECK(joined.data()["conversation"]["previous_conversation_id"] == second);
  // A re-send of the same message is a duplicate of the follow-up's, not a third conversation.
  auto again = cust.send(second, "hello again, a new problem", cmid);
  REQUIRE(again.ok());
  CHECK(again.data()["conversation_id"] == third);
  CHECK(again.data().value("duplicate", false));
  CHECK(db_int(relay, "SELECT COUNT(*) FROM conversations WHERE previous_conversation_id = ?1", {second}) == 1);
}

// ---- the live dashboard -----------------------------------------------------------------------------

TEST_CASE("dashboard: figures for today from events, the same after a restart; pushed to watchers only") {
  Relay relay;
  relay.create_user(kSup, kSupPw, "supervisor");
  relay.create_user(kAgent, kAgentPw, "agent");
  relay.start();
  const std::string sup_cookie = login(relay, kSup, kSupPw);
  Staff sup = Staff::connect_cookie(relay, sup_cookie);
  Staff agent = Staff::connect(relay, kAgent, kAgentPw);
  // Agents may not watch; supervisors get the figures in the ack.
  CHECK(agent->request(cmd("dashboard.watch", {{"watch", true}})).code() == "forbidden");
  auto w = sup->request(cmd("dashboard.watch", {{"watch", true}}));
  REQUIRE(w.ok());
  CHECK(w.data()["dashboard"]["resolved"] == 0);
  CHECK(w.data()["dashboard"]["csat"]["count"] == 0);

  Customer cust = Customer::connect(relay);
  const std::string a = resolved_chat(cust, agent, "Ann", "my card was charged twice");
  const std::string b = resolved_chat(cust, agent, "Ann", "and the receipt is missing");
  REQUIRE(cust->request(cmd("chat.rate", {{"conversation_id", a}, {"rating", 5}})).ok());
  REQUIRE(cust->request(cmd("chat.rate", {{"conversation_id", b}, {"rating", 2}})).ok());
  const std::string waiting = cust.start({{"name", "Ann"}});
  REQUIRE(cust.send(waiting, "I want to talk to a human").ok());
  cust->wait_for(is_event("chat.handed_off", waiting), "chat.handed_off");

  // The watcher is told without asking: a dashboard.figures notice with both ratings.
  auto pushed = sup->wait_for(
      [](const Json& f) {
        return f.value("type", "") == "dashboard.figures" && f["data"]["csat"].value("count", 0) == 2 &&
               f["data"].value("waiting", 0) == 1;
      },
      "dashboard.figures with both ratings and one waiting");
  const Json& d = pushed["data"];
  CHECK(d["resolved"] == 2);
  CHECK(d["csat"]["average"] == 3.5);
  CHECK(d["handoffs_from_assistant"] == 3);
  CHECK(d["active"] == 0);
  const std::string agent_id = agent.snapshot["user"].value("id", "");
  bool found = false;
  for (const Json& row : d["agents"]) {
    if (row.value("id", "") != agent_id) continue;
    found = true;
    CHECK(row["resolved"] == 2);
    CHECK(row["status"] == "online");
  }
  CHECK(found);
  // An agent's socket got no dashboard frame.
  flush(*agent.ws);
  for (const Json& f : agent->all()) CHECK(f.value("type", "") != "dashboard.figures");

  // REST: supervisors yes, agents no; the same figures after a restart (folded from stored events).
  auto rest = http_get(relay.port(), "/api/live-chat/dashboard", {{"Cookie", sup_cookie}});
  REQUIRE(rest.status == 200);
  CHECK(rest.json()["csat"]["count"] == 2);
  CHECK(http_get(relay.port(), "/api/live-chat/dashboard", {{"Cookie", login(relay, kAgent, kAgentPw)}}).status == 403);
  const Json before = rest.json();
  sup->close();
  agent->close();
  cust->close();
  relay.restart();
  auto after = http_get(relay.port(), "/api/live-chat/dashboard", {{"Cookie", login(relay, kSup, kSupPw)}});
  REQUIRE(after.status == 200);
  for (const char* key : {"resolved", "avg_wait_s", "avg_first_response_s", "avg_resolution_s", "handoffs_from_assistant",
                          "waiting", "longest_wait_today_s"}) {
    INFO(key);
    CHECK(after.json()[key] == before[key]);
  }
  CHECK(after.json()["csat"] == before["csat"]);
}

TEST_CASE("dashboard: one tenant's figures never show another's") {
  Relay relay;
  relay.start();
  REQUIRE(relay.ctl({"tenant", "create", "globex", "--name", "Globex"}).exit_code == 0);
  REQUIRE(relay.ctl({"--tenant", "globex", "users", "create", "gsup", "--role", "supervisor", "--password",
                     "globex-sup-pw-1"}).exit_code == 0);
  Customer cust = Customer::connect(relay);
  Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);
  const std::string cid = resolved_chat(cust, admin, "Dee", "hello default tenant");
  REQUIRE(cust->request(cmd("chat.rate", {{"conversation_id", cid}, {"rating", 1}})).ok());
  const std::string own = login(relay, kAdminUser, kAdminPassword);
  REQUIRE(wait_until([&] {
    return http_get(relay.port(), "/api/live-chat/dashboard", {{"Cookie", own}}).json()["csat"].value("count", 0) == 1;
  }));
  const std::string globex = login(relay, "gsup", "globex-sup-pw-1");
  auto g = http_get(relay.port(), "/api/live-chat/dashboard", {{"Cookie", globex}});
  REQUIRE(g.status == 200);
  CHECK(g.json()["resolved"] == 0);
  CHECK(g.json()["csat"]["count"] == 0);
  // Nor its conversations or messages in the conversations view.
  auto s = http_get(relay.port(), "/api/live-chat/conversations?q=default", {{"Cookie", globex}});
  REQUIRE(s.status == 200);
  CHECK(s.json()["total"] == 0);
  CHECK(http(relay.port(), "POST", "/api/live-chat/" + cid + "/csat-request", "", browser(relay, globex)).status == 404);
}

// ---- the conversations view and search --------------------------------------------------------------

TEST_CASE("conversations view: filters, full-text search with the matching seq, bad input") {
  Relay relay;
  relay.create_user(kAgent, kAgentPw, "agent");
  relay.start();
  Customer cust = Customer::connect(relay);
  Staff agent = Staff::connect(relay, kAgent, kAgentPw);
  const std::string agent_id = agent.snapshot["user"].value("id", "");
  const std::string done = resolved_chat(cust, agent, "Zed", "the zeppelin ticket never arrived");
  const std::string open = cust.start({{"name", "Zed"}, {"priority", "urgent"}});
  REQUIRE(cust.send(open, "a question about lanterns").ok());
  const std::string cookie = login(relay, kAgent, kAgentPw);
  const Headers h = {{"Cookie", cookie}};

  auto hit = http_get(relay.port(), "/api/live-chat/conversations?q=zeppelin", h);
  REQUIRE(hit.status == 200);
  const Json body = hit.json();
  REQUIRE(body["total"] == 1);
  const Json c = body["conversations"][0];
  CHECK(c["id"] == done);
  const std::int64_t seq = c["match"]["seq"].get<std::int64_t>();
  CHECK(db_int(relay, "SELECT COUNT(*) FROM messages WHERE conversation_id = ?1 AND seq = ?2 AND text LIKE '%zeppelin%'",
               {done, std::to_string(seq)}) == 1);
  CHECK(c["match"]["snippet"].get<std::string>().find("[zeppelin]") != std::string::npos);
  // Filters, alone and with the search.
  CHECK(http_get(relay.port(), "/api/live-chat/conversations?status=resolved&q=zeppelin", h).json()["total"] == 1);
  CHECK(http_get(relay.port(), "/api/live-chat/conversations?status=active&q=zeppelin", h).json()["total"] == 0);
  CHECK(http_get(relay.port(), "/api/live-chat/conversations?priority=urgent", h).json()["total"] == 1);
  CHECK(http_get(relay.port(), "/api/live-chat/conversations?agent=" + agent_id, h).json()["total"] == 1);
  CHECK(http_get(relay.port(), "/api/live-chat/conversations?issue_type=billing", h).json()["total"] == 1);
  CHECK(http_get(relay.port(), "/api/live-chat/conversations?channel=whatsapp", h).json()["total"] == 0);
  CHECK(http_get(relay.port(), "/api/live-chat/conversations?channel=web", h).json()["total"] == 2);
  CHECK(http_get(relay.port(), "/api/live-chat/conversations?from=1&to=2", h).json()["total"] == 0);
  CHECK(http_get(relay.port(), "/api/live-chat/conversations?q=%22%29%28*", h).status == 200);  // never an FTS syntax error
  // Bad input: a clear 400 with the field.
  for (const char* bad : {"status=closed", "priority=asap", "channel=fax", "limit=100000", "from=soon", "from=5&to=4"}) {
    auto r = http_get(relay.port(), std::string("/api/live-chat/conversations?") + bad, h);
    INFO(bad << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
  }
  CHECK(http_get(relay.port(), "/api/live-chat/conversations?q=" + std::string(201, 'q'), h).status == 400);
  CHECK(http_get(relay.port(), "/api/live-chat/conversations").status == 401);
}
