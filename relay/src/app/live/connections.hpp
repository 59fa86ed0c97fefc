// relay/src/app/live/connections.hpp: the hub's WebSocket connections, who is behind each, their
// rate buckets and subscriptions.
//
// Loop thread only. The registry owns every ConnState from on_open to on_close; other modules
// keep connection ids, never pointers across a post, and look them up again (a connection may
// have closed meanwhile). Frames are counted by the network layer (net/server.cpp), not here.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "app/auth/identity.hpp"
#include "net/server.hpp"
#include "parley/model.hpp"

namespace parley::relay {

using SteadyClock = std::chrono::steady_clock;

// Who is behind a connection (or a REST call that runs a command).
struct Principal {
  enum class Kind { none, customer, staff } kind = Kind::none;
  std::string tenant_id;
  std::string contact_id;  // customer
  std::string name;        // customer display name (cached)
  // A new visitor's contact and visitor rows are stored with its first chat.start (so a hello
  // alone stores nothing); until then `visitor_hash` holds its token's hash.
  bool contact_stored = true;
  std::string visitor_hash;
  StaffIdentity staff;     // staff

  bool is_staff() const { return kind == Kind::staff; }
  bool is_customer() const { return kind == Kind::customer; }
  Actor actor() const {
    if (is_staff()) return Actor{Role::agent, staff.user.id, staff.user.display_name};
    return Actor{Role::customer, contact_id, name};
  }
};

// A token bucket: `rate` per second sustained, `burst` at most.
struct RateBucket {
  double tokens = 0;
  SteadyClock::time_point refilled{};
  int refusals = 0;
  // Takes one token; false when none is left.
  bool take(SteadyClock::time_point now, double rate, double burst);
};

struct ConnState {
  std::shared_ptr<Connection> conn;
  std::uint64_t id = 0;
  Principal who;
  bool hello_in_flight = false;
  std::unordered_set<std::string> subs;  // conversation ids joined
  RateBucket bucket;
  bool closed = false;
  // Staff, kept by the inbox feed (live/inbox_feed.hpp): the encoded list items waiting for this
  // socket's next inbox.changes (latest state per conversation wins), whether the counts go with
  // them, whether it views the tenant's whole history (it paged the recent list), and the feed
  // epoch of its last snapshot or list page (it is "fresh" until the next flush).
  std::vector<std::pair<std::string, std::shared_ptr<const std::string>>> inbox_items;
  std::unordered_map<std::string, std::size_t> inbox_item_at;
  bool inbox_counts = false;
  bool inbox_due = false;
  bool views_all = false;
  std::uint64_t fresh_epoch = 0;
  std::uint64_t feed_stamp = 0;  // the feed's last delivery round that visited it
  int held_acks = 0;             // send acks held for their event (live/sender_echo.hpp)

  void send(std::string frame);
  void send(const std::shared_ptr<const std::string>& frame);
  void close(std::uint16_t code, const std::string& reason);
  std::size_t queued_bytes() const { return conn ? conn->queued_bytes() : 0; }
};

class Connections {
 public:
  ConnState& add(std::shared_ptr<Connection> conn);
  // Forgets the connection; returns it (for the caller's clean-up) or nullptr.
  std::unique_ptr<ConnState> remove(std::uint64_t id);
  ConnState* find(std::uint64_t id);
  // Marks `c` as staff of its tenant (after authentication).
  void set_staff(ConnState& c, StaffIdentity who);
  // The staff connection ids of a tenant (empty set when none).
  const std::unordered_set<std::uint64_t>& staff_of(const std::string& tenant_id) const;
  // Every staff connection of `user_id` (all tenants: user ids are global).
  std::vector<ConnState*> staff_of_user(const std::string& user_id);
  std::size_t size() const { return conns_.size(); }
  void for_each(const std::function<void(ConnState&)>& fn);

 private:
  std::unordered_map<std::uint64_t, std::unique_ptr<ConnState>> conns_;
  std::unordered_map<std::string, std::unordered_set<std::uint64_t>> staff_by_tenant_;
  std::unordered_map<std::string, std::unordered_set<std::uint64_t>> staff_by_user_;
};

}  // namespace parley::relay
