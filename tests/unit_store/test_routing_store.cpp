// tests/unit_store/test_routing_store.cpp: the routing tables of migration v6 through the store
// interface (SaveRoutingSettings, SaveTeam, SaveAgentProfile, StoreReader::load_routing), and the
// JSON validation of routing records at the edge (domain/routing_types.hpp).
#include <doctest/doctest.h>

#include <future>

#include "domain/store_api.hpp"
#include "helpers.hpp"
#include "store/repo_routing.hpp"
#include "store/schema.hpp"
#include "store/sqlite_store.hpp"

using namespace parley;
using namespace parley::relay;
using namespace parley::relay::test;

namespace {

std::optional<Error> write_one(DataStore& store, Mutation op) {
  std::promise<std::optional<Error>> p;
  auto f = p.get_future();
  store.write(std::move(op), [&p](const std::optional<Error>& e) { p.set_value(e); });
  return f.get();
}

}  // namespace

TEST_CASE("routing store: defaults, then settings, teams and profiles saved and read back per tenant") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  auto reader = ds.open_reader();
  REQUIRE(reader);
  StoreReader& r = **reader;

  RoutingConfig none = r.load_routing(kDefaultTenantId).value();
  CHECK(none.settings == RoutingSettings{});
  CHECK(none.settings.mode == RoutingMode::manual);
  CHECK(none.teams.empty());
  CHECK(none.profiles.empty());

  RoutingSettings s;
  s.mode = RoutingMode::skills;
  s.default_capacity = 4;
  s.unanswered_ms = 90000;
  s.topic_rules["billing"] = TopicRule{{"billing", "french"}, "sales"};
  CHECK_FALSE(write_one(ds, SaveRoutingSettings{kDefaultTenantId, s, 10}));
  s.idle_away_ms = 30000;  // a replace keeps nothing of the old row
  CHECK_FALSE(write_one(ds, SaveRoutingSettings{kDefaultTenantId, s, 11}));

  Team t{kDefaultTenantId, "sales", "Sales", RoutingMode::round_robin, true, 5};
  CHECK_FALSE(write_one(ds, SaveTeam{t}));
  Team u{kDefaultTenantId, "vip", "VIP", std::nullopt, false, 6};
  CHECK_FALSE(write_one(ds, SaveTeam{u}));

  User agent;
  agent.id = "u_1";
  agent.tenant_id = kDefaultTenantId;
  agent.username = "ada";
  agent.password_hash = "x";
  CHECK_FALSE(write_one(ds, InsertUser{agent}));
  AgentProfile p{kDefaultTenantId, "u_1", {"billing"}, {"sales"}, 2, AgentStatus::away, 20};
  CHECK_FALSE(write_one(ds, SaveAgentProfile{p}));
  // Another tenant's user id, or an unknown one: not_found, nothing stored.
  AgentProfile stranger = p;
  stranger.tenant_id = "t_other";
  auto e = write_one(ds, SaveAgentProfile{stranger});
  REQUIRE(e);
  CHECK(e->code == ErrorCode::not_found);

  RoutingConfig got = r.load_routing(kDefaultTenantId).value();
  CHECK(got.settings == s);
  REQUIRE(got.teams.size() == 2);
  CHECK(got.teams[0] == t);
  CHECK(got.teams[1] == u);
  REQUIRE(got.profiles.size() == 1);
  CHECK(got.profiles[0] == p);
  // Tenant isolation: nothing of it in another tenant.
  RoutingConfig other = r.load_routing("t_other").value();
  CHECK(other.teams.empty());
  CHECK(other.profiles.empty());
  CHECK(other.settings == RoutingSettings{});
}

TEST_CASE("routing json: bad input is refused with the field named, nothing changed") {
  RoutingSettings s;
  const RoutingSettings before = s;
  auto refuse = [&](const Json& j, const std::string& field) {
    auto e = apply_routing_json(j, s);
    REQUIRE(e);
    CHECK(e->field == field);
    CHECK(s == before);
  };
  refuse(Json{{"mode", "random"}}, "mode");
  refuse(Json{{"mode", 3}}, "mode");
  refuse(Json{{"default_capacity", 0}}, "default_capacity");
  refuse(Json{{"default_capacity", 101}}, "default_capacity");
  refuse(Json{{"default_capacity", "3"}}, "default_capacity");
  refuse(Json{{"unanswered_s", -1}}, "unanswered_s");
  refuse(Json{{"handle_s", 0}}, "handle_s");
  refuse(Json{{"topic_rules", Json::array()}}, "topic_rules");
  refuse(Json{{"topic_rules", {{"billing", {{"skills", "billing"}}}}}}, "topic_rules");
  refuse(Json{{"topic_rules", {{"billing", {{"team", "no spaces"}}}}}}, "topic_rules");
  refuse(Json{{"mode", "round_robin"}, {"surprise", 1}}, "surprise");  // all or nothing
  CHECK(apply_routing_json(Json::array(), s)->code == ErrorCode::bad_json);
  CHECK_FALSE(apply_routing_json(Json{{"mode", "least_busy"}, {"idle_away_s", 0}}, s));
  CHECK(s.mode == RoutingMode::least_busy);
  CHECK(s.idle_away_ms == 0);

  AgentProfile p;
  CHECK(apply_profile_json(Json{{"capacity", 101}}, p)->field == "capacity");
  CHECK(apply_profile_json(Json{{"skills", {""}}}, p)->field == "skills");
  CHECK(apply_profile_json(Json{{"skills", {1}}}, p)->field == "skills");
  CHECK(apply_profile_json(Json{{"teams", {"a b"}}}, p)->field == "teams");
  CHECK(apply_profile_json(Json{{"status", "online"}}, p)->field == "status");  // set by the agent, not here
  CHECK_FALSE(apply_profile_json(Json{{"skills", {"fr", "fr", "de"}}, {"capacity", nullptr}}, p));
  CHECK(p.skills == std::vector<std::string>{"fr", "de"});
  CHECK(p.capacity == -1);

  Team t;
  CHECK(apply_team_json(Json{{"name", ""}}, t)->field == "name");
  CHECK(apply_team_json(Json{{"mode", "fast"}}, t)->field == "mode");
  CHECK(apply_team_json(Json{{"owns_queue", 1}}, t)->field == "owns_queue");
  CHECK_FALSE(apply_team_json(Json{{"name", "Sales"}, {"mode", nullptr}, {"owns_queue", true}}, t));
  CHECK(t.owns_queue);
  CHECK_FALSE(t.mode.has_value());
  CHECK(valid_team_id("sales-1_x"));
  CHECK_FALSE(valid_team_id(""));
  CHECK_FALSE(valid_team_id("a/b"));
}

TEST_CASE("migration v6 lands on a database already at v9 (numbers land out of order)") {
  TempDir dir;
  {
    auto store = open_store(dir.file("p.db"));  // every migration
  }
  auto opened = Db::open(dir.file("p.db"));
  REQUIRE(opened.ok());
  Db& db = **opened;
  // As a build without v6 left it: v9 recorded, no routing tables.
  REQUIRE_FALSE(db.exec("DROP TABLE routing_settings; DROP TABLE teams; DROP TABLE agent_profiles;"
                        "DELETE FROM schema_migrations WHERE version = 6;"));
  CHECK(schema_version(db).value() == latest_schema_version());
  CHECK_FALSE(load_routing(db, kDefaultTenantId).ok());
  REQUIRE_FALSE(migrate(db, 1000));
  auto cfg = load_routing(db, kDefaultTenantId);
  REQUIRE(cfg.ok());
  CHECK(cfg->settings == RoutingSettings{});
  REQUIRE_FALSE(migrate(db, 1001));  // idempotent
}
