// relay/src/store/repo_staff_access.hpp: invitations, password resets, users' roles and e-mail
// addresses (schema v13; issue 9). Internal to relay/src/store. Writer-thread functions take the
// writer's Db; readers their own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/store_api.hpp"
#include "store/db.hpp"

namespace parley::relay {

std::optional<Error> insert_invitation(Db& db, const Invitation& inv);
std::optional<Error> revoke_invitation(Db& db, const RevokeInvitation& m);
std::optional<Error> accept_invitation(Db& db, const AcceptInvitation& m);
std::optional<Error> insert_password_reset(Db& db, const PasswordReset& r);
std::optional<Error> use_password_reset(Db& db, const UsePasswordReset& m);
std::optional<Error> set_user_role(Db& db, const SetUserRole& m);
std::optional<Error> set_user_email(Db& db, const SetUserEmail& m);

Result<std::vector<Invitation>> list_invitations(Db& db, const std::string& tenant_id, std::size_t limit);
Result<std::optional<Invitation>> find_invitation_by_token(Db& db, const std::string& token_hash);
Result<std::optional<PasswordReset>> find_password_reset(Db& db, const std::string& token_hash);
Result<std::vector<User>> find_users_by_email(Db& db, const std::string& email, std::size_t limit);
Result<int> count_enabled_admins(Db& db, const std::string& tenant_id);

}  // namespace parley::relay
