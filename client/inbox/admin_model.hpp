// admin_model.hpp: the inbox's Admin area (issue 9), pure C++ (tested natively in tests/unit_client).
//
// One modal panel with tabs over the REST the relay already has (docs/api.md):
//   users   GET/POST /api/v1/users, POST /api/v1/users/{id}/disable|enable
//   widget  GET/PATCH /api/v1/settings (title, welcome, brand_color, position, prechat_form,
//           allowed_sites), drawn as a live preview from the draft, and the embed snippet
//   routing GET/PATCH /api/v1/routing (mode, default capacity, waiting threshold, unanswered
//           re-offer time, auto-away) and the service texts of the settings (the CSAT question,
//           the offline message, issue types)
//   keys    GET/POST /api/v1/apikeys, DELETE /api/v1/apikeys/{id} (the secret is shown once)
// Admins change things; supervisors see users and the widget's look read-only (the REST lets them
// read those); agents never open the panel (the view shows no button and open() refuses).
//
// The model never does I/O: it queues Requests (take_requests()), the browser glue sends them
// and feeds the answers back with answered(). Single-threaded (the browser's main thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parley/model.hpp"

namespace parley::inbox {

class AdminModel {
 public:
  // invitations and kb (issue 10, kb_admin_model.hpp) are admins'; kb stays last (shown only when
  // the knowledge-base screen is wired).
  enum class Tab { users, widget, routing, teams, keys, invitations, kb };
  enum class What {
    users, create_user, toggle_user, settings, save_settings, keys, create_key, revoke_key,
    routing, save_routing, save_service, save_profile, save_team,
    invitations, invite, revoke_invite, set_user_role  // issue 9, staff accounts by mail
  };
  struct Request {
    std::string method, url, body;
    What what = What::users;
    std::string ref;  // the user or key id it concerns
  };
  struct User {
    std::string id, username, name, role;
    bool disabled = false;
    std::string email;  // issue 9
  };
  // Issue 9: an invitation by e-mail (GET /api/v1/invitations). status: pending, accepted,
  // expired, revoked.
  struct Invitation {
    std::string id, email, role, status;
    std::int64_t expires_at = 0;
  };
  struct Key {
    std::string id, name, scopes;
    bool revoked = false;
    std::int64_t created_at = 0, last_used_at = 0;
  };
  struct Look {
    std::string title, welcome, brand_color = "#2563eb", position = "right";
    bool prechat_form = false;
    std::string allowed_sites;  // comma-separated in the field; an array in the settings
    bool operator==(const Look&) const = default;
  };
  // Numbers are kept as typed (the fields' text); save_routing() checks them.
  struct Routing {
    std::string mode = "manual", default_capacity, wait_threshold_s, unanswered_s, idle_away_s;
    bool operator==(const Routing&) const = default;
  };
  struct Service {
    std::string csat_question, offline_message, issue_types;  // issue types comma-separated
    bool operator==(const Service&) const = default;
  };
  static constexpr const char* kModes[4] = {"manual", "round_robin", "least_busy", "skills"};
  static constexpr const char* kScopes[4] = {"sync", "read", "write", "admin"};
  static constexpr const char* kRoles[3] = {"agent", "supervisor", "admin"};

  // The caller's role ("admin", "supervisor", "agent"): who may open and change what.
  void set_role(std::string role) { role_ = std::move(role); }
  bool can_open() const { return role_ == "admin" || role_ == "supervisor"; }
  bool can_edit() const { return role_ == "admin"; }

  bool is_open() const { return open_; }
  // Opens the panel (loads every tab's data); false for agents.
  bool open(Tab t = Tab::users);
  void close() { open_ = false; }
  Tab tab() const { return tab_; }
  void set_tab(Tab t);  // the keys tab only for admins

  std::vector<Request> take_requests();
  void answered(const Request& r, int status, const std::string& body);
  // The last outcome for people (also announced): "Saved", an error from the relay...
  const std::string& status_line() const { return status_; }
  bool status_is_error() const { return status_error_; }
  std::uint64_t status_number() const { return status_no_; }  // changes with every new line
  bool busy() const { return in_flight_ > 0; }

  // ---- users ----
  const std::vector<User>& users() const { return users_; }
  std::string new_username, new_display_name, new_password;
  std::string new_role = "agent";
  // Validates (the relay's rules) and queues POST /api/v1/users; false with status_line() why.
  bool create_user();
  // Queues disable or enable of that user (never the caller's own account: `self_id`).
  bool toggle_user(const std::string& id, const std::string& self_id);

  // ---- issue 9: invitations by e-mail and roles (admins) ----
  const std::vector<Invitation>& invitations() const { return invitations_; }
  // The pending ones, newest first (what the tab lists with Revoke).
  std::vector<Invitation> pending_invitations() const;
  std::string invite_email;
  std::string invite_role = "agent";
  // Checks the address (one '@', a dot in the domain, no spaces) and queues POST /api/v1/invitations.
  bool send_invite();
  bool revoke_invite(const std::string& id);
  // PATCH /api/v1/users/{id} {role}: never the caller's own admin role away when they are the only
  // admin the list shows (the relay checks it too); false with status_line() why.
  bool change_role(const std::string& id, const std::string& role, const std::string& self_id);
  // The selected user's row (nullptr when none).
  const User* selected_row() const;

  // An agent's routing profile (PATCH /api/v1/agents/{id}/profile): skills and team ids
  // comma-separated, capacity as typed ("" = the tenant's default).
  struct Profile {
    std::string skills, teams, capacity;
    bool operator==(const Profile&) const = default;
  };
  // The user whose profile the form shows ("" = the create form).
  const std::string& selected_user() const { return selected_; }
  void select_user(const std::string& id);
  Profile profile_draft;
  Profile saved_profile(const std::string& id) const;
  bool profile_dirty() const { return !selected_.empty() && !(profile_draft == saved_profile(selected_)); }
  bool save_profile();

  // ---- the widget's look ----
  const Look& saved_look() const { return saved_; }
  Look draft;  // what the fields show; the preview draws this
  bool look_loaded() const { return look_loaded_; }
  bool look_dirty() const { return look_loaded_ && !(draft == saved_); }
  // The preview's colour: the draft's when it is a valid #rrggbb, else the saved one (0xRRGGBB).
  std::uint32_t preview_rgb() const;
  bool draft_color_valid() const;
  // Validates and queues PATCH /api/v1/settings with the changed keys only.
  bool save_look();
  void revert_look() { draft = saved_; }
  // The <script> tag to paste into a site (relay origin from the page, the tenant's slug).
  std::string embed_snippet(const std::string& origin) const;
  const std::string& tenant_slug() const { return slug_; }

  // ---- routing and service ----
  Routing routing_draft;
  const Routing& saved_routing() const { return saved_routing_; }
  bool routing_loaded() const { return routing_loaded_; }
  bool routing_dirty() const { return routing_loaded_ && !(routing_draft == saved_routing_); }
  bool save_routing();  // PATCH /api/v1/routing with what changed
  Service service_draft;
  const Service& saved_service() const { return saved_service_; }
  bool service_dirty() const { return look_loaded_ && !(service_draft == saved_service_); }
  bool save_service();  // PATCH /api/v1/settings with what changed

  // ---- teams (PUT /api/v1/teams/{id}; listed by GET /api/v1/routing) ----
  struct Team {
    std::string id, name, mode;  // mode "" = the tenant's
    bool owns_queue = false;
    bool operator==(const Team&) const = default;
  };
  const std::vector<Team>& teams() const { return teams_; }
  Team team_draft;  // the form: a new team, or the one picked with edit_team()
  void edit_team(const std::string& id);
  bool save_team();

  // ---- API keys ----
  const std::vector<Key>& keys() const { return keys_; }
  std::string new_key_name;
  bool new_key_scope[4] = {false, true, false, false};  // read by default
  bool create_key();
  bool revoke_key(const std::string& id);
  // The secret of the key just created: shown once, until forget_secret() or close.
  const std::string& new_secret() const { return secret_; }
  void forget_secret() { secret_.clear(); }

  Json snapshot() const;

 private:
  void queue(std::string method, std::string url, std::string body, What what, std::string ref = {});
  void say(std::string text, bool error);
  static std::string error_of(int status, const std::string& body);
  static Profile profile_of(const Json& p);

  std::string role_;
  bool open_ = false;
  Tab tab_ = Tab::users;
  std::vector<Request> queue_;
  int in_flight_ = 0;
  std::string status_;
  bool status_error_ = false;
  std::uint64_t status_no_ = 0;
  std::vector<User> users_;
  std::vector<Invitation> invitations_;  // issue 9
  std::vector<Key> keys_;
  Look saved_;
  Routing saved_routing_;
  bool routing_loaded_ = false;
  Service saved_service_;
  std::vector<std::pair<std::string, Profile>> profiles_;
  std::string selected_;
  std::vector<Team> teams_;
  bool look_loaded_ = false;
  std::string slug_ = "default";
  std::string secret_;
};

// "#rrggbb" -> 0xRRGGBB; nullopt when it is not exactly that.
std::optional<std::uint32_t> parse_hex_color(const std::string& s);

}  // namespace parley::inbox
