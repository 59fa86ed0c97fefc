// Automatic routing, agents' status, the unanswered timeout and queue places (router.hpp).
#include "app/live/router.hpp"

#include <boost/asio/post.hpp>

#include "app/hub_state.hpp"
#include "core/log.hpp"
#include "parley/protocol.hpp"

namespace parley::relay {

namespace {

constexpr std::string_view kStatusNotice = "agent.status";

Json head_of(const ConvState& cs) {
  return Json{{"conversation_id", cs.committed.id},
              {"head_seq", cs.committed_seq()},
              {"assignee", cs.committed.assignee_id.empty() ? Json(nullptr)
                                                            : Json{{"id", cs.committed.assignee_id},
                                                                   {"name", cs.committed.assignee_name}}}};
}

std::string name_of(const User& u) { return u.display_name.empty() ? u.username : u.display_name; }

}  // namespace

std::optional<Error> Router::start(StoreReader& reader, const std::vector<std::string>& tenant_ids) {
  for (const std::string& id : tenant_ids) {
    auto cfg = reader.load_routing(id);
    if (!cfg) return cfg.error();
    tenants_[id].config = std::move(cfg).value();
  }
  arm();
  return std::nullopt;
}

void Router::stop() {
  stopped_ = true;
  timer_.cancel();
}

Router::TenantState& Router::tenant(const std::string& tenant_id) {
  auto it = tenants_.find(tenant_id);
  if (it != tenants_.end()) return it->second;
  TenantState& t = tenants_[tenant_id];
  if (hub_.reader) {
    auto cfg = hub_.reader->load_routing(tenant_id);
    if (cfg) {
      t.config = std::move(cfg).value();
    } else {
      log::error("routing config not read; defaults used",
                 {{"tenant", tenant_id}, {"message", cfg.error().message}});
    }
  }
  return t;
}

Router::Agent& Router::agent(TenantState& t, const std::string& tenant_id, const std::string& user_id) {
  auto it = t.agents.find(user_id);
  if (it != t.agents.end()) return it->second;
  Agent& a = t.agents[user_id];
  a.profile.tenant_id = tenant_id;
  a.profile.user_id = user_id;
  for (const AgentProfile& p : t.config.profiles) {
    if (p.user_id == user_id) a.profile = p;
  }
  a.presence.chosen = a.profile.status;
  return a;
}

int Router::capacity_of(const TenantState& t, const Agent& a) const {
  return a.profile.capacity >= 0 ? a.profile.capacity : t.config.settings.default_capacity;
}

bool Router::automatic(const TenantState& t) const {
  if (t.config.settings.mode != RoutingMode::manual) return true;
  for (const Team& team : t.config.teams) {
    if (team.owns_queue && team.mode && *team.mode != RoutingMode::manual) return true;
  }
  return false;
}

WaitingChat Router::chat_of(const TenantState& t, const Conversation& c) const {
  WaitingChat w;
  w.id = c.id;
  w.priority = c.priority;
  w.waiting_since = c.handed_off_at;
  std::optional<RoutingMode> team_mode;
  if (auto rule = t.config.settings.topic_rules.find(c.topic); rule != t.config.settings.topic_rules.end()) {
    w.required_skills = rule->second.skills;
    for (const Team& team : t.config.teams) {
      if (team.id == rule->second.team_id && team.owns_queue) {
        w.team_id = team.id;
        team_mode = team.mode;
      }
    }
  }
  // A transfer to a team (Conversation::team, a team's id) puts the chat in that team's queue,
  // whether or not the team owns one for its topics: the person who handed it over chose them.
  if (!c.team.empty()) {
    for (const Team& team : t.config.teams) {
      if (team.id == c.team) {
        w.team_id = team.id;
        team_mode = team.mode;
      }
    }
  }
  w.mode = effective_mode(t.config.settings.mode, team_mode);
  if (auto a = avoid_.find(c.id); a != avoid_.end()) w.avoid_agent_id = a->second;
  return w;
}

// ---- config ----

const RoutingConfig& Router::config(const std::string& tenant_id) { return tenant(tenant_id).config; }

void Router::save_settings(const std::string& tenant_id, const Json& patch,
                           std::function<void(Result<RoutingSettings>)> cb) {
  RoutingSettings s = tenant(tenant_id).config.settings;
  if (auto e = apply_routing_json(patch, s)) return cb(*e);
  hub_.write({SaveRoutingSettings{tenant_id, s, hub_.now()}},
             [this, tenant_id, s, cb = std::move(cb)](std::optional<Error> e) {
               if (e) return cb(*e);
               tenant(tenant_id).config.settings = s;
               log::info("routing settings changed", {{"tenant", tenant_id}, {"mode", to_string(s.mode)}});
               kick(tenant_id);
               cb(s);
             });
}

void Router::save_team(const std::string& tenant_id, const std::string& team_id, const Json& patch,
                       std::function<void(Result<Team>)> cb) {
  if (!valid_team_id(team_id)) {
    return cb(make_error(ErrorCode::bad_field, "a team id is 1 to 64 letters, digits, - or _", "id"));
  }
  TenantState& t = tenant(tenant_id);
  Team team{tenant_id, team_id, "", std::nullopt, false, hub_.now()};
  for (const Team& x : t.config.teams) {
    if (x.id == team_id) team = x;
  }
  if (auto e = apply_team_json(patch, team)) return cb(*e);
  if (team.name.empty()) return cb(make_error(ErrorCode::missing_field, "a new team needs a name", "name"));
  hub_.write({SaveTeam{team}}, [this, tenant_id, team, cb = std::move(cb)](std::optional<Error> e) {
    if (e) return cb(*e);
    auto& teams = tenant(tenant_id).config.teams;
    auto it = std::find_if(teams.begin(), teams.end(), [&](const Team& x) { return x.id == team.id; });
    if (it == teams.end()) {
      teams.push_back(team);
    } else {
      *it = team;
    }
    kick(tenant_id);
    cb(team);
  });
}

void Router::save_profile(const std::string& tenant_id, const std::string& user_id, const Json& patch,
                          std::function<void(Result<AgentProfile>)> cb) {
  if (!hub_.reader) return cb(make_error(ErrorCode::unavailable, "no database reader"));
  auto user = hub_.reader->find_user(user_id);
  if (!user) return cb(user.error());
  if (!*user || (*user)->tenant_id != tenant_id) return cb(make_error(ErrorCode::not_found, "no such user"));
  TenantState& t = tenant(tenant_id);
  AgentProfile p = agent(t, tenant_id, user_id).profile;
  if (auto e = apply_profile_json(patch, p)) return cb(*e);
  p.updated_at = hub_.now();
  hub_.write({SaveAgentProfile{p}}, [this, tenant_id, p, cb = std::move(cb)](std::optional<Error> e) {
    if (e) return cb(*e);
    TenantState& t = tenant(tenant_id);
    auto& list = t.config.profiles;
    auto it =
        std::find_if(list.begin(), list.end(), [&](const AgentProfile& x) { return x.user_id == p.user_id; });
    if (it == list.end()) {
      list.push_back(p);
    } else {
      *it = p;
    }
    Agent& a = agent(t, tenant_id, p.user_id);
    const AgentStatus chosen = a.profile.status;  // the status is the agent's own, not the profile edit's
    a.profile = p;
    a.profile.status = chosen;
    kick(tenant_id);
    cb(a.profile);
  });
}

// ---- presence ----

void Router::staff_connected(ConnState& conn) {
  const std::string& tenant_id = conn.who.tenant_id;
  const User& u = conn.who.staff.user;
  TenantState& t = tenant(tenant_id);
  Agent& a = agent(t, tenant_id, u.id);
  a.name = name_of(u);
  if (a.presence.connected(hub_.now())) {
    status_changed(tenant_id, u.id);
  } else {
    send_status(conn, a);
  }
}

void Router::staff_disconnected(const std::string& tenant_id, const std::string& user_id) {
  TenantState& t = tenant(tenant_id);
  auto it = t.agents.find(user_id);
  if (it == t.agents.end()) return;
  if (it->second.presence.disconnected(hub_.now())) status_changed(tenant_id, user_id);
}

void Router::staff_activity(const std::string& tenant_id, const std::string& user_id) {
  auto t = tenants_.find(tenant_id);
  if (t == tenants_.end()) return;
  auto it = t->second.agents.find(user_id);
  if (it == t->second.agents.end()) return;
  if (it->second.presence.activity(hub_.now())) status_changed(tenant_id, user_id);
}

void Router::set_status(const StaffIdentity& who, AgentStatus status, std::function<void(Result<Json>)> cb) {
  if (who.api_key || who.user.id.empty() || who.user.id == "api") {
    return cb(make_error(ErrorCode::bad_field, "an API key has no status; only people do", "status"));
  }
  const std::string tenant_id = who.user.tenant_id, user_id = who.user.id;
  TenantState& t = tenant(tenant_id);
  AgentProfile p = agent(t, tenant_id, user_id).profile;
  p.status = status;
  p.updated_at = hub_.now();
  hub_.write({SaveAgentProfile{p}},
             [this, tenant_id, user_id, status, cb = std::move(cb)](std::optional<Error> e) {
               if (e) return cb(*e);
               TenantState& t = tenant(tenant_id);
               Agent& a = agent(t, tenant_id, user_id);
               a.profile.status = status;
               if (a.presence.choose(status, hub_.now())) status_changed(tenant_id, user_id);
               log::info("agent status chosen",
                         {{"tenant", tenant_id}, {"user", user_id}, {"status", to_string(status)}});
               cb(Json{{"status", to_string(a.presence.status())}, {"chosen", to_string(a.presence.chosen)}});
             });
}

AgentStatus Router::status(const std::string& tenant_id, const std::string& user_id) {
  TenantState& t = tenant(tenant_id);
  auto it = t.agents.find(user_id);
  return it == t.agents.end() ? AgentStatus::offline : it->second.presence.status();
}

void Router::send_status(ConnState& conn, const Agent& a) {
  conn.send(encode_notice(kStatusNotice, Json{{"status", to_string(a.presence.status())},
                                              {"chosen", to_string(a.presence.chosen)}}));
  ++counters_.status_frames;
}

void Router::status_changed(const std::string& tenant_id, const std::string& user_id) {
  TenantState& t = tenant(tenant_id);
  auto it = t.agents.find(user_id);
  if (it == t.agents.end()) return;
  for (ConnState* c : hub_.conns.staff_of_user(user_id)) send_status(*c, it->second);
  if (it->second.presence.status() == AgentStatus::online) kick(tenant_id);
}

// ---- conversations ----

void Router::committed(const ConvState& cs, const std::vector<Event>& events) {
  const Conversation& c = cs.committed;
  bool want_pass = false;
  for (const Event& e : events) {
    if (e.type == ev::new_message) {
      // The assignee's first answer (a note is not one) disarms the unanswered timeout.
      if (e.actor.role == Role::agent && e.actor.id == c.assignee_id) {
        const Json& m = e.data.contains("message") ? e.data["message"] : Json();
        if (m.is_object() && m.value("kind", "") != "note") deadline_of_.erase(c.id);
      }
      continue;
    }
    if (e.type == ev::handoff_summary || e.type == ev::resolution_note) continue;
    want_pass = true;
    if (e.type == ev::assigned && c.status == Status::active) {
      if (auto a = avoid_.find(c.id); a != avoid_.end() && a->second != c.assignee_id) avoid_.erase(a);
      const Millis timeout = tenant(c.tenant_id).config.settings.unanswered_ms;
      if (timeout > 0 && !c.assignee_id.empty() && c.assignee_id != "api") {
        deadline_of_[c.id] = Deadline{c.assignee_id, c.assigned_at};
        deadlines_.emplace(c.assigned_at + timeout, c.id);
      }
    }
  }
  if (c.status != Status::active) deadline_of_.erase(c.id);
  if (c.status == Status::resolved) avoid_.erase(c.id);
  if (want_pass) kick(c.tenant_id);
}

void Router::kick(const std::string& tenant_id) {
  if (stopped_) return;
  TenantState& t = tenant(tenant_id);
  if (t.pass_posted || !automatic(t)) return;
  t.pass_posted = true;
  boost::asio::post(timer_.get_executor(), [this, tenant_id] {
    if (!stopped_) pass(tenant_id);
  });
}

void Router::pass(const std::string& tenant_id) {
  TenantState& t = tenant(tenant_id);
  t.pass_posted = false;
  if (!automatic(t)) return;
  const TenantInbox& ix = hub_.inbox(tenant_id);
  if (ix.queue().empty()) return;
  ++counters_.passes;
  std::vector<AgentCandidate> agents;
  for (const auto& [id, a] : t.agents) {
    if (a.presence.status() != AgentStatus::online) continue;
    AgentCandidate c;
    c.id = id;
    c.status = AgentStatus::online;
    c.capacity = capacity_of(t, a);
    c.active = static_cast<int>(ix.mine(id).size()) + a.offers_in_flight;
    if (free_slots(c) == 0) continue;
    c.skills = a.profile.skills;
    c.teams = a.profile.teams;
    c.last_offered_at = a.last_offered_at;
    agents.push_back(std::move(c));
  }
  if (agents.empty()) return;  // a full house costs O(agents), not O(queue)
  std::vector<WaitingChat> queue;
  for (const ConvState* cs : ix.queue()) {
    if (cs->live.status != Status::pending || offered_.count(cs->committed.id)) continue;
    queue.push_back(chat_of(t, cs->committed));
  }
  const Millis at = hub_.now();
  for (const Offer& o : plan_offers(queue, agents, at)) {
    offer(tenant_id, queue[o.chat].id, agents[o.agent].id, queue[o.chat].mode);
  }
}

void Router::offer(const std::string& tenant_id, const std::string& conversation_id,
                   const std::string& agent_id, RoutingMode mode) {
  ConvState* cs = hub_.convs.find(conversation_id);
  if (!cs) return;
  TenantState& t = tenant(tenant_id);
  Agent& a = agent(t, tenant_id, agent_id);
  const Millis at = hub_.now();
  ++a.offers_in_flight;
  a.last_offered_at = at;
  offered_.insert(conversation_id);
  ++counters_.offers;
  const Actor who{Role::agent, agent_id, a.name};
  hub_.pipeline.submit(
      *cs,
      [who, mode, at](ConvState& c) -> Decision {
        if (c.live.status != Status::pending) {
          return Decision::reply(make_error(ErrorCode::already_assigned, "no longer waiting"));
        }
        auto t = route_to(c.live, who, mode, at);
        if (!t) return Decision::reply(t.error());
        return Decision::persist(std::move(t).value(), head_of);
      },
      [this, tenant_id, agent_id, conversation_id](Result<Json> r) {
        offered_.erase(conversation_id);
        auto t = tenants_.find(tenant_id);
        if (t != tenants_.end()) {
          auto a = t->second.agents.find(agent_id);
          if (a != t->second.agents.end() && a->second.offers_in_flight > 0) --a->second.offers_in_flight;
        }
        if (!r) {
          // Someone accepted first, or the store refused: the timer's next pass looks again.
          log::info("routing offer not applied",
                    {{"conversation", conversation_id}, {"agent", agent_id}, {"message", r.error().message}});
        }
      });
}

// ---- reads and supervisor actions ----

Workload Router::workload(const std::string& tenant_id, const std::string& user_id) {
  TenantState& t = tenant(tenant_id);
  Workload w;
  w.user_id = user_id;
  Agent& a = agent(t, tenant_id, user_id);
  w.status = a.presence.status();
  w.capacity = capacity_of(t, a);
  for (const ConvState* cs : hub_.inbox(tenant_id).mine(user_id))
    w.conversation_ids.push_back(cs->committed.id);
  w.active = static_cast<int>(w.conversation_ids.size());
  w.free = std::max(0, w.capacity - w.active);
  return w;
}

Json Router::queue_stats(const std::string& tenant_id) {
  TenantState& t = tenant(tenant_id);
  const Millis now = hub_.now(), threshold = t.config.settings.wait_threshold_ms;
  struct Row {
    int waiting = 0, over = 0;
    Millis longest = 0, sum = 0;
  };
  Row rows[4];
  for (const ConvState* cs : hub_.inbox(tenant_id).queue()) {
    Row& r = rows[priority_rank(cs->committed.priority)];
    const Millis waited =
        cs->committed.handed_off_at > 0 ? std::max<Millis>(0, now - cs->committed.handed_off_at) : 0;
    ++r.waiting;
    r.sum += waited;
    r.longest = std::max(r.longest, waited);
    if (waited > threshold) ++r.over;
  }
  Json by = Json::object();
  int over = 0;
  for (Priority p : {Priority::urgent, Priority::high, Priority::normal, Priority::low}) {
    const Row& r = rows[priority_rank(p)];
    over += r.over;
    by[std::string(to_string(p))] =
        Json{{"waiting", r.waiting},
             {"longest_wait_s", r.longest / 1000},
             {"avg_wait_s", r.waiting == 0 ? 0.0 : static_cast<double>(r.sum / r.waiting / 100) / 10.0},
             {"over_threshold", r.over}};
  }
  int online = 0, away = 0, free = 0;
  for (auto& [id, a] : t.agents) {
    const AgentStatus s = a.presence.status();
    if (s == AgentStatus::away) ++away;
    if (s != AgentStatus::online) continue;
    ++online;
    free += std::max(0, capacity_of(t, a) - static_cast<int>(hub_.inbox(tenant_id).mine(id).size()));
  }
  return Json{{"by_priority", by},
              {"over_threshold", over},
              {"wait_threshold_s", threshold / 1000},
              {"routing_mode", to_string(t.config.settings.mode)},
              {"agents", {{"online", online}, {"away", away}, {"free_slots", free}}}};
}

void Router::assign(const std::string& tenant_id, const std::string& conversation_id,
                    const std::string& agent_id, const Actor& by, std::function<void(Result<Json>)> cb) {
  if (!hub_.reader) return cb(make_error(ErrorCode::unavailable, "no database reader"));
  ConvState* cs = hub_.convs.find_or_load(*hub_.reader, tenant_id, conversation_id);
  if (!cs || cs->committed_seq() == 0) return cb(make_error(ErrorCode::not_found, "no such conversation"));
  auto user = hub_.reader->find_user(agent_id);
  if (!user) return cb(user.error());
  if (!*user || (*user)->tenant_id != tenant_id) {
    return cb(make_error(ErrorCode::not_found, "no such agent in this tenant", "agent_id"));
  }
  if ((*user)->disabled) return cb(make_error(ErrorCode::bad_field, "this user is disabled", "agent_id"));
  const Actor agent{Role::agent, agent_id, name_of(**user)};
  const Millis at = hub_.now();
  hub_.pipeline.submit(
      *cs,
      [agent, by, at](ConvState& c) -> Decision {
        auto t = assign_to(c.live, agent, by, at);
        if (!t) return Decision::reply(t.error());
        return Decision::persist(std::move(t).value(), head_of);
      },
      std::move(cb));
}

// ---- the timer ----

void Router::arm() {
  if (stopped_) return;
  timer_.expires_after(kTick);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    tick();
    arm();
  });
}

void Router::tick() {
  const Millis now = hub_.now();
  due_unanswered(now);
  for (auto& [tenant_id, t] : tenants_) {
    const Millis idle = t.config.settings.idle_away_ms;
    std::vector<std::string> changed;
    for (auto& [id, a] : t.agents) {
      if (a.presence.tick(now, idle)) changed.push_back(id);
    }
    for (const std::string& id : changed) status_changed(tenant_id, id);
    // The safety net: a chat never waits while someone has a free slot.
    if (!t.pass_posted && automatic(t) && !hub_.inbox(tenant_id).queue().empty()) pass(tenant_id);
    if (now - t.places_at >= kPlaceInterval) send_places(tenant_id, t, now);
  }
}

void Router::due_unanswered(Millis now) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const std::string id = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    auto armed = deadline_of_.find(id);
    if (armed == deadline_of_.end()) continue;
    ConvState* cs = hub_.convs.find(id);
    const Deadline d = armed->second;
    if (!cs || cs->committed.status != Status::active || cs->committed.assignee_id != d.agent_id ||
        cs->committed.assigned_at != d.assigned_at) {
      continue;  // a stale entry; a newer assignment has its own
    }
    const Millis timeout = tenant(cs->committed.tenant_id).config.settings.unanswered_ms;
    if (timeout <= 0) {
      deadline_of_.erase(armed);
      continue;
    }
    if (d.assigned_at + timeout > now) continue;  // the timeout was raised meanwhile: not due yet
    deadline_of_.erase(armed);
    avoid_[id] = d.agent_id;
    ++counters_.reoffers;
    log::info("unanswered: conversation offered again", {{"conversation", id}, {"agent", d.agent_id}});
    hub_.pipeline.submit(
        *cs,
        [agent_id = d.agent_id, assigned_at = d.assigned_at, timeout, now](ConvState& c) -> Decision {
          if (c.live.status != Status::active || c.live.assignee_id != agent_id ||
              c.live.assigned_at != assigned_at) {
            return Decision::reply(Json::object());  // answered, moved or closed meanwhile
          }
          auto t = reoffer_unanswered(c.live, timeout, now);
          if (!t) return Decision::reply(t.error());
          return Decision::persist(std::move(t).value(), head_of);
        },
        nullptr);
  }
}

void Router::send_places(const std::string& tenant_id, TenantState& t, Millis now) {
  t.places_at = now;
  const TenantInbox& ix = hub_.inbox(tenant_id);
  if (ix.queue().empty() && t.told.empty()) return;
  const std::uint64_t stamp = ++place_stamp_;
  ++counters_.place_rounds;
  std::vector<WaitingChat> queue;
  std::vector<const ConvState*> states;
  queue.reserve(ix.queue().size());
  for (const ConvState* cs : ix.queue()) {
    queue.push_back(chat_of(t, cs->committed));
    states.push_back(cs);
  }
  // Who serves each queue: the capacities of the agents online (everyone for the tenant's).
  std::vector<std::pair<std::string, int>> slots{{"", 0}};
  for (const auto& [id, a] : t.agents) {
    if (a.presence.status() != AgentStatus::online) continue;
    const int cap = capacity_of(t, a);
    slots[0].second += cap;
    for (const std::string& team : a.profile.teams) {
      auto it = std::find_if(slots.begin(), slots.end(), [&](const auto& s) { return s.first == team; });
      if (it == slots.end()) {
        slots.emplace_back(team, cap);
      } else {
        it->second += cap;
      }
    }
  }
  const std::vector<QueuePlace> places = queue_places(queue, slots, t.config.settings.handle_ms);
  for (std::size_t i = 0; i < states.size(); ++i) {
    const ConvState& cs = *states[i];
    Told& told = t.told[cs.committed.id];
    told.stamp = stamp;
    if (!(told.place == places[i])) {
      told.place = places[i];
      told.conns.clear();
    }
    std::shared_ptr<const std::string> frame;
    for (std::uint64_t sub : cs.subscribers) {
      ConnState* c = hub_.conns.find(sub);
      if (!c || !c->who.is_customer() || told.conns.count(sub)) continue;
      if (!frame) {
        Event e;
        e.conversation_id = cs.committed.id;
        e.seq = 0;  // ephemeral: neither stored nor replayed
        e.type = std::string(ev::queue_position);
        e.audience = Audience::everyone;
        e.at = now;
        e.actor = Actor{Role::system, "system", ""};
        e.data = Json{{"position", places[i].position},
                      {"minutes", places[i].minutes ? Json(*places[i].minutes) : Json(nullptr)}};
        frame = std::make_shared<const std::string>(encode_event(e));
      }
      c->send(frame);
      told.conns.insert(sub);
      ++counters_.place_frames;
    }
  }
  for (auto it = t.told.begin(); it != t.told.end();) {
    it = it->second.stamp == stamp ? std::next(it) : t.told.erase(it);
  }
}

}  // namespace parley::relay
