// The REST API suite (issue 6, "Tests"): the authorisation matrix (role x endpoint x API key
// scope), the CSRF rules, tenant isolation through the relay with two tenants, logout and
// password changes closing sockets, session expiry, and a valid cookie with a foreign Origin at
// /ws/inbox. docs/api.md is the contract these tests hold the relay to.
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "harness.hpp"

using namespace parley::it;

namespace {

constexpr const char* kSupUser = "sup";
constexpr const char* kSupPassword = "supervisor-pw-1";
constexpr const char* kAgentUser = "agent1";
constexpr const char* kAgentPassword = "agent-password-1";

// REST limits high enough that the matrix is never rate limited (the limits have their own test).
const std::vector<std::string> kNoRestLimit = {"--rest-rate", "100000", "--rest-burst", "100000"};

// parleyctl --tenant SLUG ARGS... (throws on failure).
void ctl_ok(const Relay& relay, std::vector<std::string> args) {
  auto r = relay.ctl(args);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    throw std::runtime_error("parleyctl " + cmd + "failed (" + std::to_string(r.exit_code) + "): " + r.out + r.err);
  }
}

// Headers of a same-origin browser request with this cookie.
Headers browser(const Relay& relay, const std::string& cookie) { return {{"Cookie", cookie}, {"Origin", relay.origin()}}; }
Headers bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

// Replaces every "@@" in `s` with a fresh unique id (user names, client_msg_ids).
std::string fresh(std::string s) {
  for (auto at = s.find("@@"); at != std::string::npos; at = s.find("@@")) s.replace(at, 2, unique_id("x"));
  return s;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

}  // namespace

// ---- the authorisation matrix ------------------------------------------------------------------------

namespace {

// The callers of the matrix, in column order.
enum Col { kNone, kAdmin, kSup, kAgent, kSync, kRead, kWrite, kKeyAdmin, kCols };
const char* const kColNames[kCols] = {"no credentials", "admin session",   "supervisor session", "agent session",
                                      "sync key",       "read key",        "write key",          "admin key"};

struct Row {
  const char* method;
  const char* path;  // "{C}" = a real conversation of the tenant, "{X}" = an id that exists nowhere
  const char* body;  // "" = none; "@@" is replaced by a unique id per request
  std::array<int, kCols> expect;
};

// Every route of relay/src/app/http/routes_*.cpp and bridges/mirror.cpp. A status that is not
// 401/403 means the caller passed authorisation and the handler ran (404 for {X} ids: the handler
// looked the conversation up). Columns: none, admin, supervisor, agent, key sync, read, write, admin.
// Rules (docs/api.md "Authentication"): sessions by role; a key's scopes are independent bits:
// sync = the mirror, read = GETs of staff routes, write = other methods of staff routes, admin =
// the supervisor/admin routes (settings, users, keys, KB import, export).
const Row kMatrix[] = {
    // public
    {"GET", "/healthz", "", {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET", "/metrics", "", {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET", "/api/config", "", {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET", "/api/config?tenant=acme", "", {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET", "/api/me", "", {401, 200, 200, 200, 401, 401, 401, 401}},
    {"GET", "/api/v1/debug/counters", "", {200, 200, 200, 200, 200, 200, 200, 200}},
    // the mirror: an API key with the sync scope, never a session
    {"POST", "/api/chat/sync", R"({"user_id":"matrix-user","message":"hello from the mirror","sender":"user"})",
     {401, 401, 401, 401, 200, 403, 403, 403}},
    {"POST", "/api/chat/handoff", R"({"user_id":"nobody-mirrored"})", {401, 401, 401, 401, 404, 403, 403, 403}},
    // conversations: any staff member; keys read (GET) / write (POST)
    {"GET", "/api/v1/conversations", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    {"GET", "/api/v1/conversations/{C}", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    {"GET", "/api/v1/conversations/{X}", "", {401, 404, 404, 404, 403, 404, 403, 403}},
    {"GET", "/api/v1/conversations/{C}/messages", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    {"GET", "/api/v1/conversations/{C}/events", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    {"POST", "/api/v1/conversations/{C}/messages", R"({"text":"a note","kind":"note","client_msg_id":"@@"})",
     {401, 201, 201, 201, 403, 403, 201, 403}},
    // a key may post notes only
    {"POST", "/api/v1/conversations/{C}/messages", R"({"text":"a reply","client_msg_id":"@@"})",
     {401, 409, 409, 409, 403, 403, 403, 403}},
    // only a person can be assigned
    {"POST", "/api/v1/conversations/{X}/accept", "", {401, 404, 404, 404, 403, 403, 403, 403}},
    {"POST", "/api/v1/conversations/{X}/resolve", "{}", {401, 404, 404, 404, 403, 403, 404, 403}},
    {"POST", "/api/v1/conversations/{X}/handoff", "{}", {401, 404, 404, 404, 403, 403, 404, 403}},
    {"POST", "/api/v1/conversations/{X}/priority", R"({"priority":"high"})", {401, 404, 404, 404, 403, 403, 404, 403}},
    {"GET", "/api/v1/stats", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    {"GET", "/api/live-chat/queue-stats", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    {"GET", "/api/live-chat/queue/stats", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    {"GET", "/api/v1/kb", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    // issue 9, offline path and mail (404: the handler looked the conversation up)
    {"GET", "/api/v1/availability", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    {"POST", "/api/v1/conversations/{X}/transcript", R"({"email":"someone@example.com"})",
     {401, 404, 404, 404, 403, 403, 404, 403}},
    // a person's own password: sessions only (400 = the empty body reached the handler)
    {"POST", "/api/v1/me/password", "{}", {401, 400, 400, 400, 403, 403, 403, 403}},
    // supervisor routes: admin or supervisor; keys with admin
    {"GET", "/api/v1/settings", "", {401, 200, 200, 403, 403, 403, 403, 200}},
    {"GET", "/api/v1/users", "", {401, 200, 200, 403, 403, 403, 403, 200}},
    // admin routes: admin; keys with admin
    {"PATCH", "/api/v1/settings", R"({"title":"Matrix help desk"})", {401, 200, 403, 403, 403, 403, 403, 200}},
    {"POST", "/api/v1/users", R"({"username":"u@@","role":"agent","password":"matrix-password-1"})",
     {401, 201, 403, 403, 403, 403, 403, 201}},
    {"GET", "/api/v1/apikeys", "", {401, 200, 403, 403, 403, 403, 403, 200}},
    {"POST", "/api/v1/apikeys", R"({"name":"matrix @@","scopes":["read"]})", {401, 201, 403, 403, 403, 403, 403, 201}},
    {"DELETE", "/api/v1/apikeys/key_doesnotexist", "", {401, 404, 403, 403, 403, 403, 403, 404}},
    {"POST", "/api/v1/kb", R"([{"id":"hours","title":"Opening hours","body":"We are open 9 to 5.","keywords":["open"]}])",
     {401, 200, 403, 403, 403, 403, 403, 200}},
    {"GET", "/api/v1/export", "", {401, 200, 403, 403, 403, 403, 403, 200}},
    // issue 9, supervise: the dashboard (supervisor routes), the conversations view (staff), the survey
    {"GET", "/api/live-chat/dashboard", "", {401, 200, 200, 403, 403, 403, 403, 200}},
    {"GET", "/api/live-chat/conversations", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    {"GET", "/api/live-chat/conversations?q=hello&status=resolved", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    {"POST", "/api/live-chat/{X}/csat-request", "", {401, 404, 404, 404, 403, 403, 404, 403}},
    {"POST", "/api/live-chat/{C}/csat-request", "", {401, 409, 409, 409, 403, 403, 409, 403}},
    // issue 9, tickets, customer context and blocks: staff; keys read (GET) / write (others)
    {"POST", "/api/live-chat/{X}/convert-to-ticket", "{}", {401, 404, 404, 404, 403, 403, 404, 403}},
    {"GET", "/api/v1/tickets", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    {"GET", "/api/v1/tickets/tk_doesnotexist", "", {401, 404, 404, 404, 403, 404, 403, 403}},
    {"PATCH", "/api/v1/tickets/tk_doesnotexist", R"({"status":"solved"})", {401, 404, 404, 404, 403, 403, 404, 403}},
    {"GET", "/api/live-chat/{C}/customer-context", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    {"GET", "/api/v1/contacts/k_doesnotexist/context", "", {401, 404, 404, 404, 403, 404, 403, 403}},
    {"GET", "/api/v1/blocks", "", {401, 200, 200, 200, 403, 200, 403, 403}},
    {"POST", "/api/v1/blocks", R"({"kind":"contact","contact_id":"k_doesnotexist","reason":"matrix"})",
     {401, 404, 404, 404, 403, 403, 404, 403}},
    {"DELETE", "/api/v1/blocks/blk_doesnotexist", "", {401, 404, 404, 404, 403, 403, 404, 403}},
    // issue 9, staff accounts by mail: invitations and role changes are admin routes (503: this
    // relay has no mail, the handler ran); the accept page's and the reset's calls are public.
    {"POST", "/api/v1/invitations", R"({"email":"m@@@example.test","role":"agent"})",
     {401, 503, 403, 403, 403, 403, 403, 503}},
    {"GET", "/api/v1/invitations", "", {401, 200, 403, 403, 403, 403, 403, 200}},
    {"DELETE", "/api/v1/invitations/inv_doesnotexist", "", {401, 404, 403, 403, 403, 403, 403, 404}},
    {"PATCH", "/api/v1/users/u_doesnotexist", R"({"role":"agent"})", {401, 404, 403, 403, 403, 403, 403, 404}},
    {"POST", "/api/v1/invitations/check", R"({"token":"nope"})", {404, 404, 404, 404, 404, 404, 404, 404}},
    {"POST", "/api/v1/invitations/accept", R"({"token":"nope","username":"x","password":"matrix-password-1"})",
     {404, 404, 404, 404, 404, 404, 404, 404}},
    {"POST", "/api/v1/password-reset", "{}", {400, 400, 400, 400, 400, 400, 400, 400}},
    {"POST", "/api/v1/password-reset/confirm", R"({"token":"nope","password":"matrix-password-1"})",
     {404, 404, 404, 404, 404, 404, 404, 404}},
    // no such endpoint: 404 for everyone, before any authentication
    {"GET", "/api/v1/nothing-here", "", {404, 404, 404, 404, 404, 404, 404, 404}},
    {"DELETE", "/api/v1/conversations", "", {405, 405, 405, 405, 405, 405, 405, 405}},
};

}  // namespace

TEST_CASE("REST authorisation matrix: role x endpoint x API key scope") {
  std::vector<std::string> args = kNoRestLimit;
  args.insert(args.end(), {"--test-counters", "true"});
  Relay relay(RelayOptions::with_args(args));
  ctl_ok(relay, {"tenant", "create", "acme", "--name", "Acme"});
  const std::string k_sync = relay.create_api_key("m-sync", "sync");
  const std::string k_read = relay.create_api_key("m-read", "read");
  const std::string k_write = relay.create_api_key("m-write", "write");
  const std::string k_admin = relay.create_api_key("m-admin", "admin");
  relay.start();  // the first start creates the admin only while the database has no users
  relay.create_user(kSupUser, kSupPassword, "supervisor");
  relay.create_user(kAgentUser, kAgentPassword, "agent");

  Customer cust = Customer::connect(relay);
  const std::string conv = cust.start();
  cust.send(conv, "I have a question");

  std::array<Headers, kCols> auth;
  auth[kNone] = {};
  auth[kAdmin] = browser(relay, login(relay, kAdminUser, kAdminPassword));
  auth[kSup] = browser(relay, login(relay, kSupUser, kSupPassword));
  auth[kAgent] = browser(relay, login(relay, kAgentUser, kAgentPassword));
  auth[kSync] = bearer(k_sync);
  auth[kRead] = bearer(k_read);
  auth[kWrite] = {{"X-Api-Key", k_write}};  // the other spelling of a key
  auth[kKeyAdmin] = bearer(k_admin);

  int checked = 0;
  for (const Row& row : kMatrix) {
    const std::string path = replace_all(replace_all(row.path, "{C}", conv), "{X}", "c_doesnotexist");
    for (int col = 0; col < kCols; ++col) {
      const std::string body = fresh(row.body);
      auto r = http(relay.port(), row.method, path, body, auth[col]);
      INFO(row.method << " " << path << " as " << kColNames[col] << " -> " << r.status << " " << r.body.substr(0, 300));
      CHECK(r.status == row.expect[col]);
      if (r.status == 401 && std::string(row.path).starts_with("/api/v1")) {
        CHECK(r.json()["error"].value("code", "") == "unauthorized");
      }
      if (r.status == 403) CHECK(r.json()["error"].value("code", "") == "forbidden");
      ++checked;
    }
  }
  CHECK(checked == static_cast<int>(std::size(kMatrix)) * kCols);

  // The keys act for the tenant that owns them: what the write key posted is an "API" note.
  auto msgs = http_get(relay.port(), "/api/v1/conversations/" + conv + "/messages", auth[kRead]);
  REQUIRE(msgs.status == 200);
  bool api_note = false;
  for (const Json& m : Json(msgs.json()["messages"])) {
    if (m.value("kind", "") == "note" && m["sender"].value("id", "") == "api") api_note = true;
  }
  INFO(msgs.body.substr(0, 3000));
  CHECK(api_note);
}

TEST_CASE("REST: a wrong, malformed or revoked API key is 401, even on routes its scope would allow") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  const auto made = relay.create_api_key_with_id("doomed", "read,write,admin,sync");
  REQUIRE(!made.id.empty());
  relay.start();
  CHECK(http_get(relay.port(), "/api/v1/conversations", bearer(made.key)).status == 200);
  CHECK(http_get(relay.port(), "/api/v1/conversations", bearer("pk_not-a-key-at-all-000000000")).status == 401);
  CHECK(http_get(relay.port(), "/api/v1/conversations", bearer(std::string(300, 'k'))).status == 401);
  // A key header with a valid session cookie: the key decides, the cookie is not looked at.
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);
  Headers both = bearer("pk_wrong-wrong-wrong-wrong-wrong");
  both.emplace_back("Cookie", cookie);
  CHECK(http_get(relay.port(), "/api/v1/users", both).status == 401);

  auto del = http(relay.port(), "DELETE", "/api/v1/apikeys/" + made.id, "", browser(relay, cookie));
  INFO(del.body);
  CHECK(del.status == 200);
  CHECK(http_get(relay.port(), "/api/v1/conversations", bearer(made.key)).status == 401);
  CHECK(http_post_json(relay.port(), "/api/chat/sync", {{"user_id", "u"}, {"message", "m"}, {"sender", "user"}},
                       bearer(made.key))
            .status == 401);
}

// ---- CSRF ---------------------------------------------------------------------------------------------

TEST_CASE("REST CSRF: a cookie with a foreign Origin or Sec-Fetch-Site cross-site cannot change anything") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  const std::string k_write = relay.create_api_key("csrf-write", "write");
  relay.start();
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);
  Customer cust = Customer::connect(relay);
  const std::string conv = cust.start();
  const std::string note_path = "/api/v1/conversations/" + conv + "/messages";
  const Headers evil = {{"Cookie", cookie}, {"Origin", "http://evil.example"}};
  const Headers cross = {{"Cookie", cookie}, {"Sec-Fetch-Site", "cross-site"}};
  const Json note = {{"text", "csrf note"}, {"kind", "note"}};
  const std::int64_t before = stored_message_count(relay);

  for (const Headers& h : {evil, cross}) {
    Json n = note;
    n["client_msg_id"] = unique_id("csrf");
    auto post = http_post_json(relay.port(), note_path, n, h);
    INFO("POST: " << post.status << " " << post.body);
    CHECK(post.status == 403);
    auto patch = http(relay.port(), "PATCH", "/api/v1/settings", R"({"title":"Hijacked"})", h);
    CHECK(patch.status == 403);
    auto del = http(relay.port(), "DELETE", "/api/v1/apikeys/key_doesnotexist", "", h);
    CHECK(del.status == 403);
    auto user = http_post_json(relay.port(), "/api/v1/users",
                               {{"username", unique_id("csrfuser")}, {"role", "admin"}, {"password", "csrf-password-1"}}, h);
    CHECK(user.status == 403);
    auto pw = http_post_json(relay.port(), "/api/v1/me/password",
                             {{"current_password", kAdminPassword}, {"new_password", "stolen-password-1"}}, h);
    CHECK(pw.status == 403);
    // Cross-site logout and login are refused too (the login form cannot be posted from elsewhere).
    if (h.size() == 2 && h[1].first == "Origin") {
      CHECK(http(relay.port(), "POST", "/api/logout", "", h).status == 403);
      CHECK(login_request(relay, kAdminUser, kAdminPassword, {{"Origin", "http://evil.example"}}).status == 403);
    }
  }
  // Nothing changed: no message, the title and the password as before, the session alive.
  CHECK(stored_message_count(relay) == before);
  auto settings = http_get(relay.port(), "/api/v1/settings", {{"Cookie", cookie}});
  REQUIRE(settings.status == 200);
  CHECK(settings.json()["settings"].value("title", "") != "Hijacked");
  CHECK(http_get(relay.port(), "/api/me", {{"Cookie", cookie}}).status == 200);
  CHECK(login_request(relay, kAdminUser, kAdminPassword).status == 200);

  // The same requests from our own origin (or with no Origin at all, as curl sends them) work.
  Json n = note;
  n["client_msg_id"] = unique_id("ok");
  CHECK(http_post_json(relay.port(), note_path, n, browser(relay, cookie)).status == 201);
  n["client_msg_id"] = unique_id("ok");
  CHECK(http_post_json(relay.port(), note_path, n, {{"Cookie", cookie}}).status == 201);
  n["client_msg_id"] = unique_id("ok");
  CHECK(http_post_json(relay.port(), note_path, n, {{"Cookie", cookie}, {"Sec-Fetch-Site", "same-origin"}}).status == 201);

  // An API key needs no Origin (it is not ambient authority a browser attaches).
  n["client_msg_id"] = unique_id("key");
  CHECK(http_post_json(relay.port(), note_path, n, bearer(k_write)).status == 201);
}

TEST_CASE("/ws/inbox refuses a valid session cookie with a foreign Origin (and without one)") {
  Relay relay;
  relay.start();
  const std::string cookie = login(relay, kAdminUser, kAdminPassword);
  CHECK(WsClient::try_upgrade(relay.port(), {cookie, "http://evil.example", "/ws/inbox"}) == 403);
  CHECK(WsClient::try_upgrade(relay.port(), {cookie, "null", "/ws/inbox"}) == 403);
  CHECK(WsClient::try_upgrade(relay.port(), {cookie, "", "/ws/inbox"}) == 403);
  CHECK(WsClient::try_upgrade(relay.port(), {"", relay.origin(), "/ws/inbox"}) == 401);
  CHECK(WsClient::try_upgrade(relay.port(), {cookie, relay.origin(), "/ws/inbox"}) == 101);
}

// ---- tenant isolation -----------------------------------------------------------------------------------

TEST_CASE("REST tenant isolation: staff and keys of one tenant never see the other's conversations") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  ctl_ok(relay, {"tenant", "create", "acme", "--name", "Acme"});
  const std::string key_default = relay.create_api_key("iso-default", "read,write,admin,sync");
  const std::string key_acme = relay.create_api_key_with_id("iso-acme", "read,write,admin,sync", "acme").key;
  relay.start();
  ctl_ok(relay, {"--tenant", "acme", "users", "create", "acme-admin", "--role", "admin", "--password", "acme-password-1"});

  Customer cd = Customer::connect(relay);
  const std::string conv_d = cd.start();
  cd.send(conv_d, "default tenant secret");
  Customer ca = Customer::connect(relay, "", "acme");
  const std::string conv_a = ca.start();
  ca.send(conv_a, "acme tenant secret");

  const Headers admin_d = browser(relay, login(relay, kAdminUser, kAdminPassword));
  const Headers admin_a = browser(relay, login(relay, "acme-admin", "acme-password-1"));

  struct Side {
    const char* who;
    Headers auth;
    std::string own, other;
  };
  const Side sides[] = {{"default admin", admin_d, conv_d, conv_a},
                        {"default key", bearer(key_default), conv_d, conv_a},
                        {"acme admin", admin_a, conv_a, conv_d},
                        {"acme key", bearer(key_acme), conv_a, conv_d}};
  for (const Side& s : sides) {
    INFO(std::string(s.who));
    CHECK(http_get(relay.port(), "/api/v1/conversations/" + s.own, s.auth).status == 200);
    for (const char* suffix : {"", "/messages", "/events"}) {
      auto r = http_get(relay.port(), "/api/v1/conversations/" + s.other + suffix, s.auth);
      INFO(suffix << " -> " << r.status << " " << r.body.substr(0, 200));
      CHECK(r.status == 404);
    }
    Json note{{"text", "cross-tenant note"}, {"kind", "note"}, {"client_msg_id", unique_id("iso")}};
    CHECK(http_post_json(relay.port(), "/api/v1/conversations/" + s.other + "/messages", note, s.auth).status == 404);
    CHECK(http_post_json(relay.port(), "/api/v1/conversations/" + s.other + "/priority", {{"priority", "urgent"}}, s.auth)
              .status == 404);
    CHECK(http_post_json(relay.port(), "/api/v1/conversations/" + s.other + "/resolve", Json::object(), s.auth).status ==
          404);
    auto list = http_get(relay.port(), "/api/v1/conversations?limit=200", s.auth);
    REQUIRE(list.status == 200);
    bool own = false, other = false;
    for (const Json& c : Json(list.json()["conversations"])) {
      own = own || c.value("id", "") == s.own;
      other = other || c.value("id", "") == s.other;
    }
    INFO(list.body.substr(0, 2000));
    CHECK(own);
    CHECK_FALSE(other);
    auto search = http_get(relay.port(), "/api/v1/conversations?q=secret", s.auth);
    REQUIRE(search.status == 200);
    for (const Json& c : Json(search.json()["conversations"])) CHECK(c.value("id", "") != s.other);
    auto exported = http_get(relay.port(), "/api/v1/export", s.auth);
    REQUIRE(exported.status == 200);
    CHECK(exported.body.find(s.own) != std::string::npos);
    CHECK(exported.body.find(s.other) == std::string::npos);
  }
  // Nothing was stored into the other tenant's conversations.
  for (const auto& m : stored_messages(relay, conv_d)) CHECK(m.text != "cross-tenant note");
  for (const auto& m : stored_messages(relay, conv_a)) CHECK(m.text != "cross-tenant note");

  // Users and settings are the caller's tenant's only.
  auto users = http_get(relay.port(), "/api/v1/users", admin_a);
  REQUIRE(users.status == 200);
  for (const Json& u : Json(users.json()["users"])) CHECK(u.value("username", "") != kAdminUser);
  auto settings = http_get(relay.port(), "/api/v1/settings", bearer(key_acme));
  REQUIRE(settings.status == 200);
  CHECK(settings.json()["tenant"].value("slug", "") == "acme");

  // Staff sockets: acme's snapshot does not list the default tenant's conversation, nor may it join it.
  Staff sa = Staff::connect(relay, "acme-admin", "acme-password-1");
  CHECK(sa.snapshot.dump().find(conv_d) == std::string::npos);
  auto join = sa->request(cmd("chat.join", {{"conversation_id", conv_d}, {"after_seq", 0}}));
  CHECK_FALSE(join.ok());
  CHECK(join.code() == "not_found");
}

// ---- sessions: logout, password change, expiry -----------------------------------------------------------

TEST_CASE("REST logout ends that session at once: REST 401 and its sockets closed; other sessions stay") {
  Relay relay;
  relay.start();
  Staff s1 = Staff::connect(relay, kAdminUser, kAdminPassword);
  Staff s2 = Staff::connect(relay, kAdminUser, kAdminPassword);
  auto out = http(relay.port(), "POST", "/api/logout", "", browser(relay, s1.cookie));
  REQUIRE(out.status == 200);
  CHECK(set_cookie_header(out, "parley_session").find("Max-Age=0") != std::string::npos);
  CHECK(s1->wait_close() == 1008);
  CHECK(http_get(relay.port(), "/api/me", {{"Cookie", s1.cookie}}).status == 401);
  CHECK(http_get(relay.port(), "/api/v1/conversations", {{"Cookie", s1.cookie}}).status == 401);
  CHECK(WsClient::try_upgrade(relay.port(), {s1.cookie, relay.origin(), "/ws/inbox"}) == 401);
  // The other session of the same user is untouched.
  CHECK(http_get(relay.port(), "/api/me", {{"Cookie", s2.cookie}}).status == 200);
  flush(*s2.ws);
  CHECK_FALSE(s2->closed());
}

TEST_CASE("REST password change revokes the user's other sessions and closes their sockets") {
  Relay relay;
  relay.start();
  const std::string keep = login(relay, kAdminUser, kAdminPassword);
  Staff other = Staff::connect(relay, kAdminUser, kAdminPassword);
  Staff kept_socket = Staff::connect_cookie(relay, keep);
  auto r = http_post_json(relay.port(), "/api/v1/me/password",
                          {{"current_password", kAdminPassword}, {"new_password", "a-brand-new-password"}},
                          browser(relay, keep));
  INFO(r.status << " " << r.body);
  REQUIRE(r.status == 200);
  CHECK(other->wait_close() == 1008);
  CHECK(http_get(relay.port(), "/api/me", {{"Cookie", other.cookie}}).status == 401);
  // The session that changed the password stays, with its socket.
  CHECK(http_get(relay.port(), "/api/me", {{"Cookie", keep}}).status == 200);
  flush(*kept_socket.ws);
  CHECK_FALSE(kept_socket->closed());
  CHECK(login_request(relay, kAdminUser, kAdminPassword).status == 401);
  CHECK(login_request(relay, kAdminUser, "a-brand-new-password").status == 200);

  // A wrong current password changes nothing.
  auto wrong = http_post_json(relay.port(), "/api/v1/me/password",
                              {{"current_password", "not-the-password"}, {"new_password", "another-new-password"}},
                              browser(relay, keep));
  CHECK(wrong.status == 403);
  CHECK(wrong.json()["error"].value("field", "") == "current_password");
  CHECK(http_get(relay.port(), "/api/me", {{"Cookie", keep}}).status == 200);
}

TEST_CASE("REST session expiry: an expired cookie is 401 and its socket is closed (--session-hours)") {
  // 0.001 h = 3.6 s: the shortest lifetime the relay takes.
  Relay relay(RelayOptions::with_args({"--session-hours", "0.001"}));
  relay.start();
  auto r = login_request(relay, kAdminUser, kAdminPassword);
  REQUIRE(r.status == 200);
  CHECK(set_cookie_header(r, "parley_session").find("Max-Age=3") != std::string::npos);
  const std::string cookie = set_cookie_pair(r, "parley_session");
  Staff s = Staff::connect_cookie(relay, cookie);
  CHECK(http_get(relay.port(), "/api/me", {{"Cookie", cookie}}).status == 200);
  // Waiting for the expiry (a state), bounded.
  CHECK(wait_until([&] { return http_get(relay.port(), "/api/me", {{"Cookie", cookie}}).status == 401; }, 15s));
  CHECK(http_get(relay.port(), "/api/v1/conversations", {{"Cookie", cookie}}).status == 401);
  auto expired = s->try_wait_for(is_type("session.expired"), 5s);
  CHECK(s->wait_close(5s) == 1008);
  CHECK(expired.has_value());
}
