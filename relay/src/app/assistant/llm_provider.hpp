// relay/src/app/assistant/llm_provider.hpp: one chat call to an LLM provider, with retries
// (issue 10, Providers). The wire formats and the retry rule are pure (parley/llm.hpp); this is the
// part that sends bytes, over the outbound HTTP client (app/outbound/http_client.hpp, which applies
// the outbound URL rule at every use).
//
// Threads: chat() BLOCKS (the HTTP exchange, and the waits between attempts). Call it only from a
// worker thread you own (LlmService's pool), never from the hub's loop thread. A provider object
// may be used by several threads at once.
// Ownership: the provider keeps a reference to the HttpClient, which must outlive it.
// Errors: never thrown. A failed call comes back with failure != none, the HTTP status, and
// `error` in words for logs (never the key, the request or the answer's body).
// Retries: only what parley::llm::advise_retry calls retryable (429 rate limits with backoff,
// jitter and retry-after; 5xx; nothing sent), at most RetryPolicy::max_attempts in all. Once
// streamed text has been handed to on_text, the call is never repeated.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "app/outbound/http_client.hpp"
#include "parley/llm.hpp"

namespace parley::relay {

struct ProviderTarget {
  std::string base_url;  // "https://api.openai.com", "http://127.0.0.1:11434/v1", ...
  std::string api_key;   // "" = no Authorization header (local servers)
  int connect_timeout_ms = 5000;
  int timeout_ms = 30000;  // each read; a provider silent this long counts as a timeout
};

struct ProviderResult {
  llm::FailureKind failure = llm::FailureKind::none;  // none: `response` holds the answer
  llm::ChatResponse response;
  int attempts = 0;
  int status = 0;               // of the last answer (0 when none came)
  std::string error;            // words for logs
  llm::Usage billed;            // usage of every answered attempt, summed (what the provider bills)
  bool streamed_text = false;   // some text went to on_text
};

class ChatProvider {
 public:
  virtual ~ChatProvider() = default;
  // Sends `req` (req.stream decides SSE or one JSON answer). With streaming, `on_text` gets each
  // piece of the reply's text as it arrives; returning false cancels the call (failure timeout).
  virtual ProviderResult chat(const llm::ChatRequest& req, const ProviderTarget& target,
                              const std::function<bool(std::string_view)>& on_text) = 0;
};

struct ProviderHooks {
  std::function<void(Millis)> sleep;  // waits between attempts (default: this thread sleeps)
  std::function<double()> jitter;     // in [0, 1) (default: a thread-local random source)
};

// The OpenAI-compatible chat completions provider (OpenAI, Azure-style, Ollama, llama.cpp, vLLM).
std::unique_ptr<ChatProvider> make_openai_provider(outbound::HttpClient& http, llm::RetryPolicy policy = {},
                                                   ProviderHooks hooks = {});

}  // namespace parley::relay
