// relay/src/app/live/conv_state.hpp: what the hub keeps in memory about one conversation.
//
// Loop thread only. Owned by the ConversationRegistry (live/conversations.hpp); everybody else
// holds a ConvState* only for the duration of one call on the loop (never across a post), and
// looks it up again by id afterwards, because resolved conversations are evicted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/live/fanout.hpp"
#include "parley/assistant_turn.hpp"
#include "parley/model.hpp"

namespace parley::relay {

// A bounded memory of a conversation's recent client_msg_ids (id -> seq). Re-sends come from a
// client's outbox, so they are recent; an older id that slips past the window is still caught
// by the database's UNIQUE(conversation_id, client_msg_id) and answered as a duplicate then
// (live/write_pipeline.cpp). Bounded: a long conversation costs kCap entries, not its history.
class RecentIds {
 public:
  static constexpr std::size_t kCap = 256;
  const Seq* find(const std::string& id) const {
    auto it = seqs_.find(id);
    return it == seqs_.end() ? nullptr : &it->second;
  }
  void add(const std::string& id, Seq seq) {
    if (id.empty() || !seqs_.emplace(id, seq).second) return;
    order_.push_back(id);
    if (order_.size() > kCap) {
      seqs_.erase(order_.front());
      order_.pop_front();
    }
  }
  void erase(const std::string& id) { seqs_.erase(id); }  // order_ keeps a stale name: harmless
  std::size_t size() const { return seqs_.size(); }

 private:
  std::unordered_map<std::string, Seq> seqs_;
  std::deque<std::string> order_;
};

struct ConvState {
  // `live` includes the write in flight (if any): commands are decided against it. `committed`
  // is what has been acknowledged; it changes only through ConversationRegistry::set_committed,
  // which keeps the inbox index in step.
  Conversation live;
  Conversation committed;
  RecentIds msg_ids;
  bool msg_ids_loaded = false;  // the window was filled from the database (first send)
  std::set<std::uint64_t> subscribers;      // connection ids that joined
  std::string customer_preview;             // item_preview() of the customer's last message
  std::string visible_preview;              // ... of the last customer-visible message (fallback)
  Seq last_customer_seq = 0;                // seq of the customer's last message
  std::deque<std::string> recent_customer;  // for hand-off summaries (last kRecentCustomer)
  std::vector<std::string> tried_titles;    // articles the assistant offered
  AssistantMemory assistant_memory;         // the built-in assistant's state between turns
  // The per-conversation write queue (live/write_pipeline.hpp): requests wait here until they
  // are decided; a few writes of this conversation may be in flight, chained (each expects the
  // head its predecessor leaves). After a refused write the conversation is `poisoned` until
  // the writes behind it have come back; their requests wait in `redo` and are decided again.
  struct Queued;
  std::deque<std::shared_ptr<Queued>> write_queue;
  std::deque<std::shared_ptr<Queued>> redo;
  int inflight = 0;
  bool poisoned = false;
  // Run when committed_seq() reaches the key (a duplicate of a message still in flight), or
  // with false when the write that would have committed it failed.
  std::multimap<Seq, std::function<void(bool)>> waiters;
  // The assistant's turns (assistant/runner.hpp): each customer message that the assistant
  // answers gets the next tag; replies are applied strictly in tag order (a reply that arrives
  // early waits in assistant_ready), so they cannot land out of order.
  std::uint64_t assistant_turns = 0;    // tags handed out
  std::uint64_t assistant_applied = 0;  // tags applied (or dropped)
  std::map<std::uint64_t, std::function<void()>> assistant_ready;
  bool inbox_dirty = false;          // queued for the next inbox.changes (live/inbox_feed.hpp)
  // What staff sockets were last told (its state at the last inbox.changes flush), and the lists
  // it passed through since (live/fanout.hpp). Set by the registry's set_committed.
  ListMark fanned;
  bool fanned_set = false;
  ListTrail trail;
  // The list item, encoded (HubState::encoded_item), for the contact name it was made with;
  // dropped by every committed change and preview (ConversationRegistry).
  mutable std::shared_ptr<const std::string> item_json;
  mutable std::string item_json_name;

  static constexpr std::size_t kRecentCustomer = 5;
  Seq committed_seq() const { return committed.head_seq; }
  // The list preview: what the customer last said, else the last visible message.
  const std::string& preview() const { return customer_preview.empty() ? visible_preview : customer_preview; }
  // Nothing references it but the registry: it may be evicted once resolved.
  bool idle() const {
    return inflight == 0 && write_queue.empty() && redo.empty() && waiters.empty() && subscribers.empty() && !inbox_dirty &&
           assistant_applied == assistant_turns;
  }
  void remember_customer(const std::string& text) {
    recent_customer.push_back(text);
    if (recent_customer.size() > kRecentCustomer) recent_customer.pop_front();
  }
};

}  // namespace parley::relay
