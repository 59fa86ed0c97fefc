// parley/staff_access.hpp: one-time tokens (states, refusals in words), addresses, user names,
// the invitation's input, passwords, links, the mails' words and the last-admin rule.
#include <doctest/doctest.h>

#include <string>

#include "parley/staff_access.hpp"

using namespace parley;

TEST_CASE("staff access: a token's state; used and revoked win over expired") {
  OneTimeToken t{1000, 2000, 0, 0};
  CHECK(token_state(t, 1999) == TokenState::valid);
  CHECK(token_state(t, 2000) == TokenState::expired);
  CHECK(invitation_status(t, 1500) == "pending");
  CHECK(invitation_status(t, 2500) == "expired");
  t.used_at = 1500;
  CHECK(token_state(t, 2500) == TokenState::used);
  CHECK(invitation_status(t, 2500) == "accepted");
  t.revoked_at = 1200;
  CHECK(token_state(t, 1300) == TokenState::revoked);
  CHECK(invitation_status(t, 1300) == "revoked");
}

TEST_CASE("staff access: refusals say what happened, in words, on the token field") {
  OneTimeToken t{0, 100, 0, 0};
  CHECK_FALSE(token_refusal(t, 50, true));
  auto e = token_refusal(t, 100, true);
  REQUIRE(e);
  CHECK(e->code == ErrorCode::forbidden);
  CHECK(e->field == "token");
  CHECK(e->message.find("expired") != std::string::npos);
  t.used_at = 10;
  e = token_refusal(t, 50, true);
  REQUIRE(e);
  CHECK(e->message.find("already accepted") != std::string::npos);
  e = token_refusal(t, 50, false);
  REQUIRE(e);
  CHECK(e->message.find("already used") != std::string::npos);
  t.revoked_at = 5;
  e = token_refusal(t, 50, true);
  REQUIRE(e);
  CHECK(e->message.find("withdrawn") != std::string::npos);
  CHECK(token_unknown(true).code == ErrorCode::not_found);
  CHECK(token_unknown(false).field == "token");
}

TEST_CASE("staff access: addresses are trimmed and lower-cased, invalid ones refused") {
  CHECK(normalise_email("  Ann.Lee@Example.COM ") == "ann.lee@example.com");
  CHECK(normalise_email("not an address").empty());
  CHECK(normalise_email("a@b").empty());
  CHECK(normalise_email("x@y.z\r\nBcc: e@vil.com").empty());
  CHECK(normalise_email("").empty());
}

TEST_CASE("staff access: user names offered from the address keep to the rule") {
  CHECK(suggested_username("Ann.Lee@example.com") == "ann.lee");
  CHECK(suggested_username("j+tag@example.com") == "jtag");
  CHECK(suggested_username("+++@example.com") == "user");
  CHECK(suggested_username(".x@example.com") == "x");
  CHECK(suggested_username(std::string(80, 'a') + "@example.com").size() == 32);
  CHECK(valid_username(suggested_username("Zoë-Ünal@example.com")));
  CHECK(valid_username("ann.lee"));
  CHECK_FALSE(valid_username("ann lee"));
  CHECK_FALSE(valid_username(""));
  CHECK_FALSE(valid_username(std::string(65, 'a')));
}

TEST_CASE("staff access: an invitation needs an address and a known role") {
  auto ok = check_invitation(" Bo@Example.com", "supervisor");
  REQUIRE(ok);
  CHECK(ok->email == "bo@example.com");
  CHECK(ok->role == StaffRole::supervisor);
  auto e1 = check_invitation("", "agent");
  REQUIRE_FALSE(e1);
  CHECK(e1.error().code == ErrorCode::missing_field);
  CHECK(e1.error().field == "email");
  auto e2 = check_invitation("bo", "agent");
  REQUIRE_FALSE(e2);
  CHECK(e2.error().field == "email");
  auto e3 = check_invitation("bo@example.com", "owner");
  REQUIRE_FALSE(e3);
  CHECK(e3.error().code == ErrorCode::bad_field);
  CHECK(e3.error().field == "role");
  auto e4 = check_invitation("bo@example.com", "");
  REQUIRE_FALSE(e4);
  CHECK(e4.error().code == ErrorCode::missing_field);
}

TEST_CASE("staff access: new passwords are 10 to 200 code points") {
  CHECK(check_new_password("")->code == ErrorCode::missing_field);
  CHECK(check_new_password("short")->code == ErrorCode::bad_field);
  CHECK(check_new_password("ééééééééé")->code == ErrorCode::bad_field);  // 9 code points, 18 bytes
  CHECK_FALSE(check_new_password("éééééééééé"));
  CHECK(check_new_password(std::string(201, 'a'))->code == ErrorCode::bad_field);
  CHECK(check_new_password("x", "new_password")->field == "new_password");
}

TEST_CASE("staff access: links carry the token in the fragment; no origin, no link") {
  CHECK(one_time_link("https://chat.example.com/", "invite", "abc") == "https://chat.example.com/invite#token=abc");
  CHECK(one_time_link("http://127.0.0.1:8080", "/reset", "t") == "http://127.0.0.1:8080/reset#token=t");
  CHECK(one_time_link("", "reset", "t").empty());
}

TEST_CASE("staff access: the mails name the place, role, link and expiry; one-line subjects") {
  const MailText inv = invitation_mail("Acme\r\nBcc: x@y.z", StaffRole::agent, "Ann", "https://h/invite#token=T", kInviteTtlMs);
  CHECK(inv.subject.find('\n') == std::string::npos);
  CHECK(inv.subject.find('\r') == std::string::npos);
  CHECK(inv.body.find("https://h/invite#token=T") != std::string::npos);
  CHECK(inv.body.find("as an agent") != std::string::npos);
  CHECK(invitation_mail("Acme", StaffRole::supervisor, "Ann", "L", kInviteTtlMs).body.find("as a supervisor") !=
        std::string::npos);
  CHECK(inv.body.find("72 hours") != std::string::npos);
  const MailText adm = invitation_mail("Acme", StaffRole::admin, "", "L", kInviteTtlMs);
  CHECK(adm.body.find("An admin invited you to join Acme as an admin") != std::string::npos);
  const MailText r = reset_mail("sam", "https://h/reset#token=R", kResetTtlMs);
  CHECK(r.body.find("https://h/reset#token=R") != std::string::npos);
  CHECK(r.body.find("1 hour") != std::string::npos);
  CHECK(ttl_words(30 * 60'000) == "30 minutes");
  CHECK(ttl_words(60'000) == "1 minute");
  CHECK(ttl_words(2 * 3600'000) == "2 hours");
}

TEST_CASE("staff access: the last enabled admin keeps the role") {
  CHECK(check_role_change(StaffRole::admin, false, StaffRole::agent, 1)->field == "role");
  CHECK(check_role_change(StaffRole::admin, false, StaffRole::supervisor, 1)->code == ErrorCode::forbidden);
  CHECK_FALSE(check_role_change(StaffRole::admin, false, StaffRole::agent, 2));
  CHECK_FALSE(check_role_change(StaffRole::admin, false, StaffRole::admin, 1));
  CHECK_FALSE(check_role_change(StaffRole::admin, true, StaffRole::agent, 1));  // a disabled admin is not counted
  CHECK_FALSE(check_role_change(StaffRole::agent, false, StaffRole::admin, 0));
  CHECK_FALSE(check_role_change(StaffRole::agent, false, StaffRole::supervisor, 1));
}
