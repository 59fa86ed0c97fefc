// parley/sync_store.hpp: the client-side model of conversations, used by the browser apps.
//
// The relay sends each conversation's events in seq order. A client sees only events whose
// audience includes it, so seq numbers it never receives are invisible, not missing: the store
// keeps, per conversation, the highest seq it has seen (its cursor) and the head seq the relay
// reported, and resumes from max(cursor, head) after a reconnect. Events at or below the cursor
// are duplicates and are dropped.
//
// The outbox keeps messages the user sent that the relay has not acknowledged yet, keyed by
// client_msg_id; after a reconnect the app re-sends them (the relay stores each id once).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "parley/model.hpp"

namespace parley {

enum class Delivery { sending, sent, failed };

struct OutboxEntry {
  std::string client_msg_id;
  std::string conversation_id;  // "" while the conversation is being started
  std::string text;
  MessageKind kind = MessageKind::text;
  Delivery state = Delivery::sending;
  Millis queued_at = 0;
  int attempts = 0;
  std::string error;  // last error message when failed
};

struct ConversationView {
  Conversation summary;           // as last reported by the relay
  std::vector<Message> messages;  // visible messages in seq order (including own, acknowledged)
  std::vector<Event> events;      // every visible event applied, in seq order
  Seq cursor = 0;                 // highest seq received
  Seq head = 0;                   // highest seq the relay reported to exist
  bool typing = false;            // the other side is typing (ephemeral)
};

class SyncStore {
 public:
  enum class Applied { added, duplicate, ephemeral };

  // Applies one event. Sequenced events at or below the cursor are duplicates (nothing changes).
  // chat.new_message appends a message and settles the outbox entry with the same client_msg_id.
  // Status-changing events update the summary.
  Applied apply(const Event& e);

  // The relay's answer to a join/resume: the head seq of the conversation. (Not for a chat.start
  // ack: its events follow the ack, so its head_seq is no resume point.)
  void set_head(const std::string& conversation_id, Seq head);
  // Knows `conversation_id` (so it is among conversations() and resumed after a reconnect)
  // without claiming any of its events: resume_from() stays at what has arrived.
  void track(const std::string& conversation_id);

  // Replaces the summary (from a snapshot or an inbox.changes notice), keeping messages.
  void upsert_summary(const Conversation& c);

  // Where to resume `conversation_id` from: max(cursor, head). 0 when unknown.
  Seq resume_from(const std::string& conversation_id) const;

  const ConversationView* find(const std::string& conversation_id) const;
  const std::map<std::string, ConversationView>& conversations() const { return conversations_; }

  // ---- Outbox ----
  void enqueue(OutboxEntry entry);
  // The relay acknowledged `client_msg_id` (stored as `seq`).
  void acknowledged(const std::string& client_msg_id, Seq seq);
  // The relay refused it (content error): failed, kept for the user to retry or discard.
  void failed(const std::string& client_msg_id, const std::string& message);
  // Marks a failed entry as sending again and returns it; nullptr when unknown.
  const OutboxEntry* retry(const std::string& client_msg_id);
  void discard(const std::string& client_msg_id);
  // Entries to (re)send after a (re)connect: every entry in state `sending`, oldest first.
  std::vector<OutboxEntry> to_send() const;
  const std::vector<OutboxEntry>& outbox() const { return outbox_; }
  // A conversation was created for entries queued without one.
  void assign_conversation(const std::string& conversation_id);

  // Monotonic counter bumped by every change; views redraw when it moves.
  std::size_t version() const { return version_; }

 private:
  std::map<std::string, ConversationView> conversations_;
  std::vector<OutboxEntry> outbox_;
  std::size_t version_ = 0;
};

}  // namespace parley
