// parley/routing.hpp: each routing mode with capacity and skills, the queue pass, the customer's
// place in the queue, and routing's transitions.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "parley/queue.hpp"
#include "parley/routing.hpp"
#include "test_support.hpp"

using namespace parley;
using parley::test::error_of;
using parley::test::types_of;
using parley::test::value_of;

namespace {

AgentCandidate agent(std::string id, int capacity, int active = 0, Millis offered = 0,
                     std::vector<std::string> skills = {}, std::vector<std::string> teams = {},
                     AgentStatus status = AgentStatus::online) {
  AgentCandidate a;
  a.id = std::move(id);
  a.status = status;
  a.capacity = capacity;
  a.active = active;
  a.last_offered_at = offered;
  a.skills = std::move(skills);
  a.teams = std::move(teams);
  return a;
}

WaitingChat chat(std::string id, RoutingMode mode, std::vector<std::string> skills = {},
                 std::string team = "") {
  WaitingChat c;
  c.id = std::move(id);
  c.mode = mode;
  c.required_skills = std::move(skills);
  c.team_id = std::move(team);
  return c;
}

std::string chosen(const WaitingChat& c, const std::vector<AgentCandidate>& agents) {
  auto i = choose_agent(c, agents);
  return i ? agents[*i].id : std::string("none");
}

Conversation pending(const std::string& id = "c_1") {
  Conversation c;
  c.id = id;
  c.tenant_id = "t";
  c.status = Status::pending;
  c.handed_off_at = 1000;
  c.head_seq = 3;
  return c;
}

const Actor kAda{Role::agent, "u_ada", "Ada"};
const Actor kBo{Role::agent, "u_bo", "Bo"};
const Actor kSam{Role::agent, "u_sam", "Sam (supervisor)"};

}  // namespace

TEST_CASE("routing modes: names round-trip, manual is the default, a team's mode wins") {
  for (RoutingMode m :
       {RoutingMode::manual, RoutingMode::round_robin, RoutingMode::least_busy, RoutingMode::skills}) {
    CHECK(parse_routing_mode(to_string(m)) == m);
  }
  CHECK_FALSE(parse_routing_mode("random").has_value());
  CHECK(WaitingChat{}.mode == RoutingMode::manual);
  CHECK(effective_mode(RoutingMode::manual, std::nullopt) == RoutingMode::manual);
  CHECK(effective_mode(RoutingMode::manual, RoutingMode::skills) == RoutingMode::skills);
  CHECK(effective_mode(RoutingMode::round_robin, std::nullopt) == RoutingMode::round_robin);
  for (AgentStatus s : {AgentStatus::online, AgentStatus::away, AgentStatus::offline}) {
    CHECK(parse_agent_status(to_string(s)) == s);
  }
  CHECK_FALSE(parse_agent_status("busy").has_value());
}

TEST_CASE("manual mode never chooses anyone") {
  const std::vector<AgentCandidate> agents = {agent("u_a", 5)};
  CHECK(chosen(chat("c", RoutingMode::manual), agents) == "none");
  std::vector<AgentCandidate> copy = agents;
  CHECK(plan_offers({chat("c", RoutingMode::manual)}, copy, 10).empty());
}

TEST_CASE("every automatic mode offers only to online agents with a free slot") {
  for (RoutingMode m : {RoutingMode::round_robin, RoutingMode::least_busy, RoutingMode::skills}) {
    CAPTURE(to_string(m));
    std::vector<AgentCandidate> agents = {
        agent("u_away", 5, 0, 0, {}, {}, AgentStatus::away),
        agent("u_off", 5, 0, 0, {}, {}, AgentStatus::offline),
        agent("u_full", 2, 2),
        agent("u_zero", 0),
    };
    CHECK(chosen(chat("c", m), agents) == "none");
    agents.push_back(agent("u_free", 2, 1));
    CHECK(chosen(chat("c", m), agents) == "u_free");
    // Over capacity (capacity lowered below the active count) is full too.
    agents.back().capacity = 0;
    CHECK(chosen(chat("c", m), agents) == "none");
    CHECK(free_slots(agents.back()) == 0);
  }
}

TEST_CASE("round robin: the agent offered a chat longest ago, never-offered first, then id") {
  const std::vector<AgentCandidate> agents = {agent("u_c", 3, 0, 300), agent("u_a", 3, 2, 100),
                                              agent("u_b", 3, 0, 200)};
  CHECK(chosen(chat("c", RoutingMode::round_robin), agents) == "u_a");  // busier but offered longest ago
  const std::vector<AgentCandidate> fresh = {agent("u_b", 3, 0, 0), agent("u_a", 3, 0, 0),
                                             agent("u_c", 3, 0, 50)};
  CHECK(chosen(chat("c", RoutingMode::round_robin), fresh) == "u_a");
}

TEST_CASE("round robin takes turns over a pass and respects each capacity") {
  std::vector<AgentCandidate> agents = {agent("u_a", 2), agent("u_b", 1), agent("u_c", 3)};
  std::vector<WaitingChat> queue;
  for (int i = 0; i < 10; ++i) queue.push_back(chat("c_" + std::to_string(i), RoutingMode::round_robin));
  const std::vector<Offer> offers = plan_offers(queue, agents, 1000);
  REQUIRE(offers.size() == 6);  // 2 + 1 + 3 slots: the other 4 keep waiting
  std::vector<std::string> order;
  for (const Offer& o : offers) order.push_back(agents[o.agent].id);
  // Chats in queue order; agents in turns (a, b, c, then those still free).
  CHECK(order == std::vector<std::string>{"u_a", "u_b", "u_c", "u_a", "u_c", "u_c"});
  for (std::size_t i = 0; i < offers.size(); ++i) CHECK(offers[i].chat == i);
  CHECK(agents[0].active == 2);
  CHECK(agents[1].active == 1);
  CHECK(agents[2].active == 3);
  std::vector<AgentCandidate> again = agents;
  CHECK(plan_offers(queue, again, 2000).empty());  // nobody has a slot left
}

TEST_CASE("least busy: fewest active chats, then most free slots, then longest since offered") {
  const std::vector<AgentCandidate> agents = {agent("u_a", 5, 3, 0), agent("u_b", 5, 1, 900),
                                              agent("u_c", 2, 1, 100)};
  CHECK(chosen(chat("c", RoutingMode::least_busy), agents) ==
        "u_b");  // 1 active, 4 free beats 1 active, 1 free
  const std::vector<AgentCandidate> tie = {agent("u_a", 3, 1, 500), agent("u_b", 3, 1, 400)};
  CHECK(chosen(chat("c", RoutingMode::least_busy), tie) == "u_b");
  std::vector<AgentCandidate> pass = {agent("u_a", 4, 2), agent("u_b", 4, 0)};
  std::vector<WaitingChat> q = {chat("c1", RoutingMode::least_busy), chat("c2", RoutingMode::least_busy),
                                chat("c3", RoutingMode::least_busy)};
  const auto offers = plan_offers(q, pass, 10);
  REQUIRE(offers.size() == 3);
  CHECK(pass[0].active == 3);  // b got the first two (0 then 1 active), then a and b were level
  CHECK(pass[1].active == 2);
}

TEST_CASE("skills: every required skill must be covered; least busy among those who can") {
  const std::vector<AgentCandidate> agents = {
      agent("u_fr", 3, 0, 0, {"french"}),
      agent("u_fr_billing_busy", 3, 2, 0, {"billing", "french"}),
      agent("u_fr_billing", 3, 1, 0, {"french", "billing", "refunds"}),
  };
  CHECK(chosen(chat("c", RoutingMode::skills, {"french", "billing"}), agents) == "u_fr_billing");
  CHECK(chosen(chat("c", RoutingMode::skills, {"french"}), agents) == "u_fr");
  CHECK(chosen(chat("c", RoutingMode::skills, {"german"}), agents) == "none");
  CHECK(chosen(chat("c", RoutingMode::skills, {"French"}), agents) == "none");  // exact names
  CHECK(chosen(chat("c", RoutingMode::skills), agents) == "u_fr");              // nothing required
  // The other modes ignore skills.
  CHECK(chosen(chat("c", RoutingMode::least_busy, {"german"}), agents) == "u_fr");
  CHECK(covers({"a", "b"}, {}));
  CHECK(covers({"a", "b"}, {"b", "a"}));
  CHECK_FALSE(covers({"a"}, {"a", "b"}));
  // A skilled agent at capacity is not offered more.
  std::vector<AgentCandidate> full = {agent("u_de", 1, 1, 0, {"german"}),
                                      agent("u_en", 5, 0, 0, {"english"})};
  CHECK(chosen(chat("c", RoutingMode::skills, {"german"}), full) == "none");
}

TEST_CASE("a pass skips a chat nobody can take and goes on with the next ones") {
  std::vector<AgentCandidate> agents = {agent("u_en", 1, 0, 0, {"english"})};
  std::vector<WaitingChat> q = {chat("c_german", RoutingMode::skills, {"german"}),
                                chat("c_english", RoutingMode::skills, {"english"})};
  const auto offers = plan_offers(q, agents, 5);
  REQUIRE(offers.size() == 1);
  CHECK(offers[0].chat == 1);
  CHECK(agents[0].last_offered_at == 5);
}

TEST_CASE("a team's chat goes only to the team's members; the avoided agent is skipped") {
  const std::vector<AgentCandidate> agents = {agent("u_a", 3, 0, 0, {}, {"sales"}),
                                              agent("u_b", 3, 0, 0, {}, {})};
  CHECK(chosen(chat("c", RoutingMode::round_robin, {}, "sales"), agents) == "u_a");
  CHECK(chosen(chat("c", RoutingMode::round_robin, {}, "support"), agents) == "none");
  WaitingChat avoid = chat("c", RoutingMode::round_robin);
  avoid.avoid_agent_id = "u_a";
  CHECK(chosen(avoid, agents) == "u_b");
  avoid.team_id = "sales";
  CHECK(chosen(avoid, agents) == "none");  // the only member is the one to avoid: it waits
}

TEST_CASE("queue order then routing: the most urgent, longest waiting chat is offered first") {
  std::vector<Conversation> convs;
  for (auto [id, p, at] :
       std::vector<std::tuple<std::string, Priority, Millis>>{{"c_low", Priority::low, 10},
                                                              {"c_urgent", Priority::urgent, 90},
                                                              {"c_norm", Priority::normal, 20}}) {
    Conversation c = pending(id);
    c.priority = p;
    c.handed_off_at = at;
    convs.push_back(c);
  }
  std::sort(convs.begin(), convs.end(),
            [](const Conversation& a, const Conversation& b) { return queue_before(a, b); });
  std::vector<WaitingChat> q;
  for (const Conversation& c : convs) q.push_back(chat(c.id, RoutingMode::least_busy));
  std::vector<AgentCandidate> agents = {agent("u_a", 1)};
  const auto offers = plan_offers(q, agents, 100);
  REQUIRE(offers.size() == 1);
  CHECK(q[offers[0].chat].id == "c_urgent");
}

TEST_CASE("queue place: position and minutes rounded up, no estimate without anyone serving") {
  CHECK(queue_place(1, 4, 5 * 60000) == QueuePlace{1, 2});  // 1.25 min -> 2
  CHECK(queue_place(8, 4, 5 * 60000) == QueuePlace{8, 10});
  CHECK(queue_place(1, 100, 60000) == QueuePlace{1, 1});  // at least 1 minute
  CHECK(queue_place(3, 0, 60000) == QueuePlace{3, std::nullopt});
  CHECK(queue_place(3, 2, 0) == QueuePlace{3, std::nullopt});
  CHECK(queue_place(0, 2, 60000) == QueuePlace{0, std::nullopt});
}

TEST_CASE("queue places count within each queue: the tenant's and each team's") {
  std::vector<WaitingChat> q = {chat("c1", RoutingMode::manual), chat("c2", RoutingMode::manual, {}, "sales"),
                                chat("c3", RoutingMode::manual), chat("c4", RoutingMode::manual, {}, "sales"),
                                chat("c5", RoutingMode::manual, {}, "vip")};
  const auto places = queue_places(q, {{"", 2}, {"sales", 1}}, 60000);
  REQUIRE(places.size() == 5);
  CHECK(places[0] == QueuePlace{1, 1});
  CHECK(places[1] == QueuePlace{1, 1});
  CHECK(places[2] == QueuePlace{2, 1});
  CHECK(places[3] == QueuePlace{2, 2});
  CHECK(places[4] == QueuePlace{1, std::nullopt});  // nobody serves the vip queue
}

TEST_CASE("route_to: accept by routing, marked with the mode") {
  const Transition t = value_of(route_to(pending(), kAda, RoutingMode::round_robin, 2000));
  CHECK(t.next.status == Status::active);
  CHECK(t.next.assignee_id == "u_ada");
  CHECK(t.next.assigned_at == 2000);
  REQUIRE(t.events.size() == 1);
  CHECK(t.events[0].type == ev::assigned);
  CHECK(t.events[0].seq == 4);
  CHECK(t.events[0].data["routed"] == "round_robin");
  CHECK(t.events[0].data["agent"]["id"] == "u_ada");
  Conversation taken = t.next;
  CHECK(error_of(route_to(taken, kBo, RoutingMode::least_busy, 2001)).code == ErrorCode::already_assigned);
}

TEST_CASE("assign_to: pending, active (reassign), bot, resolved, the same agent again") {
  const Transition a = value_of(assign_to(pending(), kAda, kSam, 2000));
  CHECK(a.next.assignee_id == "u_ada");
  REQUIRE(a.events.size() == 1);
  CHECK(a.events[0].data["assigned_by"]["id"] == "u_sam");

  const Transition re = value_of(assign_to(a.next, kBo, kSam, 3000));
  CHECK(re.next.status == Status::active);
  CHECK(re.next.assignee_id == "u_bo");
  CHECK(re.next.assignee_name == "Bo");
  CHECK(re.next.previous_agent_id == "u_ada");
  CHECK(re.next.assigned_at == 3000);
  REQUIRE(re.events.size() == 1);
  CHECK(re.events[0].type == ev::assigned);
  CHECK(re.events[0].seq == a.next.head_seq + 1);
  CHECK(re.events[0].data["previous_agent"]["id"] == "u_ada");
  CHECK(re.events[0].actor.id == "u_sam");

  CHECK(value_of(assign_to(re.next, kBo, kSam, 3100)).events.empty());

  Conversation bot = pending();
  bot.status = Status::bot;
  const Transition b = value_of(assign_to(bot, kAda, kSam, 4000));
  CHECK(b.next.status == Status::active);
  CHECK(types_of(b.events) == std::vector<std::string>{"chat.handed_off", "chat.session_assigned"});

  Conversation closed = pending();
  closed.status = Status::resolved;
  CHECK(error_of(assign_to(closed, kAda, kSam, 5000)).code == ErrorCode::invalid_transition);
  CHECK(error_of(assign_to(pending(), Actor{Role::customer, "k", "K"}, kSam, 5000)).code ==
        ErrorCode::forbidden);
}

TEST_CASE("reoffer_unanswered: back to the queue with a system line, the agent kept as the one to avoid") {
  const Transition a = value_of(route_to(pending(), kAda, RoutingMode::round_robin, 2000));
  const Transition r = value_of(reoffer_unanswered(a.next, 120000, 122000));
  CHECK(r.next.status == Status::pending);
  CHECK(r.next.assignee_id.empty());
  CHECK(r.next.previous_agent_id == "u_ada");
  CHECK(r.next.handed_off_at == 122000);
  CHECK(types_of(r.events) == std::vector<std::string>{"chat.requeued", "chat.new_message"});
  CHECK(r.events[0].data["reason"] == "unanswered");
  CHECK(r.events[1].audience == Audience::everyone);
  CHECK(r.events[1].data["message"]["kind"] == "system");
  CHECK(r.events[1].data["message"]["text"] == unanswered_line(120000));
  CHECK(unanswered_line(120000).find("within 2 min") != std::string::npos);
  CHECK(unanswered_line(45000).find("within 45 s") != std::string::npos);
  CHECK(r.events[1].seq == r.events[0].seq + 1);
  CHECK(error_of(reoffer_unanswered(pending(), 1000, 5000)).code == ErrorCode::invalid_transition);
}
