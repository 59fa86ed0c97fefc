// relay/src/app/staff_access/staff_access.hpp: staff accounts by mail (issue 9): invitations by
// e-mail with a role, password resets by mail, and role / address changes of users. The rules
// are parley/staff_access.hpp (pure); this module stores, mails and audits them.
//
// Threads: loop thread only. Point reads (a token's row, a user) use the loop's reader; lists run
// on a worker (HubState::on_worker). argon2 runs on the hash pool (Sessions::hash_password_async).
// Mail goes through the MailQueue (its own thread). Every callback runs on the loop, exactly once.
//
// Ownership: HubState owns the one StaffAccess; it keeps a reference to the HubState only.
//
// Tokens: 32 random bytes (base64url), mailed inside a link ORIGIN/invite#token=... or
// ORIGIN/reset#token=... (the fragment: never in a request line, a log or a Referer); stored as
// their sha256 only; never logged or audited. ORIGIN is Hub::own_origin of the request (the
// public URL when configured; a Host header the relay does not believe gives no origin, and then
// no mail goes out: a forged Host cannot point a reset link elsewhere).
//
// Single use: accepting an invitation inserts the user and marks the invitation accepted in ONE
// write whose UPDATE requires it to be pending and unexpired; a reset's use, the new password, the
// deletion of the user's sessions and the audit row are one write too. Two uses of one token:
// the second is refused (stale), nothing of it stored.
//
// No enumeration: request_reset() is answered 202 by the caller BEFORE this module looks anything
// up; whether a user exists changes only whether a mail is sent. Limits: per client address
// (reset_allowed(): the caller answers 429 past it, the same for every name) and per name or
// address asked for (quietly: no mail past it, the same 202).
//
// Errors (parley::Error): bad_field / missing_field with the field; not_found (an unknown token,
// a user or invitation outside the tenant); forbidden "token" (expired, used, withdrawn: words in
// parley::token_refusal), forbidden "role" (the last admin); invalid_transition (withdrawing an
// accepted invitation); unavailable (mail is off: invitations need it; the store); busy (the
// hash pool is full).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "app/live/address_limits.hpp"
#include "domain/store_api.hpp"
#include "parley/staff_access.hpp"

namespace parley::relay {

struct HubState;

struct StaffAccessCounters {
  std::uint64_t invitations_mailed = 0, invitations_accepted = 0;
  std::uint64_t resets_asked = 0, resets_mailed = 0, resets_limited = 0, resets_done = 0;
};

class StaffAccess {
 public:
  // Who acts (an admin's session or an API key with the admin scope), for the audit rows.
  struct By {
    std::string tenant_id;
    std::string actor_type;  // "user" / "api"
    std::string actor_id;
    std::string name;  // shown in the invitation mail
  };

  explicit StaffAccess(HubState& hub);

  // Stores an invitation and mails its link. cb gets invitation_json(). bad_field "email" when a
  // user of the tenant already has the address; unavailable when mail is off or `origin` is "".
  void invite(const By& by, const std::string& origin, InvitationInput in, std::function<void(Result<Json>)> cb);
  // {"invitations":[invitation_json...]}, newest first (at most 200).
  void list(const std::string& tenant_id, std::function<void(Result<Json>)> cb);
  void revoke(const By& by, const std::string& id, std::function<void(Result<Json>)> cb);
  // What the accept page shows: {"email","role","tenant":{name},"expires_at","username"}.
  void check_invitation_token(const std::string& token, std::function<void(Result<Json>)> cb);
  // Makes the account (user name, optional display name, password); cb gets {"user": user_json}.
  void accept(const std::string& token, const std::string& username, const std::string& display_name,
              const std::string& password, std::function<void(Result<Json>)> cb);

  // Per client address: false once the address asked too often (answer 429).
  bool reset_allowed(const std::string& remote_addr);
  // `who` is a user name or an e-mail address. Fire and forget (the caller has answered 202).
  void request_reset(const std::string& who, const std::string& origin, const std::string& remote_addr);
  // Sets the password and ends every session of the user. cb(nullopt) once committed.
  void confirm_reset(const std::string& token, const std::string& password,
                     std::function<void(std::optional<Error>)> cb);

  // PATCH /api/v1/users/{id}: role and/or e-mail ("" clears it). The role change takes effect at
  // once: the user's cached sessions are dropped and their open sockets re-read their identity
  // (Sessions::recheck_user), so the next command of a socket and the next request are checked
  // against the new role. cb gets the user (password hash cleared).
  void update_user(const By& by, const std::string& user_id, std::optional<StaffRole> role,
                   std::optional<std::string> email, std::function<void(Result<User>)> cb);

  const StaffAccessCounters& counters() const { return counters_; }

  static Json invitation_json(const Invitation& inv, Millis now);

 private:
  AuditEntry audit(const By& by, std::string action, std::string target, Json data) const;
  void mail_reset(const User& u, const std::string& origin, const std::string& remote_addr);

  HubState& hub_;
  AddressLimits reset_by_address_;  // per client address
  AddressLimits reset_by_target_;   // per user name / e-mail asked for
  StaffAccessCounters counters_;
};

}  // namespace parley::relay
