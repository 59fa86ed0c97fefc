// The OpenAI-compatible provider (llm_provider.hpp): request, SSE stream or JSON answer, retries.
#include "app/assistant/llm_provider.hpp"

#include <chrono>
#include <random>
#include <thread>

namespace parley::relay {
namespace {

llm::Transport transport_of(outbound::Outcome o) {
  switch (o) {
    case outbound::Outcome::ok: return llm::Transport::answered;
    case outbound::Outcome::refused:
    case outbound::Outcome::bad_url: return llm::Transport::refused;
    case outbound::Outcome::not_sent: return llm::Transport::not_sent;
    case outbound::Outcome::unknown: return llm::Transport::timed_out;
    case outbound::Outcome::too_large: return llm::Transport::too_large;
  }
  return llm::Transport::not_sent;
}

class OpenAiProvider final : public ChatProvider {
 public:
  OpenAiProvider(outbound::HttpClient& http, llm::RetryPolicy policy, ProviderHooks hooks)
      : http_(http), policy_(policy), hooks_(std::move(hooks)) {
    if (!hooks_.sleep) {
      hooks_.sleep = [](Millis ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
    }
    if (!hooks_.jitter) {
      hooks_.jitter = [] {
        thread_local std::mt19937_64 rng{std::random_device{}()};
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
      };
    }
  }

  ProviderResult chat(const llm::ChatRequest& req, const ProviderTarget& target,
                      const std::function<bool(std::string_view)>& on_text) override {
    outbound::Request http_req;
    http_req.method = "POST";
    http_req.url = llm::openai_chat_url(target.base_url);
    http_req.body = llm::openai_request_body(req);
    http_req.connect_timeout_ms = target.connect_timeout_ms;
    http_req.timeout_ms = target.timeout_ms;
    http_req.max_response_bytes = 4u << 20;
    if (!target.api_key.empty()) http_req.headers.push_back({"Authorization", "Bearer " + target.api_key});
    if (req.stream) http_req.headers.push_back({"Accept", "text/event-stream"});

    ProviderResult out;
    for (int attempt = 1;; ++attempt) {
      out.attempts = attempt;
      llm::OpenAiStream stream;
      llm::SseSplitter sse;
      bool cancelled = false, done = false, too_long = false;
      outbound::Response res;
      if (req.stream) {
        res = http_.send_streaming(http_req, [&](std::string_view piece) {
          for (const llm::SseEvent& e : sse.feed(piece)) {
            if (e.done) {
              done = true;
              continue;
            }
            const std::string added = stream.feed(e.data);
            if (!added.empty()) {
              out.streamed_text = true;
              if (on_text && !on_text(added)) cancelled = true;
            }
          }
          if (sse.pending() > (1u << 20)) too_long = true;  // a line that never ends
          return !cancelled && !too_long;
        });
      } else {
        res = http_.send(http_req);
      }
      out.status = res.status;
      const llm::Transport transport = transport_of(res.outcome);
      if (transport == llm::Transport::answered && res.status >= 200 && res.status < 300) {
        if (cancelled || too_long) {
          out.failure = llm::FailureKind::timeout;
          out.error = cancelled ? "cancelled" : "a stream line grew past 1 MiB";
          return out;
        }
        if (req.stream) {
          for (const llm::SseEvent& e : sse.finish()) {
            if (!e.done) stream.feed(e.data);
          }
          if (stream.stream_error()) {
            out.failure = llm::FailureKind::server;
            out.error = "error in the stream: " + *stream.stream_error();
            return out;
          }
          out.response = stream.finish();
          (void)done;  // a stream without [DONE] that closed cleanly still gave its answer
        } else {
          Result<llm::ChatResponse> parsed = llm::parse_openai_response(res.body);
          if (!parsed) {
            out.failure = llm::FailureKind::server;
            out.error = "unreadable answer: " + parsed.error().message;
            return out;
          }
          out.response = std::move(parsed).value();
        }
        out.billed.prompt_tokens += out.response.usage.prompt_tokens;
        out.billed.completion_tokens += out.response.usage.completion_tokens;
        out.failure = llm::FailureKind::none;
        return out;
      }
      const llm::RetryAdvice advice = llm::advise_retry(transport, res.status, res.body, res.header("retry-after"),
                                                        attempt, hooks_.jitter(), policy_);
      out.failure = advice.kind;
      if (transport == llm::Transport::answered) {
        const llm::ProviderError pe = llm::parse_error_body(res.status, res.body);
        out.error = "HTTP " + std::to_string(res.status) + (pe.code.empty() ? "" : " " + pe.code) +
                    (pe.message.empty() ? "" : ": " + pe.message);
      } else {
        out.error = std::string(outbound::to_string(res.outcome)) + ": " + res.error;
      }
      if (!target.api_key.empty()) {  // a provider may quote the key it refused
        for (std::size_t at; (at = out.error.find(target.api_key)) != std::string::npos;) {
          out.error.replace(at, target.api_key.size(), "***");
        }
      }
      // Never again once the customer has seen part of an answer.
      if (!advice.retry || out.streamed_text) return out;
      hooks_.sleep(advice.delay_ms);
    }
  }

 private:
  outbound::HttpClient& http_;
  llm::RetryPolicy policy_;
  ProviderHooks hooks_;
};

}  // namespace

std::unique_ptr<ChatProvider> make_openai_provider(outbound::HttpClient& http, llm::RetryPolicy policy,
                                                   ProviderHooks hooks) {
  return std::make_unique<OpenAiProvider>(http, policy, std::move(hooks));
}

}  // namespace parley::relay
