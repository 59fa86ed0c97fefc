// Anthropic Messages and Gemini mappings (parley/llm_wire.hpp).
#include "parley/llm_wire.hpp"

#include <algorithm>

#include "json_io.hpp"

namespace parley::llm {
namespace {

const Json* get(const Json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}
std::string str(const Json& j, const char* key) {
  const Json* v = get(j, key);
  return v && v->is_string() ? v->get<std::string>() : std::string{};
}
std::int64_t num(const Json& j, const char* key) {
  const Json* v = get(j, key);
  if (!v) return 0;
  if (v->is_number_unsigned()) return static_cast<std::int64_t>(v->get<std::uint64_t>());
  if (v->is_number_integer()) return v->get<std::int64_t>();
  return 0;
}
std::string trimmed_base(std::string_view base_url) {
  std::string base(base_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}
// The model's arguments as an object (what both APIs want back); {} when they are not one.
Json arguments_object(const std::string& arguments) {
  std::optional<Json> parsed = json_io::parse(arguments);
  return parsed && parsed->is_object() ? std::move(*parsed) : Json::object();
}
std::string stop_reason(const std::string& r) {
  if (r == "end_turn" || r == "stop_sequence" || r == "STOP") return "stop";
  if (r == "max_tokens" || r == "MAX_TOKENS") return "length";
  if (r == "tool_use") return "tool_calls";
  if (r == "SAFETY" || r == "refusal") return "content_filter";
  return r;
}

}  // namespace

std::string anthropic_messages_url(std::string_view base_url) {
  std::string base = trimmed_base(base_url);
  if (base.size() >= 3 && base.compare(base.size() - 3, 3, "/v1") == 0) return base + "/messages";
  return base + "/v1/messages";
}

std::string anthropic_request_body(const ChatRequest& req) {
  Json j = Json::object();
  j["model"] = req.model;
  j["max_tokens"] = req.max_tokens > 0 ? req.max_tokens : 1024;
  std::string system;
  Json messages = Json::array();
  for (const ChatMessage& m : req.messages) {
    switch (m.role) {
      case ChatRole::system:
        if (!system.empty()) system += "\n\n";
        system += m.content;
        break;
      case ChatRole::user:
        messages.push_back(Json{{"role", "user"}, {"content", m.content}});
        break;
      case ChatRole::assistant: {
        Json blocks = Json::array();
        if (!m.content.empty()) blocks.push_back(Json{{"type", "text"}, {"text", m.content}});
        for (const ToolCall& c : m.tool_calls) {
          blocks.push_back(Json{{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", arguments_object(c.arguments)}});
        }
        if (blocks.empty()) blocks.push_back(Json{{"type", "text"}, {"text", ""}});
        messages.push_back(Json{{"role", "assistant"}, {"content", std::move(blocks)}});
        break;
      }
      case ChatRole::tool: {
        Json result{{"type", "tool_result"}, {"tool_use_id", m.tool_call_id}, {"content", m.content}};
        if (m.is_error) result["is_error"] = true;
        // Results in a row share one user turn.
        if (!messages.empty() && messages.back()["role"] == "user" && messages.back()["content"].is_array()) {
          messages.back()["content"].push_back(std::move(result));
        } else {
          messages.push_back(Json{{"role", "user"}, {"content", Json::array({std::move(result)})}});
        }
        break;
      }
    }
  }
  if (!system.empty()) j["system"] = system;
  j["messages"] = std::move(messages);
  if (!req.tools.empty()) {
    Json tools = Json::array();
    for (const ToolSpec& t : req.tools) {
      tools.push_back(Json{{"name", t.name}, {"description", t.description}, {"input_schema", t.parameters}});
    }
    j["tools"] = std::move(tools);
  }
  if (req.temperature) j["temperature"] = *req.temperature;
  if (req.stream) j["stream"] = true;
  return json_io::dump(j);
}

Result<ChatResponse> parse_anthropic_response(std::string_view body) {
  const std::optional<Json> parsed = json_io::parse(body);
  if (!parsed || !parsed->is_object()) return make_error(ErrorCode::bad_json, "the answer is not a JSON object");
  const Json* content = get(*parsed, "content");
  if (!content || !content->is_array()) return make_error(ErrorCode::bad_field, "the answer has no content", "content");
  ChatResponse r;
  for (const Json& b : *content) {
    const std::string type = str(b, "type");
    if (type == "text") {
      r.text += str(b, "text");
    } else if (type == "tool_use") {
      const Json* input = get(b, "input");
      ToolCall c{str(b, "id"), str(b, "name"), input ? json_io::dump(*input) : std::string("{}")};
      if (!c.name.empty()) r.tool_calls.push_back(std::move(c));
    }
  }
  r.finish_reason = stop_reason(str(*parsed, "stop_reason"));
  r.model = str(*parsed, "model");
  if (const Json* u = get(*parsed, "usage")) {
    r.usage.prompt_tokens = num(*u, "input_tokens");
    r.usage.completion_tokens = num(*u, "output_tokens");
  }
  return r;
}

std::string AnthropicStream::feed(std::string_view event, std::string_view data) {
  const std::optional<Json> parsed = json_io::parse(data);
  if (!parsed || !parsed->is_object()) return {};
  const Json& j = *parsed;
  std::string type = std::string(event);
  if (type.empty()) type = str(j, "type");
  if (type == "error") {
    const Json* e = get(j, "error");
    error_ = e ? str(*e, "message") : std::string("error");
    return {};
  }
  if (type == "message_start") {
    if (const Json* m = get(j, "message")) {
      meta_.model = str(*m, "model");
      if (const Json* u = get(*m, "usage")) meta_.usage.prompt_tokens = num(*u, "input_tokens");
    }
    return {};
  }
  if (type == "content_block_start") {
    Block b;
    b.index = num(j, "index");
    if (const Json* cb = get(j, "content_block")) {
      b.tool = str(*cb, "type") == "tool_use";
      b.call.id = str(*cb, "id");
      b.call.name = str(*cb, "name");
    }
    blocks_.push_back(std::move(b));
    return {};
  }
  if (type == "content_block_delta") {
    const Json* d = get(j, "delta");
    if (!d) return {};
    const std::string dt = str(*d, "type");
    if (dt == "text_delta") {
      const std::string t = str(*d, "text");
      text_ += t;
      return t;
    }
    if (dt == "input_json_delta") {
      const std::int64_t index = num(j, "index");
      auto it = std::find_if(blocks_.begin(), blocks_.end(), [&](const Block& b) { return b.index == index; });
      if (it != blocks_.end()) it->call.arguments += str(*d, "partial_json");
    }
    return {};
  }
  if (type == "message_delta") {
    if (const Json* d = get(j, "delta")) {
      if (const std::string r = str(*d, "stop_reason"); !r.empty()) meta_.finish_reason = stop_reason(r);
    }
    if (const Json* u = get(j, "usage")) meta_.usage.completion_tokens = num(*u, "output_tokens");
  }
  return {};
}

ChatResponse AnthropicStream::finish() const {
  ChatResponse r = meta_;
  r.text = text_;
  for (const Block& b : blocks_) {
    if (!b.tool || b.call.name.empty()) continue;
    ToolCall c = b.call;
    if (c.arguments.empty()) c.arguments = "{}";
    r.tool_calls.push_back(std::move(c));
  }
  return r;
}

std::string gemini_generate_url(std::string_view base_url, std::string_view model) {
  return trimmed_base(base_url) + "/v1beta/models/" + std::string(model) + ":generateContent";
}

std::string gemini_request_body(const ChatRequest& req) {
  Json j = Json::object();
  std::string system;
  Json contents = Json::array();
  for (const ChatMessage& m : req.messages) {
    switch (m.role) {
      case ChatRole::system:
        if (!system.empty()) system += "\n\n";
        system += m.content;
        break;
      case ChatRole::user:
        contents.push_back(Json{{"role", "user"}, {"parts", Json::array({Json{{"text", m.content}}})}});
        break;
      case ChatRole::assistant: {
        Json parts = Json::array();
        if (!m.content.empty()) parts.push_back(Json{{"text", m.content}});
        for (const ToolCall& c : m.tool_calls) {
          parts.push_back(Json{{"functionCall", Json{{"name", c.name}, {"args", arguments_object(c.arguments)}}}});
        }
        if (parts.empty()) parts.push_back(Json{{"text", ""}});
        contents.push_back(Json{{"role", "model"}, {"parts", std::move(parts)}});
        break;
      }
      case ChatRole::tool: {
        std::optional<Json> content = json_io::parse(m.content);
        Json response = content && content->is_object() ? std::move(*content) : Json{{"result", m.content}};
        Json part{{"functionResponse", Json{{"name", m.name}, {"response", std::move(response)}}}};
        if (!contents.empty() && contents.back()["role"] == "user" && contents.back()["parts"].is_array() &&
            !contents.back()["parts"].empty() && contents.back()["parts"][0].contains("functionResponse")) {
          contents.back()["parts"].push_back(std::move(part));
        } else {
          contents.push_back(Json{{"role", "user"}, {"parts", Json::array({std::move(part)})}});
        }
        break;
      }
    }
  }
  if (!system.empty()) j["systemInstruction"] = Json{{"parts", Json::array({Json{{"text", system}}})}};
  j["contents"] = std::move(contents);
  if (!req.tools.empty()) {
    Json decls = Json::array();
    for (const ToolSpec& t : req.tools) {
      // Gemini's schema subset has no additionalProperties.
      Json params = t.parameters;
      if (params.is_object()) params.erase("additionalProperties");
      decls.push_back(Json{{"name", t.name}, {"description", t.description}, {"parameters", std::move(params)}});
    }
    j["tools"] = Json::array({Json{{"functionDeclarations", std::move(decls)}}});
  }
  Json gen = Json::object();
  if (req.temperature) gen["temperature"] = *req.temperature;
  if (req.max_tokens > 0) gen["maxOutputTokens"] = req.max_tokens;
  if (!gen.empty()) j["generationConfig"] = std::move(gen);
  return json_io::dump(j);
}

Result<ChatResponse> parse_gemini_response(std::string_view body) {
  const std::optional<Json> parsed = json_io::parse(body);
  if (!parsed || !parsed->is_object()) return make_error(ErrorCode::bad_json, "the answer is not a JSON object");
  const Json* candidates = get(*parsed, "candidates");
  if (!candidates || !candidates->is_array() || candidates->empty()) {
    return make_error(ErrorCode::bad_field, "the answer has no candidates", "candidates");
  }
  const Json& c0 = (*candidates)[0];
  ChatResponse r;
  int n = 0;
  if (const Json* content = get(c0, "content")) {
    if (const Json* parts = get(*content, "parts"); parts && parts->is_array()) {
      for (const Json& p : *parts) {
        r.text += str(p, "text");
        if (const Json* fc = get(p, "functionCall")) {
          const Json* args = get(*fc, "args");
          ToolCall call{"gemini_" + std::to_string(++n), str(*fc, "name"), args ? json_io::dump(*args) : "{}"};
          if (!call.name.empty()) r.tool_calls.push_back(std::move(call));
        }
      }
    }
  }
  r.finish_reason = r.tool_calls.empty() ? stop_reason(str(c0, "finishReason")) : "tool_calls";
  r.model = str(*parsed, "modelVersion");
  if (const Json* u = get(*parsed, "usageMetadata")) {
    r.usage.prompt_tokens = num(*u, "promptTokenCount");
    r.usage.completion_tokens = num(*u, "candidatesTokenCount");
  }
  return r;
}

}  // namespace parley::llm
