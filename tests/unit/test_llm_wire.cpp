// parley/llm_wire.hpp: the Anthropic Messages and Gemini mappings of the same chat (issue 10).
#include <doctest/doctest.h>

#include <string>

#include "parley/llm_wire.hpp"
#include "test_support.hpp"

using namespace parley;
using namespace parley::llm;
using parley::test::code_of;
using parley::test::error_of;
using parley::test::value_of;

namespace {
Json parse(const std::string& s) { return Json::parse(s, nullptr, false); }
ChatRequest tool_round() {
  ChatRequest req;
  req.model = "m";
  req.messages.push_back({ChatRole::system, "Be brief.", {}, "", "", false});
  req.messages.push_back({ChatRole::user, "Where is ticket 7?", {}, "", "", false});
  ChatMessage call;
  call.role = ChatRole::assistant;
  call.tool_calls.push_back({"t1", "lookup_ticket", R"({"ticket_id":"tk_7"})"});
  call.tool_calls.push_back({"t2", "search_kb", "{bad json"});
  req.messages.push_back(call);
  req.messages.push_back({ChatRole::tool, R"({"error":{"code":"forbidden"}})", {}, "t1", "lookup_ticket", true});
  req.messages.push_back({ChatRole::tool, R"({"results":[]})", {}, "t2", "search_kb", false});
  req.tools = assistant_tools();
  return req;
}
}  // namespace

TEST_CASE("Anthropic request: system on top, tool_use blocks with parsed input, results in one user turn") {
  const Json j = parse(anthropic_request_body(tool_round()));
  REQUIRE(j.is_object());
  CHECK(j["system"] == "Be brief.");
  CHECK(j["max_tokens"] == 1024);
  REQUIRE(j["messages"].size() == 3);
  CHECK(j["messages"][0]["role"] == "user");
  const Json& a = j["messages"][1];
  CHECK(a["role"] == "assistant");
  REQUIRE(a["content"].size() == 2);
  CHECK(a["content"][0]["type"] == "tool_use");
  CHECK(a["content"][0]["input"]["ticket_id"] == "tk_7");
  CHECK(a["content"][1]["input"].is_object());  // invalid JSON arguments: {}
  const Json& r = j["messages"][2];
  CHECK(r["role"] == "user");
  REQUIRE(r["content"].size() == 2);
  CHECK(r["content"][0]["type"] == "tool_result");
  CHECK(r["content"][0]["tool_use_id"] == "t1");
  CHECK(r["content"][0]["is_error"] == true);
  CHECK_FALSE(r["content"][1].contains("is_error"));
  CHECK(j["tools"][0]["input_schema"]["type"] == "object");
  CHECK(anthropic_messages_url("https://api.anthropic.com/") == "https://api.anthropic.com/v1/messages");
}

TEST_CASE("Anthropic response and stream: text and tool_use blocks, stop reasons, usage") {
  const auto r = value_of(parse_anthropic_response(
      R"({"model":"claude","content":[{"type":"text","text":"Let me look."},{"type":"tool_use","id":"tu_1","name":"search_kb","input":{"query":"wifi"}}],
          "stop_reason":"tool_use","usage":{"input_tokens":30,"output_tokens":8}})"));
  CHECK(r.text == "Let me look.");
  CHECK(r.finish_reason == "tool_calls");
  REQUIRE(r.tool_calls.size() == 1);
  CHECK(parse(r.tool_calls[0].arguments)["query"] == "wifi");
  CHECK(r.usage.prompt_tokens == 30);
  CHECK(code_of(error_of(parse_anthropic_response(R"({"type":"error"})"))) == "bad_field");
  CHECK(code_of(error_of(parse_anthropic_response("nope"))) == "bad_json");

  AnthropicStream s;
  s.feed("message_start", R"({"type":"message_start","message":{"model":"claude","usage":{"input_tokens":12}}})");
  s.feed("content_block_start", R"({"index":0,"content_block":{"type":"text","text":""}})");
  CHECK(s.feed("content_block_delta", R"({"index":0,"delta":{"type":"text_delta","text":"Hi "}})") == "Hi ");
  s.feed("content_block_start", R"({"index":1,"content_block":{"type":"tool_use","id":"tu_2","name":"lookup_ticket"}})");
  s.feed("content_block_delta", R"({"index":1,"delta":{"type":"input_json_delta","partial_json":"{\"ticket_"}})");
  s.feed("content_block_delta", R"({"index":1,"delta":{"type":"input_json_delta","partial_json":"id\":\"tk_1\"}"}})");
  s.feed("message_delta", R"({"delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":5}})");
  const ChatResponse sr = s.finish();
  CHECK(sr.text == "Hi ");
  CHECK(sr.finish_reason == "tool_calls");
  CHECK(sr.usage.prompt_tokens == 12);
  CHECK(sr.usage.completion_tokens == 5);
  REQUIRE(sr.tool_calls.size() == 1);
  CHECK(sr.tool_calls[0].arguments == R"({"ticket_id":"tk_1"})");
  AnthropicStream e;
  e.feed("error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  REQUIRE(e.stream_error().has_value());
  CHECK(*e.stream_error() == "Overloaded");
}

TEST_CASE("Gemini: request mapping, functionCall parsed with synthetic ids, usage") {
  const Json j = parse(gemini_request_body(tool_round()));
  REQUIRE(j.is_object());
  CHECK(j["systemInstruction"]["parts"][0]["text"] == "Be brief.");
  REQUIRE(j["contents"].size() == 3);
  CHECK(j["contents"][1]["role"] == "model");
  CHECK(j["contents"][1]["parts"][0]["functionCall"]["name"] == "lookup_ticket");
  CHECK(j["contents"][1]["parts"][0]["functionCall"]["args"]["ticket_id"] == "tk_7");
  REQUIRE(j["contents"][2]["parts"].size() == 2);
  CHECK(j["contents"][2]["parts"][1]["functionResponse"]["name"] == "search_kb");
  CHECK_FALSE(j["tools"][0]["functionDeclarations"][0]["parameters"].contains("additionalProperties"));
  CHECK(gemini_generate_url("https://generativelanguage.googleapis.com", "gemini-2.0-flash") ==
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent");

  const auto r = value_of(parse_gemini_response(
      R"({"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"search_kb","args":{"query":"bill"}}}]},"finishReason":"STOP"}],
          "usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":4}})"));
  REQUIRE(r.tool_calls.size() == 1);
  CHECK(r.tool_calls[0].id == "gemini_1");
  CHECK(r.finish_reason == "tool_calls");
  CHECK(r.usage.completion_tokens == 4);
  const auto t = value_of(parse_gemini_response(R"({"candidates":[{"content":{"parts":[{"text":"Hello"}]},"finishReason":"STOP"}]})"));
  CHECK(t.text == "Hello");
  CHECK(t.finish_reason == "stop");
  CHECK(code_of(error_of(parse_gemini_response(R"({"candidates":[]})"))) == "bad_field");
}
