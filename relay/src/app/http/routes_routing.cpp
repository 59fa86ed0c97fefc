// Queue and routing routes (issue 9; docs/api.md "Queue and routing"): queue stats by priority,
// a supervisor's assignment, an agent's workload, and the routing settings, teams and agent
// profiles. The rules live in live/router.hpp (through the Hub facade) and shared/.
#include "app/http/router.hpp"

namespace parley::relay {

using namespace http;

namespace {

Actor actor_of(const Caller& c) {
  if (c.api_key) return Actor{Role::agent, "api", "API key"};
  const User& u = c.who.user;
  return Actor{Role::agent, u.id, u.display_name.empty() ? u.username : u.display_name};
}

// GET /api/live-chat/queue/stats: GET /api/v1/stats's figures plus the queue by priority
// ({"by_priority": {"urgent": {"waiting","longest_wait_s","avg_wait_s","over_threshold"}, ...}}),
// the tenant's wait threshold, the routing mode and the agents online.
void get_queue_stats(const CtxPtr& ctx) {
  Json out = day_stats_json(*ctx);
  const Json q = ctx->hub.queue_stats(ctx->tenant_id());
  for (auto it = q.begin(); it != q.end(); ++it) out[it.key()] = it.value();
  ctx->res.json(200, out);
}

// POST /api/live-chat/{id}/assign {"agent_id": "u_..."}: supervisors and admins (keys: admin).
void post_assign(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  FieldReader r(body);
  const std::string agent_id = r.id("agent_id", Need::required);
  if (r.error()) return ctx->res.error(*r.error());
  const std::string conv_id = ctx->param(0), tenant = ctx->tenant_id();
  ctx->hub.assign(tenant, conv_id, agent_id, actor_of(ctx->caller),
                  [ctx, conv_id, agent_id](Result<Json> res) {
                    if (!res) return ctx->res.error(res.error());
                    Json out = *res;
                    audit(ctx, "conversation.assign", conv_id, Json{{"agent_id", agent_id}},
                          [ctx, out] { ctx->res.json(200, out); });
                  });
}

// GET /api/live-chat/agent/{id}/workload: an agent sees their own; supervisors, admins and keys
// with read see anyone of their tenant. 404 for a user of another tenant or none.
void get_workload(const CtxPtr& ctx) {
  const std::string user_id = ctx->param(0), tenant = ctx->tenant_id();
  const Caller& c = ctx->caller;
  if (!c.api_key && c.role() == StaffRole::agent && c.who.user.id != user_id) {
    return ctx->res.error(api_error(ErrorCode::forbidden, "agents see only their own workload"));
  }
  on_reader(ctx, [ctx, user_id, tenant](StoreReader& db) -> std::function<void()> {
    auto user = std::make_shared<Result<std::optional<User>>>(db.find_user(user_id));
    return [ctx, user, user_id, tenant] {
      if (!*user) return ctx->res.error(user->error());
      if (!user->value() || user->value()->tenant_id != tenant) {
        return ctx->res.error(api_error(ErrorCode::not_found, "no such agent"));
      }
      ctx->res.json(200, ctx->hub.workload(tenant, user_id));
    };
  });
}

Json config_json(const RoutingConfig& cfg) {
  Json teams = Json::array(), profiles = Json::array();
  for (const Team& t : cfg.teams) teams.push_back(to_json(t));
  for (const AgentProfile& p : cfg.profiles) profiles.push_back(to_json(p));
  return Json{{"settings", to_json(cfg.settings)}, {"teams", teams}, {"profiles", profiles}};
}

// GET /api/v1/routing: settings, teams and profiles (any staff; keys: read).
void get_routing(const CtxPtr& ctx) {
  ctx->res.json(200, config_json(ctx->hub.routing_config(ctx->tenant_id())));
}

// PATCH /api/v1/routing {mode, default_capacity, idle_away_s, unanswered_s, handle_s,
// wait_threshold_s, topic_rules}: admins.
void patch_routing(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  ctx->hub.save_routing_settings(ctx->tenant_id(), body, [ctx, body](Result<RoutingSettings> r) {
    if (!r) return ctx->res.error(r.error());
    Json out = to_json(*r);
    audit(ctx, "routing.update", "", body, [ctx, out] { ctx->res.json(200, out); });
  });
}

// PUT /api/v1/teams/{id} {name, mode, owns_queue}: creates or changes a team (admins).
void put_team(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  const std::string id = ctx->param(0);
  ctx->hub.save_team(ctx->tenant_id(), id, body, [ctx, body, id](Result<Team> r) {
    if (!r) return ctx->res.error(r.error());
    Json out = to_json(*r);
    audit(ctx, "team.save", id, body, [ctx, out] { ctx->res.json(200, out); });
  });
}

// PATCH /api/v1/agents/{id}/profile {skills, teams, capacity}: admins.
void patch_profile(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  const std::string id = ctx->param(0);
  ctx->hub.save_agent_profile(ctx->tenant_id(), id, body, [ctx, body, id](Result<AgentProfile> r) {
    if (!r) return ctx->res.error(r.error());
    Json out = to_json(*r);
    audit(ctx, "agent.profile", id, body, [ctx, out] { ctx->res.json(200, out); });
  });
}

}  // namespace

void add_routing_routes(std::vector<Route>& out) {
  out.push_back({"GET", {"api", "live-chat", "queue", "stats"}, Access::staff, &get_queue_stats});
  out.push_back({"POST", {"api", "live-chat", "*", "assign"}, Access::supervisor, &post_assign});
  out.push_back({"GET", {"api", "live-chat", "agent", "*", "workload"}, Access::staff, &get_workload});
  out.push_back({"GET", {"api", "v1", "routing"}, Access::staff, &get_routing});
  out.push_back({"PATCH", {"api", "v1", "routing"}, Access::admin, &patch_routing});
  out.push_back({"PUT", {"api", "v1", "teams", "*"}, Access::admin, &put_team});
  out.push_back({"PATCH", {"api", "v1", "agents", "*", "profile"}, Access::admin, &patch_profile});
}

}  // namespace parley::relay
