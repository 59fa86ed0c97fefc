// admin_view.hpp: the inbox's Admin area (issue 9; the model is admin_model.hpp).
//
// A modal card over the inbox like the dashboard: tabs Users / Widget / API keys (a radio group),
// each control an ImGui hit area and a node of the accessibility mirror; the text inputs are real
// DOM fields (ids in web/inbox.html) adopted into the mirror's order. Esc, Close or a click
// outside closes it. The Widget tab draws a live preview of the widget from the draft settings.
// Reads the model, returns intents; main.cpp applies them. Browser main thread only.
#pragma once

#include <string>
#include <vector>

#include "common/dom.hpp"
#include "inbox/admin_model.hpp"
#include "inbox/kb_admin_view.hpp"

namespace parley::inbox {

struct AdminFields {
  client::dom::Field username{"admin-username"};
  client::dom::Field display{"admin-display"};
  client::dom::Field password{"admin-password"};
  client::dom::Field title{"admin-title"};
  client::dom::Field welcome{"admin-welcome"};
  client::dom::Field color{"admin-color"};
  client::dom::Field sites{"admin-sites"};
  client::dom::Field keyname{"admin-keyname"};
  client::dom::Field capacity{"admin-capacity"};
  client::dom::Field threshold{"admin-threshold"};
  client::dom::Field unanswered{"admin-unanswered"};
  client::dom::Field idle{"admin-idle"};
  client::dom::Field csat{"admin-csat"};
  client::dom::Field offline{"admin-offline"};
  client::dom::Field issues{"admin-issues"};
  client::dom::Field skills{"admin-skills"};
  client::dom::Field teams{"admin-teams"};
  client::dom::Field user_capacity{"admin-user-capacity"};
  client::dom::Field team_id{"admin-team-id"};
  client::dom::Field team_name{"admin-team-name"};
  client::dom::Field invite_email{"admin-invite-email"};  // issue 9
  std::vector<client::dom::Field*> all() {
    return {&username,   &display, &password, &title,  &welcome, &color, &sites,         &keyname, &capacity, &threshold,
            &unanswered, &idle,    &csat,     &offline, &issues, &skills, &teams, &user_capacity, &team_id,  &team_name,
            &invite_email};
  }
  void hide_all() {
    for (client::dom::Field* f : all()) f->hide();
  }
};

struct AdminIntents {
  bool open = false, close = false;
  int tab = -1;  // AdminModel::Tab
  bool create_user = false;
  std::string new_role;
  std::string toggle_user;  // a user id
  std::string select_user;  // a user id; "-" = back to the create form
  bool save_profile = false;
  std::string edit_team;  // a team id; "-" = a new team
  std::string team_mode;  // "default" or a mode
  bool toggle_owns_queue = false, save_team = false;
  bool save_look = false, revert_look = false;
  std::string set_mode;
  bool save_routing = false, save_service = false;
  std::string set_position;
  int toggle_prechat = 0;
  bool copy_snippet = false, copy_secret = false, forget_secret = false;
  int toggle_scope = -1;
  bool create_key = false;
  std::string revoke_key;
  // issue 9: invitations by e-mail and roles
  std::string invite_role;    // the role chips of the invite form
  bool send_invite = false;
  std::string revoke_invite;  // an invitation id
  std::string set_user_role;  // a role for the selected user
  std::string focus_field;  // a field's element id (a click on its box)
};

// The top bar's "Admin" button (supervisors and admins), right-aligned at `right`; returns the
// new right edge.
float draw_admin_button(float right, float bar_h, float s, bool& open);
// The panel (nothing when closed; the fields are hidden then).
void draw_admin(const AdminModel& m, AdminFields& fields, const std::string& self_id,
                const std::string& focused_field, const std::string& origin, float s, AdminIntents& out);
// Issue 10: the same, with the Knowledge base tab's model, fields and intents (kb_admin_view.hpp).
void draw_admin(const AdminModel& m, AdminFields& fields, const std::string& self_id,
                const std::string& focused_field, const std::string& origin, float s, AdminIntents& out,
                const KbAdminModel* kb, KbAdminFields* kb_fields, KbAdminIntents* kb_out);

}  // namespace parley::inbox
