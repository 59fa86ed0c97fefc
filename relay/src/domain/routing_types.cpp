// Routing records and their JSON (routing_types.hpp).
#include "domain/routing_types.hpp"

#include "parley/text.hpp"

namespace parley::relay {
namespace {

constexpr std::size_t kMaxName = 64;

Error bad(const std::string& key, const std::string& why) {
  return make_error(ErrorCode::bad_field, key + " " + why, key);
}

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > kMaxName || !is_valid_utf8(s)) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::optional<Error> read_names(const Json& v, const std::string& key, std::vector<std::string>& out) {
  if (!v.is_array()) return bad(key, "must be an array of names");
  if (v.size() > kMaxSkills) return bad(key, "holds at most " + std::to_string(kMaxSkills) + " names");
  std::vector<std::string> names;
  for (const Json& x : v) {
    if (!x.is_string() || !valid_name(x.get_ref<const std::string&>())) {
      return bad(key, "entries must be names of 1 to 64 characters");
    }
    const std::string& s = x.get_ref<const std::string&>();
    if (std::find(names.begin(), names.end(), s) == names.end()) names.push_back(s);
  }
  out = std::move(names);
  return std::nullopt;
}

std::optional<Error> read_int(const Json& v, const std::string& key, std::int64_t lo, std::int64_t hi,
                              std::int64_t& out) {
  if (!v.is_number_integer()) return bad(key, "must be an integer");
  const std::int64_t n = v.get<std::int64_t>();
  if (n < lo || n > hi) return bad(key, "must be from " + std::to_string(lo) + " to " + std::to_string(hi));
  out = n;
  return std::nullopt;
}

Json names_json(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const std::string& s : v) a.push_back(s);
  return a;
}

}  // namespace

bool valid_team_id(const std::string& id) {
  if (id.empty() || id.size() > kMaxName) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

Json to_json(const RoutingSettings& s) {
  Json rules = Json::object();
  for (const auto& [topic, r] : s.topic_rules)
    rules[topic] = Json{{"skills", names_json(r.skills)}, {"team", r.team_id}};
  return Json{{"mode", to_string(s.mode)},
              {"default_capacity", s.default_capacity},
              {"idle_away_s", s.idle_away_ms / 1000},
              {"unanswered_s", s.unanswered_ms / 1000},
              {"handle_s", s.handle_ms / 1000},
              {"wait_threshold_s", s.wait_threshold_ms / 1000},
              {"topic_rules", rules}};
}

Json to_json(const Team& t) {
  return Json{{"id", t.id},
              {"name", t.name},
              {"mode", t.mode ? Json(std::string(to_string(*t.mode))) : Json(nullptr)},
              {"owns_queue", t.owns_queue},
              {"created_at", t.created_at}};
}

Json to_json(const AgentProfile& p) {
  return Json{{"user_id", p.user_id},
              {"skills", names_json(p.skills)},
              {"teams", names_json(p.teams)},
              {"capacity", p.capacity < 0 ? Json(nullptr) : Json(p.capacity)},
              {"status", to_string(p.status)}};
}

std::optional<Error> apply_routing_json(const Json& j, RoutingSettings& into) {
  if (!j.is_object()) return make_error(ErrorCode::bad_json, "routing settings must be a JSON object");
  RoutingSettings s = into;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const Json& v = it.value();
    std::int64_t n = 0;
    std::optional<Error> e;
    if (key == "mode") {
      const auto m = v.is_string() ? parse_routing_mode(v.get_ref<const std::string&>()) : std::nullopt;
      if (!m) return bad(key, "must be manual, round_robin, least_busy or skills");
      s.mode = *m;
    } else if (key == "default_capacity") {
      if ((e = read_int(v, key, 1, kMaxCapacity, n))) return e;
      s.default_capacity = static_cast<int>(n);
    } else if (key == "idle_away_s") {
      if ((e = read_int(v, key, 0, 86400, n))) return e;
      s.idle_away_ms = n * 1000;
    } else if (key == "unanswered_s") {
      if ((e = read_int(v, key, 0, 86400, n))) return e;
      s.unanswered_ms = n * 1000;
    } else if (key == "handle_s") {
      if ((e = read_int(v, key, 1, 86400, n))) return e;
      s.handle_ms = n * 1000;
    } else if (key == "wait_threshold_s") {
      if ((e = read_int(v, key, 1, 86400, n))) return e;
      s.wait_threshold_ms = n * 1000;
    } else if (key == "topic_rules") {
      if (!v.is_object()) return bad(key, "must be an object of topic: {skills, team}");
      if (v.size() > kMaxTopicRules)
        return bad(key, "holds at most " + std::to_string(kMaxTopicRules) + " topics");
      std::map<std::string, TopicRule> rules;
      for (auto r = v.begin(); r != v.end(); ++r) {
        if (r.key().empty() || r.key().size() > 200 || !r.value().is_object()) {
          return bad(key, "entries must be topic: {\"skills\": [...], \"team\": \"id\"}");
        }
        TopicRule rule;
        for (auto f = r.value().begin(); f != r.value().end(); ++f) {
          if (f.key() == "skills") {
            if ((e = read_names(f.value(), key, rule.skills))) return e;
          } else if (f.key() == "team") {
            if (!f.value().is_string() || (!f.value().get_ref<const std::string&>().empty() &&
                                           !valid_team_id(f.value().get<std::string>()))) {
              return bad(key, "team must be a team id");
            }
            rule.team_id = f.value().get<std::string>();
          } else {
            return bad(key, "entries have only skills and team");
          }
        }
        rules[r.key()] = std::move(rule);
      }
      s.topic_rules = std::move(rules);
    } else {
      return bad(key, "is not a routing setting");
    }
  }
  into = std::move(s);
  return std::nullopt;
}

std::optional<Error> apply_team_json(const Json& j, Team& into) {
  if (!j.is_object()) return make_error(ErrorCode::bad_json, "a team must be a JSON object");
  Team t = into;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const Json& v = it.value();
    if (key == "name") {
      if (!v.is_string() || v.get_ref<const std::string&>().empty() ||
          v.get_ref<const std::string&>().size() > 200 || !is_valid_utf8(v.get_ref<const std::string&>())) {
        return bad(key, "must be a name of 1 to 200 characters");
      }
      t.name = v.get<std::string>();
    } else if (key == "mode") {
      if (v.is_null()) {
        t.mode.reset();
      } else {
        const auto m = v.is_string() ? parse_routing_mode(v.get_ref<const std::string&>()) : std::nullopt;
        if (!m) return bad(key, "must be manual, round_robin, least_busy, skills or null");
        t.mode = *m;
      }
    } else if (key == "owns_queue") {
      if (!v.is_boolean()) return bad(key, "must be true or false");
      t.owns_queue = v.get<bool>();
    } else {
      return bad(key, "is not a team field");
    }
  }
  into = std::move(t);
  return std::nullopt;
}

std::optional<Error> apply_profile_json(const Json& j, AgentProfile& into) {
  if (!j.is_object()) return make_error(ErrorCode::bad_json, "a profile must be a JSON object");
  AgentProfile p = into;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const Json& v = it.value();
    std::optional<Error> e;
    if (key == "skills") {
      if ((e = read_names(v, key, p.skills))) return e;
    } else if (key == "teams") {
      if ((e = read_names(v, key, p.teams))) return e;
      for (const std::string& t : p.teams) {
        if (!valid_team_id(t)) return bad(key, "entries must be team ids");
      }
    } else if (key == "capacity") {
      if (v.is_null()) {
        p.capacity = -1;
      } else {
        std::int64_t n = 0;
        if ((e = read_int(v, key, 0, kMaxCapacity, n))) return e;
        p.capacity = static_cast<int>(n);
      }
    } else {
      return bad(key, "is not a profile field");
    }
  }
  into = std::move(p);
  return std::nullopt;
}

}  // namespace parley::relay
