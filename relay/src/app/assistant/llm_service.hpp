// relay/src/app/assistant/llm_service.hpp: the assistant of tenants that configured an LLM
// provider (issue 10, Providers). The built-in assistant (assistant.hpp) stays the default: a
// tenant answers through this service only while its settings name provider "openai" with a base
// URL and a model.
//
// A turn (respond):
//   1. on the loop thread: the tenant's settings and the best knowledge passages for the message
//      are copied into a job; nothing of the hub is touched later except through posts;
//   2. on the service's own pool (never the loop, never the hub's REST workers): the transcript is
//      read with the job's own reader, the month's spend checked against the budget, the model
//      chosen (parley::llm::route_message when a cheap model is set), and the provider called
//      (streaming) in rounds: while the model calls tools and the budget of tool calls lasts
//      (kMaxToolCalls per turn), each call is validated (parley::llm::validate_tool_arguments)
//      and executed ON THE LOOP THREAD with the conversation's permissions (posted, the worker
//      waits for the answer), and the result (or an error the model can read) goes back to it;
//   3. streamed text goes to the conversation's subscribers as ephemeral chat.draft events (seq 0,
//      never stored; at most one per kDraftIntervalMs after the first), and the final reply is
//      handed to `done` like the built-in assistant's: the runner commits it through the write
//      pipeline (persist, then ack, then broadcast) with data.draft_id naming the draft it
//      replaces. A crash mid-stream leaves only the customer's committed message: no half reply.
//   4. every answered provider call's tokens and cost are written (RecordLlmUsage), per
//      conversation and tenant (GET /api/v1/assistant/usage).
// Fallback: when the provider is down (after the retries parley::llm::advise_retry allows), over
// quota, over the tenant's monthly budget, refused by the outbound URL rule or times out, the
// customer gets a polite message and the conversation is handed to the queue with a summary that
// says why. The customer's message is already stored: nothing is lost.
//
// Tools: search_kb (the tenant's knowledge base), transfer_to_human (the hand-off happens with the
// reply), create_ticket (one ticket per conversation, through the write pipeline), lookup_ticket
// and get_account_info (only for a verified contact, and only the conversation's own contact's
// records: until the verified identity of DESIGN.md exists every contact is unverified, and the
// model is told so in an error).
//
// Threads: respond(), load(), settings(), save() and the draft/tool helpers run on the loop
// thread; jobs on the pool. Ownership: HubState owns the service; the service owns its pool and
// HTTP client. Destroying it waits for running jobs (each bounded by the provider timeout).
// Secrets: the api key is used only in the Authorization header; it is never logged (provider
// errors are scrubbed of it), audited or returned (settings_json shows the last 4 characters).
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "app/assistant/assistant.hpp"
#include "app/assistant/llm_provider.hpp"
#include "domain/store_api.hpp"
#include "parley/url_policy.hpp"

namespace parley::relay {

struct HubState;

class LlmService {
 public:
  static constexpr int kMaxToolCalls = 6;     // per customer message
  static constexpr int kMaxRounds = 4;        // provider calls per customer message
  static constexpr Millis kDraftIntervalMs = 100;
  static constexpr Millis kToolTimeoutMs = 10000;

  // `http`: the hub's outbound client (it applies `policy` at every call); `provider` replaces the
  // OpenAI-compatible one over it (unit tests); nullptr = the real one.
  LlmService(HubState& hub, UrlPolicy policy, int timeout_ms, std::shared_ptr<outbound::HttpClient> http,
             std::unique_ptr<ChatProvider> provider = nullptr);
  ~LlmService();

  // Every tenant's settings (call once, at start).
  std::optional<Error> load(StoreReader& reader);
  // True when the tenant answers through a provider.
  bool active(const std::string& tenant_id) const;
  // The tenant's settings (defaults: builtin) and a validated patch of them saved; `done` on the
  // loop thread. Validation errors are bad_field naming the field (the base URL by the outbound rule).
  LlmSettings settings(const std::string& tenant_id) const;
  void save(const std::string& tenant_id, const Json& patch, std::function<void(Result<LlmSettings>)> done);
  // The JSON of docs/api.md "Assistant provider": no key, only key_set and, for admins, key_last4.
  static Json settings_json(const LlmSettings& s, bool admin);
  const UrlPolicy& policy() const { return policy_; }

  // One turn (see the top of this file). `done` may be called on a pool thread.
  void respond(const Assistant::Context& ctx, std::uint64_t turn, std::function<void(Assistant::Reply)> done);

  // Loop thread: the conversation's draft is over without a committed reply (chat.draft with
  // "discarded": true to its subscribers).
  void discard_draft(const std::string& conv_id, const std::string& draft_id);

  struct Counters {
    std::atomic<std::uint64_t> turns{0}, provider_calls{0}, tool_calls{0}, tool_errors{0}, fallbacks{0}, drafts{0};
  };
  const Counters& counters() const { return counters_; }

 private:
  struct Job;
  void run(std::shared_ptr<Job> job);
  void send_draft(const std::string& conv_id, const std::string& draft_id, const std::string& text, bool discarded);
  // Loop thread: runs one validated tool call; `answer` gets the tool message's content.
  void run_tool(const std::shared_ptr<Job>& job, const std::string& name, const Json& args,
                std::function<void(std::string content, bool is_error)> answer);

  HubState& hub_;
  UrlPolicy policy_;
  int timeout_ms_;
  std::shared_ptr<outbound::HttpClient> http_;
  std::unique_ptr<ChatProvider> provider_;
  std::unordered_map<std::string, LlmSettings> settings_;  // loop thread
  Counters counters_;
  std::atomic<bool> stopping_{false};
  std::mutex tools_mu_;
  std::unordered_map<std::string, bool> used_tools_;  // conversation -> its last turn called tools (routing rule 6)
  std::unique_ptr<boost::asio::thread_pool> pool_;  // last: joined first
};

// Checks `patch` against `current` (docs/api.md "Assistant provider"); the new settings or a
// bad_field error naming the field. Pure but for the URL rule (no name resolution).
Result<LlmSettings> apply_llm_patch(LlmSettings current, const Json& patch, const UrlPolicy& policy);

}  // namespace parley::relay
