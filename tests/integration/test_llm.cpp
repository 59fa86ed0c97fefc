// Issue 10, LLM providers: the relay's OpenAI-compatible provider against tools/llm_standin (the
// same code that talks to the real service): tool calls answered and executed with the
// conversation's permissions, streamed drafts replaced by the committed message, retries of 429,
// the fallback to the queue when the provider is down, bad tool calls answered as errors, the
// verified-only tools refused, usage recorded; the settings route (key write-only, roles, bad
// input, the outbound URL rule).
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "harness.hpp"

using namespace parley::it;

namespace {

const std::vector<std::string> kArgs = {"--rest-rate",   "100000", "--rest-burst", "100000", "--outbound-allow-private",
                                        "true",          "--llm-timeout", "2",     "--test-counters", "true"};
constexpr const char* kKey = "sk-test-0123456789abcdefWXYZ";

// tools/llm_standin as a child process on a free loopback port.
struct Standin {
  pid_t pid = -1;
  int port = 0;
  explicit Standin(const std::string& dir) {
    const std::string bin = ctl_binary().substr(0, ctl_binary().rfind('/')) + "/llm_standin";
    const std::string port_file = dir + "/llm.port";
    pid = ::fork();
    if (pid == 0) {
      ::execl(bin.c_str(), bin.c_str(), "--port-file", port_file.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    REQUIRE(pid > 0);
    REQUIRE(wait_until([&] { return file_exists(port_file); }));
    port = std::stoi(read_file(port_file));
  }
  ~Standin() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
  void script(const Json& steps) {
    REQUIRE(http_post_json(static_cast<std::uint16_t>(port), "/_script", Json{{"steps", steps}}).status == 200);
  }
  Json requests() const { return http_get(static_cast<std::uint16_t>(port), "/_requests").json(); }
};

Headers browser(const Relay& relay, const std::string& cookie) {
  return {{"Cookie", cookie}, {"Origin", relay.origin()}, {"Content-Type", "application/json"}};
}

HttpResult put_provider(const Relay& relay, const std::string& cookie, const Json& body) {
  return http(relay.port(), "PUT", "/api/v1/assistant/provider", body.dump(), browser(relay, cookie));
}

struct Setup {
  std::string tmp;
  std::unique_ptr<Standin> llm;
  std::unique_ptr<Relay> relay;
  std::string cookie;
  explicit Setup(std::vector<std::string> extra = {}) {
    char tmpl[] = "/tmp/parley-llm-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    tmp = tmpl;
    llm = std::make_unique<Standin>(tmp);
    std::vector<std::string> args = kArgs;
    args.insert(args.end(), extra.begin(), extra.end());
    relay = std::make_unique<Relay>(RelayOptions::with_args(args));
    relay->start();
    cookie = login(*relay, kAdminUser, kAdminPassword);
    const HttpResult r = put_provider(*relay, cookie,
                                      Json{{"provider", "openai"}, {"base_url", llm->url()}, {"model", "strong-1"},
                                           {"api_key", kKey}, {"input_usd_per_mtok", 1.0}, {"output_usd_per_mtok", 2.0}});
    REQUIRE_MESSAGE(r.status == 200, r.body);
  }
};

// The tool messages the relay sent in request number `n` of the stand-in's log.
std::vector<Json> tool_messages(const Json& requests, std::size_t n) {
  std::vector<Json> out;
  if (!requests.is_array() || requests.size() <= n) return out;
  for (const Json& m : requests[n]["body"]["messages"]) {
    if (m.value("role", "") == "tool") out.push_back(m);
  }
  return out;
}

Json content_json(const Json& tool_message) { return Json::parse(tool_message.value("content", ""), nullptr, false); }

}  // namespace

TEST_CASE("llm: the model calls search_kb, the relay answers from the knowledge base, then the model's answer is posted") {
  Setup s;
  s.llm->script(Json::array({Json{{"tool_calls", Json::array({Json{{"name", "search_kb"},
                                                                   {"arguments", R"({"query":"internet down router"})"}}})}},
                             Json{{"text", "Please restart your router: unplug it for 30 seconds."}}}));
  Customer cust = Customer::connect(*s.relay);
  const std::string cid = cust.start();
  REQUIRE(cust.send(cid, "My internet is down since this morning").ok());
  const Json msg = cust->wait_for(is_message(cid, "Please restart your router: unplug it for 30 seconds."), "answer");
  CHECK(message_of(msg)["sender"]["role"] == "bot");

  const Json reqs = s.llm->requests();
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[0]["authorization"] == std::string("Bearer ") + kKey);
  CHECK(reqs[0]["body"]["model"] == "strong-1");
  CHECK(reqs[0]["body"]["stream"] == true);
  CHECK(reqs[0]["body"]["tools"].size() == 5);
  const auto tools = tool_messages(reqs, 1);
  REQUIRE(tools.size() == 1);
  const Json result = content_json(tools[0]);
  REQUIRE(result["results"].is_array());
  REQUIRE_FALSE(result["results"].empty());
  CHECK(result["results"][0]["id"] == "kb_outage");

  // Usage: two calls of the tenant and this conversation (the stand-in reports tokens per call).
  const HttpResult usage = http_get(s.relay->port(), "/api/v1/assistant/usage", {{"Cookie", s.cookie}});
  REQUIRE(usage.status == 200);
  CHECK(usage.json()["tenant"]["calls"] == 2);
  CHECK(usage.json()["tenant"]["prompt_tokens"] == 20);
  REQUIRE(usage.json()["conversations"].size() == 1);
  CHECK(usage.json()["conversations"][0]["conversation_id"] == cid);
  CHECK(usage.json()["conversations"][0]["cost_usd"].get<double>() > 0);
  // The conversation stays with the assistant.
  CHECK(db_int(*s.relay, "SELECT COUNT(*) FROM conversations WHERE id = ?1 AND status = 'bot'", {cid}) == 1);
}

TEST_CASE("llm: streamed text arrives as chat.draft (seq 0, not stored), then the committed message replaces it") {
  Setup s;
  const std::string answer = "Our team is available Monday to Friday, from nine to six. Is there anything else?";
  s.llm->script(Json::array({Json{{"text", answer}, {"chunk_delay_ms", 20}}}));
  Customer cust = Customer::connect(*s.relay);
  const std::string cid = cust.start();
  REQUIRE(cust.send(cid, "When are you open?").ok());
  const Json draft = cust->wait_for(is_event("chat.draft", cid), "a draft");
  CHECK(draft.value("seq", -1) == 0);
  const std::string draft_id = draft["data"].value("draft_id", "");
  CHECK_FALSE(draft_id.empty());
  const std::string partial = draft["data"].value("text", "");
  CHECK_FALSE(partial.empty());
  CHECK(answer.rfind(partial, 0) == 0);  // a prefix of the answer
  const Json msg = cust->wait_for(is_message(cid, answer), "the committed answer");
  CHECK(msg["data"].value("draft_id", "") == draft_id);
  CHECK(msg.value("seq", 0) > 0);
  // Stored once, whole; no draft text stored (the other bot message is the tenant's welcome).
  int answers = 0, partial_rows = 0;
  for (const StoredMessage& m : stored_messages(*s.relay, cid)) {
    if (m.sender_role != "bot") continue;
    if (m.text == answer) ++answers;
    else if (answer.rfind(m.text, 0) == 0) ++partial_rows;
  }
  CHECK(answers == 1);
  CHECK(partial_rows == 0);
  CHECK(s.relay->counters().value("llm_drafts", 0) >= 1);
}

TEST_CASE("llm: a 429 rate limit is retried and then answered; insufficient_quota is not retried and falls back") {
  Setup s;
  s.llm->script(Json::array(
      {Json{{"status", 429},
            {"retry_after", "0"},
            {"error", {{"error", {{"message", "Rate limit reached"}, {"type", "requests"}, {"code", "rate_limit_exceeded"}}}}}},
       Json{{"text", "Answered after a retry."}}}));
  Customer cust = Customer::connect(*s.relay);
  const std::string cid = cust.start();
  REQUIRE(cust.send(cid, "hello").ok());
  cust->wait_for(is_message(cid, "Answered after a retry."), "the answer after the retry");
  CHECK(s.llm->requests().size() == 2);

  s.llm->script(Json::array({Json{{"status", 429},
                                  {"error", {{"error", {{"message", "You exceeded your current quota"},
                                                        {"type", "insufficient_quota"},
                                                        {"code", "insufficient_quota"}}}}}}}));
  REQUIRE(cust.send(cid, "are you there?").ok());
  cust->wait_for(is_event("chat.handed_off", cid), "the fallback hand-off");
  CHECK(s.llm->requests().size() == 3);  // no retry
}

TEST_CASE("llm: provider down (5xx after the retries) or silent -> a polite message, the chat is queued, nothing lost") {
  Setup s;
  s.llm->script(Json::array({Json{{"status", 500}}, Json{{"status", 502}}, Json{{"status", 503}}}));
  Customer cust = Customer::connect(*s.relay);
  const std::string cid = cust.start();
  REQUIRE(cust.send(cid, "I need help with my invoice").ok());
  const Json polite = cust->wait_for(
      [cid](const Json& f) {
        return f.value("type", "") == "chat.new_message" && f.value("conversation_id", "") == cid &&
               message_of(f)["sender"]["role"] == "bot" &&
               message_of(f).value("text", "").find("member of our team") != std::string::npos;
      },
      "the polite message");
  CHECK(message_of(polite)["text"].get<std::string>().find("member of our team") != std::string::npos);
  cust->wait_for(is_event("chat.handed_off", cid), "queued");
  CHECK(s.llm->requests().size() == 3);  // the first try and two retries
  CHECK(db_int(*s.relay, "SELECT COUNT(*) FROM conversations WHERE id = ?1 AND status = 'pending'", {cid}) == 1);
  bool kept = false;
  for (const StoredMessage& m : stored_messages(*s.relay, cid)) kept = kept || m.text == "I need help with my invoice";
  CHECK(kept);

  // A provider that hangs past --llm-timeout: the same fallback.
  s.llm->script(Json::array({Json{{"hang_ms", 4000}}}));
  Customer two = Customer::connect(*s.relay);
  const std::string cid2 = two.start();
  REQUIRE(two.send(cid2, "hello?").ok());
  two->wait_for(is_event("chat.handed_off", cid2), "queued after the timeout", std::chrono::seconds(15));
  CHECK(s.relay->counters().value("llm_fallbacks", 0) == 2);
}

TEST_CASE("llm: an unknown tool and bad arguments are answered to the model as errors; the turn goes on") {
  Setup s;
  s.llm->script(Json::array(
      {Json{{"tool_calls", Json::array({Json{{"name", "delete_everything"}, {"arguments", "{}"}},
                                        Json{{"name", "search_kb"}, {"arguments", "{\"query\":"}},
                                        Json{{"name", "transfer_to_human"}, {"arguments", R"({"reason":"x","priority":"asap"})"}}})}},
       Json{{"text", "Sorry, let me try again."}}}));
  Customer cust = Customer::connect(*s.relay);
  const std::string cid = cust.start();
  REQUIRE(cust.send(cid, "do something").ok());
  cust->wait_for(is_message(cid, "Sorry, let me try again."), "the answer after the errors");
  const auto tools = tool_messages(s.llm->requests(), 1);
  REQUIRE(tools.size() == 3);
  CHECK(content_json(tools[0])["error"]["code"] == "not_found");
  CHECK(content_json(tools[1])["error"]["code"] == "bad_json");
  CHECK(content_json(tools[2])["error"]["code"] == "bad_field");
  CHECK(tools[0].value("tool_call_id", "") == "call_1");
  // A rejected transfer_to_human did not hand off.
  CHECK(db_int(*s.relay, "SELECT COUNT(*) FROM conversations WHERE id = ?1 AND status = 'bot'", {cid}) == 1);
}

TEST_CASE("llm: lookup_ticket and get_account_info are refused for an unverified contact; create_ticket and transfer_to_human work") {
  Setup s;
  s.llm->script(Json::array(
      {Json{{"tool_calls", Json::array({Json{{"name", "lookup_ticket"}, {"arguments", R"({"ticket_id":"tk_1"})"}},
                                        Json{{"name", "get_account_info"}, {"arguments", ""}},
                                        Json{{"name", "create_ticket"},
                                             {"arguments", R"({"title":"Router broken","description":"Lights off","priority":"high"})"}}})}},
       Json{{"tool_calls", Json::array({Json{{"name", "transfer_to_human"},
                                             {"arguments", R"({"reason":"hardware fault","priority":"high"})"}}})}},
       Json{{"text", "I've opened a ticket and I'm connecting you with a colleague."}}}));
  Customer cust = Customer::connect(*s.relay);
  const std::string cid = cust.start();
  REQUIRE(cust.send(cid, "My router has no lights, where is my ticket?").ok());
  cust->wait_for(is_message(cid, "I've opened a ticket and I'm connecting you with a colleague."), "answer");
  cust->wait_for(is_event("chat.handed_off", cid), "handed off by transfer_to_human");
  const auto tools = tool_messages(s.llm->requests(), 1);
  REQUIRE(tools.size() == 3);
  CHECK(content_json(tools[0])["error"]["code"] == "forbidden");
  CHECK(content_json(tools[1])["error"]["code"] == "forbidden");
  CHECK(content_json(tools[2])["ok"] == true);
  const std::string ticket_id = content_json(tools[2]).value("ticket_id", "");
  CHECK(db_int(*s.relay, "SELECT COUNT(*) FROM tickets WHERE id = ?1 AND conversation_id = ?2 AND priority = 'high'",
               {ticket_id, cid}) == 1);
  CHECK(db_int(*s.relay, "SELECT COUNT(*) FROM conversations WHERE id = ?1 AND status = 'pending' AND priority = 'high'",
               {cid}) == 1);
  CHECK(db_int(*s.relay, "SELECT COUNT(*) FROM conversations WHERE id = ?1 AND handoff_summary LIKE '%hardware fault%'",
               {cid}) == 1);
}

TEST_CASE("llm settings: the key is write-only (last 4 for admins, nothing for supervisors), agents refused, bad input") {
  Setup s;
  s.relay->create_user("sue", "sue-password-1", "supervisor");
  s.relay->create_user("al", "al-password-1", "agent");
  const HttpResult admin = http_get(s.relay->port(), "/api/v1/assistant/provider", {{"Cookie", s.cookie}});
  REQUIRE(admin.status == 200);
  CHECK(admin.body.find(kKey) == std::string::npos);
  CHECK(admin.json()["key_set"] == true);
  CHECK(admin.json()["key_last4"] == "WXYZ");
  CHECK_FALSE(admin.json().contains("api_key"));
  const HttpResult sup = http_get(s.relay->port(), "/api/v1/assistant/provider", {{"Cookie", login(*s.relay, "sue", "sue-password-1")}});
  REQUIRE(sup.status == 200);
  CHECK_FALSE(sup.json().contains("key_last4"));
  CHECK(sup.body.find("WXYZ") == std::string::npos);
  const std::string agent = login(*s.relay, "al", "al-password-1");
  CHECK(http_get(s.relay->port(), "/api/v1/assistant/provider", {{"Cookie", agent}}).status == 403);
  CHECK(put_provider(*s.relay, agent, Json{{"model", "x"}}).status == 403);
  CHECK(http_get(s.relay->port(), "/api/v1/assistant/usage", {{"Cookie", agent}}).status == 403);
  CHECK(http_get(s.relay->port(), "/api/v1/assistant/provider").status == 401);

  // Bad input: each refused with the field named, nothing changed.
  for (const Json& bad : {Json{{"provider", "skynet"}}, Json{{"temperature", 3}}, Json{{"max_tokens", 0}},
                          Json{{"api_key", "line\nbreak"}}, Json{{"base_url", "ftp://x"}}, Json{{"unknown", 1}},
                          Json{{"model", 5}}, Json{{"monthly_budget_usd", -1}}}) {
    CAPTURE(bad.dump());
    const HttpResult r = put_provider(*s.relay, s.cookie, bad);
    CHECK(r.status == 400);
  }
  CHECK(http(s.relay->port(), "PUT", "/api/v1/assistant/provider", "[1]", browser(*s.relay, s.cookie)).status == 400);
  CHECK(http_get(s.relay->port(), "/api/v1/assistant/provider", {{"Cookie", s.cookie}}).json()["model"] == "strong-1");

  // The key never reaches the audit log or the relay's log.
  CHECK(db_int(*s.relay, "SELECT COUNT(*) FROM audit WHERE action = 'assistant.provider'") >= 1);
  CHECK(db_int(*s.relay, "SELECT COUNT(*) FROM audit WHERE data_json LIKE ?1", {std::string("%") + kKey + "%"}) == 0);
  CHECK(s.relay->stderr_text().find(kKey) == std::string::npos);
  // Changing other fields keeps the key; "" removes it.
  REQUIRE(put_provider(*s.relay, s.cookie, Json{{"temperature", 0.5}}).status == 200);
  CHECK(http_get(s.relay->port(), "/api/v1/assistant/provider", {{"Cookie", s.cookie}}).json()["key_last4"] == "WXYZ");
  REQUIRE(put_provider(*s.relay, s.cookie, Json{{"api_key", ""}}).status == 200);
  CHECK(http_get(s.relay->port(), "/api/v1/assistant/provider", {{"Cookie", s.cookie}}).json()["key_set"] == false);
}

TEST_CASE("llm settings: a private or loopback base URL is refused without --outbound-allow-private") {
  Relay relay(RelayOptions::with_args({"--rest-rate", "100000", "--rest-burst", "100000"}));
  relay.start();
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);
  for (const char* url : {"http://127.0.0.1:9", "http://10.1.2.3", "http://169.254.169.254/latest", "http://[::1]:80"}) {
    CAPTURE(url);
    const HttpResult r = put_provider(relay, cookie, Json{{"provider", "openai"}, {"base_url", url}, {"model", "m"}});
    CHECK(r.status == 400);
    CHECK(r.json()["error"].value("field", "") == "base_url");
  }
  CHECK(db_int(relay, "SELECT COUNT(*) FROM llm_settings") == 0);
  // A public https URL is accepted at save (its addresses are checked again at every use).
  CHECK(put_provider(relay, cookie, Json{{"provider", "openai"}, {"base_url", "https://api.openai.com"}, {"model", "m"}})
            .status == 200);
  // The built-in assistant stays the answer of tenants without a provider: a relay without
  // settings answers from the knowledge base with no network at all.
}
