// parley/llm.hpp: the pure parts of talking to an LLM provider (issue 10, Providers): Server-Sent
// Events splitting, OpenAI chat-completions request building and response / stream-chunk parsing,
// which failures are worth a retry and after how long, the hybrid routing rule (cheap or strong
// model), and the assistant's tools with their argument validation.
//
// No I/O and no clock here: the relay (app/assistant/llm_*.hpp) sends the requests over its
// outbound HTTP client on a worker thread and asks these functions what the bytes mean.
// Exception-free (compiled to WebAssembly with -fno-exceptions like the rest of shared/):
// malformed provider output becomes a Result error or an empty field, never an abort.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/model.hpp"
#include "parley/result.hpp"

namespace parley::llm {

// ---------------------------------------------------------------------------------------------
// Server-Sent Events (text/event-stream). Feed the body in pieces split anywhere (even inside a
// "\r\n" or a UTF-8 sequence); complete events come out. Lines "data: x" accumulate (joined by
// "\n"), "event: y" names the event, ":" lines are comments, a blank line dispatches. A data of
// exactly "[DONE]" (OpenAI's end marker) sets `done`.
struct SseEvent {
  std::string event;  // "" when no "event:" line (OpenAI); Anthropic names every event
  std::string data;
  bool done = false;  // data was "[DONE]"
};

class SseSplitter {
 public:
  // Complete events found so far in `piece` (plus what earlier pieces left over).
  std::vector<SseEvent> feed(std::string_view piece);
  // At the end of the body: an event left without its blank line, if it has data.
  std::vector<SseEvent> finish();
  // Bytes held waiting for a line end; a caller may refuse a stream whose line grows without end.
  std::size_t pending() const { return line_.size() + data_.size(); }

 private:
  void line(std::string_view l, std::vector<SseEvent>& out);
  void dispatch(std::vector<SseEvent>& out);
  std::string line_;
  std::string data_;
  std::string event_;
  bool has_data_ = false;
  bool last_cr_ = false;  // the previous piece ended in '\r' (a following '\n' is the same line end)
};

// ---------------------------------------------------------------------------------------------
// Chat messages in the provider-neutral form the relay builds (mapped to each API's wire shape).
enum class ChatRole { system, user, assistant, tool };
std::string_view to_string(ChatRole);

struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // the JSON text the model wrote (it may be invalid JSON)
};

struct ChatMessage {
  ChatRole role = ChatRole::user;
  std::string content;
  std::vector<ToolCall> tool_calls;  // assistant messages that call tools
  std::string tool_call_id;          // tool messages: the call they answer
  std::string name;                  // tool messages: the tool's name (Gemini needs it)
  bool is_error = false;             // tool messages: the result is an error (Anthropic is_error)
};

struct ToolSpec {
  std::string name;
  std::string description;
  Json parameters = Json::object();  // JSON Schema of the arguments object
};

struct ChatRequest {
  std::string model;
  std::vector<ChatMessage> messages;
  std::vector<ToolSpec> tools;
  std::optional<double> temperature;
  int max_tokens = 0;  // 0 = not sent
  bool stream = false;
};

struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

struct ChatResponse {
  std::string text;
  std::vector<ToolCall> tool_calls;
  std::string finish_reason;  // stop | length | tool_calls | content_filter | "" (unknown)
  Usage usage;
  std::string model;  // as the provider reported it
};

// ---- OpenAI chat completions (also Ollama /v1, llama.cpp server, vLLM, Azure-style) ----
// POST {base}/v1/chat/completions. The JSON body; with stream it also asks for usage in the last
// chunk (stream_options.include_usage, ignored by servers that do not know it).
std::string openai_request_body(const ChatRequest& req);
// The URL of the endpoint from a base URL: "https://api.openai.com" and "https://api.openai.com/v1"
// both give ".../v1/chat/completions"; a trailing slash is ignored.
std::string openai_chat_url(std::string_view base_url);
// A non-streamed answer (HTTP 200 body). bad_json: not JSON or not an object; bad_field: no
// choices[0].message.
Result<ChatResponse> parse_openai_response(std::string_view body);

// Joins the chunks of a streamed answer: text deltas appended, tool-call fragments joined by their
// `index` (id and name from the first fragment that has them, arguments concatenated), usage from
// the chunk that carries it. A chunk that is not JSON is counted and skipped.
class OpenAiStream {
 public:
  // One SSE data payload (not "[DONE]"). Returns the text this chunk added ("" when none).
  std::string feed(std::string_view data);
  // The joined answer (tool calls in index order; calls without a name are dropped).
  ChatResponse finish() const;
  int bad_chunks() const { return bad_chunks_; }
  bool saw_tool_calls() const { return !calls_.empty(); }
  // An error object inside the stream ({"error":{...}}), when one came.
  const std::optional<std::string>& stream_error() const { return stream_error_; }

 private:
  struct Partial {
    std::int64_t index = 0;
    ToolCall call;
  };
  std::string text_;
  std::vector<Partial> calls_;
  std::string finish_reason_;
  std::string model_;
  Usage usage_;
  int bad_chunks_ = 0;
  std::optional<std::string> stream_error_;
};

// ---------------------------------------------------------------------------------------------
// Errors and retries.
struct ProviderError {
  int status = 0;         // HTTP status (0 when no answer came)
  std::string type;       // error.type (OpenAI / Anthropic)
  std::string code;       // error.code (OpenAI: "rate_limit_exceeded", "insufficient_quota", ...)
  std::string message;    // error.message, cut to 300 code points (for logs; never has the key)
};
// Reads {error:{message,type,code}} (OpenAI), {type:"error",error:{type,message}} (Anthropic) or
// {error:{code,message,status}} (Gemini); unknown bodies leave the fields empty.
ProviderError parse_error_body(int status, std::string_view body);

// How a request ended, as the outbound client reports it (relay outbound::Outcome).
enum class Transport { answered, not_sent, timed_out, refused, too_large };

struct RetryPolicy {
  int max_attempts = 3;               // including the first
  Millis base_delay_ms = 500;         // attempt 1 waits about this, then doubles
  Millis max_delay_ms = 8000;         // one wait is never longer
  Millis max_retry_after_ms = 20000;  // a longer retry-after gives up instead of waiting
};

enum class FailureKind {
  none,          // a 2xx answer
  rate_limited,  // 429 rate_limit_exceeded (or a 429 without a code), 529 overloaded
  over_quota,    // 429 insufficient_quota / billing: never retried, the tenant must act
  server,        // 5xx
  client,        // other 4xx (bad request, bad key, unknown model): never retried
  network,       // nothing was sent (DNS, connect, TLS): safe to retry
  timeout,       // sent, no complete answer: not repeated (the customer is waiting; fall back)
  refused,       // the outbound URL rule said no: never retried
};
std::string_view to_string(FailureKind);

struct RetryAdvice {
  FailureKind kind = FailureKind::none;
  bool retry = false;
  Millis delay_ms = 0;  // wait this long before the next attempt (when retry)
};
// What to do after attempt number `attempt` (1-based) ended this way. `retry_after` is the
// Retry-After header ("" when absent; seconds, possibly fractional; an HTTP date is ignored).
// `jitter` in [0, 1) comes from the caller's random source: the wait is
// min(max_delay, base * 2^(attempt-1)) * (0.5 + jitter / 2), and at least retry-after.
RetryAdvice advise_retry(Transport transport, int status, std::string_view body, std::string_view retry_after,
                         int attempt, double jitter, const RetryPolicy& policy = {});

// ---------------------------------------------------------------------------------------------
// Hybrid routing (seed 002): which of the tenant's two models answers a customer message.
//
// THE RULE. A message goes to the strong model when any of these holds, else to the cheap one:
//   1. it is long: more than 240 code points, or more than two sentences;
//   2. it asks more than one question (two or more "?");
//   3. it names a number of 4 or more digits (an order, ticket or account: tools will be needed);
//   4. it has a word of the "needs thought" list (why, explain, compare, difference, refund,
//      cancel, complaint, wrong, error, broken, charged, dispute, not working, doesn't work, and
//      their Spanish / French / German / Portuguese forms of kWords in llm.cpp);
//   5. the conversation is already long: the customer has sent more than 4 messages;
//   6. the previous assistant turn called a tool (a follow-up to a lookup stays on the strong model).
// Greetings, thanks, yes/no and short single questions go to the cheap model. When only one
// model is configured, it answers everything.
enum class ModelTier { cheap, strong };
std::string_view to_string(ModelTier);
struct RouteDecision {
  ModelTier tier = ModelTier::strong;
  std::string reason;  // "long", "questions", "number", "word:<w>", "long_chat", "after_tool", "simple"
};
RouteDecision route_message(std::string_view text, int customer_messages, bool previous_turn_used_tools);

// ---------------------------------------------------------------------------------------------
// The assistant's tools. Each is executed by the relay with the conversation's permissions.
inline constexpr const char* kToolSearchKb = "search_kb";
inline constexpr const char* kToolTransfer = "transfer_to_human";
inline constexpr const char* kToolCreateTicket = "create_ticket";
inline constexpr const char* kToolLookupTicket = "lookup_ticket";
inline constexpr const char* kToolAccountInfo = "get_account_info";

// The five tools with their JSON Schemas (what the model is told).
const std::vector<ToolSpec>& assistant_tools();

// Checks the model's arguments for tool `name`. "" and whitespace count as {}. Errors (answered to
// the model, never thrown): not_found "unknown tool"; bad_json when the text is not a JSON object;
// missing_field / bad_field / text_too_long naming the argument (unknown arguments are bad_field).
// On success: the arguments as a JSON object with defaults filled in (priority "normal").
Result<Json> validate_tool_arguments(std::string_view name, std::string_view arguments);

// The content of a tool message that reports an error to the model: {"error":{"code","message"}}.
std::string tool_error_content(const Error& e);

}  // namespace parley::llm
