// relay/src/domain/routing_types.hpp: the stored records of routing (issue 9): a tenant's routing
// settings, its teams, and each agent's profile (skills, teams, capacity, chosen status). Stored
// by migration v6 (store/schema.cpp), written with the Save* mutations of store_api.hpp, read with
// StoreReader::load_routing. Plain data, no database code.
//
// JSON (REST bodies, docs/api.md "Routing"): apply_*_json validate a whole or partial object at
// the edge (unknown keys, wrong types, out-of-range numbers: ErrorCode::bad_field naming the key;
// nothing changed then), to_json gives the shape the API answers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "parley/model.hpp"
#include "parley/result.hpp"
#include "parley/routing.hpp"

namespace parley::relay {

// What a chat's topic (the widget's topic picker, chat.start "topic") asks of routing.
struct TopicRule {
  std::vector<std::string> skills;  // required skills (skills mode)
  std::string team_id;              // "" = the tenant's queue
  bool operator==(const TopicRule&) const = default;
};

struct RoutingSettings {
  RoutingMode mode = RoutingMode::manual;
  int default_capacity = 3;                      // an agent without a capacity of their own
  Millis idle_away_ms = 10 * 60000;              // auto-away after this long without activity; 0 = never
  Millis unanswered_ms = 0;                      // re-offer a chat its assignee has not answered; 0 = never
  Millis handle_ms = 5 * 60000;                  // the average time a chat takes, for expected waits
  Millis wait_threshold_ms = 5 * 60000;          // a chat waiting longer is highlighted (queue stats, inbox)
  std::map<std::string, TopicRule> topic_rules;  // by topic
  bool operator==(const RoutingSettings&) const = default;
};

struct Team {
  std::string tenant_id;
  std::string id;  // [A-Za-z0-9_-]{1,64}
  std::string name;
  std::optional<RoutingMode> mode;  // nullopt = the tenant's
  bool owns_queue = false;          // its chats wait in its own queue, for its members only
  Millis created_at = 0;
  bool operator==(const Team&) const = default;
};

struct AgentProfile {
  std::string tenant_id;
  std::string user_id;
  std::vector<std::string> skills;
  std::vector<std::string> teams;            // team ids
  int capacity = -1;                         // max concurrent chats; -1 = the tenant's default
  AgentStatus status = AgentStatus::online;  // the agent's own choice (presence_rules.hpp)
  Millis updated_at = 0;
  bool operator==(const AgentProfile&) const = default;
};

struct RoutingConfig {
  RoutingSettings settings;
  std::vector<Team> teams;             // by id
  std::vector<AgentProfile> profiles;  // by user id
};

inline constexpr int kMaxCapacity = 100;
inline constexpr std::size_t kMaxSkills = 50;
inline constexpr std::size_t kMaxTopicRules = 200;

Json to_json(const RoutingSettings&);
Json to_json(const Team&);
Json to_json(const AgentProfile&);
// Fields present in `j` onto `into`: mode, default_capacity (1..100), idle_away_s, unanswered_s,
// handle_s (0..86400; handle_s >= 1), wait_threshold_s (1..86400), topic_rules {topic: {skills:[...],
// team:"id"}}.
std::optional<Error> apply_routing_json(const Json& j, RoutingSettings& into);
// name (1..200 chars), mode ("manual"... or null = the tenant's), owns_queue.
std::optional<Error> apply_team_json(const Json& j, Team& into);
// skills, teams (arrays of names, each 1..64 chars, at most 50), capacity (0..100, or null = the
// tenant's default).
std::optional<Error> apply_profile_json(const Json& j, AgentProfile& into);
bool valid_team_id(const std::string& id);

}  // namespace parley::relay
