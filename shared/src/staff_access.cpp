// The rules of staff accounts by mail (parley/staff_access.hpp).
#include "parley/staff_access.hpp"

#include <algorithm>
#include <cctype>

#include "parley/offline.hpp"
#include "parley/text.hpp"

namespace parley {

TokenState token_state(const OneTimeToken& t, Millis now) {
  if (t.revoked_at != 0) return TokenState::revoked;
  if (t.used_at != 0) return TokenState::used;
  if (now >= t.expires_at) return TokenState::expired;
  return TokenState::valid;
}

std::string_view invitation_status(const OneTimeToken& t, Millis now) {
  switch (token_state(t, now)) {
    case TokenState::valid: return "pending";
    case TokenState::expired: return "expired";
    case TokenState::used: return "accepted";
    case TokenState::revoked: return "revoked";
  }
  return "pending";
}

Error token_unknown(bool invitation) {
  return make_error(ErrorCode::not_found,
                    invitation ? "this invitation link is not valid: ask your admin for a new invitation"
                               : "this reset link is not valid: ask for a new one",
                    "token");
}

std::optional<Error> token_refusal(const OneTimeToken& t, Millis now, bool invitation) {
  const char* again = invitation ? "ask your admin for a new invitation" : "ask for a new reset link";
  switch (token_state(t, now)) {
    case TokenState::valid:
      return std::nullopt;
    case TokenState::expired:
      return make_error(ErrorCode::forbidden,
                        std::string(invitation ? "this invitation has expired: " : "this reset link has expired: ") + again,
                        "token");
    case TokenState::used:
      return make_error(ErrorCode::forbidden,
                        std::string(invitation ? "this invitation was already accepted: log in instead"
                                               : "this reset link was already used: ") +
                            (invitation ? "" : again),
                        "token");
    case TokenState::revoked:
      return make_error(ErrorCode::forbidden, std::string("this invitation was withdrawn: ") + again, "token");
  }
  return std::nullopt;
}

std::string normalise_email(std::string_view address) {
  std::string s(trim(address));
  if (!valid_email(s)) return {};
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

bool valid_username(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '@';
  });
}

std::string suggested_username(std::string_view email) {
  const std::size_t at = email.find('@');
  std::string_view local = at == std::string_view::npos ? email : email.substr(0, at);
  std::string out;
  for (char c : local) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && (std::isalnum(u) || c == '.' || c == '_' || c == '-')) {
      out += static_cast<char>(std::tolower(u));
    }
    if (out.size() >= 32) break;
  }
  while (!out.empty() && (out.front() == '.' || out.front() == '-')) out.erase(out.begin());
  return out.empty() ? "user" : out;
}

Result<InvitationInput> check_invitation(std::string_view email, std::string_view role) {
  if (trim(email).empty()) return make_error(ErrorCode::missing_field, "an e-mail address is required", "email");
  InvitationInput in;
  in.email = normalise_email(email);
  if (in.email.empty()) return make_error(ErrorCode::bad_field, "this is not an e-mail address", "email");
  if (role.empty()) return make_error(ErrorCode::missing_field, "a role is required", "role");
  const auto r = parse_staff_role(role);
  if (!r) return make_error(ErrorCode::bad_field, "the role must be admin, supervisor or agent", "role");
  in.role = *r;
  return in;
}

std::optional<Error> check_new_password(std::string_view password, std::string_view field) {
  const std::string f(field);
  if (password.empty()) return make_error(ErrorCode::missing_field, "a password is required", f);
  const std::size_t n = count_code_points(password);
  if (n < kMinPasswordChars) {
    return make_error(ErrorCode::bad_field, "must be at least " + std::to_string(kMinPasswordChars) + " characters", f);
  }
  if (n > kMaxPasswordChars) {
    return make_error(ErrorCode::bad_field, "must be at most " + std::to_string(kMaxPasswordChars) + " characters", f);
  }
  return std::nullopt;
}

std::string one_time_link(std::string_view origin, std::string_view page, std::string_view token) {
  if (origin.empty() || token.empty()) return {};
  std::string o(origin);
  while (!o.empty() && o.back() == '/') o.pop_back();
  std::string p(page);
  if (!p.starts_with("/")) p.insert(p.begin(), '/');
  return o + p + "#token=" + std::string(token);
}

std::string ttl_words(Millis ttl_ms) {
  const Millis minutes = (ttl_ms + 59'999) / 60'000;
  if (minutes >= 60 && minutes % 60 == 0) {
    const Millis h = minutes / 60;
    return std::to_string(h) + (h == 1 ? " hour" : " hours");
  }
  return std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes");
}

namespace {
// One line for a header or a sentence: controls become spaces.
std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}
}  // namespace

MailText invitation_mail(std::string_view tenant_name, StaffRole role, std::string_view inviter,
                         std::string_view link, Millis ttl_ms) {
  MailText m;
  const std::string where = tenant_name.empty() ? std::string("Parley") : one_line(tenant_name);
  m.subject = "You are invited to " + where + " on Parley";
  m.body = one_line(inviter.empty() ? std::string_view("An admin") : inviter) + " invited you to join " + where +
           " as " + std::string(role == StaffRole::supervisor ? "a " : "an ") + std::string(to_string(role)) +
           ".\n\nChoose your user name and password here:\n\n" + std::string(link) +
           "\n\nThe link works once and expires in " + ttl_words(ttl_ms) +
           ". If you did not expect this mail, ignore it.\n";
  return m;
}

MailText reset_mail(std::string_view username, std::string_view link, Millis ttl_ms) {
  MailText m;
  m.subject = "Reset your Parley password";
  m.body = "Someone asked to reset the password of the Parley user " + one_line(username) +
           ".\n\nSet a new password here:\n\n" + std::string(link) + "\n\nThe link works once and expires in " +
           ttl_words(ttl_ms) +
           ". Setting a new password signs you out everywhere else. If you did not ask for this, ignore this mail: "
           "your password stays as it is.\n";
  return m;
}

std::optional<Error> check_role_change(StaffRole current, bool disabled, StaffRole next, int enabled_admins) {
  if (current == StaffRole::admin && next != StaffRole::admin && !disabled && enabled_admins <= 1) {
    return make_error(ErrorCode::forbidden, "this is the last admin of the tenant: make someone else an admin first",
                      "role");
  }
  return std::nullopt;
}

}  // namespace parley
