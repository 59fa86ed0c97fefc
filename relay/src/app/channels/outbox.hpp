// relay/src/app/channels/outbox.hpp: the durable outbox, channel-agnostic (issue 11). WhatsApp
// uses it now; Messenger/Instagram and the outbound webhooks plug in a ChannelSender later.
//
// Durability. A job is a row of table `outbox` (domain/store_api.hpp OutboxJob), written in the
// same store write as the message it carries (app/channels/hooks.hpp on_write), then handed to
// enqueue() once committed. Before every attempt the row is set `sending` and the worker waits
// for that commit; only then does the request go out. At start() every `sending` row (the relay
// stopped mid-attempt) becomes `unknown`: the far side may have it, so it is shown to the agent
// and never resent silently, unless its sender says sends are idempotent (then it is retried).
// `pending` rows are queued again. Nothing is lost when the provider is down: jobs stay pending
// and back off.
//
// Order and rate. Jobs of one lane (the conversation) go out strictly in insertion order: a lane's
// next job waits until the one before it is settled (sent, failed or unknown), so a retry holds
// the lane. Rates are the sender's business: ready_in() says how long a job must wait (token
// buckets per number and per recipient, pauses after a rate-limit error) and the worker waits.
//
// Threads. The Outbox owns ONE worker thread; enqueue(), counters() and stop() are thread-safe.
// ChannelSender methods run on that worker only. `on_update` runs on the worker after each state
// change of a job was committed: post to the loop from it, never touch live state there.
// Ownership: the Outbox owns its senders; the DataStore outlives it. stop() (or the destructor)
// joins the worker after the attempt in progress (bounded by the sender's timeouts).
// Errors: a refused store write is logged and the job retried later (the row is the truth).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "domain/store_api.hpp"

namespace parley::relay {

class ChannelSender {
 public:
  struct Result {
    // sent (provider_id set), failed (for good), unknown (outcome unknown), or pending (retry
    // after retry_in_ms).
    OutboxState state = OutboxState::pending;
    Millis retry_in_ms = 0;
    std::string error;        // words for the agent and the log; never a secret
    int code = 0;             // the provider's error code
    std::string error_class;  // e.g. parley::wa::SendClass name
    std::string provider_id;
  };
  virtual ~ChannelSender() = default;
  // The channel whose jobs it sends ("whatsapp").
  virtual std::string channel() const = 0;
  // True when the provider deduplicates resends (then `sending` at start-up is retried).
  virtual bool idempotent() const { return false; }
  // Milliseconds the job must wait before it may go (rates, pauses); 0 = now. It may take a
  // rate token when it answers 0 (the send follows at once).
  virtual Millis ready_in(const OutboxJob& job, Millis now) = 0;
  // One attempt (`job.attempts` already counts it). Blocks up to the sender's timeouts.
  virtual Result send(const OutboxJob& job) = 0;
};

struct OutboxCounters {
  std::uint64_t queued = 0, attempts = 0, sent = 0, failed = 0, unknown = 0, retries = 0, store_errors = 0;
  std::uint64_t signals = 0, signals_dropped = 0;
};

class Outbox {
 public:
  using Clock = std::function<Millis()>;
  Outbox(DataStore& store, Clock now, std::function<void(const OutboxJob&)> on_update);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Before start().
  void add_sender(std::unique_ptr<ChannelSender> sender);
  // Reads the open jobs (pending; sending -> unknown or retried, see above) and starts the
  // worker. Blocking read: call at start-up.
  std::optional<Error> start();
  // A job whose row is committed. A job of a channel without a sender stays pending in the table.
  void enqueue(OutboxJob job);
  // Wakes the worker (a sender's settings changed: a pause may be over).
  void poke();
  // Best-effort side work for a sender (WhatsApp's read receipts and typing indicators: nothing
  // to store, nothing to retry), run on the worker before the next job. At most kMaxSignals wait;
  // more are dropped and counted, so a flood of signals never delays messages for long.
  static constexpr std::size_t kMaxSignals = 256;
  void signal(std::function<void()> task);
  OutboxCounters counters() const;
  // Jobs waiting in memory (not settled), all lanes.
  std::size_t backlog() const;
  void stop();

 private:
  void run();
  // Writes `job` and waits for the commit; false when the store refused it.
  bool persist(const OutboxJob& job, bool insert = false);
  ChannelSender* sender_of(const std::string& channel);

  DataStore& store_;
  Clock now_;
  std::function<void(const OutboxJob&)> on_update_;
  std::vector<std::unique_ptr<ChannelSender>> senders_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::deque<OutboxJob>> lanes_;  // lane -> its unsettled jobs, in order
  std::deque<std::function<void()>> signals_;           // signal(): run before the next job
  OutboxCounters counters_;
  bool stopping_ = false, started_ = false;
  std::thread worker_;
};

}  // namespace parley::relay
