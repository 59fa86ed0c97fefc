// parley/routing.hpp: who gets a waiting chat (issue 9, "Queue and routing"), the customer's
// place in the queue, and the transitions routing makes.
//
// Pure: no clock, no randomness; times are passed in. The relay (relay/src/app/live/router.hpp)
// gathers the inputs from its live state and applies the outputs through its write pipeline.
//
// Modes (per tenant, and per team: a team's own mode wins for the chats its queue owns):
//   manual       nobody is chosen: every chat waits in the queue until an agent accepts it
//                (the default, as in seed 003);
//   round_robin  the eligible agent offered a chat longest ago (never offered first), then id;
//   least_busy   the eligible agent with the fewest active chats, then the most free slots,
//                then as round_robin;
//   skills       as least_busy, among eligible agents whose skills cover the chat's required
//                skills (every required skill, compared exactly, case-sensitive).
// Eligible, in every automatic mode: status online, a free slot (active < capacity), a member of
// the chat's team when the chat has one, and not the agent the chat must avoid (the one who
// left it unanswered). Away and offline agents are never offered anything. Only the skills mode
// looks at skills: round robin and least busy spread every chat over everyone eligible.
//
// When nobody is eligible the answer is "none": the chat keeps its place in the queue (it is
// never dropped) and the relay asks again when capacity frees up.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/conversation.hpp"
#include "parley/model.hpp"

namespace parley {

namespace ev {
// ephemeral (seq 0), to the customer's sockets of a waiting chat: {"position": N, "minutes": M|null}
inline constexpr std::string_view queue_position = "chat.queue_position";
}  // namespace ev

enum class RoutingMode { manual, round_robin, least_busy, skills };
std::string_view to_string(RoutingMode);
std::optional<RoutingMode> parse_routing_mode(std::string_view);  // "manual", "round_robin", ...

// An agent's availability as routing sees it (parley/presence_rules.hpp decides it).
enum class AgentStatus { online, away, offline };
std::string_view to_string(AgentStatus);
std::optional<AgentStatus> parse_agent_status(std::string_view);  // "online", "away", "offline"

// The mode for a chat: its team's when the team sets one, else the tenant's.
RoutingMode effective_mode(RoutingMode tenant_mode, std::optional<RoutingMode> team_mode);

// A chat waiting in the queue, as routing sees it.
struct WaitingChat {
  std::string id;
  RoutingMode mode = RoutingMode::manual;  // effective_mode() for this chat
  Priority priority = Priority::normal;
  Millis waiting_since = 0;  // handed_off_at
  std::vector<std::string> required_skills;
  std::string team_id;         // "" = the tenant's queue (any agent)
  std::string avoid_agent_id;  // "" = none; never offered to this agent
};

// An agent who might take it.
struct AgentCandidate {
  std::string id;
  AgentStatus status = AgentStatus::offline;
  std::vector<std::string> skills;
  std::vector<std::string> teams;
  int capacity = 0;            // max concurrent chats
  int active = 0;              // active chats now (assigned, plus offers in flight)
  Millis last_offered_at = 0;  // 0 = never
};

int free_slots(const AgentCandidate& a);  // max(0, capacity - active)
// True when every name of `required` is in `have`.
bool covers(const std::vector<std::string>& have, const std::vector<std::string>& required);
// The rule above for one pair (false in manual mode).
bool eligible(const WaitingChat& chat, const AgentCandidate& agent);

// The index in `agents` of the agent `chat` goes to, or nullopt (manual mode, or nobody is
// eligible).
std::optional<std::size_t> choose_agent(const WaitingChat& chat, const std::vector<AgentCandidate>& agents);

// One routing pass over the queue. `queue` is in queue order (parley::queue_before); each chat
// in turn gets choose_agent() over `agents`, and a chosen agent's `active` goes up by one and
// its `last_offered_at` becomes `now` before the next chat is decided, so one pass never gives an
// agent more than their free slots. A chat nobody can take is skipped (it keeps waiting) and the
// pass goes on with the next one: a chat that needs a rare skill does not hold up the others.
struct Offer {
  std::size_t chat = 0;   // index in `queue`
  std::size_t agent = 0;  // index in `agents`
};
std::vector<Offer> plan_offers(const std::vector<WaitingChat>& queue, std::vector<AgentCandidate>& agents,
                               Millis now);

// ---- the customer's place in the queue ----------------------------------------------------------

// What the widget shows: "You are number N in the queue, about M min". `minutes` is nullopt when
// no estimate can be made (nobody online to serve the queue).
struct QueuePlace {
  int position = 0;  // 1-based; 0 = not waiting
  std::optional<int> minutes;
  bool operator==(const QueuePlace&) const = default;
};
// The expected wait of the chat at `position` (1-based) when `serving_slots` chats can be handled
// at once by the agents online (sum of their capacities) and a chat takes `handle_ms` on average:
// position * handle_ms / serving_slots, shown in whole minutes rounded up, at least 1.
// serving_slots <= 0 or handle_ms <= 0: no estimate.
QueuePlace queue_place(int position, int serving_slots, Millis handle_ms);
// The places of every chat of `queue` (queue order): chats of one team's queue count only the
// chats of that team before them; the tenant's queue ("" team) counts its own. `serving_slots` by
// team id ("" = everyone online; a team missing from the map counts as 0).
std::vector<QueuePlace> queue_places(const std::vector<WaitingChat>& queue,
                                     const std::vector<std::pair<std::string, int>>& serving_slots,
                                     Millis handle_ms);

// ---- transitions ----------------------------------------------------------------------------------

// pending -> active for `agent`, chosen by routing: accept() with data.routed = to_string(mode)
// on the chat.session_assigned event. Errors as accept().
Result<Transition> route_to(const Conversation& c, const Actor& agent, RoutingMode mode, Millis now);

// A supervisor's or admin's assignment (`by`) of `c` to `agent`: bot -> (hand-off) -> active,
// pending -> active, active -> active with the new assignee (the old one becomes
// previous_agent_id). chat.session_assigned carries data.assigned_by {id,name}; on a reassign
// also data.previous_agent {id}. The same assignee again: no change, no event. resolved:
// invalid_transition. `agent.role` must be Role::agent (forbidden otherwise).
Result<Transition> assign_to(const Conversation& c, const Actor& agent, const Actor& by, Millis now);

// active -> pending because the assignee has not answered the customer within `timeout_ms` of the
// assignment: chat.requeued (reason "unanswered", previous_agent_id) and a system line saying so,
// visible to everyone. invalid_transition unless active.
Result<Transition> reoffer_unanswered(const Conversation& c, Millis timeout_ms, Millis now);
// The system line's text for a timeout.
std::string unanswered_line(Millis timeout_ms);

}  // namespace parley
