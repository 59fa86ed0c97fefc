// parley/llm.hpp: SSE splitting, OpenAI request building and response / stream parsing, retry
// advice, hybrid routing, tool argument validation (issue 10, Providers).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "parley/llm.hpp"
#include "test_support.hpp"

using namespace parley;
using namespace parley::llm;
using parley::test::code_of;
using parley::test::error_of;
using parley::test::value_of;

namespace {
std::vector<SseEvent> feed_split(std::string_view body, std::size_t every) {
  SseSplitter s;
  std::vector<SseEvent> out;
  for (std::size_t i = 0; i < body.size(); i += every) {
    auto got = s.feed(body.substr(i, every));
    out.insert(out.end(), got.begin(), got.end());
  }
  auto rest = s.finish();
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}
Json parse(const std::string& s) { return Json::parse(s, nullptr, false); }
}  // namespace

TEST_CASE("SSE: events come out whole whatever the pieces, [DONE] marks the end") {
  const std::string body =
      "data: {\"a\":1}\n\n"
      ": keep-alive comment\n\n"
      "event: message_start\r\ndata: {\"b\":2}\r\n\r\n"
      "data: line one\ndata: line two\n\n"
      "data:no-space\n\n"
      "data: [DONE]\n\n";
  for (std::size_t every : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, body.size()}) {
    CAPTURE(every);
    const auto ev = feed_split(body, every);
    REQUIRE(ev.size() == 5);
    CHECK(ev[0].data == "{\"a\":1}");
    CHECK(ev[0].event.empty());
    CHECK(ev[1].event == "message_start");
    CHECK(ev[1].data == "{\"b\":2}");
    CHECK(ev[2].data == "line one\nline two");
    CHECK(ev[3].data == "no-space");
    CHECK_FALSE(ev[3].done);
    CHECK(ev[4].done);
  }
}

TEST_CASE("SSE: a last event without its blank line is kept by finish; blank-only input gives none") {
  SseSplitter s;
  CHECK(s.feed("data: x").empty());
  CHECK(s.pending() > 0);
  const auto ev = s.finish();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].data == "x");
  SseSplitter t;
  CHECK(t.feed("\n\n\r\n").empty());
  CHECK(t.finish().empty());
}

TEST_CASE("OpenAI request: model, messages with tool calls and results, tools, stream with usage") {
  ChatRequest req;
  req.model = "gpt-4o-mini";
  req.temperature = 0.2;
  req.max_tokens = 300;
  req.stream = true;
  req.messages.push_back({ChatRole::system, "Be brief.", {}, "", "", false});
  req.messages.push_back({ChatRole::user, "Where is my ticket?", {}, "", "", false});
  ChatMessage call;
  call.role = ChatRole::assistant;
  call.tool_calls.push_back({"call_1", "lookup_ticket", "{\"ticket_id\":\"T-1\"}"});
  req.messages.push_back(call);
  ChatMessage result;
  result.role = ChatRole::tool;
  result.tool_call_id = "call_1";
  result.name = "lookup_ticket";
  result.content = "{\"status\":\"open\"}";
  req.messages.push_back(result);
  req.tools = assistant_tools();
  const Json j = parse(openai_request_body(req));
  REQUIRE(j.is_object());
  CHECK(j["model"] == "gpt-4o-mini");
  CHECK(j["stream"] == true);
  CHECK(j["stream_options"]["include_usage"] == true);
  CHECK(j["max_tokens"] == 300);
  CHECK(j["temperature"].get<double>() == doctest::Approx(0.2));
  REQUIRE(j["messages"].size() == 4);
  CHECK(j["messages"][0]["role"] == "system");
  CHECK(j["messages"][2]["role"] == "assistant");
  CHECK(j["messages"][2]["content"].is_null());
  CHECK(j["messages"][2]["tool_calls"][0]["id"] == "call_1");
  CHECK(j["messages"][2]["tool_calls"][0]["type"] == "function");
  CHECK(j["messages"][2]["tool_calls"][0]["function"]["name"] == "lookup_ticket");
  CHECK(j["messages"][2]["tool_calls"][0]["function"]["arguments"] == "{\"ticket_id\":\"T-1\"}");
  CHECK(j["messages"][3]["role"] == "tool");
  CHECK(j["messages"][3]["tool_call_id"] == "call_1");
  CHECK(j["tools"].size() == 5);
  CHECK(j["tools"][0]["type"] == "function");
  CHECK(j["tools"][0]["function"]["name"] == "search_kb");
  CHECK(j["tools"][0]["function"]["parameters"]["type"] == "object");
  CHECK(j["tool_choice"] == "auto");
}

TEST_CASE("OpenAI request: no tools, no stream, no limits -> none of those keys") {
  ChatRequest req;
  req.model = "m";
  req.messages.push_back({ChatRole::user, "hi", {}, "", "", false});
  const Json j = parse(openai_request_body(req));
  CHECK_FALSE(j.contains("tools"));
  CHECK_FALSE(j.contains("tool_choice"));
  CHECK_FALSE(j.contains("stream"));
  CHECK_FALSE(j.contains("max_tokens"));
  CHECK_FALSE(j.contains("temperature"));
}

TEST_CASE("OpenAI URL from a base URL") {
  CHECK(openai_chat_url("https://api.openai.com") == "https://api.openai.com/v1/chat/completions");
  CHECK(openai_chat_url("https://api.openai.com/v1") == "https://api.openai.com/v1/chat/completions");
  CHECK(openai_chat_url("http://127.0.0.1:11434/v1/") == "http://127.0.0.1:11434/v1/chat/completions");
  CHECK(openai_chat_url("http://h/openai/deployments/x") == "http://h/openai/deployments/x/v1/chat/completions");
}

TEST_CASE("OpenAI response: text, tool calls, usage; malformed bodies are errors") {
  const auto r = value_of(parse_openai_response(
      R"({"model":"m-1","choices":[{"index":0,"message":{"role":"assistant","content":null,
      "tool_calls":[{"id":"call_9","type":"function","function":{"name":"search_kb","arguments":"{\"query\":\"router\"}"}}]},
      "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":12,"completion_tokens":5}})"));
  CHECK(r.text.empty());
  CHECK(r.finish_reason == "tool_calls");
  CHECK(r.model == "m-1");
  REQUIRE(r.tool_calls.size() == 1);
  CHECK(r.tool_calls[0].id == "call_9");
  CHECK(r.tool_calls[0].name == "search_kb");
  CHECK(r.tool_calls[0].arguments == "{\"query\":\"router\"}");
  CHECK(r.usage.prompt_tokens == 12);
  CHECK(r.usage.completion_tokens == 5);

  const auto t = value_of(parse_openai_response(
      R"({"choices":[{"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}]})"));
  CHECK(t.text == "Hello!");
  CHECK(t.usage.prompt_tokens == 0);

  CHECK(code_of(error_of(parse_openai_response("not json"))) == "bad_json");
  CHECK(code_of(error_of(parse_openai_response("[1]"))) == "bad_json");
  CHECK(code_of(error_of(parse_openai_response(R"({"choices":[]})"))) == "bad_field");
  CHECK(code_of(error_of(parse_openai_response(R"({"choices":[{"message":7}]})"))) == "bad_field");
  // Arguments given as an object instead of a string (some servers do): kept as its JSON text.
  const auto o = value_of(parse_openai_response(
      R"({"choices":[{"message":{"tool_calls":[{"id":"a","function":{"name":"get_account_info","arguments":{}}}]}}]})"));
  REQUIRE(o.tool_calls.size() == 1);
  CHECK(o.tool_calls[0].arguments == "{}");
}

TEST_CASE("OpenAI stream: text deltas appended, tool-call fragments joined by index, usage at the end") {
  OpenAiStream s;
  CHECK(s.feed(R"({"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]})") == "Hel");
  CHECK(s.feed(R"({"choices":[{"index":0,"delta":{"content":"lo"}}]})") == "lo");
  // Two calls, fragments interleaved; the second's id and name come in its first fragment.
  s.feed(R"({"choices":[{"delta":{"tool_calls":[{"index":1,"id":"c2","type":"function","function":{"name":"lookup_ticket","arguments":""}}]}}]})");
  s.feed(R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"search_kb","arguments":"{\"qu"}}]}}]})");
  s.feed(R"({"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"ticket_id\":"}}]}}]})");
  s.feed(R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ery\":\"wifi\"}"}}]}}]})");
  s.feed(R"({"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\"T-7\"}"}}]}}]})");
  CHECK(s.feed("garbage{") == "");
  s.feed(R"({"choices":[{"delta":{},"finish_reason":"tool_calls"}]})");
  s.feed(R"({"choices":[],"usage":{"prompt_tokens":40,"completion_tokens":9}})");
  const ChatResponse r = s.finish();
  CHECK(r.text == "Hello");
  CHECK(r.finish_reason == "tool_calls");
  CHECK(s.bad_chunks() == 1);
  REQUIRE(r.tool_calls.size() == 2);
  CHECK(r.tool_calls[0].id == "c1");
  CHECK(r.tool_calls[0].name == "search_kb");
  CHECK(r.tool_calls[0].arguments == "{\"query\":\"wifi\"}");
  CHECK(r.tool_calls[1].id == "c2");
  CHECK(r.tool_calls[1].arguments == "{\"ticket_id\":\"T-7\"}");
  CHECK(r.usage.prompt_tokens == 40);
  CHECK(r.usage.completion_tokens == 9);
}

TEST_CASE("OpenAI stream: an error object in the stream is reported") {
  OpenAiStream s;
  s.feed(R"({"error":{"message":"overloaded","type":"server_error"}})");
  REQUIRE(s.stream_error().has_value());
  CHECK(*s.stream_error() == "overloaded");
}

TEST_CASE("Error bodies of the three APIs") {
  auto o = parse_error_body(429, R"({"error":{"message":"quota","type":"insufficient_quota","code":"insufficient_quota"}})");
  CHECK(o.code == "insufficient_quota");
  CHECK(o.message == "quota");
  auto a = parse_error_body(529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  CHECK(a.type == "overloaded_error");
  auto g = parse_error_body(400, R"({"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}})");
  CHECK(g.message == "bad");
  CHECK(g.type == "INVALID_ARGUMENT");
  auto n = parse_error_body(502, "<html>bad gateway</html>");
  CHECK(n.status == 502);
  CHECK(n.message.empty());
}

TEST_CASE("Retry advice: 429 rate limits back off with jitter and retry-after; quota never; 5xx yes; 4xx no") {
  const RetryPolicy p;
  const std::string rl = R"({"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}})";
  auto a1 = advise_retry(Transport::answered, 429, rl, "", 1, 0.0, p);
  CHECK(a1.kind == FailureKind::rate_limited);
  CHECK(a1.retry);
  CHECK(a1.delay_ms == 250);  // 500 * (0.5 + 0)
  auto a2 = advise_retry(Transport::answered, 429, rl, "", 2, 0.999, p);
  CHECK(a2.delay_ms >= 999);
  CHECK(a2.delay_ms <= 1000);
  // retry-after wins when longer, fractional seconds allowed
  auto a3 = advise_retry(Transport::answered, 429, rl, "3.5", 1, 0.0, p);
  CHECK(a3.retry);
  CHECK(a3.delay_ms == 3500);
  // a retry-after beyond the policy's patience gives up
  CHECK_FALSE(advise_retry(Transport::answered, 429, rl, "120", 1, 0.0, p).retry);
  // the last attempt is the last
  CHECK_FALSE(advise_retry(Transport::answered, 429, rl, "", 3, 0.0, p).retry);
  // an HTTP date is ignored (the backoff applies)
  CHECK(advise_retry(Transport::answered, 429, rl, "Wed, 21 Oct 2015 07:28:00 GMT", 1, 0.0, p).delay_ms == 250);
  // the cap
  RetryPolicy many;
  many.max_attempts = 20;
  CHECK(advise_retry(Transport::answered, 500, "", "", 10, 0.999, many).delay_ms <= many.max_delay_ms);

  auto q = advise_retry(Transport::answered, 429,
                        R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}})",
                        "1", 1, 0.0, p);
  CHECK(q.kind == FailureKind::over_quota);
  CHECK_FALSE(q.retry);
  auto plain429 = advise_retry(Transport::answered, 429, "", "", 1, 0.5, p);
  CHECK(plain429.kind == FailureKind::rate_limited);
  CHECK(plain429.retry);
  auto overloaded = advise_retry(Transport::answered, 529, "", "", 1, 0.5, p);
  CHECK(overloaded.kind == FailureKind::rate_limited);
  CHECK(overloaded.retry);
  CHECK(advise_retry(Transport::answered, 500, "", "", 1, 0.5, p).retry);
  CHECK(advise_retry(Transport::answered, 503, "", "", 1, 0.5, p).kind == FailureKind::server);
  for (int s : {400, 401, 403, 404, 422}) {
    CAPTURE(s);
    auto c = advise_retry(Transport::answered, s, "", "", 1, 0.5, p);
    CHECK(c.kind == FailureKind::client);
    CHECK_FALSE(c.retry);
  }
  CHECK(advise_retry(Transport::answered, 200, "", "", 1, 0.5, p).kind == FailureKind::none);
  CHECK(advise_retry(Transport::not_sent, 0, "", "", 1, 0.5, p).retry);
  auto to = advise_retry(Transport::timed_out, 0, "", "", 1, 0.5, p);
  CHECK(to.kind == FailureKind::timeout);
  CHECK_FALSE(to.retry);
  CHECK_FALSE(advise_retry(Transport::refused, 0, "", "", 1, 0.5, p).retry);
}

TEST_CASE("Hybrid routing: the documented rule, one case per clause") {
  CHECK(route_message("hi", 1, false).tier == ModelTier::cheap);
  CHECK(route_message("Thanks!", 2, false).reason == "simple");
  CHECK(route_message("What are your opening hours?", 1, false).tier == ModelTier::cheap);
  CHECK(route_message(std::string(241, 'a'), 1, false).reason == "long");
  CHECK(route_message("One. Two. Three.", 1, false).reason == "long");
  CHECK(route_message("Is it open? Is it free?", 1, false).reason == "questions");
  CHECK(route_message("order 12345 please", 1, false).reason == "number");
  CHECK(route_message("order 123 please", 1, false).tier == ModelTier::cheap);
  CHECK(route_message("I want a refund", 1, false).reason == "word:refund");
  CHECK(route_message("Why is it slow", 1, false).reason == "word:why");
  CHECK(route_message("Mi router no funciona", 1, false).tier == ModelTier::strong);
  CHECK(route_message("it is not working", 1, false).tier == ModelTier::strong);
  CHECK(route_message("ok", 5, false).reason == "long_chat");
  CHECK(route_message("ok", 4, false).tier == ModelTier::cheap);
  CHECK(route_message("ok", 1, true).reason == "after_tool");
}

TEST_CASE("Tools: the five, with object schemas") {
  const auto& tools = assistant_tools();
  REQUIRE(tools.size() == 5);
  std::vector<std::string> names;
  for (const auto& t : tools) {
    names.push_back(t.name);
    CHECK(t.parameters["type"] == "object");
    CHECK_FALSE(t.description.empty());
  }
  CHECK(names == std::vector<std::string>{"search_kb", "transfer_to_human", "create_ticket", "lookup_ticket",
                                          "get_account_info"});
}

TEST_CASE("Tool arguments: valid, defaults, and every kind of bad answered as an error") {
  auto s = value_of(validate_tool_arguments("search_kb", R"({"query":"router reset"})"));
  CHECK(s["query"] == "router reset");
  auto t = value_of(validate_tool_arguments("transfer_to_human", R"({"reason":"angry"})"));
  CHECK(t["priority"] == "normal");
  auto t2 = value_of(validate_tool_arguments("transfer_to_human", R"({"reason":"fire","priority":"urgent"})"));
  CHECK(t2["priority"] == "urgent");
  auto c = value_of(validate_tool_arguments("create_ticket", R"({"title":"Broken","description":"It broke","priority":"high"})"));
  CHECK(c["title"] == "Broken");
  auto l = value_of(validate_tool_arguments("lookup_ticket", R"({"ticket_id":"tk_1"})"));
  CHECK(l["ticket_id"] == "tk_1");
  CHECK(value_of(validate_tool_arguments("get_account_info", "")).empty());
  CHECK(value_of(validate_tool_arguments("get_account_info", "  {} ")).empty());

  CHECK(code_of(error_of(validate_tool_arguments("delete_everything", "{}"))) == "not_found");
  CHECK(code_of(error_of(validate_tool_arguments("search_kb", "{\"query\":"))) == "bad_json");
  CHECK(code_of(error_of(validate_tool_arguments("search_kb", "[\"router\"]"))) == "bad_json");
  const Error missing = error_of(validate_tool_arguments("search_kb", "{}"));
  CHECK(code_of(missing) == "missing_field");
  CHECK(missing.field == "query");
  CHECK(code_of(error_of(validate_tool_arguments("search_kb", R"({"query":42})"))) == "bad_field");
  CHECK(code_of(error_of(validate_tool_arguments("search_kb", R"({"query":"  "})"))) == "bad_field");
  CHECK(code_of(error_of(validate_tool_arguments("search_kb", R"({"query":"x","extra":1})"))) == "bad_field");
  CHECK(code_of(error_of(validate_tool_arguments("search_kb", "{\"query\":\"" + std::string(501, 'a') + "\"}"))) ==
        "text_too_long");
  CHECK(code_of(error_of(validate_tool_arguments("transfer_to_human", R"({"reason":"x","priority":"asap"})"))) ==
        "bad_field");
  CHECK(code_of(error_of(validate_tool_arguments("create_ticket", R"({"title":"x"})"))) == "missing_field");
  CHECK(code_of(error_of(validate_tool_arguments("get_account_info", R"({"who":"me"})"))) == "bad_field");

  const Json content = parse(tool_error_content(make_error(ErrorCode::bad_field, "no", "query")));
  CHECK(content["error"]["code"] == "bad_field");
  CHECK(content["error"]["field"] == "query");
}
