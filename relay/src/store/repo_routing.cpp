// relay/src/store/repo_routing.cpp: the routing tables (repo_routing.hpp).
#include "store/repo_routing.hpp"

#include "store/repo_helpers.hpp"

namespace parley::relay {

using repo_helpers::dump_json;

namespace {

Result<std::vector<std::string>> names_of(const std::string& text, const std::string& what) {
  const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return make_error(ErrorCode::internal, "stored " + what + " is not a JSON array");
  std::vector<std::string> out;
  for (const Json& x : j) {
    if (x.is_string()) out.push_back(x.get<std::string>());
  }
  return out;
}

Json array_of(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const std::string& s : v) a.push_back(s);
  return a;
}

}  // namespace

std::optional<Error> save_routing_settings(Db& db, const std::string& tenant_id, const RoutingSettings& s,
                                           Millis at) {
  Stmt q = db.prepare(
      "INSERT INTO routing_settings(tenant_id, settings_json, updated_at) VALUES (?1, ?2, ?3)"
      " ON CONFLICT(tenant_id) DO UPDATE SET settings_json = excluded.settings_json, updated_at = "
      "excluded.updated_at");
  q.bind(1, tenant_id).bind(2, dump_json(to_json(s))).bind(3, at);
  return q.run();
}

std::optional<Error> save_team(Db& db, const Team& t) {
  Stmt q = db.prepare(
      "INSERT INTO teams(tenant_id, id, name, routing_mode, owns_queue, created_at) VALUES (?1, ?2, ?3, ?4, "
      "?5, ?6)"
      " ON CONFLICT(tenant_id, id) DO UPDATE SET name = excluded.name, routing_mode = excluded.routing_mode,"
      " owns_queue = excluded.owns_queue");
  q.bind(1, t.tenant_id)
      .bind(2, t.id)
      .bind(3, t.name)
      .bind(4, t.mode ? to_string(*t.mode) : std::string_view());
  q.bind(5, std::int64_t{t.owns_queue ? 1 : 0}).bind(6, t.created_at);
  return q.run();
}

std::optional<Error> save_agent_profile(Db& db, const AgentProfile& p) {
  {
    Stmt u = db.prepare("SELECT 1 FROM users WHERE id = ?1 AND tenant_id = ?2");
    u.bind(1, p.user_id).bind(2, p.tenant_id);
    if (!u.step()) {
      if (u.error()) return *u.error();
      return make_error(ErrorCode::not_found, "no user " + p.user_id + " in this tenant");
    }
  }
  Stmt q = db.prepare(
      "INSERT INTO agent_profiles(tenant_id, user_id, skills, teams, capacity, status, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(tenant_id, user_id) DO UPDATE SET skills = "
      "excluded.skills,"
      " teams = excluded.teams, capacity = excluded.capacity, status = excluded.status, updated_at = "
      "excluded.updated_at");
  q.bind(1, p.tenant_id)
      .bind(2, p.user_id)
      .bind(3, dump_json(array_of(p.skills)))
      .bind(4, dump_json(array_of(p.teams)));
  q.bind(5, std::int64_t{p.capacity}).bind(6, to_string(p.status)).bind(7, p.updated_at);
  return q.run();
}

Result<RoutingConfig> load_routing(Db& db, const std::string& tenant_id) {
  RoutingConfig out;
  {
    Stmt q = db.prepare("SELECT settings_json FROM routing_settings WHERE tenant_id = ?1");
    q.bind(1, tenant_id);
    if (q.step()) {
      const Json j = Json::parse(q.col_text(0), nullptr, /*allow_exceptions=*/false);
      if (auto e = apply_routing_json(j, out.settings)) {
        return make_error(ErrorCode::internal, "stored routing settings of " + tenant_id + ": " + e->message);
      }
    } else if (q.error()) {
      return *q.error();
    }
  }
  {
    Stmt q = db.prepare(
        "SELECT id, name, routing_mode, owns_queue, created_at FROM teams WHERE tenant_id = ?1 ORDER BY id");
    q.bind(1, tenant_id);
    while (q.step()) {
      Team t;
      t.tenant_id = tenant_id;
      t.id = q.col_text(0);
      t.name = q.col_text(1);
      const std::string mode = q.col_text(2);
      if (!mode.empty()) {
        t.mode = parse_routing_mode(mode);
        if (!t.mode) return repo_helpers::stored_value_error("team routing_mode", mode);
      }
      t.owns_queue = q.col_int(3) != 0;
      t.created_at = q.col_int(4);
      out.teams.push_back(std::move(t));
    }
    if (q.error()) return *q.error();
  }
  {
    Stmt q = db.prepare(
        "SELECT user_id, skills, teams, capacity, status, updated_at FROM agent_profiles WHERE tenant_id = ?1"
        " ORDER BY user_id");
    q.bind(1, tenant_id);
    while (q.step()) {
      AgentProfile p;
      p.tenant_id = tenant_id;
      p.user_id = q.col_text(0);
      auto skills = names_of(q.col_text(1), "skills");
      if (!skills) return skills.error();
      auto teams = names_of(q.col_text(2), "teams");
      if (!teams) return teams.error();
      p.skills = std::move(skills).value();
      p.teams = std::move(teams).value();
      p.capacity = static_cast<int>(q.col_int(3));
      const std::string status = q.col_text(4);
      const auto st = parse_agent_status(status);
      if (!st) return repo_helpers::stored_value_error("agent status", status);
      p.status = *st;
      p.updated_at = q.col_int(5);
      out.profiles.push_back(std::move(p));
    }
    if (q.error()) return *q.error();
  }
  return out;
}

}  // namespace parley::relay
