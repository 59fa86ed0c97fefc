// Bad input on a customer socket (DESIGN.md rule 5, docs/protocol.md "Limits" and "Errors"):
// content errors get an error frame and the connection stays usable; protocol violations close
// the socket with the RFC 6455 code; nothing is stored and the relay stays up.
#include <doctest/doctest.h>

#include "harness.hpp"

using namespace parley::it;

namespace {

Json wait_error(WsClient& ws, const std::string& code, const std::string& re) {
  return ws.wait_for([&](const Json& f) { return f.value("type", "") == "error" && f.value("re", "") == re; },
                     "error " + code + " re=\"" + re + "\"");
}

// The number of chat.new_message events a fresh resume of the conversation replays.
std::size_t replayed_messages(const Relay& relay, const std::string& token, const std::string& cid) {
  Customer c = Customer::connect(relay, token);
  auto r = c->request(cmd("chat.resume", {{"conversation_id", cid}, {"after_seq", 0}}));
  REQUIRE(r.ok());
  std::size_t n = 0;
  for (const auto& f : events_of(r.before, cid)) n += f.value("type", "") == "chat.new_message";
  c->close();
  return n;
}

// A relay whose tenant has the assistant off: no asynchronous bot replies, so "nothing was stored"
// can be checked exactly.
void start_quiet(Relay& relay) {
  auto r = relay.ctl({"tenant", "set", "assistant_enabled", "false"});
  INFO("parleyctl: " << r.out << r.err);
  REQUIRE(r.exit_code == 0);
  relay.start();
}

std::size_t stored_count(const Relay& relay, const std::string& cid) {
  return stored_messages(relay, cid).size();
}

void expect_healthy(const Relay& relay) {
  auto h = http_get(relay.port(), "/healthz");
  CHECK(h.status == 200);
}

}  // namespace

TEST_CASE("bad input: content errors answer with a code and keep the connection") {
  Relay relay;
  start_quiet(relay);
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Bea"}});
  // The longest allowed text, in multi-byte characters (code points are counted, not bytes).
  std::string max_text;
  for (int i = 0; i < 4000; ++i) max_text += "\xc3\xa9";  // é
  REQUIRE(cust.send(cid, max_text).ok());
  flush(*cust.ws);
  const auto count_before = stored_count(relay, cid);
  const auto replay_before = replayed_messages(relay, cust.token, cid);

  SUBCASE("invalid JSON") {
    cust->send_text("{\"v\":1,\"type\":\"ping\",");
    auto e = wait_error(*cust.ws, "bad_json", "");
    CHECK(e.value("code", "") == "bad_json");
  }
  SUBCASE("not an object") {
    cust->send_text("[1,2,3]");
    CHECK(wait_error(*cust.ws, "bad_json", "").value("code", "") == "bad_json");
  }
  SUBCASE("wrong version") {
    auto r = cust->request(Json{{"v", 2}, {"type", "ping"}, {"id", "v2"}});
    CHECK(r.code() == "bad_version");
  }
  SUBCASE("unknown type") {
    auto r = cust->request(cmd("chat.teleport", {{"conversation_id", cid}}));
    CHECK(r.code() == "unknown_type");
  }
  SUBCASE("over-long text") {
    auto r = cust.send(cid, std::string(4001, 'x'));
    CHECK(r.code() == "text_too_long");
    CHECK(r.frame.value("field", "") == "text");
  }
  SUBCASE("missing field") {
    auto r = cust->request(cmd("chat.send_message", {{"conversation_id", cid}, {"client_msg_id", "mf"}}));
    CHECK(r.code() == "missing_field");
    CHECK(r.frame.value("field", "") == "text");
  }
  SUBCASE("lone surrogate escape") {
    cust->send_text(R"({"v":1,"type":"chat.send_message","id":"sur","conversation_id":")" + cid +
                    R"(","client_msg_id":"sur-1","text":"a\ud800b"})");
    auto e = wait_error(*cust.ws, "bad_unicode", "sur");
    CHECK(e.value("code", "") == "bad_unicode");
  }
  SUBCASE("a customer sending a staff command") {
    auto r = cust->request(cmd("chat.accept", {{"conversation_id", cid}}));
    CHECK(r.code() == "forbidden");
  }
  SUBCASE("commands before hello are unauthorized") {
    WsClient raw(relay.port(), {"", relay.origin(), "/ws"});
    auto r = raw.request(cmd("chat.start", {{"name", "Nobody"}}));
    CHECK(r.code() == "unauthorized");
    auto r2 = raw.request(cmd("chat.resume", {{"conversation_id", cid}, {"after_seq", 0}}));
    CHECK(r2.code() == "unauthorized");
    // The connection still works: hello now succeeds.
    auto h = raw.request(cmd("hello", {{"tenant", "default"}}));
    CHECK(h.ok());
    flush(raw);
  }
  SUBCASE("an unknown visitor token is a new visitor, who cannot see the old conversation") {
    Customer stranger = Customer::connect(relay, "not-a-token-the-relay-issued");
    CHECK(stranger.hello_ack.value("new_visitor", false));
    CHECK(stranger.token != cust.token);
    CHECK(stranger.token != "not-a-token-the-relay-issued");
    CHECK(stranger.hello_ack["conversations"].empty());
    auto r = stranger->request(cmd("chat.resume", {{"conversation_id", cid}, {"after_seq", 0}}));
    CHECK(r.code() == "not_found");
    CHECK(events_of(r.before, cid).empty());
    flush(*stranger.ws);
  }
  SUBCASE("another customer's conversation id is not found") {
    Customer other = Customer::connect(relay);
    const std::string own = other.start({{"name", "Olga"}});
    CHECK(own != cid);
    auto r = other.send(cid, "let me in");
    CHECK(r.code() == "not_found");
    auto r2 = other->request(cmd("chat.resume", {{"conversation_id", cid}, {"after_seq", 0}}));
    CHECK(r2.code() == "not_found");
    auto r3 = other->request(cmd("chat.end", {{"conversation_id", cid}}));
    CHECK(r3.code() == "not_found");
    flush(*other.ws);
  }
  SUBCASE("a conversation id that does not exist is not found") {
    auto r = cust.send("c_does_not_exist", "hello?");
    CHECK(r.code() == "not_found");
  }

  // After each error the connection still works, nothing was stored, the relay is up.
  flush(*cust.ws);
  CHECK(stored_count(relay, cid) == count_before);
  CHECK(replayed_messages(relay, cust.token, cid) == replay_before);
  expect_healthy(relay);
}

TEST_CASE("bad input: protocol violations close the socket with the RFC 6455 code") {
  Relay relay;
  start_quiet(relay);
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Carl"}});
  REQUIRE(cust.send(cid, "a normal message").ok());
  flush(*cust.ws);
  const auto count_before = stored_count(relay, cid);
  const auto replay_before = replayed_messages(relay, cust.token, cid);

  SUBCASE("invalid UTF-8 in a text frame -> 1007") {
    cust->send_text(R"({"v":1,"type":"chat.send_message","id":"u8","conversation_id":")" + cid +
                    "\",\"client_msg_id\":\"u8-1\",\"text\":\"bad \xff\xfe bytes\"}");
    CHECK(cust->wait_close() == 1007);
  }
  SUBCASE("frame over 64 KiB -> 1009") {
    cust->send_text(R"({"v":1,"type":"chat.send_message","id":"big","conversation_id":")" + cid +
                    R"(","client_msg_id":"big-1","text":")" + std::string(70 * 1024, 'b') + "\"}");
    CHECK(cust->wait_close() == 1009);
    INFO(cust->close_reason());
  }
  SUBCASE("binary frame -> 1003") {
    cust->send_binary(std::string("\x00\x01\x02", 3));
    CHECK(cust->wait_close() == 1003);
  }

  CHECK(stored_count(relay, cid) == count_before);
  CHECK(replayed_messages(relay, cust.token, cid) == replay_before);
  expect_healthy(relay);
  CHECK_FALSE(relay.exited());
}

TEST_CASE("bad input: a foreign Origin is refused at the upgrade") {
  Relay relay;
  relay.start();
  CHECK(WsClient::try_upgrade(relay.port(), {"", "https://evil.example", "/ws"}) == 403);
  CHECK(WsClient::try_upgrade(relay.port(), {"", relay.origin(), "/ws"}) == 101);
  // A staff cookie that the relay never issued: refused (401), never a customer socket with staff rights.
  CHECK(WsClient::try_upgrade(relay.port(), {"parley_session=forged", relay.origin(), "/ws/inbox"}) == 401);
  // The staff endpoint needs a session; the customer endpoint ignores cookies (a logged-in agent
  // opening the widget on the same origin is a visitor there); other paths are no endpoint.
  CHECK(WsClient::try_upgrade(relay.port(), {"", relay.origin(), "/ws/inbox"}) == 401);
  CHECK(WsClient::try_upgrade(relay.port(), {"parley_session=forged", relay.origin(), "/ws"}) == 101);
  CHECK(WsClient::try_upgrade(relay.port(), {"", relay.origin(), "/elsewhere"}) == 404);
}
