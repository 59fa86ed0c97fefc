// Issue 9: mail and the offline path. The relay sends mail to the stand-in SMTP server
// (tools/smtp_standin) on loopback: an offline message is stored, waits in the queue exempt from
// the abandon rule (also across a restart), and the agent's answer reaches the stand-in; the
// transcript on request (WebSocket and REST); retries after a transient SMTP failure; bad input
// and authorisation of every new command and endpoint.
#include <doctest/doctest.h>

#include <thread>

#include "../../tools/smtp_standin/smtp_standin.hpp"
#include "harness.hpp"

using namespace parley::it;
using parley::standin::SmtpStandin;

namespace {

template <class Pred>
bool eventually(Pred pred, Duration limit = kTimeout) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

std::vector<std::string> flags(std::uint16_t smtp_port, std::vector<std::string> more = {}) {
  std::vector<std::string> a = {"--test-counters", "true",   "--visitor-rate", "1000", "--visitor-burst", "1000",
                                "--rest-rate",     "1000",   "--rest-burst",   "5000"};
  if (smtp_port) {
    a.insert(a.end(), {"--smtp-host", "127.0.0.1", "--smtp-port", std::to_string(smtp_port), "--smtp-from",
                       "support@parley.test", "--mail-backoff", "0.05"});
  }
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

std::int64_t counter(const Relay& relay, const std::string& name) {
  auto r = http_get(relay.port(), "/api/v1/debug/counters");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  Json c = r.json();
  REQUIRE_MESSAGE(c.contains(name), "no counter " << name);
  return c[name].get<std::int64_t>();
}

std::string stored_status(const Relay& relay, const std::string& cid) {
  return db_int(relay, "SELECT status = 'pending' FROM conversations WHERE id = ?1", {cid}) == 1 ? "pending" : "other";
}

Headers browser(const Relay& relay, const std::string& cookie) {
  return {{"Cookie", cookie}, {"Origin", relay.origin()}, {"Content-Type", "application/json"}};
}

}  // namespace

TEST_CASE("offline: nobody online -> the widget is told; a left message waits (no abandon) and the answer is mailed") {
  SmtpStandin smtp;
  const auto smtp_port = smtp.start();
  REQUIRE(smtp_port != 0);
  Relay relay(RelayOptions::with_args(flags(smtp_port, {"--abandon-after", "0.2"})));
  relay.start();
  relay.create_user("sam", "sam-password-1", "agent");

  // Nobody online: hello's ack and GET /api/config say so, with the default offline message.
  Customer cust = Customer::connect(relay);
  REQUIRE(cust.hello_ack.contains("availability"));
  const Json av = cust.hello_ack["availability"];
  CHECK_FALSE(av.value("available", true));
  CHECK_FALSE(av.value("agents_online", true));
  CHECK(av.value("open", false));
  CHECK_FALSE(av.value("offline_message", "").empty());
  auto cfg = http_get(relay.port(), "/api/config");
  REQUIRE(cfg.status == 200);
  CHECK_FALSE(cfg.json()["availability"].value("available", true));

  // Bad input: every field checked, nothing stored.
  auto no_email = cust->request(cmd("chat.leave_message", {{"text", "hello"}}));
  CHECK(no_email.code() == "missing_field");
  auto bad_email = cust->request(cmd("chat.leave_message", {{"email", "not an address"}, {"text", "hello"}}));
  CHECK(bad_email.code() == "bad_field");
  CHECK(bad_email.frame.value("field", "") == "email");
  auto header_injection =
      cust->request(cmd("chat.leave_message", {{"email", "a@b.test>\r\nRCPT TO:<x@y.test"}, {"text", "hello"}}));
  CHECK(header_injection.code() == "bad_field");
  auto blank = cust->request(cmd("chat.leave_message", {{"email", "ada@example.test"}, {"text", "   "}}));
  CHECK(blank.code() == "missing_field");
  auto long_text =
      cust->request(cmd("chat.leave_message", {{"email", "ada@example.test"}, {"text", std::string(4001, 'x')}}));
  CHECK(long_text.code() == "text_too_long");
  auto not_mine = cust->request(
      cmd("chat.leave_message", {{"conversation_id", "c_doesnotexist"}, {"email", "ada@example.test"}, {"text", "hi"}}));
  CHECK(not_mine.code() == "not_found");
  CHECK(counter(relay, "offline_requests") == 0);

  // The message: a new conversation, waiting in the queue.
  auto left = cust->request(cmd("chat.leave_message", {{"email", "ada@example.test"},
                                                        {"text", "My order 1234 never arrived"},
                                                        {"client_msg_id", "offline-1"},
                                                        {"name", "Ada"}}));
  REQUIRE_MESSAGE(left.ok(), left.frame.dump());
  const std::string cid = left.data().value("conversation_id", "");
  REQUIRE_FALSE(cid.empty());
  CHECK(left.data().value("status", "") == "pending");
  CHECK(db_int(relay, "SELECT COUNT(*) FROM offline_requests WHERE conversation_id = ?1 AND email = 'ada@example.test'",
               {cid}) == 1);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM messages WHERE conversation_id = ?1 AND text = 'My order 1234 never arrived'",
               {cid}) == 1);
  // Another customer cannot add to it.
  Customer other = Customer::connect(relay);
  auto foreign = other->request(
      cmd("chat.leave_message", {{"conversation_id", cid}, {"email", "eve@example.test"}, {"text", "mine now"}}));
  CHECK(foreign.code() == "not_found");
  // Staff may not use the customer command.
  {
    Staff s = Staff::connect(relay, "sam", "sam-password-1");
    auto refused = s->request(cmd("chat.leave_message", {{"email", "sam@example.test"}, {"text", "x"}}));
    CHECK(refused.code() == "forbidden");
  }

  // The customer leaves: past the abandon delay, the sweep visits the conversation and keeps it.
  cust->drop();
  REQUIRE(eventually([&] { return counter(relay, "offline_abandon_exempted") >= 1; }));
  CHECK(stored_status(relay, cid) == "pending");

  // Across a restart too (the request is stored, reloaded at start-up).
  relay.restart();
  {
    const auto sweeps = counter(relay, "sweeps");
    REQUIRE(eventually([&] { return counter(relay, "sweeps") >= sweeps + 3; }));
    CHECK(stored_status(relay, cid) == "pending");
  }

  // Morning: an agent comes online; availability follows.
  Staff agent = Staff::connect(relay, "sam", "sam-password-1");
  Customer later = Customer::connect(relay);
  CHECK(later.hello_ack["availability"].value("available", false));
  const std::string cookie = login(relay, "sam", "sam-password-1");
  auto one = http_get(relay.port(), "/api/v1/conversations/" + cid, {{"Cookie", cookie}});
  REQUIRE(one.status == 200);
  CHECK(one.body.find("\"offline_email\":\"ada@example.test\"") != std::string::npos);

  REQUIRE(agent->request(cmd("chat.accept", {{"conversation_id", cid}})).ok());
  // A private note is never mailed; the reply is.
  auto note = agent->request(cmd("chat.send_message", {{"conversation_id", cid},
                                                        {"client_msg_id", "note-1"},
                                                        {"kind", "note"},
                                                        {"text", "internal: check the courier"}}));
  REQUIRE(note.ok());
  auto reply = agent->request(cmd("chat.send_message", {{"conversation_id", cid},
                                                         {"client_msg_id", "reply-1"},
                                                         {"text", "Sorry Ada, a new parcel left today.\n.\nBest, Sam"}}));
  REQUIRE_MESSAGE(reply.ok(), reply.frame.dump());
  REQUIRE(eventually([&] { return smtp.count() >= 1; }));
  const auto mails = smtp.received();
  REQUIRE(mails.size() == 1);
  CHECK(mails[0].from == "support@parley.test");
  REQUIRE(mails[0].to.size() == 1);
  CHECK(mails[0].to[0] == "ada@example.test");
  CHECK(mails[0].body().find("Sorry Ada, a new parcel left today.\r\n.\r\nBest, Sam") != std::string::npos);
  CHECK(mails[0].body().find("internal") == std::string::npos);
  CHECK_FALSE(mails[0].header("Subject").empty());
  CHECK(counter(relay, "offline_answers_mailed") == 1);
  CHECK(eventually([&] { return counter(relay, "mail_sent") == 1; }));
}

TEST_CASE("offline: an answer while the customer is connected goes to the chat, not by email") {
  SmtpStandin smtp;
  const auto smtp_port = smtp.start();
  Relay relay(RelayOptions::with_args(flags(smtp_port)));
  relay.start();
  relay.create_user("sam", "sam-password-1", "agent");
  Customer cust = Customer::connect(relay);
  auto left = cust->request(cmd("chat.leave_message", {{"email", "bob@example.test"}, {"text", "Anyone there?"}}));
  REQUIRE(left.ok());
  const std::string cid = left.data().value("conversation_id", "");
  REQUIRE(cust->request(cmd("chat.join", {{"conversation_id", cid}})).ok());
  Staff agent = Staff::connect(relay, "sam", "sam-password-1");
  REQUIRE(agent->request(cmd("chat.accept", {{"conversation_id", cid}})).ok());
  REQUIRE(agent->request(cmd("chat.send_message", {{"conversation_id", cid}, {"client_msg_id", "r1"}, {"text", "Yes!"}})).ok());
  cust->wait_for(is_message(cid, "Yes!"), "the answer in the chat");
  CHECK(counter(relay, "offline_answers_mailed") == 0);
  CHECK(counter(relay, "mail_queued") == 0);
}

TEST_CASE("mail: the transcript on request (WebSocket and REST), retried after a transient failure") {
  SmtpStandin smtp;
  smtp.fail_rcpt = 2;  // the first two attempts get 451
  const auto smtp_port = smtp.start();
  Relay relay(RelayOptions::with_args(flags(smtp_port)));
  relay.start();
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Cy"}});
  REQUIRE(cust.send(cid, "What are your opening hours?").ok());

  // Bad input and someone else's conversation.
  CHECK(cust->request(cmd("chat.email_transcript", {{"conversation_id", cid}, {"email", "nope"}})).code() == "bad_field");
  CHECK(cust->request(cmd("chat.email_transcript", {{"conversation_id", cid}})).code() == "missing_field");
  Customer other = Customer::connect(relay);
  CHECK(other->request(cmd("chat.email_transcript", {{"conversation_id", cid}, {"email", "eve@example.test"}})).code() ==
        "not_found");

  auto asked = cust->request(cmd("chat.email_transcript", {{"conversation_id", cid}, {"email", "cy@example.test"}}));
  REQUIRE_MESSAGE(asked.ok(), asked.frame.dump());
  CHECK(asked.data().value("queued", false));
  REQUIRE(eventually([&] { return smtp.count() >= 1; }));
  CHECK(smtp.rcpt_refused() == 2);
  CHECK(counter(relay, "mail_attempts_failed") == 2);
  auto m = smtp.received().at(0);
  CHECK(m.to.at(0) == "cy@example.test");
  CHECK(m.body().find("What are your opening hours?") != std::string::npos);

  // REST for staff: bad input, unknown conversation, then the transcript.
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);
  const std::string path = "/api/v1/conversations/" + cid + "/transcript";
  CHECK(http(relay.port(), "POST", path, R"({"email":"cy@example.test"})").status == 401);
  CHECK(http(relay.port(), "POST", path, R"({"email":"x"})", browser(relay, cookie)).status == 400);
  CHECK(http(relay.port(), "POST", path, R"({})", browser(relay, cookie)).status == 400);
  CHECK(http(relay.port(), "POST", path, R"(not json)", browser(relay, cookie)).status == 400);
  CHECK(http(relay.port(), "POST", "/api/v1/conversations/c_nope/transcript", R"({"email":"cy@example.test"})",
             browser(relay, cookie))
            .status == 404);
  auto ok = http(relay.port(), "POST", path, R"({"email":"cy@example.test"})", browser(relay, cookie));
  INFO(ok.body);
  CHECK(ok.status == 202);
  REQUIRE(eventually([&] { return smtp.count() >= 2; }));
  CHECK(db_int(relay, "SELECT COUNT(*) FROM audit WHERE action = 'transcript.mailed' AND target = ?1", {cid}) == 1);
}

TEST_CASE("mail: another tenant's conversation is not found; without --smtp-host mail is unavailable") {
  Relay relay(RelayOptions::with_args(flags(0)));
  auto made = relay.ctl({"tenant", "create", "acme", "--name", "Acme"});
  REQUIRE_MESSAGE(made.exit_code == 0, made.err);
  const auto acme_key = relay.create_api_key_with_id("acme-w", "write", "acme");
  relay.start();
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Di"}});
  REQUIRE(cust.send(cid, "hello").ok());
  // The acme key does not see the default tenant's conversation.
  auto cross = http(relay.port(), "POST", "/api/v1/conversations/" + cid + "/transcript",
                    R"({"email":"di@example.test"})", {{"Authorization", "Bearer " + acme_key.key}});
  CHECK(cross.status == 404);
  // Mail is off: a clear 503, and the customer command says unavailable.
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);
  auto off = http(relay.port(), "POST", "/api/v1/conversations/" + cid + "/transcript", R"({"email":"di@example.test"})",
                  browser(relay, cookie));
  CHECK(off.status == 503);
  CHECK(cust->request(cmd("chat.email_transcript", {{"conversation_id", cid}, {"email", "di@example.test"}})).code() ==
        "unavailable");
}

TEST_CASE("offline: business hours close the tenant; the widget is told when it opens again") {
  Relay relay(RelayOptions::with_args(flags(0)));
  relay.start();
  relay.create_user("sam", "sam-password-1", "agent");
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);
  // Bad hours are refused with the member named.
  auto bad = http(relay.port(), "PATCH", "/api/v1/settings", R"({"business_hours":{"week":{"mon":["17:00-09:00"]}}})",
                  browser(relay, cookie));
  CHECK(bad.status == 400);
  CHECK(bad.body.find("business_hours.week.mon") != std::string::npos);
  // Enabled with no open day: always closed, never opens.
  auto closed = http(relay.port(), "PATCH", "/api/v1/settings",
                     R"({"business_hours":{"enabled":true,"week":{}},"offline_message":"Back on Monday."})",
                     browser(relay, cookie));
  REQUIRE_MESSAGE(closed.status == 200, closed.body);
  Staff agent = Staff::connect(relay, "sam", "sam-password-1");  // online, but the tenant is closed
  Customer cust = Customer::connect(relay);
  const Json av = cust.hello_ack["availability"];
  CHECK(av.value("agents_online", false));
  CHECK_FALSE(av.value("open", true));
  CHECK_FALSE(av.value("available", true));
  CHECK(av.value("offline_message", "") == "Back on Monday.");
  // Open around the clock every day: open, and available with the agent online.
  auto open = http(relay.port(), "PATCH", "/api/v1/settings",
                   R"({"business_hours":{"enabled":true,"week":{"mon":["00:00-24:00"],"tue":["00:00-24:00"],
                       "wed":["00:00-24:00"],"thu":["00:00-24:00"],"fri":["00:00-24:00"],"sat":["00:00-24:00"],
                       "sun":["00:00-24:00"]}}})",
                   browser(relay, cookie));
  REQUIRE_MESSAGE(open.status == 200, open.body);
  Customer cust2 = Customer::connect(relay);
  CHECK(cust2.hello_ack["availability"].value("available", false));
  auto staff_view = http_get(relay.port(), "/api/v1/availability", {{"Cookie", cookie}});
  REQUIRE(staff_view.status == 200);
  CHECK(staff_view.json().value("open", false));
}
