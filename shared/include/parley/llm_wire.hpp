// parley/llm_wire.hpp: the Anthropic Messages and Gemini generateContent wire formats for the same
// provider-neutral chat (parley/llm.hpp: ChatRequest, ChatResponse, ToolCall), issue 10. Pure and
// exception-free like llm.hpp; the relay's providers send the bytes.
//
// Anthropic: POST {base}/v1/messages, headers x-api-key and anthropic-version: 2023-06-01. System
// messages become the top-level "system"; a tool call is a {"type":"tool_use","id","name","input"}
// block of the assistant turn (its arguments parsed; invalid JSON sends {}); tool results go back in
// the next user turn as {"type":"tool_result","tool_use_id","content","is_error"} blocks (several
// results in a row share one user turn). stop_reason end_turn/max_tokens/tool_use map to
// stop/length/tool_calls. Errors: parse_error_body (llm.hpp); 429 and 529 are retryable there.
// Gemini: POST {base}/v1beta/models/{model}:generateContent, header x-goog-api-key; functionCall
// parts have no ids, so calls are named "gemini_<n>" in order and answered by name.
#pragma once

#include <string>
#include <string_view>

#include "parley/llm.hpp"

namespace parley::llm {

inline constexpr const char* kAnthropicVersion = "2023-06-01";
std::string anthropic_messages_url(std::string_view base_url);
// max_tokens is required by the API: 1024 when the request has none.
std::string anthropic_request_body(const ChatRequest& req);
Result<ChatResponse> parse_anthropic_response(std::string_view body);

// Joins an Anthropic event stream (SSE events named message_start, content_block_start,
// content_block_delta, message_delta, message_stop, error; see SseSplitter).
class AnthropicStream {
 public:
  // One event's name and data. Returns the text it added.
  std::string feed(std::string_view event, std::string_view data);
  ChatResponse finish() const;
  const std::optional<std::string>& stream_error() const { return error_; }

 private:
  struct Block {
    std::int64_t index = 0;
    bool tool = false;
    ToolCall call;
  };
  std::string text_;
  std::vector<Block> blocks_;
  ChatResponse meta_;
  std::optional<std::string> error_;
};

std::string gemini_generate_url(std::string_view base_url, std::string_view model);
std::string gemini_request_body(const ChatRequest& req);
Result<ChatResponse> parse_gemini_response(std::string_view body);

}  // namespace parley::llm
