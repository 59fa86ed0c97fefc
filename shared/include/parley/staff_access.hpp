// parley/staff_access.hpp: the rules of staff accounts by mail (issue 9): invitations, password
// resets and role changes. Pure: the time, the users and the tokens' rows are passed in; the relay
// (app/staff_access/) stores, mails and audits.
//
// One-time tokens (invitations 72 h, password resets 1 h by default): random, sent only in the
// mail's link (in the URL's fragment, so no server log or Referer carries it), stored as their
// sha256 only, usable once, tenant-scoped by their row.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/model.hpp"
#include "parley/result.hpp"

namespace parley {

inline constexpr Millis kInviteTtlMs = 72LL * 3600 * 1000;
inline constexpr Millis kResetTtlMs = 3600LL * 1000;

// The times of a one-time token's row (0 = not happened).
struct OneTimeToken {
  Millis created_at = 0, expires_at = 0;
  Millis used_at = 0;     // accepted (invitation) / used (reset)
  Millis revoked_at = 0;  // invitations only
};
enum class TokenState { valid, expired, used, revoked };
// used and revoked win over expired (what happened first is what the person is told).
TokenState token_state(const OneTimeToken& t, Millis now);
// "pending", "expired", "accepted", "revoked": an invitation's status in lists.
std::string_view invitation_status(const OneTimeToken& t, Millis now);
// Why a token cannot be used, in words for the page; nullopt when it is valid. The error is
// ErrorCode::forbidden with field "token" (an unknown token: token_unknown()).
std::optional<Error> token_refusal(const OneTimeToken& t, Millis now, bool invitation);
Error token_unknown(bool invitation);

// An address as stored and compared: trimmed, ASCII letters lower-cased; "" when it is not a
// valid address (parley::valid_email).
std::string normalise_email(std::string_view address);

// The user name rule of the relay (letters, digits and . _ - @; at most 64 bytes).
bool valid_username(std::string_view name);
// A user name offered on the accept page: the address's local part, characters outside the rule
// dropped, at most 32 bytes; "user" when nothing is left.
std::string suggested_username(std::string_view email);

// What an invitation's or a reset's request carries, checked. Errors name their field.
struct InvitationInput {
  std::string email;  // normalised
  StaffRole role = StaffRole::agent;
};
Result<InvitationInput> check_invitation(std::string_view email, std::string_view role);
inline constexpr std::size_t kMinPasswordChars = 10, kMaxPasswordChars = 200;
// missing_field / bad_field "password" (code points, kMinPasswordChars..kMaxPasswordChars).
std::optional<Error> check_new_password(std::string_view password, std::string_view field = "password");

// The link of a mail: ORIGIN/PAGE#token=TOKEN ("" when the origin is unknown: no mail is sent).
std::string one_time_link(std::string_view origin, std::string_view page, std::string_view token);

struct MailText {
  std::string subject, body;
};
MailText invitation_mail(std::string_view tenant_name, StaffRole role, std::string_view inviter,
                         std::string_view link, Millis ttl_ms);
MailText reset_mail(std::string_view username, std::string_view link, Millis ttl_ms);

// How long, in words: "72 hours", "1 hour", "30 minutes".
std::string ttl_words(Millis ttl_ms);

// The last-admin rule: a tenant keeps at least one enabled admin. `enabled_admins` counts the
// tenant's enabled admins now (the target included when it is one). forbidden, field "role".
std::optional<Error> check_role_change(StaffRole current, bool disabled, StaffRole next, int enabled_admins);

}  // namespace parley
