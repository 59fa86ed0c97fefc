// The inbox's Admin area (admin_model.hpp).
#include "inbox/admin_model.hpp"

#include <algorithm>
#include <cstdio>

#include "common/form_text.hpp"
#include "inbox/supervise_model.hpp"  // url_encode

namespace parley::inbox {
namespace {

using client::json_text;
using client::code_points;
using client::trimmed;
std::vector<std::string> split_sites(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s + ",") {
    if (c == ',' || c == ' ' || c == '\n') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

// Issue types: comma-separated, each trimmed (a type may have spaces).
std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= s.size()) {
    std::size_t to = s.find(',', from);
    if (to == std::string::npos) to = s.size();
    std::string t = trimmed(s.substr(from, to - from));
    if (!t.empty()) out.push_back(std::move(t));
    from = to + 1;
  }
  return out;
}

std::string join(const Json& a) {
  std::string out;
  if (!a.is_array()) return out;
  for (const Json& x : a) {
    if (!x.is_string()) continue;
    if (!out.empty()) out += ", ";
    out += x.get<std::string>();
  }
  return out;
}

}  // namespace

AdminModel::Profile AdminModel::profile_of(const Json& p) {
  Profile x;
  x.skills = join(p.value("skills", Json::array()));
  x.teams = join(p.value("teams", Json::array()));
  if (p.contains("capacity") && p["capacity"].is_number_integer()) x.capacity = std::to_string(p["capacity"].get<int>());
  return x;
}

std::optional<std::uint32_t> parse_hex_color(const std::string& s) {
  if (s.size() != 7 || s[0] != '#') return std::nullopt;
  std::uint32_t v = 0;
  for (std::size_t i = 1; i < 7; ++i) {
    const char c = s[i];
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return std::nullopt;
    v = v * 16 + static_cast<std::uint32_t>(d);
  }
  return v;
}

bool AdminModel::open(Tab t) {
  if (!can_open()) return false;
  open_ = true;
  secret_.clear();
  set_tab(t);
  queue("GET", "/api/v1/users", "", What::users);
  queue("GET", "/api/v1/settings", "", What::settings);
  queue("GET", "/api/v1/routing", "", What::routing);
  if (can_edit()) queue("GET", "/api/v1/apikeys", "", What::keys);
  if (can_edit()) queue("GET", "/api/v1/invitations", "", What::invitations);  // issue 9
  return true;
}

void AdminModel::set_tab(Tab t) {
  // Supervisors may not read keys; invitations and the KB screen are admins' too.
  if ((t == Tab::keys || t == Tab::invitations || t == Tab::kb) && !can_edit()) return;
  tab_ = t;
}

void AdminModel::queue(std::string method, std::string url, std::string body, What what, std::string ref) {
  queue_.push_back({std::move(method), std::move(url), std::move(body), what, std::move(ref)});
}

std::vector<AdminModel::Request> AdminModel::take_requests() {
  in_flight_ += static_cast<int>(queue_.size());
  std::vector<Request> out;
  out.swap(queue_);
  return out;
}

void AdminModel::say(std::string text, bool error) {
  status_ = std::move(text);
  status_error_ = error;
  ++status_no_;
}

std::string AdminModel::error_of(int status, const std::string& body) {
  if (status == 0) return "The relay did not answer; try again.";
  const Json j = Json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const Json& e = j["error"];
    std::string m = e.value("message", "");
    if (!m.empty()) return m;
    return e.value("code", "error");
  }
  if (status == 403) return "You may not do this.";
  return "The request failed (HTTP " + std::to_string(status) + ").";
}

void AdminModel::answered(const Request& r, int status, const std::string& body) {
  in_flight_ = std::max(0, in_flight_ - 1);
  const bool ok = status >= 200 && status < 300;
  const Json j = ok ? Json::parse(body, nullptr, false) : Json();
  if (!ok) {
    say(error_of(status, body), true);
    return;
  }
  switch (r.what) {
    case What::users: {
      users_.clear();
      if (j.is_object() && j.contains("users") && j["users"].is_array()) {
        for (const Json& u : j["users"]) {
          if (!u.is_object()) continue;
          User x;
          x.id = u.value("id", "");
          x.username = u.value("username", "");
          x.name = u.value("display_name", u.value("name", ""));
          x.role = u.value("role", "");
          x.disabled = u.value("disabled", false);
          x.email = u.value("email", "");
          if (!x.id.empty()) users_.push_back(std::move(x));
        }
      }
      break;
    }
    case What::create_user:
      say("User " + new_username + " created.", false);
      new_username.clear();
      new_display_name.clear();
      new_password.clear();
      new_role = "agent";
      queue("GET", "/api/v1/users", "", What::users);
      break;
    case What::toggle_user:
      for (User& u : users_) {
        if (u.id == r.ref) {
          u.disabled = r.url.ends_with("/disable");
          say((u.disabled ? "Deactivated " : "Enabled ") + u.username + ".", false);
        }
      }
      break;
    case What::routing:
    case What::save_routing: {
      // GET answers {settings, teams, profiles}; PATCH the settings object itself.
      const Json& rs = r.what == What::routing && j.is_object() && j.contains("settings") ? j["settings"] : j;
      if (!rs.is_object()) break;
      auto num = [&](const char* k) {
        return rs.contains(k) && rs[k].is_number_integer() ? std::to_string(rs[k].get<std::int64_t>()) : std::string();
      };
      Routing x;
      x.mode = rs.value("mode", "manual");
      x.default_capacity = num("default_capacity");
      x.wait_threshold_s = num("wait_threshold_s");
      x.unanswered_s = num("unanswered_s");
      x.idle_away_s = num("idle_away_s");
      if (r.what == What::routing && j.contains("teams") && j["teams"].is_array()) {
        teams_.clear();
        for (const Json& t : j["teams"]) {
          if (!t.is_object()) continue;
          Team x;
          x.id = t.value("id", "");
          x.name = t.value("name", "");
          x.mode = t.contains("mode") && t["mode"].is_string() ? t["mode"].get<std::string>() : "";
          x.owns_queue = t.value("owns_queue", false);
          if (!x.id.empty()) teams_.push_back(std::move(x));
        }
      }
      if (r.what == What::routing && j.contains("profiles") && j["profiles"].is_array()) {
        profiles_.clear();
        for (const Json& p : j["profiles"]) {
          if (!p.is_object()) continue;
          profiles_.emplace_back(p.value("user_id", ""), profile_of(p));
        }
      }
      const bool keep = r.what == What::routing && routing_dirty();
      saved_routing_ = x;
      if (!keep) routing_draft = x;
      routing_loaded_ = true;
      if (r.what == What::save_routing) say("Routing saved.", false);
      break;
    }
    case What::save_profile: {
      if (!j.is_object()) break;
      const Profile p = profile_of(j);
      bool found = false;
      for (auto& [id, q] : profiles_) {
        if (id == r.ref) q = p, found = true;
      }
      if (!found) profiles_.emplace_back(r.ref, p);
      if (selected_ == r.ref) profile_draft = p;
      say("Profile saved.", false);
      break;
    }
    case What::save_team:
      say("Team " + team_draft.id + " saved.", false);
      team_draft = Team{};
      queue("GET", "/api/v1/routing", "", What::routing);
      break;
    case What::save_service:
    case What::settings:
    case What::save_settings: {
      if (!j.is_object() || !j.contains("settings") || !j["settings"].is_object()) break;
      const Json& s = j["settings"];
      Look l;
      l.title = s.value("title", "");
      l.welcome = s.value("welcome", "");
      l.brand_color = s.value("brand_color", "#2563eb");
      l.position = s.value("position", "right");
      l.prechat_form = s.value("prechat_form", false);
      if (s.contains("allowed_sites") && s["allowed_sites"].is_array()) {
        for (const Json& site : s["allowed_sites"]) {
          if (!site.is_string()) continue;
          if (!l.allowed_sites.empty()) l.allowed_sites += ", ";
          l.allowed_sites += site.get<std::string>();
        }
      }
      if (j.contains("tenant") && j["tenant"].is_object()) slug_ = j["tenant"].value("slug", slug_);
      // A save answers with the new settings: they become the draft too. A reload keeps what the
      // admin is typing.
      const bool keep_draft = r.what == What::settings && look_dirty();
      const bool keep_service = r.what == What::settings && service_dirty();
      saved_ = l;
      if (!keep_draft) draft = l;
      Service sv;
      sv.csat_question = s.value("csat_question", "");
      sv.offline_message = s.value("offline_message", "");
      if (s.contains("issue_types") && s["issue_types"].is_array()) {
        for (const Json& t : s["issue_types"]) {
          if (!t.is_string()) continue;
          if (!sv.issue_types.empty()) sv.issue_types += ", ";
          sv.issue_types += t.get<std::string>();
        }
      }
      saved_service_ = sv;
      if (!keep_service) service_draft = sv;
      look_loaded_ = true;
      if (r.what == What::save_settings) say("Widget settings saved.", false);
      if (r.what == What::save_service) say("Service settings saved.", false);
      break;
    }
    case What::keys: {
      keys_.clear();
      if (j.is_object() && j.contains("keys") && j["keys"].is_array()) {
        for (const Json& k : j["keys"]) {
          if (!k.is_object()) continue;
          Key x;
          x.id = k.value("id", "");
          x.name = k.value("name", "");
          x.scopes = k.value("scopes", "");
          x.revoked = k.value("revoked", false);
          x.created_at = k.value("created_at", std::int64_t{0});
          x.last_used_at = k.value("last_used_at", std::int64_t{0});
          if (!x.id.empty()) keys_.push_back(std::move(x));
        }
      }
      // Newest first, revoked ones last.
      std::stable_sort(keys_.begin(), keys_.end(), [](const Key& a, const Key& b) {
        if (a.revoked != b.revoked) return !a.revoked;
        return a.created_at > b.created_at;
      });
      break;
    }
    case What::create_key:
      secret_ = j.is_object() ? j.value("key", "") : "";
      say("Key " + new_key_name + " created. Copy the secret now: it is shown only once.", false);
      new_key_name.clear();
      queue("GET", "/api/v1/apikeys", "", What::keys);
      break;
    case What::revoke_key:
      for (Key& k : keys_) {
        if (k.id == r.ref) {
          k.revoked = true;
          say("Key " + k.name + " revoked.", false);
        }
      }
      break;
    case What::invitations:  // issue 9
      invitations_.clear();
      if (j.is_object() && j.contains("invitations") && j["invitations"].is_array()) {
        for (const Json& i : j["invitations"]) {
          if (!i.is_object()) continue;
          Invitation x;
          x.id = i.value("id", "");
          x.email = i.value("email", "");
          x.role = i.value("role", "");
          x.status = i.value("status", "");
          x.expires_at = i.value("expires_at", std::int64_t{0});
          if (!x.id.empty()) invitations_.push_back(std::move(x));
        }
      }
      break;
    case What::invite:
      say("Invitation sent to " + r.ref + ".", false);
      invite_email.clear();
      invite_role = "agent";
      queue("GET", "/api/v1/invitations", "", What::invitations);
      break;
    case What::revoke_invite:
      for (Invitation& i : invitations_) {
        if (i.id == r.ref) {
          i.status = "revoked";
          say("Invitation to " + i.email + " withdrawn.", false);
        }
      }
      break;
    case What::set_user_role: {
      const Json u = j.is_object() && j.contains("user") ? j["user"] : Json();
      for (User& x : users_) {
        if (x.id == r.ref && u.is_object()) {
          x.role = u.value("role", x.role);
          say((x.name.empty() ? x.username : x.name) + " is now " + (x.role == "admin" ? "an " : "a ") + x.role + ".",
              false);
        }
      }
      break;
    }
  }
}

bool AdminModel::create_user() {
  if (!can_edit()) return false;
  const std::string user = trimmed(new_username);
  if (user.empty()) return say("Enter a user name.", true), false;
  if (user.size() > 100) return say("The user name is longer than 100 characters.", true), false;
  for (unsigned char c : user) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-' || c == '@';
    if (!ok) return say("A user name has only letters, digits and . _ - @", true), false;
  }
  const std::string name = trimmed(new_display_name);
  if (code_points(name) > 200) return say("The name is longer than 200 characters.", true), false;
  const std::size_t pw = code_points(new_password);
  if (pw < 10 || pw > 200) return say("The password needs 10 to 200 characters.", true), false;
  if (std::find_if(std::begin(kRoles), std::end(kRoles), [&](const char* r) { return new_role == r; }) ==
      std::end(kRoles))
    return say("Choose a role.", true), false;
  new_username = user;
  Json body{{"username", user}, {"role", new_role}, {"password", new_password}};
  if (!name.empty()) body["display_name"] = name;
  queue("POST", "/api/v1/users", json_text(body), What::create_user);
  return true;
}

bool AdminModel::toggle_user(const std::string& id, const std::string& self_id) {
  if (!can_edit()) return false;
  if (id == self_id) return say("You cannot deactivate your own account.", true), false;
  for (const User& u : users_) {
    if (u.id != id) continue;
    queue("POST", "/api/v1/users/" + url_encode(id) + (u.disabled ? "/enable" : "/disable"), "{}",
          What::toggle_user, id);
    return true;
  }
  return false;
}

// ---- issue 9: invitations and roles ----

std::vector<AdminModel::Invitation> AdminModel::pending_invitations() const {
  std::vector<Invitation> out;
  for (const Invitation& i : invitations_)
    if (i.status == "pending") out.push_back(i);
  return out;
}

bool AdminModel::send_invite() {
  if (!can_edit()) return false;
  const std::string email = trimmed(invite_email);
  if (email.empty()) return say("Enter the e-mail address to invite.", true), false;
  const auto at = email.find('@');
  const bool shaped = at != std::string::npos && at > 0 && email.find('@', at + 1) == std::string::npos &&
                      email.find('.', at + 2) != std::string::npos && email.back() != '.' &&
                      email.find_first_of(" \t\r\n,;<>\"") == std::string::npos && email.size() <= 254;
  if (!shaped) return say("This is not an e-mail address.", true), false;
  if (std::find_if(std::begin(kRoles), std::end(kRoles), [&](const char* r) { return invite_role == r; }) ==
      std::end(kRoles))
    return say("Choose a role.", true), false;
  invite_email = email;
  queue("POST", "/api/v1/invitations", json_text(Json{{"email", email}, {"role", invite_role}}), What::invite, email);
  return true;
}

bool AdminModel::revoke_invite(const std::string& id) {
  if (!can_edit()) return false;
  for (const Invitation& i : invitations_) {
    if (i.id != id || i.status != "pending") continue;
    queue("DELETE", "/api/v1/invitations/" + url_encode(id), "", What::revoke_invite, id);
    return true;
  }
  return false;
}

bool AdminModel::change_role(const std::string& id, const std::string& role, const std::string& self_id) {
  if (!can_edit()) return false;
  if (std::find_if(std::begin(kRoles), std::end(kRoles), [&](const char* r) { return role == r; }) == std::end(kRoles))
    return say("Choose a role.", true), false;
  const User* u = nullptr;
  int admins = 0;
  for (const User& x : users_) {
    if (x.id == id) u = &x;
    if (x.role == "admin" && !x.disabled) ++admins;
  }
  if (!u || u->role == role) return false;
  if (u->role == "admin" && !u->disabled && admins <= 1) {
    return say("This is the last admin: make someone else an admin first.", true), false;
  }
  (void)self_id;  // an admin may step down while another admin remains (the relay keeps one)
  queue("PATCH", "/api/v1/users/" + url_encode(id), json_text(Json{{"role", role}}), What::set_user_role, id);
  return true;
}

const AdminModel::User* AdminModel::selected_row() const {
  for (const User& u : users_)
    if (u.id == selected_) return &u;
  return nullptr;
}

bool AdminModel::draft_color_valid() const { return parse_hex_color(draft.brand_color).has_value(); }

std::uint32_t AdminModel::preview_rgb() const {
  if (auto c = parse_hex_color(draft.brand_color)) return *c;
  if (auto c = parse_hex_color(saved_.brand_color)) return *c;
  return 0x2563eb;
}

bool AdminModel::save_look() {
  if (!can_edit() || !look_loaded_) return false;
  Json patch = Json::object();
  const std::string title = trimmed(draft.title);
  if (title.empty() || title.size() > 200) return say("The title needs 1 to 200 characters.", true), false;
  if (draft.welcome.size() > 2000) return say("The welcome text is longer than 2000 characters.", true), false;
  if (!draft_color_valid()) return say("The colour must look like #2563eb.", true), false;
  if (title != saved_.title) patch["title"] = title;
  if (draft.welcome != saved_.welcome) patch["welcome"] = draft.welcome;
  if (draft.brand_color != saved_.brand_color) patch["brand_color"] = draft.brand_color;
  if (draft.position != saved_.position) patch["position"] = draft.position;
  if (draft.prechat_form != saved_.prechat_form) patch["prechat_form"] = draft.prechat_form;
  const std::vector<std::string> sites = split_sites(draft.allowed_sites);
  if (sites != split_sites(saved_.allowed_sites)) {
    for (const std::string& s : sites) {
      if (s != "*" && !s.starts_with("https://") && !s.starts_with("http://"))
        return say("An allowed site is an origin like https://example.com, or *.", true), false;
    }
    patch["allowed_sites"] = sites;
  }
  if (patch.empty()) return say("Nothing to save.", false), false;
  queue("PATCH", "/api/v1/settings", json_text(patch), What::save_settings);
  return true;
}

AdminModel::Profile AdminModel::saved_profile(const std::string& id) const {
  for (const auto& [uid, p] : profiles_)
    if (uid == id) return p;
  return {};
}

void AdminModel::select_user(const std::string& id) {
  selected_ = id;
  profile_draft = id.empty() ? Profile{} : saved_profile(id);
}

bool AdminModel::save_profile() {
  if (!can_edit() || selected_.empty()) return false;
  Json body = Json::object();
  const std::vector<std::string> skills = split_commas(profile_draft.skills), teams = split_commas(profile_draft.teams);
  for (const std::string& t : skills)
    if (t.size() > 64) return say("A skill is longer than 64 characters.", true), false;
  for (const std::string& t : teams) {
    for (unsigned char c : t) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) return say("A team id has only letters, digits, - and _.", true), false;
    }
  }
  body["skills"] = skills;
  body["teams"] = teams;
  const std::string cap = trimmed(profile_draft.capacity);
  if (cap.empty()) {
    body["capacity"] = nullptr;
  } else {
    bool digits = cap.size() <= 3;
    for (char c : cap) digits = digits && c >= '0' && c <= '9';
    const int v = digits ? std::stoi(cap) : -1;
    if (!digits || v > 100) return say("The capacity is a whole number from 0 to 100, or empty for the default.", true), false;
    body["capacity"] = v;
  }
  queue("PATCH", "/api/v1/agents/" + url_encode(selected_) + "/profile", json_text(body), What::save_profile, selected_);
  return true;
}

void AdminModel::edit_team(const std::string& id) {
  team_draft = Team{};
  for (const Team& t : teams_)
    if (t.id == id) team_draft = t;
}

bool AdminModel::save_team() {
  if (!can_edit()) return false;
  const std::string id = trimmed(team_draft.id), name = trimmed(team_draft.name);
  if (id.empty() || id.size() > 64) return say("A team id has 1 to 64 letters, digits, - or _.", true), false;
  for (unsigned char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return say("A team id has 1 to 64 letters, digits, - or _.", true), false;
  }
  if (name.empty() || code_points(name) > 200) return say("Name the team (1 to 200 characters).", true), false;
  if (!team_draft.mode.empty() &&
      std::find_if(std::begin(kModes), std::end(kModes), [&](const char* m) { return team_draft.mode == m; }) ==
          std::end(kModes))
    return say("Choose a routing mode.", true), false;
  team_draft.id = id;
  Json body{{"name", name}, {"owns_queue", team_draft.owns_queue}};
  body["mode"] = team_draft.mode.empty() ? Json(nullptr) : Json(team_draft.mode);
  queue("PUT", "/api/v1/teams/" + url_encode(id), json_text(body), What::save_team, id);
  return true;
}

bool AdminModel::save_routing() {
  if (!can_edit() || !routing_loaded_) return false;
  Json patch = Json::object();
  if (routing_draft.mode != saved_routing_.mode) {
    if (std::find_if(std::begin(kModes), std::end(kModes), [&](const char* m) { return routing_draft.mode == m; }) ==
        std::end(kModes))
      return say("Choose a routing mode.", true), false;
    patch["mode"] = routing_draft.mode;
  }
  struct Num {
    const std::string& text;
    const std::string& saved;
    const char* key;
    const char* name;
    long lo, hi;
  };
  const Num nums[] = {
      {routing_draft.default_capacity, saved_routing_.default_capacity, "default_capacity", "The default capacity", 1, 100},
      {routing_draft.wait_threshold_s, saved_routing_.wait_threshold_s, "wait_threshold_s", "The waiting threshold", 0,
       86400},
      {routing_draft.unanswered_s, saved_routing_.unanswered_s, "unanswered_s", "The re-offer time", 0, 86400},
      {routing_draft.idle_away_s, saved_routing_.idle_away_s, "idle_away_s", "The auto-away time", 0, 86400},
  };
  for (const Num& n : nums) {
    const std::string t = trimmed(n.text);
    if (t == n.saved) continue;
    bool digits = !t.empty() && t.size() <= 6;
    for (char c : t) digits = digits && c >= '0' && c <= '9';
    const long v = digits ? std::stol(t) : -1;
    if (!digits || v < n.lo || v > n.hi)
      return say(std::string(n.name) + " is a whole number from " + std::to_string(n.lo) + " to " +
                     std::to_string(n.hi) + ".",
                 true),
             false;
    patch[n.key] = v;
  }
  if (patch.empty()) return say("Nothing to save.", false), false;
  queue("PATCH", "/api/v1/routing", json_text(patch), What::save_routing);
  return true;
}

bool AdminModel::save_service() {
  if (!can_edit() || !look_loaded_) return false;
  Json patch = Json::object();
  const std::string q = trimmed(service_draft.csat_question);
  if (q.empty() || q.size() > 200) return say("The survey question needs 1 to 200 characters.", true), false;
  if (service_draft.offline_message.size() > 2000)
    return say("The offline message is longer than 2000 characters.", true), false;
  std::vector<std::string> types;
  for (const std::string& t : split_commas(service_draft.issue_types)) {
    if (t.size() > 64) return say("An issue type is longer than 64 characters.", true), false;
    types.push_back(t);
  }
  if (types.empty()) return say("Give at least one issue type.", true), false;
  if (q != saved_service_.csat_question) patch["csat_question"] = q;
  if (service_draft.offline_message != saved_service_.offline_message)
    patch["offline_message"] = service_draft.offline_message;
  if (types != split_commas(saved_service_.issue_types)) patch["issue_types"] = types;
  if (patch.empty()) return say("Nothing to save.", false), false;
  queue("PATCH", "/api/v1/settings", json_text(patch), What::save_service);
  return true;
}

std::string AdminModel::embed_snippet(const std::string& origin) const {
  return "<script src=\"" + origin + "/widget.js\" data-tenant=\"" + slug_ + "\" async></script>";
}

bool AdminModel::create_key() {
  if (!can_edit()) return false;
  const std::string name = trimmed(new_key_name);
  if (name.empty() || code_points(name) > 200) return say("Name the key (1 to 200 characters).", true), false;
  Json scopes = Json::array();
  for (int i = 0; i < 4; ++i)
    if (new_key_scope[i]) scopes.push_back(kScopes[i]);
  if (scopes.empty()) return say("Give the key at least one scope.", true), false;
  new_key_name = name;
  secret_.clear();
  queue("POST", "/api/v1/apikeys", json_text(Json{{"name", name}, {"scopes", scopes}}), What::create_key);
  return true;
}

bool AdminModel::revoke_key(const std::string& id) {
  if (!can_edit()) return false;
  for (const Key& k : keys_) {
    if (k.id == id && !k.revoked) {
      queue("DELETE", "/api/v1/apikeys/" + url_encode(id), "", What::revoke_key, id);
      return true;
    }
  }
  return false;
}

Json AdminModel::snapshot() const {
  static const char* const kTabs[] = {"users", "widget", "routing", "teams", "keys", "invitations", "kb"};
  Json teams = Json::array();
  for (const Team& t : teams_)
    teams.push_back(Json{{"id", t.id}, {"name", t.name}, {"mode", t.mode}, {"owns_queue", t.owns_queue}});
  Json users = Json::array();
  for (const User& u : users_)
    users.push_back(Json{{"id", u.id}, {"username", u.username}, {"role", u.role}, {"disabled", u.disabled},
                         {"email", u.email}});
  Json invitations = Json::array();
  for (const Invitation& i : invitations_)
    invitations.push_back(Json{{"id", i.id}, {"email", i.email}, {"role", i.role}, {"status", i.status}});
  Json keys = Json::array();
  for (const Key& k : keys_)
    keys.push_back(Json{{"id", k.id}, {"name", k.name}, {"scopes", k.scopes}, {"revoked", k.revoked}});
  char rgb[8];
  std::snprintf(rgb, sizeof rgb, "#%06x", preview_rgb());
  return Json{{"open", open_},
              {"tab", kTabs[static_cast<int>(tab_)]},
              {"can_edit", can_edit()},
              {"busy", busy()},
              {"status", status_},
              {"status_error", status_error_},
              {"users", std::move(users)},
              {"keys", std::move(keys)},
              {"secret_shown", !secret_.empty()},
              {"look_dirty", look_dirty()},
              {"saved_color", saved_.brand_color},
              {"preview_color", rgb},
              {"preview_position", draft.position},
              {"routing_mode", saved_routing_.mode},
              {"routing_dirty", routing_dirty()},
              {"default_capacity", saved_routing_.default_capacity},
              {"csat_question", saved_service_.csat_question},
              {"service_dirty", service_dirty()},
              {"selected_user", selected_},
              {"invitations", std::move(invitations)},
              {"invite_role", invite_role},
              {"teams", std::move(teams)},
              {"team_draft", Json{{"mode", team_draft.mode}, {"owns_queue", team_draft.owns_queue}}}};
}

}  // namespace parley::inbox
