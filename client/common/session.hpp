// session.hpp: the protocol client both browser apps share (pure C++: no sockets, no clock).
//
// A Session sits between a transport (the WebSocket, or a fake in tests) and the app's model. It
// owns the SyncStore and knows the protocol flow of docs/protocol.md:
//   - on every (re)connect: `hello`, then `chat.resume` for every conversation the store knows,
//     from the store's resume point, so nothing is missed and nothing arrives twice;
//   - the outbox: a message is queued in the store first, sent when its conversation is joined on
//     the current connection, and re-sent after a reconnect (idempotent by client_msg_id);
//   - request ids, acks and errors (an error for a send marks that message failed); acks are read
//     with the typed decoders of parley/replies.hpp;
//   - a start re-sent after a reconnect whose original had committed (ack `duplicate`) joins the
//     conversation from the cursor, so its history up to head is fetched, not skipped;
//   - `ping` every 25 s and a reconnect when its ack does not come.
// Everything happens inside calls from the transport (frames, open, close, timer ticks), so it
// keeps working in a background tab where animation frames stop.
//
// Threading: single-threaded (the browser's main thread). Times are passed in.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "parley/protocol.hpp"
#include "parley/sync_store.hpp"

namespace parley::client {

// The connection as the session sees it.
class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one text frame. Returns false (and drops the frame) when no connection is open.
  virtual bool send_text(const std::string& frame) = 0;
  // Gives up on the current connection (no answer to ping): close it and reconnect with backoff.
  virtual void reconnect() = 0;
};

// What the app learns from the session. Called synchronously from Session methods.
class SessionListener {
 public:
  virtual ~SessionListener() = default;
  // `hello` was acknowledged on a new connection; `data` is the ack's data. Known conversations
  // are already being resumed; the app may resume more (Session::resume) or adopt a pending start.
  virtual void on_hello(const Json& data) = 0;
  // An event arrived and went through the store (`applied` says whether it was new).
  virtual void on_event(const Event& event, SyncStore::Applied applied) = 0;
  // A frame that belongs to no conversation ("inbox.snapshot", "session.expired", ...).
  virtual void on_notice(const std::string& type, const Json& data) = 0;
  // chat.start was acknowledged: the conversation exists and this connection is subscribed.
  // A `duplicate` ack (the start had committed before a reconnect) is followed by a chat.join
  // from the store's cursor; on_joined says when its history has arrived.
  virtual void on_started(const std::string& conversation_id) = 0;
  // A join/resume was acknowledged (the history up to head has arrived).
  virtual void on_joined(const std::string& conversation_id) = 0;
  // The relay refused a command (`command` is its wire name). Sends are already marked failed.
  virtual void on_command_error(std::string_view command, const std::string& key, const Error& error) = 0;
  // The relay acknowledged a command (after the session's own handling of it; not for `hello`,
  // whose ack goes to on_hello, nor `ping`). `key` is what the command was sent with: the
  // conversation id of a join, the client_msg_id of a send, the key given to send().
  virtual void on_command_ack(std::string_view command, const std::string& key, const Json& data) {
    (void)command;
    (void)key;
    (void)data;
  }
};

struct SessionOptions {
  Millis ping_every_ms = 25000;
  Millis pong_timeout_ms = 10000;
};

class Session {
 public:
  // REQUIRES: `transport` and `listener` outlive the session.
  Session(Transport& transport, SessionListener& listener, SessionOptions options = {});

  // ---- Calls from the transport ----
  // A connection opened: sends `hello` (the first frame a customer must send).
  void connected(const Hello& hello, Millis now);
  // One text frame from the relay. Malformed frames are ignored.
  void received(std::string_view frame, Millis now);
  // The connection closed: requests in flight are forgotten; the outbox stays and is re-sent.
  void disconnected();
  // Timer tick (any period <= ping_every_ms): sends pings, detects a dead connection.
  void tick(Millis now);

  // True once `hello` is acknowledged on the current connection.
  bool ready() const { return ready_; }
  bool joined(const std::string& conversation_id) const { return joined_.count(conversation_id) != 0; }

  // ---- Commands from the app ----
  // Subscribes to a conversation from the store's resume point. No-op when already joined or
  // joining on this connection. Before ready() it is remembered and done after hello.
  void resume(const std::string& conversation_id);
  // Starts a conversation. When `start.text` is set, the first message goes through the outbox
  // (client_msg_id `start.client_msg_id`, conversation "" until the ack) and shows as sending.
  // Sent now when ready, else after the next hello.
  void start(ChatStart start, Millis now);
  bool start_pending() const { return pending_start_.has_value(); }
  // After a reconnect, an open conversation listed by hello is the one our unacknowledged start
  // created: use it instead of starting again (the resume replay settles the first message; if
  // it was never stored, it is re-sent as a normal message).
  void adopt_pending_start(const std::string& conversation_id);
  // Queues a message and sends it when its conversation is joined.
  void send_message(const std::string& conversation_id, const std::string& client_msg_id,
                    const std::string& text, Millis now);
  // A failed message again (same client_msg_id: the relay stores it once). False when unknown.
  bool retry(const std::string& client_msg_id);
  void discard(const std::string& client_msg_id);
  // Any other command (typing, seen, request_human, end, inbox.list): sent with a request id when
  // ready; dropped otherwise. Returns whether it was sent. `key` comes back with its answer
  // (SessionListener::on_command_ack / on_command_error).
  bool send(const Command& command, std::string key = "");

  SyncStore& store() { return store_; }
  const SyncStore& store() const { return store_; }

 private:
  struct Pending {
    std::string command;  // wire name
    std::string key;      // conversation id (resume) or client_msg_id (send/start)
  };

  std::string next_id();
  bool send_with_id(const Command& command, std::string key);
  void send_start();
  // Sends the outbox entries of `conversation_id` that are not in flight on this connection.
  void flush(const std::string& conversation_id);
  void on_ack(const Pending& p, const Json& data);
  // An event from the relay (a frame, or the one a send ack carries): held while its
  // conversation's join is in flight, else applied to the store and given to the listener.
  void deliver(Event event);
  // Applies the events held for `conversation_id` (see held_) in seq order.
  void apply_held(const std::string& conversation_id);
  void on_error(const Pending& p, const Error& error);

  Transport& transport_;
  SessionListener& listener_;
  SessionOptions options_;
  SyncStore store_;

  bool open_ = false;
  bool ready_ = false;
  std::uint64_t next_request_ = 1;
  std::unordered_map<std::string, Pending> pending_;
  std::set<std::string> joined_;     // subscribed on this connection
  std::set<std::string> joining_;    // chat.resume sent or queued for after hello
  std::set<std::string> in_flight_;  // client_msg_ids sent on this connection, not yet answered
  // Conversations joined after a duplicate chat.start ack: their sequenced events are held until
  // the join is answered (live ones may precede the replay; applying them first would make the
  // store drop the older replayed ones as duplicates).
  std::map<std::string, std::vector<Event>> held_;
  std::optional<ChatStart> pending_start_;
  bool start_in_flight_ = false;
  Millis last_ping_ = 0;
  Millis awaiting_pong_since_ = 0;  // 0 = no ping outstanding
};

}  // namespace parley::client
