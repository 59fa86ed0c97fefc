// relay/src/app/tickets/tickets.hpp: tickets made from chats and blocks of abusive visitors
// (issue 9; the rules are parley/tickets.hpp, the rows domain/store_api.hpp Ticket and Block).
//
// Threads: loop thread only, like every hub module (app/hub_state.hpp). Nothing here blocks: the
// block list lives in memory (loaded once at start, changed after each committed write), reads of
// tickets run on workers (the HTTP side's on_reader).
// Ownership: HubState owns one BlockList. It keeps copies of rules, never pointers into the store.
// Errors: parley::Error with the protocol's codes; a refused visitor gets blocked_error() (ErrorCode::blocked).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/store_api.hpp"
#include "parley/tickets.hpp"

namespace parley::relay {

// The JSON forms of docs/api.md "Tickets and blocks".
Json ticket_json(const Ticket& t);
Json block_json(const Block& b, Millis now);

class BlockList {
 public:
  // Every block not lifted (StoreReader::load_blocks). Call once, at start.
  std::optional<Error> load(StoreReader& reader);
  // After a committed InsertBlock / LiftBlock.
  void add(const Block& b);
  void lift(const std::string& tenant_id, const std::string& id, Millis at);
  // The first active rule of the tenant matching the contact or the (raw) address, or nullptr.
  // Expired rules are dropped as they are met.
  const BlockRule* match(const std::string& tenant_id, std::string_view contact_id, std::string_view address,
                         Millis now);
  // Remembers the last address a customer's socket came from (so staff can block "this visitor's
  // address" from the inbox without the relay ever showing it). Bounded: the map is cleared when
  // it passes kMaxRemembered entries.
  void note_address(const std::string& tenant_id, const std::string& contact_id, std::string_view address);
  std::string address_of(const std::string& tenant_id, const std::string& contact_id) const;

  std::uint64_t refusals = 0;  // commands refused as blocked (tests read it)
  static constexpr std::size_t kMaxRemembered = 200000;

 private:
  std::unordered_map<std::string, std::vector<BlockRule>> by_tenant_;
  std::unordered_map<std::string, std::string> address_;  // tenant \n contact -> normalised address
};

}  // namespace parley::relay
