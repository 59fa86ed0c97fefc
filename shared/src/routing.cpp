// Routing decisions, queue places and routing's transitions (parley/routing.hpp).
#include "parley/routing.hpp"

#include <algorithm>
#include <array>
#include <tuple>

namespace parley {
namespace {

constexpr std::array<std::string_view, 4> kModeNames = {"manual", "round_robin", "least_busy", "skills"};
constexpr std::array<std::string_view, 3> kStatusNames = {"online", "away", "offline"};
const Actor kSystem{Role::system, "system", ""};

bool member_of(const std::vector<std::string>& teams, const std::string& team) {
  return std::find(teams.begin(), teams.end(), team) != teams.end();
}

// The order of preference among eligible agents: true when `a` is preferred to `b`.
bool preferred(RoutingMode mode, const AgentCandidate& a, const AgentCandidate& b) {
  if (mode == RoutingMode::least_busy || mode == RoutingMode::skills) {
    if (a.active != b.active) return a.active < b.active;
    if (free_slots(a) != free_slots(b)) return free_slots(a) > free_slots(b);
  }
  return std::tie(a.last_offered_at, a.id) < std::tie(b.last_offered_at, b.id);
}

// Appends an event (numbered after the conversation's head) as conversation.cpp's transitions do.
void emit(Transition& t, std::string_view type, const Actor& actor, Millis now, Json data) {
  t.next.head_seq += 1;
  t.next.updated_at = now;
  Event e;
  e.conversation_id = t.next.id;
  e.seq = t.next.head_seq;
  e.type = std::string(type);
  e.audience = Audience::everyone;
  e.at = now;
  e.actor = actor;
  e.data = std::move(data);
  t.events.push_back(std::move(e));
}

void append(Transition& first, Transition&& second) {
  first.next = std::move(second.next);
  for (Event& e : second.events) first.events.push_back(std::move(e));
}

}  // namespace

std::string_view to_string(RoutingMode m) { return kModeNames[static_cast<std::size_t>(m)]; }
std::optional<RoutingMode> parse_routing_mode(std::string_view s) {
  for (std::size_t i = 0; i < kModeNames.size(); ++i) {
    if (kModeNames[i] == s) return static_cast<RoutingMode>(i);
  }
  return std::nullopt;
}
std::string_view to_string(AgentStatus s) { return kStatusNames[static_cast<std::size_t>(s)]; }
std::optional<AgentStatus> parse_agent_status(std::string_view s) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == s) return static_cast<AgentStatus>(i);
  }
  return std::nullopt;
}

RoutingMode effective_mode(RoutingMode tenant_mode, std::optional<RoutingMode> team_mode) {
  return team_mode ? *team_mode : tenant_mode;
}

int free_slots(const AgentCandidate& a) { return std::max(0, a.capacity - a.active); }

bool covers(const std::vector<std::string>& have, const std::vector<std::string>& required) {
  return std::all_of(required.begin(), required.end(),
                     [&](const std::string& s) { return member_of(have, s); });
}

bool eligible(const WaitingChat& chat, const AgentCandidate& agent) {
  if (chat.mode == RoutingMode::manual) return false;
  if (agent.status != AgentStatus::online || free_slots(agent) == 0) return false;
  if (!chat.avoid_agent_id.empty() && agent.id == chat.avoid_agent_id) return false;
  if (!chat.team_id.empty() && !member_of(agent.teams, chat.team_id)) return false;
  if (chat.mode == RoutingMode::skills && !covers(agent.skills, chat.required_skills)) return false;
  return true;
}

std::optional<std::size_t> choose_agent(const WaitingChat& chat, const std::vector<AgentCandidate>& agents) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < agents.size(); ++i) {
    if (!eligible(chat, agents[i])) continue;
    if (!best || preferred(chat.mode, agents[i], agents[*best])) best = i;
  }
  return best;
}

std::vector<Offer> plan_offers(const std::vector<WaitingChat>& queue, std::vector<AgentCandidate>& agents,
                               Millis now) {
  std::vector<Offer> out;
  int free_total = 0;
  for (const AgentCandidate& a : agents) {
    if (a.status == AgentStatus::online) free_total += free_slots(a);
  }
  for (std::size_t i = 0; i < queue.size() && free_total > 0; ++i) {
    const std::optional<std::size_t> who = choose_agent(queue[i], agents);
    if (!who) continue;
    AgentCandidate& a = agents[*who];
    ++a.active;
    a.last_offered_at = now;
    --free_total;
    out.push_back(Offer{i, *who});
  }
  return out;
}

QueuePlace queue_place(int position, int serving_slots, Millis handle_ms) {
  QueuePlace p;
  p.position = std::max(0, position);
  if (p.position == 0 || serving_slots <= 0 || handle_ms <= 0) return p;
  const Millis wait_ms = static_cast<Millis>(p.position) * handle_ms / serving_slots;
  constexpr Millis kMinute = 60000;
  p.minutes = static_cast<int>(std::max<Millis>(1, (wait_ms + kMinute - 1) / kMinute));
  return p;
}

std::vector<QueuePlace> queue_places(const std::vector<WaitingChat>& queue,
                                     const std::vector<std::pair<std::string, int>>& serving_slots,
                                     Millis handle_ms) {
  std::vector<std::pair<std::string, int>> seen;  // team -> chats counted so far (few teams)
  std::vector<QueuePlace> out;
  out.reserve(queue.size());
  for (const WaitingChat& c : queue) {
    auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == c.team_id; });
    if (it == seen.end()) it = seen.insert(seen.end(), {c.team_id, 0});
    const int position = ++it->second;
    int slots = 0;
    for (const auto& [team, n] : serving_slots) {
      if (team == c.team_id) slots = n;
    }
    out.push_back(queue_place(position, slots, handle_ms));
  }
  return out;
}

Result<Transition> route_to(const Conversation& c, const Actor& agent, RoutingMode mode, Millis now) {
  Result<Transition> t = accept(c, agent, now);
  if (!t) return t;
  for (Event& e : t->events) {
    if (e.type == ev::assigned) e.data["routed"] = std::string(to_string(mode));
  }
  return t;
}

Result<Transition> assign_to(const Conversation& c, const Actor& agent, const Actor& by, Millis now) {
  if (agent.role != Role::agent)
    return make_error(ErrorCode::forbidden, "only staff are assigned conversations");
  const Json assigned_by{{"id", by.id}, {"name", by.name}};
  if (c.status == Status::resolved) {
    return make_error(ErrorCode::invalid_transition,
                      "a closed conversation is not assigned (conversation is resolved)");
  }
  if (c.status == Status::active) {
    if (c.assignee_id == agent.id) return Transition{c, {}};
    Transition t{c, {}};
    const std::string previous = c.assignee_id;
    t.next.previous_agent_id = previous;
    t.next.assignee_id = agent.id;
    t.next.assignee_name = agent.name;
    t.next.assigned_at = now;
    emit(t, ev::assigned, by, now,
         Json{{"agent", {{"id", agent.id}, {"name", agent.name}}},
              {"assigned_by", assigned_by},
              {"previous_agent", {{"id", previous}}}});
    return t;
  }
  Transition t{c, {}};
  if (c.status == Status::bot) {
    Result<Transition> queued = hand_off(c, by, "assigned_by_staff", /*summary=*/"", now);
    if (!queued) return queued.error();
    t = std::move(queued).value();
  }
  Result<Transition> accepted = accept(t.next, agent, now);
  if (!accepted) return accepted.error();
  for (Event& e : accepted->events) {
    if (e.type == ev::assigned) e.data["assigned_by"] = assigned_by;
  }
  append(t, std::move(accepted).value());
  return t;
}

std::string unanswered_line(Millis timeout_ms) {
  const std::string within = timeout_ms < 60000
                                 ? std::to_string(std::max<Millis>(1, (timeout_ms + 999) / 1000)) + " s"
                                 : std::to_string((timeout_ms + 59999) / 60000) + " min";
  return "Not answered within " + within + ": the chat is offered again.";
}

Result<Transition> reoffer_unanswered(const Conversation& c, Millis timeout_ms, Millis now) {
  Result<Transition> requeued = agent_gone(c, now);
  if (!requeued) return requeued.error();
  Transition t = std::move(requeued).value();
  for (Event& e : t.events) {
    if (e.type == ev::requeued) e.data["reason"] = "unanswered";
  }
  Message m;
  m.kind = MessageKind::system;
  m.text = unanswered_line(timeout_ms);
  Result<Transition> line = post_message(t.next, kSystem, std::move(m), now, ConversationPolicy{});
  if (!line) return line.error();
  append(t, std::move(line).value());
  return t;
}

}  // namespace parley
