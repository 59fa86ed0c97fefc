// relay/src/app/live/router.hpp: automatic routing, agents' status and workload, the unanswered
// timeout and the customers' place in the queue (issue 9, "Queue and routing", "People and
// presence"). The rules are pure and live in shared/ (parley/routing.hpp, presence_rules.hpp);
// this module gathers their inputs from live state and applies their outputs.
//
// Threads: loop thread only, like every module of hub_state.hpp. Owned by HubState; keeps a
// reference to it and looks conversations up again by id after every post.
//
// What it owns: per tenant, the routing config (settings, teams, profiles: loaded at start-up and
// on first use of a tenant, changed through save_*), and per staff user an AgentPresence (status),
// the time they were last offered a chat and their offers in flight; the deadlines of the
// unanswered timeout; what each waiting customer was last told of their place.
//
// Routing. In an automatic mode (tenant's or team's), a routing PASS walks the tenant's queue in
// queue order and offers each chat to the agent parley::plan_offers picks (online, a free slot,
// team, skills), through the write pipeline (route_to: persist, then ack, then broadcast). An
// agent's active count is their "mine" list plus their offers in flight, so a pass never exceeds
// anyone's capacity even before the commits land. Passes are coalesced (at most one posted per
// tenant) and asked for whenever capacity or the queue may have changed: a committed event other
// than a message (a chat queued, requeued, reopened, resolved, ended, assigned, transferred), an
// agent coming online (connect, choice, activity after auto-away), a profile or settings change;
// and the timer runs one per tenant with a waiting chat as a safety net. A pass returns at once
// when nobody has a free slot, so a full house costs O(agents), not O(queue). Nobody free: the
// chat stays in the queue (never dropped) and the next pass offers it.
//
// Unanswered timeout (settings.unanswered_ms > 0): when a chat is assigned, a deadline is armed;
// the assignee's first message (not a note) disarms it; at the deadline the chat goes back to the
// queue with a system line (parley::reoffer_unanswered) and is not offered to that agent again
// while another one can take it.
//
// Queue places: at most every kPlaceInterval, for each tenant with a waiting chat, the places
// (parley::queue_places) are computed and each customer socket subscribed to a waiting chat gets a
// chat.queue_position event (ephemeral, seq 0) only when the value it shows changed (position
// or minutes) or it has not been told yet: a busy queue costs no frame to customers whose place
// did not move, and never more than one frame per customer per interval.
//
// Agent status (agent.status notice to the user's own sockets only) is sent when it changes.
//
// Errors: save_* answer ErrorCode::bad_field / not_found / the store's refusal; assign answers
// not_found (conversation or agent not in the tenant), invalid_transition, busy/unavailable.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "app/auth/identity.hpp"
#include "domain/routing_types.hpp"
#include "domain/store_api.hpp"
#include "parley/presence_rules.hpp"
#include "parley/routing.hpp"

namespace parley::relay {

struct HubState;
struct ConvState;
struct ConnState;

struct RouterCounters {
  std::uint64_t passes = 0;
  std::uint64_t offers = 0;         // route_to writes submitted
  std::uint64_t reoffers = 0;       // unanswered timeouts applied
  std::uint64_t place_frames = 0;   // chat.queue_position frames sent
  std::uint64_t place_rounds = 0;   // queue place computations (tenants with a waiting chat)
  std::uint64_t status_frames = 0;  // agent.status frames sent
};

struct Workload {
  std::string user_id;
  AgentStatus status = AgentStatus::offline;
  int active = 0;
  int capacity = 0;
  int free = 0;
  std::vector<std::string> conversation_ids;  // the active ones, most recent first
};

class Router {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kTick{250};
  static constexpr Millis kPlaceInterval = 500;

  Router(boost::asio::io_context& io, HubState& hub) : hub_(hub), timer_(io) {}
  // Loads the routing config of `tenant_ids` and starts the timer.
  std::optional<Error> start(StoreReader& reader, const std::vector<std::string>& tenant_ids);
  void stop();

  // ---- config (REST) ----
  const RoutingConfig& config(const std::string& tenant_id);
  // Validates `patch` (apply_routing_json), stores the whole result, makes it live; cb on the loop.
  void save_settings(const std::string& tenant_id, const Json& patch,
                     std::function<void(Result<RoutingSettings>)> cb);
  void save_team(const std::string& tenant_id, const std::string& team_id, const Json& patch,
                 std::function<void(Result<Team>)> cb);
  // The user must be one of the tenant's (not_found otherwise).
  void save_profile(const std::string& tenant_id, const std::string& user_id, const Json& patch,
                    std::function<void(Result<AgentProfile>)> cb);

  // ---- presence inputs (hub.cpp, commands/) ----
  void staff_connected(ConnState& conn);
  void staff_disconnected(const std::string& tenant_id, const std::string& user_id);
  void staff_activity(const std::string& tenant_id, const std::string& user_id);
  // The agent's own choice; stored with their profile; cb gets {"status","chosen"} after commit.
  void set_status(const StaffIdentity& who, AgentStatus status, std::function<void(Result<Json>)> cb);
  AgentStatus status(const std::string& tenant_id, const std::string& user_id);

  // ---- conversation inputs ----
  // After a commit, with its events (HubState::broadcast).
  void committed(const ConvState& cs, const std::vector<Event>& events);
  // Asks for a routing pass of the tenant (coalesced).
  void kick(const std::string& tenant_id);

  // ---- reads and supervisor actions ----
  Workload workload(const std::string& tenant_id, const std::string& user_id);
  // GET /api/live-chat/queue/stats's "by_priority" and threshold figures.
  Json queue_stats(const std::string& tenant_id);
  // A supervisor's or admin's assignment (parley::assign_to); capacity is not checked (a person
  // decided). cb gets {"conversation_id","head_seq","assignee"} after the commit.
  void assign(const std::string& tenant_id, const std::string& conversation_id, const std::string& agent_id,
              const Actor& by, std::function<void(Result<Json>)> cb);

  const RouterCounters& counters() const { return counters_; }

 private:
  struct Agent {
    AgentPresence presence;
    AgentProfile profile;  // tenant_id/user_id always set; defaults when none is stored
    std::string name;
    Millis last_offered_at = 0;
    int offers_in_flight = 0;
  };
  struct Told {
    QueuePlace place;
    std::set<std::uint64_t> conns;
    std::uint64_t stamp = 0;
  };
  struct TenantState {
    RoutingConfig config;
    std::unordered_map<std::string, Agent> agents;  // by user id
    bool pass_posted = false;
    std::unordered_map<std::string, Told> told;  // by conversation id
    Millis places_at = 0;
  };
  struct Deadline {
    std::string agent_id;
    Millis assigned_at = 0;
  };

  TenantState& tenant(const std::string& tenant_id);
  Agent& agent(TenantState& t, const std::string& tenant_id, const std::string& user_id);
  int capacity_of(const TenantState& t, const Agent& a) const;
  bool automatic(const TenantState& t) const;
  WaitingChat chat_of(const TenantState& t, const Conversation& c) const;
  void pass(const std::string& tenant_id);
  void offer(const std::string& tenant_id, const std::string& conversation_id, const std::string& agent_id,
             RoutingMode mode);
  void status_changed(const std::string& tenant_id, const std::string& user_id);
  void send_status(ConnState& conn, const Agent& a);
  void arm();
  void tick();
  void due_unanswered(Millis now);
  void send_places(const std::string& tenant_id, TenantState& t, Millis now);

  HubState& hub_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  std::unordered_map<std::string, TenantState> tenants_;
  std::unordered_set<std::string> offered_;                // conversations with an offer in flight
  std::unordered_map<std::string, std::string> avoid_;     // conversation -> agent who left it unanswered
  std::multimap<Millis, std::string> deadlines_;           // unanswered deadline -> conversation
  std::unordered_map<std::string, Deadline> deadline_of_;  // armed, by conversation
  std::uint64_t place_stamp_ = 0;
  RouterCounters counters_;
};

}  // namespace parley::relay
