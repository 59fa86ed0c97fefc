// relay/src/app/live/conversations.hpp: the conversations the hub holds in memory, and each
// tenant's inbox index over them.
//
// Loop thread only. Holds every OPEN conversation (bot, pending, active), loaded at start-up
// with bounded reads (no transcript is read: previews and the assistant's memory come from
// small indexed queries); a resolved conversation is loaded on demand (a join, a reopening
// message, REST) and evicted again once it is resolved and idle (no subscriber, nothing
// queued). So memory and start-up time follow the open conversations, not the history.
//
// Reads use the hub's loop-thread reader connection: point queries only (by id, by index).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/live/conv_state.hpp"
#include "app/live/inbox_index.hpp"
#include "parley/result.hpp"
#include "domain/store_api.hpp"

namespace parley::relay {

struct RegistryCounters {
  std::uint64_t loaded_at_start = 0;   // conversations read at start-up
  std::uint64_t loaded_on_demand = 0;  // resolved conversations read back later
  std::uint64_t evicted = 0;
};

class ConversationRegistry {
 public:
  // `day_of(tenant_id, now)` gives the tenant's current day [start, end) in its time zone.
  using DayOf = std::function<std::pair<Millis, Millis>(const std::string& tenant_id, Millis now)>;
  ConversationRegistry(DayOf day_of, std::function<Millis()> now) : day_of_(std::move(day_of)), now_(std::move(now)) {}

  // Loads the open conversations and the counts of every tenant in `tenant_ids`.
  std::optional<Error> start(StoreReader& reader, const std::vector<std::string>& tenant_ids);

  // In memory only (live state); nullptr when not loaded.
  ConvState* find(const std::string& id);
  // In memory, else read from the database when it belongs to `tenant_id` (a resolved one).
  // nullptr when it does not exist in that tenant (or the read failed: logged).
  ConvState* find_or_load(StoreReader& reader, const std::string& tenant_id, const std::string& id);
  // A new conversation, not committed yet (head_seq 0 in `committed`).
  ConvState& create(const Conversation& init);
  // The in-memory conversations of a contact (open ones, and resolved ones not evicted yet).
  std::vector<ConvState*> of_contact(const std::string& contact_id);

  // The only way a committed state changes: lists and counts follow.
  void set_committed(ConvState& cs, const Conversation& next);
  // Drops `id` from memory when it is resolved and idle. Safe to call at any time.
  void maybe_evict(const std::string& id);
  // Forgets a conversation whose first write failed (it was never stored).
  void drop_uncommitted(const std::string& id);

  // The tenant's inbox, with its counts recounted first when the day changed.
  TenantInbox& inbox(StoreReader* reader, const std::string& tenant_id);
  const RegistryCounters& counters() const { return counters_; }
  void for_each(const std::function<void(const ConvState&)>& fn) const {
    for (const auto& [id, cs] : convs_) fn(*cs);
  }
  std::size_t size() const { return convs_.size(); }

  // Preview and assistant memory from a message event that just committed.
  static void absorb(ConvState& cs, const Event& e);

 private:
  void fill_from_store(StoreReader& reader, ConvState& cs);
  void recount(StoreReader& reader, const std::string& tenant_id, TenantInbox& inbox);

  DayOf day_of_;
  std::function<Millis()> now_;
  std::unordered_map<std::string, std::unique_ptr<ConvState>> convs_;
  std::unordered_map<std::string, std::vector<std::string>> by_contact_;
  std::unordered_map<std::string, std::unique_ptr<TenantInbox>> inboxes_;
  RegistryCounters counters_;
};

}  // namespace parley::relay
