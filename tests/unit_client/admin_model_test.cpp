// client/inbox/admin_model.hpp: the Admin area's requests, validation and answers.
#include <doctest/doctest.h>

#include "inbox/admin_model.hpp"

using parley::Json;
using parley::inbox::AdminModel;
using parley::inbox::parse_hex_color;

namespace {
AdminModel::Request only(AdminModel& m) {
  auto rs = m.take_requests();
  REQUIRE(rs.size() == 1);
  return rs[0];
}
const char* kSettings = R"({"tenant":{"id":"t_default","slug":"acme","name":"Acme"},
  "settings":{"title":"Chat with us","welcome":"Hi!","brand_color":"#2563eb","position":"right",
              "prechat_form":false,"allowed_sites":["https://shop.example"]}})";
}  // namespace

TEST_CASE("admin: agents cannot open it; supervisors read users and settings only; admins load keys too") {
  AdminModel m;
  m.set_role("agent");
  CHECK_FALSE(m.open());
  CHECK_FALSE(m.is_open());
  CHECK(m.take_requests().empty());

  m.set_role("supervisor");
  REQUIRE(m.open());
  auto rs = m.take_requests();
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].url == "/api/v1/users");
  CHECK(rs[1].url == "/api/v1/settings");
  CHECK(rs[2].url == "/api/v1/routing");
  m.set_tab(AdminModel::Tab::keys);
  CHECK(m.tab() == AdminModel::Tab::users);
  m.new_username = "sam";
  m.new_password = "correct horse battery";
  CHECK_FALSE(m.create_user());
  CHECK(m.take_requests().empty());

  AdminModel a;
  a.set_role("admin");
  REQUIRE(a.open(AdminModel::Tab::keys));
  CHECK(a.tab() == AdminModel::Tab::keys);
  auto admin_rs = a.take_requests();
  REQUIRE(admin_rs.size() == 5);
  CHECK(admin_rs[4].url == "/api/v1/invitations");  // issue 9
  CHECK(a.busy());
}

TEST_CASE("admin: creating a user validates with the relay's rules before anything is sent") {
  AdminModel m;
  m.set_role("admin");
  m.new_username = "sam smith";
  CHECK_FALSE(m.create_user());
  CHECK(m.status_is_error());
  m.new_username = " sam ";
  m.new_password = "short";
  CHECK_FALSE(m.create_user());
  CHECK(m.status_line() == "The password needs 10 to 200 characters.");
  m.new_password = "correct horse battery";
  m.new_role = "owner";
  CHECK_FALSE(m.create_user());
  m.new_role = "supervisor";
  m.new_display_name = "Sam S";
  REQUIRE(m.create_user());
  const auto r = only(m);
  CHECK(r.method == "POST");
  CHECK(r.url == "/api/v1/users");
  CHECK(Json::parse(r.body) ==
        Json{{"username", "sam"}, {"role", "supervisor"}, {"password", "correct horse battery"}, {"display_name", "Sam S"}});
  // The relay refuses (name taken): its message is shown, the form keeps its values.
  m.answered(r, 400, R"({"error":{"code":"bad_field","message":"username is taken","field":"username"}})");
  CHECK(m.status_line() == "username is taken");
  CHECK(m.status_is_error());
  CHECK(m.new_password == "correct horse battery");
  // Accepted: the form clears and the list is asked for again.
  m.answered(r, 201, R"({"user":{"id":"u_2"}})");
  CHECK_FALSE(m.status_is_error());
  CHECK(m.new_password.empty());
  CHECK(only(m).url == "/api/v1/users");
}

TEST_CASE("admin: users list, deactivate and enable (never oneself)") {
  AdminModel m;
  m.set_role("admin");
  AdminModel::Request list{"GET", "/api/v1/users", "", AdminModel::What::users, ""};
  m.answered(list, 200, R"({"users":[{"id":"u_1","username":"admin","display_name":"Administrator","role":"admin"},
                                     {"id":"u_2","username":"sam","display_name":"Sam","role":"agent","disabled":false},
                                     "junk"]})");
  REQUIRE(m.users().size() == 2);
  CHECK(m.users()[1].name == "Sam");
  CHECK_FALSE(m.toggle_user("u_1", "u_1"));
  CHECK(m.take_requests().empty());
  CHECK_FALSE(m.toggle_user("u_nope", "u_1"));
  REQUIRE(m.toggle_user("u_2", "u_1"));
  auto r = only(m);
  CHECK(r.url == "/api/v1/users/u_2/disable");
  m.answered(r, 200, "{}");
  CHECK(m.users()[1].disabled);
  REQUIRE(m.toggle_user("u_2", "u_1"));
  r = only(m);
  CHECK(r.url == "/api/v1/users/u_2/enable");
  m.answered(r, 200, "{}");
  CHECK_FALSE(m.users()[1].disabled);
}

TEST_CASE("admin: the widget's look: the preview follows the draft, saving sends only what changed") {
  CHECK(parse_hex_color("#10a0Ff") == 0x10a0ffu);
  CHECK_FALSE(parse_hex_color("#10a0f").has_value());
  CHECK_FALSE(parse_hex_color("10a0ff0").has_value());
  CHECK_FALSE(parse_hex_color("#10a0fg").has_value());
  AdminModel m;
  m.set_role("admin");
  CHECK_FALSE(m.save_look());  // nothing loaded yet
  AdminModel::Request get{"GET", "/api/v1/settings", "", AdminModel::What::settings, ""};
  m.answered(get, 200, kSettings);
  CHECK(m.look_loaded());
  CHECK(m.tenant_slug() == "acme");
  CHECK(m.draft.allowed_sites == "https://shop.example");
  CHECK_FALSE(m.look_dirty());
  CHECK(m.preview_rgb() == 0x2563ebu);
  m.draft.brand_color = "#dc2";  // half typed: the preview keeps the saved colour
  CHECK(m.preview_rgb() == 0x2563ebu);
  CHECK_FALSE(m.save_look());
  CHECK(m.status_is_error());
  m.draft.brand_color = "#dc2626";
  CHECK(m.preview_rgb() == 0xdc2626u);
  m.draft.position = "left";
  CHECK(m.look_dirty());
  // A reload while typing keeps the draft.
  m.answered(get, 200, kSettings);
  CHECK(m.draft.brand_color == "#dc2626");
  REQUIRE(m.save_look());
  const auto r = only(m);
  CHECK(r.method == "PATCH");
  CHECK(Json::parse(r.body) == Json{{"brand_color", "#dc2626"}, {"position", "left"}});
  m.answered(r, 200, R"({"tenant":{"slug":"acme"},"settings":{"title":"Chat with us","welcome":"Hi!",
      "brand_color":"#dc2626","position":"left","prechat_form":false,"allowed_sites":["https://shop.example"]}})");
  CHECK_FALSE(m.look_dirty());
  CHECK(m.saved_look().brand_color == "#dc2626");
  m.draft.allowed_sites = "https://a.example, ftp://b";
  CHECK_FALSE(m.save_look());
  m.draft.allowed_sites = "https://a.example,  https://b.example";
  REQUIRE(m.save_look());
  CHECK(Json::parse(only(m).body)["allowed_sites"] == Json{"https://a.example", "https://b.example"});
  m.draft.title = "  ";
  CHECK_FALSE(m.save_look());
  CHECK(m.embed_snippet("https://chat.example.org") ==
        R"(<script src="https://chat.example.org/widget.js" data-tenant="acme" async></script>)");
}

TEST_CASE("admin: API keys: scopes required, the secret once, revoke") {
  AdminModel m;
  m.set_role("admin");
  m.new_key_name = "crm";
  for (bool& s : m.new_key_scope) s = false;
  CHECK_FALSE(m.create_key());
  m.new_key_scope[1] = m.new_key_scope[2] = true;
  REQUIRE(m.create_key());
  auto r = only(m);
  CHECK(Json::parse(r.body) == Json{{"name", "crm"}, {"scopes", {"read", "write"}}});
  m.answered(r, 201, R"({"id":"key_9","name":"crm","scopes":"read,write","key":"pk_secret"})");
  CHECK(m.new_secret() == "pk_secret");
  r = only(m);
  CHECK(r.url == "/api/v1/apikeys");
  m.answered(r, 200, R"({"keys":[{"id":"key_1","name":"old","revoked":true,"created_at":5},
                                 {"id":"key_9","name":"crm","scopes":"read,write","created_at":9}]})");
  REQUIRE(m.keys().size() == 2);
  CHECK(m.keys()[0].id == "key_9");  // live ones first
  CHECK_FALSE(m.revoke_key("key_1"));  // already revoked
  REQUIRE(m.revoke_key("key_9"));
  r = only(m);
  CHECK(r.method == "DELETE");
  CHECK(r.url == "/api/v1/apikeys/key_9");
  m.answered(r, 200, R"({"id":"key_9","revoked":true})");
  CHECK(m.keys()[0].revoked);
  m.close();
  CHECK(m.open());
  CHECK(m.new_secret().empty());  // never shown again
}

TEST_CASE("admin: routing and service settings: numbers checked, only changes sent, both answers read") {
  AdminModel m;
  m.set_role("admin");
  CHECK_FALSE(m.save_routing());  // not loaded
  AdminModel::Request get{"GET", "/api/v1/routing", "", AdminModel::What::routing, ""};
  m.answered(get, 200, R"({"settings":{"mode":"manual","default_capacity":3,"wait_threshold_s":300,"unanswered_s":0,
                             "idle_away_s":600,"handle_s":300,"topic_rules":{}},"teams":[],"profiles":[]})");
  REQUIRE(m.routing_loaded());
  CHECK(m.routing_draft.default_capacity == "3");
  CHECK_FALSE(m.routing_dirty());
  m.routing_draft.mode = "least_busy";
  m.routing_draft.default_capacity = "0";
  CHECK_FALSE(m.save_routing());
  CHECK(m.status_line() == "The default capacity is a whole number from 1 to 100.");
  m.routing_draft.default_capacity = "2x";
  CHECK_FALSE(m.save_routing());
  m.routing_draft.default_capacity = " 5 ";
  m.routing_draft.unanswered_s = "120";
  REQUIRE(m.save_routing());
  auto rs = m.take_requests();
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].method == "PATCH");
  CHECK(rs[0].url == "/api/v1/routing");
  CHECK(Json::parse(rs[0].body) == Json{{"mode", "least_busy"}, {"default_capacity", 5}, {"unanswered_s", 120}});
  // The PATCH answers the settings object itself.
  m.answered(rs[0], 200, R"({"mode":"least_busy","default_capacity":5,"wait_threshold_s":300,"unanswered_s":120,"idle_away_s":600})");
  CHECK_FALSE(m.routing_dirty());
  CHECK(m.saved_routing().mode == "least_busy");
  CHECK(m.status_line() == "Routing saved.");

  AdminModel::Request settings{"GET", "/api/v1/settings", "", AdminModel::What::settings, ""};
  m.answered(settings, 200, R"({"tenant":{"slug":"default"},"settings":{"title":"T","csat_question":"How was it?",
      "issue_types":["general","wrong item"],"offline_message":""}})");
  CHECK(m.service_draft.issue_types == "general, wrong item");
  m.service_draft.issue_types = "general, wrong item, refund ";
  m.service_draft.csat_question = "";
  CHECK_FALSE(m.save_service());
  m.service_draft.csat_question = "Did we help?";
  REQUIRE(m.save_service());
  rs = m.take_requests();
  REQUIRE(rs.size() == 1);
  CHECK(Json::parse(rs[0].body) ==
        Json{{"csat_question", "Did we help?"}, {"issue_types", {"general", "wrong item", "refund"}}});
  m.service_draft.issue_types = " , ";
  CHECK_FALSE(m.save_service());
}

TEST_CASE("admin: an agent's profile: read from the routing answer, saved with skills, teams and capacity") {
  AdminModel m;
  m.set_role("admin");
  AdminModel::Request get{"GET", "/api/v1/routing", "", AdminModel::What::routing, ""};
  m.answered(get, 200, R"({"settings":{"mode":"manual","default_capacity":3},"teams":[],
      "profiles":[{"user_id":"u_2","skills":["billing","de"],"teams":["sales"],"capacity":2,"status":"online"}]})");
  m.select_user("u_2");
  CHECK(m.profile_draft.skills == "billing, de");
  CHECK(m.profile_draft.teams == "sales");
  CHECK(m.profile_draft.capacity == "2");
  CHECK_FALSE(m.profile_dirty());
  m.profile_draft.teams = "sales, tier 2";
  CHECK_FALSE(m.save_profile());  // a space in a team id
  m.profile_draft.teams = "sales, tier-2";
  m.profile_draft.capacity = "101";
  CHECK_FALSE(m.save_profile());
  m.profile_draft.capacity = "";
  CHECK(m.profile_dirty());
  REQUIRE(m.save_profile());
  auto rs = m.take_requests();
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].url == "/api/v1/agents/u_2/profile");
  CHECK(Json::parse(rs[0].body) ==
        Json{{"skills", {"billing", "de"}}, {"teams", {"sales", "tier-2"}}, {"capacity", nullptr}});
  m.answered(rs[0], 200, R"({"user_id":"u_2","skills":["billing","de"],"teams":["sales","tier-2"],"capacity":null})");
  CHECK_FALSE(m.profile_dirty());
  CHECK(m.saved_profile("u_2").teams == "sales, tier-2");
  // A user without a profile yet starts empty.
  m.select_user("u_9");
  CHECK(m.profile_draft == AdminModel::Profile{});
}

TEST_CASE("admin: teams: listed from the routing answer, created or changed with PUT, ids checked") {
  AdminModel m;
  m.set_role("admin");
  AdminModel::Request get{"GET", "/api/v1/routing", "", AdminModel::What::routing, ""};
  m.answered(get, 200, R"({"settings":{"mode":"manual"},"profiles":[],
      "teams":[{"id":"sales","name":"Sales","mode":null,"owns_queue":true},{"id":"vip","name":"VIP","mode":"least_busy"}]})");
  REQUIRE(m.teams().size() == 2);
  CHECK(m.teams()[0].mode.empty());
  CHECK(m.teams()[1].mode == "least_busy");
  m.edit_team("sales");
  CHECK(m.team_draft.owns_queue);
  CHECK(m.team_draft.name == "Sales");
  m.team_draft = {};
  m.team_draft.id = "tier 2";
  m.team_draft.name = "Tier 2";
  CHECK_FALSE(m.save_team());
  m.team_draft.id = "tier-2";
  m.team_draft.mode = "skills";
  REQUIRE(m.save_team());
  auto rs = m.take_requests();
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].method == "PUT");
  CHECK(rs[0].url == "/api/v1/teams/tier-2");
  CHECK(Json::parse(rs[0].body) == Json{{"name", "Tier 2"}, {"owns_queue", false}, {"mode", "skills"}});
  m.answered(rs[0], 200, R"({"id":"tier-2","name":"Tier 2","mode":"skills","owns_queue":false})");
  CHECK(m.status_line() == "Team tier-2 saved.");
  CHECK(m.team_draft.id.empty());
  CHECK(m.take_requests().at(0).url == "/api/v1/routing");  // the list again
}

TEST_CASE("admin: invitations by e-mail are checked, sent, listed pending and withdrawn; supervisors cannot") {
  AdminModel sup;
  sup.set_role("supervisor");
  sup.open();
  sup.take_requests();
  sup.set_tab(AdminModel::Tab::invitations);
  CHECK(sup.tab() == AdminModel::Tab::users);
  sup.invite_email = "bo@example.com";
  CHECK_FALSE(sup.send_invite());

  AdminModel m;
  m.set_role("admin");
  m.open(AdminModel::Tab::invitations);
  CHECK(m.tab() == AdminModel::Tab::invitations);
  for (const auto& r : m.take_requests()) {
    if (r.what == AdminModel::What::invitations) {
      m.answered(r, 200, R"({"invitations":[{"id":"inv_1","email":"old@example.com","role":"agent","status":"accepted"},
                         {"id":"inv_2","email":"cy@example.com","role":"supervisor","status":"pending"}]})");
    }
  }
  REQUIRE(m.invitations().size() == 2);
  REQUIRE(m.pending_invitations().size() == 1);
  CHECK(m.pending_invitations()[0].email == "cy@example.com");

  for (const char* bad : {"", "   ", "bo", "bo@", "@example.com", "bo@example", "bo @example.com", "a@b@c.com"}) {
    m.invite_email = bad;
    CHECK_FALSE(m.send_invite());
    CHECK(m.status_is_error());
  }
  CHECK(m.take_requests().empty());
  m.invite_email = " Bo@Example.com ";
  m.invite_role = "supervisor";
  REQUIRE(m.send_invite());
  const AdminModel::Request r = only(m);
  CHECK(r.method == "POST");
  CHECK(r.url == "/api/v1/invitations");
  CHECK(Json::parse(r.body) == Json{{"email", "Bo@Example.com"}, {"role", "supervisor"}});
  m.answered(r, 201, R"({"invitation":{"id":"inv_3"}})");
  CHECK(m.status_line() == "Invitation sent to Bo@Example.com.");
  CHECK_FALSE(m.status_is_error());
  CHECK(m.invite_email.empty());
  CHECK(m.invite_role == "agent");
  CHECK(only(m).url == "/api/v1/invitations");  // reloaded

  // A refusal is said in the relay's words.
  m.invite_email = "nina@example.com";
  REQUIRE(m.send_invite());
  m.answered(only(m), 400, R"({"error":{"code":"bad_field","message":"a user of this team has this address already","field":"email"}})");
  CHECK(m.status_line() == "a user of this team has this address already");
  CHECK(m.status_is_error());

  // Withdraw: only a pending one.
  CHECK_FALSE(m.revoke_invite("inv_1"));
  CHECK_FALSE(m.revoke_invite("inv_nothing"));
  REQUIRE(m.revoke_invite("inv_2"));
  const AdminModel::Request d = only(m);
  CHECK(d.method == "DELETE");
  CHECK(d.url == "/api/v1/invitations/inv_2");
  m.answered(d, 200, R"({"id":"inv_2","status":"revoked"})");
  CHECK(m.pending_invitations().empty());
  CHECK(m.status_line() == "Invitation to cy@example.com withdrawn.");
  CHECK(m.snapshot()["invitations"].size() == 2);
}

TEST_CASE("admin: a user's role is changed with PATCH; the last admin keeps theirs") {
  AdminModel m;
  m.set_role("admin");
  m.open();
  for (const auto& r : m.take_requests()) {
    if (r.what == AdminModel::What::users) {
      m.answered(r, 200, R"({"users":[{"id":"u_a","username":"admin","role":"admin","email":"a@example.com"},
                         {"id":"u_s","username":"sam","display_name":"Sam","role":"agent"}]})");
    }
  }
  REQUIRE(m.users().size() == 2);
  CHECK(m.users()[0].email == "a@example.com");
  CHECK_FALSE(m.change_role("u_a", "agent", "u_a"));
  CHECK(m.status_line() == "This is the last admin: make someone else an admin first.");
  CHECK(m.take_requests().empty());
  CHECK_FALSE(m.change_role("u_s", "owner", "u_a"));
  CHECK_FALSE(m.change_role("u_s", "agent", "u_a"));  // unchanged: nothing to send
  CHECK(m.take_requests().empty());
  REQUIRE(m.change_role("u_s", "supervisor", "u_a"));
  const AdminModel::Request r = only(m);
  CHECK(r.method == "PATCH");
  CHECK(r.url == "/api/v1/users/u_s");
  CHECK(Json::parse(r.body) == Json{{"role", "supervisor"}});
  m.answered(r, 200, R"({"user":{"id":"u_s","username":"sam","role":"supervisor"}})");
  CHECK(m.users()[1].role == "supervisor");
  CHECK(m.status_line() == "Sam is now a supervisor.");
  m.select_user("u_s");
  REQUIRE(m.selected_row() != nullptr);
  CHECK(m.selected_row()->username == "sam");
  // With a second admin the first may step down.
  REQUIRE(m.change_role("u_s", "admin", "u_a"));
  m.answered(only(m), 200, R"({"user":{"id":"u_s","username":"sam","role":"admin"}})");
  CHECK(m.change_role("u_a", "supervisor", "u_a"));
}
