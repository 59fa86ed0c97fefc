// relay/src/app/live/write_pipeline.hpp: persist, then acknowledge, then broadcast (DESIGN.md rule
// 3), with a write queue per conversation.
//
// Loop thread only (the store's completions are posted back to the loop by the pipeline).
//
// A request to change a conversation is a Decide function plus an ack. Requests of one
// conversation are queued; while fewer than kMaxInFlight writes of the conversation are in
// flight, every queued request is decided in arrival order against the live state (each sees the
// previous one's result) and the lot becomes ONE all-or-nothing store write (upsert of the final
// state + the events). A write decided while another is in flight is CHAINED to it: its upsert
// expects the head that one leaves (UpsertConversation::expect_head), so it can only commit on
// top of it. That keeps the writer's group commit fed (the next write is queued while the
// previous one commits) without ever storing anything built on a write that failed:
//  - committed: the conversation's committed state advances (ConversationRegistry), every
//    request gets its ack, then the events go out (Hooks::committed), then each request's
//    `after` runs (the assistant's turn), then the next queued requests are decided;
//  - refused (busy database, failed store, a constraint): every request of that write gets the
//    error; the writes chained behind it come back refused too (their precondition fails) and
//    their requests are decided again, after the live state fell back to the committed one, as
//    are the requests still queued. Nothing is half-stored and the seqs stay contiguous. A client_msg_id that the
//    bounded in-memory window missed but the database knows (a duplicate) is answered as a
//    duplicate and the other requests of that write are decided again.
// Errors: ErrorCode::busy ("the database is busy; nothing was stored; retry") while the store
// works, ErrorCode::unavailable once it has failed for good (store.failed()).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/live/conversations.hpp"
#include "domain/store_api.hpp"
#include "parley/conversation.hpp"
#include "parley/protocol.hpp"

namespace parley::relay {

using AckFn = std::function<void(Result<Json>)>;

// What a refused store write means for the client: ErrorCode::unavailable from the store is
// `busy` (retry) while the store works, and stays `unavailable` once it failed for good.
Error store_refusal(const DataStore& store, const Error& e);

// What a request turns into once it is its turn.
struct Decision {
  enum class Kind { answer, persist } kind = Kind::answer;
  Result<Json> answer = Json::object();  // Kind::answer: sent at once
  // Kind::persist: the transition (its events may be empty: then nothing is written for this
  // request and its ack waits for the write it is part of), mutations stored with it (same
  // all-or-nothing unit), the ack data computed after the commit, and what runs after.
  Transition transition;
  std::vector<Mutation> extra;
  std::function<Json(const ConvState&)> ack_data;
  std::function<void()> after;
  std::string client_msg_id;  // the message's id, if it posts one (for the duplicate check)

  static Decision reply(Result<Json> r) {
    Decision d;
    d.answer = std::move(r);
    return d;
  }
  static Decision persist(Transition t, std::function<Json(const ConvState&)> ack_data) {
    Decision d;
    d.kind = Kind::persist;
    d.transition = std::move(t);
    d.ack_data = std::move(ack_data);
    return d;
  }
};
using Decide = std::function<Decision(ConvState&)>;

struct PipelineCounters {
  std::uint64_t writes = 0;        // store writes submitted
  std::uint64_t narrow_writes = 0; // ... of them with the narrow AdvanceConversation
  std::uint64_t requests = 0;      // requests decided
  std::uint64_t failed_writes = 0;
  std::uint64_t redecided = 0;     // requests decided again after a refused write
};

class WritePipeline {
 public:
  struct Hooks {
    // After a conversation's write committed and its acks went out: broadcast the events.
    std::function<void(ConvState&, const std::vector<Event>&)> committed;
  };
  // Runs after every commit, once the acks and events went out (presence watches).
  void set_after_commit(std::function<void(const ConvState&)> fn) { after_commit_ = std::move(fn); }
  // issue 11: runs just before each write is submitted; mutations it adds are stored in the same
  // all-or-nothing unit (app/channels/hooks.hpp on_write).
  using BeforeWrite = std::function<void(const Conversation&, const std::vector<Event>&, std::vector<Mutation>&)>;
  void set_before_write(BeforeWrite fn) { before_write_ = std::move(fn); }
  WritePipeline(boost::asio::io_context& io, DataStore& store, ConversationRegistry& convs,
                StoreReader*& reader, Hooks hooks);

  // Queues a request for `cs` (see the header comment). `ack` may be empty (timers, assistant).
  void submit(ConvState& cs, Decide decide, AckFn ack);
  // Runs `fn(true)` once committed_seq reaches `seq`, or fn(false) when the write that holds it
  // fails. At once when already committed.
  static void wait_committed(ConvState& cs, Seq seq, std::function<void(bool)> fn);
  const PipelineCounters& counters() const { return counters_; }

 private:
  struct Member;
  static constexpr int kMaxInFlight = 4;  // chained writes per conversation
  void pump(const std::string& conv_id);
  void recover(ConvState& cs);
  void done(const std::string& conv_id, std::shared_ptr<std::vector<Member>> members, Conversation next,
            std::shared_ptr<std::vector<Event>> events, std::optional<Error> err);
  Error refusal(const Error& e) const;

  boost::asio::io_context& io_;
  DataStore& store_;
  ConversationRegistry& convs_;
  StoreReader*& reader_;
  Hooks hooks_;
  std::function<void(const ConvState&)> after_commit_;
  BeforeWrite before_write_;
  PipelineCounters counters_;
};

}  // namespace parley::relay
