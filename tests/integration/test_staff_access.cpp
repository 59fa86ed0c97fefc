// Issue 9, staff accounts by mail: invitations by e-mail (mailed to the stand-in SMTP server, one
// link, accepted once, expiring, withdrawn), password resets (the same 202 whoever asks, rate
// limits, one use, expiry, every other session ended), role changes (admins only, never the last
// admin, at once on open sockets) and the REST authorisation matrix of every new route: admin,
// supervisor, agent, API keys by scope, another tenant's admin, anonymous; bad input.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "../../tools/smtp_standin/smtp_standin.hpp"
#include "harness.hpp"

using namespace parley::it;
using parley::standin::ReceivedMail;
using parley::standin::SmtpStandin;

namespace {

std::vector<std::string> flags(std::uint16_t smtp_port, std::vector<std::string> more = {}) {
  std::vector<std::string> a = {"--test-counters", "true", "--rest-rate", "100000", "--rest-burst", "100000"};
  if (smtp_port) {
    a.insert(a.end(), {"--smtp-host", "127.0.0.1", "--smtp-port", std::to_string(smtp_port), "--smtp-from",
                       "support@parley.test", "--mail-backoff", "0.05"});
  }
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

Headers browser(const Relay& relay, const std::string& cookie) {
  return {{"Cookie", cookie}, {"Origin", relay.origin()}};
}
Headers json_origin(const Relay& relay) { return {{"Origin", relay.origin()}}; }

HttpResult patch_json(const Relay& relay, const std::string& target, const Json& body, const Headers& h) {
  Headers all = h;
  all.emplace_back("Content-Type", "application/json");
  return http(relay.port(), "PATCH", target, body.dump(), all);
}
HttpResult del(const Relay& relay, const std::string& target, const Headers& h) {
  return http(relay.port(), "DELETE", target, "", h);
}

std::int64_t counter(const Relay& relay, const std::string& name) {
  auto r = http_get(relay.port(), "/api/v1/debug/counters");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.json().value(name, std::int64_t{-1});
}

std::int64_t audits(const Relay& relay, const std::string& action) {
  return db_int(relay, "SELECT COUNT(*) FROM audit WHERE action = ?1", {action});
}

// The mails the stand-in received for `to`, once there are `n` of them.
std::vector<ReceivedMail> mails_to(const SmtpStandin& smtp, const std::string& to, std::size_t n) {
  std::vector<ReceivedMail> out;
  wait_until([&] {
    out.clear();
    for (const ReceivedMail& m : smtp.received()) {
      for (const std::string& r : m.to) {
        if (r == to) out.push_back(m);
      }
    }
    return out.size() >= n;
  });
  return out;
}

// The token of the link ORIGIN/PAGE#token=... in a mail's body ("" when none).
std::string token_in(const ReceivedMail& m, const std::string& page) {
  const std::string body = m.body();
  const std::string key = "/" + page + "#token=";
  const auto at = body.find(key);
  if (at == std::string::npos) return "";
  std::string t;
  for (std::size_t i = at + key.size(); i < body.size(); ++i) {
    const char c = body[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) break;
    t += c;
  }
  return t;
}

HttpResult invite(const Relay& relay, const Headers& h, const std::string& email, const std::string& role) {
  return http_post_json(relay.port(), "/api/v1/invitations", {{"email", email}, {"role", role}}, h);
}
HttpResult accept(const Relay& relay, const std::string& token, const std::string& username,
                  const std::string& password) {
  return http_post_json(relay.port(), "/api/v1/invitations/accept",
                        {{"token", token}, {"username", username}, {"password", password}}, json_origin(relay));
}
HttpResult ask_reset(const Relay& relay, const Json& body) {
  return http_post_json(relay.port(), "/api/v1/password-reset", body, json_origin(relay));
}
HttpResult confirm(const Relay& relay, const std::string& token, const std::string& password) {
  return http_post_json(relay.port(), "/api/v1/password-reset/confirm", {{"token", token}, {"password", password}},
                        json_origin(relay));
}

std::string error_code(const HttpResult& r) { return r.json()["error"].value("code", ""); }
std::string error_field(const HttpResult& r) { return r.json()["error"].value("field", ""); }
std::string error_message(const HttpResult& r) { return r.json()["error"].value("message", ""); }

}  // namespace

TEST_CASE("invitations: mailed link, accepted once into a user with the role and address; audited; token hashed") {
  SmtpStandin smtp;
  const auto smtp_port = smtp.start();
  REQUIRE(smtp_port != 0);
  Relay relay(RelayOptions::with_args(flags(smtp_port)));
  relay.start();
  const Headers adm = browser(relay, login(relay, kAdminUser, kAdminPassword));

  auto made = invite(relay, adm, " Nina.Holt@Example.TEST ", "supervisor");
  REQUIRE_MESSAGE(made.status == 201, made.body);
  const Json inv = made.json()["invitation"];
  CHECK(inv["email"] == "nina.holt@example.test");
  CHECK(inv["role"] == "supervisor");
  CHECK(inv["status"] == "pending");
  CHECK(inv["expires_at"].get<std::int64_t>() - inv["created_at"].get<std::int64_t>() == 72LL * 3600 * 1000);
  CHECK(made.body.find("token") == std::string::npos);

  auto mails = mails_to(smtp, "nina.holt@example.test", 1);
  REQUIRE(mails.size() == 1);
  const std::string token = token_in(mails[0], "invite");
  REQUIRE(token.size() >= 40);
  CHECK(mails[0].body().find(relay.origin() + "/invite#token=" + token) != std::string::npos);
  CHECK(mails[0].body().find("72 hours") != std::string::npos);
  CHECK(mails[0].header("Subject").find("invited") != std::string::npos);
  // Stored hashed: the token itself is nowhere in the database's invitations or audit rows.
  CHECK(db_int(relay, "SELECT COUNT(*) FROM invitations WHERE token_hash = ?1", {token}) == 0);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM invitations WHERE length(token_hash) = 64") == 1);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM audit WHERE instr(data_json, ?1) > 0", {token}) == 0);
  CHECK(audits(relay, "invitation.created") == 1);

  // Listed, pending.
  auto list = http_get(relay.port(), "/api/v1/invitations", adm);
  REQUIRE(list.status == 200);
  REQUIRE(list.json()["invitations"].size() == 1);
  CHECK(list.json()["invitations"][0]["status"] == "pending");

  // The accept page's check: the address, the role, the suggested user name.
  auto check = http_post_json(relay.port(), "/api/v1/invitations/check", {{"token", token}}, json_origin(relay));
  REQUIRE_MESSAGE(check.status == 200, check.body);
  CHECK(check.json()["email"] == "nina.holt@example.test");
  CHECK(check.json()["role"] == "supervisor");
  CHECK(check.json()["username"] == "nina.holt");

  // Bad input: nothing accepted, the invitation still pending.
  CHECK(error_field(accept(relay, token, "", "nina-password-1")) == "username");
  CHECK(error_field(accept(relay, token, "nina holt", "nina-password-1")) == "username");
  CHECK(error_field(accept(relay, token, "admin", "nina-password-1")) == "username");  // taken
  auto short_pw = accept(relay, token, "nina", "short");
  CHECK(short_pw.status == 400);
  CHECK(error_field(short_pw) == "password");
  CHECK(accept(relay, "x", "nina", "nina-password-1").status == 404);
  CHECK(accept(relay, std::string(43, 'A'), "nina", "nina-password-1").status == 404);
  // Another site's page cannot post the form.
  CHECK(http_post_json(relay.port(), "/api/v1/invitations/accept",
                       {{"token", token}, {"username", "nina"}, {"password", "nina-password-1"}},
                       {{"Origin", "https://evil.example"}})
            .status == 403);

  auto ok = accept(relay, token, "nina", "nina-password-1");
  REQUIRE_MESSAGE(ok.status == 201, ok.body);
  CHECK(ok.json()["user"]["role"] == "supervisor");
  CHECK(ok.json()["user"]["email"] == "nina.holt@example.test");
  CHECK(audits(relay, "invitation.accepted") == 1);
  CHECK(counter(relay, "invitations_accepted") == 1);
  // Single use: the second accept (another name) is refused in words, and no user is made.
  auto again = accept(relay, token, "nina2", "nina-password-1");
  CHECK(again.status == 403);
  CHECK(error_field(again) == "token");
  CHECK(error_message(again).find("already accepted") != std::string::npos);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM users WHERE username = 'nina2'") == 0);
  CHECK(http_post_json(relay.port(), "/api/v1/invitations/check", {{"token", token}}, json_origin(relay)).status == 403);

  // The new account logs in, with its role.
  auto me = login_request(relay, "nina", "nina-password-1");
  REQUIRE(me.status == 200);
  CHECK(me.json()["user"]["role"] == "supervisor");
  list = http_get(relay.port(), "/api/v1/invitations", adm);
  CHECK(list.json()["invitations"][0]["status"] == "accepted");
  // An address already on the team cannot be invited again.
  auto dup = invite(relay, adm, "nina.holt@example.test", "agent");
  CHECK(dup.status == 400);
  CHECK(error_field(dup) == "email");
}

TEST_CASE("invitations: who may invite, list and revoke; tenants apart; bad input; withdrawn and expired links") {
  SmtpStandin smtp;
  const auto smtp_port = smtp.start();
  REQUIRE(smtp_port != 0);
  Relay relay(RelayOptions::with_args(flags(smtp_port)));
  relay.ctl({"tenant", "create", "acme", "--name", "Acme"});
  relay.start();
  relay.create_user("sup", "sup-password-1", "supervisor");
  relay.create_user("sam", "sam-password-1", "agent");
  relay.ctl({"--tenant", "acme", "users", "create", "ace", "--role", "admin", "--password", "ace-password-1"});
  const Headers adm = browser(relay, login(relay, kAdminUser, kAdminPassword));
  const Headers sup = browser(relay, login(relay, "sup", "sup-password-1"));
  const Headers sam = browser(relay, login(relay, "sam", "sam-password-1"));
  const Headers ace = browser(relay, login(relay, "ace", "ace-password-1"));
  const Headers admin_key = {{"Authorization", "Bearer " + relay.create_api_key("a", "admin")}};
  const Headers write_key = {{"Authorization", "Bearer " + relay.create_api_key("w", "read,write")}};

  // Bad input.
  CHECK(error_code(invite(relay, adm, "", "agent")) == "missing_field");
  CHECK(error_field(invite(relay, adm, "not-an-address", "agent")) == "email");
  CHECK(error_field(invite(relay, adm, "a@b.test\r\nBcc: x@y.test", "agent")) == "email");
  CHECK(error_field(invite(relay, adm, "bo@example.test", "owner")) == "role");
  CHECK(error_code(invite(relay, adm, "bo@example.test", "")) == "missing_field");
  CHECK(http(relay.port(), "POST", "/api/v1/invitations", "{not json", adm).status == 400);
  CHECK(smtp.count() == 0);

  // The matrix: admin session and admin key invite; supervisor, agent, a write key, anonymous and a
  // cross-site page do not.
  CHECK(invite(relay, sup, "bo@example.test", "agent").status == 403);
  CHECK(invite(relay, sam, "bo@example.test", "agent").status == 403);
  CHECK(invite(relay, write_key, "bo@example.test", "agent").status == 403);
  CHECK(invite(relay, {}, "bo@example.test", "agent").status == 401);
  CHECK(invite(relay, {{"Cookie", adm[0].second}, {"Origin", "https://evil.example"}}, "bo@example.test", "agent")
            .status == 403);
  CHECK(http_get(relay.port(), "/api/v1/invitations", sup).status == 403);
  CHECK(http_get(relay.port(), "/api/v1/invitations", sam).status == 403);
  CHECK(http_get(relay.port(), "/api/v1/invitations").status == 401);
  auto by_key = invite(relay, admin_key, "cy@example.test", "agent");
  REQUIRE_MESSAGE(by_key.status == 201, by_key.body);
  auto bo = invite(relay, adm, "bo@example.test", "agent");
  REQUIRE(bo.status == 201);
  const std::string bo_id = bo.json()["invitation"]["id"];
  auto bo_mail = mails_to(smtp, "bo@example.test", 1);
  REQUIRE(bo_mail.size() == 1);
  const std::string bo_token = token_in(bo_mail[0], "invite");

  // Another tenant sees none of them and cannot withdraw them.
  auto acme = http_get(relay.port(), "/api/v1/invitations", ace);
  REQUIRE(acme.status == 200);
  CHECK(acme.json()["invitations"].empty());
  CHECK(del(relay, "/api/v1/invitations/" + bo_id, ace).status == 404);
  CHECK(del(relay, "/api/v1/invitations/" + bo_id, sup).status == 403);
  CHECK(del(relay, "/api/v1/invitations/inv_nothing", adm).status == 404);
  // Acme's own invitation makes an Acme user.
  auto acme_inv = invite(relay, ace, "di@example.test", "agent");
  REQUIRE(acme_inv.status == 201);
  auto di_mail = mails_to(smtp, "di@example.test", 1);
  REQUIRE(di_mail.size() == 1);
  auto di = accept(relay, token_in(di_mail[0], "invite"), "di", "di-password-12");
  REQUIRE_MESSAGE(di.status == 201, di.body);
  CHECK(di.json()["user"]["tenant_id"] != login_request(relay, kAdminUser, kAdminPassword).json()["user"]["tenant_id"]);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.username = 'di' AND "
                      "t.slug = 'acme'") == 1);

  // Withdrawn: the link says so and makes nobody.
  auto revoked = del(relay, "/api/v1/invitations/" + bo_id, adm);
  REQUIRE_MESSAGE(revoked.status == 200, revoked.body);
  CHECK(del(relay, "/api/v1/invitations/" + bo_id, adm).status == 409);
  auto late = accept(relay, bo_token, "bo", "bo-password-123");
  CHECK(late.status == 403);
  CHECK(error_message(late).find("withdrawn") != std::string::npos);
  CHECK(audits(relay, "invitation.revoked") == 1);

  auto listed = http_get(relay.port(), "/api/v1/invitations", adm).json()["invitations"];
  int pending_n = 0, revoked_n = 0, accepted_n = 0;
  for (const Json& i : listed) {
    pending_n += i["status"] == "pending";
    revoked_n += i["status"] == "revoked";
    accepted_n += i["status"] == "accepted";
  }
  CHECK(pending_n == 1);  // Cy's
  CHECK(revoked_n == 1);  // Bo's
  CHECK(accepted_n == 0);  // Di's is Acme's
}

TEST_CASE("invitations: an expired link says so and makes nobody") {
  SmtpStandin smtp;
  const auto smtp_port = smtp.start();
  REQUIRE(smtp_port != 0);
  Relay relay(RelayOptions::with_args(flags(smtp_port, {"--invite-hours", "0.0003"})));  // about 1 s
  relay.start();
  const Headers adm = browser(relay, login(relay, kAdminUser, kAdminPassword));
  REQUIRE(invite(relay, adm, "cy@example.test", "agent").status == 201);
  auto cy_mail = mails_to(smtp, "cy@example.test", 1);
  REQUIRE(cy_mail.size() == 1);
  // Wait until the clock has passed the stored expiry (a state), then try.
  const std::int64_t cy_expires = db_int(relay, "SELECT expires_at FROM invitations WHERE email = 'cy@example.test'");
  REQUIRE(wait_until([&] {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return now > cy_expires + 50;
  }));
  auto expired = accept(relay, token_in(cy_mail[0], "invite"), "cy", "cy-password-123");
  CHECK(expired.status == 403);
  CHECK(error_message(expired).find("expired") != std::string::npos);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM users WHERE username = 'cy'") == 0);
  auto listed = http_get(relay.port(), "/api/v1/invitations", adm).json()["invitations"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["status"] == "expired");
}

TEST_CASE("invitations: without mail the relay refuses to invite (the link would go nowhere)") {
  Relay relay(RelayOptions::with_args(flags(0)));
  relay.start();
  const Headers adm = browser(relay, login(relay, kAdminUser, kAdminPassword));
  auto r = invite(relay, adm, "bo@example.test", "agent");
  CHECK(r.status == 503);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM invitations") == 0);
}

TEST_CASE("password reset: one answer for everyone; a one-time link for users with an address; other sessions end") {
  SmtpStandin smtp;
  const auto smtp_port = smtp.start();
  REQUIRE(smtp_port != 0);
  Relay relay(RelayOptions::with_args(flags(smtp_port)));
  relay.start();
  relay.create_user("sam", "sam-password-1", "agent");
  relay.create_user("noaddr", "noaddr-password-1", "agent");
  const Headers adm = browser(relay, login(relay, kAdminUser, kAdminPassword));
  const std::string sam_id = login_request(relay, "sam", "sam-password-1").json()["user"]["id"];
  auto set_email = patch_json(relay, "/api/v1/users/" + sam_id, {{"email", "Sam@Example.test"}}, adm);
  REQUIRE_MESSAGE(set_email.status == 200, set_email.body);
  CHECK(set_email.json()["user"]["email"] == "sam@example.test");

  // Bad input.
  CHECK(error_code(ask_reset(relay, Json::object())) == "missing_field");
  CHECK(ask_reset(relay, {{"username", 5}}).status == 400);
  CHECK(http_post_json(relay.port(), "/api/v1/password-reset", {{"username", "sam"}}, {{"Origin", "https://evil.example"}})
            .status == 403);

  // The same 202 and body for a user with an address, one without, an unknown name and address.
  const HttpResult known = ask_reset(relay, {{"username", "sam"}});
  const HttpResult no_address = ask_reset(relay, {{"username", "noaddr"}});
  const HttpResult unknown = ask_reset(relay, {{"username", "nobody-here"}});
  const HttpResult unknown_mail = ask_reset(relay, {{"email", "ghost@example.test"}});
  for (const HttpResult* r : {&known, &no_address, &unknown, &unknown_mail}) {
    CHECK(r->status == 202);
    CHECK(r->body == known.body);
  }
  REQUIRE(wait_until([&] { return counter(relay, "resets_asked") == 4; }));
  auto mails = mails_to(smtp, "sam@example.test", 1);
  REQUIRE(mails.size() == 1);
  CHECK(smtp.count() == 1);  // nobody else was mailed
  const std::string first = token_in(mails[0], "reset");
  REQUIRE(first.size() >= 40);
  CHECK(audits(relay, "password_reset.requested") == 1);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM password_resets WHERE token_hash = ?1", {first}) == 0);

  // By address (any case) too.
  CHECK(ask_reset(relay, {{"email", "SAM@example.test"}}).status == 202);
  mails = mails_to(smtp, "sam@example.test", 2);
  REQUIRE(mails.size() == 2);
  const std::string second = token_in(mails[1], "reset");

  // Sam is logged in twice (a socket and a cookie): the reset ends both.
  const std::string sam_cookie = login(relay, "sam", "sam-password-1");
  Staff sam_ws = Staff::connect(relay, "sam", "sam-password-1");
  CHECK(http_get(relay.port(), "/api/me", {{"Cookie", sam_cookie}}).status == 200);

  auto weak = confirm(relay, first, "short");
  CHECK(weak.status == 400);
  CHECK(error_field(weak) == "password");
  CHECK(confirm(relay, "nonsense", "sam-password-new").status == 404);
  auto done = confirm(relay, first, "sam-password-new");
  REQUIRE_MESSAGE(done.status == 200, done.body);
  CHECK(sam_ws->wait_close() == 1008);
  CHECK(http_get(relay.port(), "/api/me", {{"Cookie", sam_cookie}}).status == 401);
  CHECK(login_request(relay, "sam", "sam-password-1").status == 401);
  CHECK(login_request(relay, "sam", "sam-password-new").status == 200);
  CHECK(audits(relay, "password_reset.completed") == 1);
  // One use.
  auto reuse = confirm(relay, first, "sam-password-other");
  CHECK(reuse.status == 403);
  CHECK(error_message(reuse).find("already used") != std::string::npos);
  CHECK(login_request(relay, "sam", "sam-password-new").status == 200);

  // The second link still works once (each link is its own token).
  REQUIRE(confirm(relay, second, "sam-password-second").status == 200);
  CHECK(login_request(relay, "sam", "sam-password-second").status == 200);
  // Tokens were never audited.
  CHECK(db_int(relay, "SELECT COUNT(*) FROM audit WHERE instr(data_json, ?1) > 0 OR instr(data_json, ?2) > 0",
               {first, second}) == 0);
}

TEST_CASE("password reset: an expired link says so and changes nothing") {
  SmtpStandin smtp;
  const auto smtp_port = smtp.start();
  REQUIRE(smtp_port != 0);
  Relay relay(RelayOptions::with_args(flags(smtp_port, {"--reset-minutes", "0.02"})));  // 1.2 s
  relay.start();
  relay.create_user("sam", "sam-password-1", "agent");
  const Headers adm = browser(relay, login(relay, kAdminUser, kAdminPassword));
  const std::string sam_id = login_request(relay, "sam", "sam-password-1").json()["user"]["id"];
  REQUIRE(patch_json(relay, "/api/v1/users/" + sam_id, {{"email", "sam@example.test"}}, adm).status == 200);
  REQUIRE(ask_reset(relay, {{"username", "sam"}}).status == 202);
  auto mails = mails_to(smtp, "sam@example.test", 1);
  REQUIRE(mails.size() == 1);
  const std::int64_t expires = db_int(relay, "SELECT MAX(expires_at) FROM password_resets");
  REQUIRE(wait_until([&] {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return now > expires + 50;
  }));
  auto late = confirm(relay, token_in(mails[0], "reset"), "sam-password-late");
  CHECK(late.status == 403);
  CHECK(error_message(late).find("expired") != std::string::npos);
  CHECK(login_request(relay, "sam", "sam-password-1").status == 200);
}

TEST_CASE("password reset: limited per address (429, the same for every name) and per name asked for (quietly)") {
  SmtpStandin smtp;
  const auto smtp_port = smtp.start();
  REQUIRE(smtp_port != 0);
  Relay relay(RelayOptions::with_args(flags(smtp_port)));
  relay.start();
  relay.create_user("sam", "sam-password-1", "agent");
  const Headers adm = browser(relay, login(relay, kAdminUser, kAdminPassword));
  const std::string sam_id = login_request(relay, "sam", "sam-password-1").json()["user"]["id"];
  REQUIRE(patch_json(relay, "/api/v1/users/" + sam_id, {{"email", "sam@example.test"}}, adm).status == 200);

  // Per name: three mails, then the same 202 without a mail.
  for (int i = 0; i < 4; ++i) CHECK(ask_reset(relay, {{"username", "sam"}}).status == 202);
  REQUIRE(wait_until([&] { return counter(relay, "resets_limited") == 1; }));
  CHECK(mails_to(smtp, "sam@example.test", 3).size() == 3);
  CHECK(counter(relay, "resets_mailed") == 3);
  // Per address: five requests, then the sixth from this address is refused, whatever name it names.
  CHECK(ask_reset(relay, {{"username", "nobody"}}).status == 202);
  auto refused = ask_reset(relay, {{"username", "nobody"}});
  CHECK(refused.status == 429);
  CHECK_FALSE(refused.header("retry-after").empty());
  CHECK(ask_reset(relay, {{"username", "sam"}}).status == 429);
}

TEST_CASE("roles: admins change them; never the last admin; at once on open sockets; audited; tenants apart") {
  Relay relay(RelayOptions::with_args(flags(0)));
  relay.ctl({"tenant", "create", "acme", "--name", "Acme"});
  relay.start();
  relay.create_user("sup", "sup-password-1", "supervisor");
  relay.create_user("sam", "sam-password-1", "agent");
  relay.ctl({"--tenant", "acme", "users", "create", "ace", "--role", "admin", "--password", "ace-password-1"});
  const Headers adm = browser(relay, login(relay, kAdminUser, kAdminPassword));
  const std::string sup_cookie = login(relay, "sup", "sup-password-1");
  const Headers sam = browser(relay, login(relay, "sam", "sam-password-1"));
  const Headers ace = browser(relay, login(relay, "ace", "ace-password-1"));
  const Headers write_key = {{"Authorization", "Bearer " + relay.create_api_key("w", "read,write")}};
  const Headers admin_key = {{"Authorization", "Bearer " + relay.create_api_key("a", "admin")}};
  const std::string admin_id = login_request(relay, kAdminUser, kAdminPassword).json()["user"]["id"];
  const std::string sup_id = login_request(relay, "sup", "sup-password-1").json()["user"]["id"];
  const std::string sam_id = login_request(relay, "sam", "sam-password-1").json()["user"]["id"];
  const std::string users = "/api/v1/users/";

  // Bad input.
  CHECK(error_field(patch_json(relay, users + sam_id, {{"role", "owner"}}, adm)) == "role");
  CHECK(error_field(patch_json(relay, users + sam_id, {{"role", 3}}, adm)) == "role");
  CHECK(error_field(patch_json(relay, users + sam_id, {{"username", "x"}}, adm)) == "username");
  CHECK(error_code(patch_json(relay, users + sam_id, Json::object(), adm)) == "missing_field");
  CHECK(error_field(patch_json(relay, users + sam_id, {{"email", "nope"}}, adm)) == "email");
  CHECK(patch_json(relay, users + "u_nobody", {{"role", "agent"}}, adm).status == 404);
  // The matrix.
  CHECK(patch_json(relay, users + sam_id, {{"role", "supervisor"}}, browser(relay, sup_cookie)).status == 403);
  CHECK(patch_json(relay, users + sam_id, {{"role", "supervisor"}}, sam).status == 403);
  CHECK(patch_json(relay, users + sam_id, {{"role", "supervisor"}}, write_key).status == 403);
  CHECK(patch_json(relay, users + sam_id, {{"role", "supervisor"}}, {}).status == 401);
  CHECK(patch_json(relay, users + sam_id, {{"role", "admin"}}, ace).status == 404);  // another tenant
  CHECK(db_int(relay, "SELECT COUNT(*) FROM users WHERE role = 'agent' AND id = ?1", {sam_id}) == 1);

  // The last admin stays one (also changing their own role).
  auto last = patch_json(relay, users + admin_id, {{"role", "agent"}}, adm);
  CHECK(last.status == 403);
  CHECK(error_field(last) == "role");
  CHECK(error_message(last).find("last admin") != std::string::npos);

  // A supervisor watching the dashboard is demoted: the socket is closed at once, the next request
  // and the next socket have the agent's rights.
  Staff sup_ws = Staff::connect_cookie(relay, sup_cookie);
  REQUIRE(sup_ws->request(cmd("dashboard.watch", {{"watch", true}})).ok());
  CHECK(http_get(relay.port(), "/api/v1/users", {{"Cookie", sup_cookie}}).status == 200);
  auto demoted = patch_json(relay, users + sup_id, {{"role", "agent"}}, admin_key);
  REQUIRE_MESSAGE(demoted.status == 200, demoted.body);
  CHECK(demoted.json()["user"]["role"] == "agent");
  CHECK(sup_ws->wait_close() == 1008);
  CHECK(http_get(relay.port(), "/api/v1/users", {{"Cookie", sup_cookie}}).status == 403);
  Staff again = Staff::connect_cookie(relay, sup_cookie);
  CHECK(again->request(cmd("dashboard.watch", {{"watch", true}})).code() == "forbidden");

  // Promoted: the open socket stays and gains the rights at once.
  Staff sam_ws = Staff::connect(relay, "sam", "sam-password-1");
  CHECK(sam_ws->request(cmd("dashboard.watch", {{"watch", true}})).code() == "forbidden");
  auto promoted = patch_json(relay, users + sam_id, {{"role", "admin"}}, adm);
  REQUIRE(promoted.status == 200);
  CHECK(sam_ws->request(cmd("dashboard.watch", {{"watch", true}})).ok());
  // Two admins now: the first may step down.
  CHECK(patch_json(relay, users + admin_id, {{"role", "supervisor"}}, adm).status == 200);
  CHECK(audits(relay, "user.changed") == 3);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM audit WHERE action = 'user.changed' AND target = ?1 AND "
                      "json_extract(data_json, '$.role.to') = 'agent'", {sup_id}) == 1);
}
